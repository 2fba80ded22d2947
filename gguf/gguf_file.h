// GgufFile: a memory-mapped GGUF v2/v3 file, validated strictly on open.
//
// Layout (little-endian): magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv |
//   n_kv × (string key, u32 value type, value) | n_tensors × (string name, u32 n_dims,
//   n_dims × u64 ne, u32 ggml type, u64 offset) | padding to `general.alignment` | tensor data.
// Strings are u64 length + UTF-8 bytes (no terminator). Arrays are u32 element type + u64 count
// + elements.
//
// Every failure is an Error naming the file, the byte offset and the field. Nothing in a file
// can make the reader crash, loop, or allocate more than a small multiple of the file's size.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_value.h"
#include "kernels/ggml_type.h"

namespace fulcrum::gguf {

inline constexpr uint64_t kDefaultAlignment = 32;
inline constexpr uint32_t kMaxDims = 4;

struct TensorInfo {
  std::string_view name;
  kernels::GgmlType type;
  uint32_t n_dims;
  std::array<uint64_t, kMaxDims> ne;  // ne[0] varies fastest (row length); unused dims are 1
  uint64_t n_elements;
  uint64_t offset;  // relative to the start of the data section
  uint64_t n_bytes;
  const uint8_t* data;   // into the mapping
  uint64_t info_offset;  // file offset of this tensor's info record, for messages
};

struct KeyValue {
  std::string_view key;
  Value value;
  uint64_t offset;  // file offset of the key, for messages
};

class GgufFile {
 public:
  // Maps and validates a file.
  static Result<GgufFile> open(const std::string& path);
  // Validates bytes already in memory (tests, fuzzing). The bytes are copied.
  static Result<GgufFile> from_bytes(std::string_view bytes, std::string name = "<memory>");

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  uint64_t file_size() const { return size_; }
  const uint8_t* bytes() const { return base_; }

  const std::vector<KeyValue>& metadata() const { return kvs_; }
  const Value* find(std::string_view key) const;

  // Typed metadata access. The optional forms return nullopt when the key is absent and a
  // kTypeMismatch error naming the key when it holds another type.
  Result<std::optional<std::string_view>> get_string(std::string_view key) const;
  Result<std::optional<uint64_t>> get_uint(std::string_view key) const;
  Result<std::optional<int64_t>> get_int(std::string_view key) const;
  Result<std::optional<double>> get_float(std::string_view key) const;  // float or integer
  Result<std::optional<bool>> get_bool(std::string_view key) const;
  // Required forms: a missing key is a kNotFound error naming it.
  Result<std::string_view> require_string(std::string_view key) const;
  Result<uint64_t> require_uint(std::string_view key) const;
  Result<double> require_float(std::string_view key) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(std::string_view name) const;

  // An error about this file (file name set).
  Error error(ErrorCode code, std::string message) const {
    return Error(code, std::move(message)).with_file(path_);
  }

  GgufFile(GgufFile&&) noexcept = default;
  GgufFile& operator=(GgufFile&&) noexcept = default;
  ~GgufFile() = default;

 private:
  GgufFile() = default;
  class Parser;
  // A kTypeMismatch error naming the key and its offset.
  Error mismatch(std::string_view key, std::string_view want, const Value& v) const;
  static Result<GgufFile> parse(std::shared_ptr<void> owner, const uint8_t* base, uint64_t size,
                                std::string path);

  std::shared_ptr<void> owner_;  // keeps the mapping (or buffer) alive
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  std::string path_;
  uint32_t version_ = 0;
  uint64_t alignment_ = kDefaultAlignment;
  uint64_t data_offset_ = 0;
  std::vector<KeyValue> kvs_;
  std::unordered_map<std::string_view, size_t> kv_index_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> tensor_index_;
};

}  // namespace fulcrum::gguf
