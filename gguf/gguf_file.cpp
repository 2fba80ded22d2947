#include "gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/utf8.h"

namespace fulcrum::gguf {
namespace {

constexpr uint32_t kMaxArrayDepth = 8;  // nested arrays deeper than this are rejected
constexpr uint64_t kMaxDim = uint64_t{1} << 62;

struct Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr && size) munmap(addr, size);
  }
};

bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}
bool checked_add(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}

// The name of the field being read, built only when an error needs it: the hot path (every
// token of a vocabulary) passes a base name, an element index and a suffix without allocating.
struct Field {
  static constexpr uint64_t kNoIndex = ~uint64_t{0};
  std::string_view base;
  uint64_t index = kNoIndex;
  std::string_view suffix;

  Field(const std::string& s) : base(s) {}  // NOLINT: implicit on purpose
  Field(const char* s) : base(s) {}         // NOLINT: implicit on purpose
  Field(std::string_view b, uint64_t i, std::string_view sfx) : base(b), index(i), suffix(sfx) {}
  Field at(uint64_t i) const { return {base, i, {}}; }
  Field with(std::string_view sfx) const { return {base, index, sfx}; }
  std::string str() const {
    std::string s(base);
    if (index != kNoIndex) s += "[" + std::to_string(index) + "]";
    s += suffix;
    return s;
  }
};

}  // namespace

// A cursor over the file bytes. Every read checks bounds; every error names the offset and the
// field being read.
class GgufFile::Parser {
 public:
  Parser(GgufFile& f) : f_(f) {}

  Status run();

 private:
  Error err(ErrorCode code, uint64_t offset, const Field& field, std::string msg) const {
    return Error(code, std::move(msg))
        .with_file(f_.path_)
        .with_offset(static_cast<int64_t>(offset))
        .with_field(field.str());
  }
  uint64_t remaining() const { return f_.size_ - pos_; }

  template <typename T>
  Result<T> read(const Field& field) {
    if (remaining() < sizeof(T))
      return err(ErrorCode::kTruncated, pos_, field,
                 "file ends inside a " + std::to_string(sizeof(T)) + "-byte field (" +
                     std::to_string(remaining()) + " bytes left)");
    T v;
    std::memcpy(&v, f_.base_ + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }

  Result<std::string_view> read_string(const Field& field);
  Result<Value> read_value(ValueType type, const Field& field, uint32_t depth);
  Result<Value> read_array(const Field& field, uint32_t depth);
  Status read_header();
  Status read_metadata();
  Status read_tensor_infos();
  Status check_tensor_data();
  // Checks that `count` elements of at least `min_size` bytes each can fit in what remains.
  Status check_count(uint64_t count, uint64_t min_size, uint64_t at, const Field& field);

  GgufFile& f_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
};

Status GgufFile::Parser::check_count(uint64_t count, uint64_t min_size, uint64_t at,
                                     const Field& field) {
  uint64_t need;
  if (!checked_mul(count, min_size, &need))
    return err(ErrorCode::kOverflow, at, field, "count " + std::to_string(count) + " overflows");
  if (need > remaining())
    return err(ErrorCode::kTruncated, at, field,
               "count " + std::to_string(count) + " needs at least " + std::to_string(need) +
                   " bytes but only " + std::to_string(remaining()) + " remain");
  return {};
}

Result<std::string_view> GgufFile::Parser::read_string(const Field& field) {
  uint64_t at = pos_;
  FULCRUM_TRY(uint64_t len, read<uint64_t>(field.with(" length")));
  if (len > (uint64_t{1} << 62))
    return err(ErrorCode::kOverflow, at, field,
               "string length " + std::to_string(len) + " overflows");
  if (len > remaining())
    return err(ErrorCode::kTruncated, at, field,
               "string of " + std::to_string(len) + " bytes runs past the end of the file (" +
                   std::to_string(remaining()) + " bytes left)");
  std::string_view s(reinterpret_cast<const char*>(f_.base_ + pos_), len);
  if (size_t bad = utf8::find_invalid(s); bad != std::string_view::npos)
    return err(ErrorCode::kBadUtf8, pos_ + bad, field, "invalid UTF-8 in string");
  pos_ += len;
  return s;
}

Result<Value> GgufFile::Parser::read_value(ValueType type, const Field& field, uint32_t depth) {
  if (type == ValueType::kString) {
    FULCRUM_TRY(auto s, read_string(field));
    return Value::string(s);
  }
  if (type == ValueType::kArray) return read_array(field, depth + 1);
  size_t n = value_type_size(type);
  if (remaining() < n)
    return err(ErrorCode::kTruncated, pos_, field,
               "file ends inside a " + std::string(value_type_name(type)) + " value");
  if (type == ValueType::kBool && f_.base_[pos_] > 1)
    return err(ErrorCode::kTypeMismatch, pos_, field,
               "bool value " + std::to_string(f_.base_[pos_]) + " is neither 0 nor 1");
  Value v = Value::scalar(type, f_.base_ + pos_);
  pos_ += n;
  return v;
}

Result<Value> GgufFile::Parser::read_array(const Field& field, uint32_t depth) {
  if (depth > kMaxArrayDepth)
    return err(ErrorCode::kOverflow, pos_, field,
               "arrays nested deeper than " + std::to_string(kMaxArrayDepth));
  uint64_t at = pos_;
  FULCRUM_TRY(uint32_t raw_type, read<uint32_t>(field.with(" element type")));
  if (!value_type_valid(raw_type))
    return err(ErrorCode::kUnknownType, at, field,
               "unknown array element type " + std::to_string(raw_type));
  auto elem = static_cast<ValueType>(raw_type);
  uint64_t count_at = pos_;
  FULCRUM_TRY(uint64_t n, read<uint64_t>(field.with(" count")));
  // Minimum encoded size of one element: strings are a u64 length, arrays a u32 type + u64 count.
  uint64_t min_size = elem == ValueType::kString  ? 8
                      : elem == ValueType::kArray ? 12
                                                  : value_type_size(elem);
  FULCRUM_TRY_STATUS(check_count(n, min_size, count_at, field.with(" count")));
  if (elem == ValueType::kString) {
    std::vector<std::string_view> strings;
    strings.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      FULCRUM_TRY(auto s, read_string(field.at(i)));
      strings.push_back(s);
    }
    return Value::array(elem, n, nullptr, std::move(strings), {});
  }
  if (elem == ValueType::kArray) {
    std::vector<Value> elems;
    elems.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string elem_field = field.at(i).str();  // nested arrays are rare: name them plainly
      FULCRUM_TRY(auto v, read_array(elem_field, depth + 1));
      elems.push_back(std::move(v));
    }
    return Value::array(elem, n, nullptr, {}, std::move(elems));
  }
  const uint8_t* data = f_.base_ + pos_;
  if (elem == ValueType::kBool) {
    for (uint64_t i = 0; i < n; ++i)
      if (data[i] > 1)
        return err(ErrorCode::kTypeMismatch, pos_ + i, field.at(i),
                   "bool value is neither 0 nor 1");
  }
  pos_ += n * value_type_size(elem);
  return Value::array(elem, n, data, {}, {});
}

