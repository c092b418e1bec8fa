// End-to-end tests of the `pedigree` CLI verbs that need no registry
// (keygen, hash, publish --dry-run): the built binary runs as a subprocess
// on files in a private temp dir; the tests check its stdout, stderr, exit
// code and the files it writes, recomputing digests and verifying signatures
// independently with core/.
//
// Environment: PEDIGREE_CLI (path of the binary, set by tests/CMakeLists.txt).

#include <sys/stat.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/crypto/sha256.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/subprocess.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/status_matchers.h"

namespace pedigree {
namespace {

using ::pedigree::server::SubprocessOptions;
using ::pedigree::testing::CliResult;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::ReadFile;
using ::pedigree::testing::WriteFile;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

constexpr absl::Duration kTimeout = absl::Seconds(60);

constexpr char kMeta[] = R"({
  "description": "A tiny test model.",
  "release_date": "2025-01-20",
  "publisher": {"organization": "Acme AI", "jurisdiction": "GB"},
  "licenses": {"weights": "Apache-2.0", "code": "MIT"},
  "datasets": [{"name": "Eval set", "role": "evaluation",
                "disclosure": "undisclosed"}],
  "parents": [{"ref": "acme-ai/Base-1B@v1", "relation": "finetune"}],
  "files": {"weights/model.safetensors": {"format": "safetensors",
                                          "dtype": "bf16"}}
})";

std::string Sha256Hex(const std::string& data) {
  absl::StatusOr<std::string> digest = core::crypto::Sha256Digest(data);
  EXPECT_THAT(digest, IsOk());
  return digest.ok() ? core::HexEncode(*digest) : "";
}

class CliOfflineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(binary_, testing::BinaryFromEnv("PEDIGREE_CLI"));
    ASSERT_THAT(temp_dir_.Create("pedigree-cli-e2e"), IsOk());
  }

  std::string Path(const std::string& relative) const {
    return temp_dir_.Path(relative);
  }

  // Runs the CLI with `args` to completion; stdout through a pipe, stderr
  // through a file.
  CliResult RunCli(const std::vector<std::string>& args) {
    SubprocessOptions options;
    options.argv = {binary_};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.stderr_path = Path(absl::StrCat("stderr.", runs_++));
    return testing::RunCli(std::move(options), kTimeout);
  }

  // Creates a key pair at Path("key") and returns its key id.
  std::string Keygen() {
    const CliResult result = RunCli({"keygen", "--out", Path("key")});
    EXPECT_TRUE(result.exit.success()) << result.err;
    return std::string(absl::StripSuffix(result.out, "\n"));
  }

  // A small model directory with a .git directory and a signature file that
  // hashing must skip. Returns the hashed files' contents by manifest name,
  // in manifest order.
  std::vector<std::pair<std::string, std::string>> MakeModel() {
    std::vector<std::pair<std::string, std::string>> files = {
        {"config.json", "{\"hidden_size\": 64}\n"},
        {"empty.txt", ""},
        {"tokenizer.json", "{\"vocab\": {}}\n"},
        {"weights/model.safetensors", std::string(100000, '\x5a') + "end"},
    };
    for (const auto& [name, content] : files) {
      WriteFile(Path("model/" + name), content);
    }
    WriteFile(Path("model/.git/HEAD"), "ref: refs/heads/main\n");
    WriteFile(Path("model/model.sig"), "not part of the manifest");
    return files;
  }

  std::string binary_;
  testing::TempDir temp_dir_;
  int runs_ = 0;
};

