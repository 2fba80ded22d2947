// gemini: Google's Gemini API. base_url includes the version, e.g.
// "https://generativelanguage.googleapis.com/v1beta"; chat goes to
// {base_url}/models/{model}:generateContent, streams to :streamGenerateContent?alt=sse,
// embeddings to :batchEmbedContents, health to GET {base_url}/models; the key travels in the
// "x-goog-api-key" header (never in the URL, so it cannot leak through logged URLs).
// Reference: https://ai.google.dev/api/generate-content
#pragma once

#include <memory>

#include "providers/wire_adapter.h"

namespace fulcrum::providers {

std::unique_ptr<WireAdapter> make_gemini_adapter(const ProviderConfig& config);

}  // namespace fulcrum::providers
