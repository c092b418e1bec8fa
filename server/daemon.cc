#include "server/daemon.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "grpc/grpc.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/log/log_key.h"
#include "server/storage/postgres_registry_store.h"

namespace pedigree::server {
namespace {

// Returns the host part of "host:port" ("[::1]" stays bracketed).
std::string HostOf(const std::string& address) {
  const size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

absl::Status CheckLimits(const DaemonConfig& config) {
  if (config.max_message_bytes < 1 || config.max_message_bytes > INT_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-message-bytes must be in 1..", INT_MAX, ", got ",
                     config.max_message_bytes));
  }
  if (config.max_envelope_bytes < 1) {
    return absl::InvalidArgumentError(
        "--max-envelope-bytes must be at least 1");
  }
  if (config.max_files_per_record < 1) {
    return absl::InvalidArgumentError(
        "--max-files-per-record must be at least 1");
  }
  if (config.max_parents_per_record < 1) {
    return absl::InvalidArgumentError(
        "--max-parents-per-record must be at least 1");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Database> OpenDatabase(const DaemonConfig& config) {
  Database database;
  if (config.database_url.empty()) {
    storage::EmbeddedPostgres::Options options;
    options.data_dir = config.data_dir;
    options.bin_dirs = config.pg_bin_dirs;
    options.durable = config.durable_embedded_postgres;
    PEDIGREE_ASSIGN_OR_RETURN(database.embedded,
                              storage::EmbeddedPostgres::Start(options));
    database.dsn = database.embedded->dsn();
  } else {
    database.dsn = config.database_url;
  }
  PEDIGREE_ASSIGN_OR_RETURN(
      const storage::Migrator migrator,
      storage::Migrator::Create(storage::EmbeddedMigrations()));
  PEDIGREE_ASSIGN_OR_RETURN(database.migrations,
                            migrator.Migrate(database.dsn));
  return database;
}

Daemon::Daemon(DaemonConfig config, Database database,
               std::unique_ptr<storage::ConnectionPool> pool,
               std::unique_ptr<storage::CheckpointSigner> log_signer,
               std::unique_ptr<storage::RegistryStore> store,
               std::unique_ptr<storage::ChangeFeed> change_feed,
               std::unique_ptr<service::RequestLogger> logger,
               std::unique_ptr<service::RegistryService> service,
               std::unique_ptr<grpc::Server> server, int port,
               std::string address)
    : config_(std::move(config)),
      database_(std::move(database)),
      pool_(std::move(pool)),
      log_signer_(std::move(log_signer)),
      store_(std::move(store)),
      change_feed_(std::move(change_feed)),
      logger_(std::move(logger)),
      service_(std::move(service)),
      server_(std::move(server)),
      port_(port),
      address_(std::move(address)) {}

Daemon::~Daemon() { Shutdown(absl::ZeroDuration()).IgnoreError(); }

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(DaemonConfig config) {
  if (config.db_pool_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--db-pool-size must be at least 1, got ", config.db_pool_size));
  }
  PEDIGREE_RETURN_IF_ERROR(CheckLimits(config));
  PEDIGREE_ASSIGN_OR_RETURN(Database database, OpenDatabase(config));
  PEDIGREE_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::ConnectionPool> pool,
      storage::ConnectionPool::Create({database.dsn, config.db_pool_size}));
  const std::string log_key_file =
      config.log_key_file.empty()
          ? (std::filesystem::path(config.data_dir) / "log-key.pem").string()
          : config.log_key_file;
  PEDIGREE_ASSIGN_OR_RETURN(core::crypto::PrivateKey log_key,
                            log::LoadOrCreateLogKey(log_key_file));
  const std::string log_origin =
      config.log_origin.empty() ? log::DefaultLogOrigin(log_key.public_key())
                                : config.log_origin;
  PEDIGREE_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::CheckpointSigner> log_signer,
      log::NoteCheckpointSigner::Create(log_origin, std::move(log_key)));
  storage::PostgresRegistryStore::Options store_options;
  store_options.log_signer = log_signer.get();
  PEDIGREE_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::PostgresRegistryStore> postgres_store,
      storage::PostgresRegistryStore::Open(*pool, store_options));
  database.judgments = postgres_store->startup_judgments();
  std::unique_ptr<storage::RegistryStore> store = std::move(postgres_store);
  std::unique_ptr<service::RequestLogger> logger =
      std::make_unique<service::BackgroundRequestLogger>(STDERR_FILENO);
  service::RegistryServiceOptions service_options;
  service_options.admin_token = config.admin_token;
  service_options.max_envelope_bytes = config.max_envelope_bytes;
  service_options.max_files_per_record = config.max_files_per_record;
  service_options.max_parents_per_record = config.max_parents_per_record;
  // VerifyArtifacts may answer repeated lookups from memory while this
  // feed reports no change in the database.
  std::unique_ptr<storage::ChangeFeed> change_feed =
      std::make_unique<storage::PostgresChangeFeed>(database.dsn);
  service_options.change_feed = change_feed.get();
  service_options.log_origin = log_signer->origin();
  service_options.log_verifier_key = log_signer->verifier_key();
  auto service = std::make_unique<service::RegistryService>(
      *store, std::move(service_options), *logger);

  // Both switches are process-wide in gRPC and must precede the builder.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen_address,
                           grpc::InsecureServerCredentials(), &port);
  // Without this, gRPC binds with SO_REUSEPORT and a second server on the
  // same port would silently share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes));
  builder.RegisterService(service.get());
  // The synchronous server answers RESOURCE_EXHAUSTED once every thread is
  // busy, so the thread cap must sit well above the connection pool: extra
  // calls then wait in ConnectionPool::Acquire (which times out to
  // UNAVAILABLE) instead of being refused under ordinary load.
  grpc::ResourceQuota quota("pedigreed");
  const int max_threads = std::max(config.db_pool_size * 8, 128);
  quota.SetMaxThreads(max_threads);
  builder.SetResourceQuota(quota);
  // By default a thread that finishes a call exits if two others are
  // already waiting for work. Publishes wait for their group commit, so
  // under load dozens of calls are in handlers at once and every answer
  // would end a thread and every request start one; let finished threads
  // stay and wait instead (they block, costing no CPU).
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, max_threads);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    if (server != nullptr) server->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen_address,
                     " (address in use, not local, or malformed)"));
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  std::string address = absl::StrCat(HostOf(config.listen_address), ":", port);
  return std::unique_ptr<Daemon>(
      new Daemon(std::move(config), std::move(database), std::move(pool),
                 std::move(log_signer), std::move(store),
                 std::move(change_feed), std::move(logger), std::move(service),
                 std::move(server), port, std::move(address)));
}

absl::Status Daemon::Shutdown(absl::Duration grace) {
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(false);
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(grace));
    server_->Wait();
    server_.reset();
  }
  service_.reset();
  logger_.reset();
  change_feed_.reset();
  store_.reset();
  log_signer_.reset();
  pool_.reset();
  absl::Status status = absl::OkStatus();
  if (database_.embedded != nullptr) {
    status = database_.embedded->Stop();
    database_.embedded.reset();
  }
  return status;
}

}  // namespace pedigree::server
