#include "core/merkle/verify.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/merkle/merkle_test_util.h"
#include "core/merkle/tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::merkle {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> UnhexAll(const std::vector<std::string>& hex) {
  std::vector<std::string> bytes;
  for (const std::string& h : hex) bytes.push_back(Unhex(h));
  return bytes;
}

std::string FlipBit(std::string hash, size_t bit) {
  hash[bit / 8] = static_cast<char>(hash[bit / 8] ^ (1 << (bit % 8)));
  return hash;
}

std::vector<std::string> Appended(std::vector<std::string> proof,
                                  std::string entry) {
  proof.push_back(std::move(entry));
  return proof;
}

std::vector<std::string> Prepended(std::vector<std::string> proof,
                                   std::string entry) {
  proof.insert(proof.begin(), std::move(entry));
  return proof;
}

const auto kRejected = AnyOf(StatusIs(absl::StatusCode::kInvalidArgument),
                             StatusIs(absl::StatusCode::kFailedPrecondition));

// Leaf 5 of the 8-leaf reference tree and its known proof.
struct InclusionFixture {
  uint64_t index = 5;
  uint64_t size = 8;
  std::string leaf = ReferenceLeafHashes()[5];
  std::vector<std::string> proof =
      UnhexAll(ReferenceInclusionProofs()[1].proof_hex);
  std::string root = Unhex(kReferenceRootsHex[7]);
};

// The reference tree's known proof from size 6 to size 8.
struct ConsistencyFixture {
  uint64_t size1 = 6;
  uint64_t size2 = 8;
  std::vector<std::string> proof =
      UnhexAll(ReferenceConsistencyProofs()[1].proof_hex);
  std::string root1 = Unhex(kReferenceRootsHex[5]);
  std::string root2 = Unhex(kReferenceRootsHex[7]);
};

TEST(VerifyInclusionTest, FixturesAreTheKnownProofs) {
  const InclusionFixture f;
  const ConsistencyFixture c;

  EXPECT_EQ(ReferenceInclusionProofs()[1].index, f.index);
  EXPECT_EQ(ReferenceInclusionProofs()[1].size, f.size);
  EXPECT_EQ(ReferenceConsistencyProofs()[1].size1, c.size1);
  EXPECT_EQ(ReferenceConsistencyProofs()[1].size2, c.size2);
}

TEST(VerifyInclusionTest, AcceptsKnownAnswerProofs) {
  const std::vector<std::string> leaves = ReferenceLeafHashes();

  for (const KnownInclusionProof& known : ReferenceInclusionProofs()) {
    const std::vector<std::string> proof = UnhexAll(known.proof_hex);
    const std::string root = Unhex(kReferenceRootsHex[known.size - 1]);

    EXPECT_OK(VerifyInclusion(known.index, known.size, leaves[known.index],
                              proof, root))
        << "index " << known.index << " size " << known.size;
    EXPECT_THAT(RootFromInclusionProof(known.index, known.size,
                                       leaves[known.index], proof),
                IsOkAndHolds(root));
  }
}

