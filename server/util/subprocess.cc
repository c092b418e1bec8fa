#include "server/util/subprocess.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

extern char** environ;

namespace pedigree::server {
namespace {

// What failed in the child before exec, reported through a close-on-exec
// pipe (no bytes arrive when exec succeeds).
struct ChildError {
  int stage;
  int error;
};
enum ChildStage { kStageCredentials = 1, kStageChdir, kStageExec };

absl::Status ErrnoStatus(absl::string_view what, int error) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(error)));
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

absl::Status OpenForAppend(const std::string& path, Fd* fd) {
  int raw = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (raw < 0) return ErrnoStatus(absl::StrCat("open ", path), errno);
  fd->Reset(raw);
  return absl::OkStatus();
}

// Only async-signal-safe calls from here on: the parent may have threads.
[[noreturn]] void RunChild(const SubprocessOptions& options, char** argv,
                           char** envp, int stdin_fd, int stdout_fd,
                           int stderr_fd, int error_fd, pid_t parent) {
  auto fail = [error_fd](int stage) {
    ChildError report{stage, errno};
    ssize_t ignored = write(error_fd, &report, sizeof(report));
    (void)ignored;
    _exit(127);
  };
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &default_action, nullptr);

  if (options.new_process_group) setpgid(0, 0);
  if (stdin_fd >= 0) dup2(stdin_fd, STDIN_FILENO);
  if (stdout_fd >= 0) dup2(stdout_fd, STDOUT_FILENO);
  if (stderr_fd >= 0) dup2(stderr_fd, STDERR_FILENO);

  if (options.run_as.has_value()) {
    const RunAs& run_as = *options.run_as;
    if (setgroups(run_as.groups.size(), run_as.groups.data()) != 0 ||
        setgid(run_as.gid) != 0 || setuid(run_as.uid) != 0) {
      fail(kStageCredentials);
    }
  }
  // After setuid, which clears the parent-death signal.
  if (options.parent_death_signal != 0) {
    prctl(PR_SET_PDEATHSIG, options.parent_death_signal);
    if (getppid() != parent) _exit(1);
  }
  if (!options.working_dir.empty() && chdir(options.working_dir.c_str()) != 0) {
    fail(kStageChdir);
  }
  execve(argv[0], argv, envp);
  fail(kStageExec);
  _exit(127);  // unreachable; `fail` does not return
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited) return absl::StrCat("exit code ", code);
  return absl::StrCat("killed by signal ", code, " (", strsignal(code), ")");
}

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    const SubprocessOptions& options) {
  if (options.argv.empty()) {
    return absl::InvalidArgumentError("subprocess argv is empty");
  }
  // Everything the child needs is prepared before fork.
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    absl::string_view text(*entry);
    const bool overridden =
        std::any_of(options.extra_env.begin(), options.extra_env.end(),
                    [&](const auto& kv) {
                      return text.size() > kv.first.size() &&
                             text.substr(0, kv.first.size()) == kv.first &&
                             text[kv.first.size()] == '=';
                    });
    if (!overridden) env_storage.emplace_back(text);
  }
  for (const auto& [key, value] : options.extra_env) {
    env_storage.push_back(absl::StrCat(key, "=", value));
  }
  std::vector<char*> envp;
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  Fd dev_null(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (dev_null.get() < 0) return ErrnoStatus("open /dev/null", errno);
  Fd stdout_file, stderr_file, stdout_read, stdout_write;
  if (options.pipe_stdout) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
    stdout_read.Reset(fds[0]);
    stdout_write.Reset(fds[1]);
  } else if (!options.stdout_path.empty()) {
    absl::Status opened = OpenForAppend(options.stdout_path, &stdout_file);
    if (!opened.ok()) return opened;
  }
  if (!options.stderr_to_stdout && !options.stderr_path.empty()) {
    absl::Status opened = OpenForAppend(options.stderr_path, &stderr_file);
    if (!opened.ok()) return opened;
  }
  const int child_stdout =
      options.pipe_stdout ? stdout_write.get() : stdout_file.get();
  int child_stderr = stderr_file.get();
  if (options.stderr_to_stdout) {
    child_stderr = child_stdout >= 0 ? child_stdout : STDOUT_FILENO;
  }

  int error_fds[2];
  if (pipe2(error_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
  Fd error_read(error_fds[0]);
  Fd error_write(error_fds[1]);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return ErrnoStatus("fork", errno);
  if (pid == 0) {
    RunChild(options, argv.data(), envp.data(), dev_null.get(), child_stdout,
             child_stderr, error_write.get(), parent);
  }
  error_write.Close();
  stdout_write.Close();

  ChildError report{};
  ssize_t got;
  do {
    got = read(error_read.get(), &report, sizeof(report));
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof(report))) {
    int ignored;
    while (waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
    }
    const std::string what =
        report.stage == kStageCredentials
            ? absl::StrCat("cannot switch to uid ", options.run_as->uid,
                           " to run ", options.argv[0])
        : report.stage == kStageChdir
            ? absl::StrCat("cannot enter ", options.working_dir, " to run ",
                           options.argv[0])
            : absl::StrCat("cannot execute ", options.argv[0]);
    const std::string message =
        absl::StrCat(what, ": ", std::strerror(report.error));
    if (report.error == ENOENT) return absl::NotFoundError(message);
    if (report.error == EACCES || report.error == EPERM) {
      return absl::PermissionDeniedError(message);
    }
    return absl::InternalError(message);
  }
  return std::unique_ptr<Subprocess>(
      new Subprocess(pid, stdout_read.Release()));
}

