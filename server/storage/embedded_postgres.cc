#include "server/storage/embedded_postgres.h"

#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/status_macros.h"
#include "pqxx/pqxx"
#include "server/storage/dsn.h"
#include "server/storage/internal/pqxx_status.h"

namespace pedigree::server::storage {
namespace {

namespace fs = std::filesystem;

constexpr char kClusterDir[] = "pgdata";
constexpr char kSocketDir[] = "run";
constexpr char kLogFile[] = "postgres.log";
constexpr char kSystemUser[] = "postgres";
// sizeof(sockaddr_un::sun_path) is 108, including the terminating NUL.
constexpr size_t kMaxSocketPathLength = 107;
constexpr int kLogTailLines = 20;

constexpr char kDatabaseExistsSql[] =
    "SELECT 1 FROM pg_database WHERE datname = $1";
// The name is the constant kDatabaseName; identifiers cannot be parameters.
constexpr char kCreateDatabaseSql[] = "CREATE DATABASE pedigree";

absl::Status FsError(absl::string_view what, const fs::path& path,
                     const std::error_code& ec) {
  return absl::InternalError(
      absl::StrCat(what, " ", path.string(), ": ", ec.message()));
}

// Returns the last `lines` lines of the file at `path` ("" if unreadable).
std::string LogTail(const fs::path& path, int lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start = std::max<std::streamoff>(0, size - 16384);
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  std::vector<std::string> all =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(text), '\n');
  const size_t first =
      all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  return absl::StrJoin(all.begin() + first, all.end(), "\n");
}

std::string WithLog(absl::string_view message, const fs::path& log) {
  const std::string tail = LogTail(log, kLogTailLines);
  if (tail.empty()) return absl::StrCat(message, " (log: ", log.string(), ")");
  return absl::StrCat(message, "; last lines of ", log.string(), ":\n", tail);
}

bool IsExecutable(const fs::path& path) {
  return access(path.c_str(), X_OK) == 0;
}

// Returns the first directory on PATH that holds an executable `name`.
std::optional<fs::path> FindInPath(absl::string_view name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    fs::path candidate = fs::path(std::string(dir)) / std::string(name);
    if (IsExecutable(candidate)) return candidate;
  }
  return std::nullopt;
}

// Returns the /usr/lib/postgresql/<N>/bin directories, newest first, with
// the cluster's own version (if known) in front.
std::vector<std::string> DebianBinDirs(const std::string& cluster_version) {
  std::vector<std::pair<int, std::string>> versions;
  std::error_code ec;
  for (const fs::directory_entry& entry :
       fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = 0;
    const std::string name = entry.path().filename().string();
    if (absl::SimpleAtoi(name, &version)) {
      versions.emplace_back(version, (entry.path() / "bin").string());
    }
  }
  std::sort(versions.begin(), versions.end(),
            [&](const auto& a, const auto& b) {
              const bool a_match = std::to_string(a.first) == cluster_version;
              const bool b_match = std::to_string(b.first) == cluster_version;
              if (a_match != b_match) return a_match;
              return a.first > b.first;
            });
  std::vector<std::string> dirs;
  for (const auto& [version, dir] : versions) dirs.push_back(dir);
  if (dirs.empty()) dirs.push_back("/usr/lib/postgresql/*/bin");
  return dirs;
}

std::optional<std::string> PgConfigBinDir() {
  std::optional<fs::path> pg_config = FindInPath("pg_config");
  if (!pg_config.has_value()) return std::nullopt;
  SubprocessOptions options;
  options.argv = {pg_config->string(), "--bindir"};
  options.pipe_stdout = true;
  options.stderr_path = "/dev/null";
  absl::StatusOr<std::unique_ptr<Subprocess>> process =
      Subprocess::Start(options);
  if (!process.ok()) return std::nullopt;
  absl::StatusOr<std::string> line =
      (*process)->ReadStdoutLine(absl::Now() + absl::Seconds(10));
  if (!line.ok()) return std::nullopt;
  return std::string(absl::StripAsciiWhitespace(*line));
}

