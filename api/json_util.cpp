#include "api/json_util.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace fulcrum::api::detail {
namespace {

// A parser keeps buffers sized for the largest document it parsed; one that grew past this is
// dropped after use rather than kept for the thread's lifetime.
constexpr size_t kKeepCapacity = size_t{4} << 20;

struct ParserPool {
  std::vector<std::unique_ptr<simdjson::dom::parser>> free;
};

ParserPool& pool() {
  thread_local ParserPool p;
  return p;
}

}  // namespace

ParserLease::ParserLease() {
  auto& p = pool();
  if (p.free.empty()) {
    parser_ = new simdjson::dom::parser();
  } else {
    parser_ = p.free.back().release();
    p.free.pop_back();
  }
}

ParserLease::~ParserLease() {
  std::unique_ptr<simdjson::dom::parser> owned(parser_);
  if (owned->capacity() > kKeepCapacity) return;
  pool().free.push_back(std::move(owned));
}

Result<JsonValue> parse_value(ParserLease& lease, std::string_view body) {
  JsonValue v;
  // realloc_if_needed: the parser copies the text into its own padded buffer (reused).
  if (lease.parser().parse(body.data(), body.size(), true).get(v) != simdjson::SUCCESS)
    return Error(ErrorCode::kParse, "request body is not valid JSON");
  return v;
}

Result<JsonObject> parse_object(ParserLease& lease, std::string_view body) {
  FULCRUM_TRY(JsonValue v, parse_value(lease, body));
  JsonObject o;
  if (v.get(o) != simdjson::SUCCESS)
    return Error(ErrorCode::kInvalidArgument, "request body must be a JSON object");
  return o;
}

void Path::render(std::string* out) const {
  if (parent_) parent_->render(out);
  if (is_index_) {
    fmt::format_to(std::back_inserter(*out), "[{}]", index_);
    return;
  }
  if (key_.empty()) return;
  if (!out->empty()) out->push_back('.');
  out->append(key_);
}

std::string Path::str() const {
  std::string out;
  render(&out);
  return out;
}

Error bad_field(const Path& path, std::string_view why) {
  std::string p = path.str();
  return Error(ErrorCode::kInvalidArgument, fmt::format("'{}': {}", p, why)).with_field(p);
}

std::optional<JsonValue> find(JsonObject obj, std::string_view key) {
  // The first field with this key, as at_key finds it; most lookups are for optional fields that
  // are absent, so keys are told apart by length and first byte before any memcmp.
  const size_t n = key.size();
  for (auto field : obj) {
    std::string_view k = field.key;
    if (k.size() != n || (n != 0 && (k[0] != key[0] || std::memcmp(k.data(), key.data(), n) != 0)))
      continue;
    if (field.value.is_null()) return std::nullopt;
    return field.value;
  }
  return std::nullopt;
}

namespace {

// The value as an int64 when it is an integer (an integral double counts), else nullopt.
std::optional<int64_t> as_int(JsonValue v) {
  int64_t i;
  if (v.get_int64().get(i) == simdjson::SUCCESS) return i;
  double d;
  if (v.is_double() && v.get_double().get(d) == simdjson::SUCCESS && d >= -9.2e18 && d <= 9.2e18 &&
      d == static_cast<double>(static_cast<int64_t>(d)))
    return static_cast<int64_t>(d);
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> find_int(JsonObject obj, std::string_view key) {
  auto v = find(obj, key);
  if (!v || !(v->is_int64() || v->is_uint64())) return std::nullopt;
  int64_t i;
  if (v->get_int64().get(i) != simdjson::SUCCESS) return std::nullopt;
  return i;
}

Result<std::optional<std::string_view>> opt_string(JsonObject obj, std::string_view key,
                                                   const Path& base) {
  auto v = find(obj, key);
  if (!v) return std::optional<std::string_view>();
  std::string_view s;
  if (v->get_string().get(s) != simdjson::SUCCESS)
    return bad_field(base.key(key), "must be a string");
  return std::optional<std::string_view>(s);
}

Result<std::optional<int64_t>> opt_int(JsonObject obj, std::string_view key, const Path& base) {
  auto v = find(obj, key);
  if (!v) return std::optional<int64_t>();
  if (auto i = as_int(*v)) return std::optional<int64_t>(*i);
  return bad_field(base.key(key), "must be an integer");
}

Result<std::optional<double>> opt_number(JsonObject obj, std::string_view key, const Path& base) {
  auto v = find(obj, key);
  if (!v) return std::optional<double>();
  if (!v->is_number()) return bad_field(base.key(key), "must be a number");
  int64_t i;
  uint64_t u;
  double d = 0;
  if (v->get_int64().get(i) == simdjson::SUCCESS) {
    d = static_cast<double>(i);
  } else if (v->get_uint64().get(u) == simdjson::SUCCESS) {
    d = static_cast<double>(u);
  } else if (v->get_double().get(d) != simdjson::SUCCESS) {
    return bad_field(base.key(key), "must be a number");
  }
  return std::optional<double>(d);
}

Result<std::optional<bool>> opt_bool(JsonObject obj, std::string_view key, const Path& base) {
  auto v = find(obj, key);
  if (!v) return std::optional<bool>();
  bool b;
  if (v->get_bool().get(b) != simdjson::SUCCESS)
    return bad_field(base.key(key), "must be a boolean");
  return std::optional<bool>(b);
}

Result<std::string> req_string(JsonObject obj, std::string_view key, const Path& base) {
  FULCRUM_TRY(auto v, opt_string(obj, key, base));
  if (!v) return bad_field(base.key(key), "is required");
  return std::string(*v);
}

Result<std::string_view> req_view(JsonObject obj, std::string_view key, const Path& base) {
  FULCRUM_TRY(auto v, opt_string(obj, key, base));
  if (!v) return bad_field(base.key(key), "is required");
  return *v;
}

Result<std::optional<double>> opt_range(JsonObject obj, std::string_view key, double lo, double hi,
                                        const Path& base) {
  FULCRUM_TRY(auto v, opt_number(obj, key, base));
  if (v && (*v < lo || *v > hi))
    return bad_field(base.key(key), fmt::format("must be between {} and {}", lo, hi));
  return v;
}

std::string minify(JsonValue v) {
  return simdjson::to_string(v);
}

void write_object_text(JsonWriter& w, std::string_view text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  size_t e = text.find_last_not_of(" \t\r\n");
  if (b != std::string_view::npos && text[b] == '{' && text[e] == '}') {
    ParserLease lease;
    JsonValue v;
    if (lease.parser().parse(text.data(), text.size(), true).get(v) == simdjson::SUCCESS &&
        v.is_object()) {
      w.raw(text.substr(b, e + 1 - b));
      return;
    }
  }
  w.begin_object().end_object();
}

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string make_id(std::string_view prefix) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  uint64_t a = rng();
  uint32_t b = static_cast<uint32_t>(rng());
  for (int i = 15; i >= 0; --i) out.push_back(kHex[(a >> (i * 4)) & 15]);
  for (int i = 7; i >= 0; --i) out.push_back(kHex[(b >> (i * 4)) & 15]);
  return out;
}

}  // namespace fulcrum::api::detail
