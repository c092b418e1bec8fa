// PostgresChangeFeed against a real PostgreSQL (label pg), on one database
// migrated with the embedded migrations (0003 adds the NOTIFY triggers):
// listening, which statements move the generation and which do not, losing
// and regaining the LISTEN connection, prompt shutdown.
//
// "Did not change" is checked without sleeping: the test sends its own
// NOTIFY pedigree_changes after the statements under test (a barrier) and
// waits for the generation to move; PostgreSQL delivers notifications in
// commit order, so it must move by exactly as much as for a barrier alone.

#include <sys/types.h>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/record/record.h"
#include "core/record/record_test_util.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "server/storage/change_feed.h"
#include "server/storage/connection_pool.h"
#include "server/storage/embedded_migrations.h"
#include "server/storage/migrator.h"
#include "server/storage/postgres_registry_store.h"
#include "server/storage/registry_store.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_log_signer.h"

namespace pedigree::server::storage {
namespace {

// How long a notification or a reconnection (1 s pause) may take.
constexpr absl::Duration kPatience = absl::Seconds(3);

// One migrated database for the whole suite (creating one per test would
// cost most of the suite's time); every test starts its own feed, which
// hears only of statements committed after it listens, and names the rows
// it creates uniquely.
class PostgresChangeFeedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> admin_dsn = ::pedigree::testing::TestAdminDsn();
    if (!admin_dsn.ok()) {
      *suite_status_ = admin_dsn.status();
      return;
    }
    absl::StatusOr<std::unique_ptr<::pedigree::testing::ScratchDatabase>>
        database = ::pedigree::testing::ScratchDatabase::Create(*admin_dsn);
    if (!database.ok()) {
      *suite_status_ = database.status();
      return;
    }
    absl::StatusOr<Migrator> migrator = Migrator::Create(EmbeddedMigrations());
    if (!migrator.ok()) {
      *suite_status_ = migrator.status();
      return;
    }
    absl::StatusOr<MigrationReport> migrated =
        migrator->Migrate((*database)->dsn());
    if (!migrated.ok()) {
      *suite_status_ = migrated.status();
      return;
    }
    *admin_dsn_ = *admin_dsn;
    database_ = database->release();
  }

  static void TearDownTestSuite() {
    delete database_;
    database_ = nullptr;
  }

  void SetUp() override {
    ASSERT_OK(*suite_status_);
    ASSERT_NE(database_, nullptr);
    ASSERT_NO_FATAL_FAILURE(StartFeed());
  }

  void TearDown() override {
    feed_.reset();
    store_.reset();
    pool_.reset();
  }

  static const std::string& dsn() { return database_->dsn(); }
  static const std::string& admin_dsn() { return *admin_dsn_; }

  // `prefix` followed by a number unique within the suite's database.
  static std::string Unique(const std::string& prefix) {
    return absl::StrCat(prefix, ++*counter_);
  }

  // (Re)starts the feed and waits until it listens. It never hears of
  // statements committed before, so tests arrange their data first and
  // then start a fresh feed.
  void StartFeed() {
    feed_.reset();
    feed_ = std::make_unique<PostgresChangeFeed>(dsn());
    ASSERT_TRUE(feed_->WaitUntilListening(3000));
  }

  // Runs `sql` in its own committed transaction on a new connection.
  static void Exec(const std::string& sql) {
    pqxx::connection connection(dsn());
    pqxx::work tx(connection);
    tx.exec(sql);
    tx.commit();
  }

