// A GGUF metadata value: a scalar, a string, or an array (of scalars, strings or arrays).
// Strings and array payloads point into the mapped file; a Value never outlives its GgufFile.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace fulcrum::gguf {

enum class ValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

std::string_view value_type_name(ValueType t);
// Bytes of one element of a fixed-size type (0 for string and array).
size_t value_type_size(ValueType t);
bool value_type_valid(uint32_t raw);

class Value {
 public:
  Value() = default;
  static Value scalar(ValueType t, const uint8_t* p);  // p: little-endian bytes of the scalar
  static Value string(std::string_view s);
  static Value array(ValueType elem, uint64_t n, const uint8_t* data,
                     std::vector<std::string_view> strings, std::vector<Value> elems);

  ValueType type() const { return type_; }
  bool is_array() const { return type_ == ValueType::kArray; }
  bool is_string() const { return type_ == ValueType::kString; }
  bool is_integer() const;
  bool is_float() const { return type_ == ValueType::kFloat32 || type_ == ValueType::kFloat64; }

  // Scalar access; nullopt when the type does not fit (an integer out of range included).
  std::optional<uint64_t> as_uint() const;
  std::optional<int64_t> as_int() const;
  std::optional<double> as_float() const;  // float32, float64 (integers are not converted)
  std::optional<bool> as_bool() const;
  std::optional<std::string_view> as_string() const;

  // Arrays.
  ValueType elem_type() const { return elem_; }
  uint64_t size() const { return n_; }
  // For arrays of strings.
  std::span<const std::string_view> strings() const { return strings_; }
  // For arrays of arrays.
  std::span<const Value> elements() const { return elems_; }
  // Raw little-endian element bytes for arrays of fixed-size types; for a scalar, its bytes
  // (value_type_size(type()) of them); nullptr for strings and arrays of strings or arrays.
  const uint8_t* raw_data() const { return data_; }
  // Element i of a fixed-size-type array, converted; nullopt when out of range or wrong kind.
  std::optional<int64_t> int_at(uint64_t i) const;
  std::optional<double> float_at(uint64_t i) const;  // float and integer elements

 private:
  ValueType type_ = ValueType::kUint8;
  ValueType elem_ = ValueType::kUint8;
  uint64_t n_ = 0;
  union {
    uint64_t u;
    int64_t i;
    double f;
  } num_{};
  std::string_view str_;
  const uint8_t* data_ = nullptr;
  std::vector<std::string_view> strings_;
  std::vector<Value> elems_;
};

}  // namespace fulcrum::gguf