absl::StatusOr<std::string> FindBinDir(const EmbeddedPostgres::Options& options,
                                       const std::string& cluster_version) {
  std::vector<std::string> candidates = options.bin_dirs;
  if (options.search_default_locations) {
    for (std::string& dir : DebianBinDirs(cluster_version)) {
      candidates.push_back(std::move(dir));
    }
    if (std::optional<std::string> dir = PgConfigBinDir(); dir.has_value()) {
      candidates.push_back(*dir);
    } else {
      candidates.push_back("`pg_config --bindir`");
    }
    if (const char* path = std::getenv("PATH"); path != nullptr) {
      for (absl::string_view dir :
           absl::StrSplit(path, ':', absl::SkipEmpty())) {
        candidates.emplace_back(dir);
      }
    }
  }
  for (const std::string& dir : candidates) {
    if (IsExecutable(fs::path(dir) / "initdb") &&
        IsExecutable(fs::path(dir) / "postgres")) {
      return dir;
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "postgresql server binaries (initdb and postgres) not found; looked in: ",
      candidates.empty() ? "(nowhere)" : absl::StrJoin(candidates, ", "),
      ". Install postgresql (Debian: postgresql-15), pass --pg-bin-dir, or "
      "use --database-url"));
}

// The `postgres` system user, when this process is root.
absl::StatusOr<std::optional<RunAs>> PostgresUserIfRoot() {
  if (geteuid() != 0) return std::optional<RunAs>();
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  const int error =
      getpwnam_r(kSystemUser, &entry, buffer.data(), buffer.size(), &found);
  if (error != 0 || found == nullptr) {
    return absl::FailedPreconditionError(
        "running as root, and PostgreSQL refuses to run as root, but there is "
        "no 'postgres' system user to run it as; create one or run pedigreed "
        "as an ordinary user");
  }
  RunAs run_as;
  run_as.uid = entry.pw_uid;
  run_as.gid = entry.pw_gid;
  int count = 64;
  std::vector<gid_t> groups(count);
  if (getgrouplist(kSystemUser, entry.pw_gid, groups.data(), &count) < 0) {
    groups.resize(count);
    getgrouplist(kSystemUser, entry.pw_gid, groups.data(), &count);
  }
  groups.resize(std::max(count, 0));
  run_as.groups = std::move(groups);
  return std::optional<RunAs>(std::move(run_as));
}

// Returns FailedPrecondition naming the first ancestor of `dir` that
// `run_as` cannot search (enter).
absl::Status CheckReachable(const fs::path& dir, const RunAs& run_as) {
  std::vector<fs::path> ancestors;
  for (fs::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    ancestors.push_back(p);
    if (p == p.root_path()) break;
  }
  for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it) {
    struct stat st {};
    if (stat(it->c_str(), &st) != 0) continue;  // created later by us
    mode_t bit = S_IXOTH;
    if (st.st_uid == run_as.uid) {
      bit = S_IXUSR;
    } else if (st.st_gid == run_as.gid ||
               std::find(run_as.groups.begin(), run_as.groups.end(),
                         st.st_gid) != run_as.groups.end()) {
      bit = S_IXGRP;
    }
    if ((st.st_mode & bit) == 0) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "PostgreSQL runs as the 'postgres' user (pedigreed runs as root), "
          "which cannot reach data directory %s: parent directory %s "
          "(mode %04o, owner uid %d) is not searchable by it; choose a data "
          "directory under a traversable path or run `chmod o+x %s`",
          dir.string(), it->string(), st.st_mode & 07777, st.st_uid,
          it->string()));
    }
  }
  return absl::OkStatus();
}

