#include "providers/wire_adapter.h"

#include <cctype>

#include "providers/anthropic.h"
#include "providers/gemini.h"
#include "providers/openai_compat.h"
#include "providers/provider.h"

namespace fulcrum::providers {

std::unique_ptr<WireAdapter> make_wire_adapter(const ProviderConfig& config) {
  if (config.kind == "openai_compat") return make_openai_compat_adapter(config);
  if (config.kind == "anthropic") return make_anthropic_adapter(config);
  if (config.kind == "gemini") return make_gemini_adapter(config);
  return nullptr;
}

Status check_model_name(std::string_view model) {
  auto bad = [&](std::string_view why) {
    return Error(ErrorCode::kInvalidArgument, "invalid upstream model name: " + std::string(why))
        .with_field("model");
  };
  if (model.empty() || model.size() > 200) return bad("must be 1 to 200 bytes");
  if (model.find("..") != std::string_view::npos) return bad("must not contain '..'");
  for (char c : model) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
              c == ':' || c == '/' || c == '@' || c == '+';
    if (!ok) return bad("only letters, digits and . _ - : / @ + are allowed");
  }
  return ok_status();
}

bool is_retryable_code(ErrorCode code) {
  return code == ErrorCode::kRateLimited || code == ErrorCode::kUpstream ||
         code == ErrorCode::kUnavailable || code == ErrorCode::kDeadlineExceeded;
}

}  // namespace fulcrum::providers
