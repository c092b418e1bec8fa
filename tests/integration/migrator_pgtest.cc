#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "server/storage/embedded_migrations.h"
#include "server/storage/internal/pqxx_status.h"
#include "server/storage/migrator.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::storage {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Starts from an empty database: the tests apply migrations themselves.
class MigratorTest : public ::pedigree::testing::PgTest {
 protected:
  MigratorTest() : PgTest(/*migrate=*/false) {}

  Migrator Embedded() {
    absl::StatusOr<Migrator> migrator = Migrator::Create(EmbeddedMigrations());
    EXPECT_THAT(migrator, IsOk());
    return *std::move(migrator);
  }

  // Runs `sql` (no parameters) on the test database.
  void Exec(const std::string& sql) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                         internal::Connect(dsn()));
    pqxx::work tx(*connection);
    tx.exec(sql);
    tx.commit();
  }

  int64_t CountRows(const std::string& sql) {
    absl::StatusOr<std::unique_ptr<pqxx::connection>> connection =
        internal::Connect(dsn());
    EXPECT_THAT(connection, IsOk());
    if (!connection.ok()) return -1;
    pqxx::read_transaction tx(**connection);
    return tx.exec1(sql)[0].as<int64_t>();
  }
};

// The embedded migrations plus test migrations numbered after them: the
// file and migration names of the `n`th extra one (1-based) named `name`.
int EmbeddedCount() { return static_cast<int>(EmbeddedMigrations().size()); }
std::string ExtraName(int n, absl::string_view name) {
  return absl::StrFormat("%04d_%s", EmbeddedCount() + n, name);
}
// EmbeddedMigration holds views: the texts of test migrations live here,
// for the whole test binary.
EmbeddedMigration Extra(int n, absl::string_view name, std::string sql) {
  static auto& texts = *new std::deque<std::string>();
  texts.push_back(ExtraName(n, name) + ".sql");
  const absl::string_view file_name = texts.back();
  texts.push_back(std::move(sql));
  return {file_name, texts.back()};
}

TEST_F(MigratorTest, AppliesAllMigrationsToEmptyDatabase) {
  const Migrator migrator = Embedded();

  absl::StatusOr<MigrationReport> report = migrator.Migrate(dsn());

  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->from_version, 0);
  EXPECT_EQ(report->to_version, migrator.latest_version());
  EXPECT_EQ(report->applied.size(), migrator.migrations().size());
  EXPECT_EQ(CountRows("SELECT count(*) FROM schema_migrations"),
            migrator.latest_version());
  EXPECT_EQ(CountRows("SELECT count(*) FROM records"), 0);
}

TEST_F(MigratorTest, SecondRunAppliesNothing) {
  const Migrator migrator = Embedded();
  ASSERT_THAT(migrator.Migrate(dsn()), IsOk());

  absl::StatusOr<MigrationReport> report = migrator.Migrate(dsn());

  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->applied.empty());
  EXPECT_EQ(report->from_version, migrator.latest_version());
  EXPECT_EQ(report->to_version, migrator.latest_version());
}

TEST_F(MigratorTest, CurrentVersionOfEmptyDatabaseIsZero) {
  EXPECT_EQ(Embedded().CurrentVersion(dsn()).value_or(-1), 0);
}

TEST_F(MigratorTest, AppliesPendingMigrationsInOrder) {
  ASSERT_THAT(Embedded().Migrate(dsn()), IsOk());
  std::vector<EmbeddedMigration> files(EmbeddedMigrations().begin(),
                                       EmbeddedMigrations().end());
  files.push_back(Extra(1, "create_widgets", "CREATE TABLE widgets (id int);"));
  files.push_back(
      Extra(2, "add_widget_name", "ALTER TABLE widgets ADD name text;"));
  ASSERT_OK_AND_ASSIGN(const Migrator extended, Migrator::Create(files));

  absl::StatusOr<MigrationReport> report = extended.Migrate(dsn());

  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->from_version, EmbeddedCount());
  EXPECT_EQ(report->to_version, EmbeddedCount() + 2);
  EXPECT_THAT(report->applied, ElementsAre(ExtraName(1, "create_widgets"),
                                           ExtraName(2, "add_widget_name")));
  EXPECT_EQ(CountRows("SELECT count(*) FROM widgets WHERE name IS NULL"), 0);
}

