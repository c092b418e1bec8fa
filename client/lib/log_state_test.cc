#include "client/lib/log_state.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "client/lib/log_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;
using namespace testing_util;  // NOLINT(build/namespaces)

constexpr char kRegistry[] = "127.0.0.1:50051";

class LogStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "log-state-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern + "/pedigree";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path(), ec);
  }

  VerifiedCheckpoint Checkpoint(const core::merkle::ReferenceTree& tree,
                                uint64_t size) {
    absl::StatusOr<LogVerifier> verifier =
        LogVerifier::Create(signer_.VerifierKey());
    EXPECT_THAT(verifier, IsOk());
    absl::StatusOr<VerifiedCheckpoint> checkpoint =
        verifier->OpenCheckpoint(SignedCheckpoint(tree, size, signer_));
    EXPECT_THAT(checkpoint, IsOk());
    return *std::move(checkpoint);
  }

  std::string dir_;
  core::note::NoteSigner signer_ = NewLogSigner();
};

TEST(ResolveConfigDirTest, PrefersXdgConfigHome) {
  EXPECT_THAT(ResolveConfigDir("/x", "/home/u"),
              ::testing::Eq(absl::StatusOr<std::string>("/x/pedigree")));
  EXPECT_THAT(
      ResolveConfigDir("", "/home/u"),
      ::testing::Eq(absl::StatusOr<std::string>("/home/u/.config/pedigree")));
  EXPECT_THAT(
      ResolveConfigDir("relative", "/home/u"),
      ::testing::Eq(absl::StatusOr<std::string>("/home/u/.config/pedigree")));
}

TEST(ResolveConfigDirTest, FailsWithoutAnAbsoluteHome) {
  EXPECT_THAT(ResolveConfigDir("", ""),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(StateFilePathTest, EncodesEveryUnsafeByte) {
  EXPECT_EQ(StateFilePath("/c", "127.0.0.1:50051"),
            "/c/log-state/127.0.0.1%3A50051.json");
  EXPECT_EQ(StateFilePath("/c", "../x/y"), "/c/log-state/..%2Fx%2Fy.json");
}

TEST_F(LogStateTest, ReadPinnedLogKeyOfAbsentFileIsNothing) {
  EXPECT_THAT(
      ReadPinnedLogKey(ConfigFilePath(dir_), kRegistry),
      ::testing::Eq(absl::StatusOr<std::optional<std::string>>(std::nullopt)));
}

TEST_F(LogStateTest, PinThenReadReturnsTheKeyForThatRegistryOnly) {
  const std::string file = ConfigFilePath(dir_);

  ASSERT_THAT(PinLogKey(file, kRegistry, "key-a"), IsOk());

  ASSERT_OK_AND_ASSIGN(std::optional<std::string> key,
                       ReadPinnedLogKey(file, kRegistry));
  EXPECT_THAT(key, Optional(std::string("key-a")));
  ASSERT_OK_AND_ASSIGN(key, ReadPinnedLogKey(file, "other:1"));
  EXPECT_EQ(key, std::nullopt);
  struct stat info;
  ASSERT_EQ(stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(LogStateTest, PinRefusesToReplaceAnotherKey) {
  const std::string file = ConfigFilePath(dir_);
  ASSERT_THAT(PinLogKey(file, kRegistry, "key-a"), IsOk());

  EXPECT_THAT(PinLogKey(file, kRegistry, "key-b"),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("key-a")));
  EXPECT_THAT(PinLogKey(file, kRegistry, "key-a"), IsOk());
}

TEST_F(LogStateTest, ReadRefusesAConfigWithAnUnknownField) {
  const std::string file = ConfigFilePath(dir_);
  ASSERT_THAT(WriteFileAtomically(
                  file, R"({"registries": {"a": {"log_kye": "x"}}})", 0600),
              IsOk());

  EXPECT_THAT(
      ReadPinnedLogKey(file, "a"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("log_kye")));
}

TEST_F(LogStateTest, StoreLoadsWhatItSaved) {
  const core::merkle::ReferenceTree tree =
      core::merkle::ReferenceTree::WithTestLeaves(8);
  FileCheckpointStore store(StateFilePath(dir_, kRegistry), kRegistry,
                            signer_.VerifierKey());
  const VerifiedCheckpoint checkpoint = Checkpoint(tree, 8);

  ASSERT_THAT(store.Save(checkpoint), IsOk());

  EXPECT_THAT(store.Load(),
              ::testing::Eq(
                  absl::StatusOr<std::optional<std::string>>(checkpoint.note)));
  struct stat info;
  ASSERT_EQ(stat(StateFilePath(dir_, kRegistry).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(LogStateTest, StoreNeverMovesBackwards) {
  const core::merkle::ReferenceTree tree =
      core::merkle::ReferenceTree::WithTestLeaves(8);
  FileCheckpointStore store(StateFilePath(dir_, kRegistry), kRegistry,
                            signer_.VerifierKey());
  const VerifiedCheckpoint newer = Checkpoint(tree, 8);
  ASSERT_THAT(store.Save(newer), IsOk());

  ASSERT_THAT(store.Save(Checkpoint(tree, 3)), IsOk());

  EXPECT_THAT(
      store.Load(),
      ::testing::Eq(absl::StatusOr<std::optional<std::string>>(newer.note)));
}

TEST_F(LogStateTest, StoreRefusesAStateOfAnotherLogKey) {
  const core::merkle::ReferenceTree tree =
      core::merkle::ReferenceTree::WithTestLeaves(8);
  const std::string path = StateFilePath(dir_, kRegistry);
  FileCheckpointStore old_store(path, kRegistry, signer_.VerifierKey());
  ASSERT_THAT(old_store.Save(Checkpoint(tree, 8)), IsOk());
  FileCheckpointStore store(path, kRegistry, "another-key");

  EXPECT_THAT(store.Load(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(path)));
}

}  // namespace
}  // namespace pedigree::client