Status GgufFile::Parser::read_header() {
  if (f_.size_ < 4 || std::memcmp(f_.base_, "GGUF", 4) != 0)
    return err(f_.size_ < 4 ? ErrorCode::kTruncated : ErrorCode::kBadMagic, 0, "header.magic",
               "not a GGUF file (expected magic \"GGUF\")");
  pos_ = 4;
  FULCRUM_TRY(f_.version_, read<uint32_t>("header.version"));
  if (f_.version_ != 2 && f_.version_ != 3)
    return err(ErrorCode::kBadVersion, 4, "header.version",
               "unsupported GGUF version " + std::to_string(f_.version_) + " (supported: 2, 3)");
  FULCRUM_TRY(n_tensors_, read<uint64_t>("header.n_tensors"));
  FULCRUM_TRY(n_kv_, read<uint64_t>("header.n_kv"));
  // Each key-value takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor info at least
  // 8 (name length) + 4 (n_dims) + 8 (one dim) + 4 (type) + 8 (offset).
  FULCRUM_TRY_STATUS(check_count(n_kv_, 13, 16, "header.n_kv"));
  FULCRUM_TRY_STATUS(check_count(n_tensors_, 32, 8, "header.n_tensors"));
  return {};
}

Status GgufFile::Parser::read_metadata() {
  f_.kvs_.reserve(n_kv_);
  for (uint64_t i = 0; i < n_kv_; ++i) {
    uint64_t at = pos_;
    std::string kfield = "kv[" + std::to_string(i) + "].key";
    FULCRUM_TRY(auto key, read_string(kfield));
    if (key.empty()) return err(ErrorCode::kParse, at, kfield, "empty metadata key");
    std::string field = "kv '" + std::string(key) + "'";
    uint64_t type_at = pos_;
    FULCRUM_TRY(uint32_t raw_type, read<uint32_t>(field + " type"));
    if (!value_type_valid(raw_type))
      return err(ErrorCode::kUnknownType, type_at, field,
                 "unknown metadata value type " + std::to_string(raw_type));
    FULCRUM_TRY(auto value, read_value(static_cast<ValueType>(raw_type), field, 0));
    if (!f_.kv_index_.emplace(key, f_.kvs_.size()).second)
      return err(ErrorCode::kDuplicate, at, field, "duplicate metadata key");
    f_.kvs_.push_back(KeyValue{key, std::move(value), at});
  }
  if (const Value* a = f_.find("general.alignment")) {
    uint64_t at = f_.kvs_[f_.kv_index_.at("general.alignment")].offset;
    if (a->type() != ValueType::kUint32)
      return err(ErrorCode::kTypeMismatch, at, "general.alignment", "must be a uint32");
    uint64_t v = a->as_uint().value_or(0);
    if (v == 0 || (v & (v - 1)) != 0)
      return err(ErrorCode::kMisaligned, at, "general.alignment",
                 "alignment " + std::to_string(v) + " is not a power of two");
    f_.alignment_ = v;
  }
  return {};
}