absl::Status ChownTo(const fs::path& path, const std::optional<RunAs>& run_as) {
  if (!run_as.has_value()) return absl::OkStatus();
  if (lchown(path.c_str(), run_as->uid, run_as->gid) != 0) {
    return absl::InternalError(
        absl::StrCat("chown ", path.string(), ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status MakePrivateDir(const fs::path& path,
                            const std::optional<RunAs>& run_as) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return FsError("cannot create directory", path, ec);
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return FsError("cannot set permissions of", path, ec);
  return ChownTo(path, run_as);
}

enum class DirState { kFresh, kCluster };

// Classifies `data_dir`: fresh (missing, empty, or only leftovers of a
// failed first start) or holding a cluster. Anything else is refused.
absl::StatusOr<DirState> Inspect(const fs::path& data_dir) {
  std::error_code ec;
  if (!fs::exists(data_dir, ec)) return DirState::kFresh;
  if (!fs::is_directory(data_dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", data_dir.string(),
                     " exists and is not a directory"));
  }
  if (fs::exists(data_dir / kClusterDir / "PG_VERSION", ec)) {
    return DirState::kCluster;
  }
  for (const fs::directory_entry& entry :
       fs::directory_iterator(data_dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool leftover =
        name == kSocketDir || name == kLogFile ||
        (name == kClusterDir && fs::is_empty(entry.path(), ec));
    if (!leftover) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", data_dir.string(),
          " is not empty and holds no pedigree PostgreSQL cluster (expected ",
          (data_dir / kClusterDir / "PG_VERSION").string(),
          "); choose an empty or new directory"));
    }
  }
  if (ec) return FsError("cannot list", data_dir, ec);
  return DirState::kFresh;
}

// Handles a lock file (postmaster.pid or the socket's .lock) left by a
// PostgreSQL that did not shut down. PostgreSQL itself ignores one whose pid
// is dead, but not one whose pid was reused by another live process, which
// is common after a container restart: remove those. A live postgres means
// the directory is in use.
absl::Status ClearStaleLock(const fs::path& lock_file,
                            const fs::path& data_dir) {
  std::ifstream in(lock_file);
  if (!in) return absl::OkStatus();
  std::string first_line;
  std::getline(in, first_line);
  in.close();
  int pid = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(first_line), &pid) ||
      pid <= 0) {
    return absl::OkStatus();  // PostgreSQL reports malformed lock files
  }
  if (kill(pid, 0) != 0 && errno == ESRCH) return absl::OkStatus();
  std::ifstream comm(absl::StrCat("/proc/", pid, "/comm"));
  std::string name;
  std::getline(comm, name);
  // A postmaster's working directory is its cluster; one elsewhere is some
  // other server that happens to have the recorded pid.
  std::error_code cwd_error;
  const fs::path cwd =
      fs::read_symlink(absl::StrCat("/proc/", pid, "/cwd"), cwd_error);
  const bool ours = cwd_error || cwd == data_dir / kClusterDir;
  if ((name == "postgres" || name == "postmaster") && ours) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a PostgreSQL server (pid ", pid,
        ") is already running on data "
        "directory ",
        data_dir.string(),
        "; is another pedigreed using it? If not, stop it with: pg_ctl stop "
        "-D ",
        (data_dir / kClusterDir).string()));
  }
  std::error_code ec;
  fs::remove(lock_file, ec);
  if (ec) return FsError("cannot remove stale lock file", lock_file, ec);
  return absl::OkStatus();
}

}  // namespace

EmbeddedPostgres::EmbeddedPostgres(std::string data_dir, std::string bin_dir,
                                   std::string dsn, bool initialized,
                                   absl::Duration stop_timeout,
                                   std::unique_ptr<Subprocess> postmaster)
    : data_dir_(std::move(data_dir)),
      bin_dir_(std::move(bin_dir)),
      dsn_(std::move(dsn)),
      initialized_(initialized),
      stop_timeout_(stop_timeout),
      postmaster_(std::move(postmaster)) {}

EmbeddedPostgres::~EmbeddedPostgres() { Stop().IgnoreError(); }

absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> EmbeddedPostgres::Start(
    Options options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("embedded postgres data_dir is empty");
  }
  std::error_code ec;
  const fs::path data_dir =
      fs::absolute(options.data_dir, ec).lexically_normal();
  if (ec) return FsError("cannot resolve", options.data_dir, ec);
  const fs::path cluster_dir = data_dir / kClusterDir;
  const fs::path socket_dir = data_dir / kSocketDir;
  const fs::path log_path = data_dir / kLogFile;
  const std::string socket_name = absl::StrCat(".s.PGSQL.", options.port);
  const std::string socket_path = (socket_dir / socket_name).string();
  if (socket_path.size() > kMaxSocketPathLength) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory path is too long: the PostgreSQL socket ",
                     socket_path, " would be ", socket_path.size(),
                     " bytes, over the unix socket limit "
                     "of ",
                     kMaxSocketPathLength, "; choose a shorter --data-dir"));
  }
  if (socket_dir.string().find_first_of("\",") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data directory ", data_dir.string(),
        " contains '\"' or ',', which PostgreSQL cannot use in a socket path"));
  }

  PEDIGREE_ASSIGN_OR_RETURN(const DirState state, Inspect(data_dir));
  std::string cluster_version;
  if (state == DirState::kCluster) {
    std::ifstream in(cluster_dir / "PG_VERSION");
    std::getline(in, cluster_version);
  }
  PEDIGREE_ASSIGN_OR_RETURN(const std::string bin_dir,
                            FindBinDir(options, cluster_version));
  PEDIGREE_ASSIGN_OR_RETURN(const std::optional<RunAs> run_as,
                            PostgresUserIfRoot());
  if (run_as.has_value()) {
    PEDIGREE_RETURN_IF_ERROR(CheckReachable(data_dir, *run_as));
  }

  const bool fresh = state == DirState::kFresh;
  if (fresh) PEDIGREE_RETURN_IF_ERROR(MakePrivateDir(data_dir, run_as));
  PEDIGREE_RETURN_IF_ERROR(ChownTo(data_dir, run_as));
  PEDIGREE_RETURN_IF_ERROR(MakePrivateDir(socket_dir, run_as));
  if (fresh) PEDIGREE_RETURN_IF_ERROR(MakePrivateDir(cluster_dir, run_as));
  {
    std::ofstream touch(log_path, std::ios::app);
    if (!touch) {
      return absl::InternalError(
          absl::StrCat("cannot open log file ", log_path.string()));
    }
  }
  fs::permissions(log_path, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace, ec);
  if (ec) return FsError("cannot set permissions of", log_path, ec);
  PEDIGREE_RETURN_IF_ERROR(ChownTo(log_path, run_as));

  if (fresh) {
    SubprocessOptions initdb;
    initdb.argv = {(fs::path(bin_dir) / "initdb").string(),
                   "-D",
                   cluster_dir.string(),
                   "-U",
                   kUserName,
                   "-A",
                   "trust",
                   "-E",
                   "UTF8",
                   "--no-locale"};
    if (!options.durable) initdb.argv.push_back("--no-sync");
    initdb.stdout_path = log_path.string();
    initdb.stderr_to_stdout = true;
    initdb.run_as = run_as;
    initdb.working_dir = data_dir.string();
    PEDIGREE_ASSIGN_OR_RETURN(
        const ExitStatus exit,
        RunSubprocess(initdb, absl::Now() + absl::Minutes(5)));
    if (!exit.success()) {
      return absl::InternalError(WithLog(
          absl::StrCat("initdb failed (", exit.ToString(), ")"), log_path));
    }
  }

  PEDIGREE_RETURN_IF_ERROR(
      ClearStaleLock(cluster_dir / "postmaster.pid", data_dir));
  PEDIGREE_RETURN_IF_ERROR(
      ClearStaleLock(socket_dir / (socket_name + ".lock"), data_dir));

  SubprocessOptions postgres;
  postgres.argv = {
      (fs::path(bin_dir) / "postgres").string(),
      "-D",
      cluster_dir.string(),
      "-p",
      std::to_string(options.port),
      "-c",
      "listen_addresses=",
      "-c",
      absl::StrCat("unix_socket_directories=\"", socket_dir.string(), "\""),
      "-c",
      "unix_socket_permissions=0700",
      "-c",
      "logging_collector=off"};
  if (!options.durable) {
    for (const char* setting :
         {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
      postgres.argv.push_back("-c");
      postgres.argv.push_back(setting);
    }
  }
  postgres.stdout_path = log_path.string();
  postgres.stderr_to_stdout = true;
  postgres.run_as = run_as;
  postgres.working_dir = data_dir.string();
  postgres.new_process_group = true;
  // Fast shutdown if this process dies without stopping it.
  postgres.parent_death_signal = SIGINT;
  PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<Subprocess> postmaster,
                            Subprocess::Start(postgres));

  const std::string socket_dir_text = socket_dir.string();
  const std::string port_text = std::to_string(options.port);
  const std::string admin_dsn =
      absl::StrCat("host=", QuoteDsnValue(socket_dir_text), " port=", port_text,
                   " dbname=postgres user=", kUserName);
  std::string dsn =
      absl::StrCat("host=", QuoteDsnValue(socket_dir_text), " port=", port_text,
                   " dbname=", kDatabaseName, " user=", kUserName);
  auto instance = std::unique_ptr<EmbeddedPostgres>(
      new EmbeddedPostgres(data_dir.string(), bin_dir, dsn, fresh,
                           options.stop_timeout, std::move(postmaster)));

  // From here on, returning early destroys `instance`, which stops postgres.
  const absl::Time deadline = absl::Now() + options.start_timeout;
  absl::Duration backoff = absl::Milliseconds(5);
  while (true) {
    absl::StatusOr<ExitStatus> exit =
        instance->postmaster_->Wait(absl::InfinitePast());
    if (exit.ok()) {
      return absl::UnavailableError(
          WithLog(absl::StrCat("postgres exited during start-up (",
                               exit->ToString(), ")"),
                  log_path));
    }
    if (PQping(admin_dsn.c_str()) == PQPING_OK) break;
    if (absl::Now() >= deadline) {
      return absl::UnavailableError(
          WithLog(absl::StrCat("postgres did not accept connections within ",
                               absl::FormatDuration(options.start_timeout)),
                  log_path));
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(100));
  }

  PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> admin,
                            internal::Connect(admin_dsn));
  PEDIGREE_RETURN_IF_ERROR(
      internal::RunGuarded("create database pedigree", [&]() -> absl::Status {
        pqxx::nontransaction tx(*admin);
        if (tx.exec_params(kDatabaseExistsSql, kDatabaseName).empty()) {
          tx.exec0(kCreateDatabaseSql);
        }
        return absl::OkStatus();
      }));
  return instance;
}

