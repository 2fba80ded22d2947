#include "api/json_util.h"

#include <chrono>
#include <random>

#include <fmt/format.h>

namespace fulcrum::api::detail {

Result<Json> parse_object(std::string_view body) {
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error(ErrorCode::kParse, "request body is not valid JSON");
  if (!j.is_object())
    return Error(ErrorCode::kInvalidArgument, "request body must be a JSON object");
  return j;
}

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Error bad_field(const std::string& path, std::string_view why) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("'{}': {}", path, why)).with_field(path);
}

std::string join_path(const std::string& base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return base + "." + std::string(key);
}

std::string index_path(const std::string& base, size_t i) {
  return fmt::format("{}[{}]", base, i);
}

const Json* find(const Json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> opt_string(const Json& obj, std::string_view key,
                                              const std::string& base) {
  const Json* v = find(obj, key);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return bad_field(join_path(base, key), "must be a string");
  return std::optional<std::string>(v->get_ref<const std::string&>());
}

Result<std::optional<int64_t>> opt_int(const Json& obj, std::string_view key,
                                       const std::string& base) {
  const Json* v = find(obj, key);
  if (!v) return std::optional<int64_t>();
  if (v->is_number_integer()) return std::optional<int64_t>(v->get<int64_t>());
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)))
      return std::optional<int64_t>(static_cast<int64_t>(d));
  }
  return bad_field(join_path(base, key), "must be an integer");
}

Result<std::optional<double>> opt_number(const Json& obj, std::string_view key,
                                         const std::string& base) {
  const Json* v = find(obj, key);
  if (!v) return std::optional<double>();
  if (!v->is_number()) return bad_field(join_path(base, key), "must be a number");
  return std::optional<double>(v->get<double>());
}

Result<std::optional<bool>> opt_bool(const Json& obj, std::string_view key,
                                     const std::string& base) {
  const Json* v = find(obj, key);
  if (!v) return std::optional<bool>();
  if (!v->is_boolean()) return bad_field(join_path(base, key), "must be a boolean");
  return std::optional<bool>(v->get<bool>());
}

Result<std::string> req_string(const Json& obj, std::string_view key, const std::string& base) {
  FULCRUM_TRY(auto v, opt_string(obj, key, base));
  if (!v) return bad_field(join_path(base, key), "is required");
  return std::move(*v);
}

Result<std::optional<double>> opt_range(const Json& obj, std::string_view key, double lo, double hi,
                                        const std::string& base) {
  FULCRUM_TRY(auto v, opt_number(obj, key, base));
  if (v && (*v < lo || *v > hi))
    return bad_field(join_path(base, key), fmt::format("must be between {} and {}", lo, hi));
  return v;
}

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string make_id(std::string_view prefix) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return fmt::format("{}{:016x}{:08x}", prefix, rng(), static_cast<uint32_t>(rng()));
}

Json arguments_object(std::string_view text) {
  if (text.empty()) return Json::object();
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Json::object();
  return j;
}

}  // namespace fulcrum::api::detail
