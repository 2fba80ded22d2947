// GgufWriter: write → read gives back identical metadata (every value type, string arrays,
// nested arrays) and tensors (shape, type, bytes, alignment); writer-side checks; streaming.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tests/support/testdata.h"

namespace fulcrum::gguf {
namespace {

using kernels::GgmlType;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("fulcrum_gguf_" + std::to_string(getpid()) + "_" + name))
      .string();
}

GgufFile read_back(const GgufWriter& w) {
  auto bytes = w.to_bytes();
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  auto f = GgufFile::from_bytes(*bytes, "roundtrip.gguf");
  EXPECT_TRUE(f.ok()) << f.error().to_string();
  return std::move(f).value();
}

TEST(GgufWriter, EveryScalarTypeRoundTrips) {
  GgufWriter w;
  w.set_u8("u8", 250);
  w.set_i8("i8", -120);
  w.set_u16("u16", 65000);
  w.set_i16("i16", -32000);
  w.set_u32("u32", 4000000000u);
  w.set_i32("i32", -2000000000);
  w.set_u64("u64", 18000000000000000000ull);
  w.set_i64("i64", -9000000000000000000ll);
  w.set_f32("f32", 0.15625f);
  w.set_f64("f64", -1.0e300);
  w.set_bool("t", true);
  w.set_bool("f", false);
  w.set_string("s", "h\xc3\xa9llo \xf0\x9f\x98\x80");
  w.set_string("empty", "");
  GgufFile f = read_back(w);
  EXPECT_EQ(f.version(), 3u);
  ASSERT_EQ(f.metadata().size(), 14u);
  EXPECT_EQ(f.metadata()[0].key, "u8");  // order kept
  EXPECT_EQ(f.find("u8")->type(), ValueType::kUint8);
  EXPECT_EQ(*f.find("u8")->as_uint(), 250u);
  EXPECT_EQ(f.find("i8")->type(), ValueType::kInt8);
  EXPECT_EQ(*f.find("i8")->as_int(), -120);
  EXPECT_EQ(*f.find("u16")->as_uint(), 65000u);
  EXPECT_EQ(*f.find("i16")->as_int(), -32000);
  EXPECT_EQ(*f.find("u32")->as_uint(), 4000000000u);
  EXPECT_EQ(*f.find("i32")->as_int(), -2000000000);
  EXPECT_EQ(*f.find("u64")->as_uint(), 18000000000000000000ull);
  EXPECT_EQ(*f.find("i64")->as_int(), -9000000000000000000ll);
  EXPECT_EQ(f.find("f32")->type(), ValueType::kFloat32);
  EXPECT_EQ(*f.find("f32")->as_float(), 0.15625);
  EXPECT_EQ(f.find("f64")->type(), ValueType::kFloat64);
  EXPECT_EQ(*f.find("f64")->as_float(), -1.0e300);
  EXPECT_EQ(*f.find("t")->as_bool(), true);
  EXPECT_EQ(*f.find("f")->as_bool(), false);
  EXPECT_EQ(*f.find("s")->as_string(), "h\xc3\xa9llo \xf0\x9f\x98\x80");
  EXPECT_EQ(*f.find("empty")->as_string(), "");
}

