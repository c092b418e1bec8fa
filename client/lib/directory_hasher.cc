#include "client/lib/directory_hasher.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/crypto/sha256.h"
#include "core/status_macros.h"

namespace pedigree::client {
namespace {

using core::manifest::Manifest;
using core::manifest::ManifestEntry;

constexpr size_t kMinBufferSize = 4096;

// One file to hash.
struct FileTask {
  std::string name;       // relative manifest name
  std::string open_path;  // absolute path without symlinks
  std::string shown;      // the path shown in messages
  uint64_t size = 0;      // from the walk
};

std::string Quoted(absl::string_view path) {
  return absl::StrCat("\"", absl::CHexEscape(path), "\"");
}

// Returns a status for a failed system call on `path` with the code that
// fits `error` (an errno value).
absl::Status ErrnoStatus(int error, absl::string_view what,
                         absl::string_view path) {
  const std::string message =
      absl::StrCat(what, " ", Quoted(path), ": ",
                   absl::AsciiStrToLower(std::strerror(error)));
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case ELOOP:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

// Closes a file descriptor when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Closes a DIR* when it goes out of scope.
struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};

absl::StatusOr<std::string> RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(
      realpath(path.c_str(), nullptr), &std::free);
  if (resolved == nullptr) return ErrnoStatus(errno, "cannot resolve", path);
  return std::string(resolved.get());
}

bool IsInside(absl::string_view path, absl::string_view root) {
  if (root == "/") return path.size() > 1 && path.front() == '/';
  return path.size() > root.size() && absl::StartsWith(path, root) &&
         path[root.size()] == '/';
}

// Walks the directory tree and collects the files to hash.
class Walker {
 public:
  Walker(std::string shown_root, std::string real_root,
         const HashOptions& options)
      : shown_root_(std::move(shown_root)),
        real_root_(std::move(real_root)),
        options_(options) {}

  absl::Status Walk() { return WalkDirectory(real_root_, ""); }

  std::vector<FileTask>& tasks() { return tasks_; }

 private:
  std::string Shown(absl::string_view relative) const {
    return absl::StrCat(shown_root_, shown_root_.back() == '/' ? "" : "/",
                        relative);
  }

  absl::Status WalkDirectory(const std::string& real_dir,
                             const std::string& relative_dir) {
    const std::string shown_dir =
        relative_dir.empty() ? shown_root_ : Shown(relative_dir);
    std::unique_ptr<DIR, DirCloser> dir(opendir(real_dir.c_str()));
    if (dir == nullptr) return ErrnoStatus(errno, "cannot open", shown_dir);
    std::vector<std::string> names;
    while (true) {
      errno = 0;
      const dirent* entry = readdir(dir.get());
      if (entry == nullptr) {
        if (errno != 0) return ErrnoStatus(errno, "cannot read", shown_dir);
        break;
      }
      const absl::string_view name = entry->d_name;
      if (name == "." || name == ".." || name == ".git") continue;
      names.emplace_back(name);
    }
    // Sorted so that the first error reported is the same on every run.
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string relative =
          relative_dir.empty() ? name : absl::StrCat(relative_dir, "/", name);
      if (relative == options_.skip_file) continue;
      PEDIGREE_RETURN_IF_ERROR(
          VisitEntry(absl::StrCat(real_dir, "/", name), relative));
    }
    return absl::OkStatus();
  }

