#include "router/price_table.h"

namespace fulcrum::router {

Result<PriceTable> PriceTable::parse(ConfigTable& table) {
  PriceTable t;
  for (const auto& key : table.keys()) {
    FULCRUM_TRY(auto entry, table.get_table(key));
    if (!entry) return table.invalid(key, "must be a table { input, output, cached }");
    if (key.find('/') == std::string::npos)
      return table.invalid(key, "price keys are \"<provider>/<model>\"");
    Price p;
    FULCRUM_TRY(p.input_per_mtok, entry->get_double("input", 0.0));
    FULCRUM_TRY(p.output_per_mtok, entry->get_double("output", 0.0));
    FULCRUM_TRY(auto cached, entry->get_double("cached"));
    p.cached_per_mtok = cached.value_or(p.input_per_mtok);
    FULCRUM_TRY_STATUS(entry->finish());
    if (p.input_per_mtok < 0 || p.output_per_mtok < 0 || p.cached_per_mtok < 0)
      return table.invalid(key, "prices must not be negative");
    t.set(key, p);
  }
  return t;
}

std::optional<Price> PriceTable::find(std::string_view provider, std::string_view model) const {
  // The "provider/model" key goes to a per-thread buffer (no allocation on the request path
  // once it has grown); the map looks up by string_view.
  thread_local std::string key;
  key.assign(provider).append("/").append(model);
  auto it = prices_.find(key);
  if (it == prices_.end()) return std::nullopt;
  return it->second;
}

std::optional<double> PriceTable::cost(std::string_view provider, std::string_view model,
                                       int64_t input_tokens, int64_t output_tokens,
                                       int64_t cached_tokens) const {
  auto p = find(provider, model);
  if (!p) return std::nullopt;
  int64_t uncached = input_tokens > cached_tokens ? input_tokens - cached_tokens : 0;
  return (static_cast<double>(uncached) * p->input_per_mtok +
          static_cast<double>(cached_tokens) * p->cached_per_mtok +
          static_cast<double>(output_tokens) * p->output_per_mtok) /
         1e6;
}

}  // namespace fulcrum::router