TEST(GgufWriter, ArraysRoundTrip) {
  GgufWriter w;
  std::vector<std::string> toks = {"<s>", "", "\xe2\x96\x81the", "x"};
  w.set_array_strings("tokens", toks);
  std::vector<std::string_view> views = {"a", "b"};
  w.set_array_strings("views", views);
  std::vector<int64_t> ints = {-3, 0, 7, 127};
  ASSERT_TRUE(w.set_array_ints("i8s", ValueType::kInt8, ints).ok());
  ASSERT_TRUE(w.set_array_ints("u64s", ValueType::kUint64, std::vector<int64_t>{1, 2}).ok());
  ASSERT_TRUE(w.set_array_ints("bools", ValueType::kBool, std::vector<int64_t>{1, 0, 1}).ok());
  ASSERT_TRUE(w.set_array_floats("f64s", ValueType::kFloat64, std::vector<double>{0.1, -2}).ok());
  std::vector<float> scores = {-1.5f, 0.25f};
  w.set_array_f32("scores", scores);
  std::vector<int32_t> types = {1, -2, 3};
  w.set_array_i32("types", types);
  std::vector<uint32_t> u32s = {7, 4000000000u};
  w.set_array_u32("u32s", u32s);
  w.set_array_strings("none", std::vector<std::string>{});
  GgufFile f = read_back(w);
  const Value* t = f.find("tokens");
  ASSERT_TRUE(t && t->is_array());
  EXPECT_EQ(t->elem_type(), ValueType::kString);
  ASSERT_EQ(t->strings().size(), toks.size());
  for (size_t i = 0; i < toks.size(); ++i) EXPECT_EQ(t->strings()[i], toks[i]);
  EXPECT_EQ(f.find("views")->strings()[1], "b");
  const Value* i8s = f.find("i8s");
  EXPECT_EQ(i8s->elem_type(), ValueType::kInt8);
  for (size_t i = 0; i < ints.size(); ++i) EXPECT_EQ(*i8s->int_at(i), ints[i]);
  EXPECT_EQ(*f.find("u64s")->int_at(1), 2);
  EXPECT_EQ(f.find("bools")->elem_type(), ValueType::kBool);
  EXPECT_EQ(*f.find("bools")->int_at(2), 1);
  EXPECT_EQ(*f.find("f64s")->float_at(0), 0.1);
  EXPECT_EQ(*f.find("scores")->float_at(0), -1.5);
  EXPECT_EQ(*f.find("types")->int_at(1), -2);
  EXPECT_EQ(*f.find("u32s")->int_at(1), 4000000000ll);
  EXPECT_EQ(f.find("none")->size(), 0u);
}

TEST(GgufWriter, NestedArraysRoundTrip) {
  std::vector<std::string> a = {"x", "yy"};
  auto inner_s = WriteValue::string_array(a);
  auto inner_i = *WriteValue::int_array(ValueType::kInt16, std::vector<int64_t>{-5, 6, 7});
  auto mid = *WriteValue::array_of_arrays(std::vector<WriteValue>{inner_s, inner_i});
  auto outer = *WriteValue::array_of_arrays(std::vector<WriteValue>{mid, inner_s});
  GgufWriter w;
  w.set_value("nested", outer);
  GgufFile f = read_back(w);
  const Value* v = f.find("nested");
  ASSERT_TRUE(v && v->is_array());
  ASSERT_EQ(v->elem_type(), ValueType::kArray);
  ASSERT_EQ(v->elements().size(), 2u);
  const Value& m = v->elements()[0];
  ASSERT_EQ(m.elements().size(), 2u);
  EXPECT_EQ(m.elements()[0].strings()[1], "yy");
  EXPECT_EQ(*m.elements()[1].int_at(0), -5);
  EXPECT_EQ(v->elements()[1].strings()[0], "x");
  // Copying a read value gives the same encoding.
  EXPECT_EQ(WriteValue::from(*v).payload(), outer.payload());
  EXPECT_FALSE(WriteValue::array_of_arrays(std::vector<WriteValue>{WriteValue::u8(1)}).ok());
}

TEST(GgufWriter, SettingAKeyAgainReplacesItInPlace) {
  GgufWriter w;
  w.set_u32("a", 1);
  w.set_string("b", "x");
  w.set_string("a", "now a string");
  EXPECT_EQ(w.n_kv(), 2u);
  EXPECT_TRUE(w.remove("b"));
  EXPECT_FALSE(w.remove("b"));
  GgufFile f = read_back(w);
  ASSERT_EQ(f.metadata().size(), 1u);
  EXPECT_EQ(*f.find("a")->as_string(), "now a string");
}