  absl::Status VisitEntry(const std::string& real_path,
                          const std::string& relative) {
    const std::string shown = Shown(relative);
    struct stat info;
    if (lstat(real_path.c_str(), &info) != 0) {
      return ErrnoStatus(errno, "cannot stat", shown);
    }
    if (S_ISDIR(info.st_mode)) return WalkDirectory(real_path, relative);
    std::string open_path = real_path;
    if (S_ISLNK(info.st_mode)) {
      PEDIGREE_ASSIGN_OR_RETURN(open_path, ResolveLink(real_path, shown));
      if (stat(open_path.c_str(), &info) != 0) {
        return ErrnoStatus(errno, "cannot stat", shown);
      }
      if (S_ISDIR(info.st_mode)) {
        return absl::FailedPreconditionError(
            absl::StrCat("symlink ", Quoted(shown),
                         " points to a directory; only links to files are "
                         "followed"));
      }
    }
    if (!S_ISREG(info.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(
          Quoted(shown), " is not a regular file (fifo, socket or device)"));
    }
    if (absl::Status name = core::manifest::ValidateEntryName(relative);
        !name.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot name ", Quoted(shown), " in a manifest: ", name.message()));
    }
    tasks_.push_back(FileTask{relative, std::move(open_path), shown,
                              static_cast<uint64_t>(info.st_size)});
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ResolveLink(const std::string& real_path,
                                          const std::string& shown) const {
    std::unique_ptr<char, decltype(&std::free)> resolved(
        realpath(real_path.c_str(), nullptr), &std::free);
    if (resolved == nullptr) {
      if (errno == ENOENT || errno == ELOOP) {
        return absl::FailedPreconditionError(
            absl::StrCat("symlink ", Quoted(shown), " is dangling or loops"));
      }
      return ErrnoStatus(errno, "cannot resolve symlink", shown);
    }
    std::string target(resolved.get());
    // A link to the root itself is a directory link, refused by the caller.
    if (target != real_root_ && !IsInside(target, real_root_)) {
      return absl::FailedPreconditionError(
          absl::StrCat("symlink ", Quoted(shown), " resolves to ",
                       Quoted(target), ", outside the model directory"));
    }
    return target;
  }

  const std::string shown_root_;
  const std::string real_root_;
  const HashOptions& options_;
  std::vector<FileTask> tasks_;
};

// Reads and hashes one file; returns its raw digest. Adds every chunk's size
// to `*bytes_done` and stops early once `*cancelled` is set.
absl::StatusOr<std::string> HashFile(const FileTask& task, std::string* buffer,
                                     std::atomic<uint64_t>* bytes_done,
                                     const std::atomic<bool>* cancelled) {
  // O_NONBLOCK: a FIFO swapped in after the walk must not block the open;
  // O_NOFOLLOW: nor may a symlink swapped in for the (resolved) file.
  const ScopedFd fd(open(task.open_path.c_str(),
                         O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open", task.shown);
  struct stat info;
  if (fstat(fd.get(), &info) != 0) {
    return ErrnoStatus(errno, "cannot stat", task.shown);
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(Quoted(task.shown), " is no longer a regular file"));
  }
  // Advisory only: the read is correct whether or not the kernel listens.
  (void)posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  PEDIGREE_ASSIGN_OR_RETURN(core::crypto::Sha256 hasher,
                            core::crypto::Sha256::Create());
  uint64_t total = 0;
  while (true) {
    if (cancelled->load(std::memory_order_relaxed)) {
      return absl::CancelledError("cancelled after another file failed");
    }
    const ssize_t count = read(fd.get(), buffer->data(), buffer->size());
    if (count < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", task.shown);
    }
    if (count == 0) break;
    PEDIGREE_RETURN_IF_ERROR(
        hasher.Update(absl::string_view(buffer->data(), count)));
    total += static_cast<uint64_t>(count);
    bytes_done->fetch_add(static_cast<uint64_t>(count),
                          std::memory_order_relaxed);
  }
  if (total != task.size) {
    return absl::AbortedError(
        absl::StrCat(Quoted(task.shown), " changed while it was hashed (size ",
                     task.size, " when listed, ", total, " bytes read)"));
  }
  return hasher.Finish();
}

// Runs the hashing threads of one HashDirectory call.
class HashPool {
 public:
  HashPool(const std::vector<FileTask>& tasks, const HashOptions& options)
      : tasks_(tasks),
        options_(options),
        results_(tasks.size(), absl::UnknownError("not hashed")) {
    // Largest files first, so that one big file does not start last.
    order_.resize(tasks.size());
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(), [&](size_t a, size_t b) {
      return tasks_[a].size > tasks_[b].size;
    });
  }

  // Hashes every task; returns the digests in task order.
  absl::StatusOr<std::vector<std::string>> Run(uint64_t total_bytes) {
    unsigned threads = options_.threads;
    if (threads == 0)
      threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(
        std::min<size_t>(threads, std::max<size_t>(1, tasks_.size())));
    if (options_.progress) options_.progress(0, total_bytes);

    std::vector<std::thread> workers;
    workers.reserve(threads);
    absl::Status start_error;
    {
      absl::MutexLock lock(&mu_);
      running_ = threads;
    }
    for (unsigned i = 0; i < threads; ++i) {
      // std::thread reports failure by throwing; keep that inside.
      try {
        workers.emplace_back([this] { Work(); });
      } catch (const std::system_error& e) {
        start_error = absl::InternalError(
            absl::StrCat("cannot start a hashing thread: ", e.what()));
        cancelled_.store(true);
        absl::MutexLock lock(&mu_);
        running_ -= threads - i;
        break;
      }
    }
    WaitForWorkers(total_bytes);
    for (std::thread& worker : workers) worker.join();
    if (!start_error.ok()) return start_error;

    // Report a real error rather than the cancellations it caused.
    const absl::Status* cancelled = nullptr;
    std::vector<std::string> digests;
    digests.reserve(results_.size());
    for (absl::StatusOr<std::string>& result : results_) {
      if (!result.ok()) {
        if (result.status().code() != absl::StatusCode::kCancelled) {
          return result.status();
        }
        if (cancelled == nullptr) cancelled = &result.status();
        continue;
      }
      digests.push_back(*std::move(result));
    }
    if (cancelled != nullptr) return *cancelled;
    if (options_.progress) options_.progress(total_bytes, total_bytes);
    return digests;
  }

 private:
  void Work() {
    std::string buffer(std::max(options_.buffer_size, kMinBufferSize), '\0');
    while (true) {
      const size_t next = next_.fetch_add(1);
      if (next >= order_.size()) break;
      const size_t index = order_[next];
      if (cancelled_.load()) {
        results_[index] = absl::CancelledError("not hashed");
        continue;
      }
      // Each index is written by exactly one thread and read after join().
      results_[index] =
          HashFile(tasks_[index], &buffer, &bytes_done_, &cancelled_);
      if (!results_[index].ok()) cancelled_.store(true);
    }
    absl::MutexLock lock(&mu_);
    --running_;
  }

  void WaitForWorkers(uint64_t total_bytes) {
    const absl::Duration interval =
        absl::Milliseconds(std::max(1u, options_.progress_interval_ms));
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        if (!options_.progress) {
          mu_.Await(absl::Condition(this, &HashPool::Finished));
          return;
        }
        if (mu_.AwaitWithTimeout(absl::Condition(this, &HashPool::Finished),
                                 interval))
          return;
      }
      options_.progress(
          std::min(bytes_done_.load(std::memory_order_relaxed), total_bytes),
          total_bytes);
    }
  }

  bool Finished() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return running_ == 0;
  }

  const std::vector<FileTask>& tasks_;
  const HashOptions& options_;
  std::vector<size_t> order_;
  std::vector<absl::StatusOr<std::string>> results_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> cancelled_{false};
  std::atomic<uint64_t> bytes_done_{0};
  absl::Mutex mu_;
  unsigned running_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

