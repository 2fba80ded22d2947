// Quantization from f32 for the K types (256-element super-blocks whose sub-block scales are
// themselves quantized). Without an importance matrix: per sub-block searches weighted as the
// reference K-quantizers do (|x| for Q2_K, x^2 refinement for Q3_K, rms+|x| for Q4_K/Q5_K,
// x^2 for Q6_K), then the sub-block scales quantized against the largest one and the levels
// recomputed with the rounded scales. With one: imatrix-weighted searches for levels and scales.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/quant_search.h"
#include "kernels/ref/ref_kernels.h"

namespace fulcrum::kernels::ref {
namespace {

// 2-bit packing shared by Q2_K and Q3_K: element e at qs[(e/128)*32 + e%32], shift 2*((e%128)/32).
void pack_2bit(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < kQK_K; j += 128)
    for (int l = 0; l < 32; ++l)
      qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) |
                                           (L[j + l + 96] << 6));
}

// Q4_K/Q5_K six-bit scale and min packing of sub-block j.
void pack_k4_scale(uint8_t* scales, int j, uint8_t ls, uint8_t lm) {
  if (j < 4) {
    scales[j] = ls;
    scales[j + 4] = lm;
  } else {
    scales[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
    scales[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
    scales[j] |= static_cast<uint8_t>((lm >> 4) << 6);
  }
}

float sum_sq(const float* x, int n) {
  float s = 0;
  for (int i = 0; i < n; ++i) s += x[i] * x[i];
  return s;
}

// Shared by Q4_K (nmax 15) and Q5_K (nmax 31): fills the 8 scales/mins, d, dmin and the levels
// L[256] in [0, nmax].
void k4_block(const float* x, const float* qw, int nmax, float rmin, int nstep, uint16_t* d_out,
              uint16_t* dmin_out, uint8_t* packed_scales, uint8_t* L) {
  float scales[8], mins[8], sw[8], weights[32];
  uint8_t aux[32];
  const float sigma2 = 2 * sum_sq(x, kQK_K) / kQK_K;
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + 32 * j;
    if (qw) {
      for (int l = 0; l < 32; ++l) weights[l] = qw[32 * j + l] * std::sqrt(sigma2 + xs[l] * xs[l]);
      sw[j] = 0;
      for (int l = 0; l < 32; ++l) sw[j] += weights[l];
      scales[j] = asym_quant_search(32, nmax, xs, weights, L + 32 * j, &mins[j], aux, -0.9f, 0.05f,
                                    36, false);
    } else {
      const float av_x = std::sqrt(sum_sq(xs, 32) / 32);
      for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xs[l]);
      scales[j] = asym_quant_search(32, nmax, xs, weights, L + 32 * j, &mins[j], aux, rmin, 0.1f,
                                    nstep, false);
    }
  }
  std::memset(packed_scales, 0, 12);
  if (qw) {
    uint8_t Ls[8], Lm[8];
    const float d_block = pos_quant_search(8, 63, scales, Ls, sw);
    const float m_block = pos_quant_search(8, 63, mins, Lm, sw);
    for (int j = 0; j < 8; ++j) pack_k4_scale(packed_scales, j, Ls[j], Lm[j]);
    *d_out = float_to_half(d_block);
    *dmin_out = float_to_half(m_block);
  } else {
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    for (int j = 0; j < 8; ++j) {
      const auto ls = static_cast<uint8_t>(std::min(63, nearest_int(inv_scale * scales[j])));
      const auto lm = static_cast<uint8_t>(std::min(63, nearest_int(inv_min * mins[j])));
      pack_k4_scale(packed_scales, j, ls, lm);
    }
    *d_out = float_to_half(max_scale / 63.f);
    *dmin_out = float_to_half(max_min / 63.f);
  }
  // Recompute the levels with the scales as stored.
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    k4_scale_min(j, packed_scales, &sc, &m);
    const float d = half_to_float(*d_out) * sc;
    if (!d) continue;
    const float dm = half_to_float(*dmin_out) * m;
    for (int l = 0; l < 32; ++l)
      L[32 * j + l] =
          static_cast<uint8_t>(std::clamp(nearest_int((x[32 * j + l] + dm) / d), 0, nmax));
  }
}

