#include "server/storage/dsn.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::storage {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(DsnTest, ValidateAcceptsKeyValueString) {
  EXPECT_THAT(ValidateDsn("host=127.0.0.1 port=5432 dbname=x"), IsOk());
}

TEST(DsnTest, ValidateAcceptsUri) {
  EXPECT_THAT(ValidateDsn("postgresql://u:pw@localhost:5432/db"), IsOk());
}

TEST(DsnTest, ValidateRejectsMalformedStringWithoutEchoingIt) {
  absl::Status status = ValidateDsn("host=x password hunter2");

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               Not(HasSubstr("hunter2"))));
}

TEST(DsnTest, ValidateRejectsUnknownOption) {
  EXPECT_THAT(ValidateDsn("host=x colour=blue"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DsnTest, RedactDropsPasswordFromKeyValueString) {
  std::string redacted =
      RedactDsn("host=db port=5432 user=app password=hunter2 dbname=reg");

  EXPECT_EQ(redacted, "host=db port=5432 dbname=reg user=app");
}

TEST(DsnTest, RedactDropsPasswordFromUri) {
  std::string redacted = RedactDsn("postgresql://app:hunter2@db:6543/reg");

  EXPECT_EQ(redacted, "host=db port=6543 dbname=reg user=app");
}

TEST(DsnTest, RedactOfMalformedStringRevealsNothing) {
  EXPECT_EQ(RedactDsn("password='hunter2"), "<malformed database url>");
}

TEST(DsnTest, PasswordIsExtracted) {
  EXPECT_EQ(DsnPassword("host=db password='a b'"), "a b");
}

TEST(DsnTest, WithDatabaseReplacesDbnameAndKeepsOtherOptions) {
  absl::StatusOr<std::string> dsn =
      DsnWithDatabase("postgresql://app:pw@db:5/old", "new_db");

  ASSERT_THAT(dsn, IsOk());
  EXPECT_EQ(*dsn,
            "user='app' password='pw' host='db' port='5' dbname='new_db'");
}

TEST(DsnTest, WithDatabaseRejectsMalformedDsn) {
  EXPECT_THAT(DsnWithDatabase("host='x", "db"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DsnTest, WithDefaultsAddsOptionsTheDsnLacks) {
  absl::StatusOr<std::string> dsn =
      DsnWithDefaults("host=/tmp dbname=app", {{"keepalives", "1"}});

  ASSERT_THAT(dsn, IsOk());
  // Options keep libpq's order; the defaults follow.
  EXPECT_EQ(*dsn, "dbname='app' host='/tmp' keepalives='1'");
}

TEST(DsnTest, WithDefaultsKeepsTheOperatorsValue) {
  absl::StatusOr<std::string> dsn = DsnWithDefaults(
      "postgresql://app:pw@db:5/x?connect_timeout=3",
      {{"connect_timeout", "10"}, {"tcp_user_timeout", "10000"}});

  ASSERT_THAT(dsn, IsOk());
  EXPECT_EQ(*dsn,
            "user='app' password='pw' connect_timeout='3' dbname='x' "
            "host='db' port='5' tcp_user_timeout='10000'");
}

TEST(DsnTest, WithDefaultsRejectsMalformedDsn) {
  EXPECT_THAT(DsnWithDefaults("host='x", {{"keepalives", "1"}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DsnTest, QuoteEscapesQuotesAndBackslashes) {
  EXPECT_EQ(QuoteDsnValue(R"(it's a\b)"), R"('it\'s a\\b')");
}

}  // namespace
}  // namespace pedigree::server::storage
