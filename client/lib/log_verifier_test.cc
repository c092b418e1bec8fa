#include "client/lib/log_verifier.h"

#include <string>
#include <utility>
#include <vector>

#include "client/lib/log_test_util.h"
#include "core/encoding/hex.h"
#include "core/merkle/merkle_test_util.h"
#include "core/merkle/tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace testing_util;  // NOLINT(build/namespaces)

constexpr uint64_t kSize = 13;
constexpr uint64_t kIndex = 6;

class LogVerifierTest : public ::testing::Test {
 protected:
  LogVerifierTest()
      : signer_(NewLogSigner()),
        envelope_(SignedEnvelope(TestManifest(), NewKey())),
        tree_(TreeWithEnvelope(kSize, kIndex, envelope_)) {}

  LogVerifier Verifier() {
    absl::StatusOr<LogVerifier> verifier =
        LogVerifier::Create(signer_.VerifierKey());
    EXPECT_THAT(verifier, IsOk());
    return *std::move(verifier);
  }

  VerifiedCheckpoint Open(uint64_t size) {
    absl::StatusOr<VerifiedCheckpoint> checkpoint =
        Verifier().OpenCheckpoint(SignedCheckpoint(tree_, size, signer_));
    EXPECT_THAT(checkpoint, IsOk());
    return *std::move(checkpoint);
  }

  InclusionProof Proof(uint64_t index, uint64_t size) {
    return InclusionProof{index, size, tree_.Path(index, size)};
  }

  core::note::NoteSigner signer_;
  std::string envelope_;
  core::merkle::ReferenceTree tree_;
};

TEST(RecordLeafHashTest, IsTheRfc6962LeafHashOfTheRecordLogEntry) {
  ASSERT_OK_AND_ASSIGN(const std::string leaf, RecordLeafHash("{}"));

  // SHA-256(0x00 || "pedigree/log-entry/v1 record\n{}").
  ASSERT_OK_AND_ASSIGN(
      const std::string expected,
      core::merkle::HashLeaf(std::string("pedigree/log-entry/v1 record\n{}")));
  EXPECT_EQ(leaf, expected);
}

