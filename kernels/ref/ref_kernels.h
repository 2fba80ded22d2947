// The scalar reference kernels: the definition of every format. One function per type and
// operation; kernels.cpp puts them in the dispatch table and the SIMD versions are tested
// against them. n is always a multiple of the type's block size.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fulcrum::kernels::ref {

// Decode n elements into f32.
void dequant_f32(const void* src, float* dst, int64_t n);
void dequant_f16(const void* src, float* dst, int64_t n);
void dequant_bf16(const void* src, float* dst, int64_t n);
void dequant_q4_0(const void* src, float* dst, int64_t n);
void dequant_q4_1(const void* src, float* dst, int64_t n);
void dequant_q5_0(const void* src, float* dst, int64_t n);
void dequant_q5_1(const void* src, float* dst, int64_t n);
void dequant_q8_0(const void* src, float* dst, int64_t n);
void dequant_q8_1(const void* src, float* dst, int64_t n);
void dequant_iq4_nl(const void* src, float* dst, int64_t n);
void dequant_q2_k(const void* src, float* dst, int64_t n);
void dequant_q3_k(const void* src, float* dst, int64_t n);
void dequant_q4_k(const void* src, float* dst, int64_t n);
void dequant_q5_k(const void* src, float* dst, int64_t n);
void dequant_q6_k(const void* src, float* dst, int64_t n);
void dequant_q8_k(const void* src, float* dst, int64_t n);

// Encode n floats; imatrix (nullable) = per-column importance, n of them. With an imatrix the
// row statistics are taken over the n values passed, so pass one row at a time. Returns bytes.
size_t quant_f32(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_f16(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_bf16(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q4_0(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q4_1(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q5_0(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q5_1(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q8_0(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q8_1(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_iq4_nl(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q2_k(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q3_k(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q4_k(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q5_k(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q6_k(const float* src, void* dst, int64_t n, const float* imatrix);
size_t quant_q8_k(const float* src, void* dst, int64_t n, const float* imatrix);

// Dot product of a weight row with an activation row of the weight type's vec_dot type.
float dot_f32(int64_t n, const void* w, const void* x);     // x: f32
float dot_f16(int64_t n, const void* w, const void* x);     // x: f16
float dot_bf16(int64_t n, const void* w, const void* x);    // x: bf16
float dot_q4_0(int64_t n, const void* w, const void* x);    // x: q8_0
float dot_q4_1(int64_t n, const void* w, const void* x);    // x: q8_1
float dot_q5_0(int64_t n, const void* w, const void* x);    // x: q8_0
float dot_q5_1(int64_t n, const void* w, const void* x);    // x: q8_1
float dot_q8_0(int64_t n, const void* w, const void* x);    // x: q8_0
float dot_iq4_nl(int64_t n, const void* w, const void* x);  // x: q8_0
float dot_q2_k(int64_t n, const void* w, const void* x);    // x: q8_k
float dot_q3_k(int64_t n, const void* w, const void* x);    // x: q8_k
float dot_q4_k(int64_t n, const void* w, const void* x);    // x: q8_k
float dot_q5_k(int64_t n, const void* w, const void* x);    // x: q8_k
float dot_q6_k(int64_t n, const void* w, const void* x);    // x: q8_k

}  // namespace fulcrum::kernels::ref
