#include "server/storage/group_commit.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pedigree::server::storage {
namespace {

struct Job {
  int id = 0;
  int runs = 0;
  int batch = -1;
};

// Records the batches it is given.
class Recorder {
 public:
  void Run(absl::Span<Job* const> jobs) {
    absl::MutexLock lock(&mu_);
    for (Job* job : jobs) {
      ++job->runs;
      job->batch = static_cast<int>(sizes_.size());
    }
    sizes_.push_back(static_cast<int>(jobs.size()));
  }
  std::vector<int> sizes() const {
    absl::MutexLock lock(&mu_);
    return sizes_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<int> sizes_;
};

TEST(GroupCommitter, RunsALoneJobInABatchOfOne) {
  Recorder recorder;
  GroupCommitter<Job> committer(
      [&](absl::Span<Job* const> jobs) { recorder.Run(jobs); }, 8);
  Job job;

  committer.Run(job);

  EXPECT_EQ(job.runs, 1);
  EXPECT_THAT(recorder.sizes(), testing::ElementsAre(1));
}

// Holds the first batch (of one job) until `later` jobs have all arrived, so
// that the batches after it are formed deterministically; returns the batch
// sizes in order.
std::vector<int> BatchSizesWhenJobsArriveDuringTheFirst(size_t later_jobs,
                                                        size_t max_batch) {
  absl::Notification first_started, release_first;
  absl::Mutex mu;
  std::vector<int> sizes;
  GroupCommitter<Job> committer(
      [&](absl::Span<Job* const> jobs) {
        for (Job* job : jobs) ++job->runs;
        {
          absl::MutexLock lock(&mu);
          sizes.push_back(static_cast<int>(jobs.size()));
        }
        if (!first_started.HasBeenNotified()) {
          first_started.Notify();
          release_first.WaitForNotification();
        }
      },
      max_batch);
  Job first;
  std::thread first_caller([&] { committer.Run(first); });
  first_started.WaitForNotification();
  std::vector<Job> later(later_jobs);
  std::vector<std::thread> threads;
  for (Job& job : later) {
    threads.emplace_back([&committer, &job] { committer.Run(job); });
  }
  while (committer.pending() < later.size()) std::this_thread::yield();

  release_first.Notify();
  first_caller.join();
  for (std::thread& thread : threads) thread.join();
  for (const Job& job : later) EXPECT_EQ(job.runs, 1);
  return sizes;
}

TEST(GroupCommitter, JobsArrivingDuringABatchShareTheNextOne) {
  EXPECT_THAT(BatchSizesWhenJobsArriveDuringTheFirst(5, /*max_batch=*/16),
              testing::ElementsAre(1, 5));
}

TEST(GroupCommitter, NeverExceedsTheMaximumBatch) {
  EXPECT_THAT(BatchSizesWhenJobsArriveDuringTheFirst(7, /*max_batch=*/3),
              testing::ElementsAre(1, 3, 3, 1));
}

TEST(GroupCommitter, RunsEveryJobExactlyOnceUnderContention) {
  Recorder recorder;
  GroupCommitter<Job> committer(
      [&](absl::Span<Job* const> jobs) { recorder.Run(jobs); }, 4);
  std::vector<Job> jobs(400);
  std::vector<std::thread> threads;
  std::atomic<int> next{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < static_cast<int>(jobs.size()); i = next++) {
        committer.Run(jobs[i]);
      }
    });
  }

  for (std::thread& thread : threads) thread.join();

  int total = 0;
  for (int size : recorder.sizes()) {
    EXPECT_GE(size, 1);
    EXPECT_LE(size, 4);
    total += size;
  }
  EXPECT_EQ(total, 400);
  for (const Job& job : jobs) EXPECT_EQ(job.runs, 1);
}

TEST(GroupCommitter, RunsEveryBatchOnItsOwnThread) {
  absl::Mutex mu;
  std::vector<std::thread::id> batch_threads;
  GroupCommitter<Job> committer(
      [&](absl::Span<Job* const>) {
        absl::MutexLock lock(&mu);
        batch_threads.push_back(std::this_thread::get_id());
      },
      8);
  Job first, second, third;
  committer.Run(first);
  std::thread([&] { committer.Run(second); }).join();
  committer.Run(third);

  absl::MutexLock lock(&mu);
  ASSERT_EQ(batch_threads.size(), 3u);
  EXPECT_NE(batch_threads[0], std::this_thread::get_id());
  EXPECT_EQ(batch_threads[1], batch_threads[0]);
  EXPECT_EQ(batch_threads[2], batch_threads[0]);
}

TEST(GroupCommitter, StopsWhenDestroyedIdle) {
  Recorder recorder;
  {
    GroupCommitter<Job> committer(
        [&](absl::Span<Job* const> jobs) { recorder.Run(jobs); }, 8);
  }

  EXPECT_TRUE(recorder.sizes().empty());
}

}  // namespace
}  // namespace pedigree::server::storage
