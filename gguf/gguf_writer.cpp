#include "gguf/gguf_writer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "core/utf8.h"

namespace fulcrum::gguf {
namespace {

constexpr std::string_view kAlignmentKey = "general.alignment";
constexpr uint64_t kMaxDim = uint64_t{1} << 62;

template <typename T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof v);  // GGUF is little-endian, as is every host we build for
  out.append(buf, sizeof buf);
}

void put_string(std::string& out, std::string_view s) {
  put<uint64_t>(out, s.size());
  out.append(s);
}

uint64_t align_up(uint64_t x, uint64_t a) {
  return (x + a - 1) / a * a;
}

bool fits_int(ValueType t, int64_t v) {
  switch (t) {
    case ValueType::kUint8:
      return v >= 0 && v <= 0xff;
    case ValueType::kInt8:
      return v >= -128 && v <= 127;
    case ValueType::kUint16:
      return v >= 0 && v <= 0xffff;
    case ValueType::kInt16:
      return v >= -32768 && v <= 32767;
    case ValueType::kUint32:
      return v >= 0 && v <= int64_t{0xffffffff};
    case ValueType::kInt32:
      return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    case ValueType::kUint64:
      return v >= 0;
    case ValueType::kInt64:
      return true;
    case ValueType::kBool:
      return v == 0 || v == 1;
    default:
      return false;
  }
}

void put_int(std::string& out, ValueType t, int64_t v) {
  switch (t) {
    case ValueType::kUint8:
    case ValueType::kBool:
      return put<uint8_t>(out, static_cast<uint8_t>(v));
    case ValueType::kInt8:
      return put<int8_t>(out, static_cast<int8_t>(v));
    case ValueType::kUint16:
      return put<uint16_t>(out, static_cast<uint16_t>(v));
    case ValueType::kInt16:
      return put<int16_t>(out, static_cast<int16_t>(v));
    case ValueType::kUint32:
      return put<uint32_t>(out, static_cast<uint32_t>(v));
    case ValueType::kInt32:
      return put<int32_t>(out, static_cast<int32_t>(v));
    case ValueType::kUint64:
      return put<uint64_t>(out, static_cast<uint64_t>(v));
    default:
      return put<int64_t>(out, v);
  }
}

// Writes to a FILE*, counting bytes.
class FileSink final : public TensorSink {
 public:
  explicit FileSink(FILE* f) : f_(f) {}
  Status write(const void* data, size_t n) override {
    if (n && std::fwrite(data, 1, n, f_) != n)
      return Error(ErrorCode::kIo, std::string("write failed: ") + std::strerror(errno));
    return {};
  }

 private:
  FILE* f_;
};

class StringSink final : public TensorSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status write(const void* data, size_t n) override {
    out_->append(static_cast<const char*>(data), n);
    return {};
  }

 private:
  std::string* out_;
};

// Passes a producer's bytes through, refusing more than the tensor's size.
class CountingSink final : public TensorSink {
 public:
  CountingSink(TensorSink& out, uint64_t limit) : out_(out), limit_(limit) {}
  Status write(const void* data, size_t n) override {
    if (n > limit_ - written_)
      return Error(ErrorCode::kInvalidArgument, "tensor producer wrote more than the tensor's " +
                                                    std::to_string(limit_) + " bytes");
    written_ += n;
    return out_.write(data, n);
  }
  uint64_t written() const { return written_; }

 private:
  TensorSink& out_;
  uint64_t limit_;
  uint64_t written_ = 0;
};

Status write_zeros(TensorSink& out, uint64_t n) {
  static const uint8_t kZeros[256] = {};
  while (n > 0) {
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, sizeof kZeros));
    FULCRUM_TRY_STATUS(out.write(kZeros, k));
    n -= k;
  }
  return {};
}

}  // namespace

// ---- WriteValue --------------------------------------------------------------------------

#define FULCRUM_SCALAR(fn, T, VT)  \
  WriteValue WriteValue::fn(T v) { \
    WriteValue w;                  \
    w.type_ = ValueType::VT;       \
    put<T>(w.payload_, v);         \
    return w;                      \
  }
