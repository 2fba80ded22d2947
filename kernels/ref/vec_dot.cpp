// Scalar dot products of a weight row with a quantized activation row: integer sums inside a
// block, scaled by the two block scales in f32. This is the definition the SIMD kernels match.
#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/ref_kernels.h"

namespace fulcrum::kernels::ref {
namespace {

inline uint32_t load_qh(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

float dot_f32(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const float*>(w);
  const auto* b = static_cast<const float*>(x);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(s);
}

float dot_f16(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const uint16_t*>(w);
  const auto* b = static_cast<const uint16_t*>(x);
  double s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += static_cast<double>(half_to_float(a[i])) * half_to_float(b[i]);
  return static_cast<float>(s);
}

float dot_bf16(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const uint16_t*>(w);
  const auto* b = static_cast<const uint16_t*>(x);
  double s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += static_cast<double>(bf16_to_float(a[i])) * bf16_to_float(b[i]);
  return static_cast<float>(s);
}

float dot_q4_0(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ4_0*>(w);
  const auto* b = static_cast<const BlockQ8_0*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sum = 0;
    for (int j = 0; j < 16; ++j) {
      sum += ((a[i].qs[j] & 0xF) - 8) * b[i].qs[j];
      sum += ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + 16];
    }
    s += sum * (half_to_float(a[i].d) * half_to_float(b[i].d));
  }
  return s;
}

float dot_q4_1(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ4_1*>(w);
  const auto* b = static_cast<const BlockQ8_1*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sum = 0;
    for (int j = 0; j < 16; ++j)
      sum += (a[i].qs[j] & 0xF) * b[i].qs[j] + (a[i].qs[j] >> 4) * b[i].qs[j + 16];
    s += sum * (half_to_float(a[i].d) * half_to_float(b[i].d)) +
         half_to_float(a[i].m) * half_to_float(b[i].s);
  }
  return s;
}

