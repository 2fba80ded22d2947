// The tensor element types of the GGUF format (ids as written in the file) and their block
// layout: how many elements one block holds and how many bytes it takes. This is data, shared
// by the GGUF reader (to size and validate tensors) and by the kernels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fulcrum::kernels {

enum class GgmlType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  kMXFP4 = 39,
};

struct GgmlTypeTraits {
  GgmlType type;
  std::string_view name;  // as llama.cpp prints it: "f32", "q4_K", ...
  uint32_t block_size;    // elements per block
  uint32_t type_size;     // bytes per block
};

// Traits for a raw type id from a file; nullopt for ids that are not (or no longer) types.
std::optional<GgmlTypeTraits> ggml_type_traits(uint32_t id);
const GgmlTypeTraits& ggml_traits(GgmlType t);  // t must be a valid enumerator
std::string_view ggml_type_name(GgmlType t);
// Parses a type name, case-insensitively ("Q4_K", "q4_k", "f16").
std::optional<GgmlType> ggml_type_from_name(std::string_view name);

// Bytes for n elements of type t (n must be a multiple of the block size); nullopt on overflow
// or when n is not a whole number of blocks.
std::optional<uint64_t> ggml_row_size(GgmlType t, uint64_t n);

}  // namespace fulcrum::kernels