TEST(GgufWriter, OutOfRangeArrayElementsAreRefused) {
  GgufWriter w;
  EXPECT_EQ(w.set_array_ints("k", ValueType::kUint8, std::vector<int64_t>{256}).error().code(),
            ErrorCode::kOverflow);
  EXPECT_EQ(w.set_array_ints("k", ValueType::kUint32, std::vector<int64_t>{-1}).error().code(),
            ErrorCode::kOverflow);
  EXPECT_EQ(w.set_array_ints("k", ValueType::kBool, std::vector<int64_t>{2}).error().code(),
            ErrorCode::kOverflow);
  EXPECT_EQ(w.set_array_ints("k", ValueType::kString, std::vector<int64_t>{}).error().code(),
            ErrorCode::kTypeMismatch);
  EXPECT_EQ(w.set_array_floats("k", ValueType::kInt32, std::vector<double>{}).error().code(),
            ErrorCode::kTypeMismatch);
  EXPECT_EQ(w.n_kv(), 0u);
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

TEST(GgufWriter, TensorsRoundTripAligned) {
  for (uint32_t alignment : {1u, 32u, 64u, 4096u}) {
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    if (alignment != 32) ASSERT_TRUE(w.set_alignment(alignment).ok());
    auto a = pattern(4 * 5, 1);            // f32 [5]
    auto b = pattern(2 * 32 * 3 * 2, 2);   // f16 [32, 3, 2]
    auto c = pattern(18 * 2 * 4, 3);       // q4_0 [64, 4] → 2 blocks × 4 rows × 18 bytes
    auto d = pattern(144 * 1 * 2 * 1, 4);  // q4_K [256, 1, 2, 1]
    ASSERT_TRUE(w.add_tensor("a", GgmlType::kF32, {5}, a.data()).ok());
    ASSERT_TRUE(w.add_tensor("b", GgmlType::kF16, {32, 3, 2}, b.data()).ok());
    ASSERT_TRUE(w.add_tensor("c", GgmlType::kQ4_0, {64, 4}, c.data()).ok());
    ASSERT_TRUE(w.add_tensor("d", GgmlType::kQ4_K, {256, 1, 2, 1}, d.data()).ok());
    GgufFile f = read_back(w);
    EXPECT_EQ(f.alignment(), alignment);
    EXPECT_EQ(f.data_offset() % alignment, 0u);
    ASSERT_EQ(f.tensors().size(), 4u);
    const std::vector<uint8_t>* want[] = {&a, &b, &c, &d};
    GgmlType types[] = {GgmlType::kF32, GgmlType::kF16, GgmlType::kQ4_0, GgmlType::kQ4_K};
    uint32_t n_dims[] = {1, 3, 2, 4};
    auto layout = w.layout();
    ASSERT_TRUE(layout.ok());
    EXPECT_EQ(layout->data_offset, f.data_offset());
    EXPECT_EQ(layout->file_size, f.file_size());
    for (size_t i = 0; i < 4; ++i) {
      const TensorInfo& t = f.tensors()[i];
      EXPECT_EQ(t.type, types[i]);
      EXPECT_EQ(t.n_dims, n_dims[i]);
      EXPECT_EQ(t.offset % alignment, 0u);
      ASSERT_EQ(t.n_bytes, want[i]->size());
      EXPECT_EQ(std::memcmp(t.data, want[i]->data(), t.n_bytes), 0) << t.name;
      EXPECT_EQ(static_cast<uint64_t>(t.data - f.bytes()), layout->tensor_data_offsets[i]);
    }
    EXPECT_EQ(f.find_tensor("b")->ne[2], 2u);
    EXPECT_EQ(f.find_tensor("b")->n_elements, 32u * 3 * 2);
  }
}

TEST(GgufWriter, ProducerStreamsInChunksToAFile) {
  const uint64_t rows = 64, row = 1024;  // f32 [1024, 64] = 256 KiB, produced row by row
  GgufWriter w;
  w.set_string("general.name", "streamed");
  int calls = 0;
  ASSERT_TRUE(w.add_tensor("big", GgmlType::kF32, {row, rows}, [&](TensorSink& out) -> Status {
                 ++calls;
                 std::vector<float> buf(row);
                 for (uint64_t r = 0; r < rows; ++r) {
                   for (uint64_t i = 0; i < row; ++i) buf[i] = float(r * row + i);
                   FULCRUM_TRY_STATUS(out.write(buf.data(), row * sizeof(float)));
                 }
                 return {};
               }).ok());
  std::string path = temp_path("stream.gguf");
  ASSERT_TRUE(w.write(path).ok());
  EXPECT_EQ(calls, 1);
  auto f = GgufFile::open(path);
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  const auto* t = f->find_tensor("big");
  ASSERT_NE(t, nullptr);
  const auto* data = reinterpret_cast<const float*>(t->data);
  EXPECT_EQ(data[0], 0.0f);
  EXPECT_EQ(data[rows * row - 1], float(rows * row - 1));
  // The file on disk is exactly what to_bytes() produces.
  auto disk = read_file(path);
  auto mem = w.to_bytes();
  ASSERT_TRUE(disk.ok() && mem.ok());
  EXPECT_EQ(*disk, *mem);
  std::filesystem::remove(path);
}

TEST(GgufWriter, ProducerWritingTheWrongSizeFailsAndLeavesNoFile) {
  for (int delta : {-1, +1}) {
    GgufWriter w;
    ASSERT_TRUE(w.add_tensor("t", GgmlType::kF32, {8}, [delta](TensorSink& out) -> Status {
                   std::vector<uint8_t> b(32 + delta, 1);
                   return out.write(b.data(), b.size());
                 }).ok());
    std::string path = temp_path("wrong.gguf");
    auto s = w.write(path);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().to_string().find("'t'"), std::string::npos) << s.error().to_string();
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  }
  GgufWriter w;
  ASSERT_TRUE(w.add_tensor("t", GgmlType::kF32, {8}, [](TensorSink&) -> Status {
                 return Error(ErrorCode::kIo, "source went away");
               }).ok());
  auto s = w.to_bytes();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kIo);
}

