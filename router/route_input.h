// What the router looks at: the texts of one request (every message, content part, tool call,
// tool result and the system prompt, each a segment) plus the few request fields that matter
// for the decision. request_view.h builds it from an api::ChatRequest; tests build it directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fulcrum::router {

// One text. Where in the request it came from is not kept per request (nothing on the routing
// path reads it); request_view.h's segment_path(request, index) names it when needed.
struct Segment {
  // "system", "developer", "user", "assistant" or "tool": a literal or api::role_name(), so a
  // view of text that lives as long as the program.
  std::string_view role;
  std::string text;
};

struct RouteInput {
  std::string model;              // the requested (virtual) model name
  std::vector<Segment> segments;  // every text the request would send upstream
  int64_t max_tokens = 0;         // 0 when the request left it open
  bool has_tools = false;
  bool stream = false;
};

}  // namespace fulcrum::router
