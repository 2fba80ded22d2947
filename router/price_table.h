// Prices per provider model, in USD per million tokens (input, output, cached input), from
// [routing.prices."<provider>/<model>"] = { input = 2.5, output = 10.0, cached = 1.25 }.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/result.h"

namespace fulcrum::router {

struct Price {
  double input_per_mtok = 0;
  double output_per_mtok = 0;
  double cached_per_mtok = 0;
};

class PriceTable {
 public:
  static Result<PriceTable> parse(ConfigTable& table);  // the [routing.prices] table
  void set(std::string provider_model, Price price) { prices_[std::move(provider_model)] = price; }
  std::optional<Price> find(std::string_view provider, std::string_view model) const;
  // USD for the given token counts; nullopt when the model has no price.
  std::optional<double> cost(std::string_view provider, std::string_view model,
                             int64_t input_tokens, int64_t output_tokens,
                             int64_t cached_tokens = 0) const;

 private:
  std::map<std::string, Price, std::less<>> prices_;
};

}  // namespace fulcrum::router
