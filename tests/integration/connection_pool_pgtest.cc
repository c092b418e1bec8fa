#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "server/storage/connection_pool.h"
#include "server/storage/embedded_migrations.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::storage {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

class ConnectionPoolTest : public ::pedigree::testing::PgTest {
 protected:
  std::unique_ptr<ConnectionPool> MakePool(int size) {
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool =
        ConnectionPool::Create({dsn(), size});
    EXPECT_THAT(pool, IsOk());
    return pool.ok() ? *std::move(pool) : nullptr;
  }
};

TEST_F(ConnectionPoolTest, AcquireReturnsWorkingConnection) {
  std::unique_ptr<ConnectionPool> pool = MakePool(2);
  ASSERT_NE(pool, nullptr);

  ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease,
                       pool->Acquire(absl::Seconds(5)));
  pqxx::read_transaction tx(lease.connection());

  EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<size_t>(),
            server::storage::EmbeddedMigrations().size());
  EXPECT_EQ(pool->idle_count(), 1);
}

TEST_F(ConnectionPoolTest, AcquireTimesOutWhenAllConnectionsAreLeased) {
  std::unique_ptr<ConnectionPool> pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease held,
                       pool->Acquire(absl::Seconds(5)));

  absl::Status status = pool->Acquire(absl::Milliseconds(20)).status();

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable,
                               HasSubstr("pool size 1")));
}

TEST_F(ConnectionPoolTest, DestroyedLeaseReturnsConnectionToPool) {
  std::unique_ptr<ConnectionPool> pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  {
    ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease,
                         pool->Acquire(absl::Seconds(5)));
  }

  EXPECT_THAT(pool->Acquire(absl::Milliseconds(20)), IsOk());
}

TEST_F(ConnectionPoolTest, BlockedAcquireGetsConnectionReleasedByOtherThread) {
  std::unique_ptr<ConnectionPool> pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  std::optional<ConnectionPool::Lease> held;
  {
    ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease,
                         pool->Acquire(absl::Seconds(5)));
    held.emplace(std::move(lease));
  }
  absl::Status waited = absl::UnknownError("not run");

  std::thread waiter(
      [&] { waited = pool->Acquire(absl::Seconds(30)).status(); });
  held.reset();
  waiter.join();

  EXPECT_THAT(waited, IsOk());
}

TEST_F(ConnectionPoolTest, MovedLeaseReturnsConnectionOnce) {
  std::unique_ptr<ConnectionPool> pool = MakePool(2);
  ASSERT_NE(pool, nullptr);

  {
    ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease first,
                         pool->Acquire(absl::Seconds(5)));
    ConnectionPool::Lease second = std::move(first);
    EXPECT_EQ(pool->idle_count(), 1);
  }

  EXPECT_EQ(pool->idle_count(), 2);
}

TEST_F(ConnectionPoolTest, CreateRejectsZeroSize) {
  EXPECT_THAT(ConnectionPool::Create({dsn(), 0}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ConnectionPoolTest, CreateFailsUnavailableWithoutPrintingPassword) {
  const std::string dsn =
      "host=127.0.0.1 port=1 dbname=x user=u password=hunter2 "
      "connect_timeout=5";

  absl::Status status = ConnectionPool::Create({dsn, 1}).status();

  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::AllOf(HasSubstr("host=127.0.0.1 port=1"),
                                        Not(HasSubstr("hunter2")))));
}

}  // namespace
}  // namespace pedigree::server::storage
