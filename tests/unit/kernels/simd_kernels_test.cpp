// Every SIMD dot product against the scalar reference: random weights and activations at many
// sizes (one block, a few, many, odd element counts for the float types), raw random block bytes
// (every level pattern a file can hold), and the extreme levels. Then matmul against vec_dot.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "kernels/ref/blocks.h"
#include "tests/unit/kernels/kernel_test_util.h"

namespace fulcrum::kernels {
namespace {

using testing::all_weight_types;
using testing::random_floats;
using testing::row_bytes;

std::string name(GgmlType t) {
  return std::string(ggml_type_name(t));
}

std::vector<std::string> simd_levels() {
  std::vector<std::string> out;
  for (const char* l : {"avx2", "avx512"})
    if (vec_dot_at_level(GgmlType::kQ4_0, l)) out.push_back(l);
  return out;
}

// |sum| of the products of the dequantized operands: the scale the rounding error is relative to.
double magnitude(GgmlType t, const void* w, const void* x, int64_t n) {
  std::vector<float> wd(n), xd(n);
  dequantize_row(t, w, wd.data(), n);
  dequantize_row(vec_dot_type(t), x, xd.data(), n);
  double m = 0;
  for (int64_t i = 0; i < n; ++i) m += std::fabs(static_cast<double>(wd[i]) * xd[i]);
  return m;
}

void expect_levels_agree(GgmlType t, const void* w, const void* x, int64_t n,
                         const std::string& what) {
  const VecDotFn ref = vec_dot_at_level(t, "scalar");
  const float r = ref(n, w, x);
  const double tol = 2e-5 * magnitude(t, w, x, n) + 1e-6;
  for (const auto& level : simd_levels()) {
    const VecDotFn f = vec_dot_at_level(t, level);
    ASSERT_NE(f, nullptr) << name(t) << " has no " << level << " kernel";
    EXPECT_NEAR(f(n, w, x), r, tol) << name(t) << " " << level << " n=" << n << " " << what;
  }
  // The dispatched entry point agrees too.
  EXPECT_NEAR(vec_dot(t, n, w, x), r, tol) << name(t) << " dispatched, n=" << n;
}

TEST(SimdKernels, HasAKernelForEveryTypeAtEveryLevel) {
  if (simd_levels().empty()) GTEST_SKIP() << "no AVX2 on this CPU";
  for (GgmlType t : all_weight_types())
    for (const auto& level : simd_levels())
      EXPECT_NE(vec_dot_at_level(t, level), nullptr) << name(t) << " " << level;
  EXPECT_EQ(vec_dot_at_level(GgmlType::kIQ2_XXS, "avx2"), nullptr);
  EXPECT_EQ(vec_dot_at_level(GgmlType::kQ4_0, "neon"), nullptr);
}

TEST(SimdKernels, RandomRowsAtManySizes) {
  if (simd_levels().empty()) GTEST_SKIP() << "no AVX2 on this CPU";
  for (GgmlType t : all_weight_types()) {
    const int64_t bs = ggml_traits(t).block_size;
    std::vector<int64_t> sizes = {bs, 2 * bs, 3 * bs, 7 * bs, 16 * bs, 33 * bs};
    if (bs == 1) sizes.insert(sizes.end(), {1, 5, 7, 8, 13, 31, 33, 100, 4097});
    for (int64_t n : sizes) {
      // Weights with a different scale per block, some blocks all zero.
      auto w = random_floats(n, static_cast<uint32_t>(n) * 3 + 1);
      for (int64_t i = 0; i < n; ++i) w[i] *= static_cast<float>(1 + (i / 32) % 5);
      if (n >= 64)
        for (int64_t i = 32; i < 64; ++i) w[i] = 0;
      const auto x = random_floats(n, static_cast<uint32_t>(n) * 7 + 2, 2.0f);
      std::vector<uint8_t> wq(row_bytes(t, n)), xq(activation_row_size(t, n));
      quantize_row(t, w.data(), wq.data(), n);
      quantize_activation(t, x.data(), xq.data(), n);
      expect_levels_agree(t, wq.data(), xq.data(), n, "random");
    }
  }
}

// Sets every scale field of a quantized row (fp16 d, m, dmin) to values from `next`; for the
// float types sets every element. Level bytes are left as they are.
template <typename Next>
void set_scale_fields(GgmlType t, uint8_t* p, int64_t n, Next next) {
  const int64_t nb = n / ggml_traits(t).block_size;
  auto half = [&] { return fp32_to_fp16(next()); };
  for (int64_t b = 0; b < nb; ++b) {
    switch (t) {
      case GgmlType::kQ4_0:
        reinterpret_cast<BlockQ4_0*>(p)[b].d = half();
        break;
      case GgmlType::kQ4_1:
        reinterpret_cast<BlockQ4_1*>(p)[b].d = half();
        reinterpret_cast<BlockQ4_1*>(p)[b].m = half();
        break;
      case GgmlType::kQ5_0:
        reinterpret_cast<BlockQ5_0*>(p)[b].d = half();
        break;
      case GgmlType::kQ5_1:
        reinterpret_cast<BlockQ5_1*>(p)[b].d = half();
        reinterpret_cast<BlockQ5_1*>(p)[b].m = half();
        break;
      case GgmlType::kQ8_0:
        reinterpret_cast<BlockQ8_0*>(p)[b].d = half();
        break;
      case GgmlType::kIQ4_NL:
        reinterpret_cast<BlockIQ4_NL*>(p)[b].d = half();
        break;
      case GgmlType::kQ2_K:
        reinterpret_cast<BlockQ2_K*>(p)[b].d = half();
        reinterpret_cast<BlockQ2_K*>(p)[b].dmin = half();
        break;
      case GgmlType::kQ3_K:
        reinterpret_cast<BlockQ3_K*>(p)[b].d = half();
        break;
      case GgmlType::kQ4_K:
        reinterpret_cast<BlockQ4_K*>(p)[b].d = half();
        reinterpret_cast<BlockQ4_K*>(p)[b].dmin = half();
        break;
      case GgmlType::kQ5_K:
        reinterpret_cast<BlockQ5_K*>(p)[b].d = half();
        reinterpret_cast<BlockQ5_K*>(p)[b].dmin = half();
        break;
      case GgmlType::kQ6_K:
        reinterpret_cast<BlockQ6_K*>(p)[b].d = half();
        break;
      case GgmlType::kF16:
        reinterpret_cast<uint16_t*>(p)[b] = half();
        break;
      case GgmlType::kBF16:
        reinterpret_cast<uint16_t*>(p)[b] = fp32_to_bf16(next());
        break;
      case GgmlType::kF32:
        reinterpret_cast<float*>(p)[b] = next();
        break;
      default:
        break;
    }
  }
}

// Random bytes everywhere (any level pattern, high bits included), then sane random scales.
void random_block_bytes(GgmlType t, uint8_t* p, int64_t n, std::mt19937& rng) {
  for (size_t i = 0; i < row_bytes(t, n); ++i) p[i] = static_cast<uint8_t>(rng());
  std::uniform_real_distribution<float> u(-0.1f, 0.1f);
  set_scale_fields(t, p, n, [&] { return u(rng); });
}

TEST(SimdKernels, RawRandomBlocks) {
  if (simd_levels().empty()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937 rng(42);
  for (GgmlType t : all_weight_types()) {
    const int64_t n = 256 * 5;
    std::vector<uint8_t> wq(row_bytes(t, n));
    std::vector<uint8_t> xq(activation_row_size(t, n));
    for (int rep = 0; rep < 20; ++rep) {
      random_block_bytes(t, wq.data(), n, rng);
      const auto x = random_floats(n, 1000 + rep, 3.0f);
      quantize_activation(t, x.data(), xq.data(), n);
      expect_levels_agree(t, wq.data(), xq.data(), n, "raw rep " + std::to_string(rep));
    }
  }
}

TEST(SimdKernels, ExtremeLevels) {
  if (simd_levels().empty()) GTEST_SKIP() << "no AVX2 on this CPU";
  // Every level byte 0x00, 0xFF or 0x80 (lowest / highest level of every field, sign bits), the
  // scales at the top of their range, against activations at +-127 of one sign or alternating:
  // the integer sums at their largest.
  for (GgmlType t : all_weight_types()) {
    const int64_t n = 512;
    for (uint8_t fill : {uint8_t{0x00}, uint8_t{0xFF}, uint8_t{0x80}}) {
      std::vector<uint8_t> wq(row_bytes(t, n), fill);
      float sc = 0;
      set_scale_fields(t, wq.data(), n, [&] { return (sc += 1.0f) > 3 ? (sc = 1.0f) : sc; });
      for (int pattern = 0; pattern < 3; ++pattern) {
        std::vector<float> x(n);
        for (int64_t i = 0; i < n; ++i)
          x[i] = pattern == 0 ? 5.0f : pattern == 1 ? -5.0f : (i % 2 ? 5.0f : -5.0f);
        std::vector<uint8_t> xq(activation_row_size(t, n));
        quantize_activation(t, x.data(), xq.data(), n);
        expect_levels_agree(t, wq.data(), xq.data(), n,
                            "fill " + std::to_string(fill) + " pattern " + std::to_string(pattern));
      }
    }
  }
}

// Edge values of each format's scale fields — the largest fp16 magnitude of both signs, the
// smallest normal, a subnormal, signed zeros — under random level bytes, against activations that
// are all zero, tiny (their own block scales underflow), large, or one-hot: every SIMD level agrees
// with the scalar reference, the result is finite, and an all-zero scale gives exactly 0.
TEST(SimdKernels, EdgeScalesAndActivations) {
  const float kScales[] = {65504.0f, -65504.0f, 6.103515625e-05f, 5.9604645e-08f, 0.0f, -0.0f};
  std::mt19937 rng(7);
  for (GgmlType t : all_weight_types()) {
    const int64_t n = 512;
    std::vector<uint8_t> wq(row_bytes(t, n));
    for (float scale : kScales) {
      for (size_t i = 0; i < wq.size(); ++i) wq[i] = static_cast<uint8_t>(rng());
      set_scale_fields(t, wq.data(), n, [&] { return scale; });
      for (int pattern = 0; pattern < 4; ++pattern) {
        std::vector<float> x(n, 0.0f);
        for (int64_t i = 0; i < n; ++i) {
          if (pattern == 1) x[i] = (i % 3 ? 1e-30f : -1e-30f);
          if (pattern == 2) x[i] = (i % 2 ? 3e4f : -3e4f);
          if (pattern == 3 && i % 32 == 7) x[i] = 100.0f;
        }
        std::vector<uint8_t> xq(activation_row_size(t, n));
        quantize_activation(t, x.data(), xq.data(), n);
        const std::string what =
            "scale " + std::to_string(scale) + " pattern " + std::to_string(pattern);
        const float r = vec_dot_at_level(t, "scalar")(n, wq.data(), xq.data());
        ASSERT_TRUE(std::isfinite(r)) << name(t) << " " << what;
        if (scale == 0.0f || pattern == 0) {
          EXPECT_EQ(r, 0.0f) << name(t) << " " << what;
        }
        if (!simd_levels().empty()) expect_levels_agree(t, wq.data(), xq.data(), n, what);
      }
    }
  }
}

TEST(Matmul, EqualsVecDotForEveryTypeThreadsAndTokenCounts) {
  ThreadPool pool3(3);
  for (GgmlType t : all_weight_types()) {
    const int64_t n_cols = 512, n_rows = 37;
    const auto wf = random_floats(n_rows * n_cols, 5);
    std::vector<uint8_t> W(row_bytes(t, n_cols) * n_rows);
    for (int64_t r = 0; r < n_rows; ++r)
      quantize_row(t, wf.data() + r * n_cols, W.data() + r * row_bytes(t, n_cols), n_cols);
    for (int64_t n_tokens : {1, 2, 5}) {
      const auto X = random_floats(n_tokens * n_cols, 9 + static_cast<uint32_t>(n_tokens));
      std::vector<float> expect(n_tokens * n_rows);
      std::vector<uint8_t> act(activation_row_size(t, n_cols));
      for (int64_t tk = 0; tk < n_tokens; ++tk) {
        quantize_activation(t, X.data() + tk * n_cols, act.data(), n_cols);
        for (int64_t r = 0; r < n_rows; ++r)
          expect[tk * n_rows + r] =
              vec_dot(t, n_cols, W.data() + r * row_bytes(t, n_cols), act.data());
      }
      for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &pool3}) {
        std::vector<uint8_t> scratch(matmul_scratch_size(t, n_cols, n_tokens) + 1);
        std::vector<float> Y(n_tokens * n_rows, -1.0f);
        matmul(t, W.data(), n_rows, n_cols, X.data(), n_tokens, Y.data(), scratch.data(), pool);
        for (size_t i = 0; i < Y.size(); ++i)
          ASSERT_EQ(Y[i], expect[i])
              << name(t) << " tokens=" << n_tokens << " i=" << i << (pool ? " pool" : " single");
      }
    }
  }
}

TEST(Matmul, MatchesFloatReferenceWithinQuantizationNoise) {
  // The product is the real one: compare with a double-precision product of the dequantized
  // weights and the f32 activations.
  const int64_t n_cols = 256, n_rows = 16, n_tokens = 3;
  ThreadPool pool(2);
  for (GgmlType t : all_weight_types()) {
    const auto wf = random_floats(n_rows * n_cols, 1);
    const auto X = random_floats(n_tokens * n_cols, 2);
    std::vector<uint8_t> W(row_bytes(t, n_cols) * n_rows);
    std::vector<float> wd(n_rows * n_cols);
    for (int64_t r = 0; r < n_rows; ++r) {
      quantize_row(t, wf.data() + r * n_cols, W.data() + r * row_bytes(t, n_cols), n_cols);
      dequantize_row(t, W.data() + r * row_bytes(t, n_cols), wd.data() + r * n_cols, n_cols);
    }
    std::vector<uint8_t> scratch(matmul_scratch_size(t, n_cols, n_tokens));
    std::vector<float> Y(n_tokens * n_rows);
    matmul(t, W.data(), n_rows, n_cols, X.data(), n_tokens, Y.data(), scratch.data(), &pool);
    for (int64_t tk = 0; tk < n_tokens; ++tk)
      for (int64_t r = 0; r < n_rows; ++r) {
        double s = 0, mag = 0;
        for (int64_t c = 0; c < n_cols; ++c) {
          s += static_cast<double>(wd[r * n_cols + c]) * X[tk * n_cols + c];
          mag += std::fabs(static_cast<double>(wd[r * n_cols + c]) * X[tk * n_cols + c]);
        }
        // Activation rounding noise: 8-bit levels give about 0.01 * mag / sqrt(n) (one sigma).
        EXPECT_NEAR(Y[tk * n_rows + r], s,
                    0.05 * mag / std::sqrt(static_cast<double>(n_cols)) + 1e-4)
            << name(t) << " r=" << r << " t=" << tk;
      }
  }
}

}  // namespace
}  // namespace fulcrum::kernels
