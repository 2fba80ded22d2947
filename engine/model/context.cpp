#include "engine/model/context.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/kernels.h"

namespace fulcrum::engine {
namespace {

// y = x / rms(x) * w over n elements (sum of squares in double, as ggml does).
void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float scale = 1.0f / std::sqrt(static_cast<float>(sum / static_cast<double>(n)) + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] * scale) * w[i];
}

}  // namespace

Result<std::unique_ptr<Context>> Context::create(const Model& model, ContextParams p) {
  const ModelConfig& c = model.config();
  if (p.n_ctx < 0 || p.n_batch < 0)
    return Error(ErrorCode::kInvalidArgument, "n_ctx and n_batch must not be negative");
  if (p.n_ctx == 0 || p.n_ctx > c.n_ctx_train) p.n_ctx = c.n_ctx_train;
  if (p.n_batch == 0) p.n_batch = 512;
  p.n_batch = std::min(p.n_batch, p.n_ctx);
  if (p.n_threads <= 0) p.n_threads = ThreadPool::default_threads();
  p.n_threads = std::clamp(p.n_threads, 1, 256);
  return std::unique_ptr<Context>(new Context(model, p));
}

Context::Context(const Model& model, const ContextParams& p)
    : model_(model),
      params_(p),
      pool_(std::make_unique<ThreadPool>(p.n_threads)),
      kv_(model.config(), p.n_ctx) {
  const ModelConfig& c = model.config();
  const auto B = static_cast<size_t>(p.n_batch);
  x_ = std::make_unique_for_overwrite<float[]>(B * c.n_embd);
  xn_ = std::make_unique_for_overwrite<float[]>(B * std::max(c.n_embd, c.n_embd_q()));
  q_ = std::make_unique_for_overwrite<float[]>(B * c.n_embd_q());
  k_ = std::make_unique_for_overwrite<float[]>(B * c.n_embd_kv());
  v_ = std::make_unique_for_overwrite<float[]>(B * c.n_embd_kv());
  att_ = std::make_unique_for_overwrite<float[]>(B * c.n_embd_q());
  gate_ = std::make_unique_for_overwrite<float[]>(B * c.n_ff);
  up_ = std::make_unique_for_overwrite<float[]>(B * c.n_ff);
  rope_cs_ = std::make_unique_for_overwrite<float[]>(B * c.n_rot);
  scores_ = std::make_unique_for_overwrite<float[]>(static_cast<size_t>(p.n_threads) * p.n_ctx);
  // theta_i = freq_scale * base^(-2i/n_rot) / factor_i  (llama3 factors from rope_freqs.weight)
  const Weight& rf = model.weights().rope_freqs;
  inv_freq_.resize(static_cast<size_t>(c.n_rot / 2));
  for (int64_t i = 0; i < c.n_rot / 2; ++i) {
    double f = c.rope_freq_scale * std::pow(static_cast<double>(c.rope_freq_base),
                                            -2.0 * i / static_cast<double>(c.n_rot));
    if (rf.present()) f /= rf.f32()[i];
    inv_freq_[i] = static_cast<float>(f);
  }
  size_t scratch = 0;
  auto need = [&](const Weight& w) {
    if (w.present())
      scratch = std::max(scratch, kernels::matmul_scratch_size(w.type, w.n_cols, p.n_batch));
  };
  need(model.weights().output);
  for (const auto& l : model.weights().layers) {
    for (const Weight* w :
         {&l.attn_q, &l.attn_k, &l.attn_v, &l.attn_output, &l.ffn_gate, &l.ffn_up, &l.ffn_down})
      need(*w);
  }
  mm_scratch_ = std::make_unique_for_overwrite<uint8_t[]>(scratch + 64);
}

void Context::truncate(int64_t n) {
  n_past_ = std::clamp<int64_t>(n, 0, n_past_);
}

