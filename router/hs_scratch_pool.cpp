#include "router/hs_scratch_pool.h"

#include <hs/hs.h>

namespace fulcrum::router {

HsScratchPool::~HsScratchPool() {
  for (auto* s : free_) hs_free_scratch(s);
  if (prototype_) hs_free_scratch(prototype_);
}

Status HsScratchPool::add(const hs_database* db) {
  if (hs_alloc_scratch(db, &prototype_) != HS_SUCCESS)
    return Error(ErrorCode::kInternal, "privacy: cannot allocate Vectorscan scratch");
  return ok_status();
}

HsScratchPool::Lease::~Lease() {
  if (!s_) return;
  std::lock_guard<std::mutex> lock(pool_->mu_);
  pool_->free_.push_back(s_);
}

Result<HsScratchPool::Lease> HsScratchPool::lease() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      hs_scratch* s = free_.back();
      free_.pop_back();
      return Lease(this, s);
    }
  }
  hs_scratch* s = nullptr;
  if (!prototype_ || hs_clone_scratch(prototype_, &s) != HS_SUCCESS)
    return Error(ErrorCode::kInternal, "privacy: cannot clone Vectorscan scratch");
  return Lease(this, s);
}

}  // namespace fulcrum::router
