#ifndef PEDIGREE_TESTS_TESTING_PG_FIXTURE_H_
#define PEDIGREE_TESTS_TESTING_PG_FIXTURE_H_

// Throwaway PostgreSQL databases for integration and end-to-end tests. The
// server to use comes from PEDIGREE_TEST_PG_DSN (a superuser DSN, set by
// tests/run.sh); without it, tests fail rather than skip.
//
//   class RecordStoreTest : public pedigree::testing::PgTest {};
//   TEST_F(RecordStoreTest, ...) { Connect(dsn()); ... }

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace pedigree::testing {

// Name of the environment variable holding the admin DSN.
inline constexpr char kTestDsnVariable[] = "PEDIGREE_TEST_PG_DSN";

// Returns the value of PEDIGREE_TEST_PG_DSN, or FailedPrecondition with
// "PEDIGREE_TEST_PG_DSN is not set: run tests through tests/run.sh".
absl::StatusOr<std::string> TestAdminDsn();

// A database with a random name ("pedigree_test_<16 hex>"), created on the
// server of `admin_dsn` and dropped (disconnecting its sessions first) by
// the destructor. Not copyable or movable; not thread-safe.
class ScratchDatabase {
 public:
  // Creates the database. Returns Unavailable if the server cannot be
  // reached, or the mapped driver error.
  static absl::StatusOr<std::unique_ptr<ScratchDatabase>> Create(
      const std::string& admin_dsn);

  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  ~ScratchDatabase();

  const std::string& name() const { return name_; }
  // The admin DSN with dbname replaced by name().
  const std::string& dsn() const { return dsn_; }

 private:
  ScratchDatabase(std::string admin_dsn, std::string name, std::string dsn)
      : admin_dsn_(std::move(admin_dsn)),
        name_(std::move(name)),
        dsn_(std::move(dsn)) {}

  const std::string admin_dsn_;
  const std::string name_;
  const std::string dsn_;
};

// gtest fixture: SetUp() creates a ScratchDatabase and, unless the test
// class passes `migrate = false`, applies every embedded migration with the
// Migrator. Setup failures (including a missing PEDIGREE_TEST_PG_DSN) fail
// the test.
class PgTest : public ::testing::Test {
 protected:
  explicit PgTest(bool migrate = true) : migrate_(migrate) {}

  void SetUp() override;
  void TearDown() override;

  // DSN of this test's database; empty if SetUp() failed.
  const std::string& dsn() const;
  // The admin DSN from the environment.
  const std::string& admin_dsn() const { return admin_dsn_; }

 private:
  const bool migrate_;
  std::string admin_dsn_;
  std::unique_ptr<ScratchDatabase> database_;
};

}  // namespace pedigree::testing

#endif  // PEDIGREE_TESTS_TESTING_PG_FIXTURE_H_