FULCRUM_SCALAR(u8, uint8_t, kUint8)
FULCRUM_SCALAR(i8, int8_t, kInt8)
FULCRUM_SCALAR(u16, uint16_t, kUint16)
FULCRUM_SCALAR(i16, int16_t, kInt16)
FULCRUM_SCALAR(u32, uint32_t, kUint32)
FULCRUM_SCALAR(i32, int32_t, kInt32)
FULCRUM_SCALAR(u64, uint64_t, kUint64)
FULCRUM_SCALAR(i64, int64_t, kInt64)
FULCRUM_SCALAR(f32, float, kFloat32)
FULCRUM_SCALAR(f64, double, kFloat64)
#undef FULCRUM_SCALAR

WriteValue WriteValue::boolean(bool v) {
  WriteValue w;
  w.type_ = ValueType::kBool;
  put<uint8_t>(w.payload_, v ? 1 : 0);
  return w;
}

WriteValue WriteValue::string(std::string_view v) {
  WriteValue w;
  w.type_ = ValueType::kString;
  put_string(w.payload_, v);
  w.utf8_ok_ = utf8::is_valid(v);
  return w;
}

Result<WriteValue> WriteValue::int_array(ValueType elem, std::span<const int64_t> values) {
  if (elem == ValueType::kString || elem == ValueType::kArray || elem == ValueType::kFloat32 ||
      elem == ValueType::kFloat64)
    return Error(ErrorCode::kTypeMismatch, "int_array needs an integer or bool element type, not " +
                                               std::string(value_type_name(elem)));
  WriteValue w;
  w.type_ = ValueType::kArray;
  w.payload_.reserve(12 + values.size() * value_type_size(elem));
  put<uint32_t>(w.payload_, static_cast<uint32_t>(elem));
  put<uint64_t>(w.payload_, values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!fits_int(elem, values[i]))
      return Error(ErrorCode::kOverflow, "array element " + std::to_string(i) + " = " +
                                             std::to_string(values[i]) + " does not fit in " +
                                             std::string(value_type_name(elem)));
    put_int(w.payload_, elem, values[i]);
  }
  return w;
}

Result<WriteValue> WriteValue::float_array(ValueType elem, std::span<const double> values) {
  if (elem != ValueType::kFloat32 && elem != ValueType::kFloat64)
    return Error(ErrorCode::kTypeMismatch,
                 "float_array needs float32 or float64, not " + std::string(value_type_name(elem)));
  WriteValue w;
  w.type_ = ValueType::kArray;
  put<uint32_t>(w.payload_, static_cast<uint32_t>(elem));
  put<uint64_t>(w.payload_, values.size());
  for (double v : values) {
    if (elem == ValueType::kFloat32)
      put<float>(w.payload_, static_cast<float>(v));
    else
      put<double>(w.payload_, v);
  }
  return w;
}

namespace {
template <typename S>
void strings_value(std::span<const S> values, std::string* payload, bool* ok) {
  put<uint32_t>(*payload, static_cast<uint32_t>(ValueType::kString));
  put<uint64_t>(*payload, values.size());
  for (const auto& s : values) {
    put_string(*payload, s);
    if (*ok && !utf8::is_valid(s)) *ok = false;
  }
}
}  // namespace

WriteValue WriteValue::fixed_array(ValueType elem, const void* data, uint64_t n) {
  FULCRUM_ASSERT(value_type_size(elem) > 0, "fixed_array needs a fixed-size element type");
  WriteValue w;
  w.type_ = ValueType::kArray;
  put<uint32_t>(w.payload_, static_cast<uint32_t>(elem));
  put<uint64_t>(w.payload_, n);
  w.payload_.append(static_cast<const char*>(data), n * value_type_size(elem));
  return w;
}

WriteValue WriteValue::string_array(std::span<const std::string> values) {
  WriteValue w;
  w.type_ = ValueType::kArray;
  strings_value(values, &w.payload_, &w.utf8_ok_);
  return w;
}

WriteValue WriteValue::string_array(std::span<const std::string_view> values) {
  WriteValue w;
  w.type_ = ValueType::kArray;
  strings_value(values, &w.payload_, &w.utf8_ok_);
  return w;
}

Result<WriteValue> WriteValue::array_of_arrays(std::span<const WriteValue> elems) {
  WriteValue w;
  w.type_ = ValueType::kArray;
  put<uint32_t>(w.payload_, static_cast<uint32_t>(ValueType::kArray));
  put<uint64_t>(w.payload_, elems.size());
  for (size_t i = 0; i < elems.size(); ++i) {
    if (elems[i].type_ != ValueType::kArray)
      return Error(ErrorCode::kTypeMismatch, "element " + std::to_string(i) +
                                                 " of an array of arrays is a " +
                                                 std::string(value_type_name(elems[i].type_)));
    w.payload_.append(elems[i].payload_);
    w.utf8_ok_ = w.utf8_ok_ && elems[i].utf8_ok_;
  }
  return w;
}

