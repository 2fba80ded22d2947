// The public kernel API: dequantize / quantize rows, quantized dot products and the matmul the
// engine spends its time in. Every function dispatches on the weight type; the scalar code in
// kernels/ref/ is the definition, kernels/x86/ holds AVX2 / AVX-512 versions chosen at run time.
// These are pure functions on raw memory: no allocation, no errors (callers validate types with
// is_supported() and sizes with ggml_row_size() first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/thread_pool.h"
#include "kernels/ggml_type.h"

namespace fulcrum::kernels {

// True when the type has dequantize, quantize and dot product here.
bool is_supported(GgmlType t);

// Decodes n elements (a multiple of the block size) of type t into f32.
void dequantize_row(GgmlType t, const void* src, float* dst, int64_t n);

// Quantizes n floats (n a multiple of the block size) into dst; imatrix (nullable) = importance
// weights per column (n of them). Returns bytes written.
size_t quantize_row(GgmlType t, const float* src, void* dst, int64_t n,
                    const float* imatrix = nullptr);

// The activation format the dot product of a weight type uses (Q8_0, Q8_1, Q8_K, F16 or F32).
GgmlType vec_dot_type(GgmlType weight_type);
// Bytes of one activation row of n elements for the weight type.
size_t activation_row_size(GgmlType weight_type, int64_t n);
// Converts n f32 activations into the weight type's vec_dot_type.
void quantize_activation(GgmlType weight_type, const float* x, void* dst, int64_t n);
// Dot product of one weight row with one activation row (from quantize_activation), n elements.
float vec_dot(GgmlType weight_type, int64_t n, const void* w_row, const void* x_act);

// Y[t*n_rows + r] = dot(W row r, X row t), W is n_rows × n_cols of type w_type (row-major, rows
// contiguous), X is n_tokens × n_cols f32. Activations are quantized once into `scratch`
// (size >= matmul_scratch_size(w_type, n_cols, n_tokens)), work split across the pool
// (pool may be null: single-threaded).
void matmul(GgmlType w_type, const void* W, int64_t n_rows, int64_t n_cols, const float* X,
            int64_t n_tokens, float* Y, void* scratch, ThreadPool* pool);
size_t matmul_scratch_size(GgmlType w_type, int64_t n_cols, int64_t n_tokens);

// Scalar conversions (IEEE half with round-to-nearest-even; bf16 rounds to nearest even, NaN kept
// a quiet NaN).
float fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(float f);
float bf16_to_fp32(uint16_t h);
uint16_t fp32_to_bf16(float f);

// Which SIMD level the dispatcher picked ("avx512", "avx2", "scalar"): for logs and benches.
// FULCRUM_SIMD=scalar|avx2 in the environment lowers it (never above what the CPU has).
const char* simd_level();

// The dot product of one level ("scalar", "avx2", "avx512"), or nullptr when this CPU lacks the
// level or the level has no kernel for the type: for tests and benches that compare levels.
using VecDotFn = float (*)(int64_t n, const void* w_row, const void* x_act);
VecDotFn vec_dot_at_level(GgmlType weight_type, std::string_view level);

}  // namespace fulcrum::kernels
