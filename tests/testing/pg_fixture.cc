#include "tests/testing/pg_fixture.h"

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/encoding/hex.h"
#include "pqxx/pqxx"
#include "server/storage/dsn.h"
#include "server/storage/embedded_migrations.h"
#include "server/storage/internal/pqxx_status.h"
#include "server/storage/migrator.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::testing {
namespace {

using server::storage::internal::Connect;
using server::storage::internal::RunGuarded;

std::string RandomDatabaseName() {
  std::random_device random;
  std::string bytes(8, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xff);
  return absl::StrCat("pedigree_test_", core::HexEncode(bytes));
}

}  // namespace

absl::StatusOr<std::string> TestAdminDsn() {
  const char* dsn = std::getenv(kTestDsnVariable);
  if (dsn == nullptr || *dsn == '\0') {
    return absl::FailedPreconditionError(
        "PEDIGREE_TEST_PG_DSN is not set: run tests through tests/run.sh");
  }
  return std::string(dsn);
}

absl::StatusOr<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create(
    const std::string& admin_dsn) {
  const std::string name = RandomDatabaseName();
  absl::StatusOr<std::string> dsn =
      server::storage::DsnWithDatabase(admin_dsn, name);
  if (!dsn.ok()) return dsn.status();
  absl::StatusOr<std::unique_ptr<pqxx::connection>> admin = Connect(admin_dsn);
  if (!admin.ok()) return admin.status();
  // Identifiers cannot be parameters; `name` is generated from [a-z0-9_].
  absl::Status created = RunGuarded("create test database", [&] {
    pqxx::nontransaction tx(**admin);
    tx.exec0(absl::StrCat("CREATE DATABASE ", tx.quote_name(name)));
    return absl::OkStatus();
  });
  if (!created.ok()) return created;
  return std::unique_ptr<ScratchDatabase>(
      new ScratchDatabase(admin_dsn, name, *std::move(dsn)));
}

ScratchDatabase::~ScratchDatabase() {
  absl::StatusOr<std::unique_ptr<pqxx::connection>> admin = Connect(admin_dsn_);
  absl::Status dropped = admin.status();
  if (admin.ok()) {
    dropped = RunGuarded("drop test database", [&] {
      pqxx::nontransaction tx(**admin);
      tx.exec0(absl::StrCat("DROP DATABASE IF EXISTS ", tx.quote_name(name_),
                            " WITH (FORCE)"));
      return absl::OkStatus();
    });
  }
  if (!dropped.ok()) {
    ADD_FAILURE() << "cannot drop test database " << name_ << ": " << dropped;
  }
}

void PgTest::SetUp() {
  absl::StatusOr<std::string> admin_dsn = TestAdminDsn();
  ASSERT_TRUE(admin_dsn.ok()) << admin_dsn.status().message();
  admin_dsn_ = *admin_dsn;
  absl::StatusOr<std::unique_ptr<ScratchDatabase>> database =
      ScratchDatabase::Create(admin_dsn_);
  ASSERT_TRUE(database.ok()) << database.status();
  database_ = *std::move(database);
  if (migrate_) {
    absl::StatusOr<server::storage::Migrator> migrator =
        server::storage::Migrator::Create(
            server::storage::EmbeddedMigrations());
    ASSERT_THAT(migrator, IsOk());
    ASSERT_THAT(migrator->Migrate(database_->dsn()), IsOk());
  }
}

void PgTest::TearDown() { database_.reset(); }

const std::string& PgTest::dsn() const {
  static const std::string& kEmpty = *new std::string();
  return database_ == nullptr ? kEmpty : database_->dsn();
}

}  // namespace pedigree::testing
