#include "core/io_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace fulcrum {
namespace {

thread_local IoLoop* tl_current = nullptr;
constexpr uint64_t kWakeTag = ~uint64_t{0};
constexpr int kMaxEvents = 256;
constexpr int kMaxWaitMs = 1000;

uint64_t tag(int fd, uint32_t generation) {
  return static_cast<uint64_t>(static_cast<uint32_t>(fd)) |
         (static_cast<uint64_t>(generation) << 32);
}

}  // namespace

IoLoop::IoLoop() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ >= 0 && wake_fd_ >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  }
}

IoLoop::~IoLoop() {
  if (tl_current == this) tl_current = nullptr;
  locals_.clear();  // may close descriptors registered here: before epoll goes
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epfd_ >= 0) ::close(epfd_);
}

IoLoop* IoLoop::current() {
  return tl_current;
}

bool IoLoop::add(int fd, uint32_t events, Handler* handler) {
  if (fd < 0) return false;
  if (static_cast<size_t>(fd) >= slots_.size()) slots_.resize(static_cast<size_t>(fd) + 64);
  Slot& s = slots_[fd];
  s.handler = handler;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag(fd, s.generation);
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    s.handler = nullptr;
    return false;
  }
  return true;
}

bool IoLoop::modify(int fd, uint32_t events) {
  if (fd < 0 || static_cast<size_t>(fd) >= slots_.size()) return false;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag(fd, slots_[fd].generation);
  return epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void IoLoop::remove(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= slots_.size()) return;
  Slot& s = slots_[fd];
  s.handler = nullptr;
  ++s.generation;  // events already fetched for the old registration are dropped
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

IoLoop::TimerId IoLoop::schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
  TimerId id = next_timer_++;
  Clock::time_point due = Clock::now() + delay;
  timers_.emplace(std::make_pair(due, id), std::move(fn));
  timer_due_.emplace(id, due);
  return id;
}

void IoLoop::cancel(TimerId id) {
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) return;
  timers_.erase(std::make_pair(it->second, id));
  timer_due_.erase(it);
}

void IoLoop::post(std::function<void()> fn) {
  bool first;
  {
    std::lock_guard lock(mu_);
    first = posted_.empty();
    posted_.push_back(std::move(fn));
    has_posted_.store(true, std::memory_order_release);
  }
  // One wake-up per batch: run_posted() empties the queue under the lock, so the next post
  // after it wakes the loop again.
  if (!first) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void IoLoop::stop() {
  stop_.store(true, std::memory_order_release);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void IoLoop::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(posted_);
    has_posted_.store(false, std::memory_order_release);
  }
  for (auto& fn : batch) fn();
}

void IoLoop::run_timers() {
  if (timers_.empty()) return;
  Clock::time_point now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    timer_due_.erase(node.key().second);
    node.mapped()();
  }
}

int IoLoop::wait_ms() const {
  if (has_posted()) return 0;
  if (timers_.empty()) return kMaxWaitMs;
  auto until = timers_.begin()->first.first - Clock::now();
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(until).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, kMaxWaitMs));
}

void IoLoop::run() {
  tl_current = this;
  epoll_event events[kMaxEvents];
  while (!stop_.load(std::memory_order_acquire)) {
    int n = epoll_wait(epfd_, events, kMaxEvents, wait_ms());
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      uint64_t t = events[i].data.u64;
      if (t == kWakeTag) {
        uint64_t v;
        [[maybe_unused]] ssize_t r = ::read(wake_fd_, &v, sizeof v);
        continue;
      }
      auto fd = static_cast<size_t>(t & 0xffffffffu);
      if (fd >= slots_.size()) continue;
      const Slot& s = slots_[fd];
      if (s.handler == nullptr || s.generation != static_cast<uint32_t>(t >> 32)) continue;
      s.handler->on_io(events[i].events);
    }
    run_timers();
    if (has_posted()) run_posted();
    if (after_batch_) after_batch_();
  }
}

void IoLoop::shutdown() {
  tl_current = this;
  for (auto& [key, l] : locals_) l->on_loop_exit();
  for (int round = 0; round < 100 && has_posted(); ++round) run_posted();
  timers_.clear();
  timer_due_.clear();
  tl_current = nullptr;
}

IoLoop::Local* IoLoop::local(const void* key) const {
  for (const auto& [k, l] : locals_)
    if (k == key) return l.get();
  return nullptr;
}

void IoLoop::set_local(const void* key, std::unique_ptr<Local> local) {
  for (auto& [k, l] : locals_) {
    if (k == key) {
      l = std::move(local);
      return;
    }
  }
  locals_.emplace_back(key, std::move(local));
}

}  // namespace fulcrum
