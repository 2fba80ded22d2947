// Malformed GGUF files, one per validation rule of the reader, each built with GgufByteBuilder /
// GgufWriter and checked to be rejected with the expected ErrorCode and an error that names the
// file, the byte offset and the field. Plus truncation of valid files at every structural
// boundary and at every byte of a small one.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gguf/gguf_byte_builder.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tests/support/testdata.h"

namespace fulcrum::gguf {
namespace {

using kernels::GgmlType;
using B = GgufByteBuilder;

constexpr uint64_t kHuge = uint64_t{1} << 63;

uint32_t vt(ValueType t) {
  return static_cast<uint32_t>(t);
}
uint32_t tt(GgmlType t) {
  return static_cast<uint32_t>(t);
}

// A file whose metadata is the given builder content, no tensors.
std::string kv_file(uint64_t n_kv, const std::function<void(B&)>& body) {
  B b;
  b.header(3, 0, n_kv);
  body(b);
  return b.take();
}

// One tensor info (+ aligned data of `data_bytes` bytes), one key: general.architecture.
std::string tensor_file(const std::function<void(B&)>& info, uint64_t data_bytes,
                        uint64_t n_tensors = 1) {
  B b;
  b.header(3, n_tensors, 1).kv("general.architecture", WriteValue::string("llama"));
  info(b);
  b.pad_to(kDefaultAlignment).zeros(data_bytes, '\x11');
  return b.take();
}

std::vector<uint64_t> dims(std::initializer_list<uint64_t> d) {
  return d;
}

struct MalformedCase {
  const char* name;
  std::function<std::string()> build;
  ErrorCode code;
  const char* field_part;  // substring the error's field must contain
};

std::vector<MalformedCase> malformed_cases() {
  auto f32_info = [](std::string_view name, uint64_t offset) {
    return [name, offset](B& b) {
      b.tensor_info(name, 2, dims({8, 2}), tt(GgmlType::kF32), offset);
    };
  };
  return {
      // --- header
      {"empty_file", [] { return std::string(); }, ErrorCode::kTruncated, "magic"},
      {"short_magic", [] { return std::string("GGU"); }, ErrorCode::kTruncated, "magic"},
      {"wrong_magic", [] { return B().raw("GGML").u32(3).u64(0).u64(0).take(); },
       ErrorCode::kBadMagic, "magic"},
      {"lowercase_magic", [] { return B().raw("gguf").u32(3).u64(0).u64(0).take(); },
       ErrorCode::kBadMagic, "magic"},
      {"version_1", [] { return B().header(1, 0, 0).take(); }, ErrorCode::kBadVersion, "version"},
      {"version_4", [] { return B().header(4, 0, 0).take(); }, ErrorCode::kBadVersion, "version"},
      {"version_big_endian_3", [] { return B().header(0x03000000, 0, 0).take(); },
       ErrorCode::kBadVersion, "version"},
      {"truncated_in_version", [] { return B().raw("GGUF").u16(3).take(); }, ErrorCode::kTruncated,
       "version"},
      {"truncated_in_n_tensors", [] { return B().raw("GGUF").u32(3).u32(0).take(); },
       ErrorCode::kTruncated, "n_tensors"},
      {"truncated_in_n_kv", [] { return B().raw("GGUF").u32(3).u64(0).u32(0).take(); },
       ErrorCode::kTruncated, "n_kv"},
      {"n_kv_overflows", [] { return B().header(3, 0, kHuge).take(); }, ErrorCode::kOverflow,
       "n_kv"},
      {"n_kv_past_end", [] { return B().header(3, 0, 1000).zeros(100).take(); },
       ErrorCode::kTruncated, "n_kv"},
      {"n_tensors_overflows", [] { return B().header(3, kHuge, 0).take(); }, ErrorCode::kOverflow,
       "n_tensors"},
      {"n_tensors_past_end", [] { return B().header(3, 1000, 0).zeros(100).take(); },
       ErrorCode::kTruncated, "n_tensors"},
      // --- metadata keys
      {"key_length_overflows",
       [] { return kv_file(1, [](B& b) { b.str_len(~uint64_t{0}, "abc").zeros(16); }); },
       ErrorCode::kOverflow, "key"},
      {"key_length_past_end",
       [] { return kv_file(1, [](B& b) { b.str_len(1000, "abc").zeros(16); }); },
       ErrorCode::kTruncated, "key"},
      {"empty_key", [] { return kv_file(1, [](B& b) { b.kv("", WriteValue::u32(1)); }); },
       ErrorCode::kParse, "key"},
      {"key_bad_utf8",
       [] { return kv_file(1, [](B& b) { b.kv("general.\xff", WriteValue::u32(1)); }); },
       ErrorCode::kBadUtf8, "key"},
      {"key_overlong_utf8",
       [] { return kv_file(1, [](B& b) { b.kv("a\xc0\xaf", WriteValue::u32(1)); }); },
       ErrorCode::kBadUtf8, "key"},
      {"key_surrogate_utf8",
       [] { return kv_file(1, [](B& b) { b.kv("a\xed\xa0\x80", WriteValue::u32(1)); }); },
       ErrorCode::kBadUtf8, "key"},
      {"key_truncated_utf8",
       [] { return kv_file(1, [](B& b) { b.kv("a\xe2\x82", WriteValue::u32(1)); }); },
       ErrorCode::kBadUtf8, "key"},
      {"duplicate_key",
       [] {
         return kv_file(2, [](B& b) {
           b.kv("general.name", WriteValue::string("a")).kv("general.name", WriteValue::u8(1));
         });
       },
       ErrorCode::kDuplicate, "general.name"},
      // --- metadata values
      {"unknown_value_type",
       [] { return kv_file(1, [](B& b) { b.kv_raw("k", 13, std::string(16, '\0')); }); },
       ErrorCode::kUnknownType, "k"},
      {"unknown_value_type_max",
       [] { return kv_file(1, [](B& b) { b.kv_raw("k", 0xffffffffu, std::string(16, '\0')); }); },
       ErrorCode::kUnknownType, "k"},
      {"truncated_in_value_type", [] { return kv_file(1, [](B& b) { b.str("k").u16(4); }); },
       ErrorCode::kTruncated, "k"},
      {"truncated_scalar_value",
       [] { return kv_file(1, [](B& b) { b.str("k").u32(vt(ValueType::kUint64)).u32(7); }); },
       ErrorCode::kTruncated, "k"},
      {"bool_value_not_0_or_1",
       [] { return kv_file(1, [](B& b) { b.str("k").u32(vt(ValueType::kBool)).u8(2); }); },
       ErrorCode::kTypeMismatch, "k"},
      {"string_value_past_end",
       [] {
         return kv_file(1, [](B& b) { b.str("k").u32(vt(ValueType::kString)).str_len(64, "x"); });
       },
       ErrorCode::kTruncated, "k"},
      {"string_value_length_overflows",
       [] {
         return kv_file(1,
                        [](B& b) { b.str("k").u32(vt(ValueType::kString)).str_len(kHuge, "x"); });
       },
       ErrorCode::kOverflow, "k"},
      {"string_value_bad_utf8",
       [] { return kv_file(1, [](B& b) { b.kv("k", WriteValue::string("ok\x80")); }); },
       ErrorCode::kBadUtf8, "k"},
      {"array_unknown_element_type",
       [] {
         return kv_file(1, [](B& b) { b.str("k").u32(vt(ValueType::kArray)).u32(99).u64(0); });
       },
       ErrorCode::kUnknownType, "k"},
      {"array_count_overflows",
       [] {
         return kv_file(1, [](B& b) {
           b.str("k").u32(vt(ValueType::kArray)).u32(vt(ValueType::kUint64)).u64(kHuge).zeros(8);
         });
       },
       ErrorCode::kOverflow, "k"},
      {"array_count_past_end",
       [] {
         return kv_file(1, [](B& b) {
           b.str("k").u32(vt(ValueType::kArray)).u32(vt(ValueType::kInt32)).u64(100).zeros(8);
         });
       },
       ErrorCode::kTruncated, "k"},
      {"string_array_count_past_end",
       [] {
         return kv_file(1, [](B& b) {
           b.str("k").u32(vt(ValueType::kArray)).u32(vt(ValueType::kString)).u64(1u << 20);
           b.str("a").str("b");
         });
       },
       ErrorCode::kTruncated, "k"},
      {"string_array_element_past_end",
       [] {
         return kv_file(1, [](B& b) {
           b.str("k").u32(vt(ValueType::kArray)).u32(vt(ValueType::kString)).u64(2);
           b.str("a").str_len(500, "b").zeros(8);
         });
       },
       ErrorCode::kTruncated, "'k'[1]"},
      {"string_array_element_bad_utf8",
       [] {
         std::vector<std::string> v = {"fine", "\xf8\x88\x80\x80\x80"};
         return kv_file(1, [&](B& b) { b.kv("tokens", WriteValue::string_array(v)); });
       },
       ErrorCode::kBadUtf8, "'tokens'[1]"},
      {"bool_array_element_not_0_or_1",
       [] {
         return kv_file(1, [](B& b) {
           b.str("k").u32(vt(ValueType::kArray)).u32(vt(ValueType::kBool)).u64(3).u8(1).u8(0).u8(7);
         });
       },
       ErrorCode::kTypeMismatch, "'k'[2]"},
      {"nested_array_count_past_end",
       [] {
         return kv_file(1, [](B& b) {
           b.str("k").u32(vt(ValueType::kArray)).u32(vt(ValueType::kArray)).u64(1);
           b.u32(vt(ValueType::kUint8)).u64(1000).zeros(4);
         });
       },
       ErrorCode::kTruncated, "'k'[0]"},
      {"nested_arrays_too_deep",
       [] {
         return kv_file(1, [](B& b) {
           b.str("k").u32(vt(ValueType::kArray));
           for (int i = 0; i < 64; ++i) b.u32(vt(ValueType::kArray)).u64(1);
           b.u32(vt(ValueType::kUint8)).u64(0);
         });
       },
       ErrorCode::kOverflow, "k"},
      {"alignment_zero",
       [] { return kv_file(1, [](B& b) { b.kv("general.alignment", WriteValue::u32(0)); }); },
       ErrorCode::kMisaligned, "general.alignment"},
      {"alignment_not_power_of_two",
       [] { return kv_file(1, [](B& b) { b.kv("general.alignment", WriteValue::u32(48)); }); },
       ErrorCode::kMisaligned, "general.alignment"},
      {"alignment_wrong_type",
       [] { return kv_file(1, [](B& b) { b.kv("general.alignment", WriteValue::string("32")); }); },
       ErrorCode::kTypeMismatch, "general.alignment"},
      // --- tensor infos
      {"tensor_name_past_end",
       [] { return tensor_file([](B& b) { b.str_len(4096, "w").zeros(8); }, 0); },
       ErrorCode::kTruncated, "tensor[0].name"},
      {"tensor_name_length_overflows",
       [] { return tensor_file([](B& b) { b.str_len(~uint64_t{0} - 3, "w").zeros(32); }, 0); },
       ErrorCode::kOverflow, "tensor[0].name"},
      {"tensor_name_empty", [f32_info] { return tensor_file(f32_info("", 0), 64); },
       ErrorCode::kParse, "tensor"},
      {"tensor_name_bad_utf8", [f32_info] { return tensor_file(f32_info("w\xc3", 0), 64); },
       ErrorCode::kBadUtf8, "tensor[0].name"},
      {"n_dims_zero",
       [] {
         return tensor_file([](B& b) { b.tensor_info("w", 0, dims({8}), tt(GgmlType::kF32), 0); },
                            64);
       },
       ErrorCode::kBadShape, "n_dims"},
      {"n_dims_five",
       [] {
         return tensor_file(
             [](B& b) {
               b.tensor_info("w", 5, dims({8, 1, 1, 1, 1}), tt(GgmlType::kF32), 0);
             },
             64);
       },
       ErrorCode::kBadShape, "n_dims"},
      {"n_dims_huge",
       [] {
         return tensor_file(
             [](B& b) { b.tensor_info("w", 0xffffffffu, dims({8}), tt(GgmlType::kF32), 0); }, 64);
       },
       ErrorCode::kBadShape, "n_dims"},
      {"zero_dim",
       [] {
         return tensor_file(
             [](B& b) {
               b.tensor_info("w", 2, dims({8, 0}), tt(GgmlType::kF32), 0);
             },
             64);
       },
       ErrorCode::kBadShape, "ne[1]"},
      {"dims_product_overflows",
       [] {
         return tensor_file(
             [](B& b) {
               b.tensor_info("w", 3, dims({1ull << 32, 1ull << 32, 16}), tt(GgmlType::kF32), 0);
             },
             64);
       },
       ErrorCode::kOverflow, "ne["},
      {"single_dim_overflows",
       [] {
         return tensor_file(
             [](B& b) { b.tensor_info("w", 1, dims({~uint64_t{0}}), tt(GgmlType::kI8), 0); }, 64);
       },
       ErrorCode::kOverflow, "ne[0]"},
      {"truncated_in_dims",
       [] {
         B b;
         b.header(3, 1, 0).str("weight.long.name").u32(4).u64(8).u64(1);
         return b.take();  // n_dims says 4, the file ends after 2
       },
       ErrorCode::kTruncated, "ne[2]"},
      {"unknown_tensor_type",
       [] { return tensor_file([](B& b) { b.tensor_info("w", 1, dims({32}), 1000, 0); }, 128); },
       ErrorCode::kUnknownType, "type"},
      {"removed_tensor_type_q4_2",
       [] { return tensor_file([](B& b) { b.tensor_info("w", 1, dims({32}), 4, 0); }, 128); },
       ErrorCode::kUnknownType, "type"},
      {"row_not_whole_blocks",
       [] {
         return tensor_file(
             [](B& b) {
               b.tensor_info("w", 2, dims({33, 2}), tt(GgmlType::kQ4_0), 0);
             },
             128);
       },
       ErrorCode::kBadShape, "ne[0]"},
      {"tensor_offset_misaligned", [f32_info] { return tensor_file(f32_info("w", 4), 128); },
       ErrorCode::kMisaligned, "offset"},
      {"tensor_offset_misaligned_custom_alignment",
       [] {
         B b;
         b.header(3, 1, 1).kv("general.alignment", WriteValue::u32(256));
         b.tensor_info("w", 1, dims({8}), tt(GgmlType::kF32), 32);
         b.pad_to(256).zeros(512);
         return b.take();
       },
       ErrorCode::kMisaligned, "offset"},
      {"duplicate_tensor_name",
       [] {
         return tensor_file(
             [](B& b) {
               b.tensor_info("w", 1, dims({8}), tt(GgmlType::kF32), 0);
               b.tensor_info("w", 1, dims({8}), tt(GgmlType::kF32), 32);
             },
             64, 2);
       },
       ErrorCode::kDuplicate, "tensor 'w'"},
      // --- tensor data
      {"tensor_data_past_end", [f32_info] { return tensor_file(f32_info("w", 0), 63); },
       ErrorCode::kOutOfBounds, "data"},
      {"tensor_data_far_outside", [f32_info] { return tensor_file(f32_info("w", 1 << 20), 64); },
       ErrorCode::kOutOfBounds, "data"},
      {"tensor_offset_plus_size_overflows",
       [f32_info] { return tensor_file(f32_info("w", ~uint64_t{0} - 31), 64); },
       ErrorCode::kOverflow, "data"},
      {"tensor_data_missing",
       [] {
         B b;
         b.header(3, 1, 0).tensor_info("w", 1, dims({8}), tt(GgmlType::kF32), 0);
         return b.take();  // ends before the aligned data section starts
       },
       ErrorCode::kTruncated, "tensor data"},
      {"tensor_data_overlaps",
       [] {
         return tensor_file(
             [](B& b) {
               b.tensor_info("a", 1, dims({16}), tt(GgmlType::kF32), 0);   // [0, 64)
               b.tensor_info("b", 1, dims({16}), tt(GgmlType::kF32), 32);  // [32, 96)
             },
             128, 2);
       },
       ErrorCode::kOverlap, "tensor 'b'"},
      {"tensor_data_same_offset",
       [] {
         return tensor_file(
             [](B& b) {
               b.tensor_info("a", 1, dims({8}), tt(GgmlType::kF32), 64);
               b.tensor_info("b", 1, dims({8}), tt(GgmlType::kF32), 64);
             },
             128, 2);
       },
       ErrorCode::kOverlap, "data"},
  };
}

void PrintTo(const MalformedCase& c, std::ostream* os) {
  *os << c.name;
}

class Malformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(Malformed, IsRejectedWithCodeOffsetAndField) {
  const MalformedCase& c = GetParam();
  std::string bytes = c.build();
  auto f = GgufFile::from_bytes(bytes, std::string("bad-") + c.name + ".gguf");
  ASSERT_FALSE(f.ok()) << c.name << " was accepted";
  const Error& e = f.error();
  EXPECT_EQ(e.code(), c.code) << c.name << ": got " << e.to_string();
  EXPECT_EQ(e.file(), std::string("bad-") + c.name + ".gguf");
  EXPECT_GE(e.offset(), 0) << e.to_string();
  EXPECT_LE(e.offset(), static_cast<int64_t>(bytes.size())) << e.to_string();
  EXPECT_NE(e.field().find(c.field_part), std::string::npos)
      << c.name << ": field '" << e.field() << "' lacks '" << c.field_part << "'";
  EXPECT_FALSE(e.message().empty());
  std::string s = e.to_string();
  EXPECT_NE(s.find(e.file()), std::string::npos) << s;
  EXPECT_NE(s.find(std::to_string(e.offset())), std::string::npos) << s;
  EXPECT_NE(s.find(e.field()), std::string::npos) << s;
}

INSTANTIATE_TEST_SUITE_P(Gguf, Malformed, ::testing::ValuesIn(malformed_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Malformed, AtLeastThirtyDistinctCases) {
  auto cases = malformed_cases();
  EXPECT_GE(cases.size(), 30u);
  std::set<std::string> distinct;
  for (const auto& c : cases) distinct.insert(c.build());
  EXPECT_EQ(distinct.size(), cases.size()) << "two cases build the same bytes";
}

TEST(Malformed, NamedOffsetsPointAtTheField) {
  // The offset of a bad version is the version field; of a bad second key, that key.
  auto v = GgufFile::from_bytes(B().header(7, 0, 0).take());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().offset(), 4);
  B b;
  b.header(3, 0, 2).kv("a", WriteValue::u8(1));
  size_t second = b.size();
  b.kv("a", WriteValue::u8(2));
  auto d = GgufFile::from_bytes(b.take());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kDuplicate);
  EXPECT_EQ(d.error().offset(), static_cast<int64_t>(second));
}

// ---- truncation -------------------------------------------------------------------------------

// A small valid file with a bit of everything: scalars, strings, arrays, nested arrays, tensors
// of several types (one quantized), a custom alignment.
GgufWriter small_writer(std::vector<std::vector<uint8_t>>* store) {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "tiny \xe2\x9c\x93");
  w.set_u32("llama.context_length", 128);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  w.set_bool("flag", true);
  std::vector<std::string> toks = {"<s>", "</s>", "a", ""};
  w.set_array_strings("tokenizer.ggml.tokens", toks);
  std::vector<int32_t> types = {3, 3, 1, 1};
  w.set_array_i32("tokenizer.ggml.token_type", types);
  auto inner = WriteValue::string_array(std::span<const std::string>(toks.data(), 2));
  std::vector<WriteValue> arrs = {inner, WriteValue::fixed_array(ValueType::kUint16, "abcd", 2)};
  w.set_value("nested", *WriteValue::array_of_arrays(arrs));
  EXPECT_TRUE(w.set_alignment(64).ok());
  store->push_back(std::vector<uint8_t>(4 * 8 * 3, 0x3c));
  store->push_back(std::vector<uint8_t>(34 * 2, 0x5a));  // q8_0: 2 blocks of 34 bytes
  EXPECT_TRUE(w.add_tensor("a", GgmlType::kF32, {8, 3}, (*store)[0].data()).ok());
  EXPECT_TRUE(w.add_tensor("b", GgmlType::kQ8_0, {64}, (*store)[1].data()).ok());
  return w;
}