TEST(VerifyInclusionTest, SingleLeafTreeNeedsEmptyProofAndLeafAsRoot) {
  const std::string leaf = TestLeafHash(0);

  EXPECT_OK(VerifyInclusion(0, 1, leaf, {}, leaf));
  EXPECT_THAT(VerifyInclusion(0, 1, leaf, {}, TestLeafHash(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(VerifyInclusion(0, 1, leaf, {leaf}, leaf),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(VerifyInclusionTest, RejectsWrongIndex) {
  const InclusionFixture f;

  for (uint64_t index : {f.index - 1, f.index + 1, f.index ^ 2, uint64_t{0}}) {
    EXPECT_THAT(VerifyInclusion(index, f.size, f.leaf, f.proof, f.root),
                StatusIs(absl::StatusCode::kFailedPrecondition))
        << index;
  }
}

TEST(VerifyInclusionTest, RejectsWrongSize) {
  const InclusionFixture f;

  for (uint64_t size : {uint64_t{6}, uint64_t{9}, uint64_t{16}}) {
    EXPECT_THAT(VerifyInclusion(f.index, size, f.leaf, f.proof, f.root),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << size;
  }
}

// Leaf 5's path has the same shape in trees of 7 and 8 leaves, so the hashes
// alone cannot tell the sizes apart: the size must come with the root from
// one signed checkpoint (see verify.h).
TEST(VerifyInclusionTest, SameShapeSizeVerifiesSoSizeMustComeWithTheRoot) {
  const InclusionFixture f;

  EXPECT_OK(VerifyInclusion(f.index, 7, f.leaf, f.proof, f.root));
}

TEST(VerifyInclusionTest, RejectsIndexNotLessThanSize) {
  const InclusionFixture f;

  EXPECT_THAT(VerifyInclusion(8, 8, f.leaf, f.proof, f.root),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 8 is not less than tree size 8")));
  EXPECT_THAT(VerifyInclusion(9, 8, f.leaf, f.proof, f.root),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(0, 0, f.leaf, {}, EmptyTreeRoot()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(VerifyInclusionTest, RejectsTruncatedProof) {
  const InclusionFixture f;
  std::vector<std::string> truncated = f.proof;

  truncated.pop_back();

  EXPECT_THAT(
      VerifyInclusion(f.index, f.size, f.leaf, truncated, f.root),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("inclusion proof has 2 entries, want 3 for leaf "
                         "index 5 in tree size 8")));
  EXPECT_THAT(VerifyInclusion(f.index, f.size, f.leaf, {}, f.root),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(VerifyInclusionTest, RejectsExtendedProof) {
  const InclusionFixture f;

  for (const std::vector<std::string>& extended :
       {Appended(f.proof, f.root), Appended(f.proof, f.proof.back()),
        Prepended(f.proof, f.leaf), Prepended(f.proof, f.proof.front())}) {
    EXPECT_THAT(VerifyInclusion(f.index, f.size, f.leaf, extended, f.root),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("has 4 entries, want 3")));
  }
}

TEST(VerifyInclusionTest, RejectsProofWithAnyBitFlipped) {
  const InclusionFixture f;

  for (size_t entry = 0; entry < f.proof.size(); ++entry) {
    for (size_t bit = 0; bit < 8 * kHashSize; ++bit) {
      std::vector<std::string> tampered = f.proof;
      tampered[entry] = FlipBit(tampered[entry], bit);

      ASSERT_THAT(VerifyInclusion(f.index, f.size, f.leaf, tampered, f.root),
                  StatusIs(absl::StatusCode::kFailedPrecondition,
                           HasSubstr("inclusion proof does not verify")))
          << "entry " << entry << " bit " << bit;
    }
  }
}

TEST(VerifyInclusionTest, RejectsProofWithEntriesSwapped) {
  const InclusionFixture f;
  std::vector<std::string> swapped = f.proof;

  std::swap(swapped[0], swapped[1]);

  EXPECT_THAT(VerifyInclusion(f.index, f.size, f.leaf, swapped, f.root),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(VerifyInclusionTest, RejectsWrongLeaf) {
  const InclusionFixture f;

  for (const std::string& leaf : {ReferenceLeafHashes()[4], FlipBit(f.leaf, 0),
                                  FlipBit(f.leaf, 255), f.root}) {
    EXPECT_THAT(VerifyInclusion(f.index, f.size, leaf, f.proof, f.root),
                StatusIs(absl::StatusCode::kFailedPrecondition));
  }
}

TEST(VerifyInclusionTest, RejectsWrongRootWithClearMessage) {
  const InclusionFixture f;

  for (const std::string& root :
       {EmptyTreeRoot(), Unhex(kReferenceRootsHex[6]), FlipBit(f.root, 77)}) {
    EXPECT_THAT(
        VerifyInclusion(f.index, f.size, f.leaf, f.proof, root),
        StatusIs(absl::StatusCode::kFailedPrecondition,
                 HasSubstr("inclusion proof does not verify for leaf index 5 "
                           "in tree size 8: root: computed 5dc9da79")));
  }
}

TEST(VerifyInclusionTest, RejectsHashesOfWrongSize) {
  const InclusionFixture f;
  const std::string short_hash(31, 'x');
  const std::string long_hash(33, 'x');

  for (const std::string& bad : {short_hash, long_hash, std::string()}) {
    std::vector<std::string> bad_entry = f.proof;
    bad_entry[1] = bad;

    EXPECT_THAT(VerifyInclusion(f.index, f.size, bad, f.proof, f.root),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("leaf hash has")));
    EXPECT_THAT(VerifyInclusion(f.index, f.size, f.leaf, f.proof, bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("root hash has")));
    EXPECT_THAT(VerifyInclusion(f.index, f.size, f.leaf, bad_entry, f.root),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("inclusion proof entry 1 has")));
  }
}

TEST(VerifyInclusionTest, RejectsOversizedProofBeforeHashing) {
  const InclusionFixture f;
  const std::vector<std::string> huge(1000, f.leaf);

  EXPECT_THAT(VerifyInclusion(f.index, f.size, f.leaf, huge, f.root),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 1000 entries, want 3")));
}

TEST(VerifyInclusionTest, RootFromInclusionProofRejectsMalformedInput) {
  const InclusionFixture f;

  EXPECT_THAT(RootFromInclusionProof(8, 8, f.leaf, f.proof),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RootFromInclusionProof(f.index, f.size, "short", f.proof),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RootFromInclusionProof(f.index, f.size, f.leaf, {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// For every tree up to 40 leaves and every leaf: the RFC 9162 proof is
// accepted, and each corruption of it is rejected, by our verifier and by
// the RFC's step-by-step algorithm alike.
TEST(VerifyInclusionTest, AgreesWithRfcAlgorithmOnEveryProofUpToSize40) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(41);

  for (uint64_t size = 1; size <= 40; ++size) {
    const std::string root = reference.RootHash(size);
    for (uint64_t index = 0; index < size; ++index) {
      const std::string& leaf = reference.leaf_hash(index);
      const std::vector<std::string> proof = reference.Path(index, size);
      SCOPED_TRACE(::testing::Message()
                   << "index " << index << " size " << size);
      ASSERT_OK(VerifyInclusion(index, size, leaf, proof, root));
      ASSERT_TRUE(RfcVerifyInclusion(index, size, leaf, proof, root));

      struct Probe {
        uint64_t index;
        uint64_t size;
        std::string leaf;
        std::vector<std::string> proof;
        std::string root;
      };
      std::vector<Probe> probes = {
          {index, size, reference.leaf_hash(index + 1), proof, root},
          {index, size, leaf, proof, reference.RootHash(size + 1)},
          {index, size * 2, leaf, proof, root},
          {index, size, leaf, Appended(proof, root), root},
          {index, size, leaf, Prepended(proof, leaf), root},
      };
      for (uint64_t other :
           {index - 1, index + 1, index ^ 2, size - 1 - index}) {
        if (other != index && other < size) {
          probes.push_back({other, size, leaf, proof, root});
        }
      }
      if (!proof.empty()) {
        std::vector<std::string> truncated = proof;
        truncated.pop_back();
        probes.push_back({index, size, leaf, truncated, root});
      }
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<std::string> flipped = proof;
        flipped[i] = FlipBit(flipped[i], 3 + 8 * i);
        probes.push_back({index, size, leaf, flipped, root});
      }

      for (const Probe& p : probes) {
        EXPECT_THAT(VerifyInclusion(p.index, p.size, p.leaf, p.proof, p.root),
                    kRejected);
        EXPECT_FALSE(
            RfcVerifyInclusion(p.index, p.size, p.leaf, p.proof, p.root));
      }
    }
  }
}

TEST(VerifyInclusionTest, AcceptsReferenceProofsForSampledLeavesUpToSize300) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(300);

  for (uint64_t size = 41; size <= 300; ++size) {
    const std::string root = reference.RootHash(size);
    for (uint64_t index = size % 7; index < size; index += 7) {
      const std::vector<std::string> proof = reference.Path(index, size);

      EXPECT_OK(
          VerifyInclusion(index, size, reference.leaf_hash(index), proof, root))
          << "index " << index << " size " << size;
    }
  }
}

TEST(VerifyConsistencyTest, AcceptsKnownAnswerProofs) {
  for (const KnownConsistencyProof& known : ReferenceConsistencyProofs()) {
    EXPECT_OK(VerifyConsistency(known.size1, known.size2,
                                UnhexAll(known.proof_hex),
                                Unhex(kReferenceRootsHex[known.size1 - 1]),
                                Unhex(kReferenceRootsHex[known.size2 - 1])))
        << known.size1 << " -> " << known.size2;
  }
}

TEST(VerifyConsistencyTest, AcceptsEqualSizesWithEmptyProofAndEqualRoots) {
  const ConsistencyFixture c;

  EXPECT_OK(VerifyConsistency(8, 8, {}, c.root2, c.root2));
  EXPECT_OK(VerifyConsistency(0, 0, {}, EmptyTreeRoot(), EmptyTreeRoot()));
}

TEST(VerifyConsistencyTest, RejectsEqualSizesWithNonEmptyProof) {
  const ConsistencyFixture c;

  EXPECT_THAT(VerifyConsistency(8, 8, {c.root2}, c.root2, c.root2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 1 entries, want 0")));
  EXPECT_THAT(VerifyConsistency(0, 0, {EmptyTreeRoot()}, EmptyTreeRoot(),
                                EmptyTreeRoot()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(VerifyConsistencyTest, RejectsEqualSizesWithDifferentRoots) {
  const ConsistencyFixture c;

  EXPECT_THAT(VerifyConsistency(8, 8, {}, c.root1, c.root2),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("roots of equal tree sizes 8 and 8 differ")));
  EXPECT_THAT(VerifyConsistency(0, 0, {}, EmptyTreeRoot(), c.root2),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(VerifyConsistencyTest, AcceptsEmptyOldTreeWithEmptyProof) {
  const ConsistencyFixture c;

  EXPECT_OK(VerifyConsistency(0, 8, {}, EmptyTreeRoot(), c.root2));
  EXPECT_OK(VerifyConsistency(0, 1, {}, EmptyTreeRoot(), c.root1));
}

TEST(VerifyConsistencyTest, RejectsEmptyOldTreeWithNonEmptyProof) {
  const ConsistencyFixture c;

  EXPECT_THAT(
      VerifyConsistency(0, 8, {c.root2}, EmptyTreeRoot(), c.root2),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("has 1 entries, want 0 for tree sizes 0 and 8")));
}

TEST(VerifyConsistencyTest, RejectsEmptyOldTreeWhoseRootIsNotTheEmptyRoot) {
  const ConsistencyFixture c;

  EXPECT_THAT(VerifyConsistency(0, 8, {}, c.root1, c.root2),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("old root of the empty tree")));
  EXPECT_THAT(VerifyConsistency(0, 0, {}, c.root1, c.root1),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(VerifyConsistencyTest, RejectsOldSizeGreaterThanNewSize) {
  const ConsistencyFixture c;

  EXPECT_THAT(VerifyConsistency(8, 6, c.proof, c.root2, c.root1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("old tree size 8 is greater than new tree "
                                 "size 6")));
  EXPECT_THAT(VerifyConsistency(1, 0, {}, c.root1, EmptyTreeRoot()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(VerifyConsistencyTest, RejectsEmptyProofForDifferentSizes) {
  const ConsistencyFixture c;

  EXPECT_THAT(VerifyConsistency(c.size1, c.size2, {}, c.root1, c.root2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 0 entries, want 3")));
}

TEST(VerifyConsistencyTest, RejectsWrongSizes) {
  const ConsistencyFixture c;

  for (auto [size1, size2] :
       std::vector<std::pair<uint64_t, uint64_t>>{{c.size1 - 1, c.size2},
                                                  {c.size1 + 1, c.size2},
                                                  {c.size1 ^ 2, c.size2},
                                                  {c.size1, c.size2 + 1},
                                                  {c.size1, c.size2 * 2}}) {
    EXPECT_THAT(VerifyConsistency(size1, size2, c.proof, c.root1, c.root2),
                kRejected)
        << size1 << " -> " << size2;
  }
}

TEST(VerifyConsistencyTest, RejectsWrongOrSwappedRoots) {
  const ConsistencyFixture c;

  EXPECT_THAT(VerifyConsistency(c.size1, c.size2, c.proof, c.root2, c.root1),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(
      VerifyConsistency(c.size1, c.size2, c.proof, FlipBit(c.root1, 9),
                        c.root2),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("consistency proof does not verify for tree sizes 6 "
                         "and 8: old root")));
  EXPECT_THAT(
      VerifyConsistency(c.size1, c.size2, c.proof, c.root1,
                        FlipBit(c.root2, 9)),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("consistency proof does not verify for tree sizes 6 "
                         "and 8: new root")));
  EXPECT_THAT(VerifyConsistency(c.size1, c.size2, c.proof, EmptyTreeRoot(),
                                EmptyTreeRoot()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(VerifyConsistencyTest, RejectsWrongOldRootWhenOldSizeIsPowerOfTwo) {
  const std::vector<std::string> leaves = ReferenceLeafHashes();
  const KnownConsistencyProof known = ReferenceConsistencyProofs()[0];  // 1->8

  EXPECT_THAT(VerifyConsistency(1, 8, UnhexAll(known.proof_hex), leaves[1],
                                Unhex(kReferenceRootsHex[7])),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(VerifyConsistencyTest, RejectsTruncatedExtendedOrPrependedProof) {
  const ConsistencyFixture c;
  std::vector<std::string> truncated = c.proof;
  truncated.pop_back();

  for (const std::vector<std::string>& proof :
       {truncated, Appended(c.proof, c.root1), Appended(c.proof, c.root2),
        Prepended(c.proof, c.root1), Prepended(c.proof, c.proof[0])}) {
    EXPECT_THAT(VerifyConsistency(c.size1, c.size2, proof, c.root1, c.root2),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("want 3 for tree sizes 6 and 8")));
  }
}

TEST(VerifyConsistencyTest, RejectsProofWithAnyBitFlipped) {
  const ConsistencyFixture c;

  for (size_t entry = 0; entry < c.proof.size(); ++entry) {
    for (size_t bit = 0; bit < 8 * kHashSize; ++bit) {
      std::vector<std::string> tampered = c.proof;
      tampered[entry] = FlipBit(tampered[entry], bit);

      ASSERT_THAT(
          VerifyConsistency(c.size1, c.size2, tampered, c.root1, c.root2),
          StatusIs(absl::StatusCode::kFailedPrecondition,
                   HasSubstr("consistency proof does not verify")))
          << "entry " << entry << " bit " << bit;
    }
  }
}

TEST(VerifyConsistencyTest, RejectsHashesOfWrongSize) {
  const ConsistencyFixture c;

  for (const std::string& bad :
       {std::string(31, 'x'), std::string(33, 'x'), std::string()}) {
    std::vector<std::string> bad_entry = c.proof;
    bad_entry[2] = bad;

    EXPECT_THAT(VerifyConsistency(c.size1, c.size2, c.proof, bad, c.root2),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("old root hash has")));
    EXPECT_THAT(VerifyConsistency(c.size1, c.size2, c.proof, c.root1, bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("new root hash has")));
    EXPECT_THAT(
        VerifyConsistency(c.size1, c.size2, bad_entry, c.root1, c.root2),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr("consistency proof entry 2 has")));
    EXPECT_THAT(VerifyConsistency(5, 5, {}, bad, bad),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(VerifyConsistencyTest, RejectsOversizedProofBeforeHashing) {
  const ConsistencyFixture c;
  const std::vector<std::string> huge(1000, c.root1);

  EXPECT_THAT(VerifyConsistency(c.size1, c.size2, huge, c.root1, c.root2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 1000 entries, want 3")));
}

// For every pair of sizes 0 < size1 < size2 <= 40: the RFC 9162 proof is
// accepted, and each corruption of it is rejected, by our verifier and by
// the RFC's step-by-step algorithm alike.
TEST(VerifyConsistencyTest, AgreesWithRfcAlgorithmOnEveryProofUpToSize40) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(81);

  for (uint64_t size2 = 2; size2 <= 40; ++size2) {
    const std::string root2 = reference.RootHash(size2);
    for (uint64_t size1 = 1; size1 < size2; ++size1) {
      const std::string root1 = reference.RootHash(size1);
      const std::vector<std::string> proof = reference.Proof(size1, size2);
      SCOPED_TRACE(::testing::Message() << size1 << " -> " << size2);
      ASSERT_OK(VerifyConsistency(size1, size2, proof, root1, root2));
      ASSERT_TRUE(RfcVerifyConsistency(size1, size2, proof, root1, root2));

      struct Probe {
        uint64_t size1;
        uint64_t size2;
        std::vector<std::string> proof;
        std::string root1;
        std::string root2;
      };
      std::vector<Probe> probes = {
          {size1, size2, proof, root2, root1},
          {size1, size2, proof, root1, reference.RootHash(size2 + 1)},
          {size1, size2 * 2, proof, root1, root2},
          {size1, size2, Appended(proof, root2), root1, root2},
          {size1, size2, Prepended(proof, root1), root1, root2},
          {size1, size2, {}, root1, root2},
      };
      if (size1 > 1) {
        probes.push_back(
            {size1, size2, proof, reference.RootHash(size1 - 1), root2});
        probes.push_back({size1 - 1, size2, proof, root1, root2});
      }
      if (size1 + 1 < size2)
        probes.push_back({size1 + 1, size2, proof, root1, root2});
      if ((size1 ^ 2) != 0 && (size1 ^ 2) < size2 && (size1 ^ 2) != size1) {
        probes.push_back({size1 ^ 2, size2, proof, root1, root2});
      }
      std::vector<std::string> truncated = proof;
      truncated.pop_back();
      probes.push_back({size1, size2, truncated, root1, root2});
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<std::string> flipped = proof;
        flipped[i] = FlipBit(flipped[i], 4 + 8 * i);
        probes.push_back({size1, size2, flipped, root1, root2});
      }

      for (const Probe& p : probes) {
        EXPECT_THAT(
            VerifyConsistency(p.size1, p.size2, p.proof, p.root1, p.root2),
            kRejected);
        EXPECT_FALSE(
            RfcVerifyConsistency(p.size1, p.size2, p.proof, p.root1, p.root2));
      }
    }
  }
}

TEST(VerifyConsistencyTest, AcceptsReferenceProofsForSampledSizesUpTo300) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(300);

  for (uint64_t size2 = 41; size2 <= 300; ++size2) {
    for (uint64_t size1 = 1 + size2 % 7; size1 < size2; size1 += 7) {
      const std::vector<std::string> proof = reference.Proof(size1, size2);

      EXPECT_OK(VerifyConsistency(size1, size2, proof,
                                  reference.RootHash(size1),
                                  reference.RootHash(size2)))
          << size1 << " -> " << size2;
    }
  }
}

}  // namespace
}  // namespace pedigree::core::merkle
