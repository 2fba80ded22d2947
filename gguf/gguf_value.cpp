#include "gguf/gguf_value.h"

#include <cstring>
#include <limits>

namespace fulcrum::gguf {
namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // GGUF is little-endian, as is every host we build for
  return v;
}

}  // namespace

std::string_view value_type_name(ValueType t) {
  static constexpr std::string_view kNames[] = {"uint8",  "int8",    "uint16", "int16",  "uint32",
                                                "int32",  "float32", "bool",   "string", "array",
                                                "uint64", "int64",   "float64"};
  auto i = static_cast<uint32_t>(t);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

size_t value_type_size(ValueType t) {
  switch (t) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kBool:
      return 1;
    case ValueType::kUint16:
    case ValueType::kInt16:
      return 2;
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kFloat32:
      return 4;
    case ValueType::kUint64:
    case ValueType::kInt64:
    case ValueType::kFloat64:
      return 8;
    case ValueType::kString:
    case ValueType::kArray:
      return 0;
  }
  return 0;
}

bool value_type_valid(uint32_t raw) {
  return raw <= 12;
}

Value Value::scalar(ValueType t, const uint8_t* p) {
  Value v;
  v.type_ = t;
  v.data_ = p;  // the exact bytes, for copying a value without conversion (NaN payloads)
  switch (t) {
    case ValueType::kUint8:
      v.num_.u = load<uint8_t>(p);
      break;
    case ValueType::kInt8:
      v.num_.i = load<int8_t>(p);
      break;
    case ValueType::kUint16:
      v.num_.u = load<uint16_t>(p);
      break;
    case ValueType::kInt16:
      v.num_.i = load<int16_t>(p);
      break;
    case ValueType::kUint32:
      v.num_.u = load<uint32_t>(p);
      break;
    case ValueType::kInt32:
      v.num_.i = load<int32_t>(p);
      break;
    case ValueType::kUint64:
      v.num_.u = load<uint64_t>(p);
      break;
    case ValueType::kInt64:
      v.num_.i = load<int64_t>(p);
      break;
    case ValueType::kFloat32:
      v.num_.f = load<float>(p);
      break;
    case ValueType::kFloat64:
      v.num_.f = load<double>(p);
      break;
    case ValueType::kBool:
      v.num_.u = load<uint8_t>(p);
      break;
    case ValueType::kString:
    case ValueType::kArray:
      break;
  }
  return v;
}

Value Value::string(std::string_view s) {
  Value v;
  v.type_ = ValueType::kString;
  v.str_ = s;
  return v;
}

Value Value::array(ValueType elem, uint64_t n, const uint8_t* data,
                   std::vector<std::string_view> strings, std::vector<Value> elems) {
  Value v;
  v.type_ = ValueType::kArray;
  v.elem_ = elem;
  v.n_ = n;
  v.data_ = data;
  v.strings_ = std::move(strings);
  v.elems_ = std::move(elems);
  return v;
}

bool Value::is_integer() const {
  switch (type_) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kUint16:
    case ValueType::kInt16:
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kUint64:
    case ValueType::kInt64:
      return true;
    default:
      return false;
  }
}

static bool is_unsigned(ValueType t) {
  return t == ValueType::kUint8 || t == ValueType::kUint16 || t == ValueType::kUint32 ||
         t == ValueType::kUint64;
}

std::optional<uint64_t> Value::as_uint() const {
  if (!is_integer()) return std::nullopt;
  if (is_unsigned(type_)) return num_.u;
  if (num_.i < 0) return std::nullopt;
  return static_cast<uint64_t>(num_.i);
}

std::optional<int64_t> Value::as_int() const {
  if (!is_integer()) return std::nullopt;
  if (!is_unsigned(type_)) return num_.i;
  if (num_.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(num_.u);
}

std::optional<double> Value::as_float() const {
  if (!is_float()) return std::nullopt;
  return num_.f;
}

std::optional<bool> Value::as_bool() const {
  if (type_ != ValueType::kBool) return std::nullopt;
  return num_.u != 0;
}

std::optional<std::string_view> Value::as_string() const {
  if (type_ != ValueType::kString) return std::nullopt;
  return str_;
}

std::optional<int64_t> Value::int_at(uint64_t i) const {
  if (!is_array() || i >= n_ || data_ == nullptr) return std::nullopt;
  const uint8_t* p = data_ + i * value_type_size(elem_);
  switch (elem_) {
    case ValueType::kUint8:
    case ValueType::kBool:
      return load<uint8_t>(p);
    case ValueType::kInt8:
      return load<int8_t>(p);
    case ValueType::kUint16:
      return load<uint16_t>(p);
    case ValueType::kInt16:
      return load<int16_t>(p);
    case ValueType::kUint32:
      return load<uint32_t>(p);
    case ValueType::kInt32:
      return load<int32_t>(p);
    case ValueType::kInt64:
      return load<int64_t>(p);
    case ValueType::kUint64: {
      auto u = load<uint64_t>(p);
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(u);
    }
    default:
      return std::nullopt;
  }
}

std::optional<double> Value::float_at(uint64_t i) const {
  if (!is_array() || i >= n_ || data_ == nullptr) return std::nullopt;
  const uint8_t* p = data_ + i * value_type_size(elem_);
  if (elem_ == ValueType::kFloat32) return load<float>(p);
  if (elem_ == ValueType::kFloat64) return load<double>(p);
  if (auto v = int_at(i)) return static_cast<double>(*v);
  return std::nullopt;
}

}  // namespace fulcrum::gguf
