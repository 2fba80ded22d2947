// What the router looks at: the texts of one request (every message, content part, tool call,
// tool result and the system prompt, each a segment) plus the few request fields that matter
// for the decision. request_view.h builds it from an api::ChatRequest; tests build it directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fulcrum::router {

struct Segment {
  std::string where;  // "system", "messages[2].content", "messages[3].tool_calls[0].arguments"
  std::string role;   // "system", "user", "assistant", "tool"
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
