// Small helpers for reading and writing wire JSON with nlohmann::json without exceptions:
// typed field access that reports the JSON path of a bad field. Internal to api/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace fulcrum::api::detail {

using Json = nlohmann::json;

// Parses `body`; malformed JSON is kParse, a non-object top level is kInvalidArgument.
Result<Json> parse_object(std::string_view body);
// Compact JSON text; invalid UTF-8 is replaced, never thrown.
std::string dump(const Json& j);

Error bad_field(const std::string& path, std::string_view why);
std::string join_path(const std::string& base, std::string_view key);
std::string index_path(const std::string& base, size_t i);

// Field getters: absent or null -> nullopt; wrong type -> kInvalidArgument naming the path.
Result<std::optional<std::string>> opt_string(const Json& obj, std::string_view key,
                                              const std::string& base);
Result<std::optional<int64_t>> opt_int(const Json& obj, std::string_view key,
                                       const std::string& base);
Result<std::optional<double>> opt_number(const Json& obj, std::string_view key,
                                         const std::string& base);
Result<std::optional<bool>> opt_bool(const Json& obj, std::string_view key,
                                     const std::string& base);
Result<std::string> req_string(const Json& obj, std::string_view key, const std::string& base);
// A number field that must lie in [lo, hi].
Result<std::optional<double>> opt_range(const Json& obj, std::string_view key, double lo, double hi,
                                        const std::string& base);
const Json* find(const Json& obj, std::string_view key);  // nullptr when absent or null

// Unix seconds now.
int64_t unix_now();
// "prefix-" + 24 random hex characters.
std::string make_id(std::string_view prefix);
// Parses JSON text of tool arguments into an object (invalid or non-object -> empty object).
Json arguments_object(std::string_view text);

}  // namespace fulcrum::api::detail
