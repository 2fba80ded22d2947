// GgufByteBuilder: appends GGUF fields byte by byte with no checks at all, so tests and fuzz
// seeds can build deliberately malformed files (wrong magic, lying counts, bad UTF-8, ...).
// Valid files are written with GgufWriter; this is its low-level companion.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "gguf/gguf_writer.h"

namespace fulcrum::gguf {

class GgufByteBuilder {
 public:
  GgufByteBuilder() = default;
  explicit GgufByteBuilder(std::string initial) : b_(std::move(initial)) {}

  GgufByteBuilder& raw(std::string_view bytes) {
    b_.append(bytes);
    return *this;
  }
  GgufByteBuilder& u8(uint8_t v) { return put(v); }
  GgufByteBuilder& u16(uint16_t v) { return put(v); }
  GgufByteBuilder& u32(uint32_t v) { return put(v); }
  GgufByteBuilder& i32(int32_t v) { return put(v); }
  GgufByteBuilder& u64(uint64_t v) { return put(v); }
  GgufByteBuilder& i64(int64_t v) { return put(v); }
  GgufByteBuilder& f32(float v) { return put(v); }
  GgufByteBuilder& f64(double v) { return put(v); }
  // A GGUF string: u64 length + bytes. str_len writes any length before the given bytes.
  GgufByteBuilder& str(std::string_view s) { return u64(s.size()).raw(s); }
  GgufByteBuilder& str_len(uint64_t len, std::string_view bytes) { return u64(len).raw(bytes); }
  // "GGUF" + version + n_tensors + n_kv.
  GgufByteBuilder& header(uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
    return raw("GGUF").u32(version).u64(n_tensors).u64(n_kv);
  }
  // key + u32 type + payload.
  GgufByteBuilder& kv(std::string_view key, const WriteValue& v) {
    return str(key).u32(static_cast<uint32_t>(v.type())).raw(v.payload());
  }
  GgufByteBuilder& kv_raw(std::string_view key, uint32_t type, std::string_view payload) {
    return str(key).u32(type).raw(payload);
  }
  // name + n_dims + ne[...] (as many as given, whatever n_dims says) + type + offset.
  GgufByteBuilder& tensor_info(std::string_view name, uint32_t n_dims, std::span<const uint64_t> ne,
                               uint32_t type, uint64_t offset) {
    str(name).u32(n_dims);
    for (uint64_t d : ne) u64(d);
    return u32(type).u64(offset);
  }
  GgufByteBuilder& zeros(size_t n, char fill = 0) {
    b_.append(n, fill);
    return *this;
  }
  GgufByteBuilder& pad_to(uint64_t alignment, char fill = 0) {
    if (alignment > 0 && b_.size() % alignment != 0)
      b_.append(alignment - b_.size() % alignment, fill);
    return *this;
  }

  size_t size() const { return b_.size(); }
  const std::string& bytes() const { return b_; }
  std::string take() { return std::move(b_); }

  // Overwrite a little-endian field of an existing byte string in place (off + size must fit).
  template <typename T>
  static void patch(std::string& bytes, uint64_t off, T v) {
    std::memcpy(bytes.data() + off, &v, sizeof v);
  }

 private:
  template <typename T>
  GgufByteBuilder& put(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof v);  // little-endian host, as GGUF
    b_.append(buf, sizeof buf);
    return *this;
  }

  std::string b_;
};

}  // namespace fulcrum::gguf
