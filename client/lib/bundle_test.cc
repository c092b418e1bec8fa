#include "client/lib/bundle.h"

#include <string>
#include <utility>
#include <vector>

#include "client/lib/log_test_util.h"
#include "core/encoding/base64.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::json;
using namespace testing_util;  // NOLINT(build/namespaces)

constexpr uint64_t kSize = 9;
constexpr uint64_t kIndex = 4;

class BundleTest : public ::testing::Test {
 protected:
  BundleTest()
      : publisher_(NewKey()),
        signer_(NewLogSigner()),
        manifest_(TestManifest()),
        envelope_(SignedEnvelope(manifest_, publisher_)),
        tree_(TreeWithEnvelope(kSize, kIndex, envelope_)) {
    bundle_.ref = "acme/base@v1";
    bundle_.envelope = envelope_;
    bundle_.signer_public_keys = {publisher_.public_key().ToPem()};
    bundle_.proof = InclusionProof{kIndex, kSize, tree_.Path(kIndex, kSize)};
    bundle_.checkpoint = SignedCheckpoint(tree_, kSize, signer_);
  }

  BundleVerification Verify(const Bundle& bundle,
                            const core::manifest::Manifest& local,
                            const core::crypto::PublicKey& trusted) {
    absl::StatusOr<LogVerifier> log =
        LogVerifier::Create(signer_.VerifierKey());
    EXPECT_THAT(log, IsOk());
    absl::StatusOr<BundleVerification> result =
        VerifyBundle(bundle, local, {trusted}, *log, std::nullopt);
    EXPECT_THAT(result, IsOk());
    return *std::move(result);
  }

  BundleVerification Verify(const Bundle& bundle) {
    return Verify(bundle, manifest_, publisher_.public_key());
  }

  // The serialized bundle as JSON, for tests that damage one field.
  Json BundleJson() {
    return Json::parse(SerializeBundle(bundle_), nullptr, false);
  }

  core::crypto::PrivateKey publisher_;
  core::note::NoteSigner signer_;
  core::manifest::Manifest manifest_;
  std::string envelope_;
  core::merkle::ReferenceTree tree_;
  Bundle bundle_;
};

TEST_F(BundleTest, SerializeThenParseRoundTrips) {
  ASSERT_OK_AND_ASSIGN(const Bundle parsed,
                       ParseBundle(SerializeBundle(bundle_)));

  EXPECT_EQ(parsed.envelope, bundle_.envelope);
  EXPECT_EQ(parsed.ref, bundle_.ref);
  EXPECT_EQ(parsed.signer_public_keys, bundle_.signer_public_keys);
  EXPECT_EQ(parsed.proof.log_index, kIndex);
  EXPECT_EQ(parsed.proof.tree_size, kSize);
  EXPECT_EQ(parsed.proof.hashes, bundle_.proof.hashes);
  EXPECT_EQ(parsed.checkpoint, bundle_.checkpoint);
}

TEST_F(BundleTest, SerializeWritesTheDocumentedFields) {
  const Json json = BundleJson();

  ASSERT_TRUE(json.is_object());
  EXPECT_EQ(json.value("media_type", ""),
            "application/vnd.pedigree.bundle.v1+json");
  EXPECT_EQ(json.value("envelope", ""), core::Base64Encode(envelope_));
  EXPECT_EQ(json.value("log_index", 0u), kIndex);
  EXPECT_EQ(json.value("tree_size", 0u), kSize);
  EXPECT_EQ(json["inclusion_proof"].size(), bundle_.proof.hashes.size());
}

