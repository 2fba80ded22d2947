// Scalar dequantization: the definition of what each block layout means.
#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/ref_kernels.h"

namespace fulcrum::kernels::ref {

void dequant_f32(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, n * 4);
}

void dequant_f16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = half_to_float(h[i]);
}

void dequant_bf16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_float(h[i]);
}

void dequant_q4_0(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ4_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = half_to_float(b[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = d * ((b[i].qs[j] & 0xF) - 8);
      y[j + 16] = d * ((b[i].qs[j] >> 4) - 8);
    }
  }
}

void dequant_q4_1(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ4_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = half_to_float(b[i].d), m = half_to_float(b[i].m);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = d * (b[i].qs[j] & 0xF) + m;
      y[j + 16] = d * (b[i].qs[j] >> 4) + m;
    }
  }
}

namespace {
// The 5-bit level of element j (0..31) of a Q5 block.
inline int q5_level(const uint8_t* qs, uint32_t qh, int j) {
  const int low = j < 16 ? (qs[j] & 0xF) : (qs[j - 16] >> 4);
  return low | static_cast<int>(((qh >> j) & 1) << 4);
}
}  // namespace

void dequant_q5_0(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ5_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = half_to_float(b[i].d);
    uint32_t qh;
    std::memcpy(&qh, b[i].qh, 4);
    for (int j = 0; j < kQK; ++j) y[j] = d * (q5_level(b[i].qs, qh, j) - 16);
  }
}

void dequant_q5_1(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ5_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = half_to_float(b[i].d), m = half_to_float(b[i].m);
    uint32_t qh;
    std::memcpy(&qh, b[i].qh, 4);
    for (int j = 0; j < kQK; ++j) y[j] = d * q5_level(b[i].qs, qh, j) + m;
  }
}

void dequant_q8_0(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = half_to_float(b[i].d);
    for (int j = 0; j < kQK; ++j) y[j] = d * b[i].qs[j];
  }
}

void dequant_q8_1(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ8_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = half_to_float(b[i].d);
    for (int j = 0; j < kQK; ++j) y[j] = d * b[i].qs[j];
  }
}

void dequant_iq4_nl(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockIQ4_NL*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = half_to_float(b[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = d * kIQ4NLValues[b[i].qs[j] & 0xF];
      y[j + 16] = d * kIQ4NLValues[b[i].qs[j] >> 4];
    }
  }
}

// Q2_K / Q3_K: element e of a super-block sits in qs[(e/128)*32 + e%32], bits 2*((e%128)/32).
void dequant_q2_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ2_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, y += kQK_K) {
    const float d = half_to_float(b[i].d), dmin = half_to_float(b[i].dmin);
    for (int e = 0; e < kQK_K; ++e) {
      const int q = (b[i].qs[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
      const uint8_t sc = b[i].scales[e / 16];
      y[e] = d * (sc & 0xF) * q - dmin * (sc >> 4);
    }
  }
}

void dequant_q3_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ3_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, y += kQK_K) {
    const float d = half_to_float(b[i].d);
    int8_t sc[16];
    q3k_scales(b[i].scales, sc);
    for (int e = 0; e < kQK_K; ++e) {
      const int low = (b[i].qs[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
      const int high = (b[i].hmask[e % 32] >> (e / 32)) & 1;
      y[e] = d * sc[e / 16] * (low - (high ? 0 : 4));
    }
  }
}

// Q4_K / Q5_K: element e is in qs[(e/64)*32 + e%32], low nibble for (e%64) < 32.
void dequant_q4_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ4_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, y += kQK_K) {
    const float d = half_to_float(b[i].d), dmin = half_to_float(b[i].dmin);
    for (int s = 0; s < 8; ++s) {
      uint8_t sc, m;
      k4_scale_min(s, b[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      const uint8_t* q = b[i].qs + (s / 2) * 32;
      for (int l = 0; l < 32; ++l) {
        const int v = (s & 1) ? (q[l] >> 4) : (q[l] & 0xF);
        y[s * 32 + l] = d1 * v - m1;
      }
    }
  }
}

void dequant_q5_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ5_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, y += kQK_K) {
    const float d = half_to_float(b[i].d), dmin = half_to_float(b[i].dmin);
    for (int s = 0; s < 8; ++s) {
      uint8_t sc, m;
      k4_scale_min(s, b[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      const uint8_t* q = b[i].qs + (s / 2) * 32;
      for (int l = 0; l < 32; ++l) {
        int v = (s & 1) ? (q[l] >> 4) : (q[l] & 0xF);
        v |= ((b[i].qh[l] >> s) & 1) << 4;
        y[s * 32 + l] = d1 * v - m1;
      }
    }
  }
}

// Q6_K: element e: half h = e/128, r = e%128, quarter k = r/32, l = r%32; low nibble from
// ql[h*64 + (k&1)*32 + l] (>>4 for k >= 2), high 2 bits from qh[h*32 + l] >> 2k.
void dequant_q6_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ6_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, y += kQK_K) {
    const float d = half_to_float(b[i].d);
    for (int e = 0; e < kQK_K; ++e) {
      const int h = e / 128, k = (e % 128) / 32, l = e % 32;
      const uint8_t lo = b[i].ql[h * 64 + (k & 1) * 32 + l];
      const int low = k >= 2 ? (lo >> 4) : (lo & 0xF);
      const int high = (b[i].qh[h * 32 + l] >> (2 * k)) & 3;
      y[e] = d * b[i].scales[e / 16] * ((low | (high << 4)) - 32);
    }
  }
}

void dequant_q8_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ8_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, y += kQK_K)
    for (int j = 0; j < kQK_K; ++j) y[j] = b[i].d * b[i].qs[j];
}

}  // namespace fulcrum::kernels::ref
