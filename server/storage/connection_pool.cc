#include "server/storage/connection_pool.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/storage/dsn.h"
#include "server/storage/internal/pqxx_status.h"

namespace pedigree::server::storage {

ConnectionPool::Lease::Lease(ConnectionPool* pool,
                             std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)) {
  other.pool_ = nullptr;
}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(
    Lease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    connection_ = std::move(other.connection_);
    other.pool_ = nullptr;
  }
  return *this;
}

ConnectionPool::Lease::~Lease() { Release(); }

void ConnectionPool::Lease::Release() {
  if (pool_ != nullptr) pool_->Return(std::move(connection_));
  pool_ = nullptr;
}

ConnectionPool::ConnectionPool(
    std::string dsn, int size,
    std::vector<std::unique_ptr<pqxx::connection>> connections)
    : dsn_(std::move(dsn)), size_(size), idle_(std::move(connections)) {}

ConnectionPool::~ConnectionPool() = default;

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(
    const Options& options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "connection pool size must be at least 1, got ", options.size));
  }
  PEDIGREE_RETURN_IF_ERROR(ValidateDsn(options.dsn));
  std::vector<std::unique_ptr<pqxx::connection>> connections;
  connections.reserve(options.size);
  for (int i = 0; i < options.size; ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> connection,
                              internal::Connect(options.dsn));
    connections.push_back(std::move(connection));
  }
  return std::unique_ptr<ConnectionPool>(
      new ConnectionPool(options.dsn, options.size, std::move(connections)));
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire(
    absl::Duration timeout) {
  std::unique_ptr<pqxx::connection> connection;
  {
    absl::MutexLock lock(&mu_);
    auto has_idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty();
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&has_idle), timeout)) {
      return absl::UnavailableError(absl::StrCat(
          "no database connection became available within ",
          absl::FormatDuration(timeout), " (pool size ", size_, ")"));
    }
    connection = std::move(idle_.back());
    idle_.pop_back();
  }
  // Reconnect outside the lock: it can take as long as a network timeout.
  if (connection == nullptr || !connection->is_open()) {
    absl::StatusOr<std::unique_ptr<pqxx::connection>> reopened =
        internal::Connect(dsn_);
    if (!reopened.ok()) {
      Return(nullptr);
      return reopened.status();
    }
    connection = *std::move(reopened);
  }
  return Lease(this, std::move(connection));
}

void ConnectionPool::Return(std::unique_ptr<pqxx::connection> connection) {
  if (connection != nullptr && !connection->is_open()) connection.reset();
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(connection));
}

int ConnectionPool::idle_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(idle_.size());
}

}  // namespace pedigree::server::storage