// Truncating a valid file anywhere: before the data section it is kTruncated, inside the tensor
// data it is kOutOfBounds (data outside the file).
void expect_truncation_rejected(const std::string& full, uint64_t data_offset, uint64_t cut) {
  auto f = GgufFile::from_bytes(std::string_view(full).substr(0, cut), "cut.gguf");
  ASSERT_FALSE(f.ok()) << "truncated at " << cut << " of " << full.size() << " was accepted";
  ErrorCode want = cut < data_offset ? ErrorCode::kTruncated : ErrorCode::kOutOfBounds;
  EXPECT_EQ(f.error().code(), want) << "cut at " << cut << ": " << f.error().to_string();
  EXPECT_GE(f.error().offset(), 0);
  EXPECT_LE(f.error().offset(), static_cast<int64_t>(cut));
  EXPECT_FALSE(f.error().field().empty());
}

TEST(Truncation, EveryByteOfASmallFile) {
  std::vector<std::vector<uint8_t>> store;
  GgufWriter w = small_writer(&store);
  auto bytes = w.to_bytes();
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  auto layout = w.layout();
  ASSERT_TRUE(layout.ok());
  ASSERT_TRUE(GgufFile::from_bytes(*bytes).ok());
  ASSERT_LT(bytes->size(), 4096u);
  for (uint64_t cut = 0; cut < bytes->size(); ++cut)
    expect_truncation_rejected(*bytes, layout->data_offset, cut);
}

