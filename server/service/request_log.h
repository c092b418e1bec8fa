#ifndef PEDIGREE_SERVER_SERVICE_REQUEST_LOG_H_
#define PEDIGREE_SERVER_SERVICE_REQUEST_LOG_H_

// One structured line per RPC: which method, how it ended, how long it took,
// who called and the request id a client sees in error messages. Lines are
// logfmt ("key=value", values quoted when needed), e.g.
//
//   pedigreed rpc method=PublishRecord code=PERMISSION_DENIED
//     duration_ms=3.412 peer=ipv4:127.0.0.1:53124 request_id=5f0c9a1e2b3d4c6f
//     error="no signature verifies with an active key of namespace acme-ai"
//
// (on one line). Request metadata, and therefore the admin token, is never
// logged.

#include <cstddef>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace pedigree::server::service {

// What is logged about one RPC. A plain value.
struct RequestLogEntry {
  std::string method;   // e.g. "PublishRecord"
  absl::Status status;  // the full status, before ToGrpcStatus hides anything
  absl::Duration duration;
  std::string peer;  // grpc::ServerContext::peer()
  std::string request_id;
};

// Returns `entry` as one logfmt line without the trailing newline. Control
// characters and quotes in values are escaped, so one entry is one line.
std::string FormatRequestLogLine(const RequestLogEntry& entry);

// Receives one entry per completed RPC. Implementations are thread-safe:
// handlers log concurrently.
class RequestLogger {
 public:
  virtual ~RequestLogger() = default;
  virtual void Log(const RequestLogEntry& entry) = 0;
};

// Writes FormatRequestLogLine(entry) and a newline to a stream (std::cerr in
// pedigreed), one whole line at a time. Thread-safe. The stream must outlive
// the logger. Not copyable.
class StreamRequestLogger final : public RequestLogger {
 public:
  explicit StreamRequestLogger(std::ostream& out) : out_(out) {}
  StreamRequestLogger(const StreamRequestLogger&) = delete;
  StreamRequestLogger& operator=(const StreamRequestLogger&) = delete;

  void Log(const RequestLogEntry& entry) override;

 private:
  absl::Mutex mu_;
  std::ostream& out_ ABSL_GUARDED_BY(mu_);
};

// Splits `lines` (whole lines, each ending in '\n') into consecutive pieces
// of whole lines, each at most `max_bytes` long unless it is a single longer
// line. Pieces are what one write(2) gets: a write of at most PIPE_BUF
// bytes to a pipe is atomic, so lines of several processes sharing a pipe
// never interleave mid-line.
std::vector<std::string> SplitIntoWrites(const std::string& lines,
                                         size_t max_bytes);

// Writes FormatRequestLogLine(entry) and a newline to a file descriptor
// (stderr in pedigreed) from a background thread, so that a handler only
// formats its line and appends it to a buffer: it never waits for the sink
// (a slow disk, a full pipe to journald) unless `max_pending_bytes` of lines
// are already waiting, in which case it waits for room (nothing is dropped).
// The thread writes every kWriteInterval, or sooner once kWriteSoonBytes are
// waiting, so that a busy server does not wake it for every line: a line
// reaches the sink at most about 10 ms after its call ended. Lines keep the
// order of Log calls and go out in whole-line writes of at most PIPE_BUF
// bytes (see SplitIntoWrites); the destructor writes every pending line
// before it returns. A non-blocking `fd` that is full is waited for, as a
// blocking one would be. Other write errors drop the lines of that write
// (there is nowhere to report them); a sink whose reader is gone (EPIPE)
// does not raise SIGPIPE, which is blocked in the writer thread.
// Thread-safe. Does not own `fd`. Not copyable.
class BackgroundRequestLogger final : public RequestLogger {
 public:
  static constexpr size_t kDefaultMaxPendingBytes = size_t{4} << 20;
  static constexpr size_t kWriteSoonBytes = size_t{64} << 10;
  static constexpr absl::Duration kWriteInterval = absl::Milliseconds(10);

  explicit BackgroundRequestLogger(
      int fd, size_t max_pending_bytes = kDefaultMaxPendingBytes);
  ~BackgroundRequestLogger() override;
  BackgroundRequestLogger(const BackgroundRequestLogger&) = delete;
  BackgroundRequestLogger& operator=(const BackgroundRequestLogger&) = delete;

  void Log(const RequestLogEntry& entry) override;

 private:
  void WriteLoop();
  // Writes `piece` to fd_, retrying after EINTR and waiting out EAGAIN.
  void WritePiece(const std::string& piece) const;
  bool ShouldWriteNow() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int fd_;
  const size_t max_pending_bytes_;
  absl::Mutex mu_;
  std::string pending_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;  // last: starts once the rest is initialized
};

}  // namespace pedigree::server::service

#endif  // PEDIGREE_SERVER_SERVICE_REQUEST_LOG_H_
