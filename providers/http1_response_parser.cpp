#include "providers/http1_response_parser.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "core/ascii.h"

namespace fulcrum::providers {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// True when the comma-separated header value lists `token` (case-insensitively).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (ascii::iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// The end of the head ("\r\n\r\n" or a bare "\n\n"), or npos.
size_t head_end(std::string_view s, size_t* terminator) {
  for (size_t i = 0; i < s.size(); ++i) {
    const void* nl = std::memchr(s.data() + i, '\n', s.size() - i);
    if (!nl) break;
    i = static_cast<size_t>(static_cast<const char*>(nl) - s.data());
    if (i + 1 < s.size() && s[i + 1] == '\n') {
      *terminator = 2;
      return i;
    }
    if (i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') {
      *terminator = 3;
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Error Http1ResponseParser::malformed(std::string_view why) const {
  return Error(ErrorCode::kUpstream,
               fmt::format("upstream sent a malformed HTTP response: {}", why));
}

Status Http1ResponseParser::parse_head(std::string_view text) {
  head_ = HttpResponseHead{};
  head_.headers.reserve(12);  // one allocation for the usual number of header lines
  size_t eol = text.find('\n');
  std::string_view status_line = trim(text.substr(0, eol));
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ')
    return malformed("bad status line");
  bool http11 = status_line[7] == '1';
  int status = 0;
  auto r = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (r.ec != std::errc() || r.ptr != status_line.data() + 12 || status < 100 || status > 999)
    return malformed("bad status code");
  head_.status = status;
  keep_alive_ = http11;
  std::string_view rest = eol == std::string_view::npos ? "" : text.substr(eol + 1);
  bool chunked = false;
  bool has_length = false;
  uint64_t length = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') return malformed("folded header line");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return malformed("header line without a name");
    std::string name(trim(line.substr(0, colon)));
    for (char& c : name) c = ascii::to_lower(c);
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-length") {
      uint64_t n = 0;
      auto cr = std::from_chars(value.data(), value.data() + value.size(), n);
      if (cr.ec != std::errc() || cr.ptr != value.data() + value.size() ||
          (has_length && n != length))
        return malformed("bad content-length");
      has_length = true;
      length = n;
    } else if (name == "transfer-encoding") {
      if (!has_token(value, "chunked")) return malformed("unsupported transfer-encoding");
      chunked = true;
    } else if (name == "connection") {
      if (has_token(value, "close")) keep_alive_ = false;
      if (!http11 && has_token(value, "keep-alive")) keep_alive_ = true;
    }
    head_.headers.emplace_back(std::move(name), std::string(value));
  }
  if (no_body_ || status == 204 || status == 304 || (status >= 100 && status < 200)) {
    framing_ = Framing::kNone;
  } else if (chunked) {
    framing_ = Framing::kChunked;  // wins over a content-length (RFC 9112 section 6.3)
  } else if (has_length) {
    framing_ = Framing::kLength;
    remaining_ = length;
  } else {
    framing_ = Framing::kUntilClose;
  }
  return ok_status();
}

Status Http1ResponseParser::deliver(std::string_view bytes, Sink* sink) {
  if (bytes.empty()) return ok_status();
  if (!sink->on_body(bytes)) return Error(ErrorCode::kCancelled, "request aborted by its handler");
  return ok_status();
}

Status Http1ResponseParser::feed_head(std::string_view* data, Sink* sink) {
  // With nothing buffered the head is looked for, and parsed, where the new bytes lie (the
  // usual case: it came in one read). Otherwise the new bytes join the buffer, and the search
  // starts 3 bytes back, as the terminator may straddle the two.
  const size_t old = buf_.size();
  size_t from = 0;
  std::string_view text = *data;
  if (old > 0) {
    from = old >= 3 ? old - 3 : 0;
    buf_.append(*data);
    text = buf_;
  }
  size_t term = 0;
  size_t end = head_end(text.substr(from), &term);
  if (end == std::string_view::npos) {
    if (old == 0) buf_.append(*data);
    data->remove_prefix(data->size());
    if (buf_.size() > kMaxHeadBytes) return malformed("response headers too large");
    return ok_status();
  }
  end += from;
  size_t head_len = end + term;
  if (head_len > kMaxHeadBytes) return malformed("response headers too large");
  FULCRUM_TRY_STATUS(parse_head(text.substr(0, end + 1)));
  data->remove_prefix(head_len - old);
  buf_.clear();
  return after_head(sink);
}

Status Http1ResponseParser::after_head(Sink* sink) {
  if (head_.status < 200) {
    if (head_.status == 101) return malformed("unexpected protocol switch");
    return ok_status();  // interim response: the real head follows
  }
  if (!sink->on_head(head_)) return Error(ErrorCode::kCancelled, "request aborted by its handler");
  switch (framing_) {
    case Framing::kNone:
      state_ = State::kDone;
      break;
    case Framing::kLength:
      state_ = remaining_ == 0 ? State::kDone : State::kBody;
      break;
    case Framing::kChunked:
      state_ = State::kChunkSize;
      break;
    case Framing::kUntilClose:
      state_ = State::kBody;
      break;
  }
  return ok_status();
}

Status Http1ResponseParser::feed_chunked(std::string_view* data, Sink* sink) {
  while (!data->empty() && state_ != State::kDone) {
    if (state_ == State::kChunkData) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data->size()));
      FULCRUM_TRY_STATUS(deliver(data->substr(0, n), sink));
      data->remove_prefix(n);
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::kChunkDataEnd;
      continue;
    }
    // Line-based states: chunk size, the CRLF after chunk data, trailers.
    size_t nl = data->find('\n');
    if (nl == std::string_view::npos) {
      buf_.append(*data);
      data->remove_prefix(data->size());
      if (buf_.size() > 4096) return malformed("chunk line too long");
      return ok_status();
    }
    buf_.append(data->substr(0, nl));
    data->remove_prefix(nl + 1);
    std::string_view line = trim(buf_);
    if (state_ == State::kChunkDataEnd) {
      if (!line.empty()) return malformed("chunk data longer than its size");
      state_ = State::kChunkSize;
    } else if (state_ == State::kChunkSize) {
      std::string_view hex = line.substr(0, line.find(';'));
      hex = trim(hex);
      uint64_t size = 0;
      auto r = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
      if (hex.empty() || r.ec != std::errc() || r.ptr != hex.data() + hex.size())
        return malformed("bad chunk size");
      remaining_ = size;
      state_ = size == 0 ? State::kTrailers : State::kChunkData;
    } else if (state_ == State::kTrailers) {
      if (line.empty()) state_ = State::kDone;
    }
    buf_.clear();
  }
  return ok_status();
}