TEST_F(CliOfflineTest, KeygenWritesPrivateKey0600AndPublicKeyAndPrintsKeyId) {
  const CliResult result = RunCli({"keygen", "--out", Path("key")});

  ASSERT_TRUE(result.exit.success()) << result.exit.ToString() << result.err;
  EXPECT_THAT(result.out, MatchesRegex("[0-9a-f]{64}\n"));
  EXPECT_EQ(result.err, "");
  struct stat info;
  ASSERT_EQ(stat(Path("key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  ASSERT_OK_AND_ASSIGN(
      core::crypto::PrivateKey key,
      core::crypto::PrivateKey::FromPem(ReadFile(Path("key"))));
  ASSERT_OK_AND_ASSIGN(
      core::crypto::PublicKey public_key,
      core::crypto::PublicKey::FromPem(ReadFile(Path("key.pub"))));
  EXPECT_EQ(key.type(), core::crypto::KeyType::kEd25519);
  EXPECT_EQ(public_key.key_id(), key.key_id());
  EXPECT_EQ(result.out, key.key_id() + "\n");
}

TEST_F(CliOfflineTest, KeygenEcdsaTypeMakesP256Key) {
  const CliResult result =
      RunCli({"keygen", "--out", Path("key"), "--type", "ecdsa-p256"});

  ASSERT_TRUE(result.exit.success()) << result.err;
  ASSERT_OK_AND_ASSIGN(
      core::crypto::PrivateKey key,
      core::crypto::PrivateKey::FromPem(ReadFile(Path("key"))));
  EXPECT_EQ(key.type(), core::crypto::KeyType::kEcdsaP256);
}

TEST_F(CliOfflineTest, KeygenRefusesToOverwriteAnExistingKey) {
  Keygen();
  const std::string before = ReadFile(Path("key"));

  const CliResult result = RunCli({"keygen", "--out", Path("key")});

  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.code, 2);
  EXPECT_THAT(result.err,
              AllOf(StartsWith("pedigree: "), HasSubstr("already exists")));
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(ReadFile(Path("key")), before);
}

TEST_F(CliOfflineTest, HashPrintsIndependentlyComputedDigestsAndRoot) {
  const auto files = MakeModel();
  std::string expected;
  std::string concatenated_digests;
  for (const auto& [name, content] : files) {
    const std::string hex = Sha256Hex(content);
    absl::StrAppend(&expected, hex, "  ", name, "\n");
    std::string raw;
    ASSERT_OK_AND_ASSIGN(raw, core::crypto::Sha256Digest(content));
    concatenated_digests += raw;
  }
  absl::StrAppend(&expected, "root sha256:", Sha256Hex(concatenated_digests),
                  "\n");

  const CliResult result = RunCli({"hash", Path("model")});

  ASSERT_TRUE(result.exit.success()) << result.exit.ToString() << result.err;
  EXPECT_EQ(result.out, expected);
  EXPECT_EQ(result.err, "");
}

TEST_F(CliOfflineTest, HashJsonOutputCarriesTheSameRootDigest) {
  const auto files = MakeModel();
  std::string concatenated_digests;
  for (const auto& [name, content] : files) {
    std::string raw;
    ASSERT_OK_AND_ASSIGN(raw, core::crypto::Sha256Digest(content));
    concatenated_digests += raw;
  }

  const CliResult result = RunCli({"hash", Path("model"), "--output", "json"});

  ASSERT_TRUE(result.exit.success()) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr(absl::StrCat("\"root_digest\":\"",
                                     Sha256Hex(concatenated_digests), "\"")));
}

TEST_F(CliOfflineTest, HashOfMissingDirectoryExitsTwoNamingIt) {
  const CliResult result = RunCli({"hash", Path("no-such-model")});

  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.code, 2);
  EXPECT_THAT(result.err, HasSubstr("no-such-model"));
  EXPECT_EQ(result.out, "");
}

TEST_F(CliOfflineTest, PublishDryRunPrintsEnvelopeThatVerifiesWithTheKey) {
  const auto files = MakeModel();
  const std::string key_id = Keygen();
  WriteFile(Path("meta.json"), kMeta);

  const CliResult result =
      RunCli({"publish", Path("model"), "--model", "acme-ai/Tiny-1B@v1",
              "--key", Path("key"), "--meta", Path("meta.json"), "--dry-run"});

  ASSERT_TRUE(result.exit.success()) << result.exit.ToString() << result.err;
  ASSERT_OK_AND_ASSIGN(core::dsse::Envelope envelope,
                       core::dsse::ParseEnvelope(result.out));
  ASSERT_OK_AND_ASSIGN(
      core::crypto::PublicKey public_key,
      core::crypto::PublicKey::FromPem(ReadFile(Path("key.pub"))));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> verified_by,
                       core::dsse::VerifyEnvelope(envelope, {&public_key}));
  EXPECT_THAT(verified_by, ::testing::ElementsAre(key_id));
  ASSERT_OK_AND_ASSIGN(core::record::Record record,
                       core::record::RecordFromEnvelope(envelope));
  EXPECT_EQ(core::record::ToString(record.model.ref), "acme-ai/Tiny-1B@v1");
  ASSERT_EQ(record.artifacts.files.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(record.artifacts.files[i].name, files[i].first);
    EXPECT_EQ(core::HexEncode(record.artifacts.files[i].sha256),
              Sha256Hex(files[i].second));
    EXPECT_EQ(record.artifacts.files[i].size, files[i].second.size());
  }
  EXPECT_EQ(record.artifacts.files[3].dtype, "bf16");
  EXPECT_EQ(record.lineage.size(), 1u);
}

