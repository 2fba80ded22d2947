// SseParser: incremental parser for text/event-stream bodies (the WHATWG "server-sent events"
// format) as upstream LLM APIs send them. Strict on purpose: an upstream that sends something
// else is broken, and a clean error beats guessing.
//
// Accepted: "field: value" lines for data / event / id / retry, comment lines (":..."), blank
// lines ending an event, LF or CRLF line ends. Rejected with kUpstream: any other field, a NUL
// byte, invalid UTF-8, a line or event over the size limit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fulcrum::providers {

struct SseEvent {
  std::string event;  // empty means "message"
  std::string data;   // data lines joined with "\n"
  std::string id;
};

class SseParser {
 public:
  explicit SseParser(int64_t max_event_bytes = 4 << 20) : max_event_bytes_(max_event_bytes) {}

  // Appends complete events to `out`. After an error the parser stays failed.
  Status feed(std::string_view bytes, std::vector<SseEvent>* out);
  // At end of body: a partial event left in the buffer is an error (truncated stream); a
  // complete last event
  // missing only its closing blank line is delivered.
  Status finish(std::vector<SseEvent>* out);

 private:
  Status line(std::string_view text, std::vector<SseEvent>* out);

  int64_t max_event_bytes_;
  std::string buffer_;  // bytes of an incomplete line
  SseEvent current_;
  bool has_data_ = false;
  int64_t event_bytes_ = 0;
  bool failed_ = false;
  bool skip_lf_ = false;  // last byte was CR: a following LF belongs to it
};

}  // namespace fulcrum::providers
