// Quantization from f32 for the float types and the 32-wide block types (Q4_0 .. Q8_1, IQ4_NL).
// Without an importance matrix these follow the reference rounding of the GGUF ecosystem
// (max-based scale, round to nearest); with one, a weighted search over scales.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/quant_search.h"
#include "kernels/ref/ref_kernels.h"

namespace fulcrum::kernels::ref {
namespace {

// Per-element weights qw[j] * sqrt(sigma2 + x^2) for an importance-matrix search; sigma2 is the
// mean square of the whole row.
float row_sigma2(const float* x, int64_t n) {
  float s = 0;
  for (int64_t j = 0; j < n; ++j) s += x[j] * x[j];
  return n ? s / n : 0.f;
}
void imatrix_weights(const float* xb, const float* qw, float sigma2, float* w) {
  for (int j = 0; j < kQK; ++j) w[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
}

void pack_nibbles(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < 16; ++j)
    qs[j] = static_cast<uint8_t>((L[j] & 0xF) | ((L[j + 16] & 0xF) << 4));
}
void pack_q5(const uint8_t* L, uint8_t* qs, uint8_t* qh_out) {
  uint32_t qh = 0;
  pack_nibbles(L, qs);
  for (int j = 0; j < kQK; ++j) qh |= static_cast<uint32_t>((L[j] >> 4) & 1) << j;
  std::memcpy(qh_out, &qh, 4);
}

// Symmetric max-based levels: d = max / -levels, q = clamp(trunc(x/d + levels + 0.5), 0,
// 2*levels-1).
uint16_t sym_levels_plain(const float* x, int levels, uint8_t* L) {
  float amax = 0, max = 0;
  for (int j = 0; j < kQK; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  const float d = max / -levels;
  const float id = d ? 1.0f / d : 0.0f;
  for (int j = 0; j < kQK; ++j) {
    const int q = static_cast<int8_t>(x[j] * id + (levels + 0.5f));
    L[j] = static_cast<uint8_t>(std::min(2 * levels - 1, q));
  }
  return float_to_half(d);
}

// Asymmetric min/max levels with 2^bits - 1 steps.
void asym_levels_plain(const float* x, int nmax, uint8_t* L, uint16_t* d_out, uint16_t* m_out) {
  float min = FLT_MAX, max = -FLT_MAX;
  for (int j = 0; j < kQK; ++j) {
    min = std::min(min, x[j]);
    max = std::max(max, x[j]);
  }
  const float d = (max - min) / nmax;
  const float id = d ? 1.0f / d : 0.0f;
  for (int j = 0; j < kQK; ++j) {
    const int q = static_cast<uint8_t>((x[j] - min) * id + 0.5f);
    L[j] = static_cast<uint8_t>(std::min(nmax, q));
  }
  *d_out = float_to_half(d);
  *m_out = float_to_half(min);
}

void sym_levels_weighted(const float* x, const float* w, int levels, uint8_t* L, uint16_t* d) {
  int8_t l8[kQK];
  const float scale = sym_quant_search(kQK, levels, x, l8, true, SymWeight::kSquare, w);
  for (int j = 0; j < kQK; ++j) L[j] = static_cast<uint8_t>(l8[j]);
  *d = float_to_half(scale);
}

void asym_levels_weighted(const float* x, const float* w, int nmax, uint8_t* L, uint16_t* d,
                          uint16_t* m) {
  uint8_t aux[kQK];
  float min;
  const float scale = asym_quant_search(kQK, nmax, x, w, L, &min, aux, -0.9f, 0.05f, 36, false);
  *d = float_to_half(scale);
  *m = float_to_half(-min);
}

}  // namespace

size_t quant_f32(const float* src, void* dst, int64_t n, const float*) {
  std::memcpy(dst, src, n * 4);
  return n * 4;
}

size_t quant_f16(const float* src, void* dst, int64_t n, const float*) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = float_to_half(src[i]);
  return n * 2;
}

size_t quant_bf16(const float* src, void* dst, int64_t n, const float*) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = float_to_bf16(src[i]);
  return n * 2;
}

size_t quant_q4_0(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ4_0*>(dst);
  const float sigma2 = imatrix ? row_sigma2(x, n) : 0.f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    uint8_t L[kQK];
    const float* xb = x + i * kQK;
    if (imatrix) {
      float w[kQK];
      imatrix_weights(xb, imatrix + i * kQK, sigma2, w);
      sym_levels_weighted(xb, w, 8, L, &b[i].d);
    } else {
      b[i].d = sym_levels_plain(xb, 8, L);
    }
    pack_nibbles(L, b[i].qs);
  }
  return (n / kQK) * sizeof(BlockQ4_0);
}

