#ifndef PEDIGREE_SERVER_STORAGE_CHANGE_FEED_H_
#define PEDIGREE_SERVER_STORAGE_CHANGE_FEED_H_

// Tells a server process when the registry's data may have changed, so that
// it can keep answers to repeated reads in memory and drop them the moment
// anything they depend on changes.
//
// A generation number names "the data as of now": it changes whenever
// PostgreSQL reports a committed change to records, their index rows,
// namespaces or keys (migration 0003 makes every such statement NOTIFY
// pedigree_changes), in any server process or by hand in SQL. A cached
// answer tagged with the generation current when its read began is valid
// while that generation is current. Between a commit and this process
// hearing of it lies only PostgreSQL's notification delay (normally well
// under a millisecond); while not listening (before the first LISTEN, after
// a lost connection until a new LISTEN) there is no generation and nothing
// may be cached.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace pedigree::server::storage {

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // The current generation, or nullopt while changes might go unnoticed.
  virtual std::optional<uint64_t> Generation() const = 0;
};

// ChangeFeed over LISTEN pedigree_changes on a dedicated connection, kept by
// a background thread that reconnects (after a second) whenever the
// connection fails. Every second it notifies a channel of its own and
// listens for that heartbeat: when none came back for 3 s (a connection
// that died without an error, a stalled server) Generation() is nullopt.
// The connection must be a real session: through a transaction-pooling
// proxy (pgbouncer pool_mode=transaction) LISTEN is accepted but nothing
// arrives, and the missing heartbeat then keeps the cache off. The
// connection gets TCP keepalives and a 10 s user timeout unless the
// connection string sets them, so a dead network path fails within seconds.
// Thread-safe; the destructor stops the thread within about 200 ms, even
// when the connection is stuck (it shuts the socket down), except while a
// connection attempt is under way (bounded by connect_timeout, 10 s unless
// set).
class PostgresChangeFeed final : public ChangeFeed {
 public:
  // Starts listening on `dsn` in the background; Generation() is nullopt
  // until the first LISTEN is in place (WaitUntilListening waits for it).
  explicit PostgresChangeFeed(std::string dsn);
  ~PostgresChangeFeed() override;

  PostgresChangeFeed(const PostgresChangeFeed&) = delete;
  PostgresChangeFeed& operator=(const PostgresChangeFeed&) = delete;

  std::optional<uint64_t> Generation() const override;

  // Returns true once listening, false if `timeout_ms` passed first.
  bool WaitUntilListening(int timeout_ms) const;

 private:
  class SocketRegistration;

  void Run();

  const std::string dsn_;
  // Odd while listening, even while not: every change of state or of the
  // data moves it, so an answer cached under one value is never served
  // under another.
  std::atomic<uint64_t> state_{0};
  // When the feed's own heartbeat last came back over the connection; with
  // none for a few seconds the feed does not vouch for the data.
  std::atomic<int64_t> last_heartbeat_us_{0};
  absl::Notification stop_;
  // The socket of the current connection, or -1 (see SocketRegistration).
  absl::Mutex socket_mu_;
  int socket_ ABSL_GUARDED_BY(socket_mu_) = -1;
  std::thread thread_;
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_CHANGE_FEED_H_
