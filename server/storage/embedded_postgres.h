#ifndef PEDIGREE_SERVER_STORAGE_EMBEDDED_POSTGRES_H_
#define PEDIGREE_SERVER_STORAGE_EMBEDDED_POSTGRES_H_

// A private PostgreSQL server that pedigreed runs itself when no database
// URL is configured: the cluster, its unix socket and its log all live in one
// data directory, and nothing listens on TCP.
//
//   EmbeddedPostgres::Options options;
//   options.data_dir = ".pedigree";
//   PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<EmbeddedPostgres> pg,
//                             EmbeddedPostgres::Start(options));
//   ... connect with pg->dsn() ...
//   PEDIGREE_RETURN_IF_ERROR(pg->Stop());
//
// Layout of the data directory:
//   <data_dir>/pgdata/        the cluster (initdb on first start)
//   <data_dir>/run/           the unix socket, mode 0700
//   <data_dir>/postgres.log   output of initdb and postgres

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/util/subprocess.h"

namespace pedigree::server::storage {

// A running PostgreSQL postmaster, child of this process. Not thread-safe;
// not copyable or movable. The destructor stops the server (see Stop()).
class EmbeddedPostgres {
 public:
  // Database created on first start and named by dsn().
  static constexpr char kDatabaseName[] = "pedigree";
  // Superuser created by initdb; the socket directory is private, so trust
  // authentication admits only this OS user (and root).
  static constexpr char kUserName[] = "pedigree";

  struct Options {
    // Directory holding everything; created if missing. Relative paths are
    // resolved against the current directory.
    std::string data_dir;
    // Directories searched first for initdb and postgres (e.g. from
    // --pg-bin-dir).
    std::vector<std::string> bin_dirs;
    // Also search /usr/lib/postgresql/<version>/bin (newest first, preferring
    // the cluster's version), `pg_config --bindir` and PATH.
    bool search_default_locations = true;
    // Only names the socket file (".s.PGSQL.<port>"); nothing listens on TCP.
    int port = 5432;
    absl::Duration start_timeout = absl::Seconds(60);
    absl::Duration stop_timeout = absl::Seconds(30);
    // False skips fsync (initdb --no-sync, fsync=off): for tests only; a
    // crash may then corrupt the cluster.
    bool durable = true;
  };

  // Starts PostgreSQL on `options.data_dir`, running initdb first if the
  // directory is missing or empty, waits until it accepts connections and
  // creates the database kDatabaseName if missing. When this process runs as
  // root, PostgreSQL runs as the `postgres` system user, which then owns the
  // data directory. Returns
  //  - FailedPrecondition if initdb/postgres are not found (naming every
  //    place searched), if the directory is non-empty but holds no cluster,
  //    if the socket path would exceed the unix limit of 107 bytes, if the
  //    postgres user cannot reach the directory (naming the blocking parent),
  //    or if a live PostgreSQL already serves this directory;
  //  - Unavailable if PostgreSQL exits or does not accept connections within
  //    `start_timeout`; the message ends with the last lines of its log;
  //  - Internal for failing file operations or processes.
  static absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> Start(
      Options options);

  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;
  // Calls Stop() and ignores its result.
  ~EmbeddedPostgres();

  // Shuts PostgreSQL down (fast mode: SIGINT, open sessions are rolled back)
  // and waits for it up to `stop_timeout`, then escalates to SIGQUIT and
  // SIGKILL. Returns Unavailable if it had to escalate (the next start
  // recovers the cluster from its WAL). Idempotent.
  absl::Status Stop();

  // libpq connection string for kDatabaseName over the unix socket, e.g.
  // "host='/srv/.pedigree/run' port='5432' dbname='pedigree' user='pedigree'".
  const std::string& dsn() const { return dsn_; }
  // Absolute path of the data directory.
  const std::string& data_dir() const { return data_dir_; }
  // The directory initdb and postgres were taken from.
  const std::string& bin_dir() const { return bin_dir_; }
  // True if this Start() ran initdb.
  bool initialized() const { return initialized_; }

 private:
  EmbeddedPostgres(std::string data_dir, std::string bin_dir, std::string dsn,
                   bool initialized, absl::Duration stop_timeout,
                   std::unique_ptr<Subprocess> postmaster);

  const std::string data_dir_;
  const std::string bin_dir_;
  const std::string dsn_;
  const bool initialized_;
  const absl::Duration stop_timeout_;
  std::unique_ptr<Subprocess> postmaster_;
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_EMBEDDED_POSTGRES_H_
