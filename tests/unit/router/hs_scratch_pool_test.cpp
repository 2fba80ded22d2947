// HsScratchPool: leases give each scan its own scratch, a thread gets back the scratch it used
// last, and scans from several threads at once stay correct.
#include <hs/hs.h>

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "router/hs_scratch_pool.h"

namespace fulcrum::router {
namespace {

struct Db {
  hs_database_t* db = nullptr;
  Db() {
    hs_compile_error_t* err = nullptr;
    EXPECT_EQ(hs_compile("needle", 0, HS_MODE_BLOCK, nullptr, &db, &err), HS_SUCCESS);
    if (err) hs_free_compile_error(err);
  }
  ~Db() { hs_free_database(db); }
};

int count_matches(const hs_database_t* db, hs_scratch_t* s, const std::string& text) {
  int n = 0;
  auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
    ++*static_cast<int*>(ctx);
    return 0;
  };
  EXPECT_EQ(hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, s, on_match, &n),
            HS_SUCCESS);
  return n;
}

TEST(HsScratchPool, LeasesAreDistinctAndComeBackToTheirThread) {
  Db d;
  HsScratchPool pool;
  ASSERT_TRUE(pool.add(d.db).ok());
  hs_scratch_t* first = nullptr;
  {
    auto a = pool.lease();
    auto b = pool.lease();  // nested: a second scratch
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a->get(), b->get());
    first = a->get();
    EXPECT_EQ(count_matches(d.db, a->get(), "a needle and a needle"), 2);
  }
  {
    auto again = pool.lease();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->get(), first);  // b went back first, then a: the last one in comes out
  }
  for (int i = 0; i < 5; ++i) {
    hs_scratch_t* s;
    {
      auto l = pool.lease();
      ASSERT_TRUE(l.ok());
      s = l->get();
    }
    auto l = pool.lease();
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l->get(), s);  // the same thread gets the scratch it just gave back
  }
}

TEST(HsScratchPool, ThreadsScanAtOnce) {
  Db d;
  HsScratchPool pool;
  ASSERT_TRUE(pool.add(d.db).ok());
  std::atomic<int> wrong{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string text(static_cast<size_t>(t) + 1, 'x');
      text += "needle";
      for (int i = 0; i < 2000; ++i) {
        auto l = pool.lease();
        if (!l.ok()) {
          ++failed;
          continue;
        }
        if (count_matches(d.db, l->get(), text) != 1) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(HsScratchPool, NoPrototypeIsAnError) {
  HsScratchPool pool;  // add() never called
  auto l = pool.lease();
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace fulcrum::router
