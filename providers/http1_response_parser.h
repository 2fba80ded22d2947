// Http1ResponseParser: incremental parser for one HTTP/1.1 response as an upstream sends it —
// status line and headers, then the body framed by Content-Length, chunked transfer coding, or
// the end of the connection (RFC 9112 section 6.3). Interim 1xx responses are skipped. Body
// bytes are handed out as they arrive (no buffering of the body), so SSE streams flow through.
//
//   Http1ResponseParser p(/*head_request=*/false);
//   Status st = p.feed(bytes, &sink);   // sink.on_head(head) once, sink.on_body(bytes)*
//   if (p.done()) ...                   // the response is complete; p.keep_alive() says
//                                       // whether the connection may carry another request
//   st = p.finish_at_eof();             // the peer closed: complete or truncated?
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/http_client.h"

namespace fulcrum::providers {

class Http1ResponseParser {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    // Return false to stop: feed() then returns kCancelled.
    virtual bool on_head(const HttpResponseHead& head) = 0;
    virtual bool on_body(std::string_view bytes) = 0;
  };

  static constexpr size_t kMaxHeadBytes = 64 << 10;

  // `no_body`: the request was HEAD (the response has headers only).
  explicit Http1ResponseParser(bool no_body = false) : no_body_(no_body) {}

  // Consumes `data` (all of it, unless the response ends inside it: then the rest is left
  // unread, done() is true and *used, when given, says how much was read — a well-behaved
  // upstream sends nothing after a response). Errors: kUpstream for a malformed response;
  // kCancelled when the sink said stop.
  Status feed(std::string_view data, Sink* sink, size_t* used = nullptr);
  // The connection reached EOF. ok when the response is complete (a body delimited by the
  // close counts); kUnavailable when it was cut (no response, or a body short of its length).
  Status finish_at_eof();

  bool done() const { return state_ == State::kDone; }
  bool head_done() const { return state_ > State::kHead; }
  bool got_bytes() const { return got_bytes_; }
  // The connection may carry another request (HTTP/1.1, no "connection: close", body not
  // delimited by the close).
  bool keep_alive() const { return keep_alive_ && framing_ != Framing::kUntilClose; }
  const HttpResponseHead& head() const { return head_; }

 private:
  enum class State { kHead, kBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailers, kDone };
  enum class Framing { kNone, kLength, kChunked, kUntilClose };

  Status parse_head(std::string_view head_text);
  Status feed_head(std::string_view* data, Sink* sink);
  Status after_head(Sink* sink);  // the head is parsed: interim or on to the body
  Status feed_chunked(std::string_view* data, Sink* sink);
  Status deliver(std::string_view bytes, Sink* sink);
  Error malformed(std::string_view why) const;

  bool no_body_;
  State state_ = State::kHead;
  Framing framing_ = Framing::kNone;
  bool keep_alive_ = true;
  bool got_bytes_ = false;
  HttpResponseHead head_;
  std::string buf_;         // head bytes, or a partial chunk-size / trailer line
  uint64_t remaining_ = 0;  // body bytes left (kLength) or in the current chunk
};

}  // namespace fulcrum::providers
