#include "client/lib/verify.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

namespace rec = core::record;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

core::manifest::ManifestEntry Entry(std::string name, char fill) {
  core::manifest::ManifestEntry entry;
  entry.name = std::move(name);
  entry.digest = rec::FilledBytes(fill);
  entry.size = 10;
  return entry;
}

core::manifest::Manifest MakeManifest(
    std::vector<core::manifest::ManifestEntry> entries) {
  absl::StatusOr<core::manifest::Manifest> manifest =
      core::manifest::Manifest::Create(std::move(entries));
  EXPECT_THAT(manifest, testing::IsOk());
  return *std::move(manifest);
}

// The published files: a.bin and b.bin.
core::manifest::Manifest PublishedManifest() {
  return MakeManifest({Entry("a.bin", 'a'), Entry("b.bin", 'b')});
}

rec::Record RecordOf(const core::manifest::Manifest& manifest) {
  rec::Record record = rec::MinimalRecordForTest();
  record.model.ref = rec::ModelRef{"acme", "base", "v1"};
  record.artifacts.files.clear();
  for (const core::manifest::ManifestEntry& entry : manifest.entries()) {
    rec::ArtifactFile file;
    file.name = entry.name;
    file.sha256 = entry.digest;
    file.size = entry.size;
    record.artifacts.files.push_back(std::move(file));
  }
  record.artifacts.root_digest = manifest.RootDigest();
  return record;
}

SignerKey KeyClaim(const core::crypto::PrivateKey& key,
                   std::string namespace_name = "acme", bool active = true) {
  SignerKey claim;
  claim.key_id = key.key_id();
  claim.namespace_name = std::move(namespace_name);
  claim.public_key_pem = key.public_key().ToPem();
  claim.active = active;
  return claim;
}

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(key_, core::crypto::PrivateKey::Generate(
                                   core::crypto::KeyType::kEd25519));
    ASSERT_OK_AND_ASSIGN(other_key_, core::crypto::PrivateKey::Generate(
                                         core::crypto::KeyType::kEd25519));
  }

  // An answer for the published files signed by `signer`, listing `claims`.
  RegistryAnswer Answer(const rec::Record& record,
                        const core::crypto::PrivateKey& signer,
                        std::vector<SignerKey> claims) {
    absl::StatusOr<core::dsse::Envelope> envelope =
        rec::SignRecord(record, {&signer});
    EXPECT_THAT(envelope, testing::IsOk());
    RegistryAnswer answer;
    answer.envelope = core::dsse::SerializeEnvelope(*envelope);
    answer.signers = std::move(claims);
    answer.registry_says_match = true;
    return answer;
  }

  RegistryAnswer GoodAnswer() {
    return Answer(RecordOf(PublishedManifest()), *key_, {KeyClaim(*key_)});
  }

  absl::StatusOr<Verification> Verify(
      const core::manifest::Manifest& local, const RegistryAnswer& answer,
      std::optional<rec::ModelRef> ref = rec::ModelRef{"acme", "base", "v1"}) {
    return VerifyAgainstRecord(local, answer, ref);
  }

  std::optional<core::crypto::PrivateKey> key_;
  std::optional<core::crypto::PrivateKey> other_key_;
};

TEST_F(VerifyTest, MatchingFilesAndActiveKeyVerify) {
  const RegistryAnswer answer = GoodAnswer();

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_TRUE(result.verified);
  EXPECT_THAT(result.problems, IsEmpty());
  EXPECT_EQ(result.ref, "acme/base@v1");
  EXPECT_EQ(result.signer_key_id, key_->key_id());
  EXPECT_EQ(result.root_digest, result.local_root_digest);
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_EQ(result.files[0].path, "a.bin");
  EXPECT_EQ(result.files[0].verdict, FileVerdict::kMatch);
  EXPECT_EQ(result.files[1].verdict, FileVerdict::kMatch);
}

TEST_F(VerifyTest, VerifiesWithoutExpectedRef) {
  const RegistryAnswer answer = GoodAnswer();

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer, std::nullopt));

  EXPECT_TRUE(result.verified);
}

TEST_F(VerifyTest, ExpectedRefComparesNamespaceAndNameIgnoringCase) {
  const RegistryAnswer answer = GoodAnswer();

  ASSERT_OK_AND_ASSIGN(
      Verification result,
      Verify(PublishedManifest(), answer, rec::ModelRef{"ACME", "Base", "v1"}));

  EXPECT_TRUE(result.verified);
}

TEST_F(VerifyTest, BadSignatureFails) {
  RegistryAnswer answer = GoodAnswer();
  absl::StatusOr<core::dsse::Envelope> envelope =
      core::dsse::ParseEnvelope(answer.envelope);
  ASSERT_THAT(envelope, testing::IsOk());
  envelope->signatures[0].sig[0] ^= 0x01;
  answer.envelope = core::dsse::SerializeEnvelope(*envelope);

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems, ElementsAre(HasSubstr("BAD SIGNATURE")));
  EXPECT_THAT(result.files, IsEmpty());
}

TEST_F(VerifyTest, SignatureByUnlistedKeyFails) {
  const RegistryAnswer answer =
      Answer(RecordOf(PublishedManifest()), *other_key_, {KeyClaim(*key_)});

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems, ElementsAre(HasSubstr("BAD SIGNATURE")));
}

