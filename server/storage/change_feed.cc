#include "server/storage/change_feed.h"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pqxx/pqxx"
#include "server/storage/dsn.h"

namespace pedigree::server::storage {
namespace {

constexpr char kChannel[] = "pedigree_changes";

// The feed asks for a heartbeat this often, and stops vouching for the data
// when none came back for kHeartbeatLapse: a connection can die without an
// error (a dropped network path), and then no notification would ever
// arrive while the feed still claimed to listen.
constexpr absl::Duration kHeartbeatEvery = absl::Seconds(1);
constexpr absl::Duration kHeartbeatLapse = absl::Seconds(3);

// Moves the generation on every notification.
class ChangeReceiver final : public pqxx::notification_receiver {
 public:
  ChangeReceiver(pqxx::connection_base& connection,
                 std::atomic<uint64_t>& state)
      : pqxx::notification_receiver(connection, kChannel), state_(state) {}

  void operator()(const std::string& /*payload*/, int /*pid*/) override {
    state_.fetch_add(2);
  }

 private:
  std::atomic<uint64_t>& state_;
};

// Records the time of each heartbeat, on a channel of this feed only. A
// heartbeat after a lapse also moves the generation: whatever was notified
// during the lapse may have been lost.
class HeartbeatReceiver final : public pqxx::notification_receiver {
 public:
  HeartbeatReceiver(pqxx::connection_base& connection,
                    const std::string& channel, std::atomic<uint64_t>& state,
                    std::atomic<int64_t>& last_heartbeat_us)
      : pqxx::notification_receiver(connection, channel),
        state_(state),
        last_heartbeat_us_(last_heartbeat_us) {}

  void operator()(const std::string& /*payload*/, int /*pid*/) override {
    const int64_t now = absl::ToUnixMicros(absl::Now());
    if (now - last_heartbeat_us_.load() >
        absl::ToInt64Microseconds(kHeartbeatLapse)) {
      state_.fetch_add(2);
    }
    last_heartbeat_us_.store(now);
  }

 private:
  std::atomic<uint64_t>& state_;
  std::atomic<int64_t>& last_heartbeat_us_;
};

bool IsListening(uint64_t state) { return state % 2 == 1; }

// TCP keepalives and a user timeout make a connection whose network path
// died fail within seconds instead of the kernel's minutes, so the feed
// reconnects; they change nothing on a Unix socket. Options the operator's
// string sets win.
std::string FeedDsn(const std::string& dsn) {
  absl::StatusOr<std::string> with_defaults =
      DsnWithDefaults(dsn, {{"keepalives", "1"},
                            {"keepalives_idle", "5"},
                            {"keepalives_interval", "2"},
                            {"keepalives_count", "3"},
                            {"tcp_user_timeout", "10000"},
                            {"connect_timeout", "10"}});
  // A malformed string fails to connect either way, with libpq's error.
  return with_defaults.ok() ? *std::move(with_defaults) : dsn;
}

// A channel name no other feed uses.
std::string HeartbeatChannel() {
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat("pedigree_feed_", ::getpid(), "_", counter.fetch_add(1),
                      "_", absl::ToUnixNanos(absl::Now()));
}

}  // namespace

PostgresChangeFeed::PostgresChangeFeed(std::string dsn)
    : dsn_(FeedDsn(dsn)), thread_([this] { Run(); }) {}

PostgresChangeFeed::~PostgresChangeFeed() {
  stop_.Notify();
  {
    // A call blocked on a connection that went silent (a dead network path,
    // a stalled server) would hold the thread until TCP gives up: shutting
    // the socket down makes that call fail now. The socket is unregistered
    // before its connection closes, so this never touches a reused fd.
    absl::MutexLock lock(&socket_mu_);
    if (socket_ != -1) ::shutdown(socket_, SHUT_RDWR);
  }
  thread_.join();
}

// Registers a connection's socket for the destructor for as long as it
// lives; declared after the connection, so it goes first.
class PostgresChangeFeed::SocketRegistration {
 public:
  SocketRegistration(PostgresChangeFeed& feed, int socket) : feed_(feed) {
    absl::MutexLock lock(&feed_.socket_mu_);
    feed_.socket_ = socket;
  }
  ~SocketRegistration() {
    absl::MutexLock lock(&feed_.socket_mu_);
    feed_.socket_ = -1;
  }
  SocketRegistration(const SocketRegistration&) = delete;
  SocketRegistration& operator=(const SocketRegistration&) = delete;

 private:
  PostgresChangeFeed& feed_;
};

std::optional<uint64_t> PostgresChangeFeed::Generation() const {
  const uint64_t state = state_.load();
  if (!IsListening(state)) return std::nullopt;
  if (absl::ToUnixMicros(absl::Now()) - last_heartbeat_us_.load() >
      absl::ToInt64Microseconds(kHeartbeatLapse)) {
    return std::nullopt;
  }
  return state;
}

bool PostgresChangeFeed::WaitUntilListening(int timeout_ms) const {
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (!Generation().has_value()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

void PostgresChangeFeed::Run() {
  while (!stop_.HasBeenNotified()) {
    try {
      pqxx::connection connection(dsn_);
      const SocketRegistration registration(*this, connection.sock());
      {
        // So that operators (and tests) can tell this connection apart.
        pqxx::nontransaction tx(connection);
        tx.exec0("SET application_name = 'pedigree change feed'");
        tx.commit();
      }
      // Registering a receiver sends LISTEN before returning.
      const std::string heartbeat_channel = HeartbeatChannel();
      HeartbeatReceiver heartbeats(connection, heartbeat_channel, state_,
                                   last_heartbeat_us_);
      ChangeReceiver changes(connection, state_);
      last_heartbeat_us_.store(absl::ToUnixMicros(absl::Now()));
      state_.fetch_add(1);  // now listening
      absl::Time next_heartbeat = absl::InfinitePast();
      while (!stop_.HasBeenNotified()) {
        if (absl::Now() >= next_heartbeat) {
          pqxx::nontransaction tx(connection);
          tx.exec_params("SELECT pg_notify($1, '')", heartbeat_channel);
          tx.commit();
          next_heartbeat = absl::Now() + kHeartbeatEvery;
        }
        connection.await_notification(0, 200000);
      }
      state_.fetch_add(1);  // stopped listening
      return;
    } catch (...) {
      // Connecting, LISTEN or waiting failed: changes may go unnoticed
      // until a new LISTEN is in place, so stop vouching for the data.
      if (IsListening(state_.load())) state_.fetch_add(1);
    }
    stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
  }
}

}  // namespace pedigree::server::storage