absl::Status EmbeddedPostgres::Stop() {
  if (postmaster_ == nullptr) return absl::OkStatus();
  std::unique_ptr<Subprocess> postmaster = std::move(postmaster_);
  absl::StatusOr<ExitStatus> exit = postmaster->Wait(absl::InfinitePast());
  if (exit.ok()) {
    if (exit->success()) return absl::OkStatus();
    return absl::UnavailableError(
        WithLog(absl::StrCat("postgres had exited unexpectedly (",
                             exit->ToString(), ")"),
                fs::path(data_dir_) / kLogFile));
  }
  // SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate shutdown.
  for (const auto& [signal, grace] :
       {std::pair<int, absl::Duration>{SIGINT, stop_timeout_},
        {SIGQUIT, absl::Seconds(5)}}) {
    if (postmaster->Signal(signal).ok() &&
        postmaster->Wait(absl::Now() + grace).ok()) {
      if (signal == SIGINT) return absl::OkStatus();
      return absl::UnavailableError(absl::StrCat(
          "postgres did not shut down within ",
          absl::FormatDuration(stop_timeout_), " and was stopped immediately"));
    }
  }
  // The Subprocess destructor sends SIGKILL and reaps it.
  return absl::UnavailableError(
      "postgres did not shut down and was killed; the next start recovers "
      "from its write-ahead log");
}

}  // namespace pedigree::server::storage