Status GgufFile::Parser::read_tensor_infos() {
  f_.tensors_.reserve(n_tensors_);
  for (uint64_t i = 0; i < n_tensors_; ++i) {
    uint64_t at = pos_;
    FULCRUM_TRY(auto name, read_string("tensor[" + std::to_string(i) + "].name"));
    std::string field = "tensor '" + std::string(name) + "'";
    if (name.empty()) return err(ErrorCode::kParse, at, field, "empty tensor name");
    TensorInfo t{};
    t.name = name;
    t.info_offset = at;
    uint64_t dims_at = pos_;
    FULCRUM_TRY(t.n_dims, read<uint32_t>(field + " n_dims"));
    if (t.n_dims == 0 || t.n_dims > kMaxDims)
      return err(
          ErrorCode::kBadShape, dims_at, field + " n_dims",
          "n_dims " + std::to_string(t.n_dims) + " is outside 1.." + std::to_string(kMaxDims));
    t.ne = {1, 1, 1, 1};
    t.n_elements = 1;
    for (uint32_t d = 0; d < t.n_dims; ++d) {
      uint64_t dim_at = pos_;
      std::string dfield = field + " ne[" + std::to_string(d) + "]";
      FULCRUM_TRY(t.ne[d], read<uint64_t>(dfield));
      if (t.ne[d] == 0) return err(ErrorCode::kBadShape, dim_at, dfield, "dimension is zero");
      if (t.ne[d] > kMaxDim || !checked_mul(t.n_elements, t.ne[d], &t.n_elements) ||
          t.n_elements > kMaxDim)
        return err(ErrorCode::kOverflow, dim_at, dfield, "element count overflows");
    }
    uint64_t type_at = pos_;
    FULCRUM_TRY(uint32_t raw_type, read<uint32_t>(field + " type"));
    auto traits = kernels::ggml_type_traits(raw_type);
    if (!traits)
      return err(ErrorCode::kUnknownType, type_at, field + " type",
                 "unknown tensor type " + std::to_string(raw_type));
    t.type = traits->type;
    if (t.ne[0] % traits->block_size != 0)
      return err(ErrorCode::kBadShape, dims_at, field + " ne[0]",
                 "row length " + std::to_string(t.ne[0]) + " is not a multiple of the " +
                     std::string(traits->name) + " block size " +
                     std::to_string(traits->block_size));
    auto bytes = kernels::ggml_row_size(t.type, t.n_elements);
    if (!bytes) return err(ErrorCode::kOverflow, dims_at, field, "byte size overflows");
    t.n_bytes = *bytes;
    uint64_t off_at = pos_;
    FULCRUM_TRY(t.offset, read<uint64_t>(field + " offset"));
    if (t.offset % f_.alignment_ != 0)
      return err(ErrorCode::kMisaligned, off_at, field + " offset",
                 "data offset " + std::to_string(t.offset) +
                     " is not a multiple of the alignment " + std::to_string(f_.alignment_));
    if (!f_.tensor_index_.emplace(name, f_.tensors_.size()).second)
      return err(ErrorCode::kDuplicate, at, field, "duplicate tensor name");
    f_.tensors_.push_back(t);
  }
  return {};
}

Status GgufFile::Parser::check_tensor_data() {
  uint64_t data_offset = (pos_ + f_.alignment_ - 1) / f_.alignment_ * f_.alignment_;
  f_.data_offset_ = data_offset;
  if (f_.tensors_.empty()) return {};
  if (data_offset > f_.size_)
    return err(ErrorCode::kTruncated, pos_, "tensor data",
               "file ends before the tensor data section");
  uint64_t data_size = f_.size_ - data_offset;
  for (auto& t : f_.tensors_) {
    uint64_t end;
    std::string field = "tensor '" + std::string(t.name) + "' data";
    if (!checked_add(t.offset, t.n_bytes, &end))
      return err(ErrorCode::kOverflow, t.info_offset, field, "offset + size overflows");
    if (end > data_size)
      return err(ErrorCode::kOutOfBounds, t.info_offset, field,
                 "data [" + std::to_string(data_offset + t.offset) + ", " +
                     std::to_string(data_offset + end) + ") lies outside the file (" +
                     std::to_string(f_.size_) + " bytes)");
    t.data = f_.base_ + data_offset + t.offset;
  }
  std::vector<const TensorInfo*> by_offset;
  by_offset.reserve(f_.tensors_.size());
  for (const auto& t : f_.tensors_) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const TensorInfo* a = by_offset[i - 1];
    const TensorInfo* b = by_offset[i];
    if (a->offset + a->n_bytes > b->offset)
      return err(ErrorCode::kOverlap, b->info_offset, "tensor '" + std::string(b->name) + "' data",
                 "data overlaps tensor '" + std::string(a->name) + "'");
  }
  return {};
}

