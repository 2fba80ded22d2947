// Bridges api::ChatRequest and the router: the texts a request would send upstream as
// segments (system parts, then per message its text parts, tool call arguments, refusal), and
// the masked copy of a request for redaction mode. Segment order is the contract between the
// two functions: findings from scanning to_route_input(r).segments apply to redact(r, ...).
#pragma once

#include "api/chat.h"
#include "router/redactor.h"
#include "router/route_input.h"

namespace fulcrum::router {

RouteInput to_route_input(const api::ChatRequest& request);

// The JSON path of segment `index` of to_route_input(request): "system[0]",
// "messages[2].content[1]", "messages[3].tool_calls[0].arguments", "messages[4].refusal"; empty
// when the request has no such segment.
std::string segment_path(const api::ChatRequest& request, uint32_t index);

// A copy of `request` with every finding masked (findings as RouteDecision::findings).
api::ChatRequest redact(const api::ChatRequest& request, const std::vector<Finding>& findings,
                        Redactor* redactor);

// Restores placeholders in a reply (text parts, tool call arguments) in place.
void restore(api::ChatResponse* response, const Redactor& redactor);

}  // namespace fulcrum::router
