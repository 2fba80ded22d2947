// GgufWriter: builds a valid GGUF v3 file — metadata of every value type (strings, arrays of
// strings, nested arrays), tensor infos and `general.alignment`-aligned tensor data — and streams
// it to disk. Tensor bytes come either from a pointer the caller keeps alive until write() or
// from a producer callback that streams them in chunks, so a large model never sits in memory
// twice (quantize reads the source mapping and writes row by row).
//
//   GgufWriter w;
//   w.set_string("general.architecture", "llama");
//   w.set_u32("llama.context_length", 4096);
//   w.set_array_strings("tokenizer.ggml.tokens", tokens);
//   FULCRUM_TRY_STATUS(w.add_tensor("token_embd.weight", GgmlType::kF32, {n_embd, n_vocab}, p));
//   FULCRUM_TRY_STATUS(w.add_tensor("blk.0.attn_q.weight", GgmlType::kQ4_K, {n_embd, n_embd},
//       [&](TensorSink& out) -> Status { /* out.write(row bytes) ... */ return {}; }));
//   FULCRUM_TRY_STATUS(w.write(path));
//
// Setting a key that exists replaces its value in place (metadata order is kept), so a caller
// can copy every key of a source file (set_value) and then override a few. The writer checks
// what it is given (UTF-8 keys and names, unique tensor names, 1..4 non-zero dims, whole
// blocks), so it only ever writes files the reader accepts. Deliberately malformed files for
// tests are built with GgufByteBuilder (gguf/gguf_byte_builder.h) from to_bytes() + layout().
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_value.h"
#include "kernels/ggml_type.h"

namespace fulcrum::gguf {

// Where a producer callback writes a tensor's bytes; it must write exactly the tensor's byte
// size in total (any chunking), else write() fails with kInvalidArgument.
class TensorSink {
 public:
  virtual ~TensorSink() = default;
  virtual Status write(const void* data, size_t n) = 0;
  Status write(std::span<const uint8_t> bytes) { return write(bytes.data(), bytes.size()); }
};

using TensorProducer = std::function<Status(TensorSink& out)>;

// A metadata value to be written: built from C++ values (scalars, strings, arrays, nested
// arrays) or copied from a reader Value. Holds its own encoded bytes.
class WriteValue {
 public:
  static WriteValue u8(uint8_t v);
  static WriteValue i8(int8_t v);
  static WriteValue u16(uint16_t v);
  static WriteValue i16(int16_t v);
  static WriteValue u32(uint32_t v);
  static WriteValue i32(int32_t v);
  static WriteValue u64(uint64_t v);
  static WriteValue i64(int64_t v);
  static WriteValue f32(float v);
  static WriteValue f64(double v);
  static WriteValue boolean(bool v);
  static WriteValue string(std::string_view v);
  // Arrays of fixed-size elements: `elem` says the element type; values are converted (and
  // checked to fit: an out-of-range value is a kOverflow error at set time).
  static Result<WriteValue> int_array(ValueType elem, std::span<const int64_t> values);
  static Result<WriteValue> float_array(ValueType elem, std::span<const double> values);
  // An array of fixed-size elements from raw little-endian bytes (n elements of `elem`, which
  // must not be string or array; bool bytes must be 0 or 1 for the reader to accept them).
  static WriteValue fixed_array(ValueType elem, const void* data, uint64_t n);
  static WriteValue string_array(std::span<const std::string> values);
  static WriteValue string_array(std::span<const std::string_view> values);
  // An array of arrays (nested). Every element must itself be an array.
  static Result<WriteValue> array_of_arrays(std::span<const WriteValue> elems);
  // A deep copy of a value read from a GgufFile.
  static WriteValue from(const Value& v);

  ValueType type() const { return type_; }
  // Encoded payload (without the leading u32 type): what follows the type in the file.
  const std::string& payload() const { return payload_; }
  // False when a string anywhere in the value is not valid UTF-8 (write() then fails).
  bool utf8_ok() const { return utf8_ok_; }

 private:
  ValueType type_ = ValueType::kUint8;
  std::string payload_;
  bool utf8_ok_ = true;
};

// File offsets of every structural boundary of a written file, for truncation tests and for
// tests that patch a particular field.
struct GgufLayout {
  uint64_t header_end = 0;                 // after magic, version, n_tensors, n_kv (24)
  std::vector<uint64_t> kv_offsets;        // start of each key-value
  std::vector<uint64_t> kv_value_offsets;  // start of each value's u32 type
  std::vector<uint64_t> tensor_info_offsets;
  uint64_t tensor_infos_end = 0;
  uint64_t data_offset = 0;                   // aligned start of the tensor data section
  std::vector<uint64_t> tensor_data_offsets;  // absolute file offset of each tensor's data
  uint64_t file_size = 0;
  // Every boundary above, sorted and unique (0 and file_size included).
  std::vector<uint64_t> boundaries() const;
};

class GgufWriter {
 public:
  GgufWriter() = default;