namespace {
// Encodes a read value's payload (what follows its type tag).
void encode_read_value(const Value& v, std::string& out) {
  ValueType t = v.type();
  if (t == ValueType::kString) return put_string(out, v.as_string().value_or(""));
  if (t != ValueType::kArray) {
    if (v.raw_data()) {  // the value's exact bytes (keeps NaN payloads)
      out.append(reinterpret_cast<const char*>(v.raw_data()), value_type_size(t));
      return;
    }
    if (t == ValueType::kFloat32) return put<float>(out, static_cast<float>(*v.as_float()));
    if (t == ValueType::kFloat64) return put<double>(out, *v.as_float());
    if (t == ValueType::kBool) return put<uint8_t>(out, *v.as_bool() ? 1 : 0);
    if (t == ValueType::kUint64) return put<uint64_t>(out, *v.as_uint());
    return put_int(out, t, *v.as_int());
  }
  put<uint32_t>(out, static_cast<uint32_t>(v.elem_type()));
  put<uint64_t>(out, v.size());
  if (v.elem_type() == ValueType::kString) {
    for (auto s : v.strings()) put_string(out, s);
  } else if (v.elem_type() == ValueType::kArray) {
    for (const auto& e : v.elements()) encode_read_value(e, out);
  } else if (v.size() > 0) {
    out.append(reinterpret_cast<const char*>(v.raw_data()),
               v.size() * value_type_size(v.elem_type()));
  }
}
}  // namespace

WriteValue WriteValue::from(const Value& v) {
  WriteValue w;
  w.type_ = v.type();
  encode_read_value(v, w.payload_);
  return w;  // a read value passed the reader's UTF-8 check
}

// ---- GgufLayout ----------------------------------------------------------------------------

