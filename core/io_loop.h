// IoLoop: one epoll reactor run by one thread — file descriptors with handlers, timers, and
// functions posted from other threads (woken through an eventfd). The HTTP server's event
// loops (server/event_loop.h) run on it, and so does the HTTP/1.1 client for plain http://
// upstreams (providers/http1_client.h), which is how a proxied request goes client -> gateway
// -> upstream -> client without leaving the thread that accepted it.
//
//   IoLoop loop;
//   loop.add(fd, EPOLLIN, &handler);          // handler.on_io(events) on this loop's thread
//   loop.schedule(std::chrono::milliseconds(50), [] { ... });
//   std::thread t([&] { loop.run(); loop.shutdown(); });
//   loop.post([] { ... });                    // from any thread
//   loop.stop();                              // from any thread
//
// Everything except post(), stop() and on_loop_thread() is for the loop's own thread (or before
// run() starts). Per-loop state of other modules hangs off the loop as Locals (see local()).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fulcrum {

class IoLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = uint64_t;

  class Handler {
   public:
    virtual ~Handler() = default;
    // epoll event bits (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP).
    virtual void on_io(uint32_t events) = 0;
  };

  // State another module keeps per loop (e.g. a connection pool). Owned by the loop.
  class Local {
   public:
    virtual ~Local() = default;
    // Called once on the loop thread by shutdown(), after run() returned: finish or cancel
    // whatever is in flight.
    virtual void on_loop_exit() {}
  };

  IoLoop();
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  // False when epoll or the eventfd could not be created.
  bool valid() const { return epfd_ >= 0 && wake_fd_ >= 0; }

  // Registers `fd`; events of one batch that arrive after remove(fd) are not delivered, so a
  // handler may remove (and free) itself or others from on_io.
  bool add(int fd, uint32_t events, Handler* handler);
  bool modify(int fd, uint32_t events);
  void remove(int fd);  // call before close(fd)

  // Runs `fn` on the loop thread after `delay` (0: on the next iteration).
  TimerId schedule(std::chrono::milliseconds delay, std::function<void()> fn);
  void cancel(TimerId id);

  // From any thread: runs `fn` on the loop thread soon, in posting order.
  void post(std::function<void()> fn);
  bool has_posted() const { return has_posted_.load(std::memory_order_acquire); }

  // Called on the loop thread after every batch of I/O events, timers and posted functions.
  void set_after_batch(std::function<void()> fn) { after_batch_ = std::move(fn); }

  // Runs until stop(); sets current() for the thread while it runs.
  void run();
  // From any thread: run() returns after the current batch.
  void stop();
  // After run() returned, on the same thread: Locals' on_loop_exit(), then the functions still
  // posted (repeatedly, as they may post more), then the timers are dropped.
  void shutdown();

  // The loop this thread is running, or nullptr.
  static IoLoop* current();
  bool on_loop_thread() const { return current() == this; }

  // The Local stored under `key` (nullptr when none); loop thread only.
  Local* local(const void* key) const;
  void set_local(const void* key, std::unique_ptr<Local> local);

 private:
  struct Slot {
    Handler* handler = nullptr;
    uint32_t generation = 0;
  };
  void run_timers();
  void run_posted();
  int wait_ms() const;

  int epfd_ = -1;
  int wake_fd_ = -1;
  std::vector<Slot> slots_;  // by fd
  std::atomic<bool> stop_{false};

  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, Clock::time_point> timer_due_;
  TimerId next_timer_ = 1;

  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
  std::atomic<bool> has_posted_{false};

  std::function<void()> after_batch_;
  std::vector<std::pair<const void*, std::unique_ptr<Local>>> locals_;
};

}  // namespace fulcrum