  // Scalars and strings. A key that exists is replaced in place. Keys must be non-empty UTF-8;
  // a bad key is reported by write() (kBadUtf8 / kInvalidArgument) so calls can be chained.
  void set_u8(std::string_view key, uint8_t v) { set_value(key, WriteValue::u8(v)); }
  void set_i8(std::string_view key, int8_t v) { set_value(key, WriteValue::i8(v)); }
  void set_u16(std::string_view key, uint16_t v) { set_value(key, WriteValue::u16(v)); }
  void set_i16(std::string_view key, int16_t v) { set_value(key, WriteValue::i16(v)); }
  void set_u32(std::string_view key, uint32_t v) { set_value(key, WriteValue::u32(v)); }
  void set_i32(std::string_view key, int32_t v) { set_value(key, WriteValue::i32(v)); }
  void set_u64(std::string_view key, uint64_t v) { set_value(key, WriteValue::u64(v)); }
  void set_i64(std::string_view key, int64_t v) { set_value(key, WriteValue::i64(v)); }
  void set_f32(std::string_view key, float v) { set_value(key, WriteValue::f32(v)); }
  void set_f64(std::string_view key, double v) { set_value(key, WriteValue::f64(v)); }
  void set_bool(std::string_view key, bool v) { set_value(key, WriteValue::boolean(v)); }
  void set_string(std::string_view key, std::string_view v) {
    set_value(key, WriteValue::string(v));
  }
  // Arrays.
  void set_array_strings(std::string_view key, std::span<const std::string> v) {
    set_value(key, WriteValue::string_array(v));
  }
  void set_array_strings(std::string_view key, std::span<const std::string_view> v) {
    set_value(key, WriteValue::string_array(v));
  }
  Status set_array_ints(std::string_view key, ValueType elem, std::span<const int64_t> v);
  Status set_array_floats(std::string_view key, ValueType elem, std::span<const double> v);
  void set_array_i32(std::string_view key, std::span<const int32_t> v);
  void set_array_u32(std::string_view key, std::span<const uint32_t> v);
  void set_array_f32(std::string_view key, std::span<const float> v);
  // Any value, including arrays of arrays (WriteValue::array_of_arrays).
  void set_value(std::string_view key, WriteValue v);
  // Copies every key-value of a read file (tensors are not copied).
  void copy_metadata(const GgufFile& src);
  bool remove(std::string_view key);
  bool has(std::string_view key) const;

  // Alignment of tensor data (a power of two; default 32). Written as `general.alignment`
  // (uint32) when it differs from the default or when the key was set explicitly.
  Status set_alignment(uint32_t alignment);
  uint32_t alignment() const { return alignment_; }

  // Tensors, written in the order added. ne[0] varies fastest (row length); 1..4 dims, none 0,
  // ne[0] a multiple of the type's block size. `data` must stay valid until write() returns
  // and hold the tensor's byte size (kernels::ggml_row_size(type, n_elements)).
  Status add_tensor(std::string_view name, kernels::GgmlType type, std::span<const uint64_t> ne,
                    const void* data);
  Status add_tensor(std::string_view name, kernels::GgmlType type,
                    std::initializer_list<uint64_t> ne, const void* data) {
    return add_tensor(name, type, std::span<const uint64_t>(ne.begin(), ne.size()), data);
  }
  Status add_tensor(std::string_view name, kernels::GgmlType type, std::span<const uint64_t> ne,
                    TensorProducer produce);
  Status add_tensor(std::string_view name, kernels::GgmlType type,
                    std::initializer_list<uint64_t> ne, TensorProducer produce) {
    return add_tensor(name, type, std::span<const uint64_t>(ne.begin(), ne.size()),
                      std::move(produce));
  }
  size_t n_tensors() const { return tensors_.size(); }
  size_t n_kv() const { return kvs_.size(); }

  // Streams the file to `path` (written to path + ".tmp" and renamed on success, so a failed
  // write never leaves a half file under the real name).
  Status write(const std::string& path) const;
  // The whole file in memory (tests, small files).
  Result<std::string> to_bytes() const;
  // Where everything lands; computed without producing tensor data.
  Result<GgufLayout> layout() const;

 private:
  struct Kv {
    std::string key;
    WriteValue value;
  };
  struct Tensor {
    std::string name;
    kernels::GgmlType type;
    std::vector<uint64_t> ne;
    uint64_t n_bytes;
    const void* data;
    TensorProducer produce;
  };
  Status check_tensor(std::string_view name, kernels::GgmlType type, std::span<const uint64_t> ne,
                      uint64_t* n_bytes) const;
  Result<std::string> encode_head(GgufLayout* layout) const;
  Status stream(TensorSink& out) const;

  std::vector<Kv> kvs_;
  std::vector<Tensor> tensors_;
  uint32_t alignment_ = static_cast<uint32_t>(kDefaultAlignment);
};

}  // namespace fulcrum::gguf
