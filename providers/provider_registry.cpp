#include "providers/provider_registry.h"

#include "providers/provider_config.h"
#include "providers/upstream_provider.h"

namespace fulcrum::providers {

Result<ProviderRegistry> ProviderRegistry::from_config(ConfigTable providers,
                                                       std::shared_ptr<HttpClient> client) {
  ProviderRegistry reg;
  reg.client_ = client;
  for (const std::string& name : providers.keys()) {
    FULCRUM_TRY(auto table, providers.get_table(name));
    if (!table) return providers.invalid(name, "each provider must be a table [providers.NAME]");
    FULCRUM_TRY(auto cfg, parse_provider_config(std::move(*table), name));
    FULCRUM_TRY(auto p, UpstreamProvider::create(std::move(cfg), client));
    FULCRUM_TRY_STATUS(reg.add(std::move(p)));
  }
  FULCRUM_TRY_STATUS(providers.finish());
  return reg;
}

Status ProviderRegistry::add(std::shared_ptr<Provider> provider) {
  if (!provider) return Error(ErrorCode::kInvalidArgument, "null provider");
  std::string name = provider->name();
  if (providers_.count(name)) {
    return Error(ErrorCode::kAlreadyExists, "provider '" + name + "' is defined twice");
  }
  providers_.emplace(std::move(name), std::move(provider));
  return ok_status();
}

Provider* ProviderRegistry::find(std::string_view name) const {
  auto it = providers_.find(name);
  return it == providers_.end() ? nullptr : it->second.get();
}

std::shared_ptr<Provider> ProviderRegistry::get(std::string_view name) const {
  auto it = providers_.find(name);
  return it == providers_.end() ? nullptr : it->second;
}

std::vector<std::string> ProviderRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : providers_) out.push_back(k);
  return out;
}

void ProviderRegistry::start_health_checks() {
  for (auto& [name, p] : providers_) {
    if (auto* up = dynamic_cast<UpstreamProvider*>(p.get())) up->start_health_checks();
  }
}

}  // namespace fulcrum::providers
