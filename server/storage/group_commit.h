#ifndef PEDIGREE_SERVER_STORAGE_GROUP_COMMIT_H_
#define PEDIGREE_SERVER_STORAGE_GROUP_COMMIT_H_

// Group commit: callers hand in jobs one at a time and the jobs run in
// batches, so that many concurrent writes share one transaction (and one
// WAL flush) instead of paying for one each.
//
// There is no background thread. The first caller to find no batch running
// becomes the leader: it takes every pending job (up to max_batch), runs the
// batch function on them and wakes their callers; jobs that arrive while a
// batch runs wait and form the next batch, whose leader is one of them. A
// batch is therefore "whatever arrived while the previous one committed":
// latency is one batch at low load, and batches grow with load.
//
//   GroupCommitter<PublishJob> committer(
//       [&](absl::Span<PublishJob* const> jobs) { RunInOneTransaction(jobs); },
//       /*max_batch=*/256);
//   PublishJob job{...};
//   committer.Run(job);  // returns once job's batch has run
//
// The batch function must give every job in the batch its result (it writes
// into the jobs) and must not throw. Batches run one at a time, in arrival
// order. Thread-safe.

#include <cstddef>
#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace pedigree::server::storage {

template <typename Job>
class GroupCommitter {
 public:
  using BatchFn = std::function<void(absl::Span<Job* const>)>;

  // `max_batch` is at least 1.
  GroupCommitter(BatchFn run_batch, size_t max_batch)
      : run_batch_(std::move(run_batch)),
        max_batch_(max_batch < 1 ? 1 : max_batch) {}

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // The number of jobs waiting for a batch (not counting the running one).
  size_t pending() const {
    absl::MutexLock lock(&mu_);
    return pending_.size();
  }

  // Runs `job` in a batch and returns when that batch has run. `job` must
  // stay alive until then (it is the caller's, so it does).
  void Run(Job& job) {
    Slot slot{&job};
    const Waiter waiter{&slot, &leader_active_};
    absl::MutexLock lock(&mu_);
    pending_.push_back(&slot);
    while (true) {
      mu_.Await(absl::Condition(&waiter, &Waiter::CanProceed));
      if (slot.done) return;
      LeadOneBatch();
    }
  }

 private:
  struct Slot {
    Job* job;
    bool done = false;
  };

  // What a caller waits for, evaluated under mu_: its job is done, or no
  // batch runs and it can lead the next one.
  struct Waiter {
    const Slot* slot;
    const bool* leader_active;
    bool CanProceed() const { return slot->done || !*leader_active; }
  };

  // Runs the oldest pending jobs as one batch. Called with mu_ held and no
  // batch running; releases mu_ while the batch runs.
  void LeadOneBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    leader_active_ = true;
    std::vector<Slot*> slots;
    std::vector<Job*> jobs;
    while (!pending_.empty() && slots.size() < max_batch_) {
      slots.push_back(pending_.front());
      jobs.push_back(pending_.front()->job);
      pending_.pop_front();
    }
    mu_.Unlock();
    run_batch_(absl::MakeConstSpan(jobs));
    mu_.Lock();
    for (Slot* slot : slots) slot->done = true;
    leader_active_ = false;
  }

  const BatchFn run_batch_;
  const size_t max_batch_;
  mutable absl::Mutex mu_;
  std::deque<Slot*> pending_ ABSL_GUARDED_BY(mu_);
  bool leader_active_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_GROUP_COMMIT_H_
