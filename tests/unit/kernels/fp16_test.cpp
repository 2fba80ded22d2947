// IEEE half and bfloat16 conversions: exhaustive round trips, the rounding rule, the edge values,
// and agreement with the CPU's own F16C conversion where it has one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "kernels/kernels.h"

namespace fulcrum::kernels {
namespace {

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(Fp16, EveryHalfRoundTripsExactly) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_fp32(static_cast<uint16_t>(h));
    const bool is_nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF);
    if (is_nan) {
      EXPECT_TRUE(std::isnan(f)) << h;
      EXPECT_TRUE(std::isnan(fp16_to_fp32(fp32_to_fp16(f)))) << h;
    } else {
      EXPECT_EQ(fp32_to_fp16(f), h) << "half " << h << " -> " << f;
    }
  }
}

TEST(Fp16, EdgeValues) {
  EXPECT_EQ(fp32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
  EXPECT_TRUE(std::signbit(fp16_to_fp32(0x8000)));
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3C00);
  EXPECT_EQ(fp32_to_fp16(-2.0f), 0xC000);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);  // max half
  EXPECT_EQ(fp32_to_fp16(65519.0f), 0x7BFF);  // rounds down
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7C00);  // tie to even: inf
  EXPECT_EQ(fp32_to_fp16(1e10f), 0x7C00);     // overflow: inf
  EXPECT_EQ(fp32_to_fp16(-1e10f), 0xFC00);
  EXPECT_EQ(fp32_to_fp16(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(fp32_to_fp16(-std::numeric_limits<float>::infinity()), 0xFC00);
  EXPECT_TRUE(std::isinf(fp16_to_fp32(0x7C00)));
  const uint16_t nan = fp32_to_fp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7C00, 0x7C00);
  EXPECT_NE(nan & 0x3FF, 0);
  EXPECT_EQ(fp32_to_fp16(from_bits(0x7F800001)) & 0x7E00, 0x7E00);  // signalling NaN -> quiet
  EXPECT_EQ(fp16_to_fp32(0x0001), std::ldexp(1.0f, -24));           // smallest subnormal
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);             // tie to even: 0
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.5f, -25)), 0x0001);             // above the tie
  EXPECT_EQ(fp32_to_fp16(std::ldexp(3.0f, -25)), 0x0002);             // 1.5 ulp: tie to even 2
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -14)), 0x0400);             // smallest normal
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1023.5f, -24)), 0x0400);          // rounds up into normal
  EXPECT_EQ(fp32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie to even: down
  EXPECT_EQ(fp32_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie to even: up
}

#if defined(__x86_64__)
__attribute__((target("f16c"))) uint16_t hw_f32_to_f16(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, 0));
}
__attribute__((target("f16c"))) float hw_f16_to_f32(uint16_t h) {
  return _cvtsh_ss(h);
}

TEST(Fp16, MatchesHardwareF16C) {
  if (!__builtin_cpu_supports("f16c")) GTEST_SKIP() << "no F16C on this CPU";
  for (uint32_t h = 0; h < 65536; ++h) {
    const float a = fp16_to_fp32(static_cast<uint16_t>(h)),
                b = hw_f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(b))
      EXPECT_TRUE(std::isnan(a));
    else
      EXPECT_EQ(bits(a), bits(b)) << h;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000000; ++i) {
    float f = from_bits(rng());
    if (std::isnan(f)) continue;
    ASSERT_EQ(fp32_to_fp16(f), hw_f32_to_f16(f)) << f << " bits " << bits(f);
  }
  for (uint32_t u = 0x33000000; u < 0x39000000; u += 97) {  // the subnormal / normal boundary
    ASSERT_EQ(fp32_to_fp16(from_bits(u)), hw_f32_to_f16(from_bits(u))) << u;
    ASSERT_EQ(fp32_to_fp16(from_bits(u | 0x80000000)), hw_f32_to_f16(from_bits(u | 0x80000000)));
  }
}
#endif

TEST(Bf16, ConversionsRoundToNearestEven) {
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(fp32_to_bf16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3F808000)), 0x3F80);  // tie, even stays
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3F818000)), 0x3F82);  // tie, odd rounds up
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3F808001)), 0x3F81);  // above the tie
  EXPECT_EQ(fp32_to_bf16(std::numeric_limits<float>::infinity()), 0x7F80);
  EXPECT_EQ(fp32_to_bf16(-std::numeric_limits<float>::infinity()), 0xFF80);
  EXPECT_EQ(fp32_to_bf16(std::numeric_limits<float>::max()), 0x7F80);  // overflows to inf
  const uint16_t nan = fp32_to_bf16(from_bits(0x7F800001));  // signalling NaN, low payload
  EXPECT_TRUE(std::isnan(bf16_to_fp32(nan)));
  EXPECT_NE(nan & 0x0040, 0);  // quiet
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = bf16_to_fp32(static_cast<uint16_t>(h));
    EXPECT_EQ(bits(f), h << 16);
    if (!std::isnan(f)) {
      EXPECT_EQ(fp32_to_bf16(f), h);
    }
  }
}

}  // namespace
}  // namespace fulcrum::kernels