TEST(DecodeHexHashesTest, RefusesUppercaseAndShortHashes) {
  EXPECT_THAT(DecodeHexHashes({std::string(64, 'A')}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeHexHashes({std::string(62, 'a')}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeHexHashes({std::string(64, 'a')}), IsOk());
}

TEST_F(LogVerifierTest, CreateRefusesAMalformedKey) {
  EXPECT_THAT(LogVerifier::Create("not-a-key"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LogVerifierTest, OpenCheckpointAcceptsTheLogsNote) {
  const std::string note = SignedCheckpoint(tree_, kSize, signer_);

  ASSERT_OK_AND_ASSIGN(const VerifiedCheckpoint checkpoint,
                       Verifier().OpenCheckpoint(note));

  EXPECT_EQ(checkpoint.origin, kLogName);
  EXPECT_EQ(checkpoint.size, kSize);
  EXPECT_EQ(checkpoint.root_hash, tree_.RootHash(kSize));
  EXPECT_EQ(checkpoint.note, note);
}

TEST_F(LogVerifierTest, OpenCheckpointRefusesANoteSignedByAnotherKey) {
  const core::note::NoteSigner other = NewLogSigner();  // same name

  EXPECT_THAT(Verifier().OpenCheckpoint(SignedCheckpoint(tree_, kSize, other)),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(LogVerifierTest, OpenCheckpointRefusesAnotherOrigin) {
  const core::note::NoteSigner other = NewLogSigner("example.com/other-log");
  ASSERT_OK_AND_ASSIGN(LogVerifier verifier,
                       LogVerifier::Create(other.VerifierKey()));
  core::note::Checkpoint checkpoint{kLogName, kSize, tree_.RootHash(kSize), {}};
  // A note whose origin is not the key name, signed by hand.
  ASSERT_OK_AND_ASSIGN(const std::string text,
                       core::note::FormatCheckpoint(checkpoint));
  ASSERT_OK_AND_ASSIGN(const std::string note, other.Sign(text));

  EXPECT_THAT(verifier.OpenCheckpoint(note),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LogVerifierTest, OpenCheckpointRefusesAModifiedSize) {
  std::string note = SignedCheckpoint(tree_, kSize, signer_);
  note.replace(note.find("\n13\n"), 4, "\n12\n");

  EXPECT_THAT(Verifier().OpenCheckpoint(note),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(LogVerifierTest, VerifyRecordInclusionAcceptsTheRightProof) {
  const VerifiedCheckpoint checkpoint = Open(kSize);

  EXPECT_THAT(Verifier().VerifyRecordInclusion(checkpoint, Proof(kIndex, kSize),
                                               envelope_),
              IsOk());
}

TEST_F(LogVerifierTest, VerifyRecordInclusionRefusesATamperedEnvelope) {
  const VerifiedCheckpoint checkpoint = Open(kSize);
  std::string tampered = envelope_;
  tampered.back() = ' ';

  EXPECT_THAT(Verifier().VerifyRecordInclusion(checkpoint, Proof(kIndex, kSize),
                                               tampered),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogVerifierTest, VerifyRecordInclusionRefusesAnotherIndex) {
  const VerifiedCheckpoint checkpoint = Open(kSize);
  InclusionProof proof = Proof(kIndex, kSize);
  proof.log_index = kIndex + 1;

  EXPECT_THAT(Verifier().VerifyRecordInclusion(checkpoint, proof, envelope_),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("index 7")));
}

TEST_F(LogVerifierTest, VerifyRecordInclusionRefusesAProofForAnotherSize) {
  const VerifiedCheckpoint checkpoint = Open(kSize);

  EXPECT_THAT(Verifier().VerifyRecordInclusion(
                  checkpoint, Proof(kIndex, kSize - 1), envelope_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("tree size 12")));
}

TEST_F(LogVerifierTest, VerifyRecordInclusionRefusesAProofOfASmallerTree) {
  const VerifiedCheckpoint checkpoint = Open(kSize);
  InclusionProof proof = Proof(kIndex, kSize - 1);
  proof.tree_size = kSize;  // lies about its size

  EXPECT_THAT(Verifier().VerifyRecordInclusion(checkpoint, proof, envelope_),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogVerifierTest, VerifyRecordInclusionRefusesEveryFlippedBit) {
  const VerifiedCheckpoint checkpoint = Open(kSize);
  const InclusionProof proof = Proof(kIndex, kSize);

  for (size_t h = 0; h < proof.hashes.size(); ++h) {
    for (size_t bit = 0; bit < 8 * core::merkle::kHashSize; bit += 37) {
      InclusionProof flipped = proof;
      flipped.hashes[h][bit / 8] ^= static_cast<char>(1 << (bit % 8));
      EXPECT_THAT(
          Verifier().VerifyRecordInclusion(checkpoint, flipped, envelope_),
          StatusIs(absl::StatusCode::kDataLoss))
          << "hash " << h << " bit " << bit;
    }
  }
}

TEST_F(LogVerifierTest, VerifyRecordInclusionRefusesATruncatedProof) {
  const VerifiedCheckpoint checkpoint = Open(kSize);
  InclusionProof proof = Proof(kIndex, kSize);
  proof.hashes.pop_back();

  EXPECT_THAT(Verifier().VerifyRecordInclusion(checkpoint, proof, envelope_),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogVerifierTest, VerifyRecordInclusionRefusesAnExtendedProof) {
  const VerifiedCheckpoint checkpoint = Open(kSize);
  InclusionProof proof = Proof(kIndex, kSize);
  proof.hashes.push_back(proof.hashes.back());

  EXPECT_THAT(Verifier().VerifyRecordInclusion(checkpoint, proof, envelope_),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogVerifierTest, VerifyInclusionRefusesAShortHash) {
  const VerifiedCheckpoint checkpoint = Open(kSize);
  InclusionProof proof = Proof(kIndex, kSize);
  proof.hashes[0].pop_back();

  EXPECT_THAT(Verifier().VerifyRecordInclusion(checkpoint, proof, envelope_),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LogVerifierTest, VerifyConsistencyAcceptsAGrownTree) {
  const VerifiedCheckpoint older = Open(5);
  const VerifiedCheckpoint newer = Open(kSize);

  EXPECT_THAT(Verifier().VerifyConsistency(older, newer, tree_.Proof(5, kSize)),
              IsOk());
}

TEST_F(LogVerifierTest, VerifyConsistencyAcceptsEqualCheckpoints) {
  EXPECT_THAT(Verifier().VerifyConsistency(Open(kSize), Open(kSize), {}),
              IsOk());
}

TEST_F(LogVerifierTest, VerifyConsistencyRefusesAForkOfTheSameSize) {
  const VerifiedCheckpoint ours = Open(kSize);
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < kSize; ++i) {
    leaves.push_back(core::merkle::TestLeafHash(i + 100));
  }
  const core::merkle::ReferenceTree fork(std::move(leaves));
  ASSERT_OK_AND_ASSIGN(
      const VerifiedCheckpoint theirs,
      Verifier().OpenCheckpoint(SignedCheckpoint(fork, kSize, signer_)));

  EXPECT_THAT(
      Verifier().VerifyConsistency(ours, theirs, {}),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("size 13, root " +
                               core::HexEncode(tree_.RootHash(kSize))),
                     HasSubstr(core::HexEncode(fork.RootHash(kSize))))));
}

TEST_F(LogVerifierTest, VerifyConsistencyRefusesARewrittenPrefix) {
  const VerifiedCheckpoint older = Open(5);
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < kSize; ++i) {
    leaves.push_back(core::merkle::TestLeafHash(i == 2 ? 999 : i));
  }
  const core::merkle::ReferenceTree rewritten(std::move(leaves));
  ASSERT_OK_AND_ASSIGN(
      const VerifiedCheckpoint newer,
      Verifier().OpenCheckpoint(SignedCheckpoint(rewritten, kSize, signer_)));

  EXPECT_THAT(
      Verifier().VerifyConsistency(older, newer, rewritten.Proof(5, kSize)),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("size 5"), HasSubstr("size 13"))));
}

TEST_F(LogVerifierTest, VerifyConsistencyRefusesAFlippedBit) {
  std::vector<std::string> proof = tree_.Proof(5, kSize);
  proof[1][3] ^= 0x10;

  EXPECT_THAT(Verifier().VerifyConsistency(Open(5), Open(kSize), proof),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogVerifierTest, VerifyConsistencyRefusesAProofForOtherSizes) {
  EXPECT_THAT(
      Verifier().VerifyConsistency(Open(5), Open(kSize), tree_.Proof(6, kSize)),
      StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogVerifierTest, VerifyConsistencyRefusesOlderLargerThanNewer) {
  EXPECT_THAT(Verifier().VerifyConsistency(Open(kSize), Open(5), {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pedigree::client
