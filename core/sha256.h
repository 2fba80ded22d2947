// SHA-256 of bytes or of a file (streamed, so a multi-GB model costs no memory).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace fulcrum {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view bytes);
Result<Sha256Digest> sha256_file(const std::string& path);
std::string to_hex(const uint8_t* data, size_t n);
inline std::string to_hex(const Sha256Digest& d) {
  return to_hex(d.data(), d.size());
}

}  // namespace fulcrum
