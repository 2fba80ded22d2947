#include "providers/sse_parser.h"

#include <fmt/format.h>

#include "core/utf8.h"

namespace fulcrum::providers {
namespace {

Error sse_error(std::string_view why) {
  return Error(ErrorCode::kUpstream, fmt::format("malformed SSE stream from upstream: {}", why));
}

}  // namespace

Status SseParser::feed(std::string_view bytes, std::vector<SseEvent>* out) {
  if (failed_) return sse_error("parser already failed");
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') {
        start = i + 1;
        continue;
      }
    }
    if (c == '\0') {
      failed_ = true;
      return sse_error("NUL byte in stream");
    }
    if (c != '\n' && c != '\r') continue;
    std::string_view piece = bytes.substr(start, i - start);
    Status st = ok_status();
    if (buffer_.empty()) {
      st = line(piece, out);
    } else {
      buffer_.append(piece);
      std::string whole = std::move(buffer_);
      buffer_.clear();
      st = line(whole, out);
    }
    if (!st.ok()) {
      failed_ = true;
      return st;
    }
    skip_lf_ = (c == '\r');
    start = i + 1;
  }
  if (start < bytes.size()) {
    buffer_.append(bytes.substr(start));
    if (static_cast<int64_t>(buffer_.size()) > max_event_bytes_) {
      failed_ = true;
      return sse_error(fmt::format("line longer than {} bytes", max_event_bytes_));
    }
  }
  return ok_status();
}

Status SseParser::line(std::string_view text, std::vector<SseEvent>* out) {
  if (text.empty()) {
    if (has_data_ || !current_.event.empty()) {
      out->push_back(std::move(current_));
    }
    current_ = SseEvent{};
    has_data_ = false;
    event_bytes_ = 0;
    return ok_status();
  }
  event_bytes_ += static_cast<int64_t>(text.size());
  if (event_bytes_ > max_event_bytes_) {
    return sse_error(fmt::format("event larger than {} bytes", max_event_bytes_));
  }
  if (!utf8::is_valid(text)) return sse_error("invalid UTF-8");
  if (text.front() == ':') return ok_status();  // comment (keep-alive ping)
  auto colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    current_.id.assign(value);
  } else if (field == "retry") {
    // Reconnection hint for browsers; meaningless for a one-shot upstream call.
  } else {
    std::string shown(field.substr(0, 40));
    return sse_error(fmt::format("unexpected line starting '{}'", shown));
  }
  return ok_status();
}

Status SseParser::finish(std::vector<SseEvent>* out) {
  if (failed_) return sse_error("parser already failed");
  if (!buffer_.empty()) {
    failed_ = true;
    return sse_error("stream ended in the middle of a line");
  }
  if (has_data_ || !current_.event.empty()) {
    out->push_back(std::move(current_));
    current_ = SseEvent{};
    has_data_ = false;
  }
  return ok_status();
}

}  // namespace fulcrum::providers