TEST_F(MigratorTest, FailedMigrationIsRolledBackAndEarlierOnesKept) {
  std::vector<EmbeddedMigration> files(EmbeddedMigrations().begin(),
                                       EmbeddedMigrations().end());
  files.push_back(
      Extra(1, "create_widgets",
            "CREATE TABLE widgets (id int); SELECT no_such_column;"));
  ASSERT_OK_AND_ASSIGN(const Migrator broken, Migrator::Create(files));

  absl::Status status = broken.Migrate(dsn()).status();

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal,
                               HasSubstr(ExtraName(1, "create_widgets"))));
  EXPECT_EQ(Embedded().CurrentVersion(dsn()).value_or(-1), EmbeddedCount());
  EXPECT_EQ(CountRows("SELECT count(*) FROM pg_tables "
                      "WHERE tablename = 'widgets'"),
            0);
}

TEST_F(MigratorTest, RefusesDatabaseWithNewerSchemaVersion) {
  std::vector<EmbeddedMigration> files(EmbeddedMigrations().begin(),
                                       EmbeddedMigrations().end());
  files.push_back(Extra(1, "create_widgets", "CREATE TABLE widgets (id int);"));
  ASSERT_OK_AND_ASSIGN(const Migrator newer, Migrator::Create(files));
  ASSERT_THAT(newer.Migrate(dsn()), IsOk());

  absl::Status status = Embedded().Migrate(dsn()).status();

  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat(
                           "database schema version ", EmbeddedCount() + 1,
                           " is newer than this pedigreed (knows up "
                           "to ",
                           EmbeddedCount(), ")"))));
}

TEST_F(MigratorTest, RefusesMigrationWhoseChecksumChanged) {
  ASSERT_THAT(Embedded().Migrate(dsn()), IsOk());
  Exec(
      "UPDATE schema_migrations SET checksum = sha256('tampered') "
      "WHERE version = 1");

  absl::Status status = Embedded().Migrate(dsn()).status();

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("migration 0001_create_registry was "
                                         "changed after it was applied")));
}

TEST_F(MigratorTest, RefusesMigrationWhoseNameChanged) {
  ASSERT_THAT(Embedded().Migrate(dsn()), IsOk());
  Exec(
      "UPDATE schema_migrations SET name = '0001_create_other' "
      "WHERE version = 1");

  absl::Status status = Embedded().CurrentVersion(dsn()).status();

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("0001_create_other")));
}

TEST_F(MigratorTest, RefusesGapInAppliedVersions) {
  std::vector<EmbeddedMigration> files(EmbeddedMigrations().begin(),
                                       EmbeddedMigrations().end());
  files.push_back(Extra(1, "create_widgets", "CREATE TABLE widgets (id int);"));
  files.push_back(Extra(2, "create_gadgets", "CREATE TABLE gadgets (id int);"));
  ASSERT_OK_AND_ASSIGN(const Migrator extended, Migrator::Create(files));
  ASSERT_THAT(extended.Migrate(dsn()), IsOk());
  Exec(absl::StrCat("DELETE FROM schema_migrations WHERE version = ",
                    EmbeddedCount() + 1));

  absl::Status status = extended.Migrate(dsn()).status();

  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("version ", EmbeddedCount() + 1,
                                              " is missing"))));
}

TEST_F(MigratorTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  const Migrator migrator = Embedded();
  absl::StatusOr<MigrationReport> first, second;

  std::thread a([&] { first = migrator.Migrate(dsn()); });
  std::thread b([&] { second = migrator.Migrate(dsn()); });
  a.join();
  b.join();

  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(first->applied.size() + second->applied.size(),
            migrator.migrations().size());
  EXPECT_EQ(CountRows("SELECT count(*) FROM schema_migrations"),
            migrator.latest_version());
}

TEST_F(MigratorTest, UnreachableDatabaseIsUnavailableWithoutPassword) {
  const std::string dsn =
      "host=127.0.0.1 port=1 dbname=x user=u password=hunter2 "
      "connect_timeout=5";

  absl::Status status = Embedded().Migrate(dsn).status();

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable,
                               Not(HasSubstr("hunter2"))));
}

}  // namespace
}  // namespace pedigree::server::storage
