#ifndef PEDIGREE_SERVER_DAEMON_H_
#define PEDIGREE_SERVER_DAEMON_H_

// The running registry: its database (embedded or external), the applied
// schema, the connection pool and the gRPC server, built and torn down in
// dependency order, with the pedigree.v1.Registry service on top.
// server/main.cc turns flags into a DaemonConfig and drives a Daemon; tests
// can run one in-process.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "server/service/registry_service.h"
#include "server/service/request_log.h"
#include "server/storage/change_feed.h"
#include "server/storage/connection_pool.h"
#include "server/storage/embedded_postgres.h"
#include "server/storage/migrator.h"
#include "server/storage/registry_store.h"

namespace pedigree::server {

// Everything pedigreed is configured with. A plain value; copyable.
struct DaemonConfig {
  // gRPC listen address "host:port"; port 0 picks a free port.
  std::string listen_address = "127.0.0.1:50051";
  // PostgreSQL DSN or URI. Empty: run an embedded PostgreSQL in `data_dir`.
  std::string database_url;
  std::string data_dir = ".pedigree";
  // Extra directories searched for the PostgreSQL server binaries.
  std::vector<std::string> pg_bin_dirs;
  // Token required by administrative RPCs (CreateNamespace, AddKey); empty
  // disables them. Secret: never logged or echoed.
  std::string admin_token;
  int db_pool_size = 8;
  // Largest gRPC request the server accepts (larger ones fail with
  // RESOURCE_EXHAUSTED before reaching a handler). 1..2^31-1.
  size_t max_message_bytes = size_t{16} << 20;
  // Service limits; see RegistryServiceOptions. Each at least 1.
  size_t max_envelope_bytes = size_t{8} << 20;
  size_t max_files_per_record = 100000;
  size_t max_parents_per_record = 64;
  // The transparency log's Ed25519 key (PKCS#8 PEM, created on first start
  // if missing). Empty: "<data_dir>/log-key.pem".
  std::string log_key_file;
  // The log's checkpoint origin. Empty: DefaultLogOrigin of the key. Fixed
  // for the life of a database: a server with another origin or key refuses
  // to start on it.
  std::string log_origin;
  // Passed to EmbeddedPostgres::Options::durable; false only in tests.
  bool durable_embedded_postgres = true;
};

// Where the database is, and what it holds. A running embedded PostgreSQL
// (if any) is owned here and stopped by the destructor. Movable.
struct Database {
  std::string dsn;
  std::unique_ptr<storage::EmbeddedPostgres> embedded;
  storage::MigrationReport migrations;
  // What the store's start-up judging did (Daemon::Start only).
  storage::JudgeSummary judgments;
};

// Starts the embedded PostgreSQL if `config.database_url` is empty, then
// applies pending migrations. Returns the errors of EmbeddedPostgres::Start
// and Migrator::Migrate. Used by Daemon::Start and `pedigreed migrate`.
absl::StatusOr<Database> OpenDatabase(const DaemonConfig& config);

// A serving pedigreed. Thread-compatible: Shutdown() and the destructor must
// not race each other; the gRPC server inside is thread-safe. Not copyable.
class Daemon {
 public:
  // Opens the database (see OpenDatabase), fills the connection pool and
  // starts the gRPC server with the Registry, health and reflection
  // services; the health status is SERVING when this returns. Every RPC of
  // the Registry logs one line to stderr. Returns InvalidArgument for a bad
  // pool size or limit, the OpenDatabase / ConnectionPool::Create errors,
  // and Unavailable if the address cannot be bound (in use, or malformed).
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(DaemonConfig config);

  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  // Calls Shutdown(absl::ZeroDuration()) if it was not called.
  ~Daemon();

  // Stops in order: health NOT_SERVING, gRPC server (in-flight calls get
  // until `grace`, then are cancelled), the service, the store, the pool,
  // the embedded PostgreSQL.
  // Returns the embedded PostgreSQL's Stop() error, if any. Idempotent.
  absl::Status Shutdown(absl::Duration grace);

  // The port actually bound (resolves port 0).
  int port() const { return port_; }
  // The listen address with the bound port, e.g. "127.0.0.1:50051".
  const std::string& address() const { return address_; }
  const Database& database() const { return database_; }

 private:
  Daemon(DaemonConfig config, Database database,
         std::unique_ptr<storage::ConnectionPool> pool,
         std::unique_ptr<storage::CheckpointSigner> log_signer,
         std::unique_ptr<storage::RegistryStore> store,
         std::unique_ptr<storage::ChangeFeed> change_feed,
         std::unique_ptr<service::RequestLogger> logger,
         std::unique_ptr<service::RegistryService> service,
         std::unique_ptr<grpc::Server> server, int port, std::string address);

  const DaemonConfig config_;
  // Destroyed in reverse order by Shutdown(): server, service, logger,
  // change feed, store, log signer, pool, database. Each borrows from the
  // ones above it.
  Database database_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::CheckpointSigner> log_signer_;
  std::unique_ptr<storage::RegistryStore> store_;
  std::unique_ptr<storage::ChangeFeed> change_feed_;
  std::unique_ptr<service::RequestLogger> logger_;
  std::unique_ptr<service::RegistryService> service_;
  std::unique_ptr<grpc::Server> server_;
  const int port_;
  const std::string address_;
};

}  // namespace pedigree::server

#endif  // PEDIGREE_SERVER_DAEMON_H_
