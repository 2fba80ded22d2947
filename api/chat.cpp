#include "api/chat.h"

namespace fulcrum::api {

std::string Message::text() const {
  std::string out;
  bool first = true;
  for (const auto& p : content) {
    if (p.kind != ContentPart::Kind::kText) continue;
    if (!first) out.push_back('\n');
    out.append(p.text);
    first = false;
  }
  return out;
}

std::vector<std::string_view> ChatRequest::texts() const {
  std::vector<std::string_view> out;
  for (const auto& p : system)
    if (p.kind == ContentPart::Kind::kText) out.emplace_back(p.text);
  for (const auto& m : messages) {
    for (const auto& p : m.content)
      if (p.kind == ContentPart::Kind::kText) out.emplace_back(p.text);
    for (const auto& c : m.tool_calls) out.emplace_back(c.arguments);
    if (!m.refusal.empty()) out.emplace_back(m.refusal);
  }
  return out;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kSystem:
      return "system";
    case Role::kDeveloper:
      return "developer";
    case Role::kUser:
      return "user";
    case Role::kAssistant:
      return "assistant";
    case Role::kTool:
      return "tool";
  }
  return "user";
}

std::string_view openai_finish_reason(FinishReason r) {
  switch (r) {
    case FinishReason::kNone:
      return "";
    case FinishReason::kStop:
      return "stop";
    case FinishReason::kLength:
      return "length";
    case FinishReason::kToolCalls:
      return "tool_calls";
    case FinishReason::kContentFilter:
      return "content_filter";
    case FinishReason::kError:
      return "stop";
  }
  return "stop";
}

std::string_view anthropic_stop_reason(FinishReason r) {
  switch (r) {
    case FinishReason::kNone:
      return "";
    case FinishReason::kStop:
      return "end_turn";
    case FinishReason::kLength:
      return "max_tokens";
    case FinishReason::kToolCalls:
      return "tool_use";
    case FinishReason::kContentFilter:
      return "refusal";
    case FinishReason::kError:
      return "end_turn";
  }
  return "end_turn";
}

}  // namespace fulcrum::api
