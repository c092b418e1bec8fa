#ifndef PEDIGREE_SERVER_SERVICE_MEMO_CACHE_H_
#define PEDIGREE_SERVER_SERVICE_MEMO_CACHE_H_

// A bounded, thread-safe memo of pure functions whose input is a byte
// string: Find(key) returns what was Insert()ed for exactly those bytes.
// The service uses it where the key is the complete input of a
// deterministic computation, so a hit can never be stale:
//
//   - a stored envelope's exact bytes -> the record parsed from it (records
//     are append-only; even a changed row has different bytes and misses);
//   - a key row's exact fields, status included -> its Key proto (the row
//     is read from the database on every call, so a revocation changes the
//     key and misses; no key status is ever remembered);
//   - a key's exact SPKI DER bytes -> the parsed public key.
//
//   MemoCache<Record> parsed(/*max_entries=*/4096, /*max_cost=*/64 << 20);
//   std::shared_ptr<const Record> record = parsed.Find(envelope);
//   if (record == nullptr) {
//     record = parsed.Insert(envelope, Parse(envelope), envelope.size());
//   }

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace pedigree::server::service {

// Holds at most `max_entries` values whose costs (the caller's estimate of
// their memory, key included) sum to at most `max_cost`; inserting beyond
// either bound evicts the oldest insertions first (FIFO: cheap, and good
// enough for lookups that repeat). A value costing more than max_cost / 8 is
// not kept. Either bound 0 disables the cache (Find always misses).
//
// Thread-safe: every method takes one short internal lock; values are
// immutable and shared, so a value Find() returned stays valid after its
// eviction. Not copyable.
template <typename Value>
class MemoCache {
 public:
  MemoCache(size_t max_entries, size_t max_cost)
      : max_entries_(max_entries), max_cost_(max_cost) {}
  MemoCache(const MemoCache&) = delete;
  MemoCache& operator=(const MemoCache&) = delete;

  // Returns the value stored for exactly `key`, or nullptr.
  std::shared_ptr<const Value> Find(absl::string_view key) const
      ABSL_LOCKS_EXCLUDED(mu_) {
    // Finding changes nothing (eviction is by insertion order), so lookups
    // share the lock.
    absl::ReaderMutexLock lock(&mu_);
    const auto found = entries_.find(key);
    if (found == entries_.end()) return nullptr;
    return found->second.value;
  }

  // Stores `value` for `key` unless a value is already stored for it (then
  // that one is kept) and returns the stored value, or `value` itself when
  // it is not kept (too costly, or the cache is disabled). `cost` is the
  // caller's estimate in bytes.
  std::shared_ptr<const Value> Insert(absl::string_view key, Value value,
                                      size_t cost) ABSL_LOCKS_EXCLUDED(mu_) {
    auto shared = std::make_shared<const Value>(std::move(value));
    if (max_entries_ == 0 || max_cost_ == 0 || cost > max_cost_ / 8) {
      return shared;
    }
    absl::MutexLock lock(&mu_);
    const auto [it, inserted] =
        entries_.try_emplace(std::string(key), Entry{shared, cost});
    if (!inserted) return it->second.value;
    order_.push_back(&it->first);
    total_cost_ += cost;
    while (entries_.size() > max_entries_ || total_cost_ > max_cost_) {
      const auto oldest = entries_.find(*order_.front());
      total_cost_ -= oldest->second.cost;
      entries_.erase(oldest);
      order_.pop_front();
    }
    return shared;
  }

  // The number of values held.
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::ReaderMutexLock lock(&mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::shared_ptr<const Value> value;
    size_t cost = 0;
  };

  const size_t max_entries_;
  const size_t max_cost_;
  mutable absl::Mutex mu_;
  // A node map: its keys stay put, so order_ can point at them.
  absl::node_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  // The keys of entries_ in insertion order, oldest first.
  std::deque<const std::string*> order_ ABSL_GUARDED_BY(mu_);
  size_t total_cost_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace pedigree::server::service

#endif  // PEDIGREE_SERVER_SERVICE_MEMO_CACHE_H_
