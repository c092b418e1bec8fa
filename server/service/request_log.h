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

#include <ostream>
#include <string>

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

}  // namespace pedigree::server::service

#endif  // PEDIGREE_SERVER_SERVICE_REQUEST_LOG_H_