TEST_F(VerifyTest, RevokedSignerKeyFails) {
  const RegistryAnswer answer =
      Answer(RecordOf(PublishedManifest()), *key_,
             {KeyClaim(*key_, "acme", /*active=*/false)});

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems,
              ElementsAre(HasSubstr("INACTIVE KEY " + key_->key_id())));
}

TEST_F(VerifyTest, KeyWhoseIdIsNotItsSpkiHashIsIgnoredAndFails) {
  SignerKey claim = KeyClaim(*key_);
  claim.key_id = other_key_->key_id();
  const RegistryAnswer answer =
      Answer(RecordOf(PublishedManifest()), *key_, {claim});

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems,
              ElementsAre(HasSubstr("KEY ID MISMATCH " + other_key_->key_id()),
                          HasSubstr("BAD SIGNATURE")));
}

TEST_F(VerifyTest, KeyIdMismatchFailsEvenIfAnotherKeyVerifies) {
  SignerKey bad = KeyClaim(*other_key_);
  bad.key_id = std::string(64, '0');
  const RegistryAnswer answer =
      Answer(RecordOf(PublishedManifest()), *key_, {KeyClaim(*key_), bad});

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems, ElementsAre(HasSubstr("KEY ID MISMATCH")));
}

TEST_F(VerifyTest, KeyOfAnotherNamespaceFails) {
  const RegistryAnswer answer = Answer(RecordOf(PublishedManifest()), *key_,
                                       {KeyClaim(*key_, "mallory")});

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems, ElementsAre(HasSubstr("WRONG NAMESPACE")));
}

TEST_F(VerifyTest, UnparsablePemIsReportedAndFails) {
  SignerKey claim = KeyClaim(*key_);
  claim.public_key_pem = "not a pem";
  const RegistryAnswer answer =
      Answer(RecordOf(PublishedManifest()), *key_, {claim});

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems,
              ElementsAre(HasSubstr("BAD KEY"), HasSubstr("BAD SIGNATURE")));
}

TEST_F(VerifyTest, MalformedEnvelopeFails) {
  RegistryAnswer answer = GoodAnswer();
  answer.envelope = "{}";

  ASSERT_OK_AND_ASSIGN(Verification result,
                       Verify(PublishedManifest(), answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems, ElementsAre(HasSubstr("BAD ENVELOPE")));
}

TEST_F(VerifyTest, RecordForAnotherRefFails) {
  const RegistryAnswer answer = GoodAnswer();

  ASSERT_OK_AND_ASSIGN(
      Verification result,
      Verify(PublishedManifest(), answer, rec::ModelRef{"acme", "base", "v2"}));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems,
              ElementsAre(HasSubstr("WRONG REF the record is for acme/base@v1, "
                                    "not acme/base@v2")));
}

TEST_F(VerifyTest, RegistryClaimOfMatchIsNotTrustedWhenDigestDiffers) {
  const RegistryAnswer answer = GoodAnswer();  // registry_says_match = true
  const core::manifest::Manifest local =
      MakeManifest({Entry("a.bin", 'a'), Entry("b.bin", 'X')});

  ASSERT_OK_AND_ASSIGN(Verification result, Verify(local, answer));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems, ElementsAre("MISMATCH b.bin"));
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_EQ(result.files[1].verdict, FileVerdict::kDigestMismatch);
  std::string hex_b;
  for (int i = 0; i < 32; ++i) hex_b += "62";
  EXPECT_EQ(result.files[1].expected_sha256, hex_b);
}

TEST_F(VerifyTest, MissingFileFails) {
  const core::manifest::Manifest local = MakeManifest({Entry("a.bin", 'a')});

  ASSERT_OK_AND_ASSIGN(Verification result, Verify(local, GoodAnswer()));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems, ElementsAre("MISSING b.bin"));
  EXPECT_EQ(result.files[1].verdict, FileVerdict::kMissing);
  EXPECT_EQ(result.files[1].actual_sha256, "");
}

TEST_F(VerifyTest, UnexpectedExtraFileFails) {
  const core::manifest::Manifest local = MakeManifest(
      {Entry("a.bin", 'a'), Entry("b.bin", 'b'), Entry("c.bin", 'c')});

  ASSERT_OK_AND_ASSIGN(Verification result, Verify(local, GoodAnswer()));

  EXPECT_FALSE(result.verified);
  EXPECT_THAT(result.problems, ElementsAre("UNEXPECTED c.bin"));
  EXPECT_EQ(result.files[2].verdict, FileVerdict::kUnexpected);
  EXPECT_EQ(result.files[2].expected_sha256, "");
}

TEST_F(VerifyTest, FileVerdictNamesAreStable) {
  EXPECT_STREQ(FileVerdictName(FileVerdict::kMatch), "match");
  EXPECT_STREQ(FileVerdictName(FileVerdict::kDigestMismatch), "mismatch");
  EXPECT_STREQ(FileVerdictName(FileVerdict::kMissing), "missing");
  EXPECT_STREQ(FileVerdictName(FileVerdict::kUnexpected), "unexpected");
}

}  // namespace
}  // namespace pedigree::client
