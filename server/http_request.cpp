#include "server/http_request.h"

#include <algorithm>
#include <charconv>

#include "core/ascii.h"

namespace fulcrum::server {
namespace {

bool is_token_char(char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool contains_token(std::string_view list, std::string_view token) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    if (ascii::iequals(trim(list.substr(pos, comma - pos)), token)) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

bool HttpRequest::has_header(std::string_view name) const {
  for (const auto& kv : headers)
    if (kv.first == name) return true;
  return false;
}

void HttpRequestParser::reset() {
  request_ = HttpRequest{};
  headers_done_ = expect_continue_ = chunked_ = false;
  keep_alive_ = true;
  head_len_ = content_length_ = chunk_pos_ = consumed_ = 0;
  error_.clear();
}

HttpRequestParser::State HttpRequestParser::fail(State s, std::string why) {
  error_ = std::move(why);
  keep_alive_ = false;
  return s;
}

HttpRequestParser::State HttpRequestParser::feed(std::string_view data) {
  if (!headers_done_) {
    State s = parse_head(data);
    if (s != State::kDone) return s;
  }
  if (chunked_) return parse_chunked(data);
  if (data.size() - head_len_ < content_length_) return State::kNeedMore;
  request_.body.assign(data.substr(head_len_, content_length_));
  consumed_ = head_len_ + content_length_;
  return State::kDone;
}

HttpRequestParser::State HttpRequestParser::parse_head(std::string_view data) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() > limits_.max_header_bytes)
      return fail(State::kHeaderTooLarge, "request headers too large");
    return State::kNeedMore;
  }
  if (end + 4 > limits_.max_header_bytes)
    return fail(State::kHeaderTooLarge, "request headers too large");
  head_len_ = end + 4;
  std::string_view head = data.substr(0, end);
  size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  // Request line: METHOD SP TARGET SP HTTP/1.x
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos)
    return fail(State::kBadRequest, "bad request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!std::all_of(method.begin(), method.end(), is_token_char))
    return fail(State::kBadRequest, "bad method");
  if (target.empty() || target.front() != '/') return fail(State::kBadRequest, "bad target");
  if (version == "HTTP/1.1") {
    request_.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    request_.minor_version = 0;
    keep_alive_ = false;
  } else {
    return fail(State::kBadRequest, "unsupported HTTP version");
  }
  request_.method.assign(method);
  size_t q = target.find('?');
  request_.path.assign(target.substr(0, q));
  if (q != std::string_view::npos) request_.query.assign(target.substr(q + 1));

  bool have_length = false;
  request_.headers.reserve(12);  // one allocation for the usual number of header lines
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view h = rest.substr(0, e);
    rest = e == std::string_view::npos ? "" : rest.substr(e + 2);
    size_t colon = h.find(':');
    if (colon == 0 || colon == std::string_view::npos)
      return fail(State::kBadRequest, "bad header");
    std::string_view name = h.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char))
      return fail(State::kBadRequest, "bad header name");
    std::string lname(name);
    for (char& c : lname)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    std::string_view value = trim(h.substr(colon + 1));
    if (lname == "content-length") {
      size_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || value.empty())
        return fail(State::kBadRequest, "bad content-length");
      if (have_length && n != content_length_)
        return fail(State::kBadRequest, "conflicting content-length");
      have_length = true;
      content_length_ = n;
    } else if (lname == "transfer-encoding") {
      if (!ascii::iequals(value, "chunked"))
        return fail(State::kUnsupported, "unsupported transfer-encoding");
      chunked_ = true;
    } else if (lname == "connection") {
      if (contains_token(value, "close")) keep_alive_ = false;
      if (contains_token(value, "keep-alive")) keep_alive_ = true;
    } else if (lname == "expect") {
      if (ascii::iequals(value, "100-continue")) expect_continue_ = true;
    }
    request_.headers.emplace_back(std::move(lname), std::string(value));
  }
  // Smuggling guard: both framing headers at once is refused (RFC 9112 6.3).
  if (chunked_ && have_length) return fail(State::kBadRequest, "both content-length and chunked");
  if (content_length_ > limits_.max_body_bytes)
    return fail(State::kTooLarge, "request body larger than the limit");
  headers_done_ = true;
  chunk_pos_ = head_len_;
  return State::kDone;
}

HttpRequestParser::State HttpRequestParser::parse_chunked(std::string_view data) {
  for (;;) {
    std::string_view rest = data.substr(chunk_pos_);
    size_t e = rest.find("\r\n");
    if (e == std::string_view::npos)
      return rest.size() > 1024 ? fail(State::kBadRequest, "bad chunk") : State::kNeedMore;
    std::string_view size_line = rest.substr(0, e);
    size_t semi = size_line.find(';');
    if (semi != std::string_view::npos) size_line = size_line.substr(0, semi);
    size_line = trim(size_line);
    size_t n = 0;
    auto [p, ec] = std::from_chars(size_line.data(), size_line.data() + size_line.size(), n, 16);
    if (ec != std::errc() || p != size_line.data() + size_line.size() || size_line.empty())
      return fail(State::kBadRequest, "bad chunk size");
    if (n > limits_.max_body_bytes || request_.body.size() + n > limits_.max_body_bytes)
      return fail(State::kTooLarge, "request body larger than the limit");
    if (n == 0) {
      // Trailers (ignored) end with an empty line.
      size_t t = rest.find("\r\n\r\n", e);
      if (t == std::string_view::npos) return State::kNeedMore;
      consumed_ = chunk_pos_ + t + 4;
      return State::kDone;
    }
    if (rest.size() < e + 2 + n + 2) return State::kNeedMore;
    if (rest.substr(e + 2 + n, 2) != "\r\n") return fail(State::kBadRequest, "bad chunk framing");
    request_.body.append(rest.substr(e + 2, n));
    chunk_pos_ += e + 2 + n + 2;
  }
}

}  // namespace fulcrum::server