void q2k_block(const float* x, const float* qw, BlockQ2_K* y) {
  uint8_t L[kQK_K], aux[16];
  float scales[16], mins[16], weights[16], sw[16];
  const float sigma2 = sum_sq(x, kQK_K) / kQK_K;
  for (int j = 0; j < 16; ++j) {
    const float* xs = x + 16 * j;
    if (qw) {
      for (int l = 0; l < 16; ++l) weights[l] = qw[16 * j + l] * std::sqrt(sigma2 + xs[l] * xs[l]);
      sw[j] = 0;
      for (int l = 0; l < 16; ++l) sw[j] += weights[l];
      scales[j] =
          asym_quant_search(16, 3, xs, weights, L + 16 * j, &mins[j], aux, -0.9f, 0.05f, 36, false);
    } else {
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(xs[l]);
      scales[j] =
          asym_quant_search(16, 3, xs, weights, L + 16 * j, &mins[j], aux, -0.5f, 0.1f, 15, true);
    }
  }
  if (qw) {
    uint8_t Ls[16], Lm[16];
    const float dm = pos_quant_search(16, 15, scales, Ls, sw);
    const float mm = pos_quant_search(16, 15, mins, Lm, sw);
    y->d = float_to_half(dm);
    y->dmin = float_to_half(mm);
    for (int j = 0; j < 16; ++j) y->scales[j] = static_cast<uint8_t>(Ls[j] | (Lm[j] << 4));
  } else {
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 16; ++j) {
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }
    std::memset(y->scales, 0, 16);
    y->d = float_to_half(max_scale > 0 ? max_scale / 15.f : 0.f);
    y->dmin = float_to_half(max_min > 0 ? max_min / 15.f : 0.f);
    for (int j = 0; j < 16; ++j) {
      int ls = max_scale > 0 ? nearest_int(15.f / max_scale * scales[j]) : 0;
      int lm = max_min > 0 ? nearest_int(15.f / max_min * mins[j]) : 0;
      y->scales[j] = static_cast<uint8_t>(ls | (lm << 4));
    }
  }
  for (int j = 0; j < 16; ++j) {
    const float d = half_to_float(y->d) * (y->scales[j] & 0xF);
    if (!d) continue;
    const float dm = half_to_float(y->dmin) * (y->scales[j] >> 4);
    for (int l = 0; l < 16; ++l)
      L[16 * j + l] = static_cast<uint8_t>(std::clamp(nearest_int((x[16 * j + l] + dm) / d), 0, 3));
  }
  pack_2bit(L, y->qs);
}

void q3k_pack_scale(uint8_t* scales, int j, int l) {  // l in 0..63
  if (j < 8)
    scales[j] = static_cast<uint8_t>(l & 0xF);
  else
    scales[j - 8] |= static_cast<uint8_t>((l & 0xF) << 4);
  scales[j % 4 + 8] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
}

void q3k_block(const float* x, const float* qw, BlockQ3_K* y) {
  int8_t L[kQK_K];
  float scales[16];
  std::memset(y->scales, 0, 12);
  if (qw) {
    float weights[16], sw[16];
    const float sigma2 = 2 * sum_sq(x, kQK_K) / kQK_K;
    for (int j = 0; j < 16; ++j) {
      const float* xs = x + 16 * j;
      for (int l = 0; l < 16; ++l) weights[l] = qw[16 * j + l] * std::sqrt(sigma2 + xs[l] * xs[l]);
      sw[j] = 0;
      for (int l = 0; l < 16; ++l) sw[j] += weights[l];
      scales[j] = sym_quant_search(16, 4, xs, L + 16 * j, true, SymWeight::kSquare, weights);
    }
    int8_t Ls[16];
    const float d_block = sym_quant_search(16, 32, scales, Ls, true, SymWeight::kSquare, sw);
    for (int j = 0; j < 16; ++j) q3k_pack_scale(y->scales, j, Ls[j]);
    y->d = float_to_half(d_block);
  } else {
    float max_scale = 0, amax = 0;
    for (int j = 0; j < 16; ++j) {
      scales[j] = sym_quant_refine(16, 4, x + 16 * j, L + 16 * j);
      if (std::fabs(scales[j]) > amax) {
        amax = std::fabs(scales[j]);
        max_scale = scales[j];
      }
    }
    if (max_scale) {
      const float iscale = -32.f / max_scale;
      for (int j = 0; j < 16; ++j)
        q3k_pack_scale(y->scales, j, std::clamp(nearest_int(iscale * scales[j]), -32, 31) + 32);
      y->d = float_to_half(1 / iscale);
    } else {
      y->d = float_to_half(0.f);
    }
  }
  int8_t sc[16];
  q3k_scales(y->scales, sc);
  for (int j = 0; j < 16; ++j) {
    const float d = half_to_float(y->d) * sc[j];
    if (!d) continue;
    for (int l = 0; l < 16; ++l)
      L[16 * j + l] = static_cast<int8_t>(std::clamp(nearest_int(x[16 * j + l] / d), -4, 3) + 4);
  }
  std::memset(y->hmask, 0, 32);
  uint8_t low[kQK_K];
  for (int e = 0; e < kQK_K; ++e) {
    int l = L[e];
    if (l > 3) {
      y->hmask[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
      l -= 4;
    }
    low[e] = static_cast<uint8_t>(l);
  }
  pack_2bit(low, y->qs);
}

void q6k_block(const float* x, const float* qw, BlockQ6_K* y) {
  int8_t L[kQK_K];
  float scales[16];
  float max_scale = 0, max_abs = 0;
  for (int j = 0; j < 16; ++j) {
    scales[j] = sym_quant_search(16, 32, x + 16 * j, L + 16 * j, true, SymWeight::kSquare,
                                 qw ? qw + 16 * j : nullptr);
    if (std::fabs(scales[j]) > max_abs) {
      max_abs = std::fabs(scales[j]);
      max_scale = scales[j];
    }
  }
  if (max_abs < 1e-15f) {
    std::memset(y, 0, sizeof(*y));
    return;
  }
  const float iscale = -128.f / max_scale;
  y->d = float_to_half(1 / iscale);
  for (int j = 0; j < 16; ++j)
    y->scales[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[j])));
  for (int j = 0; j < 16; ++j) {
    const float d = half_to_float(y->d) * y->scales[j];
    if (!d) continue;
    for (int l = 0; l < 16; ++l)
      L[16 * j + l] = static_cast<int8_t>(std::clamp(nearest_int(x[16 * j + l] / d), -32, 31) + 32);
  }
  for (int h = 0; h < 2; ++h) {
    const int8_t* Lh = L + 128 * h;
    uint8_t* ql = y->ql + 64 * h;
    uint8_t* qh = y->qh + 32 * h;
    for (int l = 0; l < 32; ++l) {
      ql[l] = static_cast<uint8_t>((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
      ql[l + 32] = static_cast<uint8_t>((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
      qh[l] = static_cast<uint8_t>((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) |
                                   ((Lh[l + 64] >> 4) << 4) | ((Lh[l + 96] >> 4) << 6));
    }
  }
}

}  // namespace

size_t quant_q2_k(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ2_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i)
    q2k_block(x + i * kQK_K, imatrix ? imatrix + i * kQK_K : nullptr, &b[i]);
  return (n / kQK_K) * sizeof(BlockQ2_K);
}

size_t quant_q3_k(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ3_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i)
    q3k_block(x + i * kQK_K, imatrix ? imatrix + i * kQK_K : nullptr, &b[i]);
  return (n / kQK_K) * sizeof(BlockQ3_K);
}