Subprocess::~Subprocess() {
  if (!exit_status_.has_value()) {
    kill(pid_, SIGKILL);
    int ignored;
    while (waitpid(pid_, &ignored, 0) < 0 && errno == EINTR) {
    }
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

absl::Status Subprocess::Signal(int signal) {
  if (exit_status_.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("process ", pid_, " has already ended"));
  }
  if (kill(pid_, signal) != 0) {
    return ErrnoStatus(absl::StrCat("kill ", pid_), errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<ExitStatus> Subprocess::Wait(absl::Time deadline) {
  absl::Duration backoff = absl::Milliseconds(1);
  while (!exit_status_.has_value()) {
    int status = 0;
    const pid_t result = waitpid(pid_, &status, WNOHANG);
    if (result == pid_) {
      ExitStatus exit;
      exit.exited = WIFEXITED(status);
      exit.code = exit.exited ? WEXITSTATUS(status) : WTERMSIG(status);
      exit_status_ = exit;
      break;
    }
    if (result < 0 && errno != EINTR) {
      return ErrnoStatus(absl::StrCat("waitpid ", pid_), errno);
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid_, " is still running"));
    }
    absl::SleepFor(std::min(left, backoff));
    backoff = std::min(backoff * 2, absl::Milliseconds(50));
  }
  return *exit_status_;
}

absl::StatusOr<std::string> Subprocess::ReadStdoutLine(absl::Time deadline) {
  if (stdout_fd_ < 0) {
    return absl::FailedPreconditionError("stdout is not piped");
  }
  while (true) {
    const size_t newline = stdout_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("no complete line on stdout in time");
    }
    pollfd poll_fd{stdout_fd_, POLLIN, 0};
    const int ready = poll(&poll_fd, 1,
                           static_cast<int>(std::min<int64_t>(
                               absl::ToInt64Milliseconds(left) + 1, 60'000)));
    if (ready < 0 && errno != EINTR) return ErrnoStatus("poll", errno);
    if (ready <= 0) continue;
    char chunk[4096];
    const ssize_t got = read(stdout_fd_, chunk, sizeof(chunk));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", errno);
    }
    if (got == 0) return absl::OutOfRangeError("end of stdout");
    stdout_buffer_.append(chunk, static_cast<size_t>(got));
  }
}

absl::StatusOr<ExitStatus> RunSubprocess(const SubprocessOptions& options,
                                         absl::Time deadline) {
  absl::StatusOr<std::unique_ptr<Subprocess>> process =
      Subprocess::Start(options);
  if (!process.ok()) return process.status();
  absl::StatusOr<ExitStatus> exit = (*process)->Wait(deadline);
  if (absl::IsDeadlineExceeded(exit.status())) {
    return absl::DeadlineExceededError(absl::StrCat(
        options.argv[0], " did not finish in time and was killed"));
  }
  return exit;
}

}  // namespace pedigree::server