Status GgufFile::Parser::run() {
  FULCRUM_TRY_STATUS(read_header());
  FULCRUM_TRY_STATUS(read_metadata());
  FULCRUM_TRY_STATUS(read_tensor_infos());
  return check_tensor_data();
}

Result<GgufFile> GgufFile::parse(std::shared_ptr<void> owner, const uint8_t* base, uint64_t size,
                                 std::string path) {
  GgufFile f;
  f.owner_ = std::move(owner);
  f.base_ = base;
  f.size_ = size;
  f.path_ = std::move(path);
  Parser p(f);
  FULCRUM_TRY_STATUS(p.run());
  return f;
}

Result<GgufFile> GgufFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error(ErrorCode::kIo, std::string("cannot open: ") + std::strerror(errno))
        .with_file(path);
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::kIo, "not a regular file").with_file(path);
  }
  auto m = std::make_shared<Mapping>();
  static const uint8_t kEmpty[1] = {0};
  const uint8_t* base = kEmpty;
  if (st.st_size > 0) {
    void* addr = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      return Error(ErrorCode::kIo, std::string("cannot map: ") + std::strerror(e)).with_file(path);
    }
    m->addr = addr;
    m->size = static_cast<size_t>(st.st_size);
    base = static_cast<const uint8_t*>(addr);
  }
  ::close(fd);
  return parse(m, base, static_cast<uint64_t>(st.st_size), path);
}

Result<GgufFile> GgufFile::from_bytes(std::string_view bytes, std::string name) {
  auto buf = std::make_shared<std::string>(bytes);
  const auto* base = reinterpret_cast<const uint8_t*>(buf->data());
  return parse(buf, base, buf->size(), std::move(name));
}

const Value* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

Error GgufFile::mismatch(std::string_view key, std::string_view want, const Value& v) const {
  Error e = error(ErrorCode::kTypeMismatch, "expected " + std::string(want) + ", found " +
                                                std::string(value_type_name(v.type())))
                .with_field(std::string(key));
  if (auto it = kv_index_.find(key); it != kv_index_.end())
    e.with_offset(static_cast<int64_t>(kvs_[it->second].offset));
  return e;
}

Result<std::optional<std::string_view>> GgufFile::get_string(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::optional<std::string_view>();
  if (auto s = v->as_string()) return std::optional<std::string_view>(*s);
  return mismatch(key, "a string", *v);
}

Result<std::optional<uint64_t>> GgufFile::get_uint(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::optional<uint64_t>();
  if (auto u = v->as_uint()) return std::optional<uint64_t>(*u);
  return mismatch(key, "a non-negative integer", *v);
}

Result<std::optional<int64_t>> GgufFile::get_int(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::optional<int64_t>();
  if (auto i = v->as_int()) return std::optional<int64_t>(*i);
  return mismatch(key, "an integer", *v);
}

Result<std::optional<double>> GgufFile::get_float(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::optional<double>();
  if (auto f = v->as_float()) return std::optional<double>(*f);
  if (auto i = v->as_int()) return std::optional<double>(static_cast<double>(*i));
  return mismatch(key, "a number", *v);
}

Result<std::optional<bool>> GgufFile::get_bool(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::optional<bool>();
  if (auto b = v->as_bool()) return std::optional<bool>(*b);
  return mismatch(key, "a bool", *v);
}

Result<std::string_view> GgufFile::require_string(std::string_view key) const {
  FULCRUM_TRY(auto v, get_string(key));
  if (!v)
    return error(ErrorCode::kNotFound, "required metadata key is missing")
        .with_field(std::string(key));
  return *v;
}

Result<uint64_t> GgufFile::require_uint(std::string_view key) const {
  FULCRUM_TRY(auto v, get_uint(key));
  if (!v)
    return error(ErrorCode::kNotFound, "required metadata key is missing")
        .with_field(std::string(key));
  return *v;
}

Result<double> GgufFile::require_float(std::string_view key) const {
  FULCRUM_TRY(auto v, get_float(key));
  if (!v)
    return error(ErrorCode::kNotFound, "required metadata key is missing")
        .with_field(std::string(key));
  return *v;
}

}  // namespace fulcrum::gguf
