#include "server/service/memo_cache.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pedigree::server::service {
namespace {

using ::testing::Pointee;

TEST(MemoCacheTest, FindMissesWhenNothingWasInserted) {
  MemoCache<std::string> cache(8, 1024);

  EXPECT_EQ(cache.Find("key"), nullptr);
}

TEST(MemoCacheTest, FindReturnsTheValueInsertedForTheSameBytes) {
  MemoCache<std::string> cache(8, 1024);
  cache.Insert("key", "value", 8);

  EXPECT_THAT(cache.Find("key"), Pointee(std::string("value")));
}

TEST(MemoCacheTest, FindMissesForAKeyThatDiffersInOneByte) {
  MemoCache<std::string> cache(8, 1024);
  cache.Insert("key-a", "value", 8);

  EXPECT_EQ(cache.Find("key-b"), nullptr);
  EXPECT_EQ(cache.Find("key-"), nullptr);
  EXPECT_EQ(cache.Find(std::string("key-a\0", 6)), nullptr);
}

TEST(MemoCacheTest, InsertKeepsTheFirstValueForAKey) {
  MemoCache<std::string> cache(8, 1024);
  cache.Insert("key", "first", 8);

  const std::shared_ptr<const std::string> kept =
      cache.Insert("key", "second", 8);

  EXPECT_THAT(kept, Pointee(std::string("first")));
  EXPECT_THAT(cache.Find("key"), Pointee(std::string("first")));
}

TEST(MemoCacheTest, InsertEvictsTheOldestBeyondMaxEntries) {
  MemoCache<int> cache(2, 1024);
  cache.Insert("a", 1, 1);
  cache.Insert("b", 2, 1);

  cache.Insert("c", 3, 1);

  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_THAT(cache.Find("b"), Pointee(2));
  EXPECT_THAT(cache.Find("c"), Pointee(3));
}

TEST(MemoCacheTest, InsertEvictsTheOldestBeyondMaxCost) {
  MemoCache<int> cache(100, 800);
  cache.Insert("a", 1, 100);
  cache.Insert("b", 2, 100);
  for (int i = 0; i < 6; ++i) cache.Insert(absl::StrCat("x", i), i, 100);

  cache.Insert("c", 3, 100);

  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_THAT(cache.Find("b"), Pointee(2));
  EXPECT_THAT(cache.Find("c"), Pointee(3));
  EXPECT_EQ(cache.size(), 8u);
}

TEST(MemoCacheTest, InsertDoesNotKeepAValueCostingMoreThanAnEighth) {
  MemoCache<int> cache(100, 800);

  const std::shared_ptr<const int> returned = cache.Insert("big", 7, 101);

  EXPECT_THAT(returned, Pointee(7));
  EXPECT_EQ(cache.Find("big"), nullptr);
}

TEST(MemoCacheTest, ZeroMaxEntriesDisablesTheCache) {
  MemoCache<int> cache(0, 800);

  const std::shared_ptr<const int> returned = cache.Insert("a", 7, 0);

  EXPECT_THAT(returned, Pointee(7));
  EXPECT_EQ(cache.Find("a"), nullptr);
}

TEST(MemoCacheTest, ZeroMaxCostDisablesTheCache) {
  MemoCache<int> cache(8, 0);

  cache.Insert("a", 7, 0);

  EXPECT_EQ(cache.Find("a"), nullptr);
}

TEST(MemoCacheTest, ValueOutlivesItsEviction) {
  MemoCache<std::string> cache(1, 1024);
  cache.Insert("a", "kept by the caller", 8);
  const std::shared_ptr<const std::string> held = cache.Find("a");

  cache.Insert("b", "other", 8);

  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_THAT(held, Pointee(std::string("kept by the caller")));
}

TEST(MemoCacheTest, ConcurrentInsertsAndFindsStayBounded) {
  MemoCache<int> cache(16, 1 << 20);
  std::vector<std::thread> threads;

  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string key = absl::StrCat(i % 40);
        if (std::shared_ptr<const int> found = cache.Find(key)) {
          EXPECT_EQ(*found, i % 40);
        } else {
          cache.Insert(key, i % 40, 1 + t);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_LE(cache.size(), 16u);
}

}  // namespace
}  // namespace pedigree::server::service
