#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "server/storage/embedded_postgres.h"
#include "server/storage/internal/pqxx_status.h"
#include "server/util/subprocess.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::storage {
namespace {

namespace fs = std::filesystem;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class EmbeddedPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/tmp/pedigree-embedded-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    // As root, PostgreSQL runs as `postgres`, which must be able to enter.
    fs::permissions(root_, fs::perms::owner_all | fs::perms::others_exec);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  EmbeddedPostgres::Options OptionsFor(const fs::path& dir) {
    EmbeddedPostgres::Options options;
    options.data_dir = dir.string();
    options.durable = false;
    return options;
  }

  void Exec(const std::string& dsn, const std::string& sql) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                         internal::Connect(dsn));
    pqxx::work tx(*connection);
    tx.exec(sql);
    tx.commit();
  }

  fs::path root_;
};

TEST_F(EmbeddedPostgresTest, StartsInNewDirectoryAndAcceptsConnections) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EmbeddedPostgres> pg,
                       EmbeddedPostgres::Start(OptionsFor(root_ / "data")));

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                       internal::Connect(pg->dsn()));
  pqxx::read_transaction tx(*connection);

  EXPECT_TRUE(pg->initialized());
  EXPECT_EQ(tx.exec1("SELECT current_database()")[0].as<std::string>(),
            "pedigree");
}

TEST_F(EmbeddedPostgresTest, ListensOnlyOnUnixSocketInDataDirectory) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EmbeddedPostgres> pg,
                       EmbeddedPostgres::Start(OptionsFor(root_ / "data")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                       internal::Connect(pg->dsn()));
  pqxx::read_transaction tx(*connection);

  EXPECT_EQ(tx.exec1("SHOW listen_addresses")[0].as<std::string>(), "");
  EXPECT_TRUE(fs::exists(root_ / "data" / "run" / ".s.PGSQL.5432"));
}

TEST_F(EmbeddedPostgresTest, RestartOnSameDirectoryKeepsData) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EmbeddedPostgres> pg,
                         EmbeddedPostgres::Start(OptionsFor(root_ / "data")));
    Exec(pg->dsn(),
         "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('x')");
    ASSERT_THAT(pg->Stop(), IsOk());
  }

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EmbeddedPostgres> pg,
                       EmbeddedPostgres::Start(OptionsFor(root_ / "data")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                       internal::Connect(pg->dsn()));
  pqxx::read_transaction tx(*connection);

  EXPECT_FALSE(pg->initialized());
  EXPECT_EQ(tx.exec1("SELECT v FROM kept")[0].as<std::string>(), "x");
}

TEST_F(EmbeddedPostgresTest, StopIsIdempotent) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EmbeddedPostgres> pg,
                       EmbeddedPostgres::Start(OptionsFor(root_ / "data")));

  ASSERT_THAT(pg->Stop(), IsOk());

  EXPECT_THAT(pg->Stop(), IsOk());
}

TEST_F(EmbeddedPostgresTest, StartsDespiteStaleLockOfDeadProcess) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EmbeddedPostgres> pg,
                         EmbeddedPostgres::Start(OptionsFor(root_ / "data")));
  }
  SubprocessOptions true_process;
  true_process.argv = {"/bin/true"};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subprocess> dead,
                       Subprocess::Start(true_process));
  ASSERT_THAT(dead->Wait(absl::Now() + absl::Seconds(10)), IsOk());
  std::ofstream(root_ / "data" / "pgdata" / "postmaster.pid")
      << dead->pid() << "\n"
      << (root_ / "data" / "pgdata").string() << "\n";

  EXPECT_THAT(EmbeddedPostgres::Start(OptionsFor(root_ / "data")), IsOk());
}

TEST_F(EmbeddedPostgresTest, StartsDespiteStaleLockWhosePidWasReused) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EmbeddedPostgres> pg,
                         EmbeddedPostgres::Start(OptionsFor(root_ / "data")));
  }
  // A live process that is not a postmaster of this cluster: this test.
  std::ofstream(root_ / "data" / "pgdata" / "postmaster.pid")
      << getpid() << "\n"
      << (root_ / "data" / "pgdata").string() << "\n";

  EXPECT_THAT(EmbeddedPostgres::Start(OptionsFor(root_ / "data")), IsOk());
}

TEST_F(EmbeddedPostgresTest, RefusesDirectoryAlreadyServedByRunningServer) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EmbeddedPostgres> first,
                       EmbeddedPostgres::Start(OptionsFor(root_ / "data")));

  absl::Status second =
      EmbeddedPostgres::Start(OptionsFor(root_ / "data")).status();

  EXPECT_THAT(second, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("already running")));
}

TEST_F(EmbeddedPostgresTest, RefusesNonEmptyDirectoryWithoutCluster) {
  std::ofstream(root_ / "notes.txt") << "not a cluster\n";

  absl::Status status = EmbeddedPostgres::Start(OptionsFor(root_)).status();

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr(root_.string()),
                                     HasSubstr("not empty"))));
}

TEST_F(EmbeddedPostgresTest, RefusesSocketPathOverUnixLimit) {
  const fs::path deep = root_ / std::string(100, 'd');

  absl::Status status = EmbeddedPostgres::Start(OptionsFor(deep)).status();

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("too long")));
}

TEST_F(EmbeddedPostgresTest, RefusesDirectoryPostgresUserCannotReachAsRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "only root switches to `postgres`";
  fs::permissions(root_, fs::perms::owner_all);

  absl::Status status =
      EmbeddedPostgres::Start(OptionsFor(root_ / "data")).status();

  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("parent directory " + root_.string()),
                             HasSubstr("not searchable"))));
}

TEST_F(EmbeddedPostgresTest, MissingBinariesNameEveryPlaceSearched) {
  EmbeddedPostgres::Options options = OptionsFor(root_ / "data");
  options.bin_dirs = {"/nonexistent/pg/bin", "/also/missing"};
  options.search_default_locations = false;

  absl::Status status = EmbeddedPostgres::Start(options).status();

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("/nonexistent/pg/bin"),
                                     HasSubstr("/also/missing"))));
}

}  // namespace
}  // namespace pedigree::server::storage
