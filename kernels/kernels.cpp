// The type table and the dispatch of kernels.h: one row per supported type with its scalar
// reference functions, plus the SIMD dot product picked once from the CPU's features.
#include "kernels/kernels.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/assert.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/ref_kernels.h"
#include "kernels/x86/simd_dot.h"

namespace fulcrum::kernels {
namespace {

using DequantFn = void (*)(const void*, float*, int64_t);
using QuantFn = size_t (*)(const float*, void*, int64_t, const float*);
using DotFn = float (*)(int64_t, const void*, const void*);

struct TypeKernels {
  GgmlType type;
  GgmlType act;  // vec_dot_type
  DequantFn dequant;
  QuantFn quant;
  DotFn dot;  // scalar reference
};

constexpr std::array<TypeKernels, 14> kTable = {{
    {GgmlType::kF32, GgmlType::kF32, ref::dequant_f32, ref::quant_f32, ref::dot_f32},
    {GgmlType::kF16, GgmlType::kF16, ref::dequant_f16, ref::quant_f16, ref::dot_f16},
    {GgmlType::kBF16, GgmlType::kBF16, ref::dequant_bf16, ref::quant_bf16, ref::dot_bf16},
    {GgmlType::kQ4_0, GgmlType::kQ8_0, ref::dequant_q4_0, ref::quant_q4_0, ref::dot_q4_0},
    {GgmlType::kQ4_1, GgmlType::kQ8_1, ref::dequant_q4_1, ref::quant_q4_1, ref::dot_q4_1},
    {GgmlType::kQ5_0, GgmlType::kQ8_0, ref::dequant_q5_0, ref::quant_q5_0, ref::dot_q5_0},
    {GgmlType::kQ5_1, GgmlType::kQ8_1, ref::dequant_q5_1, ref::quant_q5_1, ref::dot_q5_1},
    {GgmlType::kQ8_0, GgmlType::kQ8_0, ref::dequant_q8_0, ref::quant_q8_0, ref::dot_q8_0},
    {GgmlType::kIQ4_NL, GgmlType::kQ8_0, ref::dequant_iq4_nl, ref::quant_iq4_nl, ref::dot_iq4_nl},
    {GgmlType::kQ2_K, GgmlType::kQ8_K, ref::dequant_q2_k, ref::quant_q2_k, ref::dot_q2_k},
    {GgmlType::kQ3_K, GgmlType::kQ8_K, ref::dequant_q3_k, ref::quant_q3_k, ref::dot_q3_k},
    {GgmlType::kQ4_K, GgmlType::kQ8_K, ref::dequant_q4_k, ref::quant_q4_k, ref::dot_q4_k},
    {GgmlType::kQ5_K, GgmlType::kQ8_K, ref::dequant_q5_k, ref::quant_q5_k, ref::dot_q5_k},
    {GgmlType::kQ6_K, GgmlType::kQ8_K, ref::dequant_q6_k, ref::quant_q6_k, ref::dot_q6_k},
}};

// The activation-only types: quantize / dequantize, no dot of their own.
struct ActKernels {
  GgmlType type;
  DequantFn dequant;
  QuantFn quant;
};
constexpr std::array<ActKernels, 2> kActTable = {{
    {GgmlType::kQ8_1, ref::dequant_q8_1, ref::quant_q8_1},
    {GgmlType::kQ8_K, ref::dequant_q8_k, ref::quant_q8_k},
}};

const TypeKernels* find(GgmlType t) {
  for (const auto& k : kTable)
    if (k.type == t) return &k;
  return nullptr;
}

const TypeKernels& get(GgmlType t) {
  const TypeKernels* k = find(t);
  FULCRUM_ASSERT(k != nullptr, "kernels: unsupported weight type (check is_supported first)");
  return *k;
}

enum class Level { kScalar, kAvx2, kAvx512 };

// FULCRUM_SIMD=scalar|avx2|avx512 lowers the level (for tests and comparisons); it never raises
// it above what the CPU has.
Level detect_level() {
#if defined(__x86_64__)
  Level best = x86::cpu_has_avx512() ? Level::kAvx512
               : x86::cpu_has_avx2() ? Level::kAvx2
                                     : Level::kScalar;
#else
  Level best = Level::kScalar;
#endif
  if (const char* env = std::getenv("FULCRUM_SIMD")) {
    std::string_view v(env);
    if (v == "scalar") return Level::kScalar;
    if (v == "avx2" && best != Level::kScalar) return Level::kAvx2;
  }
  return best;
}

struct Dispatch {
  Level level;
  std::array<DotFn, 64> dot{};  // indexed by type id
  Dispatch() : level(detect_level()) {
    for (const auto& k : kTable) {
      DotFn fast = nullptr;
#if defined(__x86_64__)
      if (level == Level::kAvx512) fast = x86::avx512::dot_for(k.type);
      if (!fast && level != Level::kScalar) fast = x86::avx2::dot_for(k.type);
#endif
      dot[static_cast<uint32_t>(k.type)] = fast ? fast : k.dot;
    }
  }
};

const Dispatch& dispatch() {
  static const Dispatch d;
  return d;
}

}  // namespace

bool is_supported(GgmlType t) {
  return find(t) != nullptr;
}

void dequantize_row(GgmlType t, const void* src, float* dst, int64_t n) {
  if (const TypeKernels* k = find(t)) return k->dequant(src, dst, n);
  for (const auto& a : kActTable)
    if (a.type == t) return a.dequant(src, dst, n);
  FULCRUM_ASSERT(false, "dequantize_row: unsupported type");
}

size_t quantize_row(GgmlType t, const float* src, void* dst, int64_t n, const float* imatrix) {
  if (const TypeKernels* k = find(t)) return k->quant(src, dst, n, imatrix);
  for (const auto& a : kActTable)
    if (a.type == t) return a.quant(src, dst, n, imatrix);
  FULCRUM_ASSERT(false, "quantize_row: unsupported type");
  return 0;
}

GgmlType vec_dot_type(GgmlType weight_type) {
  return get(weight_type).act;
}

size_t activation_row_size(GgmlType weight_type, int64_t n) {
  const auto& tr = ggml_traits(get(weight_type).act);
  return static_cast<size_t>(n / tr.block_size) * tr.type_size;
}

void quantize_activation(GgmlType weight_type, const float* x, void* dst, int64_t n) {
  quantize_row(get(weight_type).act, x, dst, n, nullptr);
}

float vec_dot(GgmlType weight_type, int64_t n, const void* w_row, const void* x_act) {
  return dispatch().dot[static_cast<uint32_t>(weight_type)](n, w_row, x_act);
}

size_t matmul_scratch_size(GgmlType w_type, int64_t n_cols, int64_t n_tokens) {
  return activation_row_size(w_type, n_cols) * static_cast<size_t>(n_tokens);
}

// Where the engine spends its time. Activations are converted once; then each task takes a
// chunk of weight rows and computes them against every token, so a chunk's rows stay in cache
// while the tokens stream past (for one token this is a plain parallel matvec, bound by how
// fast the weights stream from memory).
void matmul(GgmlType w_type, const void* W, int64_t n_rows, int64_t n_cols, const float* X,
            int64_t n_tokens, float* Y, void* scratch, ThreadPool* pool) {
  const TypeKernels& k = get(w_type);
  const DotFn dot = dispatch().dot[static_cast<uint32_t>(w_type)];
  const size_t w_row = *ggml_row_size(w_type, static_cast<uint64_t>(n_cols));
  const int n_threads = pool ? pool->size() : 1;

  const char* act = static_cast<const char*>(static_cast<const void*>(X));
  size_t act_row = static_cast<size_t>(n_cols) * sizeof(float);
  if (k.act != GgmlType::kF32) {
    act_row = activation_row_size(w_type, n_cols);
    char* s = static_cast<char*>(scratch);
    auto convert = [&](int64_t t, int) {
      quantize_activation(w_type, X + t * n_cols, s + t * act_row, n_cols);
    };
    if (pool && n_tokens > 1)
      pool->parallel_for(n_tokens, convert);
    else
      for (int64_t t = 0; t < n_tokens; ++t) convert(t, 0);
    act = s;
  }

  // Chunks: enough for dynamic balancing (8 per thread) but at least 4 rows each.
  const int64_t target = std::max<int64_t>(1, n_threads * 8);
  const int64_t chunk = std::max<int64_t>(4, (n_rows + target - 1) / target);
  const int64_t n_chunks = (n_rows + chunk - 1) / chunk;
  const char* w = static_cast<const char*>(W);
  auto work = [&](int64_t c, int) {
    const int64_t r0 = c * chunk, r1 = std::min(n_rows, r0 + chunk);
    for (int64_t t = 0; t < n_tokens; ++t) {
      const char* xt = act + t * act_row;
      float* yt = Y + t * n_rows;
      for (int64_t r = r0; r < r1; ++r) yt[r] = dot(n_cols, w + r * w_row, xt);
    }
  };
  if (pool && n_chunks > 1)
    pool->parallel_for(n_chunks, work);
  else
    for (int64_t c = 0; c < n_chunks; ++c) work(c, 0);
}

float fp16_to_fp32(uint16_t h) {
  return ref::half_to_float(h);
}
uint16_t fp32_to_fp16(float f) {
  return ref::float_to_half(f);
}
float bf16_to_fp32(uint16_t h) {
  return ref::bf16_to_float(h);
}
uint16_t fp32_to_bf16(float f) {
  return ref::float_to_bf16(f);
}

const char* simd_level() {
  switch (dispatch().level) {
    case Level::kAvx512:
      return "avx512";
    case Level::kAvx2:
      return "avx2";
    case Level::kScalar:
      return "scalar";
  }
  return "scalar";
}

VecDotFn vec_dot_at_level(GgmlType weight_type, std::string_view level) {
  const TypeKernels* k = find(weight_type);
  if (!k) return nullptr;
  if (level == "scalar") return k->dot;
#if defined(__x86_64__)
  if (level == "avx2" && x86::cpu_has_avx2()) return x86::avx2::dot_for(weight_type);
  if (level == "avx512" && x86::cpu_has_avx512()) return x86::avx512::dot_for(weight_type);
#endif
  return nullptr;
}

}  // namespace fulcrum::kernels