Status Context::forward(std::span<const int32_t> tokens, LogitsMode mode,
                        std::span<float> logits_out) {
  const ModelConfig& c = model_.config();
  const auto n = static_cast<int64_t>(tokens.size());
  if (n == 0) return Error(ErrorCode::kInvalidArgument, "forward: no tokens");
  if (n_past_ + n > kv_.n_ctx())
    return Error(ErrorCode::kInvalidArgument,
                 "context overflow: " + std::to_string(n_past_) + " + " + std::to_string(n) +
                     " tokens exceed n_ctx " + std::to_string(kv_.n_ctx()));
  const int64_t need = (mode == LogitsMode::kAll ? n : 1) * c.n_vocab;
  if (static_cast<int64_t>(logits_out.size()) < need)
    return Error(ErrorCode::kInvalidArgument, "forward: logits buffer too small");
  for (int32_t t : tokens)
    if (t < 0 || t >= c.n_vocab)
      return Error(ErrorCode::kInvalidArgument, "token id " + std::to_string(t) +
                                                    " is outside the vocabulary (n_vocab " +
                                                    std::to_string(c.n_vocab) + ")");
  for (int64_t start = 0; start < n; start += params_.n_batch) {
    const int64_t m = std::min(params_.n_batch, n - start);
    const bool last_batch = start + m == n;
    float* out = nullptr;
    if (mode == LogitsMode::kAll)
      out = logits_out.data() + start * c.n_vocab;
    else if (last_batch)
      out = logits_out.data();
    forward_batch(tokens.data() + start, m, mode, out);
  }
  return {};
}

// Y[t][r] = W row r · X[t]: the hot spot — nearly all time of a forward pass is spent here.
void Context::matmul(const Weight& w, const float* x, int64_t n_tokens, float* y) {
  kernels::matmul(w.type, w.data, w.n_rows, w.n_cols, x, n_tokens, y, mm_scratch_.get(),
                  pool_.get());
}

// Rotates the first n_rot dims of each head of x ([n_tokens][n_heads * head_dim]).
void Context::rope(float* x, int64_t n_tokens, int64_t n_heads) {
  const ModelConfig& c = model_.config();
  const int64_t half = c.n_rot / 2;
  const bool neox = c.rope_style == RopeStyle::kNeox;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* cs = rope_cs_.get() + t * c.n_rot;
    for (int64_t h = 0; h < n_heads; ++h) {
      float* v = x + (t * n_heads + h) * c.head_dim;
      for (int64_t i = 0; i < half; ++i) {
        const int64_t i0 = neox ? i : 2 * i, i1 = neox ? i + half : 2 * i + 1;
        const float x0 = v[i0], x1 = v[i1], co = cs[2 * i], si = cs[2 * i + 1];
        v[i0] = x0 * co - x1 * si;
        v[i1] = x0 * si + x1 * co;
      }
    }
  }
}

