// Reading wire JSON on the request path with simdjson (DOM), without exceptions: a per-thread
// parser pool, typed field access that reports the JSON path of a bad field, and the path
// itself, built only when an error needs it. Internal to api/ (and providers' adapters).
//
//   ParserLease lease;                      // a parser of this thread's pool, for this scope
//   FULCRUM_TRY(JsonObject body, parse_object(lease, text));
//   FULCRUM_TRY(auto model, req_string(body, "model", Path()));
//
// Elements stay valid while their lease lives (and the lease parses nothing else); nested
// leases on one thread get different parsers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/json_writer.h"
#include "core/result.h"

namespace fulcrum::api::detail {

using JsonValue = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;

class ParserLease {
 public:
  ParserLease();
  ~ParserLease();
  ParserLease(const ParserLease&) = delete;
  ParserLease& operator=(const ParserLease&) = delete;
  simdjson::dom::parser& parser() { return *parser_; }

 private:
  simdjson::dom::parser* parser_;
};

// Parses `body`; malformed JSON (invalid UTF-8 included) is kParse.
Result<JsonValue> parse_value(ParserLease& lease, std::string_view body);
// Same, and a non-object top level is kInvalidArgument.
Result<JsonObject> parse_object(ParserLease& lease, std::string_view body);

// A JSON path ("messages[2].content"), linked through the caller's stack: each level points at
// its parent, so a path costs nothing until an error renders it with str(). A child must not
// outlive its parent (do not store `a.key("b").key("c")` in a variable: the middle one is a
// temporary).
class Path {
 public:
  Path() = default;
  explicit Path(std::string_view root) : key_(root) {}
  Path key(std::string_view k) const { return Path(this, k); }
  Path index(size_t i) const { return Path(this, i); }
  std::string str() const;

 private:
  Path(const Path* parent, std::string_view k) : parent_(parent), key_(k) {}
  Path(const Path* parent, size_t i) : parent_(parent), index_(i), is_index_(true) {}
  void render(std::string* out) const;

  const Path* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = 0;
  bool is_index_ = false;
};

// kInvalidArgument "'PATH': why" with field() = PATH.
Error bad_field(const Path& path, std::string_view why);

// The field's value; absent or null -> nullopt.
std::optional<JsonValue> find(JsonObject obj, std::string_view key);
inline std::optional<JsonObject> find_object(JsonObject obj, std::string_view key) {
  auto v = find(obj, key);
  JsonObject o;
  if (!v || v->get(o) != simdjson::SUCCESS) return std::nullopt;
  return o;
}
inline std::optional<std::string_view> find_string(JsonObject obj, std::string_view key) {
  auto v = find(obj, key);
  std::string_view s;
  if (!v || v->get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return s;
}
inline std::optional<bool> find_bool(JsonObject obj, std::string_view key) {
  auto v = find(obj, key);
  bool b;
  if (!v || v->get_bool().get(b) != simdjson::SUCCESS) return std::nullopt;
  return b;
}
// An integer field (int64 range), else nullopt.
std::optional<int64_t> find_int(JsonObject obj, std::string_view key);

// Field getters: absent or null -> nullopt; wrong type -> kInvalidArgument naming the path.
Result<std::optional<std::string_view>> opt_string(JsonObject obj, std::string_view key,
                                                   const Path& base);
Result<std::optional<int64_t>> opt_int(JsonObject obj, std::string_view key, const Path& base);
Result<std::optional<double>> opt_number(JsonObject obj, std::string_view key, const Path& base);
Result<std::optional<bool>> opt_bool(JsonObject obj, std::string_view key, const Path& base);
Result<std::string> req_string(JsonObject obj, std::string_view key, const Path& base);
Result<std::string_view> req_view(JsonObject obj, std::string_view key, const Path& base);
// A number field that must lie in [lo, hi].
Result<std::optional<double>> opt_range(JsonObject obj, std::string_view key, double lo, double hi,
                                        const Path& base);

// Compact JSON text of a value (for JSON that Fulcrum only passes through: schemas, tool input).
std::string minify(JsonValue v);
// Writes JSON text that should hold an object (tool arguments, schemas) as an object value:
// the text itself when it parses as an object, else {}.
void write_object_text(JsonWriter& w, std::string_view text);

// Unix seconds now.
int64_t unix_now();
// "prefix" + 24 random hex characters.
std::string make_id(std::string_view prefix);

}  // namespace fulcrum::api::detail