TEST(Truncation, EveryStructuralBoundaryOfTheSmallFile) {
  std::vector<std::vector<uint8_t>> store;
  GgufWriter w = small_writer(&store);
  auto bytes = w.to_bytes();
  auto layout = w.layout();
  ASSERT_TRUE(bytes.ok() && layout.ok());
  auto b = layout->boundaries();
  EXPECT_GE(b.size(), 20u);  // header fields, 8 keys × 2, 2 tensor infos, data, ...
  for (uint64_t cut : b)
    if (cut < bytes->size()) {
      expect_truncation_rejected(*bytes, layout->data_offset, cut);
      if (cut > 0) expect_truncation_rejected(*bytes, layout->data_offset, cut - 1);
    }
}

TEST(Truncation, EveryStructuralBoundaryOfARealModel) {
  // A real model from the test data, cut at every key, value, tensor info, the data section and
  // every tensor's data (and one byte before each).
  std::string path = fulcrum::testing::testdata_path("golden/models/synth-qwen2-Q2_K.gguf");
  auto real = GgufFile::open(path);
  ASSERT_TRUE(real.ok()) << real.error().to_string();
  std::string full(reinterpret_cast<const char*>(real->bytes()), real->file_size());
  std::vector<uint64_t> cuts = {0, 4, 8, 16, 24, real->data_offset()};
  for (const auto& kv : real->metadata()) cuts.push_back(kv.offset);
  for (const auto& t : real->tensors()) {
    cuts.push_back(t.info_offset);
    cuts.push_back(static_cast<uint64_t>(t.data - real->bytes()));
  }
  EXPECT_GT(cuts.size(), 40u);
  for (uint64_t cut : cuts) {
    expect_truncation_rejected(full, real->data_offset(), cut);
    if (cut > 0) expect_truncation_rejected(full, real->data_offset(), cut - 1);
  }
}

}  // namespace
}  // namespace fulcrum::gguf
