#ifndef PEDIGREE_SERVER_STORAGE_CONNECTION_POOL_H_
#define PEDIGREE_SERVER_STORAGE_CONNECTION_POOL_H_

// A fixed-size pool of PostgreSQL connections handed out as RAII leases, so
// that each connection is used by one thread at a time (STYLE rule 12).
//
//   PEDIGREE_ASSIGN_OR_RETURN(ConnectionPool::Lease lease,
//                             pool.Acquire(absl::Seconds(2)));
//   pqxx::work tx(lease.connection());
//   ...   // the connection returns to the pool when `lease` is destroyed

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pqxx/connection"

namespace pedigree::server::storage {

// Owns `size` connections to one database. Thread-safe. Not copyable or
// movable (leases point back at it). Every Lease must be destroyed before
// the pool.
class ConnectionPool {
 public:
  struct Options {
    // libpq connection string or postgresql:// URI.
    std::string dsn;
    // Number of connections, at least 1.
    int size = 8;
  };

  // Exclusive use of one pooled connection until destroyed. Movable, not
  // copyable. Must not outlive the pool that issued it. Not thread-safe:
  // use it from one thread at a time.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    // Returns the connection to the pool.
    ~Lease();

    // The leased connection; valid until the lease is destroyed or moved
    // from. Leave no transaction open on it.
    pqxx::connection& connection() { return *connection_; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection);
    void Release();

    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  // Opens `options.size` connections to `options.dsn`. Returns
  // InvalidArgument if the size is below 1 or the DSN is malformed, and
  // Unavailable (naming the DSN without its password) if any connection
  // fails.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(
      const Options& options);

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  ~ConnectionPool();

  // Leases an idle connection, waiting up to `timeout` for one to be
  // returned. A connection found closed is reopened first. Returns
  // Unavailable if none becomes idle in time or a reopen fails.
  absl::StatusOr<Lease> Acquire(absl::Duration timeout);

  int size() const { return size_; }
  // Number of connections not leased right now (a snapshot).
  int idle_count() const;

 private:
  ConnectionPool(std::string dsn, int size,
                 std::vector<std::unique_ptr<pqxx::connection>> connections);
  void Return(std::unique_ptr<pqxx::connection> connection);

  const std::string dsn_;
  const int size_;
  mutable absl::Mutex mu_;
  // Idle connections. A null entry is a slot whose connection was lost and
  // is reopened by the next Acquire().
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_CONNECTION_POOL_H_
