// anthropic: the Anthropic Messages API. base_url includes the version prefix, e.g.
// "https://api.anthropic.com/v1"; chat goes to {base_url}/messages with "x-api-key" and
// "anthropic-version" (config api_version, default 2023-06-01); health is GET {base_url}/models.
// There is no embeddings endpoint: embed() fails with kUnimplemented.
// Reference: https://docs.anthropic.com/en/api/messages and /en/api/messages-streaming
#pragma once

#include <memory>

#include "providers/wire_adapter.h"

namespace fulcrum::providers {

std::unique_ptr<WireAdapter> make_anthropic_adapter(const ProviderConfig& config);

}  // namespace fulcrum::providers
