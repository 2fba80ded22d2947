#include "core/json_writer.h"

#include <charconv>
#include <cmath>

#include "core/assert.h"
#include "core/json_escape.h"

namespace fulcrum {

bool JsonWriter::value_comma() {
  if (after_key_) {
    after_key_ = false;
    return false;
  }
  if (depth_ == 0) {
    FULCRUM_ASSERT(!wrote_root_, "JsonWriter: a second top-level value");
    wrote_root_ = true;
    return false;
  }
  FULCRUM_ASSERT(!is_object_[depth_ - 1], "JsonWriter: a value in an object needs a key");
  bool comma = !first_[depth_ - 1];
  first_[depth_ - 1] = false;
  return comma;
}

void JsonWriter::before_value() {
  if (value_comma()) out_->push_back(',');
}

void JsonWriter::push(char open) {
  FULCRUM_ASSERT(depth_ < kMaxDepth, "JsonWriter: nested too deeply");
  out_->push_back(open);
  first_[depth_] = true;
  is_object_[depth_] = open == '{';
  ++depth_;
}

void JsonWriter::pop(char close) {
  FULCRUM_ASSERT(depth_ > 0 && !after_key_, "JsonWriter: unbalanced end");
  FULCRUM_ASSERT(is_object_[depth_ - 1] == (close == '}'), "JsonWriter: mismatched end");
  --depth_;
  out_->push_back(close);
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  push('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  pop('}');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  push('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  pop(']');
  return *this;
}

bool JsonWriter::begin_key() {
  FULCRUM_ASSERT(depth_ > 0 && is_object_[depth_ - 1] && !after_key_,
                 "JsonWriter: a key outside an object");
  bool comma = !first_[depth_ - 1];
  first_[depth_ - 1] = false;
  after_key_ = true;
  return comma;
}

JsonWriter& JsonWriter::key(LiteralKey k) {
  // Checked when compiled: the punctuation and the text go in with one append.
  bool comma = begin_key();
  std::string_view t = k.text();
  if (t.size() > kShortText) {
    if (comma) out_->push_back(',');
    out_->push_back('"');
    out_->append(t);
    out_->append("\":", 2);
    return *this;
  }
  append_plain(comma, t, true);
  return *this;
}

void JsonWriter::append_plain(bool comma, std::string_view text, bool colon) {
  char buf[kShortText + 4];
  char* p = buf;
  *p = ',';
  p += comma;
  *p++ = '"';
  std::memcpy(p, text.data(), text.size());
  p += text.size();
  *p++ = '"';
  *p = ':';
  p += colon;
  out_->append(buf, static_cast<size_t>(p - buf));
}

JsonWriter& JsonWriter::key_text(std::string_view k) {
  // Keys known only at run time (none on the request path): escaped like values.
  if (begin_key()) out_->push_back(',');
  out_->push_back('"');
  json_escape_append(k, out_);
  out_->append("\":", 2);
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  bool comma = value_comma();
  if (s.size() <= kShortText && json_plain_ascii(s)) {  // ids, names, enums: one append
    append_plain(comma, s, false);
    return *this;
  }
  if (comma) out_->push_back(',');
  out_->push_back('"');
  json_escape_append(s, out_);
  out_->push_back('"');
  return *this;
}

JsonWriter& JsonWriter::int_value(int64_t v) {
  char buf[26];
  char* p = buf;
  *p = ',';
  p += value_comma();
  p = std::to_chars(p, buf + sizeof buf, v).ptr;
  out_->append(buf, static_cast<size_t>(p - buf));
  return *this;
}

JsonWriter& JsonWriter::uint_value(uint64_t v) {
  char buf[26];
  char* p = buf;
  *p = ',';
  p += value_comma();
  p = std::to_chars(p, buf + sizeof buf, v).ptr;
  out_->append(buf, static_cast<size_t>(p - buf));
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  if (!std::isfinite(v)) return null();
  before_value();
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  out_->append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out_->append(".0", 2);
  return *this;
}

JsonWriter& JsonWriter::rounded3(double v) {
  // k / 1000 is the one decimal with at most 3 fraction digits that reads back to
  // round(v * 1000) / 1000 (|k| < 2^53, so k is exact and the division correctly rounded). It is
  // also the shortest text unless it is a whole number of 5+ digits, which value(double) may
  // write in e-form; those, and values too large for the integer path, go through value().
  const double scaled = std::round(v * 1000);
  if (!(std::fabs(scaled) < 1e15) || (scaled == 0 && std::signbit(scaled)))
    return value(scaled / 1000);
  const auto k = static_cast<int64_t>(scaled);
  const uint64_t mag = k < 0 ? static_cast<uint64_t>(-k) : static_cast<uint64_t>(k);
  const uint64_t whole = mag / 1000, frac = mag % 1000;
  if (frac == 0 && whole >= 10000) return value(scaled / 1000);
  before_value();
  char buf[32];
  char* p = buf;
  if (k < 0) *p++ = '-';
  p = std::to_chars(p, buf + sizeof buf, whole).ptr;
  *p++ = '.';
  if (frac == 0) {
    *p++ = '0';
  } else {
    p[0] = static_cast<char>('0' + frac / 100);
    p[1] = static_cast<char>('0' + frac / 10 % 10);
    p[2] = static_cast<char>('0' + frac % 10);
    p += 3;
    while (p[-1] == '0') --p;
  }
  out_->append(buf, static_cast<size_t>(p - buf));
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  before_value();
  if (v) {
    out_->append("true", 4);
  } else {
    out_->append("false", 5);
  }
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_->append("null", 4);
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_->append(json);
  return *this;
}

}  // namespace fulcrum