  // Terminates every backend of the database that is a change feed's (by
  // its application_name); returns how many.
  static size_t TerminateListeners() {
    std::string database_name;
    {
      pqxx::connection probe(dsn());
      database_name = probe.dbname();
    }
    pqxx::connection admin(admin_dsn());
    pqxx::nontransaction tx(admin);
    const pqxx::result killed = tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid() "
        "AND application_name = 'pedigree change feed'",
        database_name);
    return killed.size();
  }

  // The current generation; fails the test if there is none.
  uint64_t Current() {
    const std::optional<uint64_t> generation = feed_->Generation();
    EXPECT_TRUE(generation.has_value());
    return generation.value_or(0);
  }

  // Polls until the feed has a generation other than `old`, or kPatience.
  std::optional<uint64_t> WaitForChangeFrom(uint64_t old) {
    const absl::Time deadline = absl::Now() + kPatience;
    while (absl::Now() < deadline) {
      const std::optional<uint64_t> generation = feed_->Generation();
      if (generation.has_value() && *generation != old) return generation;
      absl::SleepFor(absl::Milliseconds(1));
    }
    return std::nullopt;
  }

  // Sends a barrier notification and returns the generation once it has
  // arrived (0 and a test failure if it does not).
  uint64_t Barrier(uint64_t old) {
    Exec("NOTIFY pedigree_changes, 'test barrier'");
    const std::optional<uint64_t> generation = WaitForChangeFrom(old);
    EXPECT_TRUE(generation.has_value()) << "barrier never arrived";
    return generation.value_or(0);
  }

  // Runs `sql` and checks that the generation moves.
  void ExpectChangeAfter(const std::string& sql) {
    const uint64_t before = Current();
    Exec(sql);
    const std::optional<uint64_t> after = WaitForChangeFrom(before);
    EXPECT_TRUE(after.has_value()) << "no change seen after: " << sql;
  }

  // Opens store_ with a new namespace (namespace_) holding a new key
  // (key_id_), then restarts the feed.
  void OpenStore() {
    ASSERT_OK_AND_ASSIGN(pool_, ConnectionPool::Create({dsn(), 2}));
    PostgresRegistryStore::Options options;
    options.log_signer = log_signer_.get();
    ASSERT_OK_AND_ASSIGN(store_, PostgresRegistryStore::Open(*pool_, options));
    namespace_ = Unique("feed-ns-");
    ASSERT_OK(store_->CreateNamespace(namespace_).status());
    KeyRow key;
    key.key_id = absl::StrFormat("%032x", ++*counter_);
    key.namespace_name = namespace_;
    key.type = core::crypto::KeyType::kEd25519;
    key.spki_der = absl::StrCat("spki-", key.key_id);
    ASSERT_OK(store_->AddKey(key).status());
    key_id_ = key.key_id;
    ASSERT_NO_FATAL_FAILURE(StartFeed());
  }

  // A minimal record in namespace_ as the service would store it, signed
  // by key_id_.
  NewRecord MinimalRecord() {
    NewRecord record;
    record.record = core::record::MinimalRecordForTest();
    record.record.model.ref.namespace_name = namespace_;
    const uint64_t n = ++*counter_;
    record.envelope = absl::StrCat("{\"envelope\":", n, "}");
    record.record_digest = absl::StrFormat("%032x", n);
    record.signer_key_ids = {key_id_};
    return record;
  }

  std::unique_ptr<PostgresChangeFeed> feed_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<CheckpointSigner> log_signer_ =
      ::pedigree::testing::TestLogSigner();
  std::unique_ptr<PostgresRegistryStore> store_;
  std::string namespace_;
  std::string key_id_;

 private:
  static inline absl::Status* const suite_status_ = new absl::Status();
  static inline std::string* const admin_dsn_ = new std::string();
  static inline uint64_t* const counter_ = new uint64_t(0);
  static inline ::pedigree::testing::ScratchDatabase* database_ = nullptr;
};

TEST_F(PostgresChangeFeedTest, ListensWithAGeneration) {
  const std::optional<uint64_t> generation = feed_->Generation();

  EXPECT_TRUE(generation.has_value());
  EXPECT_TRUE(feed_->WaitUntilListening(0));
}

TEST_F(PostgresChangeFeedTest, SelectsDoNotChangeTheGeneration) {
  const uint64_t start = Current();
  const uint64_t after_barrier = Barrier(start);
  const uint64_t barrier_step = after_barrier - start;

  Exec("SELECT count(*) FROM namespaces");
  Exec("SELECT * FROM keys");
  Exec("SELECT * FROM records JOIN artifacts ON true");
  Exec("SELECT * FROM record_signatures FOR UPDATE");
  const uint64_t after_selects = Barrier(after_barrier);

  EXPECT_EQ(after_selects - after_barrier, barrier_step);
}

TEST_F(PostgresChangeFeedTest, RolledBackTransactionDoesNotChangeIt) {
  const uint64_t start = Current();
  const uint64_t after_barrier = Barrier(start);
  const uint64_t barrier_step = after_barrier - start;

  {
    pqxx::connection connection(dsn());
    pqxx::work tx(connection);
    tx.exec(absl::StrCat("INSERT INTO namespaces (name) VALUES ('",
                         Unique("rolled-back-"), "')"));
    tx.exec("UPDATE keys SET status = status");
    tx.abort();
  }
  const uint64_t after_rollback = Barrier(after_barrier);

  EXPECT_EQ(after_rollback - after_barrier, barrier_step);
}