TEST_F(BundleTest, ParseRefusesNonJson) {
  EXPECT_THAT(ParseBundle("not json"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(BundleTest, ParseRefusesAnotherMediaType) {
  Json json = BundleJson();
  json["media_type"] = "application/vnd.pedigree.bundle.v2+json";

  EXPECT_THAT(
      ParseBundle(json.dump()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("media_type")));
}

TEST_F(BundleTest, ParseRefusesAnUnknownField) {
  Json json = BundleJson();
  json["extra"] = 1;

  EXPECT_THAT(ParseBundle(json.dump()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("extra")));
}

TEST_F(BundleTest, ParseRefusesEachMissingRequiredField) {
  for (const char* field : {"media_type", "envelope", "log_index", "tree_size",
                            "inclusion_proof", "checkpoint"}) {
    Json json = BundleJson();
    json.erase(field);

    EXPECT_THAT(ParseBundle(json.dump()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)))
        << field;
  }
}

TEST_F(BundleTest, ParseRefusesANegativeIndex) {
  Json json = BundleJson();
  json["log_index"] = -1;

  EXPECT_THAT(
      ParseBundle(json.dump()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("log_index")));
}

TEST_F(BundleTest, ParseRefusesAnIndexGivenAsAString) {
  Json json = BundleJson();
  json["tree_size"] = "9";

  EXPECT_THAT(
      ParseBundle(json.dump()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tree_size")));
}

TEST_F(BundleTest, ParseRefusesBadBase64Envelope) {
  Json json = BundleJson();
  json["envelope"] = "@@@@";

  EXPECT_THAT(
      ParseBundle(json.dump()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("envelope")));
}

TEST_F(BundleTest, ParseRefusesAnUppercaseHexHash) {
  Json json = BundleJson();
  json["inclusion_proof"][0] = std::string(64, 'A');

  EXPECT_THAT(ParseBundle(json.dump()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("inclusion_proof")));
}

TEST_F(BundleTest, VerifyAcceptsTheBundle) {
  const BundleVerification result = Verify(bundle_);

  EXPECT_TRUE(result.verification.verified)
      << ::testing::PrintToString(result.verification.problems);
  EXPECT_TRUE(result.log_verified);
  EXPECT_EQ(result.log_index, kIndex);
  EXPECT_EQ(result.checkpoint.size, kSize);
  EXPECT_EQ(result.verification.ref, "acme/base@v1");
}

TEST_F(BundleTest, VerifyRefusesATamperedEnvelope) {
  Bundle bundle = bundle_;
  bundle.envelope.insert(bundle.envelope.size() - 1, " ");

  const BundleVerification result = Verify(bundle);

  EXPECT_FALSE(result.verification.verified);
  EXPECT_FALSE(result.log_verified);
  EXPECT_THAT(result.verification.problems,
              ::testing::Contains(StartsWith("LOG INCLUSION")));
}

TEST_F(BundleTest, VerifyRefusesAnotherTrustedKey) {
  const core::crypto::PrivateKey other = NewKey();

  const BundleVerification result =
      Verify(bundle_, manifest_, other.public_key());

  EXPECT_FALSE(result.verification.verified);
  EXPECT_THAT(result.verification.problems,
              ElementsAre(StartsWith("BAD SIGNATURE")));
}

TEST_F(BundleTest, VerifyNeverTrustsTheBundlesOwnKeys) {
  // Re-signed by an attacker who also ships their key in the bundle.
  const core::crypto::PrivateKey attacker = NewKey();
  Bundle bundle = bundle_;
  bundle.envelope = SignedEnvelope(manifest_, attacker);
  bundle.signer_public_keys = {attacker.public_key().ToPem()};

  const BundleVerification result = Verify(bundle);

  EXPECT_FALSE(result.verification.verified);
  EXPECT_THAT(result.verification.problems,
              ::testing::Contains(StartsWith("BAD SIGNATURE")));
}

TEST_F(BundleTest, VerifyRefusesAProofForAnotherIndex) {
  Bundle bundle = bundle_;
  bundle.proof.log_index = kIndex + 1;

  const BundleVerification result = Verify(bundle);

  EXPECT_FALSE(result.verification.verified);
  EXPECT_THAT(result.verification.problems,
              ElementsAre(StartsWith("LOG INCLUSION")));
}

TEST_F(BundleTest, VerifyRefusesAProofForAnotherSize) {
  Bundle bundle = bundle_;
  bundle.proof =
      InclusionProof{kIndex, kSize - 1, tree_.Path(kIndex, kSize - 1)};

  const BundleVerification result = Verify(bundle);

  EXPECT_FALSE(result.verification.verified);
  EXPECT_THAT(result.verification.problems,
              ElementsAre(StartsWith("LOG INCLUSION")));
}

TEST_F(BundleTest, VerifyRefusesAFlippedProofBit) {
  Bundle bundle = bundle_;
  bundle.proof.hashes[1][0] ^= 0x01;

  const BundleVerification result = Verify(bundle);

  EXPECT_FALSE(result.verification.verified);
  EXPECT_THAT(result.verification.problems,
              ElementsAre(StartsWith("LOG INCLUSION")));
}

TEST_F(BundleTest, VerifyRefusesACheckpointSignedByAnotherKey) {
  Bundle bundle = bundle_;
  bundle.checkpoint = SignedCheckpoint(tree_, kSize, NewLogSigner());

  const BundleVerification result = Verify(bundle);

  EXPECT_FALSE(result.verification.verified);
  EXPECT_FALSE(result.log_verified);
  EXPECT_THAT(result.verification.problems,
              ElementsAre(StartsWith("LOG CHECKPOINT")));
}

TEST_F(BundleTest, VerifyRefusesAModifiedFile) {
  std::vector<core::manifest::ManifestEntry> entries = manifest_.entries();
  entries[0].digest[0] ^= 0x01;
  ASSERT_OK_AND_ASSIGN(core::manifest::Manifest local,
                       core::manifest::Manifest::Create(std::move(entries)));

  const BundleVerification result =
      Verify(bundle_, local, publisher_.public_key());

  EXPECT_FALSE(result.verification.verified);
  EXPECT_TRUE(result.log_verified);
  EXPECT_THAT(result.verification.problems, ElementsAre("MISMATCH a.bin"));
}

TEST_F(BundleTest, VerifyRefusesAMissingFile) {
  std::vector<core::manifest::ManifestEntry> entries = manifest_.entries();
  entries.pop_back();
  ASSERT_OK_AND_ASSIGN(core::manifest::Manifest local,
                       core::manifest::Manifest::Create(std::move(entries)));

  const BundleVerification result =
      Verify(bundle_, local, publisher_.public_key());

  EXPECT_FALSE(result.verification.verified);
  EXPECT_THAT(result.verification.problems, ElementsAre("MISSING b.bin"));
}

}  // namespace
}  // namespace pedigree::client
