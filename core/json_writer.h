// JsonWriter: writes compact JSON straight into a string, without building a DOM. Used on the
// request path (upstream request bodies, client responses, SSE chunks, the request log), where
// a DOM would be built only to be dumped. Commas are placed by the writer; strings are escaped
// with json_escape_append (invalid UTF-8 becomes U+FFFD, so the output is always valid JSON).
//
//   std::string out;
//   JsonWriter w(&out);
//   w.begin_object().key("id").value(id).key("n").value(3).end_object();
//
// Misuse (a key outside an object, unbalanced ends, nesting deeper than kMaxDepth) is a bug
// and trips an assert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace fulcrum {

// An object key written in the source as a string literal: checked while compiling to need no
// escaping (printable ASCII other than quote and backslash), so the writer copies it as it is.
// A literal that would need escaping does not compile.
class LiteralKey {
 public:
  template <size_t N>
  consteval LiteralKey(const char (&s)[N]) : text_(s, N - 1) {  // NOLINT: implicit by design
    for (char c : text_)
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
        throw "JsonWriter: a literal key that needs escaping (pass a std::string_view instead)";
  }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

// Any key that is not a literal: std::string, std::string_view, const char*.
template <typename S>
concept KeyText = std::is_convertible_v<const S&, std::string_view> && !std::is_array_v<S>;

class JsonWriter {
 public:
  static constexpr int kMaxDepth = 64;

  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(LiteralKey k);
  template <KeyText S>
  JsonWriter& key(const S& k) {
    return key_text(std::string_view(k));
  }

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  // Any integer type (bool excluded: it has its own overload).
  template <typename I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool> &&
           !std::is_same_v<I, char>) JsonWriter& value(I v) {
    if constexpr (std::is_signed_v<I>) {
      return int_value(static_cast<int64_t>(v));
    } else {
      return uint_value(static_cast<uint64_t>(v));
    }
  }
  // Shortest text that reads back to the same double; integral values keep a ".0" so the
  // type stays visible. NaN and infinities (not JSON) are written as null.
  JsonWriter& value(double v);
  // v rounded to 3 decimals (half away from zero): the same text as
  // value(std::round(v * 1000) / 1000), written with integer arithmetic for the usual magnitudes
  // (latencies in ms on the request log) instead of a shortest-round-trip search.
  JsonWriter& rounded3(double v);
  JsonWriter& value(bool v);
  JsonWriter& null();
  // A value that is already JSON text (compact or not): copied as is. The caller vouches for it.
  JsonWriter& raw(std::string_view json);

  // key(k).value(v) in one call.
  template <typename T>
  JsonWriter& field(LiteralKey k, const T& v) {
    key(k);
    return value(v);
  }
  template <KeyText S, typename T>
  JsonWriter& field(const S& k, const T& v) {
    key_text(std::string_view(k));
    return value(v);
  }
  JsonWriter& null_field(LiteralKey k) {
    key(k);
    return null();
  }
  template <KeyText S>
  JsonWriter& null_field(const S& k) {
    key_text(std::string_view(k));
    return null();
  }

  // True when every begin_* has its end_*.
  bool complete() const { return depth_ == 0 && wrote_root_; }

 private:
  // Keys and plain values up to this long are written with one append from the stack.
  static constexpr size_t kShortText = 128;

  JsonWriter& key_text(std::string_view k);
  bool begin_key();    // the bookkeeping of a key; true when a comma goes first
  bool value_comma();  // the bookkeeping of a value; true when a comma goes first
  // [,]"text"[:] in one append; text is at most kShortText bytes and needs no escaping.
  void append_plain(bool comma, std::string_view text, bool colon);
  JsonWriter& int_value(int64_t v);
  JsonWriter& uint_value(uint64_t v);
  void before_value();
  void push(char open);
  void pop(char close);

  std::string* out_;
  int depth_ = 0;
  bool wrote_root_ = false;
  bool after_key_ = false;
  bool first_[kMaxDepth] = {};
  bool is_object_[kMaxDepth] = {};
};

}  // namespace fulcrum
