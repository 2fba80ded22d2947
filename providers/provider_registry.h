// ProviderRegistry: builds the providers named in the config's [providers.<name>] tables and
// finds them by name. Also takes providers made elsewhere (the local engine) through add().
//
//   [providers.openai]
//   kind = "openai_compat"                 # openai_compat | anthropic | gemini
//   base_url = "https://api.openai.com/v1"
//   api_key_env = "OPENAI_API_KEY"         # or api_key = "sk-..." (env wins when both are set)
//   on_premises = false
//
// Full key list: provider_config.h / docs/CONFIG.md ("Providers").
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/result.h"
#include "providers/http_client.h"
#include "providers/provider.h"

namespace fulcrum::providers {

class ProviderRegistry {
 public:
  ProviderRegistry() = default;
  ProviderRegistry(ProviderRegistry&&) = default;
  ProviderRegistry& operator=(ProviderRegistry&&) = default;

  // `providers` is the [providers] table (each sub-table one provider). Unknown keys and
  // unknown kinds are errors with their line. Keys come from the table or the environment.
  static Result<ProviderRegistry> from_config(ConfigTable providers,
                                              std::shared_ptr<HttpClient> client);

  Status add(std::shared_ptr<Provider> provider);  // kAlreadyExists on a duplicate name
  Provider* find(std::string_view name) const;     // nullptr when unknown
  std::shared_ptr<Provider> get(std::string_view name) const;
  std::vector<std::string> names() const;
  // Starts periodic health checks for providers that configured an interval.
  void start_health_checks();

 private:
  std::shared_ptr<HttpClient> client_;
  std::map<std::string, std::shared_ptr<Provider>, std::less<>> providers_;
};

}  // namespace fulcrum::providers
