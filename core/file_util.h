// Small file helpers that report failures as Result.
#pragma once

#include <string>

#include "core/result.h"

namespace fulcrum {

// Reads a whole file ("-" reads standard input).
Result<std::string> read_file(const std::string& path);
Status write_file(const std::string& path, std::string_view bytes);

}  // namespace fulcrum
