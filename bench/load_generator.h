#ifndef PEDIGREE_BENCH_LOAD_GENERATOR_H_
#define PEDIGREE_BENCH_LOAD_GENERATOR_H_

// A closed-loop asynchronous load generator for unary gRPC calls: several
// threads, each with its own grpc::CompletionQueue, keep a fixed number of
// calls outstanding until a deadline passes or a call budget is spent, and
// record the latency of every call.
//
//   UnaryCall<HealthCheckResponse> call;
//   call.start = [&](grpc::ClientContext* context, grpc::CompletionQueue* cq,
//                    uint64_t index, int thread) {
//     return stubs[thread]->PrepareAsyncCheck(context, request, cq);
//   };
//   PhaseResult result = RunPhase("health", options, call);

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/support/async_unary_call.h"
#include "grpcpp/support/status.h"

namespace pedigree::bench {

using Clock = std::chrono::steady_clock;

// What one phase measured. A plain value; copyable.
struct PhaseResult {
  std::string name;
  // Calls that returned OK and passed the phase's check.
  uint64_t ok = 0;
  // Calls that failed, and the first failure seen (for the report).
  uint64_t failed = 0;
  std::string first_error;
  // From the first call issued to the last completion.
  double seconds = 0;
  // Latency of every completed call in microseconds, sorted ascending.
  std::vector<double> latencies_us;

  // Successful calls per second (0 when nothing ran).
  double Rate() const { return seconds > 0 ? ok / seconds : 0; }
  // Nearest-rank percentile `p` in [0, 100] of the latencies in
  // milliseconds; 0 when there are none.
  double PercentileMs(double p) const {
    if (latencies_us.empty()) return 0;
    const double rank =
        std::ceil(p / 100.0 * static_cast<double>(latencies_us.size()));
    const size_t index = std::min(latencies_us.size() - 1,
                                  static_cast<size_t>(std::max(rank, 1.0)) - 1);
    return latencies_us[index] / 1000.0;
  }
};

struct PhaseOptions {
  // Client threads, each with its own completion queue.
  int threads = 2;
  // Calls each thread keeps in flight.
  int outstanding_per_thread = 8;
  // No call is issued after this much time has passed.
  absl::Duration duration = absl::Seconds(3);
  // No call is issued for an index >= max_calls.
  uint64_t max_calls = std::numeric_limits<uint64_t>::max();
  // Deadline of each call.
  absl::Duration call_deadline = absl::Seconds(10);
};

// How to issue one kind of unary call.
template <typename Response>
struct UnaryCall {
  // Returns a prepared (not yet started) call for the `index`-th request,
  // issued from client thread `thread` on `cq`, e.g.
  // stub->PrepareAsyncFoo(context, request, cq). The request may be a
  // temporary: gRPC serializes it here.
  std::function<std::unique_ptr<grpc::ClientAsyncResponseReader<Response>>(
      grpc::ClientContext* context, grpc::CompletionQueue* cq, uint64_t index,
      int thread)>
      start;
  // Optional: judges an OK response; a non-OK status counts as a failure.
  // Called concurrently from the client threads.
  std::function<absl::Status(uint64_t index, const Response& response)> check;
};

namespace internal {

template <typename Response>
struct InFlight {
  grpc::ClientContext context;
  Response response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
  Clock::time_point started;
  uint64_t index = 0;
};

// The per-thread outcome, merged by RunPhase.
struct ThreadTally {
  uint64_t ok = 0;
  uint64_t failed = 0;
  std::string first_error;
  Clock::time_point last_completion;
  std::vector<double> latencies_us;
};

template <typename Response>
ThreadTally RunThread(const UnaryCall<Response>& call,
                      const PhaseOptions& options, int thread,
                      Clock::time_point stop_issuing,
                      std::atomic<uint64_t>& next_index) {
  ThreadTally tally;
  grpc::CompletionQueue cq;
  int in_flight = 0;
  const auto call_deadline = std::chrono::microseconds(
      absl::ToInt64Microseconds(options.call_deadline));

  auto issue = [&]() -> bool {
    if (Clock::now() >= stop_issuing) return false;
    const uint64_t index = next_index.fetch_add(1);
    if (index >= options.max_calls) return false;
    auto rpc = std::make_unique<InFlight<Response>>();
    rpc->index = index;
    rpc->context.set_deadline(std::chrono::system_clock::now() + call_deadline);
    rpc->started = Clock::now();
    rpc->reader = call.start(&rpc->context, &cq, index, thread);
    rpc->reader->StartCall();
    // The completion queue owns the call until its tag comes back.
    InFlight<Response>* tag = rpc.release();
    tag->reader->Finish(&tag->response, &tag->status, tag);
    ++in_flight;
    return true;
  };

  for (int i = 0; i < options.outstanding_per_thread; ++i) {
    if (!issue()) break;
  }
  while (in_flight > 0) {
    void* tag = nullptr;
    bool ok = false;
    if (!cq.Next(&tag, &ok)) break;  // only after Shutdown(): not reached
    std::unique_ptr<InFlight<Response>> rpc(
        static_cast<InFlight<Response>*>(tag));
    --in_flight;
    const Clock::time_point done = Clock::now();
    tally.last_completion = done;
    tally.latencies_us.push_back(
        std::chrono::duration<double, std::micro>(done - rpc->started).count());
    absl::Status verdict;
    if (!rpc->status.ok()) {
      verdict =
          absl::Status(static_cast<absl::StatusCode>(rpc->status.error_code()),
                       rpc->status.error_message());
    } else if (call.check) {
      verdict = call.check(rpc->index, rpc->response);
    }
    if (verdict.ok()) {
      ++tally.ok;
    } else {
      ++tally.failed;
      if (tally.first_error.empty()) tally.first_error = verdict.ToString();
    }
    issue();
  }
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
  return tally;
}

}  // namespace internal

// Runs `call` with `options` and returns the merged measurements. Blocks
// until every issued call has completed (at most duration + call_deadline).
template <typename Response>
PhaseResult RunPhase(std::string name, const PhaseOptions& options,
                     const UnaryCall<Response>& call) {
  std::atomic<uint64_t> next_index{0};
  std::vector<internal::ThreadTally> tallies(options.threads);
  const Clock::time_point start = Clock::now();
  const Clock::time_point stop_issuing =
      start +
      std::chrono::microseconds(absl::ToInt64Microseconds(options.duration));
  std::vector<std::thread> threads;
  threads.reserve(options.threads);
  for (int t = 0; t < options.threads; ++t) {
    threads.emplace_back([&, t] {
      tallies[t] =
          internal::RunThread(call, options, t, stop_issuing, next_index);
    });
  }
  for (std::thread& thread : threads) thread.join();

  PhaseResult result;
  result.name = std::move(name);
  Clock::time_point last = start;
  for (internal::ThreadTally& tally : tallies) {
    result.ok += tally.ok;
    result.failed += tally.failed;
    if (result.first_error.empty()) result.first_error = tally.first_error;
    if (!tally.latencies_us.empty())
      last = std::max(last, tally.last_completion);
    result.latencies_us.insert(result.latencies_us.end(),
                               tally.latencies_us.begin(),
                               tally.latencies_us.end());
  }
  std::sort(result.latencies_us.begin(), result.latencies_us.end());
  result.seconds = std::chrono::duration<double>(last - start).count();
  return result;
}

}  // namespace pedigree::bench

#endif  // PEDIGREE_BENCH_LOAD_GENERATOR_H_