std::vector<uint64_t> GgufLayout::boundaries() const {
  std::vector<uint64_t> b{0, 4, 8, 16, header_end, tensor_infos_end, data_offset, file_size};
  b.insert(b.end(), kv_offsets.begin(), kv_offsets.end());
  b.insert(b.end(), kv_value_offsets.begin(), kv_value_offsets.end());
  b.insert(b.end(), tensor_info_offsets.begin(), tensor_info_offsets.end());
  b.insert(b.end(), tensor_data_offsets.begin(), tensor_data_offsets.end());
  std::sort(b.begin(), b.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  return b;
}

// ---- GgufWriter metadata ---------------------------------------------------------------------

void GgufWriter::set_value(std::string_view key, WriteValue v) {
  if (key == kAlignmentKey && v.type() == ValueType::kUint32) {
    uint32_t a;
    std::memcpy(&a, v.payload().data(), sizeof a);
    alignment_ = a;  // checked by write()
  }
  for (auto& kv : kvs_)
    if (kv.key == key) {
      kv.value = std::move(v);
      return;
    }
  kvs_.push_back(Kv{std::string(key), std::move(v)});
}

Status GgufWriter::set_array_ints(std::string_view key, ValueType elem,
                                  std::span<const int64_t> v) {
  FULCRUM_TRY(auto w, WriteValue::int_array(elem, v));
  set_value(key, std::move(w));
  return {};
}

Status GgufWriter::set_array_floats(std::string_view key, ValueType elem,
                                    std::span<const double> v) {
  FULCRUM_TRY(auto w, WriteValue::float_array(elem, v));
  set_value(key, std::move(w));
  return {};
}

void GgufWriter::set_array_i32(std::string_view key, std::span<const int32_t> v) {
  set_value(key, WriteValue::fixed_array(ValueType::kInt32, v.data(), v.size()));
}
void GgufWriter::set_array_u32(std::string_view key, std::span<const uint32_t> v) {
  set_value(key, WriteValue::fixed_array(ValueType::kUint32, v.data(), v.size()));
}
void GgufWriter::set_array_f32(std::string_view key, std::span<const float> v) {
  set_value(key, WriteValue::fixed_array(ValueType::kFloat32, v.data(), v.size()));
}

void GgufWriter::copy_metadata(const GgufFile& src) {
  for (const auto& kv : src.metadata()) set_value(kv.key, WriteValue::from(kv.value));
}

bool GgufWriter::remove(std::string_view key) {
  auto it = std::find_if(kvs_.begin(), kvs_.end(), [&](const Kv& kv) { return kv.key == key; });
  if (it == kvs_.end()) return false;
  kvs_.erase(it);
  if (key == kAlignmentKey) alignment_ = static_cast<uint32_t>(kDefaultAlignment);
  return true;
}

bool GgufWriter::has(std::string_view key) const {
  return std::any_of(kvs_.begin(), kvs_.end(), [&](const Kv& kv) { return kv.key == key; });
}

Status GgufWriter::set_alignment(uint32_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    return Error(ErrorCode::kMisaligned,
                 "alignment " + std::to_string(alignment) + " is not a power of two")
        .with_field(std::string(kAlignmentKey));
  set_u32(kAlignmentKey, alignment);
  return {};
}

// ---- GgufWriter tensors ----------------------------------------------------------------------

Status GgufWriter::check_tensor(std::string_view name, kernels::GgmlType type,
                                std::span<const uint64_t> ne, uint64_t* n_bytes) const {
  auto fail = [&](ErrorCode c, std::string msg) {
    return Error(c, std::move(msg)).with_field("tensor '" + std::string(name) + "'");
  };
  if (name.empty()) return fail(ErrorCode::kInvalidArgument, "empty tensor name");
  if (!utf8::is_valid(name)) return fail(ErrorCode::kBadUtf8, "tensor name is not valid UTF-8");
  for (const auto& t : tensors_)
    if (t.name == name) return fail(ErrorCode::kDuplicate, "duplicate tensor name");
  if (ne.empty() || ne.size() > kMaxDims)
    return fail(ErrorCode::kBadShape, std::to_string(ne.size()) + " dims (need 1..4)");
  auto traits = kernels::ggml_type_traits(static_cast<uint32_t>(type));
  if (!traits) return fail(ErrorCode::kUnknownType, "unknown tensor type");
  uint64_t n = 1;
  for (uint64_t d : ne) {
    if (d == 0) return fail(ErrorCode::kBadShape, "a dimension is zero");
    if (d > kMaxDim || __builtin_mul_overflow(n, d, &n) || n > kMaxDim)
      return fail(ErrorCode::kOverflow, "element count overflows");
  }
  if (ne[0] % traits->block_size != 0)
    return fail(ErrorCode::kBadShape, "row length " + std::to_string(ne[0]) +
                                          " is not a multiple of the block size " +
                                          std::to_string(traits->block_size));
  auto bytes = kernels::ggml_row_size(type, n);
  if (!bytes) return fail(ErrorCode::kOverflow, "byte size overflows");
  *n_bytes = *bytes;
  return {};
}

Status GgufWriter::add_tensor(std::string_view name, kernels::GgmlType type,
                              std::span<const uint64_t> ne, const void* data) {
  uint64_t n_bytes = 0;
  FULCRUM_TRY_STATUS(check_tensor(name, type, ne, &n_bytes));
  if (!data && n_bytes > 0)
    return Error(ErrorCode::kInvalidArgument, "tensor data pointer is null")
        .with_field("tensor '" + std::string(name) + "'");
  tensors_.push_back(Tensor{std::string(name), type, std::vector<uint64_t>(ne.begin(), ne.end()),
                            n_bytes, data, nullptr});
  return {};
}

Status GgufWriter::add_tensor(std::string_view name, kernels::GgmlType type,
                              std::span<const uint64_t> ne, TensorProducer produce) {
  uint64_t n_bytes = 0;
  FULCRUM_TRY_STATUS(check_tensor(name, type, ne, &n_bytes));
  if (!produce)
    return Error(ErrorCode::kInvalidArgument, "tensor producer is empty")
        .with_field("tensor '" + std::string(name) + "'");
  tensors_.push_back(Tensor{std::string(name), type, std::vector<uint64_t>(ne.begin(), ne.end()),
                            n_bytes, nullptr, std::move(produce)});
  return {};
}

// ---- GgufWriter output -----------------------------------------------------------------------

Result<std::string> GgufWriter::encode_head(GgufLayout* layout) const {
  if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0)
    return Error(ErrorCode::kMisaligned,
                 "alignment " + std::to_string(alignment_) + " is not a power of two")
        .with_field(std::string(kAlignmentKey));
  std::string out;
  out.append("GGUF");
  put<uint32_t>(out, 3);
  put<uint64_t>(out, tensors_.size());
  put<uint64_t>(out, kvs_.size());
  layout->header_end = out.size();
  for (const auto& kv : kvs_) {
    if (kv.key.empty()) return Error(ErrorCode::kInvalidArgument, "empty metadata key");
    if (!utf8::is_valid(kv.key))
      return Error(ErrorCode::kBadUtf8, "metadata key is not valid UTF-8").with_field(kv.key);
    if (!kv.value.utf8_ok())
      return Error(ErrorCode::kBadUtf8, "metadata value is not valid UTF-8").with_field(kv.key);
    if (kv.key == kAlignmentKey && kv.value.type() != ValueType::kUint32)
      return Error(ErrorCode::kTypeMismatch, "general.alignment must be a uint32")
          .with_field(kv.key);
    layout->kv_offsets.push_back(out.size());
    put_string(out, kv.key);
    layout->kv_value_offsets.push_back(out.size());
    put<uint32_t>(out, static_cast<uint32_t>(kv.value.type()));
    out.append(kv.value.payload());
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    layout->tensor_info_offsets.push_back(out.size());
    put_string(out, t.name);
    put<uint32_t>(out, static_cast<uint32_t>(t.ne.size()));
    for (uint64_t d : t.ne) put<uint64_t>(out, d);
    put<uint32_t>(out, static_cast<uint32_t>(t.type));
    put<uint64_t>(out, offset);
    layout->tensor_data_offsets.push_back(offset);  // relative for now
    offset = align_up(offset + t.n_bytes, alignment_);
  }
  layout->tensor_infos_end = out.size();
  layout->data_offset = align_up(out.size(), alignment_);
  for (auto& o : layout->tensor_data_offsets) o += layout->data_offset;
  // The data section ends right after the last tensor (no trailing padding); a file without
  // tensors ends after its metadata, as llama.cpp writes vocab-only files.
  layout->file_size = out.size();
  if (!tensors_.empty())
    layout->file_size = layout->tensor_data_offsets.back() + tensors_.back().n_bytes;
  return out;
}

