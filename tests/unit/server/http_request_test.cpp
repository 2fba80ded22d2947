#include "server/http_request.h"

#include <gtest/gtest.h>

namespace fulcrum::server {
namespace {

using State = HttpRequestParser::State;

TEST(HttpRequestParser, ParsesRequestWithContentLength) {
  HttpRequestParser p({});
  std::string in =
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Fulcrum-Tier: "
      "small\r\n\r\nhelloGET";
  ASSERT_EQ(p.feed(in), State::kDone);
  EXPECT_EQ(p.request().method, "POST");
  EXPECT_EQ(p.request().path, "/v1/chat/completions");
  EXPECT_EQ(p.request().query, "x=1");
  EXPECT_EQ(p.request().body, "hello");
  EXPECT_EQ(p.request().header("x-fulcrum-tier"), "small");
  EXPECT_EQ(p.consumed(), in.size() - 3);
  EXPECT_TRUE(p.keep_alive());
}

TEST(HttpRequestParser, NeedsMoreUntilBodyComplete) {
  HttpRequestParser p({});
  std::string in = "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345";
  EXPECT_EQ(p.feed(in), State::kNeedMore);
  in += "67890";
  EXPECT_EQ(p.feed(in), State::kDone);
  EXPECT_EQ(p.request().body, "1234567890");
}

TEST(HttpRequestParser, DecodesChunkedBodyFedByteByByte) {
  std::string in =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n "
      "world\r\n0\r\n\r\n";
  HttpRequestParser p({});
  State s = State::kNeedMore;
  for (size_t i = 1; i <= in.size(); ++i) {
    s = p.feed(std::string_view(in).substr(0, i));
    if (s != State::kNeedMore) break;
  }
  ASSERT_EQ(s, State::kDone);
  EXPECT_EQ(p.request().body, "hello world");
  EXPECT_EQ(p.consumed(), in.size());
}

TEST(HttpRequestParser, RejectsOversizedBodyAs413) {
  ParseLimits limits;
  limits.max_body_bytes = 4;
  HttpRequestParser p(limits);
  EXPECT_EQ(p.feed("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), State::kTooLarge);
  HttpRequestParser q(limits);
  EXPECT_EQ(
      q.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n0\r\n\r\n"),
      State::kTooLarge);
}

TEST(HttpRequestParser, RejectsMalformedInput) {
  const char* bad[] = {
      "GARBAGE\r\n\r\n",
      "GET nothing HTTP/1.1\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  };
  for (const char* b : bad) {
    HttpRequestParser p({});
    EXPECT_EQ(p.feed(b), State::kBadRequest) << b;
  }
  HttpRequestParser p({});
  EXPECT_EQ(p.feed("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), State::kUnsupported);
}

TEST(HttpRequestParser, HeaderLimitGives431) {
  ParseLimits limits;
  limits.max_header_bytes = 64;
  HttpRequestParser p(limits);
  std::string in = "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'a');
  EXPECT_EQ(p.feed(in), State::kHeaderTooLarge);
}

TEST(HttpRequestParser, ConnectionCloseAndHttp10) {
  HttpRequestParser p({});
  ASSERT_EQ(p.feed("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"), State::kDone);
  EXPECT_FALSE(p.keep_alive());
  HttpRequestParser q({});
  ASSERT_EQ(q.feed("GET / HTTP/1.0\r\n\r\n"), State::kDone);
  EXPECT_FALSE(q.keep_alive());
  HttpRequestParser r({});
  ASSERT_EQ(r.feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), State::kDone);
  EXPECT_TRUE(r.keep_alive());
}

TEST(HttpRequestParser, ExpectContinue) {
  HttpRequestParser p({});
  EXPECT_EQ(p.feed("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"),
            State::kNeedMore);
  EXPECT_TRUE(p.wants_continue());
}

}  // namespace
}  // namespace fulcrum::server