float dot_q5_0(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ5_0*>(w);
  const auto* b = static_cast<const BlockQ8_0*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const uint32_t qh = load_qh(a[i].qh);
    int sum = 0;
    for (int j = 0; j < 16; ++j) {
      const int v0 = ((a[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4)) - 16;
      const int v1 = ((a[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
      sum += v0 * b[i].qs[j] + v1 * b[i].qs[j + 16];
    }
    s += sum * (half_to_float(a[i].d) * half_to_float(b[i].d));
  }
  return s;
}

float dot_q5_1(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ5_1*>(w);
  const auto* b = static_cast<const BlockQ8_1*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const uint32_t qh = load_qh(a[i].qh);
    int sum = 0;
    for (int j = 0; j < 16; ++j) {
      const int v0 = (a[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4);
      const int v1 = (a[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
      sum += v0 * b[i].qs[j] + v1 * b[i].qs[j + 16];
    }
    s += sum * (half_to_float(a[i].d) * half_to_float(b[i].d)) +
         half_to_float(a[i].m) * half_to_float(b[i].s);
  }
  return s;
}

float dot_q8_0(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ8_0*>(w);
  const auto* b = static_cast<const BlockQ8_0*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sum = 0;
    for (int j = 0; j < kQK; ++j) sum += a[i].qs[j] * b[i].qs[j];
    s += sum * (half_to_float(a[i].d) * half_to_float(b[i].d));
  }
  return s;
}

float dot_iq4_nl(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockIQ4_NL*>(w);
  const auto* b = static_cast<const BlockQ8_0*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sum = 0;
    for (int j = 0; j < 16; ++j)
      sum += kIQ4NLValues[a[i].qs[j] & 0xF] * b[i].qs[j] +
             kIQ4NLValues[a[i].qs[j] >> 4] * b[i].qs[j + 16];
    s += sum * (half_to_float(a[i].d) * half_to_float(b[i].d));
  }
  return s;
}

float dot_q2_k(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ2_K*>(w);
  const auto* b = static_cast<const BlockQ8_K*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    int isum = 0, msum = 0;
    for (int g = 0; g < 16; ++g) {
      int gsum = 0;
      for (int l = 0; l < 16; ++l) {
        const int e = 16 * g + l;
        gsum += ((a[i].qs[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3) * b[i].qs[e];
      }
      isum += (a[i].scales[g] & 0xF) * gsum;
      msum += (a[i].scales[g] >> 4) * b[i].bsums[g];
    }
    s += b[i].d * (half_to_float(a[i].d) * isum - half_to_float(a[i].dmin) * msum);
  }
  return s;
}

float dot_q3_k(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ3_K*>(w);
  const auto* b = static_cast<const BlockQ8_K*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    int8_t sc[16];
    q3k_scales(a[i].scales, sc);
    int isum = 0;
    for (int g = 0; g < 16; ++g) {
      int gsum = 0;
      for (int l = 0; l < 16; ++l) {
        const int e = 16 * g + l;
        const int low = (a[i].qs[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
        const int high = (a[i].hmask[e % 32] >> (e / 32)) & 1;
        gsum += (low - (high ? 0 : 4)) * b[i].qs[e];
      }
      isum += sc[g] * gsum;
    }
    s += b[i].d * half_to_float(a[i].d) * isum;
  }
  return s;
}

namespace {
// Shared by Q4_K and Q5_K: sum over the 8 sub-blocks given a level accessor.
template <typename Level>
float k4_dot(const uint8_t* packed_scales, uint16_t d, uint16_t dmin, const BlockQ8_K& y,
             Level level) {
  int isum = 0, msum = 0;
  for (int s = 0; s < 8; ++s) {
    uint8_t sc, m;
    k4_scale_min(s, packed_scales, &sc, &m);
    int ssum = 0;
    for (int l = 0; l < 32; ++l) ssum += level(s, l) * y.qs[32 * s + l];
    isum += sc * ssum;
    msum += m * (y.bsums[2 * s] + y.bsums[2 * s + 1]);
  }
  return y.d * (half_to_float(d) * isum - half_to_float(dmin) * msum);
}
}  // namespace

float dot_q4_k(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ4_K*>(w);
  const auto* b = static_cast<const BlockQ8_K*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* qs = a[i].qs;
    s += k4_dot(a[i].scales, a[i].d, a[i].dmin, b[i], [&](int sb, int l) {
      const uint8_t q = qs[(sb / 2) * 32 + l];
      return (sb & 1) ? (q >> 4) : (q & 0xF);
    });
  }
  return s;
}

float dot_q5_k(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ5_K*>(w);
  const auto* b = static_cast<const BlockQ8_K*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* qs = a[i].qs;
    const uint8_t* qh = a[i].qh;
    s += k4_dot(a[i].scales, a[i].d, a[i].dmin, b[i], [&](int sb, int l) {
      const uint8_t q = qs[(sb / 2) * 32 + l];
      const int low = (sb & 1) ? (q >> 4) : (q & 0xF);
      return low | (((qh[l] >> sb) & 1) << 4);
    });
  }
  return s;
}

float dot_q6_k(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const BlockQ6_K*>(w);
  const auto* b = static_cast<const BlockQ8_K*>(x);
  float s = 0;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    int isum = 0;
    for (int g = 0; g < 16; ++g) {
      int gsum = 0;
      for (int l16 = 0; l16 < 16; ++l16) {
        const int e = 16 * g + l16;
        const int h = e / 128, k = (e % 128) / 32, l = e % 32;
        const uint8_t lo = a[i].ql[h * 64 + (k & 1) * 32 + l];
        const int low = k >= 2 ? (lo >> 4) : (lo & 0xF);
        const int high = (a[i].qh[h * 32 + l] >> (2 * k)) & 3;
        gsum += ((low | (high << 4)) - 32) * b[i].qs[e];
      }
      isum += a[i].scales[g] * gsum;
    }
    s += b[i].d * half_to_float(a[i].d) * isum;
  }
  return s;
}

}  // namespace fulcrum::kernels::ref
