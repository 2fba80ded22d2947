#include "server/http_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/e2e/http_test_client.h"

namespace fulcrum::server {
namespace {

using fulcrum::testing::TestConnection;

// Echo handler: /echo answers the body; /stream answers three chunks from another thread;
// /slow answers after 300 ms from another thread; /hang never answers (until cancelled).
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void TearDown() override {
    if (server_) server_->stop(1000);
  }
  void start(ServerOptions opts) {
    opts.port = 0;
    server_ = std::make_unique<HttpServer>(
        opts, [this](HttpRequest&& req, std::shared_ptr<ResponseWriter> w) {
          handle(std::move(req), std::move(w));
        });
    ASSERT_TRUE(server_->listen().ok());
    server_->start();
    port_ = server_->port();
  }
  void handle(HttpRequest&& req, std::shared_ptr<ResponseWriter> w) {
    if (req.path == "/echo") {
      w->send(200, {{"content-type", "text/plain"}, {"x-method", req.method}}, req.body);
    } else if (req.path == "/stream") {
      std::thread([w] {
        w->start_stream(200, {{"content-type", "text/event-stream"}});
        for (int i = 0; i < 3; ++i) w->write("data: " + std::to_string(i) + "\n\n");
        w->end();
      }).detach();
    } else if (req.path == "/slow") {
      std::thread([w] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        w->send(200, {}, "slow done");
      }).detach();
    } else if (req.path == "/hang") {
      w->set_on_cancel([this] { cancelled_.store(true); });
      hung_ = w;
    } else {
      w->send(404, {}, "no");
    }
  }
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::atomic<bool> cancelled_{false};
  std::shared_ptr<ResponseWriter> hung_;
};

TEST_F(ServerFixture, KeepAliveServesSeveralRequestsOnOneConnection) {
  TestConnection c(port_);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 5; ++i) {
    std::string body = "hello " + std::to_string(i);
    ASSERT_TRUE(c.send_request("POST", "/echo", body));
    auto r = c.read_response();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, body);
    EXPECT_EQ(r.header("x-method"), "POST");
    EXPECT_EQ(r.header("connection"), "");
  }
}

TEST_F(ServerFixture, PipelinedRequestsAnswerInOrder) {
  TestConnection c(port_);
  std::string two =
      "POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\nAPOST /echo HTTP/1.1\r\nContent-Length: "
      "1\r\n\r\nB";
  ASSERT_TRUE(c.send_raw(two));
  EXPECT_EQ(c.read_response().body, "A");
  EXPECT_EQ(c.read_response().body, "B");
}

TEST_F(ServerFixture, ChunkedResponseFromAnotherThread) {
  TestConnection c(port_);
  ASSERT_TRUE(c.send_request("GET", "/stream"));
  auto r = c.read_response();
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  // The connection stays usable after a stream.
  ASSERT_TRUE(c.send_request("POST", "/echo", "x"));
  EXPECT_EQ(c.read_response().body, "x");
}

TEST_F(ServerFixture, ChunkedRequestBody) {
  TestConnection c(port_);
  ASSERT_TRUE(c.send_raw(
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  EXPECT_EQ(c.read_response().body, "abcde");
}

TEST_F(ServerFixture, BodyOverLimitIs413AndCloses) {
  server_->stop(100);
  ServerOptions opts;
  opts.limits.max_body_bytes = 1000;
  start(opts);
  TestConnection c(port_);
  ASSERT_TRUE(c.send_request("POST", "/echo", std::string(5000, 'x')));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("error"), std::string::npos);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(ServerFixture, MalformedRequestIs400) {
  TestConnection c(port_);
  ASSERT_TRUE(c.send_raw("HELLO\r\n\r\n"));
  EXPECT_EQ(c.read_response().status, 400);
}

TEST_F(ServerFixture, ClientDisconnectCancelsPendingResponse) {
  {
    TestConnection c(port_);
    ASSERT_TRUE(c.send_request("GET", "/hang"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int i = 0; i < 50 && !cancelled_.load(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(cancelled_.load());
  ASSERT_TRUE(hung_);
  EXPECT_TRUE(hung_->cancelled());
  hung_->send(200, {}, "too late");  // a no-op, not a crash
}

TEST_F(ServerFixture, DrainFinishesInFlightRequestAndRefusesNewOnes) {
  TestConnection c(port_);
  ASSERT_TRUE(c.send_request("GET", "/slow"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::thread stopper([this] { server_->stop(5000); });
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow done");
  EXPECT_EQ(r.header("connection"), "close");
  stopper.join();
  TestConnection after(port_);
  EXPECT_FALSE(after.ok() && after.send_request("GET", "/echo") &&
               after.read_response().status == 200);
}

TEST_F(ServerFixture, ManyConcurrentConnections) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      TestConnection c(port_);
      for (int i = 0; i < 50; ++i) {
        std::string body = std::to_string(t * 1000 + i);
        if (c.send_request("POST", "/echo", body) && c.read_response().body == body) ++good;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 400);
}

}  // namespace
}  // namespace fulcrum::server
