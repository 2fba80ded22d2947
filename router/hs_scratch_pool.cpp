#include "router/hs_scratch_pool.h"

#include <hs/hs.h>

#include "core/thread_slot.h"

namespace fulcrum::router {

HsScratchPool::~HsScratchPool() {
  for (auto& sh : shards_)
    for (auto* s : sh.free) hs_free_scratch(s);
  if (prototype_) hs_free_scratch(prototype_);
}

Status HsScratchPool::add(const hs_database* db) {
  if (hs_alloc_scratch(db, &prototype_) != HS_SUCCESS)
    return Error(ErrorCode::kInternal, "privacy: cannot allocate Vectorscan scratch");
  return ok_status();
}

HsScratchPool::Lease::~Lease() {
  if (!s_) return;
  Shard& sh = pool_->shards_[shard_];
  std::lock_guard<std::mutex> lock(sh.mu);
  sh.free.push_back(s_);
}

Result<HsScratchPool::Lease> HsScratchPool::lease() {
  size_t shard = thread_slot() % kShards;
  {
    Shard& sh = shards_[shard];
    std::lock_guard<std::mutex> lock(sh.mu);
    if (!sh.free.empty()) {
      hs_scratch* s = sh.free.back();
      sh.free.pop_back();
      return Lease(this, shard, s);
    }
  }
  hs_scratch* s = nullptr;
  if (!prototype_ || hs_clone_scratch(prototype_, &s) != HS_SUCCESS)
    return Error(ErrorCode::kInternal, "privacy: cannot clone Vectorscan scratch");
  return Lease(this, shard, s);
}

}  // namespace fulcrum::router