// Causal GQA attention of the batch's queries over the cache (positions 0 .. own position). Both
// halves are f32 dot products through the kernels (SIMD): scores = K·q per position, then each
// output dimension = (probabilities · that dimension of V over positions).
void Context::attention_layer(int64_t il, int64_t n_tokens) {
  const ModelConfig& c = model_.config();
  const int64_t hd = c.head_dim, n_head = c.n_head, gqa = c.n_gqa();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  constexpr auto kF32 = kernels::GgmlType::kF32;
  pool_->parallel_for(n_tokens * n_head, [&](int64_t task, int thread) {
    const int64_t t = task / n_head, h = task % n_head, kvh = h / gqa;
    const int64_t n_kv = batch_pos0_ + t + 1;
    const float* q = q_.get() + (t * n_head + h) * hd;
    float* s = scores_.get() + static_cast<int64_t>(thread) * kv_.n_ctx();
    float mx = -INFINITY;
    for (int64_t j = 0; j < n_kv; ++j) {
      s[j] = kernels::vec_dot(kF32, hd, kv_.k(il, j) + kvh * hd, q) * scale;
      mx = std::max(mx, s[j]);
    }
    double sum = 0.0;
    for (int64_t j = 0; j < n_kv; ++j) {
      s[j] = std::exp(s[j] - mx);
      sum += s[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t j = 0; j < n_kv; ++j) s[j] *= inv;
    float* o = att_.get() + (t * n_head + h) * hd;
    for (int64_t d = 0; d < hd; ++d)
      o[d] = kernels::vec_dot(kF32, n_kv, kv_.v_dim(il, kvh * hd + d), s);
  });
}

void Context::forward_batch(const int32_t* tokens, int64_t T, LogitsMode mode, float* logits) {
  const ModelConfig& c = model_.config();
  const ModelWeights& w = model_.weights();
  const int64_t E = c.n_embd, Q = c.n_embd_q(), KV = c.n_embd_kv(), F = c.n_ff;
  batch_pos0_ = n_past_;
  for (int64_t t = 0; t < T; ++t) {
    kernels::dequantize_row(w.token_embd.type, w.token_embd.row(tokens[t]), x_.get() + t * E, E);
    const double pos = static_cast<double>(batch_pos0_ + t);
    for (int64_t i = 0; i < c.n_rot / 2; ++i) {
      const double a = pos * inv_freq_[i];
      rope_cs_[t * c.n_rot + 2 * i] = static_cast<float>(std::cos(a));
      rope_cs_[t * c.n_rot + 2 * i + 1] = static_cast<float>(std::sin(a));
    }
  }
  auto add_bias = [&](const Weight& b, float* y, int64_t n) {
    if (!b.present()) return;
    for (int64_t t = 0; t < T; ++t)
      for (int64_t i = 0; i < n; ++i) y[t * n + i] += b.f32()[i];
  };
  auto norm_rows = [&](const Weight& nw) {
    pool_->parallel_for(T, [&](int64_t t, int) {
      rms_norm(x_.get() + t * E, nw.f32(), xn_.get() + t * E, E, c.rms_eps);
    });
  };
  for (int64_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& l = w.layers[static_cast<size_t>(il)];
    norm_rows(l.attn_norm);
    matmul(l.attn_q, xn_.get(), T, q_.get());  // [T][Q]
    matmul(l.attn_k, xn_.get(), T, k_.get());  // [T][KV]
    matmul(l.attn_v, xn_.get(), T, v_.get());  // [T][KV]
    add_bias(l.attn_q_bias, q_.get(), Q);
    add_bias(l.attn_k_bias, k_.get(), KV);
    add_bias(l.attn_v_bias, v_.get(), KV);
    rope(q_.get(), T, c.n_head);
    rope(k_.get(), T, c.n_head_kv);
    for (int64_t t = 0; t < T; ++t) {
      std::memcpy(kv_.k(il, batch_pos0_ + t), k_.get() + t * KV, sizeof(float) * KV);
      for (int64_t i = 0; i < KV; ++i) kv_.v_dim(il, i)[batch_pos0_ + t] = v_[t * KV + i];
    }
    attention_layer(il, T);
    matmul(l.attn_output, att_.get(), T, xn_.get());  // [T][E]
    for (int64_t i = 0; i < T * E; ++i) x_[i] += xn_[i];
    norm_rows(l.ffn_norm);
    matmul(l.ffn_gate, xn_.get(), T, gate_.get());  // [T][F]
    matmul(l.ffn_up, xn_.get(), T, up_.get());      // [T][F]
    for (int64_t i = 0; i < T * F; ++i) {
      const float g = gate_[i];
      gate_[i] = g / (1.0f + std::exp(-g)) * up_[i];  // SwiGLU: silu(gate) * up
    }
    matmul(l.ffn_down, gate_.get(), T, xn_.get());  // [T][E]
    for (int64_t i = 0; i < T * E; ++i) x_[i] += xn_[i];
  }
  n_past_ += T;
  if (!logits) return;
  if (mode == LogitsMode::kAll) {
    norm_rows(w.output_norm);
    matmul(w.output, xn_.get(), T, logits);
  } else {
    rms_norm(x_.get() + (T - 1) * E, w.output_norm.f32(), xn_.get(), E, c.rms_eps);
    matmul(w.output, xn_.get(), 1, logits);
  }
}

}  // namespace fulcrum::engine
