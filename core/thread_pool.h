// ThreadPool: a fixed set of workers for data-parallel work (matmul rows, attention heads).
// `parallel_for` does not allocate: the callable is passed by reference through a trampoline,
// and the calling thread takes part in the work. One parallel_for runs at a time per pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fulcrum {

class ThreadPool {
 public:
  // n_threads counts the caller: 1 means "run everything on the calling thread".
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Calls fn(task, thread) for task in [0, n_tasks); thread is in [0, size()). Blocks until all
  // tasks are done. Tasks are handed out dynamically in order.
  template <typename F>
  void parallel_for(int64_t n_tasks, F&& fn) {
    if (n_tasks <= 0) return;
    if (n_threads_ == 1 || n_tasks == 1) {
      for (int64_t i = 0; i < n_tasks; ++i) fn(i, 0);
      return;
    }
    run(n_tasks, &trampoline<std::remove_reference_t<F>>, static_cast<void*>(&fn));
  }

  // Calls fn(thread, n_threads) once on every thread: for work that splits itself by thread.
  template <typename F>
  void for_each_thread(F&& fn) {
    parallel_for(n_threads_, [&](int64_t i, int) { fn(static_cast<int>(i), n_threads_); });
  }

  // A sensible default: the number of hardware threads.
  static int default_threads();

 private:
  using TaskFn = void (*)(void* ctx, int64_t task, int thread);
  template <typename F>
  static void trampoline(void* ctx, int64_t task, int thread) {
    (*static_cast<F*>(ctx))(task, thread);
  }
  void run(int64_t n_tasks, TaskFn fn, void* ctx);
  void work(int thread);
  void worker_main(int thread);

  int n_threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_start_;
  std::condition_variable cv_done_;
  uint64_t generation_ = 0;
  bool stop_ = false;
  int active_ = 0;
  // The job being run.
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_tasks_ = 0;
  std::atomic<int64_t> next_{0};
};

}  // namespace fulcrum
