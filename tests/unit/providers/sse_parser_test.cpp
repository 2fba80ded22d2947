#include "providers/sse_parser.h"

#include <gtest/gtest.h>

namespace fulcrum::providers {
namespace {

std::vector<SseEvent> parse_all(std::string_view text, Status* st) {
  SseParser p;
  std::vector<SseEvent> out;
  *st = p.feed(text, &out);
  if (st->ok()) *st = p.finish(&out);
  return out;
}

TEST(SseParser, ParsesEventsDataAndComments) {
  Status st;
  auto ev =
      parse_all(": ping\n\nevent: message_start\ndata: {\"a\":1}\n\ndata: x\ndata: y\n\n", &st);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].event, "message_start");
  EXPECT_EQ(ev[0].data, "{\"a\":1}");
  EXPECT_EQ(ev[1].event, "");
  EXPECT_EQ(ev[1].data, "x\ny");
}

TEST(SseParser, HandlesCrLfAndSplitsAtEveryByte) {
  std::string text = "event: e\r\ndata: hello\r\n\r\ndata:no-space\r\rdata: [DONE]\n\n";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    SseParser p;
    std::vector<SseEvent> out;
    ASSERT_TRUE(p.feed(text.substr(0, cut), &out).ok());
    ASSERT_TRUE(p.feed(text.substr(cut), &out).ok());
    ASSERT_TRUE(p.finish(&out).ok());
    ASSERT_EQ(out.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(out[0].event, "e");
    EXPECT_EQ(out[0].data, "hello");
    EXPECT_EQ(out[1].data, "no-space");
    EXPECT_EQ(out[2].data, "[DONE]");
  }
}

TEST(SseParser, RejectsMalformedInput) {
  const char* bad[] = {"garbage line\n\n", "data: a\0b\n\n", "Data: x\n\n", "data: \xff\xfe\n\n",
                       "{\"json\": true}\n\n"};
  size_t lens[] = {15, 11, 10, 11, 16};
  for (size_t i = 0; i < 5; ++i) {
    Status st;
    parse_all(std::string_view(bad[i], lens[i]), &st);
    ASSERT_FALSE(st.ok()) << i;
    EXPECT_EQ(st.error().code(), ErrorCode::kUpstream);
    EXPECT_NE(st.error().message().find("malformed SSE"), std::string::npos);
  }
}

TEST(SseParser, StaysFailedAfterAnError) {
  SseParser p;
  std::vector<SseEvent> out;
  EXPECT_FALSE(p.feed("nope\n", &out).ok());
  EXPECT_FALSE(p.feed("data: ok\n\n", &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(SseParser, LimitsLineAndEventSize) {
  SseParser p(1024);
  std::vector<SseEvent> out;
  std::string big = "data: " + std::string(2000, 'x');
  EXPECT_FALSE(p.feed(big, &out).ok());  // no newline yet: the buffered line is over the limit
  SseParser q(1024);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "data: 0123456789abcdef\n";
  EXPECT_FALSE(q.feed(many, &out).ok());
}

TEST(SseParser, TruncatedLineAtEndIsAnError) {
  SseParser p;
  std::vector<SseEvent> out;
  ASSERT_TRUE(p.feed("data: {\"partial\"", &out).ok());
  EXPECT_FALSE(p.finish(&out).ok());
  SseParser q;
  ASSERT_TRUE(q.feed("data: complete\n", &out).ok());
  ASSERT_TRUE(q.finish(&out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "complete");
}

}  // namespace
}  // namespace fulcrum::providers
