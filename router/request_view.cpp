#include "router/request_view.h"

#include <string>

namespace fulcrum::router {
namespace {

// Where a segment sits in the request, kept as indices; path() spells it out.
struct Place {
  enum class Kind { kSystem, kContent, kToolArguments, kRefusal };
  Kind kind;
  size_t message = 0;  // messages[message] (not for kSystem)
  size_t index = 0;    // the part or tool call (kSystem, kContent, kToolArguments)

  std::string path() const {
    if (kind == Kind::kSystem) return "system[" + std::to_string(index) + "]";
    std::string out = "messages[" + std::to_string(message) + "]";
    switch (kind) {
      case Kind::kContent:
        return out + ".content[" + std::to_string(index) + "]";
      case Kind::kToolArguments:
        return out + ".tool_calls[" + std::to_string(index) + "].arguments";
      case Kind::kRefusal:
        return out + ".refusal";
      case Kind::kSystem:
        break;
    }
    return out;
  }
};

// Visits every text of a request that would go upstream, in the segment order of the contract
// in request_view.h: system parts, then per message: text parts, tool call arguments, refusal.
// fn(text, place, role).
template <typename Request, typename Fn>
void for_each_text(Request& r, Fn&& fn) {
  using Kind = Place::Kind;
  for (size_t i = 0; i < r.system.size(); ++i)
    if (r.system[i].kind == api::ContentPart::Kind::kText)
      fn(r.system[i].text, Place{Kind::kSystem, 0, i}, std::string_view("system"));
  for (size_t m = 0; m < r.messages.size(); ++m) {
    auto& msg = r.messages[m];
    std::string_view role = api::role_name(msg.role);
    for (size_t p = 0; p < msg.content.size(); ++p)
      if (msg.content[p].kind == api::ContentPart::Kind::kText)
        fn(msg.content[p].text, Place{Kind::kContent, m, p}, role);
    for (size_t k = 0; k < msg.tool_calls.size(); ++k)
      fn(msg.tool_calls[k].arguments, Place{Kind::kToolArguments, m, k}, role);
    if (!msg.refusal.empty()) fn(msg.refusal, Place{Kind::kRefusal, m, 0}, role);
  }
}

}  // namespace

RouteInput to_route_input(const api::ChatRequest& request) {
  RouteInput in;
  in.model = request.model;
  in.max_tokens = request.max_tokens.value_or(0);
  in.has_tools = !request.tools.empty();
  in.stream = request.stream;
  in.segments.reserve(request.system.size() + request.messages.size());
  for_each_text(request, [&](const std::string& text, const Place&, std::string_view role) {
    in.segments.push_back({role, text});
  });
  return in;
}

std::string segment_path(const api::ChatRequest& request, uint32_t index) {
  std::string path;
  uint32_t i = 0;
  for_each_text(request, [&](const std::string&, const Place& place, std::string_view) {
    if (i++ == index) path = place.path();
  });
  return path;
}

api::ChatRequest redact(const api::ChatRequest& request, const std::vector<Finding>& findings,
                        Redactor* redactor) {
  api::ChatRequest out = request;
  uint32_t segment = 0;
  for_each_text(out, [&](std::string& text, const Place&, std::string_view) {
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
