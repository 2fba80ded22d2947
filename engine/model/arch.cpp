#include "engine/model/arch.h"

namespace fulcrum::engine {
namespace {

using R = TensorRole;
using N = Need;

constexpr TensorRoleInfo kRoles[] = {
    {R::kTokenEmbd, "token_embd.weight", false, true},
    {R::kOutputNorm, "output_norm.weight", false, false},
    {R::kOutput, "output.weight", false, true},
    {R::kRopeFreqs, "rope_freqs.weight", false, false},
    {R::kAttnNorm, "blk.{}.attn_norm.weight", true, false},
    {R::kAttnQ, "blk.{}.attn_q.weight", true, true},
    {R::kAttnK, "blk.{}.attn_k.weight", true, true},
    {R::kAttnV, "blk.{}.attn_v.weight", true, true},
    {R::kAttnOut, "blk.{}.attn_output.weight", true, true},
    {R::kAttnQBias, "blk.{}.attn_q.bias", true, false},
    {R::kAttnKBias, "blk.{}.attn_k.bias", true, false},
    {R::kAttnVBias, "blk.{}.attn_v.bias", true, false},
    {R::kFfnNorm, "blk.{}.ffn_norm.weight", true, false},
    {R::kFfnGate, "blk.{}.ffn_gate.weight", true, true},
    {R::kFfnUp, "blk.{}.ffn_up.weight", true, true},
    {R::kFfnDown, "blk.{}.ffn_down.weight", true, true},
};
static_assert(std::size(kRoles) == kTensorRoleCount);

//                       embd  onorm  out   ropef  anorm  q     k     v     o     qb    kb    vb
//                       fnorm gate  up    down
constexpr ArchSpec kArchs[] = {
    // Llama 2/3, Mistral, SmolLM, TinyLlama. Biases are optional (some fine-tunes carry them).
    {"llama",
     RopeStyle::kNormal,
     {N::kRequired, N::kRequired, N::kOptional, N::kOptional, N::kRequired, N::kRequired,
      N::kRequired, N::kRequired, N::kRequired, N::kOptional, N::kOptional, N::kOptional,
      N::kRequired, N::kRequired, N::kRequired, N::kRequired},
     true},
    // Qwen2 / Qwen2.5: q/k/v biases, NeoX rope, often tied embeddings.
    {"qwen2",
     RopeStyle::kNeox,
     {N::kRequired, N::kRequired, N::kOptional, N::kAbsent, N::kRequired, N::kRequired,
      N::kRequired, N::kRequired, N::kRequired, N::kRequired, N::kRequired, N::kRequired,
      N::kRequired, N::kRequired, N::kRequired, N::kRequired},
     true},
};

}  // namespace

const ArchSpec* find_arch(std::string_view name) {
  for (const auto& a : kArchs)
    if (a.name == name) return &a;
  return nullptr;
}

const TensorRoleInfo& tensor_role_info(TensorRole r) {
  return kRoles[static_cast<size_t>(r)];
}

std::string_view supported_archs() {
  return "llama, qwen2";
}

}  // namespace fulcrum::engine
