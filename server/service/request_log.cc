#include "server/service/request_log.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pedigree::server::service {
namespace {

// Returns `value` bare if it is a simple token, otherwise double-quoted with
// C escapes (which also turn newlines and control bytes into text).
std::string LogfmtValue(absl::string_view value) {
  bool simple = !value.empty();
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '"' || c == '=' || c == '\\') {
      simple = false;
      break;
    }
  }
  if (simple) return std::string(value);
  return absl::StrCat("\"", absl::CEscape(value), "\"");
}

}  // namespace

std::string FormatRequestLogLine(const RequestLogEntry& entry) {
  std::string line = absl::StrCat(
      "pedigreed rpc method=", LogfmtValue(entry.method),
      " code=", LogfmtValue(absl::StatusCodeToString(entry.status.code())),
      " duration_ms=",
      absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(entry.duration)),
      " peer=", LogfmtValue(entry.peer),
      " request_id=", LogfmtValue(entry.request_id));
  if (!entry.status.ok()) {
    absl::StrAppend(&line, " error=", LogfmtValue(entry.status.message()));
  }
  return line;
}

void StreamRequestLogger::Log(const RequestLogEntry& entry) {
  // One write per line, so lines from several servers sharing a log sink
  // never interleave mid-line.
  const std::string line = absl::StrCat(FormatRequestLogLine(entry), "\n");
  absl::MutexLock lock(&mu_);
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

std::vector<std::string> SplitIntoWrites(const std::string& lines,
                                         size_t max_bytes) {
  std::vector<std::string> writes;
  size_t begin = 0;
  while (begin < lines.size()) {
    // Extend the piece line by line while it stays within max_bytes; the
    // first line always goes in, however long.
    size_t end = lines.find('\n', begin);
    end = end == std::string::npos ? lines.size() : end + 1;
    while (end < lines.size()) {
      size_t next = lines.find('\n', end);
      next = next == std::string::npos ? lines.size() : next + 1;
      if (next - begin > max_bytes) break;
      end = next;
    }
    writes.push_back(lines.substr(begin, end - begin));
    begin = end;
  }
  return writes;
}

BackgroundRequestLogger::BackgroundRequestLogger(int fd,
                                                 size_t max_pending_bytes)
    : fd_(fd),
      max_pending_bytes_(max_pending_bytes),
      writer_([this] { WriteLoop(); }) {}

BackgroundRequestLogger::~BackgroundRequestLogger() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  writer_.join();
}

bool BackgroundRequestLogger::ShouldWriteNow() const {
  // A caller waiting for room needs the writer now as well: the threshold
  // is never above the room there is.
  return stop_ ||
         pending_.size() >= std::min(kWriteSoonBytes, max_pending_bytes_);
}

bool BackgroundRequestLogger::HasRoom() const {
  // An empty buffer always takes a line, however long, so a line larger
  // than the limit cannot wait forever.
  return pending_.empty() || pending_.size() < max_pending_bytes_;
}

void BackgroundRequestLogger::Log(const RequestLogEntry& entry) {
  const std::string line = absl::StrCat(FormatRequestLogLine(entry), "\n");
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &BackgroundRequestLogger::HasRoom));
  pending_ += line;
}

void BackgroundRequestLogger::WriteLoop() {
  // A sink whose reader is gone (stderr on a closed pipe) must not kill the
  // server: a write to it fails with EPIPE here instead of raising SIGPIPE,
  // whose default action ends the process.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  while (true) {
    std::string lines;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(
          absl::Condition(this, &BackgroundRequestLogger::ShouldWriteNow),
          kWriteInterval);
      if (pending_.empty()) {
        if (stop_) return;  // everything is written
        continue;
      }
      lines.swap(pending_);
    }
    for (const std::string& piece : SplitIntoWrites(lines, PIPE_BUF)) {
      WritePiece(piece);
    }
  }
}

void BackgroundRequestLogger::WritePiece(const std::string& piece) const {
  size_t done = 0;
  while (done < piece.size()) {
    const ssize_t n = ::write(fd_, piece.data() + done, piece.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // A non-blocking sink that is full: wait until it takes more, as a
      // blocking one would.
      pollfd writable{fd_, POLLOUT, 0};
      if (::poll(&writable, 1, -1) < 0 && errno != EINTR) return;
      continue;
    }
    if (n < 0 && errno == EPIPE) {
      // SIGPIPE is blocked in this thread; take the one this write raised
      // so it does not stay pending.
      sigset_t pipe_signal;
      sigemptyset(&pipe_signal);
      sigaddset(&pipe_signal, SIGPIPE);
      const timespec no_wait{};
      while (sigtimedwait(&pipe_signal, nullptr, &no_wait) == SIGPIPE) {
      }
    }
    return;  // the sink is gone or broken: drop this piece
  }
}

}  // namespace pedigree::server::service
