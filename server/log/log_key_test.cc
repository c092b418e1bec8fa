#include "server/log/log_key.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/crypto/keys.h"
#include "core/merkle/tree.h"
#include "core/note/checkpoint.h"
#include "core/note/note.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::log {
namespace {

using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class LogKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pedigree-log-key-test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const {
    return (std::filesystem::path(dir_) / name).string();
  }
  void Write(const std::string& path, const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  std::string dir_;
};

TEST_F(LogKeyTest, CreatesAnOwnerOnlyEd25519KeyOnFirstUse) {
  const std::string path = Path("sub/dir/log-key.pem");

  ASSERT_OK_AND_ASSIGN(const core::crypto::PrivateKey key,
                       LoadOrCreateLogKey(path));

  EXPECT_EQ(key.type(), core::crypto::KeyType::kEd25519);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(LogKeyTest, ReturnsTheSameKeyOnLaterStarts) {
  const std::string path = Path("log-key.pem");
  ASSERT_OK_AND_ASSIGN(const core::crypto::PrivateKey first,
                       LoadOrCreateLogKey(path));

  ASSERT_OK_AND_ASSIGN(const core::crypto::PrivateKey second,
                       LoadOrCreateLogKey(path));

  EXPECT_EQ(first.key_id(), second.key_id());
}

TEST_F(LogKeyTest, RefusesAKeyFileOthersCanRead) {
  const std::string path = Path("log-key.pem");
  ASSERT_OK(LoadOrCreateLogKey(path).status());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);

  EXPECT_THAT(LoadOrCreateLogKey(path),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("644"), HasSubstr("chmod 600"))));
}

TEST_F(LogKeyTest, AllowsGroupReadForSecretMounts) {
  const std::string path = Path("log-key.pem");
  ASSERT_OK(LoadOrCreateLogKey(path).status());
  ASSERT_EQ(::chmod(path.c_str(), 0440), 0);

  EXPECT_OK(LoadOrCreateLogKey(path).status());
}

TEST_F(LogKeyTest, RefusesAnEcdsaKey) {
  ASSERT_OK_AND_ASSIGN(
      const core::crypto::PrivateKey p256,
      core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEcdsaP256));
  ASSERT_OK_AND_ASSIGN(const std::string pem, p256.ExportPemForStorage());
  const std::string path = Path("log-key.pem");
  Write(path, pem, 0600);

  EXPECT_THAT(
      LoadOrCreateLogKey(path),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("ecdsa-p256")));
}

TEST_F(LogKeyTest, RefusesAFileWithoutAKey) {
  const std::string path = Path("log-key.pem");
  Write(path, "not a key\n", 0600);

  EXPECT_THAT(LoadOrCreateLogKey(path),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("holds no usable key")));
}

TEST(DefaultLogOrigin, NamesTheKey) {
  ASSERT_OK_AND_ASSIGN(
      const core::crypto::PrivateKey key,
      core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519));

  EXPECT_THAT(DefaultLogOrigin(key.public_key()),
              MatchesRegex("localhost/pedigree/[0-9a-f]{16}"));
  EXPECT_EQ(DefaultLogOrigin(key.public_key()).substr(19),
            key.key_id().substr(0, 16));
}

TEST(NoteCheckpointSigner, SignsCheckpointsItsVerifierKeyOpens) {
  ASSERT_OK_AND_ASSIGN(
      core::crypto::PrivateKey key,
      core::crypto::PrivateKey::FromEd25519Seed(std::string(32, 's')));
  ASSERT_OK_AND_ASSIGN(const auto signer,
                       NoteCheckpointSigner::Create("example.com/log", key));
  ASSERT_OK_AND_ASSIGN(
      const core::note::NoteVerifier verifier,
      core::note::NoteVerifier::FromVerifierKey(signer->verifier_key()));
  const std::string root(32, 'r');

  ASSERT_OK_AND_ASSIGN(const std::string note, signer->Sign(42, root));

  ASSERT_OK_AND_ASSIGN(
      const core::note::Checkpoint checkpoint,
      core::note::OpenCheckpoint(note, verifier, "example.com/log"));
  EXPECT_EQ(checkpoint.size, 42u);
  EXPECT_EQ(checkpoint.root_hash, root);
  EXPECT_EQ(signer->origin(), "example.com/log");
}

TEST(NoteCheckpointSigner, RefusesAnOriginThatIsNoKeyName) {
  ASSERT_OK_AND_ASSIGN(
      core::crypto::PrivateKey key,
      core::crypto::PrivateKey::FromEd25519Seed(std::string(32, 's')));

  EXPECT_THAT(NoteCheckpointSigner::Create("has space", key).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pedigree::server::log
