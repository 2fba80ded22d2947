// HsScratchPool: Vectorscan scratch space for scans from many threads. One prototype scratch is
// grown for every database a scanner uses (add(), while building); each scan leases a clone and
// gives it back, so threads never share one and a steady state allocates nothing. Free clones
// are kept per thread shard (see core/thread_slot.h): a thread gets back the scratch it used
// last, still in its core's caches, and takes an uncontended lock.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <vector>

#include "core/result.h"

struct hs_database;
struct hs_scratch;

namespace fulcrum::router {

class HsScratchPool {
 public:
  HsScratchPool() = default;
  ~HsScratchPool();
  HsScratchPool(const HsScratchPool&) = delete;
  HsScratchPool& operator=(const HsScratchPool&) = delete;

  // Makes the scratch fit `db` too. Not thread-safe: call before the first lease.
  Status add(const hs_database* db);

  // A scratch for one scan, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(HsScratchPool* pool, size_t shard, hs_scratch* s) : pool_(pool), shard_(shard), s_(s) {}
    ~Lease();
    Lease(Lease&& o) noexcept : pool_(o.pool_), shard_(o.shard_), s_(o.s_) { o.s_ = nullptr; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    hs_scratch* get() const { return s_; }

   private:
    HsScratchPool* pool_;
    size_t shard_;
    hs_scratch* s_;
  };
  // kInternal when Vectorscan cannot clone the prototype.
  Result<Lease> lease();

 private:
  struct alignas(64) Shard {
    std::mutex mu;
    std::vector<hs_scratch*> free;
  };
  static constexpr size_t kShards = 8;
  hs_scratch* prototype_ = nullptr;
  std::array<Shard, kShards> shards_;
};

}  // namespace fulcrum::router