Status Http1ResponseParser::feed(std::string_view data, Sink* sink, size_t* used) {
  size_t total = data.size();
  if (used) *used = 0;
  if (!data.empty()) got_bytes_ = true;
  while (!data.empty() && state_ != State::kDone) {
    if (state_ == State::kHead) {
      FULCRUM_TRY_STATUS(feed_head(&data, sink));
      continue;
    }
    if (framing_ == Framing::kChunked) {
      FULCRUM_TRY_STATUS(feed_chunked(&data, sink));
      continue;
    }
    if (framing_ == Framing::kUntilClose) {
      FULCRUM_TRY_STATUS(deliver(data, sink));
      data.remove_prefix(data.size());
      continue;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
    FULCRUM_TRY_STATUS(deliver(data.substr(0, n), sink));
    data.remove_prefix(n);
    remaining_ -= n;
    if (remaining_ == 0) state_ = State::kDone;
  }
  if (used) *used = total - data.size();
  return ok_status();
}

Status Http1ResponseParser::finish_at_eof() {
  if (state_ == State::kDone) return ok_status();
  if (state_ == State::kBody && framing_ == Framing::kUntilClose) {
    state_ = State::kDone;
    return ok_status();
  }
  if (state_ == State::kHead) {
    return Error(ErrorCode::kUnavailable,
                 got_bytes_ ? "upstream connection closed in the middle of the response headers"
                            : "upstream connection closed before a response (empty reply)");
  }
  return Error(ErrorCode::kUnavailable,
               "upstream connection failed: the body ended before it was complete");
}

}  // namespace fulcrum::providers
