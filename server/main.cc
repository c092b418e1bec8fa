// pedigreed: the Pedigree registry server. The composition root: flags and
// environment become a DaemonConfig, then a Daemon runs until SIGINT or
// SIGTERM.
//
// Exit codes: 0 clean shutdown, 1 runtime failure, 2 usage error.

#include <pthread.h>
#include <signal.h>

#include <climits>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/judgment/judgment.h"
#include "server/daemon.h"
#include "server/storage/dsn.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

void LogError(absl::string_view what, const absl::Status& status) {
  std::cerr << "pedigreed: " << what << ": " << status.message() << " ["
            << absl::StatusCodeToString(status.code()) << "]" << std::endl;
}

int RunMigrate(const pedigree::server::DaemonConfig& config) {
  absl::StatusOr<pedigree::server::Database> database =
      pedigree::server::OpenDatabase(config);
  if (!database.ok()) {
    LogError("migrate failed", database.status());
    return kExitFailure;
  }
  const auto& report = database->migrations;
  std::cout << "pedigreed: database at schema version " << report.to_version
            << " (was " << report.from_version << "; applied "
            << (report.applied.empty() ? std::string("none")
                                       : absl::StrJoin(report.applied, ", "))
            << ")" << std::endl;
  if (database->embedded != nullptr) {
    if (absl::Status stopped = database->embedded->Stop(); !stopped.ok()) {
      LogError("stopping embedded postgresql", stopped);
      return kExitFailure;
    }
  }
  return kExitOk;
}

int RunServe(pedigree::server::DaemonConfig config) {
  // Handle SIGINT/SIGTERM synchronously with sigwait(): block them before
  // any thread exists so every thread inherits the mask and none runs a
  // handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A write to a closed pipe (stderr read by a log collector that went away)
  // fails with EPIPE instead of ending the server before it drains. Child
  // processes (the embedded PostgreSQL) start with default dispositions.
  signal(SIGPIPE, SIG_IGN);

  std::cerr << "pedigreed: starting; database: "
            << (config.database_url.empty()
                    ? absl::StrCat("embedded postgresql in ", config.data_dir)
                    : pedigree::server::storage::RedactDsn(config.database_url))
            << std::endl;
  absl::StatusOr<std::unique_ptr<pedigree::server::Daemon>> daemon =
      pedigree::server::Daemon::Start(std::move(config));
  if (!daemon.ok()) {
    LogError("start-up failed", daemon.status());
    return kExitFailure;
  }
  const auto& migrations = (*daemon)->database().migrations;
  if (!migrations.applied.empty()) {
    std::cerr << "pedigreed: applied migrations "
              << absl::StrJoin(migrations.applied, ", ") << std::endl;
  }
  const auto& judgments = (*daemon)->database().judgments;
  if (judgments.judged > 0) {
    std::cerr << "pedigreed: judged " << judgments.judged
              << " records with rule set "
              << pedigree::core::judgment::kRuleSetVersion << std::endl;
  }
  for (const std::string& unreadable : judgments.unreadable) {
    std::cerr << "pedigreed: dropped a stored judgment that no longer parses: "
              << unreadable << std::endl;
  }
  for (const std::string& unjudged : judgments.unjudged) {
    std::cerr << "pedigreed: record left without a judgment: " << unjudged
              << std::endl;
  }
  std::cout << "pedigreed listening on " << (*daemon)->address() << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cerr << "pedigreed: received " << strsignal(signal_number)
            << ", shutting down" << std::endl;
  if (absl::Status stopped = (*daemon)->Shutdown(kShutdownGrace);
      !stopped.ok()) {
    LogError("shutdown", stopped);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's abseil checks every mutex acquisition for lock-order cycles
  // (a debugging aid that costs a graph update per lock on every call).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  pedigree::server::DaemonConfig config;
  CLI::App app{"pedigreed: the Pedigree model provenance registry server"};
  app.add_option("--listen", config.listen_address,
                 "gRPC listen address host:port (port 0 picks a free port)")
      ->envname("PEDIGREE_LISTEN")
      ->capture_default_str();
  app.add_option("--database-url", config.database_url,
                 "PostgreSQL connection string or postgresql:// URI; when "
                 "absent, an embedded PostgreSQL runs under --data-dir")
      ->envname("PEDIGREE_DATABASE_URL");
  app.add_option("--data-dir", config.data_dir,
                 "directory of the embedded PostgreSQL")
      ->envname("PEDIGREE_DATA_DIR")
      ->capture_default_str();
  app.add_option("--log-key-file", config.log_key_file,
                 "the transparency log's Ed25519 signing key (PKCS#8 PEM); "
                 "created on first start; default <data-dir>/log-key.pem")
      ->envname("PEDIGREE_LOG_KEY_FILE");
  app.add_option("--log-origin", config.log_origin,
                 "the log's checkpoint origin; default "
                 "localhost/pedigree/<key id prefix>; fixed per database")
      ->envname("PEDIGREE_LOG_ORIGIN");
  app.add_option("--pg-bin-dir", config.pg_bin_dirs,
                 "directory holding initdb and postgres (searched first)");
  app.add_option("--admin-token", config.admin_token,
                 "token for administrative RPCs")
      ->envname("PEDIGREE_ADMIN_TOKEN");
  app.add_option("--db-pool-size", config.db_pool_size,
                 "number of database connections")
      ->envname("PEDIGREE_DB_POOL_SIZE")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--max-message-bytes", config.max_message_bytes,
                 "largest gRPC request accepted, in bytes")
      ->envname("PEDIGREE_MAX_MESSAGE_BYTES")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{INT_MAX}));
  app.add_option("--max-envelope-bytes", config.max_envelope_bytes,
                 "largest DSSE envelope PublishRecord accepts, in bytes")
      ->envname("PEDIGREE_MAX_ENVELOPE_BYTES")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-files-per-record", config.max_files_per_record,
                 "most artifact files a published record (or a "
                 "VerifyArtifacts request) may list")
      ->envname("PEDIGREE_MAX_FILES_PER_RECORD")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-parents-per-record", config.max_parents_per_record,
                 "most lineage parents a published record may list")
      ->envname("PEDIGREE_MAX_PARENTS_PER_RECORD")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI::App* migrate =
      app.add_subcommand("migrate", "apply pending migrations and exit");
  migrate->fallthrough();
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (migrate->parsed()) return RunMigrate(config);
  return RunServe(std::move(config));
}