TEST_F(CliOfflineTest, PublishEnvelopeOutWritesAVerifiableEnvelope) {
  MakeModel();
  Keygen();
  WriteFile(Path("meta.json"), kMeta);

  const CliResult result =
      RunCli({"publish", Path("model"), "--model", "acme-ai/Tiny-1B@v1",
              "--key", Path("key"), "--meta", Path("meta.json"), "--dry-run",
              "--envelope-out", Path("envelope.json")});

  ASSERT_TRUE(result.exit.success()) << result.err;
  ASSERT_OK_AND_ASSIGN(
      core::dsse::Envelope envelope,
      core::dsse::ParseEnvelope(ReadFile(Path("envelope.json"))));
  ASSERT_OK_AND_ASSIGN(
      core::crypto::PublicKey public_key,
      core::crypto::PublicKey::FromPem(ReadFile(Path("key.pub"))));
  EXPECT_THAT(core::dsse::VerifyEnvelope(envelope, {&public_key}), IsOk());
  ASSERT_OK_AND_ASSIGN(std::string digest,
                       core::record::RecordDigest(envelope));
  EXPECT_THAT(result.out, HasSubstr(digest));
}

TEST_F(CliOfflineTest, PublishWithUnknownMetaFieldExitsTwoNamingTheField) {
  MakeModel();
  Keygen();
  std::string meta = kMeta;
  meta.insert(1, "\"licence\": \"MIT\",");
  WriteFile(Path("meta.json"), meta);

  const CliResult result =
      RunCli({"publish", Path("model"), "--model", "acme-ai/Tiny-1B@v1",
              "--key", Path("key"), "--meta", Path("meta.json"), "--dry-run"});

  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.code, 2);
  EXPECT_EQ(result.err, "pedigree: meta.licence: unknown field\n");
  EXPECT_EQ(result.out, "");
}

TEST_F(CliOfflineTest, PublishWithBadLicenseExitsTwoNamingTheField) {
  MakeModel();
  Keygen();
  std::string meta = kMeta;
  meta.replace(meta.find("\"MIT\""), 5, "\"MIT-ish\"");
  WriteFile(Path("meta.json"), meta);

  const CliResult result =
      RunCli({"publish", Path("model"), "--model", "acme-ai/Tiny-1B@v1",
              "--key", Path("key"), "--meta", Path("meta.json"), "--dry-run"});

  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.code, 2);
  EXPECT_THAT(result.err, StartsWith("pedigree: meta.licenses.code: "));
  EXPECT_EQ(result.out, "");
}

TEST_F(CliOfflineTest, PublishOfMissingDirectoryExitsTwo) {
  Keygen();
  WriteFile(Path("meta.json"), kMeta);

  const CliResult result =
      RunCli({"publish", Path("no-such-model"), "--model", "acme-ai/Tiny-1B@v1",
              "--key", Path("key"), "--meta", Path("meta.json"), "--dry-run"});

  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.code, 2);
  EXPECT_THAT(result.err, HasSubstr("no-such-model"));
}

TEST_F(CliOfflineTest, PublishToUnreachableRegistryExitsThree) {
  MakeModel();
  Keygen();
  WriteFile(Path("meta.json"), kMeta);

  // Port 1 on loopback: nothing listens there.
  const CliResult result = RunCli(
      {"publish", Path("model"), "--model", "acme-ai/Tiny-1B@v1", "--key",
       Path("key"), "--meta", Path("meta.json"), "--server", "127.0.0.1:1"});

  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.code, 3);
  EXPECT_THAT(result.err, HasSubstr("cannot reach the registry"));
}

TEST_F(CliOfflineTest, UnknownFlagIsAUsageError) {
  const CliResult result = RunCli({"hash", Path("model"), "--frobnicate"});

  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.code, 2);
}

}  // namespace
}  // namespace pedigree