TEST(GgufWriter, RefusesWhatTheReaderWouldReject) {
  GgufWriter w;
  float x[64] = {};
  ASSERT_TRUE(w.add_tensor("t", GgmlType::kF32, {8}, x).ok());
  EXPECT_EQ(w.add_tensor("t", GgmlType::kF32, {8}, x).error().code(), ErrorCode::kDuplicate);
  EXPECT_EQ(w.add_tensor("", GgmlType::kF32, {8}, x).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("\xff", GgmlType::kF32, {8}, x).error().code(), ErrorCode::kBadUtf8);
  EXPECT_EQ(w.add_tensor("z", GgmlType::kF32, {8, 0}, x).error().code(), ErrorCode::kBadShape);
  EXPECT_EQ(w.add_tensor("z", GgmlType::kF32, std::span<const uint64_t>(), x).error().code(),
            ErrorCode::kBadShape);
  EXPECT_EQ(w.add_tensor("z", GgmlType::kF32, {1, 1, 1, 1, 1}, x).error().code(),
            ErrorCode::kBadShape);
  EXPECT_EQ(w.add_tensor("z", GgmlType::kQ4_0, {16}, x).error().code(), ErrorCode::kBadShape);
  EXPECT_EQ(w.add_tensor("z", GgmlType::kF32, {1ull << 40, 1ull << 40}, x).error().code(),
            ErrorCode::kOverflow);
  EXPECT_EQ(w.add_tensor("z", static_cast<GgmlType>(4), {32}, x).error().code(),
            ErrorCode::kUnknownType);
  EXPECT_EQ(
      w.add_tensor("z", GgmlType::kF32, {8}, static_cast<const void*>(nullptr)).error().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(w.set_alignment(48).error().code(), ErrorCode::kMisaligned);
  EXPECT_EQ(w.n_tensors(), 1u);

  GgufWriter bad_key;
  bad_key.set_u32("k\xc3", 1);
  EXPECT_EQ(bad_key.to_bytes().error().code(), ErrorCode::kBadUtf8);
  GgufWriter bad_value;
  bad_value.set_string("k", "\xc3(");
  EXPECT_EQ(bad_value.to_bytes().error().code(), ErrorCode::kBadUtf8);
  GgufWriter bad_array;
  bad_array.set_array_strings("k", std::vector<std::string>{"ok", "\xed\xa0\x80"});
  EXPECT_EQ(bad_array.to_bytes().error().code(), ErrorCode::kBadUtf8);
  GgufWriter empty_key;
  empty_key.set_u8("", 1);
  EXPECT_EQ(empty_key.to_bytes().error().code(), ErrorCode::kInvalidArgument);
  GgufWriter bad_align;
  bad_align.set_u32("general.alignment", 12);
  EXPECT_EQ(bad_align.to_bytes().error().code(), ErrorCode::kMisaligned);
  GgufWriter align_type;
  align_type.set_u64("general.alignment", 64);
  EXPECT_EQ(align_type.to_bytes().error().code(), ErrorCode::kTypeMismatch);
}

TEST(GgufWriter, WriteToAMissingDirectoryIsAnIoError) {
  GgufWriter w;
  w.set_u8("k", 1);
  auto s = w.write("/nonexistent-dir-fulcrum/x.gguf");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kIo);
}

