#ifndef PEDIGREE_SERVER_STORAGE_GROUP_COMMIT_H_
#define PEDIGREE_SERVER_STORAGE_GROUP_COMMIT_H_

// Group commit: callers hand in jobs one at a time and the jobs run in
// batches, so that many concurrent writes share one transaction (and one
// WAL flush) instead of paying for one each.
//
// Batches run on the committer's own thread, one at a time: it takes every
// pending job (up to max_batch), runs the batch function on them and wakes
// their callers; jobs that arrive while a batch runs wait and form the next
// batch. A batch is therefore "whatever arrived while the previous one
// committed": latency is one batch at low load, and batches grow with load.
//
// Why a thread of its own: batches used to run on one of the callers'
// threads. Under publish load that thread is one of dozens of request
// threads busy verifying signatures, and each of a batch's round trips to
// PostgreSQL waited its turn for a CPU to wake it again: a batch took about
// 16 ms, of which the database's answers were a fraction. A thread that
// does nothing but batches, and sleeps between them, is woken at once: the
// same batches took about 7 ms, and the batch time is what bounds the
// publish rate when a fixed number of calls is in flight (bench/).
//
//   GroupCommitter<PublishJob> committer(
//       [&](absl::Span<PublishJob* const> jobs) { RunInOneTransaction(jobs); },
//       /*max_batch=*/256);
//   PublishJob job{...};
//   committer.Run(job);  // returns once job's batch has run
//
// The batch function must give every job in the batch its result (it writes
// into the jobs) and must not throw. Batches run one at a time, in arrival
// order. Thread-safe. The destructor runs the jobs still pending, then
// stops the thread; no Run may start once it has begun.

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
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
        max_batch_(max_batch < 1 ? 1 : max_batch),
        thread_([this] { RunBatches(); }) {}

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  ~GroupCommitter() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }

  // The number of jobs waiting for a batch (not counting the running one).
  size_t pending() const {
    absl::MutexLock lock(&mu_);
    return pending_.size();
  }

  // Runs `job` in a batch and returns when that batch has run. `job` must
  // stay alive until then (it is the caller's, so it does).
  void Run(Job& job) {
    Slot slot{&job};
    absl::MutexLock lock(&mu_);
    pending_.push_back(&slot);
    mu_.Await(absl::Condition(&slot.done));
  }

 private:
  struct Slot {
    Job* job;
    bool done = false;
  };

  bool HasWorkOrIsStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !pending_.empty() || stopping_;
  }

  // The committer thread: runs the oldest pending jobs as one batch, again
  // and again, until the destructor asks it to stop and nothing is pending.
  void RunBatches() {
    absl::MutexLock lock(&mu_);
    while (true) {
      mu_.Await(absl::Condition(this, &GroupCommitter::HasWorkOrIsStopping));
      if (pending_.empty()) return;  // stopping, and nothing left to run
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
    }
  }

  const BatchFn run_batch_;
  const size_t max_batch_;
  mutable absl::Mutex mu_;
  std::deque<Slot*> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Last: it starts running batches as soon as it is constructed.
  std::thread thread_;
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_GROUP_COMMIT_H_