TEST_F(PostgresChangeFeedTest, InsertIntoNamespacesChangesIt) {
  ExpectChangeAfter(absl::StrCat("INSERT INTO namespaces (name) VALUES ('",
                                 Unique("inserted-"), "')"));
}

TEST_F(PostgresChangeFeedTest, KeyRevocationChangesIt) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());

  ExpectChangeAfter(
      absl::StrCat("UPDATE keys SET status = 'revoked', revoked_at = now() "
                   "WHERE key_id = '",
                   key_id_, "'"));
}

TEST_F(PostgresChangeFeedTest, TruncateChangesIt) {
  ExpectChangeAfter("TRUNCATE artifacts");
}

TEST_F(PostgresChangeFeedTest, RecordPublishedThroughTheStoreChangesIt) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  const uint64_t before = Current();

  ASSERT_OK(store_->PublishRecord(MinimalRecord()).status());

  EXPECT_TRUE(WaitForChangeFrom(before).has_value());
}

TEST_F(PostgresChangeFeedTest, EveryWatchedTableNotifies) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ASSERT_OK_AND_ASSIGN(const PublishResult published,
                       store_->PublishRecord(MinimalRecord()));
  ASSERT_NO_FATAL_FAILURE(StartFeed());
  const std::string id = absl::StrCat(published.record.id);

  // Each statement changes this test's rows of one table.
  ExpectChangeAfter(absl::StrCat("UPDATE namespaces SET id = id WHERE name = '",
                                 namespace_, "'"));
  ExpectChangeAfter(
      absl::StrCat("UPDATE keys SET id = id WHERE key_id = '", key_id_, "'"));
  ExpectChangeAfter(absl::StrCat("UPDATE records SET id = id WHERE id = ", id));
  ExpectChangeAfter(absl::StrCat(
      "UPDATE record_signatures SET key_id = key_id WHERE record_id = ", id));
  ExpectChangeAfter(absl::StrCat(
      "UPDATE artifacts SET size_bytes = size_bytes WHERE record_id = ", id));
}

TEST_F(PostgresChangeFeedTest, LostConnectionDropsTheGenerationThenANewOne) {
  std::set<uint64_t> seen = {Current()};
  seen.insert(Barrier(*seen.begin()));
  ASSERT_GE(TerminateListeners(), 1u) << "the feed's LISTEN backend not found";

  bool lost = false;
  std::optional<uint64_t> regained;
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline && !regained.has_value()) {
    const std::optional<uint64_t> generation = feed_->Generation();
    if (!generation.has_value()) {
      lost = true;
    } else if (lost) {
      regained = generation;
    } else {
      seen.insert(*generation);
    }
    absl::SleepFor(absl::Milliseconds(1));
  }

  EXPECT_TRUE(lost) << "generation never became nullopt";
  ASSERT_TRUE(regained.has_value()) << "feed did not listen again";
  EXPECT_EQ(seen.count(*regained), 0u)
      << "generation " << *regained << " was served before the loss";
}

