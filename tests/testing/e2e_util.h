#ifndef PEDIGREE_TESTS_TESTING_E2E_UTIL_H_
#define PEDIGREE_TESTS_TESTING_E2E_UTIL_H_

// Helpers shared by the end-to-end tests (tests/e2e/), which run the built
// binaries as subprocesses: the binaries' paths from the environment, files
// and a private temp directory, running a binary to completion, learning a
// pedigreed's port, and admin gRPC calls.
//
// Header-only, so that each e2e executable needs nothing more than it links
// already (the gRPC helpers use only grpcpp's headers and are compiled only
// where called). Failures are returned as absl::Status, except in
// RunCli(), which reports them as non-fatal gtest failures. Not thread-safe
// unless stated.

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "server/util/subprocess.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::testing {

// The admin token the e2e tests give pedigreed (--admin-token or
// PEDIGREE_ADMIN_TOKEN) and their admin calls.
inline constexpr char kE2eAdminToken[] = "e2e-admin-token-0123456789abcdef";

// Returns the value of the environment variable `variable`, the path of a
// binary under test that tests/CMakeLists.txt sets. FailedPrecondition if it
// is not set (the test was not run through ctest).
inline absl::StatusOr<std::string> BinaryFromEnv(const char* variable) {
  const char* value = std::getenv(variable);
  if (value == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(variable, " is not set: run through ctest"));
  }
  return std::string(value);
}

// Returns the contents of the file `path`, or "" if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

// Writes `content` to the file `path`, replacing it and creating missing
// parent directories. A failure shows when the test reads the file back or
// runs a binary on it.
inline void WriteFile(const std::string& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(),
                                      ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// A fresh directory under /tmp, removed with everything in it when the
// TempDir is destroyed (stop the processes using it first). Not copyable.
class TempDir {
 public:
  TempDir() = default;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }

  // Creates the directory /tmp/<prefix>-XXXXXX (mode 0700). Internal if
  // mkdtemp fails, FailedPrecondition if this TempDir has one already.
  absl::Status Create(const std::string& prefix) {
    if (!path_.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("temp dir ", path_, " exists already"));
    }
    std::string pattern = absl::StrCat("/tmp/", prefix, "-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::InternalError(
          absl::StrCat("mkdtemp ", pattern, ": ", std::strerror(errno)));
    }
    path_ = std::move(pattern);
    return absl::OkStatus();
  }

  // Lets other users enter the directory (mode 0701): run as root, an
  // embedded PostgreSQL runs as `postgres`, which must reach its data
  // directory inside. Internal if chmod fails.
  absl::Status AllowOthersToEnter() const {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all | fs::perms::others_exec, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("chmod ", path_, ": ", ec.message()));
    }
    return absl::OkStatus();
  }

  // The directory; "" before Create() succeeded.
  const std::string& path() const { return path_; }
  // `relative` inside the directory.
  std::string Path(const std::string& relative) const {
    return absl::StrCat(path_, "/", relative);
  }

 private:
  std::string path_;
};

// The subprocesses a test starts, numbered 0, 1, ... in start order, each
// with stdout through a pipe and stderr in the file StderrPath(number) of a
// TempDir. Destroying the list, or Clear(), kills (SIGKILL) and reaps those
// still running. `dir` must outlive the list.
class ProcessList {
 public:
  explicit ProcessList(const TempDir* dir) : dir_(dir) {}
  ProcessList(const ProcessList&) = delete;
  ProcessList& operator=(const ProcessList&) = delete;

  // Starts `options` as number size(), setting its pipe_stdout and
  // stderr_path. Returns it, owned by the list, or nullptr after a
  // non-fatal gtest failure.
  server::Subprocess* Start(server::SubprocessOptions options) {
    options.pipe_stdout = true;
    options.stderr_path = StderrPath(processes_.size());
    absl::StatusOr<std::unique_ptr<server::Subprocess>> process =
        server::Subprocess::Start(options);
    EXPECT_THAT(process, IsOk());
    if (!process.ok()) return nullptr;
    processes_.push_back(*std::move(process));
    return processes_.back().get();
  }

  // Kills and forgets all processes; numbering starts again at 0.
  void Clear() { processes_.clear(); }

  size_t size() const { return processes_.size(); }
  // The processes in start order.
  const std::vector<std::unique_ptr<server::Subprocess>>& processes() const {
    return processes_;
  }

  // The stderr file of process `number`, and what it holds so far.
  std::string StderrPath(size_t number) const {
    return dir_->Path(absl::StrCat("stderr.", number));
  }
  std::string Stderr(size_t number) const {
    return ReadFile(StderrPath(number));
  }