size_t quant_q4_k(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ4_K*>(dst);
  uint8_t L[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    k4_block(x + i * kQK_K, imatrix ? imatrix + i * kQK_K : nullptr, 15, -1.f, 20, &b[i].d,
             &b[i].dmin, b[i].scales, L);
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < 32; ++l)
        b[i].qs[32 * j + l] = static_cast<uint8_t>(L[64 * j + l] | (L[64 * j + l + 32] << 4));
  }
  return (n / kQK_K) * sizeof(BlockQ4_K);
}

size_t quant_q5_k(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ5_K*>(dst);
  uint8_t L[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    k4_block(x + i * kQK_K, imatrix ? imatrix + i * kQK_K : nullptr, 31, -0.5f, 15, &b[i].d,
             &b[i].dmin, b[i].scales, L);
    std::memset(b[i].qh, 0, 32);
    for (int j = 0; j < 4; ++j) {
      for (int l = 0; l < 32; ++l) {
        const int l1 = L[64 * j + l], l2 = L[64 * j + l + 32];
        b[i].qs[32 * j + l] = static_cast<uint8_t>((l1 & 0xF) | ((l2 & 0xF) << 4));
        b[i].qh[l] |= static_cast<uint8_t>(((l1 >> 4) << (2 * j)) | ((l2 >> 4) << (2 * j + 1)));
      }
    }
  }
  return (n / kQK_K) * sizeof(BlockQ5_K);
}

size_t quant_q6_k(const float* x, void* dst, int64_t n, const float* imatrix) {
  auto* b = static_cast<BlockQ6_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i)
    q6k_block(x + i * kQK_K, imatrix ? imatrix + i * kQK_K : nullptr, &b[i]);
  return (n / kQK_K) * sizeof(BlockQ6_K);
}

// Q8_K (activations): scale -127/max, levels clamped to 127, with group sums of 16.
size_t quant_q8_k(const float* x, void* dst, int64_t n, const float*) {
  auto* b = static_cast<BlockQ8_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    float max = 0, amax = 0;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    if (!amax) {
      std::memset(&b[i], 0, sizeof(BlockQ8_K));
      continue;
    }
    const float iscale = -127.f / max;
    for (int j = 0; j < kQK_K; ++j)
      b[i].qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[j])));
    for (int g = 0; g < 16; ++g) {
      int s = 0;
      for (int l = 0; l < 16; ++l) s += b[i].qs[16 * g + l];
      b[i].bsums[g] = static_cast<int16_t>(s);
    }
    b[i].d = 1 / iscale;
  }
  return (n / kQK_K) * sizeof(BlockQ8_K);
}

}  // namespace fulcrum::kernels::ref
