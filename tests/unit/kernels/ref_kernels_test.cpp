// The scalar reference: block layouts decoded by hand, quantize -> dequantize error bounds on
// random data and on the edge values of each format, and the dot product agreeing with the
// dequantized values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "kernels/ref/blocks.h"
#include "tests/unit/kernels/kernel_test_util.h"

namespace fulcrum::kernels {
namespace {

using testing::all_weight_types;
using testing::nmse;
using testing::random_floats;
using testing::round_trip;
using testing::row_bytes;

std::string name(GgmlType t) {
  return std::string(ggml_type_name(t));
}

TEST(RefKernels, SupportedAndUnsupportedTypes) {
  for (GgmlType t : all_weight_types()) EXPECT_TRUE(is_supported(t)) << name(t);
  for (GgmlType t : {GgmlType::kIQ2_XXS, GgmlType::kIQ2_XS, GgmlType::kIQ3_XXS, GgmlType::kIQ1_S,
                     GgmlType::kIQ3_S, GgmlType::kIQ2_S, GgmlType::kIQ4_XS, GgmlType::kI8,
                     GgmlType::kI32, GgmlType::kF64, GgmlType::kTQ1_0, GgmlType::kTQ2_0,
                     GgmlType::kMXFP4, GgmlType::kQ8_1, GgmlType::kQ8_K})
    EXPECT_FALSE(is_supported(t)) << name(t);
}

TEST(RefKernels, ActivationTypes) {
  EXPECT_EQ(vec_dot_type(GgmlType::kF32), GgmlType::kF32);
  EXPECT_EQ(vec_dot_type(GgmlType::kF16), GgmlType::kF16);
  EXPECT_EQ(vec_dot_type(GgmlType::kBF16), GgmlType::kBF16);
  for (GgmlType t : {GgmlType::kQ4_0, GgmlType::kQ5_0, GgmlType::kQ8_0, GgmlType::kIQ4_NL})
    EXPECT_EQ(vec_dot_type(t), GgmlType::kQ8_0) << name(t);
  for (GgmlType t : {GgmlType::kQ4_1, GgmlType::kQ5_1}) EXPECT_EQ(vec_dot_type(t), GgmlType::kQ8_1);
  for (GgmlType t :
       {GgmlType::kQ2_K, GgmlType::kQ3_K, GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K})
    EXPECT_EQ(vec_dot_type(t), GgmlType::kQ8_K) << name(t);
  EXPECT_EQ(activation_row_size(GgmlType::kQ4_K, 512), 2u * 292u);
  EXPECT_EQ(activation_row_size(GgmlType::kQ4_0, 64), 2u * 34u);
  EXPECT_EQ(activation_row_size(GgmlType::kF16, 10), 20u);
  EXPECT_EQ(matmul_scratch_size(GgmlType::kQ4_1, 96, 5), 5u * 3u * 36u);
}

// Hand-built blocks: the meaning of each field.
TEST(RefKernels, DecodesHandBuiltBlocks) {
  float y[256];
  {
    BlockQ4_0 b{};
    b.d = fp32_to_fp16(0.5f);
    b.qs[0] = 0x1F;  // element 0 = 15, element 16 = 1
    b.qs[3] = 0x88;  // elements 3 and 19 = 8 -> 0
    dequantize_row(GgmlType::kQ4_0, &b, y, 32);
    EXPECT_EQ(y[0], 3.5f);
    EXPECT_EQ(y[16], -3.5f);
    EXPECT_EQ(y[3], 0.0f);
    EXPECT_EQ(y[1], -4.0f);  // nibble 0
  }
  {
    BlockQ4_1 b{};
    b.d = fp32_to_fp16(2.0f);
    b.m = fp32_to_fp16(-1.0f);
    b.qs[5] = 0x30;  // element 5 = 0, element 21 = 3
    dequantize_row(GgmlType::kQ4_1, &b, y, 32);
    EXPECT_EQ(y[5], -1.0f);
    EXPECT_EQ(y[21], 5.0f);
  }
  {
    BlockQ5_0 b{};
    b.d = fp32_to_fp16(1.0f);
    b.qs[2] = 0xF1;                        // element 2 low = 1, element 18 low = 15
    uint32_t qh = (1u << 2) | (1u << 18);  // high bits of elements 2 and 18
    std::memcpy(b.qh, &qh, 4);
    dequantize_row(GgmlType::kQ5_0, &b, y, 32);
    EXPECT_EQ(y[2], 1.0f);    // 17 - 16
    EXPECT_EQ(y[18], 15.0f);  // 31 - 16
    EXPECT_EQ(y[0], -16.0f);
  }
  {
    BlockQ8_0 b{};
    b.d = fp32_to_fp16(0.25f);
    b.qs[31] = -128;
    b.qs[7] = 127;
    dequantize_row(GgmlType::kQ8_0, &b, y, 32);
    EXPECT_EQ(y[31], -32.0f);
    EXPECT_EQ(y[7], 31.75f);
  }
  {
    BlockIQ4_NL b{};
    b.d = fp32_to_fp16(1.0f);
    b.qs[0] = 0xF0;
    dequantize_row(GgmlType::kIQ4_NL, &b, y, 32);
    EXPECT_EQ(y[0], -127.0f);
    EXPECT_EQ(y[16], 113.0f);
  }
  {
    BlockQ6_K b{};
    b.d = fp32_to_fp16(1.0f);
    for (auto& s : b.scales) s = 1;
    b.scales[15] = -2;
    // Element 255: half 1, quarter 3, l 31: high nibble of ql[64+32+31], qh[32+31] bits 6..7.
    b.ql[127] = 0xA0;  // low = 10
    b.qh[63] = 0xC0;   // high = 3 -> 58 - 32 = 26, times scale -2
    dequantize_row(GgmlType::kQ6_K, &b, y, 256);
    EXPECT_EQ(y[255], -52.0f);
    EXPECT_EQ(y[0], -32.0f);
  }
  {
    BlockQ4_K b{};
    b.d = fp32_to_fp16(1.0f);
    b.dmin = fp32_to_fp16(0.5f);
    b.scales[0] = 3;      // sub-block 0 scale
    b.scales[4] = 2;      // sub-block 0 min
    b.scales[8] = 0x45;   // sub-block 4: scale low 5, min low 4
    b.scales[0] |= 0x40;  // sub-block 4 scale high bits = 1 -> 21
    b.qs[0] = 0x07;       // element 0 = 7 (sub-block 0), element 32 = 0 (sub-block 1)
    b.qs[64] = 0x02;      // element 128 = 2 (sub-block 4)
    dequantize_row(GgmlType::kQ4_K, &b, y, 256);
    // Sub-block 0 uses the low 6 bits of scales[0] (3); the top 2 bits belong to sub-block 4.
    EXPECT_EQ(y[0], 3 * 7 - 0.5f * 2);
    EXPECT_EQ(y[32], -0.0f * 0 - 0.5f * (0));  // sub-block 1: scale 0, min 0
    EXPECT_EQ(y[128], 21 * 2 - 0.5f * 4);      // scale 5 | 1 << 4, min 4
  }
}

// NMSE bounds of quantize -> dequantize on N(0,1) data, about 1.3x the figures of llama.cpp's
// files in golden/weight_quant_error.json.
const std::map<GgmlType, double>& nmse_bounds() {
  static const std::map<GgmlType, double> kBounds = {
      {GgmlType::kF32, 0.0},     {GgmlType::kF16, 6e-8},    {GgmlType::kBF16, 3.7e-6},
      {GgmlType::kQ8_0, 3.8e-5}, {GgmlType::kQ6_K, 4.1e-4}, {GgmlType::kQ5_K, 1.7e-3},
      {GgmlType::kQ5_1, 1.9e-3}, {GgmlType::kQ5_0, 2.4e-3}, {GgmlType::kQ4_K, 6.6e-3},
      {GgmlType::kQ4_1, 8.0e-3}, {GgmlType::kQ4_0, 9.6e-3}, {GgmlType::kIQ4_NL, 7.6e-3},
      {GgmlType::kQ3_K, 3.0e-2}, {GgmlType::kQ2_K, 1.15e-1}};
  return kBounds;
}

TEST(RefKernels, RoundTripErrorOnRandomData) {
  for (GgmlType t : all_weight_types()) {
    const auto x = random_floats(256 * 24, 11);
    const auto y = round_trip(t, x);
    const double e = nmse(y.data(), x.data(), static_cast<int64_t>(x.size()));
    EXPECT_LE(e, nmse_bounds().at(t)) << name(t);
    if (t != GgmlType::kF32) {
      EXPECT_GT(e, 0.0) << name(t);
    }
  }
}

TEST(RefKernels, QuantizeReturnsRowSize) {
  for (GgmlType t : all_weight_types()) {
    const auto x = random_floats(512, 3);
    std::vector<uint8_t> q(row_bytes(t, 512) + 16, 0xAB);
    EXPECT_EQ(quantize_row(t, x.data(), q.data(), 512), row_bytes(t, 512)) << name(t);
    for (size_t i = row_bytes(t, 512); i < q.size(); ++i) ASSERT_EQ(q[i], 0xAB) << name(t);
  }
}

TEST(RefKernels, ZerosAndNegativeZeroStayZero) {
  for (GgmlType t : all_weight_types()) {
    std::vector<float> x(512, 0.0f);
    for (size_t i = 0; i < x.size(); i += 3) x[i] = -0.0f;
    const auto y = round_trip(t, x);
    for (float v : y) ASSERT_EQ(v, 0.0f) << name(t);
  }
  // The float formats keep the sign of zero.
  for (GgmlType t : {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16}) {
    const auto y = round_trip(t, std::vector<float>(256, -0.0f));
    for (float v : y) ASSERT_TRUE(std::signbit(v)) << name(t);
  }
}

TEST(RefKernels, AllEqualBlocks) {
  for (GgmlType t : all_weight_types()) {
    for (float c : {0.37f, -2.5f, 1e-3f}) {
      std::vector<float> x(512, c);
      const auto y = round_trip(t, x);
      for (float v : y) ASSERT_TRUE(std::isfinite(v)) << name(t);
      // A constant block comes back within a few percent: the scales are fp16 (subnormal for
      // Q6_K at c=1e-3, so 3%); Q2_K's 2-bit levels and 4-bit scales allow 12%.
      const double tol = t == GgmlType::kQ2_K ? 0.12 : 0.03;
      EXPECT_LE(nmse(y.data(), x.data(), 512), tol * tol) << name(t) << " c=" << c;
    }
  }
}

TEST(RefKernels, LargeMagnitudesAndOutliers) {
  for (GgmlType t : all_weight_types()) {
    // Values up to 6e4 (the largest a half-precision scale times a level can hold for every
    // type) with one outlier per block of 32.
    auto x = random_floats(512, 5, 3000.0f);
    for (size_t i = 0; i < x.size(); i += 32) x[i] = (i / 32) % 2 ? 60000.0f : -60000.0f;
    const auto y = round_trip(t, x);
    for (float v : y) ASSERT_TRUE(std::isfinite(v)) << name(t);
    EXPECT_LE(nmse(y.data(), x.data(), 512), 0.2) << name(t);
    // The outliers themselves come back within 5% (they dominate their block's scale).
    for (size_t i = 0; i < x.size(); i += 32)
      EXPECT_NEAR(y[i], x[i], 3000.0f) << name(t) << " " << i;
  }
}

TEST(RefKernels, TinyValuesDoNotBlowUp) {
  // At 1e-6 the fp16 block scales underflow into subnormals (a limit of the formats, the same in
  // every implementation): the values must stay finite and of the right order, not accurate.
  for (GgmlType t : all_weight_types()) {
    const auto x = random_floats(256, 9, 1e-6f);
    const auto y = round_trip(t, x);
    for (float v : y) ASSERT_TRUE(std::isfinite(v)) << name(t);
    EXPECT_LE(nmse(y.data(), x.data(), 256), 10.0) << name(t);
  }
  // At 1e-3 every format still resolves the values.
  for (GgmlType t : all_weight_types()) {
    const auto x = random_floats(256 * 4, 9, 1e-3f);
    const auto y = round_trip(t, x);
    EXPECT_LE(nmse(y.data(), x.data(), 256 * 4), 2 * nmse_bounds().at(t) + 1e-3) << name(t);
  }
}

TEST(RefKernels, ImatrixWeightsTheErrorWhereItMatters) {
  // With an importance matrix concentrated on a few columns, those columns must come back more
  // accurately than without it; and the whole row stays within a loose bound.
  for (GgmlType t : all_weight_types()) {
    if (t == GgmlType::kF32 || t == GgmlType::kF16 || t == GgmlType::kBF16 || t == GgmlType::kQ8_0)
      continue;  // these ignore the imatrix: their rounding is already exact to the grid
    const int64_t n = 256 * 8;
    const auto x = random_floats(n, 21);
    std::vector<float> imp(n, 1e-3f);
    for (int64_t i = 0; i < n; i += 8) imp[i] = 100.0f;
    std::vector<uint8_t> q(row_bytes(t, n));
    std::vector<float> plain(n), weighted(n);
    quantize_row(t, x.data(), q.data(), n);
    dequantize_row(t, q.data(), plain.data(), n);
    quantize_row(t, x.data(), q.data(), n, imp.data());
    dequantize_row(t, q.data(), weighted.data(), n);
    double e_plain = 0, e_weighted = 0;
    for (int64_t i = 0; i < n; i += 8) {
      e_plain += (plain[i] - x[i]) * (plain[i] - x[i]);
      e_weighted += (weighted[i] - x[i]) * (weighted[i] - x[i]);
    }
    EXPECT_LT(e_weighted, e_plain) << name(t);
    EXPECT_LE(nmse(weighted.data(), x.data(), n), 4 * nmse_bounds().at(t) + 0.02) << name(t);
  }
}

// Values on a format's own grid at the ends of its range come back exactly: the extreme levels
// with a scale of one (Q8_0 -127..127, Q4_0 -8..7, Q5_0 -16..15, Q4_1 0..15, Q5_1 0..31,
// IQ4_NL its table) and the largest, smallest normal and subnormal magnitudes of F16 and BF16.
TEST(RefKernels, ExtremeGridValuesRoundTripExactly) {
  auto ramp = [](int lo, int hi, int64_t n) {
    std::vector<float> v(n);
    for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(lo + i % (hi - lo + 1));
    // Each block of 32 must reach both ends (the scale comes from the block's extremes).
    for (int64_t b = 0; b < n; b += 32) {
      v[b] = static_cast<float>(lo);
      v[b + 1] = static_cast<float>(hi);
    }
    return v;
  };
  const struct {
    GgmlType t;
    int lo, hi;
  } kGrids[] = {{GgmlType::kQ8_0, -127, 127},
                {GgmlType::kQ4_0, -8, 7},
                {GgmlType::kQ5_0, -16, 15},
                {GgmlType::kQ4_1, 0, 15},
                {GgmlType::kQ5_1, 0, 31}};
  for (const auto& g : kGrids) {
    const auto x = ramp(g.lo, g.hi, 256);
    EXPECT_EQ(round_trip(g.t, x), x) << name(g.t);
  }
  // IQ4_NL: its 16 non-linear levels; the block maximum -127 gives a scale of exactly 1.
  const float kIq4[] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
  std::vector<float> iq(64);
  for (size_t i = 0; i < iq.size(); ++i) iq[i] = kIq4[i % 16];
  EXPECT_EQ(round_trip(GgmlType::kIQ4_NL, iq), iq);
  std::vector<float> f16 = {
      65504.0f, -65504.0f, 6.103515625e-05f, -6.103515625e-05f, 5.9604645e-08f, -5.9604645e-08f,
      0.0f,     1.0f};
  EXPECT_EQ(round_trip(GgmlType::kF16, f16), f16);
  const float bf_max = std::ldexp(255.0f / 128.0f, 127);  // 0x7F7F
  std::vector<float> bf16 = {bf_max,
                             -bf_max,
                             std::numeric_limits<float>::min(),
                             std::ldexp(1.0f, -133),  // smallest bf16 subnormal
                             -std::ldexp(1.0f, -133),
                             0.0f,
                             65536.0f,
                             -1.0f};
  EXPECT_EQ(round_trip(GgmlType::kBF16, bf16), bf16);
  // And the dot products over those extremes stay finite and exact where the grid is exact.
  for (const auto& g : kGrids) {
    const auto w = ramp(g.lo, g.hi, 256);
    std::vector<uint8_t> wq(row_bytes(g.t, 256)), xq(activation_row_size(g.t, 256));
    quantize_row(g.t, w.data(), wq.data(), 256);
    std::vector<float> ones(256, 1.0f);
    quantize_activation(g.t, ones.data(), xq.data(), 256);
    double expect = 0;
    for (float v : w) expect += v;
    EXPECT_NEAR(vec_dot(g.t, 256, wq.data(), xq.data()), expect, 1e-3 * std::fabs(expect) + 1e-3)
        << name(g.t);
  }
}

// The reference dot product equals the double-precision dot of the dequantized operands.
TEST(RefKernels, DotMatchesDequantizedOperands) {
  for (GgmlType t : all_weight_types()) {
    for (int64_t n : {256, 256 * 3, 256 * 16}) {
      const auto w = random_floats(n, 100 + static_cast<uint32_t>(n));
      const auto x = random_floats(n, 200 + static_cast<uint32_t>(n));
      std::vector<uint8_t> wq(row_bytes(t, n)), xq(activation_row_size(t, n));
      quantize_row(t, w.data(), wq.data(), n);
      quantize_activation(t, x.data(), xq.data(), n);
      std::vector<float> wd(n), xd(n);
      dequantize_row(t, wq.data(), wd.data(), n);
      dequantize_row(vec_dot_type(t), xq.data(), xd.data(), n);
      double expect = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        expect += static_cast<double>(wd[i]) * xd[i];
        mag += std::fabs(static_cast<double>(wd[i]) * xd[i]);
      }
      if (vec_dot_type(t) == GgmlType::kQ8_1) {
        // The min term uses the stored (fp16) block sum s, not d * sum(q): swap it in.
        const auto* xb = reinterpret_cast<const BlockQ8_1*>(xq.data());
        const size_t wb = row_bytes(t, 32);
        for (int64_t b = 0; b < n / 32; ++b) {
          uint16_t m;
          std::memcpy(&m, wq.data() + b * wb + 2, 2);  // Q4_1 / Q5_1: d, then m
          double sum_q = 0;
          for (int8_t v : xb[b].qs) sum_q += v;
          expect += fp16_to_fp32(m) * (fp16_to_fp32(xb[b].s) - fp16_to_fp32(xb[b].d) * sum_q);
        }
      }
      const VecDotFn ref = vec_dot_at_level(t, "scalar");
      ASSERT_NE(ref, nullptr);
      EXPECT_NEAR(ref(n, wq.data(), xq.data()), expect, 2e-6 * mag + 1e-6) << name(t) << " n=" << n;
    }
  }
}

TEST(RefKernels, ActivationQuantizationIsAccurate) {
  const auto x = random_floats(1024, 77);
  for (GgmlType a : {GgmlType::kQ8_0, GgmlType::kQ8_1, GgmlType::kQ8_K}) {
    std::vector<uint8_t> q(row_bytes(a, 1024));
    quantize_row(a, x.data(), q.data(), 1024);
    std::vector<float> y(1024);
    dequantize_row(a, q.data(), y.data(), 1024);
    EXPECT_LE(nmse(y.data(), x.data(), 1024), 6e-5) << name(a);
  }
  // Q8_K group sums are the sums of the levels.
  std::vector<BlockQ8_K> b(4);
  quantize_row(GgmlType::kQ8_K, x.data(), b.data(), 1024);
  for (const auto& blk : b)
    for (int g = 0; g < 16; ++g) {
      int s = 0;
      for (int l = 0; l < 16; ++l) s += blk.qs[16 * g + l];
      ASSERT_EQ(blk.bsums[g], s);
    }
  // Q8_1's s field is d * sum(q).
  std::vector<BlockQ8_1> c(32);
  quantize_row(GgmlType::kQ8_1, x.data(), c.data(), 1024);
  for (const auto& blk : c) {
    int s = 0;
    for (int8_t v : blk.qs) s += v;
    EXPECT_NEAR(fp16_to_fp32(blk.s), fp16_to_fp32(blk.d) * s,
                2e-3 * std::fabs(fp16_to_fp32(blk.d) * s) + 1e-6);
  }
}

}  // namespace
}  // namespace fulcrum::kernels