TEST(GgufWriter, EmptyFileRoundTrips) {
  GgufWriter w;
  GgufFile f = read_back(w);
  EXPECT_EQ(f.metadata().size(), 0u);
  EXPECT_EQ(f.tensors().size(), 0u);
  EXPECT_EQ(f.file_size(), 24u);
}

// A real model copied key by key and tensor by tensor reads back identical.
TEST(GgufWriter, CopyOfARealModelIsIdentical) {
  auto src = GgufFile::open(fulcrum::testing::testdata_path("models/kjv-tiny-q4_k_m.gguf"));
  ASSERT_TRUE(src.ok()) << src.error().to_string();
  GgufWriter w;
  w.copy_metadata(*src);
  for (const auto& t : src->tensors())
    ASSERT_TRUE(
        w.add_tensor(t.name, t.type, std::span<const uint64_t>(t.ne.data(), t.n_dims), t.data)
            .ok());
  std::string path = temp_path("copy.gguf");
  ASSERT_TRUE(w.write(path).ok());
  auto dst = GgufFile::open(path);
  ASSERT_TRUE(dst.ok()) << dst.error().to_string();
  ASSERT_EQ(dst->metadata().size(), src->metadata().size());
  for (size_t i = 0; i < src->metadata().size(); ++i) {
    const auto& a = src->metadata()[i];
    const auto& b = dst->metadata()[i];
    EXPECT_EQ(a.key, b.key);
    EXPECT_EQ(a.value.type(), b.value.type());
    EXPECT_EQ(WriteValue::from(a.value).payload(), WriteValue::from(b.value).payload()) << a.key;
  }
  ASSERT_EQ(dst->tensors().size(), src->tensors().size());
  for (size_t i = 0; i < src->tensors().size(); ++i) {
    const auto& a = src->tensors()[i];
    const auto& b = dst->tensors()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.ne, b.ne);
    EXPECT_EQ(a.offset, b.offset);  // same packing rule as llama.cpp's writer
    ASSERT_EQ(a.n_bytes, b.n_bytes);
    EXPECT_EQ(std::memcmp(a.data, b.data, a.n_bytes), 0) << a.name;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace fulcrum::gguf