 private:
  const TempDir* const dir_;
  std::vector<std::unique_ptr<server::Subprocess>> processes_;
};

// What a binary run to completion printed, and how it ended.
struct CliResult {
  // How it ended; the default (not exited) if it could not be started or
  // did not end in time.
  server::ExitStatus exit;
  int code = -1;  // exit code; -1 if it did not exit normally
  std::string out;
  std::string err;
};

// Runs `options` to completion within `timeout`, with stdout through a pipe
// (pipe_stdout is set) and stderr through the file options.stderr_path,
// which must be set and name a file of its own. Failures to start it, to
// read its stdout to the end or to wait for it are non-fatal gtest failures;
// the result then holds what was gathered.
inline CliResult RunCli(server::SubprocessOptions options,
                        absl::Duration timeout) {
  CliResult result;
  EXPECT_NE(options.stderr_path, "") << "RunCli needs a stderr_path";
  options.pipe_stdout = true;
  absl::StatusOr<std::unique_ptr<server::Subprocess>> process =
      server::Subprocess::Start(options);
  EXPECT_THAT(process, IsOk());
  if (!process.ok()) return result;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<std::string> line = (*process)->ReadStdoutLine(deadline);
    if (!line.ok()) {
      EXPECT_EQ(line.status().code(), absl::StatusCode::kOutOfRange)
          << line.status();
      break;
    }
    absl::StrAppend(&result.out, *line, "\n");
  }
  absl::StatusOr<server::ExitStatus> exit = (*process)->Wait(deadline);
  EXPECT_THAT(exit, IsOk());
  if (exit.ok()) {
    result.exit = *exit;
    if (exit->exited) result.code = exit->code;
  }
  result.err = ReadFile(options.stderr_path);
  return result;
}

// Reads the first stdout line of a pedigreed started with
// `--listen 127.0.0.1:0` and pipe_stdout, by `deadline`, and returns the
// PORT of "pedigreed listening on 127.0.0.1:PORT". Returns the
// ReadStdoutLine() error (DeadlineExceeded, or OutOfRange if it exited), or
// InvalidArgument naming the line if it is another.
inline absl::StatusOr<int> ReadListeningPort(server::Subprocess& process,
                                             absl::Time deadline) {
  absl::StatusOr<std::string> line = process.ReadStdoutLine(deadline);
  if (!line.ok()) return line.status();
  std::smatch match;
  const std::regex listening(R"(^pedigreed listening on 127\.0\.0\.1:(\d+)$)");
  if (!std::regex_match(*line, match, listening)) {
    return absl::InvalidArgumentError(
        absl::StrCat("pedigreed's first line is not its address: ", *line));
  }
  return std::stoi(match[1].str());
}

// A pedigreed started by StartPedigreed().
struct StartedPedigreed {
  std::unique_ptr<server::Subprocess> process;
  int port = 0;  // it listens on 127.0.0.1:port
};

// Starts `options`, a pedigreed with `--listen 127.0.0.1:0` (pipe_stdout is
// set), and waits by `deadline` for its listening line. Returns the
// Subprocess::Start() or ReadListeningPort() error (the process, if any, is
// then killed); its stderr tells more if options.stderr_path was set.
inline absl::StatusOr<StartedPedigreed> StartPedigreed(
    server::SubprocessOptions options, absl::Time deadline) {
  options.pipe_stdout = true;
  absl::StatusOr<std::unique_ptr<server::Subprocess>> process =
      server::Subprocess::Start(options);
  if (!process.ok()) return process.status();
  absl::StatusOr<int> port = ReadListeningPort(**process, deadline);
  if (!port.ok()) return port.status();
  return StartedPedigreed{*std::move(process), *port};
}

// The environment of a CLI run against a test's registry: the admin token
// (kE2eAdminToken), `config_home` as XDG_CONFIG_HOME (so pinned log keys and
// remembered checkpoints are the test's own) and no PEDIGREE_LOG_KEY from
// outside.
inline std::vector<std::pair<std::string, std::string>> CliRegistryEnv(
    const std::string& config_home) {
  return {{"PEDIGREE_ADMIN_TOKEN", kE2eAdminToken},
          {"XDG_CONFIG_HOME", config_home},
          {"PEDIGREE_LOG_KEY", ""}};
}

// The deadline of one gRPC call in an e2e test: 10 seconds from now.
inline std::chrono::system_clock::time_point CallDeadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

// Makes `context` an admin call (bearer kE2eAdminToken) with CallDeadline().
inline void SetAdminContext(grpc::ClientContext& context) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kE2eAdminToken));
  context.set_deadline(CallDeadline());
}

}  // namespace pedigree::testing

#endif  // PEDIGREE_TESTS_TESTING_E2E_UTIL_H_
