#include "server/storage/change_feed.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pqxx/pqxx"

namespace pedigree::server::storage {
namespace {

constexpr char kChannel[] = "pedigree_changes";

// Moves the generation on every notification.
class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& connection, std::atomic<uint64_t>& state)
      : pqxx::notification_receiver(connection, kChannel), state_(state) {}

  void operator()(const std::string& /*payload*/, int /*pid*/) override {
    state_.fetch_add(2);
  }

 private:
  std::atomic<uint64_t>& state_;
};

bool IsListening(uint64_t state) { return state % 2 == 1; }

}  // namespace

PostgresChangeFeed::PostgresChangeFeed(std::string dsn)
    : dsn_(std::move(dsn)), thread_([this] { Run(); }) {}

PostgresChangeFeed::~PostgresChangeFeed() {
  stop_.Notify();
  thread_.join();
}

std::optional<uint64_t> PostgresChangeFeed::Generation() const {
  const uint64_t state = state_.load();
  if (!IsListening(state)) return std::nullopt;
  return state;
}

bool PostgresChangeFeed::WaitUntilListening(int timeout_ms) const {
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (!IsListening(state_.load())) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

void PostgresChangeFeed::Run() {
  while (!stop_.HasBeenNotified()) {
    try {
      pqxx::connection connection(dsn_);
      // Registering the receiver sends LISTEN before returning.
      Receiver receiver(connection, state_);
      state_.fetch_add(1);  // now listening
      while (!stop_.HasBeenNotified()) {
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
