// IEEE binary16 and bfloat16 <-> binary32 conversions in portable code, bit-exact with the
// hardware (F16C) conversions: round to nearest even, subnormals kept, inf and NaN preserved
// (NaN stays NaN and quiet).
#pragma once

#include <cstdint>
#include <cstring>

namespace fulcrum::kernels::ref {

inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  if (exp == 0x1F) return f32_from_bits(sign | 0x7F800000 | (mant << 13));  // inf / nan
  if (exp != 0) return f32_from_bits(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0) return f32_from_bits(sign);  // signed zero
  // Subnormal: normalise.
  int e = -1;
  do {
    ++e;
    mant <<= 1;
  } while ((mant & 0x400) == 0);
  return f32_from_bits(sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3FF) << 13));
}

inline uint16_t float_to_half(float f) {
  const uint32_t u = f32_bits(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000);
  const uint32_t abs = u & 0x7FFFFFFF;
  if (abs > 0x7F800000) {  // NaN: keep the top payload bits, force quiet
    return static_cast<uint16_t>(sign | 0x7E00 | ((abs >> 13) & 0x3FF));
  }
  if (abs >= 0x477FF000) return sign | 0x7C00;     // rounds to >= 65520: inf
  if (abs >= 0x38800000) {                         // normal half
    uint32_t m = abs + 0xFFF + ((abs >> 13) & 1);  // round to nearest even at bit 13
    return static_cast<uint16_t>(sign | ((m - 0x38000000) >> 13));
  }
  if (abs < 0x33000000) return sign;  // below half the smallest subnormal: zero
  // Subnormal half: value = mant * 2^-24.
  const int e = static_cast<int>(abs >> 23);  // biased f32 exponent, 102..112
  const uint32_t mant = (abs & 0x7FFFFF) | 0x800000;
  const int shift = 126 - e;  // bits to drop so the result is in units of 2^-24
  const uint32_t q = mant >> shift;
  const uint32_t rem = mant & ((1u << shift) - 1);
  const uint32_t half = 1u << (shift - 1);
  uint32_t r = q + ((rem > half || (rem == half && (q & 1))) ? 1 : 0);
  return static_cast<uint16_t>(sign | r);
}

inline float bf16_to_float(uint16_t h) {
  return f32_from_bits(static_cast<uint32_t>(h) << 16);
}

inline uint16_t float_to_bf16(float f) {
  const uint32_t u = f32_bits(f);
  if ((u & 0x7FFFFFFF) > 0x7F800000) return static_cast<uint16_t>((u >> 16) | 64);  // quiet NaN
  return static_cast<uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
}

}  // namespace fulcrum::kernels::ref
