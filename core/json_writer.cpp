#include "core/json_writer.h"

#include <charconv>
#include <cmath>

#include "core/assert.h"
#include "core/json_escape.h"

namespace fulcrum {

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) {
    FULCRUM_ASSERT(!wrote_root_, "JsonWriter: a second top-level value");
    wrote_root_ = true;
    return;
  }
  FULCRUM_ASSERT(!is_object_[depth_ - 1], "JsonWriter: a value in an object needs a key");
  if (!first_[depth_ - 1]) out_->push_back(',');
  first_[depth_ - 1] = false;
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

JsonWriter& JsonWriter::key(std::string_view k) {
  FULCRUM_ASSERT(depth_ > 0 && is_object_[depth_ - 1] && !after_key_,
                 "JsonWriter: a key outside an object");
  if (!first_[depth_ - 1]) out_->push_back(',');
  first_[depth_ - 1] = false;
  out_->push_back('"');
  json_escape_append(k, out_);
  out_->append("\":", 2);
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  before_value();
  out_->push_back('"');
  json_escape_append(s, out_);
  out_->push_back('"');
  return *this;
}

JsonWriter& JsonWriter::int_value(int64_t v) {
  before_value();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::uint_value(uint64_t v) {
  before_value();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, r.ptr);
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
