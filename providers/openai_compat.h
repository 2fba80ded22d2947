// openai_compat: OpenAI's Chat Completions and Embeddings APIs and every server that speaks
// them (vLLM, llama-server, Ollama, another Fulcrum). base_url includes the version prefix,
// e.g. "https://api.openai.com/v1"; calls go to {base_url}/chat/completions, /embeddings and
// (health) /models, with "Authorization: Bearer <key>" when a key is configured.
// Reference: https://platform.openai.com/docs/api-reference/chat
#pragma once

#include <memory>

#include "providers/wire_adapter.h"

namespace fulcrum::providers {

std::unique_ptr<WireAdapter> make_openai_compat_adapter(const ProviderConfig& config);

}  // namespace fulcrum::providers