size_t quant_q4_1(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ4_1*>(dst);
  const float sigma2 = imatrix ? row_sigma2(x, n) : 0.f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    uint8_t L[kQK];
    const float* xb = x + i * kQK;
    if (imatrix) {
      float w[kQK];
      imatrix_weights(xb, imatrix + i * kQK, sigma2, w);
      asym_levels_weighted(xb, w, 15, L, &b[i].d, &b[i].m);
    } else {
      asym_levels_plain(xb, 15, L, &b[i].d, &b[i].m);
    }
    pack_nibbles(L, b[i].qs);
  }
  return (n / kQK) * sizeof(BlockQ4_1);
}

size_t quant_q5_0(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ5_0*>(dst);
  const float sigma2 = imatrix ? row_sigma2(x, n) : 0.f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    uint8_t L[kQK];
    const float* xb = x + i * kQK;
    if (imatrix) {
      float w[kQK];
      imatrix_weights(xb, imatrix + i * kQK, sigma2, w);
      sym_levels_weighted(xb, w, 16, L, &b[i].d);
    } else {
      b[i].d = sym_levels_plain(xb, 16, L);
    }
    pack_q5(L, b[i].qs, b[i].qh);
  }
  return (n / kQK) * sizeof(BlockQ5_0);
}

size_t quant_q5_1(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ5_1*>(dst);
  const float sigma2 = imatrix ? row_sigma2(x, n) : 0.f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    uint8_t L[kQK];
    const float* xb = x + i * kQK;
    if (imatrix) {
      float w[kQK];
      imatrix_weights(xb, imatrix + i * kQK, sigma2, w);
      asym_levels_weighted(xb, w, 31, L, &b[i].d, &b[i].m);
    } else {
      asym_levels_plain(xb, 31, L, &b[i].d, &b[i].m);
    }
    pack_q5(L, b[i].qs, b[i].qh);
  }
  return (n / kQK) * sizeof(BlockQ5_1);
}

size_t quant_q8_0(const float* x, void* dst, int64_t n, const float*) {
  auto* b = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    float amax = 0;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d ? 1.0f / d : 0.0f;
    b[i].d = float_to_half(d);
    for (int j = 0; j < kQK; ++j) b[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
  }
  return (n / kQK) * sizeof(BlockQ8_0);
}

size_t quant_q8_1(const float* x, void* dst, int64_t n, const float*) {
  auto* b = static_cast<BlockQ8_1*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    float amax = 0;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d ? 1.0f / d : 0.0f;
    int sum = 0;
    for (int j = 0; j < kQK; ++j) {
      b[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
      sum += b[i].qs[j];
    }
    b[i].d = float_to_half(d);
    b[i].s = float_to_half(sum * d);
  }
  return (n / kQK) * sizeof(BlockQ8_1);
}

// IQ4_NL: per block of 32, a weighted (x^2, or the imatrix) search over 15 candidate scales
// around max/values[0], levels picked as the nearest grid value.
size_t quant_iq4_nl(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockIQ4_NL*>(dst);
  const int8_t* values = kIQ4NLValues;
  constexpr int kTries = 7;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float* xb = x + i * kQK;
    float w[kQK];
    if (imatrix) {
      float s2 = 0;
      for (int j = 0; j < kQK; ++j) s2 += xb[j] * xb[j];
      imatrix_weights(xb, imatrix + i * kQK, s2 * 2.f / kQK, w);
    } else {
      for (int j = 0; j < kQK; ++j) w[j] = xb[j] * xb[j];
    }
    float amax = 0, max = 0;
    for (int j = 0; j < kQK; ++j) {
      if (std::fabs(xb[j]) > amax) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    uint8_t L[kQK] = {};
    float d = 0;
    if (amax >= 1e-15f) {
      float id = -values[0] / max;  // first try: the largest value on the top level
      float sumqx = 0, sumq2 = 0;
      for (int j = 0; j < kQK; ++j) {
        const float q = values[nearest_level(16, values, id * xb[j])];
        sumqx += w[j] * q * xb[j];
        sumq2 += w[j] * q * q;
      }
      d = sumqx / sumq2;
      float best = d * sumqx;
      for (int t = -kTries; t <= kTries; ++t) {
        id = (t + values[0]) / max;
        sumqx = sumq2 = 0;
        for (int j = 0; j < kQK; ++j) {
          const float q = values[nearest_level(16, values, id * xb[j])];
          sumqx += w[j] * q * xb[j];
          sumq2 += w[j] * q * q;
        }
        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
          d = sumqx / sumq2;
          best = d * sumqx;
        }
      }
      const float inv = d ? 1 / d : 0.f;
      for (int j = 0; j < kQK; ++j)
        L[j] = static_cast<uint8_t>(nearest_level(16, values, inv * xb[j]));
    }
    b[i].d = float_to_half(d);
    pack_nibbles(L, b[i].qs);
  }
  return (n / kQK) * sizeof(BlockIQ4_NL);
}

}  // namespace fulcrum::kernels::ref
