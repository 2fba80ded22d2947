// core/io_loop: the reactor the server's event loops and the HTTP/1.1 upstream client share.
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>
#include <vector>

#include "core/io_loop.h"

namespace fulcrum {
namespace {

class LoopThread {
 public:
  LoopThread() {
    thread_ = std::thread([this] {
      loop.run();
      loop.shutdown();
    });
  }
  ~LoopThread() {
    loop.stop();
    thread_.join();
  }
  // Runs fn on the loop and waits for it.
  template <typename F>
  auto call(F fn) {
    std::promise<decltype(fn())> p;
    loop.post([&] { p.set_value(fn()); });
    return p.get_future().get();
  }
  IoLoop loop;

 private:
  std::thread thread_;
};

TEST(IoLoop, PostedFunctionsRunInOrderOnTheLoopThread) {
  LoopThread t;
  std::vector<int> seen;
  std::promise<std::thread::id> where;
  for (int i = 0; i < 100; ++i) t.loop.post([&seen, i] { seen.push_back(i); });
  t.loop.post([&] { where.set_value(std::this_thread::get_id()); });
  auto id = where.get_future().get();
  EXPECT_NE(id, std::this_thread::get_id());
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], i);
  EXPECT_TRUE(t.call([&] { return IoLoop::current() == &t.loop && t.loop.on_loop_thread(); }));
  EXPECT_FALSE(t.loop.on_loop_thread());
}

TEST(IoLoop, TimersFireInDueOrderAndCancelledOnesDoNot) {
  LoopThread t;
  std::vector<int> fired;
  std::promise<void> done;
  t.call([&] {
    t.loop.schedule(std::chrono::milliseconds(30), [&] { fired.push_back(3); });
    t.loop.schedule(std::chrono::milliseconds(10), [&] { fired.push_back(1); });
    auto id = t.loop.schedule(std::chrono::milliseconds(20), [&] { fired.push_back(2); });
    t.loop.cancel(id);
    t.loop.schedule(std::chrono::milliseconds(40), [&] { done.set_value(); });
    return 0;
  });
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(fired, (std::vector<int>{1, 3}));
}

struct Reader final : IoLoop::Handler {
  IoLoop* loop = nullptr;
  int fd = -1;
  int calls = 0;
  Reader* remove_other = nullptr;  // removes (and closes) another reader from its callback
  void on_io(uint32_t) override {
    ++calls;
    char buf[64];
    [[maybe_unused]] ssize_t n = ::read(fd, buf, sizeof buf);
    if (remove_other) {
      loop->remove(remove_other->fd);
      remove_other = nullptr;
    }
  }
};

TEST(IoLoop, ARemovedDescriptorGetsNoEventFromTheSameBatch) {
  LoopThread t;
  int a[2], b[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
  Reader ra, rb;
  ra.loop = rb.loop = &t.loop;
  ra.fd = a[0];
  rb.fd = b[0];
  // Whichever runs first removes the other; both are readable in the same batch.
  ra.remove_other = &rb;
  rb.remove_other = &ra;
  t.call([&] { return t.loop.add(a[0], EPOLLIN, &ra) && t.loop.add(b[0], EPOLLIN, &rb); });
  t.call([&] {
    [[maybe_unused]] ssize_t n = ::write(a[1], "x", 1);
    n = ::write(b[1], "y", 1);
    return 0;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(t.call([&] { return ra.calls + rb.calls; }), 1);
  t.call([&] {
    t.loop.remove(a[0]);
    t.loop.remove(b[0]);
    return 0;
  });
  for (int fd : {a[0], a[1], b[0], b[1]}) ::close(fd);
}

struct ExitProbe final : IoLoop::Local {
  explicit ExitProbe(int* n) : exits(n) {}
  void on_loop_exit() override { ++*exits; }
  int* exits;
};

TEST(IoLoop, ShutdownRunsLocalsAndWhatIsStillPosted) {
  int exits = 0;
  int ran = 0;
  {
    IoLoop loop;
    loop.set_local(&exits, std::make_unique<ExitProbe>(&exits));
    EXPECT_NE(loop.local(&exits), nullptr);
    EXPECT_EQ(loop.local(&ran), nullptr);
    loop.stop();
    loop.run();  // returns at once: stopped
    loop.post([&ran] { ++ran; });
    loop.shutdown();
  }
  EXPECT_EQ(exits, 1);
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace fulcrum
