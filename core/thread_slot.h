// A small number for the calling thread, for spreading per-thread state over a fixed set of
// shards (metrics, scratch pools): threads take numbers in turn on first use and keep them, so
// a thread keeps to its shard and the shard's memory stays in that thread's core's caches.
#pragma once

#include <atomic>
#include <cstddef>

namespace fulcrum {

inline size_t thread_slot() {
  static std::atomic<size_t> next{0};
  thread_local size_t slot = next.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

}  // namespace fulcrum
