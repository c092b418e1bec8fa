#include "server/storage/migrator.h"

#include <vector>

#include "core/encoding/hex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/embedded_migrations.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::storage {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseMigrationsTest, EmbeddedMigrationsAreValid) {
  absl::StatusOr<std::vector<Migration>> migrations =
      ParseMigrations(EmbeddedMigrations());

  ASSERT_THAT(migrations, IsOk());
  ASSERT_FALSE(migrations->empty());
  EXPECT_EQ(migrations->front().name, "0001_create_registry");
}

TEST(ParseMigrationsTest, SortsByVersionAndComputesSha256) {
  const EmbeddedMigration files[] = {{"0002_add_b.sql", "SELECT 2;"},
                                     {"0001_add_a.sql", "abc"}};

  absl::StatusOr<std::vector<Migration>> migrations = ParseMigrations(files);

  ASSERT_THAT(migrations, IsOk());
  ASSERT_EQ(migrations->size(), 2u);
  EXPECT_EQ((*migrations)[0].version, 1);
  EXPECT_EQ((*migrations)[0].name, "0001_add_a");
  EXPECT_EQ((*migrations)[0].sql, "abc");
  // FIPS 180-2 test vector: SHA-256("abc").
  EXPECT_EQ(core::HexEncode((*migrations)[0].checksum),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ((*migrations)[1].version, 2);
}

TEST(ParseMigrationsTest, RejectsMissingSqlSuffix) {
  const EmbeddedMigration files[] = {{"0001_add_a.txt", "SELECT 1;"}};

  EXPECT_THAT(ParseMigrations(files),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("0001_add_a.txt")));
}

TEST(ParseMigrationsTest, RejectsMissingNumberPrefix) {
  const EmbeddedMigration files[] = {{"add_a_b.sql", "SELECT 1;"}};

  EXPECT_THAT(
      ParseMigrations(files),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NNNN_ prefix")));
}

TEST(ParseMigrationsTest, RejectsSingleWordName) {
  const EmbeddedMigration files[] = {{"0001_init.sql", "SELECT 1;"}};

  EXPECT_THAT(ParseMigrations(files),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("verb and a noun")));
}

TEST(ParseMigrationsTest, RejectsUpperCaseName) {
  const EmbeddedMigration files[] = {{"0001_Add_a.sql", "SELECT 1;"}};

  EXPECT_THAT(ParseMigrations(files),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseMigrationsTest, RejectsEmptyFile) {
  const EmbeddedMigration files[] = {{"0001_add_a.sql", " \n"}};

  EXPECT_THAT(ParseMigrations(files),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(ParseMigrationsTest, RejectsGapInVersions) {
  const EmbeddedMigration files[] = {{"0001_add_a.sql", "SELECT 1;"},
                                     {"0003_add_c.sql", "SELECT 3;"}};

  EXPECT_THAT(
      ParseMigrations(files),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0003_add_c")));
}

TEST(ParseMigrationsTest, RejectsDuplicateVersion) {
  const EmbeddedMigration files[] = {{"0001_add_a.sql", "SELECT 1;"},
                                     {"0001_add_b.sql", "SELECT 2;"}};

  EXPECT_THAT(ParseMigrations(files),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseMigrationsTest, RejectsVersionZero) {
  const EmbeddedMigration files[] = {{"0000_add_a.sql", "SELECT 1;"}};

  EXPECT_THAT(ParseMigrations(files),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MigratorTest, LatestVersionIsHighestMigration) {
  const EmbeddedMigration files[] = {{"0001_add_a.sql", "SELECT 1;"},
                                     {"0002_add_b.sql", "SELECT 2;"}};

  absl::StatusOr<Migrator> migrator = Migrator::Create(files);

  ASSERT_THAT(migrator, IsOk());
  EXPECT_EQ(migrator->latest_version(), 2);
}

}  // namespace
}  // namespace pedigree::server::storage
