#ifndef PEDIGREE_SERVER_UTIL_SUBPROCESS_H_
#define PEDIGREE_SERVER_UTIL_SUBPROCESS_H_

// Child processes (fork + exec, POSIX only): start one with redirected
// output, optionally as another user, then signal it and wait for it with a
// deadline. Used to run PostgreSQL's own binaries, and by the end-to-end
// tests to run pedigreed.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pedigree::server {

// How a child ended. A plain value; copyable.
struct ExitStatus {
  // True if it called exit(); false if a signal killed it.
  bool exited = false;
  // The exit code if `exited`, else the signal number.
  int code = 0;

  bool success() const { return exited && code == 0; }
  // "exit code 3" or "killed by signal 9 (Killed)".
  std::string ToString() const;
};

// Credentials a child switches to before exec (requires root).
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  // Supplementary groups.
  std::vector<gid_t> groups;
};

struct SubprocessOptions {
  // argv[0] is the program's path; it is not searched in PATH.
  std::vector<std::string> argv;
  // Added to (or replacing entries of) the inherited environment.
  std::vector<std::pair<std::string, std::string>> extra_env;
  // Where stdout and stderr go: inherited from this process when empty,
  // otherwise appended to this file (created with mode 0600 if missing).
  std::string stdout_path;
  std::string stderr_path;
  // Read stdout through a pipe with ReadStdoutLine() (wins over
  // stdout_path).
  bool pipe_stdout = false;
  // Also send stderr to stdout's destination (wins over stderr_path).
  bool stderr_to_stdout = false;
  // Working directory of the child; inherited when empty.
  std::string working_dir;
  // Switch to these credentials in the child before exec.
  std::optional<RunAs> run_as;
  // Put the child in its own process group, so that a terminal's Ctrl-C
  // reaches only this process, which then stops the child in order.
  bool new_process_group = false;
  // Signal the child receives when the thread that started it exits (Linux
  // PR_SET_PDEATHSIG); 0 for none. Start the process from a long-lived
  // thread if you set it.
  int parent_death_signal = 0;
};

// A running or finished child process. The child's stdin is /dev/null and
// its signal mask and dispositions start from the defaults. Not thread-safe.
// Not copyable or movable. Destroying a Subprocess whose child still runs
// kills it with SIGKILL and reaps it, so no zombie or orphan is left.
class Subprocess {
 public:
  // Starts `options.argv`. Returns InvalidArgument for an empty argv,
  // NotFound or PermissionDenied if the program cannot be executed (errno of
  // the child's execve), and Internal for a failed fork/pipe/open.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      const SubprocessOptions& options);

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }

  // Sends `signal` to the child. Returns FailedPrecondition if it was
  // already reaped, Internal if kill() fails.
  absl::Status Signal(int signal);

  // Waits until the child ends or `deadline` passes. Returns its exit
  // status (also on later calls), or DeadlineExceeded if it still runs.
  // absl::InfinitePast() polls without waiting.
  absl::StatusOr<ExitStatus> Wait(absl::Time deadline);

  // Returns the next line (without '\n') the child wrote to its piped
  // stdout. Returns DeadlineExceeded if no full line arrives by `deadline`,
  // OutOfRange at end of output, FailedPrecondition without pipe_stdout.
  absl::StatusOr<std::string> ReadStdoutLine(absl::Time deadline);

 private:
  Subprocess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}

  const pid_t pid_;
  int stdout_fd_;
  std::string stdout_buffer_;
  std::optional<ExitStatus> exit_status_;
};

// Runs `options` to completion. Returns its exit status, or the Start()
// error, or DeadlineExceeded (after killing it) if it runs past `deadline`.
absl::StatusOr<ExitStatus> RunSubprocess(const SubprocessOptions& options,
                                         absl::Time deadline);

}  // namespace pedigree::server

#endif  // PEDIGREE_SERVER_UTIL_SUBPROCESS_H_