// The pid of this suite's feed backend, or 0 if there is not exactly one.
// Only this suite's database counts: other test processes running at the
// same time have feeds of their own. A previous test's feed backend may take
// a moment to go away after its connection closed.
pid_t FeedBackend(const std::string& admin_dsn, const std::string& dsn,
                  absl::Duration patience) {
  std::string database_name;
  {
    pqxx::connection probe(dsn);
    database_name = probe.dbname();
  }
  pqxx::connection admin(admin_dsn);
  const absl::Time deadline = absl::Now() + patience;
  do {
    pqxx::nontransaction tx(admin);
    const pqxx::result backends = tx.exec_params(
        "SELECT pid FROM pg_stat_activity "
        "WHERE datname = $1 AND application_name = 'pedigree change feed'",
        database_name);
    if (backends.size() == 1) return backends[0][0].as<int>();
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  return 0;
}

// Stops a backend (SIGSTOP) for as long as it lives, so that the backend
// runs again whatever the test asserts.
class StoppedBackend {
 public:
  explicit StoppedBackend(pid_t pid)
      : pid_(pid), stopped_(::kill(pid, SIGSTOP) == 0) {}
  ~StoppedBackend() { Resume(); }
  StoppedBackend(const StoppedBackend&) = delete;
  StoppedBackend& operator=(const StoppedBackend&) = delete;

  bool stopped() const { return stopped_; }
  void Resume() {
    if (stopped_) ::kill(pid_, SIGCONT);
    stopped_ = false;
  }

 private:
  pid_t pid_;
  bool stopped_;
};

// A connection that stops answering without an error (here: its backend
// stopped) must not keep vouching for the data: the heartbeat lapses.
TEST_F(PostgresChangeFeedTest, StalledConnectionStopsVouchingUntilItAnswers) {
  const pid_t backend = FeedBackend(admin_dsn(), dsn(), kPatience);
  ASSERT_NE(backend, 0) << "not exactly one feed backend";
  const uint64_t before = Current();
  StoppedBackend stopped(backend);
  if (!stopped.stopped()) {
    GTEST_SKIP() << "cannot stop the backend (not root or postgres)";
  }

  const absl::Time deadline = absl::Now() + kPatience + absl::Seconds(3);
  while (absl::Now() < deadline && feed_->Generation().has_value()) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const bool lapsed = !feed_->Generation().has_value();
  stopped.Resume();

  EXPECT_TRUE(lapsed) << "the feed kept vouching for a stalled connection";
  ASSERT_TRUE(feed_->WaitUntilListening(5000));
  EXPECT_NE(Current(), before);
}

// The feed's thread is then blocked in its heartbeat query, which no
// timeout ends while the backend is stopped: the destructor must not wait
// for it (a server shutting down would hang).
TEST_F(PostgresChangeFeedTest,
       DestructorReturnsPromptlyWhileTheBackendIsStalled) {
  const pid_t backend = FeedBackend(admin_dsn(), dsn(), kPatience);
  ASSERT_NE(backend, 0) << "not exactly one feed backend";
  StoppedBackend stopped(backend);
  if (!stopped.stopped()) {
    GTEST_SKIP() << "cannot stop the backend (not root or postgres)";
  }
  const absl::Time lapse_deadline = absl::Now() + kPatience + absl::Seconds(3);
  while (absl::Now() < lapse_deadline && feed_->Generation().has_value()) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_FALSE(feed_->Generation().has_value()) << "the heartbeat never lapsed";
  // A destructor that waits for the backend would wait forever: resume the
  // backend after a while, so that such a destructor fails the test below
  // instead of hanging it.
  absl::Notification reset_returned;
  std::thread resumer([&] {
    reset_returned.WaitForNotificationWithTimeout(absl::Seconds(2));
    stopped.Resume();
  });
  const absl::Time start = absl::Now();

  feed_.reset();

  const absl::Duration took = absl::Now() - start;
  reset_returned.Notify();
  resumer.join();
  EXPECT_LT(took, absl::Seconds(1));
}

TEST_F(PostgresChangeFeedTest, ChangesAreSeenAfterReconnecting) {
  ASSERT_GE(TerminateListeners(), 1u) << "the feed's LISTEN backend not found";
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline && feed_->Generation().has_value()) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_FALSE(feed_->Generation().has_value());
  ASSERT_TRUE(feed_->WaitUntilListening(3000));

  ExpectChangeAfter(absl::StrCat("INSERT INTO namespaces (name) VALUES ('",
                                 Unique("after-reconnect-"), "')"));
}

TEST_F(PostgresChangeFeedTest, DestructorReturnsPromptlyWhileListening) {
  const absl::Time start = absl::Now();

  feed_.reset();

  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(PostgresChangeFeedUnreachableTest, HasNoGenerationWithoutADatabase) {
  PostgresChangeFeed feed(
      "host=/nonexistent-pedigree-dir port=1 dbname=none connect_timeout=1");

  const bool listening = feed.WaitUntilListening(200);

  EXPECT_FALSE(listening);
  EXPECT_FALSE(feed.Generation().has_value());
}

TEST(PostgresChangeFeedUnreachableTest,
     DestructorReturnsPromptlyWhileRetrying) {
  auto feed = std::make_unique<PostgresChangeFeed>(
      "host=/nonexistent-pedigree-dir port=1 dbname=none connect_timeout=1");
  ASSERT_FALSE(feed->WaitUntilListening(50));
  const absl::Time start = absl::Now();

  feed.reset();

  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

}  // namespace
}  // namespace pedigree::server::storage