absl::StatusOr<DirectoryManifest> HashDirectory(const std::string& directory,
                                                const HashOptions& options) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("model directory path is empty");
  }
  struct stat info;
  if (stat(directory.c_str(), &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return absl::NotFoundError(
          absl::StrCat("model directory ", Quoted(directory), " not found"));
    }
    return ErrnoStatus(errno, "cannot stat", directory);
  }
  if (!S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Quoted(directory), " is not a directory"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::string real_root, RealPath(directory));

  Walker walker(directory, real_root, options);
  PEDIGREE_RETURN_IF_ERROR(walker.Walk());
  const std::vector<FileTask>& tasks = walker.tasks();
  if (tasks.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model directory ", Quoted(directory), " contains no files to hash"));
  }
  uint64_t total_bytes = 0;
  for (const FileTask& task : tasks) total_bytes += task.size;

  HashPool pool(tasks, options);
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> digests,
                            pool.Run(total_bytes));
  std::vector<ManifestEntry> entries;
  entries.reserve(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    entries.push_back(
        ManifestEntry{tasks[i].name, std::move(digests[i]), tasks[i].size, {}});
  }
  PEDIGREE_ASSIGN_OR_RETURN(Manifest manifest,
                            Manifest::Create(std::move(entries)));
  return DirectoryManifest{directory, std::move(manifest)};
}

}  // namespace pedigree::client
