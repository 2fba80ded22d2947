// Matmul throughput per weight type: a 4096 x 4096 weight matrix times one token (the decode
// matvec, bound by how fast the weights stream from memory) on 1 and 2 threads, reported as GB/s
// of weights streamed, next to the machine's measured read bandwidth (the speed of light).
// Also a 32-token batch (prompt processing) as GFLOP/s. Prints one JSON object.
//
//   kernels_bench [--simd scalar|avx2|avx512] [--types q4_0,q4_K,...] [--min-ms 300]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace {

using fulcrum::ThreadPool;
using fulcrum::kernels::GgmlType;
using Clock = std::chrono::steady_clock;

constexpr int64_t kRows = 4096, kCols = 4096;

// Best seconds per call of fn over repeated runs lasting at least min_ms in total.
template <typename F>
double time_best(F&& fn, double min_ms) {
  fn();  // warm up (page in, caches)
  double best = 1e30, total = 0;
  int reps = 0;
  while (total * 1e3 < min_ms || reps < 3) {
    const auto t0 = Clock::now();
    fn();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::min(best, s);
    total += s;
    ++reps;
  }
  return best;
}

// Read bandwidth of one and two threads over a 256 MB buffer (sum of 64-bit words).
double read_bandwidth(ThreadPool& pool, double min_ms) {
  const size_t n = (256u << 20) / 8;
  std::vector<uint64_t> buf(n, 1);
  std::vector<uint64_t> sums(pool.size());
  const double s = time_best(
      [&] {
        pool.for_each_thread([&](int t, int nt) {
          const size_t a = n * t / nt, b = n * (t + 1) / nt;
          uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (size_t i = a; i + 4 <= b; i += 4) {
            s0 += buf[i];
            s1 += buf[i + 1];
            s2 += buf[i + 2];
            s3 += buf[i + 3];
          }
          sums[t] = s0 + s1 + s2 + s3;
        });
      },
      min_ms);
  volatile uint64_t sink = sums[0];
  (void)sink;
  return n * 8 / s / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  std::string types_arg = "f32,f16,bf16,q8_0,q4_0,q4_1,q5_0,q5_1,q2_K,q3_K,q4_K,q5_K,q6_K,iq4_nl";
  double min_ms = 300;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--simd") && i + 1 < argc) {
      setenv("FULCRUM_SIMD", argv[++i], 1);  // read once, at the first kernel call
    } else if (!std::strcmp(argv[i], "--types") && i + 1 < argc) {
      types_arg = argv[++i];
    } else if (!std::strcmp(argv[i], "--min-ms") && i + 1 < argc) {
      min_ms = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: kernels_bench [--simd LEVEL] [--types a,b] [--min-ms MS]\n");
      return 2;
    }
  }
  std::vector<GgmlType> types;
  for (size_t p = 0; p < types_arg.size();) {
    size_t q = types_arg.find(',', p);
    if (q == std::string::npos) q = types_arg.size();
    auto t = fulcrum::kernels::ggml_type_from_name(types_arg.substr(p, q - p));
    if (!t || !fulcrum::kernels::is_supported(*t)) {
      std::fprintf(stderr, "unsupported type %s\n", types_arg.substr(p, q - p).c_str());
      return 2;
    }
    types.push_back(*t);
    p = q + 1;
  }

  ThreadPool pool1(1), pool2(2);
  const double bw1 = read_bandwidth(pool1, min_ms), bw2 = read_bandwidth(pool2, min_ms);

  // 64 distinct quantized rows repeated over the matrix: the bytes are real weights and the
  // matrix is 4096 distinct rows in memory, without quantizing 16M values per type.
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.0f, 0.02f);
  std::vector<float> src(64 * kCols);
  for (auto& v : src) v = dist(rng);
  std::vector<float> X(32 * kCols);
  for (auto& v : X) v = dist(rng) * 50;
  std::vector<float> Y(32 * kRows);

  std::printf("{\n  \"bench\": \"kernels_matmul\",\n  \"simd\": \"%s\",\n  \"shape\": [%lld, %lld],\n",
              fulcrum::kernels::simd_level(), static_cast<long long>(kRows),
              static_cast<long long>(kCols));
  std::printf("  \"read_bandwidth_gbs\": {\"threads_1\": %.2f, \"threads_2\": %.2f},\n", bw1, bw2);
  std::printf("  \"types\": {\n");
  for (size_t ti = 0; ti < types.size(); ++ti) {
    const GgmlType t = types[ti];
    const size_t row = *fulcrum::kernels::ggml_row_size(t, kCols);
    std::vector<uint8_t> W(row * kRows);
    for (int64_t r = 0; r < 64; ++r) fulcrum::kernels::quantize_row(t, src.data() + r * kCols, W.data() + r * row, kCols);
    for (int64_t r = 64; r < kRows; ++r) std::memcpy(W.data() + r * row, W.data() + (r % 64) * row, row);
    std::vector<uint8_t> scratch(fulcrum::kernels::matmul_scratch_size(t, kCols, 32));
    auto run = [&](ThreadPool& pool, int64_t tokens) {
      return time_best(
          [&] {
            fulcrum::kernels::matmul(t, W.data(), kRows, kCols, X.data(), tokens, Y.data(), scratch.data(), &pool);
          },
          min_ms);
    };
    const double s1 = run(pool1, 1), s2 = run(pool2, 1);
    const double p2 = run(pool2, 32);
    const double gb = static_cast<double>(W.size()) / 1e9;
    std::printf(
        "    \"%s\": {\"weight_mb\": %.1f, \"matvec_gbs\": {\"threads_1\": %.2f, \"threads_2\": %.2f}, "
        "\"matvec_ms\": {\"threads_1\": %.3f, \"threads_2\": %.3f}, \"batch32_gflops_threads_2\": %.1f}%s\n",
        std::string(fulcrum::kernels::ggml_type_name(t)).c_str(), W.size() / 1e6, gb / s1, gb / s2, s1 * 1e3,
        s2 * 1e3, 2.0 * kRows * kCols * 32 / p2 / 1e9, ti + 1 < types.size() ? "," : "");
  }
  std::printf("  }\n}\n");
  return 0;
}
