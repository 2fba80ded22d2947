#include "engine/model/model.h"

#include <string>

#include "kernels/kernels.h"

namespace fulcrum::engine {
namespace {

using kernels::GgmlType;

std::string role_name(TensorRole role, int64_t layer) {
  std::string n(tensor_role_info(role).name);
  if (auto at = n.find("{}"); at != std::string::npos) n.replace(at, 2, std::to_string(layer));
  return n;
}

std::string shape_str(int64_t a, int64_t b) {
  return b == 0 ? "[" + std::to_string(a) + "]"
                : "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

// Binds one tensor: checks it is present (when required), its shape ([n_cols] for vectors,
// [n_cols, n_rows] for matrices) and a type fit for its role.
class Binder {
 public:
  Binder(const gguf::GgufFile& f, const ArchSpec& spec) : f_(f), spec_(spec) {}

  Status bind(TensorRole role, int64_t layer, int64_t n_cols, int64_t n_rows, Weight* out) {
    const TensorRoleInfo& info = tensor_role_info(role);
    const std::string name = role_name(role, layer);
    const gguf::TensorInfo* t = f_.find_tensor(name);
    Need need = spec_.need(role);
    if (!t) {
      if (need == Need::kRequired)
        return f_.error(ErrorCode::kNotFound, "missing tensor '" + name + "'").with_field(name);
      return {};
    }
    if (need == Need::kAbsent)
      return f_
          .error(ErrorCode::kInvalidArgument,
                 "tensor '" + name + "' is not used by architecture " + std::string(spec_.name))
          .with_field(name);
    bool shape_ok = info.is_matrix
                        ? (t->n_dims == 2 && t->ne[0] == static_cast<uint64_t>(n_cols) &&
                           t->ne[1] == static_cast<uint64_t>(n_rows))
                        : (t->n_elements == static_cast<uint64_t>(n_cols) && t->n_dims <= 2);
    if (!shape_ok) {
      std::string got = t->n_dims == 1 ? shape_str(static_cast<int64_t>(t->ne[0]), 0)
                                       : shape_str(static_cast<int64_t>(t->ne[0]),
                                                   static_cast<int64_t>(t->ne[1]));
      if (t->n_dims > 2) got += " (" + std::to_string(t->n_dims) + " dims)";
      return f_
          .error(ErrorCode::kBadShape, "tensor '" + name + "' has shape " + got + ", expected " +
                                           shape_str(n_cols, info.is_matrix ? n_rows : 0))
          .with_field(name)
          .with_offset(static_cast<int64_t>(t->info_offset));
    }
    if (info.is_matrix ? !kernels::is_supported(t->type) : t->type != GgmlType::kF32)
      return f_
          .error(ErrorCode::kUnimplemented,
                 "tensor '" + name + "' has type " + std::string(kernels::ggml_type_name(t->type)) +
                     (info.is_matrix ? ", which is not supported for weight matrices"
                                     : ", expected f32 for a norm/bias vector"))
          .with_field(name)
          .with_offset(static_cast<int64_t>(t->info_offset));
    out->name = t->name;
    out->type = t->type;
    out->n_cols = n_cols;
    out->n_rows = info.is_matrix ? n_rows : 1;
    out->row_bytes = info.is_matrix ? *kernels::ggml_row_size(t->type, n_cols) : n_cols * 4;
    out->data = t->data;
    bytes_ += t->n_bytes;
    return {};
  }
  uint64_t bytes() const { return bytes_; }

 private:
  const gguf::GgufFile& f_;
  const ArchSpec& spec_;
  uint64_t bytes_ = 0;
};

}  // namespace

Result<std::unique_ptr<Model>> Model::load(const std::string& path) {
  FULCRUM_TRY(auto file, gguf::GgufFile::open(path));
  return from_file(std::move(file));
}

Result<std::unique_ptr<Model>> Model::from_file(gguf::GgufFile file) {
  std::unique_ptr<Model> m(new Model(std::move(file)));
  FULCRUM_TRY(m->config_, ModelConfig::from_gguf(m->file_));
  FULCRUM_TRY_STATUS(m->bind_weights());
  return m;
}

Status Model::bind_weights() {
  ModelConfig& c = config_;
  const gguf::TensorInfo* embd = file_.find_tensor("token_embd.weight");
  if (!embd)
    return file_.error(ErrorCode::kNotFound, "missing tensor 'token_embd.weight'")
        .with_field("token_embd.weight");
  if (c.n_vocab == 0) c.n_vocab = embd->n_dims >= 2 ? static_cast<int64_t>(embd->ne[1]) : 0;
  if (c.n_vocab <= 0)
    return file_.error(ErrorCode::kBadShape, "cannot determine the vocabulary size")
        .with_field("token_embd.weight");
  Binder b(file_, *c.spec);
  using R = TensorRole;
  ModelWeights& w = weights_;
  const int64_t E = c.n_embd, Q = c.n_embd_q(), KV = c.n_embd_kv(), F = c.n_ff, V = c.n_vocab;
  FULCRUM_TRY_STATUS(b.bind(R::kTokenEmbd, 0, E, V, &w.token_embd));
  FULCRUM_TRY_STATUS(b.bind(R::kOutputNorm, 0, E, 0, &w.output_norm));
  FULCRUM_TRY_STATUS(b.bind(R::kOutput, 0, E, V, &w.output));
  FULCRUM_TRY_STATUS(b.bind(R::kRopeFreqs, 0, c.n_rot / 2, 0, &w.rope_freqs));
  if (!w.output.present()) {
    if (!c.spec->output_may_tie)
      return file_.error(ErrorCode::kNotFound, "missing tensor 'output.weight'")
          .with_field("output.weight");
    w.output = w.token_embd;
  }
  w.layers.resize(static_cast<size_t>(c.n_layer));
  for (int64_t il = 0; il < c.n_layer; ++il) {
    LayerWeights& l = w.layers[static_cast<size_t>(il)];
    FULCRUM_TRY_STATUS(b.bind(R::kAttnNorm, il, E, 0, &l.attn_norm));
    FULCRUM_TRY_STATUS(b.bind(R::kAttnQ, il, E, Q, &l.attn_q));
    FULCRUM_TRY_STATUS(b.bind(R::kAttnK, il, E, KV, &l.attn_k));
    FULCRUM_TRY_STATUS(b.bind(R::kAttnV, il, E, KV, &l.attn_v));
    FULCRUM_TRY_STATUS(b.bind(R::kAttnOut, il, Q, E, &l.attn_output));
    FULCRUM_TRY_STATUS(b.bind(R::kAttnQBias, il, Q, 0, &l.attn_q_bias));
    FULCRUM_TRY_STATUS(b.bind(R::kAttnKBias, il, KV, 0, &l.attn_k_bias));
    FULCRUM_TRY_STATUS(b.bind(R::kAttnVBias, il, KV, 0, &l.attn_v_bias));
    FULCRUM_TRY_STATUS(b.bind(R::kFfnNorm, il, E, 0, &l.ffn_norm));
    FULCRUM_TRY_STATUS(b.bind(R::kFfnGate, il, E, F, &l.ffn_gate));
    FULCRUM_TRY_STATUS(b.bind(R::kFfnUp, il, E, F, &l.ffn_up));
    FULCRUM_TRY_STATUS(b.bind(R::kFfnDown, il, F, E, &l.ffn_down));
  }
  weight_bytes_ = b.bytes();
  return {};
}

}  // namespace fulcrum::engine
