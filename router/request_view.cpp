#include "router/request_view.h"

#include <string>

namespace fulcrum::router {
namespace {

// Visits every text of a request that would go upstream, in the segment order of the contract
// in request_view.h: system parts, then per message: text parts, tool call arguments, refusal.
template <typename Request, typename Fn>
void for_each_text(Request& r, Fn&& fn) {
  for (size_t i = 0; i < r.system.size(); ++i)
    if (r.system[i].kind == api::ContentPart::Kind::kText)
      fn(r.system[i].text, "system[" + std::to_string(i) + "]", std::string("system"));
  for (size_t m = 0; m < r.messages.size(); ++m) {
    auto& msg = r.messages[m];
    std::string role(api::role_name(msg.role));
    std::string base = "messages[" + std::to_string(m) + "]";
    for (size_t p = 0; p < msg.content.size(); ++p)
      if (msg.content[p].kind == api::ContentPart::Kind::kText)
        fn(msg.content[p].text, base + ".content[" + std::to_string(p) + "]", role);
    for (size_t k = 0; k < msg.tool_calls.size(); ++k)
      fn(msg.tool_calls[k].arguments, base + ".tool_calls[" + std::to_string(k) + "].arguments",
         role);
    if (!msg.refusal.empty()) fn(msg.refusal, base + ".refusal", role);
  }
}

}  // namespace

RouteInput to_route_input(const api::ChatRequest& request) {
  RouteInput in;
  in.model = request.model;
  in.max_tokens = request.max_tokens.value_or(0);
  in.has_tools = !request.tools.empty();
  in.stream = request.stream;
  for_each_text(request, [&](const std::string& text, std::string where, std::string role) {
    in.segments.push_back({std::move(where), std::move(role), text});
  });
  return in;
}

api::ChatRequest redact(const api::ChatRequest& request, const std::vector<Finding>& findings,
                        Redactor* redactor) {
  api::ChatRequest out = request;
  uint32_t segment = 0;
  for_each_text(out, [&](std::string& text, const std::string&, const std::string&) {
    text = redactor->mask(text, segment++, findings);
  });
  return out;
}

void restore(api::ChatResponse* response, const Redactor& redactor) {
  for (auto& choice : response->choices) {
    for (auto& part : choice.message.content)
      if (part.kind == api::ContentPart::Kind::kText) part.text = redactor.restore(part.text);
    for (auto& call : choice.message.tool_calls) call.arguments = redactor.restore(call.arguments);
  }
}

}  // namespace fulcrum::router