Result<GgufLayout> GgufWriter::layout() const {
  GgufLayout layout;
  FULCRUM_TRY(auto head, encode_head(&layout));
  (void)head;
  return layout;
}

Status GgufWriter::stream(TensorSink& out) const {
  GgufLayout layout;
  FULCRUM_TRY(auto head, encode_head(&layout));
  FULCRUM_TRY_STATUS(out.write(head.data(), head.size()));
  uint64_t pos = head.size();
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const Tensor& t = tensors_[i];
    FULCRUM_TRY_STATUS(write_zeros(out, layout.tensor_data_offsets[i] - pos));
    if (t.produce) {
      CountingSink counted(out, t.n_bytes);
      Status s = t.produce(counted);
      if (!s.ok()) return std::move(s).error().wrap("tensor '" + t.name + "'");
      if (counted.written() != t.n_bytes)
        return Error(ErrorCode::kInvalidArgument,
                     "tensor producer wrote " + std::to_string(counted.written()) +
                         " bytes, expected " + std::to_string(t.n_bytes))
            .with_field("tensor '" + t.name + "'");
    } else {
      FULCRUM_TRY_STATUS(out.write(t.data, t.n_bytes));
    }
    pos = layout.tensor_data_offsets[i] + t.n_bytes;
  }
  return write_zeros(out, layout.file_size - pos);
}

Result<std::string> GgufWriter::to_bytes() const {
  std::string bytes;
  StringSink sink(&bytes);
  FULCRUM_TRY_STATUS(stream(sink));
  return bytes;
}

Status GgufWriter::write(const std::string& path) const {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    return Error(ErrorCode::kIo, std::string("cannot create: ") + std::strerror(errno))
        .with_file(tmp);
  std::unique_ptr<char[]> buf(new char[1 << 20]);
  std::setvbuf(f, buf.get(), _IOFBF, 1 << 20);
  FileSink sink(f);
  Status s = stream(sink);
  bool closed = std::fclose(f) == 0;
  if (s.ok() && !closed)
    s = Error(ErrorCode::kIo, std::string("close failed: ") + std::strerror(errno));
  if (s.ok() && std::rename(tmp.c_str(), path.c_str()) != 0)
    s = Error(ErrorCode::kIo,
              std::string("cannot rename to ") + path + ": " + std::strerror(errno));
  if (!s.ok()) {
    std::remove(tmp.c_str());
    Error e = std::move(s).error();
    if (e.file().empty()) e.with_file(path);
    return e;
  }
  return {};
}

}  // namespace fulcrum::gguf
