// One parsed HTTP/1.1 request, and the incremental parser that reads it off a connection buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fulcrum::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // target without the query string
  std::string query;   // after '?', without it
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote;  // peer address "ip:port"

  // Value of the first header named `name` (lower-case), empty when absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

struct ParseLimits {
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 8 * 1024 * 1024;
};

// Incremental parser: feed() the bytes received so far; it reports when a whole request is in.
class HttpRequestParser {
 public:
  enum class State {
    kNeedMore,        // call again with more bytes
    kDone,            // request() is complete; consumed() bytes belong to it
    kBadRequest,      // malformed: answer 400 and close
    kTooLarge,        // body over the limit: answer 413 and close
    kHeaderTooLarge,  // headers over the limit: answer 431 and close
    kUnsupported,     // e.g. unknown transfer-encoding: answer 501 and close
  };

  explicit HttpRequestParser(ParseLimits limits) : limits_(limits) {}

  // `data` is the whole unconsumed buffer (it only grows between calls until kDone).
  State feed(std::string_view data);
  HttpRequest& request() { return request_; }
  size_t consumed() const { return consumed_; }
  // True once the headers are parsed and the client sent "Expect: 100-continue".
  bool wants_continue() const { return headers_done_ && expect_continue_; }
  bool keep_alive() const { return keep_alive_; }
  bool headers_done() const { return headers_done_; }
  const std::string& error() const { return error_; }
  void reset();

 private:
  State parse_head(std::string_view data);
  State parse_chunked(std::string_view data);
  State fail(State s, std::string why);

  ParseLimits limits_;
  HttpRequest request_;
  bool headers_done_ = false;
  bool expect_continue_ = false;
  bool keep_alive_ = true;
  bool chunked_ = false;
  size_t head_len_ = 0;
  size_t content_length_ = 0;
  size_t chunk_pos_ = 0;  // chunked: bytes of `data` already decoded into body
  size_t consumed_ = 0;
  std::string error_;
};

}  // namespace fulcrum::server
