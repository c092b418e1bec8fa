#include "core/merkle/proof.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "core/encoding/hex.h"
#include "core/merkle/merkle_test_util.h"
#include "core/merkle/tree.h"
#include "core/merkle/verify.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::merkle {
namespace {

using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kMaxUint64 = std::numeric_limits<uint64_t>::max();

std::vector<std::string> HexAll(const std::vector<std::string>& hashes) {
  std::vector<std::string> hex;
  for (const std::string& hash : hashes) hex.push_back(HexEncode(hash));
  return hex;
}

// A fetcher that must not be called.
absl::StatusOr<std::vector<std::string>> NoFetch(const std::vector<NodeId>&) {
  ADD_FAILURE() << "unexpected fetch";
  return absl::InternalError("unexpected fetch");
}

// A fetcher that answers from `reference` and then applies `tamper`.
NodeFetcher TamperedFetcher(
    const ReferenceTree& reference,
    std::function<void(std::vector<std::string>*)> tamper) {
  return [&reference, tamper](const std::vector<NodeId>& ids)
             -> absl::StatusOr<std::vector<std::string>> {
    std::vector<std::string> hashes;
    for (const NodeId& id : ids) hashes.push_back(reference.NodeHash(id));
    tamper(&hashes);
    return hashes;
  };
}

// A tree of any size (up to 2^64 - 1) whose leaves all have the same hash, so
// that each perfect subtree's hash depends only on its level.
class UniformTree {
 public:
  UniformTree() {
    level_hashes_.push_back(TestLeafHash(0));
    for (int level = 1; level < 64; ++level) {
      absl::StatusOr<std::string> hash =
          HashChildren(level_hashes_.back(), level_hashes_.back());
      EXPECT_TRUE(hash.ok()) << hash.status();
      level_hashes_.push_back(hash.ok() ? *hash : std::string());
    }
  }

  const std::string& leaf_hash() const { return level_hashes_[0]; }

  NodeFetcher Fetcher(uint64_t size) const {
    return [this, size](const std::vector<NodeId>& ids)
               -> absl::StatusOr<std::vector<std::string>> {
      std::vector<std::string> hashes;
      for (const NodeId& id : ids) {
        EXPECT_TRUE(id.level >= 0 && id.level < 64 &&
                    id.index < (size >> id.level))
            << id << " is not a complete subtree of " << size << " leaves";
        hashes.push_back(level_hashes_[id.level]);
      }
      return hashes;
    };
  }

 private:
  std::vector<std::string> level_hashes_;
};

TEST(ProofTest, RootHashOfEmptyTreeIsEmptyRootWithoutFetching) {
  ASSERT_OK_AND_ASSIGN(std::string root, RootHash(0, NoFetch));

  EXPECT_EQ(root, EmptyTreeRoot());
}

TEST(ProofTest, RootHashMatchesReferenceTreeKnownAnswers) {
  const ReferenceTree reference(ReferenceLeafHashes());

  for (uint64_t size = 1; size <= 8; ++size) {
    ASSERT_OK_AND_ASSIGN(std::string root, RootHash(size, reference.Fetcher()));

    EXPECT_EQ(HexEncode(root), kReferenceRootsHex[size - 1]) << size;
  }
}

TEST(ProofTest, InclusionProofMatchesKnownAnswers) {
  const ReferenceTree reference(ReferenceLeafHashes());

  for (const KnownInclusionProof& known : ReferenceInclusionProofs()) {
    ASSERT_OK_AND_ASSIGN(
        std::vector<std::string> proof,
        InclusionProof(known.index, known.size, reference.Fetcher()));

    EXPECT_EQ(HexAll(proof), known.proof_hex)
        << "index " << known.index << " size " << known.size;
  }
}

TEST(ProofTest, ConsistencyProofMatchesKnownAnswers) {
  const ReferenceTree reference(ReferenceLeafHashes());

  for (const KnownConsistencyProof& known : ReferenceConsistencyProofs()) {
    ASSERT_OK_AND_ASSIGN(
        std::vector<std::string> proof,
        ConsistencyProof(known.size1, known.size2, reference.Fetcher()));

    EXPECT_EQ(HexAll(proof), known.proof_hex)
        << known.size1 << " -> " << known.size2;
  }
}

// The 7-leaf example tree of RFC 9162 section 2.1.5 (leaves a..f, j; g, h, i
// at level 1; k at level 2; l = hash(i, j) is not a perfect subtree).
TEST(ProofTest, InclusionProofNodesMatchRfcExampleTree) {
  EXPECT_THAT(InclusionProofNodes(0, 7),
              IsOkAndHolds(ElementsAre(NodeId{0, 1}, NodeId{1, 1}, NodeId{1, 2},
                                       NodeId{0, 6})));
  EXPECT_THAT(InclusionProofNodes(3, 7),
              IsOkAndHolds(ElementsAre(NodeId{0, 2}, NodeId{1, 0}, NodeId{1, 2},
                                       NodeId{0, 6})));
  EXPECT_THAT(
      InclusionProofNodes(4, 7),
      IsOkAndHolds(ElementsAre(NodeId{0, 5}, NodeId{0, 6}, NodeId{2, 0})));
  EXPECT_THAT(InclusionProofNodes(6, 7),
              IsOkAndHolds(ElementsAre(NodeId{1, 2}, NodeId{2, 0})));
  EXPECT_THAT(InclusionProofNodes(0, 1), IsOkAndHolds(IsEmpty()));
}

TEST(ProofTest, InclusionProofNodesFoldRightEdgeInTheMiddle) {
  EXPECT_THAT(
      InclusionProofNodes(81, 95),
      IsOkAndHolds(ElementsAre(
          NodeId{0, 80}, NodeId{1, 41}, NodeId{2, 21},  // inner, perfect
          NodeId{2, 22}, NodeId{1, 46}, NodeId{0, 94},  // folded: [88, 95)
          NodeId{4, 4}, NodeId{6, 0})));                // left border
}

TEST(ProofTest, ConsistencyProofNodesMatchRfcExampleTree) {
  EXPECT_THAT(ConsistencyProofNodes(3, 7),
              IsOkAndHolds(ElementsAre(NodeId{0, 2}, NodeId{0, 3}, NodeId{1, 0},
                                       NodeId{1, 2}, NodeId{0, 6})));
  EXPECT_THAT(ConsistencyProofNodes(4, 7),
              IsOkAndHolds(ElementsAre(NodeId{1, 2}, NodeId{0, 6})));
  EXPECT_THAT(
      ConsistencyProofNodes(6, 7),
      IsOkAndHolds(ElementsAre(NodeId{1, 2}, NodeId{0, 6}, NodeId{2, 0})));
  EXPECT_THAT(ConsistencyProofNodes(7, 8),
              IsOkAndHolds(ElementsAre(NodeId{0, 6}, NodeId{0, 7}, NodeId{1, 2},
                                       NodeId{2, 0})));
  EXPECT_THAT(ConsistencyProofNodes(2, 8),
              IsOkAndHolds(ElementsAre(NodeId{1, 1}, NodeId{2, 1})));
}

TEST(ProofTest, ConsistencyProofNodesOfTrivialSizesAreEmpty) {
  EXPECT_THAT(ConsistencyProofNodes(0, 0), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(ConsistencyProofNodes(0, 5), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(ConsistencyProofNodes(5, 5), IsOkAndHolds(IsEmpty()));
}

TEST(ProofTest, PlannedNodesAreDistinctCompleteSubtrees) {
  for (uint64_t size = 1; size <= 130; ++size) {
    for (uint64_t other = 0; other < size; ++other) {
      ASSERT_OK_AND_ASSIGN(std::vector<NodeId> inclusion,
                           InclusionProofNodes(other, size));
      ASSERT_OK_AND_ASSIGN(std::vector<NodeId> consistency,
                           ConsistencyProofNodes(other, size));

      for (const std::vector<NodeId>* plan : {&inclusion, &consistency}) {
        absl::flat_hash_set<NodeId> seen;
        for (const NodeId& id : *plan) {
          EXPECT_TRUE(seen.insert(id).second) << id << " twice";
          EXPECT_LT(id.index, size >> id.level) << id << " size " << size;
        }
      }
    }
  }
}

TEST(ProofTest, RootHashMatchesMthForEverySizeUpTo300) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(300);

  for (uint64_t size = 1; size <= 300; ++size) {
    ASSERT_OK_AND_ASSIGN(std::string root, RootHash(size, reference.Fetcher()));

    EXPECT_EQ(root, reference.RootHash(size)) << size;
  }
}

TEST(ProofTest, InclusionProofMatchesRfcPathForEveryIndexUpToSize300) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(300);

  for (uint64_t size = 1; size <= 300; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      ASSERT_OK_AND_ASSIGN(std::vector<std::string> proof,
                           InclusionProof(index, size, reference.Fetcher()));

      EXPECT_EQ(proof, reference.Path(index, size))
          << "index " << index << " size " << size;
    }
  }
}

TEST(ProofTest, ConsistencyProofMatchesRfcProofForEveryPairUpToSize300) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(300);

  for (uint64_t size2 = 2; size2 <= 300; ++size2) {
    for (uint64_t size1 = 1; size1 < size2; ++size1) {
      ASSERT_OK_AND_ASSIGN(std::vector<std::string> proof,
                           ConsistencyProof(size1, size2, reference.Fetcher()));

      EXPECT_EQ(proof, reference.Proof(size1, size2))
          << size1 << " -> " << size2;
    }
  }
}

TEST(ProofTest, InclusionProofOfSingleLeafTreeIsEmptyWithoutFetching) {
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> proof,
                       InclusionProof(0, 1, NoFetch));

  EXPECT_THAT(proof, IsEmpty());
}

TEST(ProofTest, InclusionProofRejectsIndexNotLessThanSize) {
  EXPECT_THAT(InclusionProof(7, 7, NoFetch),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 7 is not less than tree size 7")));
  EXPECT_THAT(InclusionProof(9, 7, NoFetch),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(InclusionProof(0, 0, NoFetch),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(InclusionProofNodes(kMaxUint64, kMaxUint64),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ProofTest, ConsistencyProofRejectsOldSizeGreaterThanNewSize) {
  EXPECT_THAT(ConsistencyProof(8, 7, NoFetch),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("old tree size 8 is greater than new tree "
                                 "size 7")));
  EXPECT_THAT(ConsistencyProofNodes(1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ProofTest, ConsistencyProofIsEmptyWithoutFetchingForTrivialSizes) {
  for (auto [size1, size2] :
       std::vector<std::pair<uint64_t, uint64_t>>{{0, 0},
                                                  {0, 1},
                                                  {0, 300},
                                                  {1, 1},
                                                  {7, 7},
                                                  {kMaxUint64, kMaxUint64}}) {
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> proof,
                         ConsistencyProof(size1, size2, NoFetch));

    EXPECT_THAT(proof, IsEmpty()) << size1 << " -> " << size2;
  }
}

TEST(ProofTest, EachComputationFetchesExactlyOnce) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(100);
  int root_calls = 0;
  int inclusion_calls = 0;
  int consistency_calls = 0;

  ASSERT_OK(RootHash(99, reference.Fetcher(&root_calls)).status());
  ASSERT_OK(
      InclusionProof(37, 99, reference.Fetcher(&inclusion_calls)).status());
  ASSERT_OK(
      ConsistencyProof(37, 99, reference.Fetcher(&consistency_calls)).status());

  EXPECT_EQ(root_calls, 1);
  EXPECT_EQ(inclusion_calls, 1);
  EXPECT_EQ(consistency_calls, 1);
}

TEST(ProofTest, FetcherReturningTooFewHashesIsDataLoss) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(100);
  const NodeFetcher fetch = TamperedFetcher(
      reference, [](std::vector<std::string>* hashes) { hashes->pop_back(); });

  EXPECT_THAT(RootHash(99, fetch),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("returned 3 hashes for 4 nodes")));
  EXPECT_THAT(InclusionProof(37, 99, fetch),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ConsistencyProof(37, 99, fetch),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ProofTest, FetcherReturningTooManyHashesIsDataLoss) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(100);
  const NodeFetcher fetch =
      TamperedFetcher(reference, [](std::vector<std::string>* hashes) {
        hashes->push_back(hashes->back());
      });

  EXPECT_THAT(RootHash(99, fetch), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(InclusionProof(37, 99, fetch),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ConsistencyProof(37, 99, fetch),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ProofTest, FetcherReturningShortOrLongHashIsDataLoss) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(100);
  const NodeFetcher short_hash = TamperedFetcher(
      reference,
      [](std::vector<std::string>* hashes) { (*hashes)[1].pop_back(); });
  const NodeFetcher long_hash = TamperedFetcher(
      reference,
      [](std::vector<std::string>* hashes) { hashes->back() += "x"; });

  EXPECT_THAT(RootHash(99, short_hash),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("returned 31 bytes for node (5, 2)")));
  EXPECT_THAT(InclusionProof(37, 99, short_hash),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ConsistencyProof(37, 99, short_hash),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(RootHash(99, long_hash), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(InclusionProof(37, 99, long_hash),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ConsistencyProof(37, 99, long_hash),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ProofTest, FetcherErrorIsPropagatedUnchanged) {
  const NodeFetcher failing = [](const std::vector<NodeId>&)
      -> absl::StatusOr<std::vector<std::string>> {
    return absl::UnavailableError("database is down");
  };

  EXPECT_THAT(RootHash(99, failing),
              StatusIs(absl::StatusCode::kUnavailable, "database is down"));
  EXPECT_THAT(InclusionProof(37, 99, failing),
              StatusIs(absl::StatusCode::kUnavailable, "database is down"));
  EXPECT_THAT(ConsistencyProof(37, 99, failing),
              StatusIs(absl::StatusCode::kUnavailable, "database is down"));
}

TEST(ProofTest, EmptyFetcherIsInvalidArgument) {
  const NodeFetcher empty;

  EXPECT_THAT(RootHash(99, empty), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("fetcher is empty")));
  EXPECT_THAT(InclusionProof(37, 99, empty),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ConsistencyProof(37, 99, empty),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ProofTest, InclusionProofsVerifyInTreesUpToMaximumSize) {
  const UniformTree tree;
  const uint64_t half = uint64_t{1} << 63;

  for (auto [index, size] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, kMaxUint64},
           {kMaxUint64 - 1, kMaxUint64},
           {half, kMaxUint64},
           {half - 1, half + 1},
           {half, half + 1},
           {12345, uint64_t{10'000'000}}}) {
    ASSERT_OK_AND_ASSIGN(std::string root, RootHash(size, tree.Fetcher(size)));
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> proof,
                         InclusionProof(index, size, tree.Fetcher(size)));

    EXPECT_LE(proof.size(), 64u);
    EXPECT_OK(VerifyInclusion(index, size, tree.leaf_hash(), proof, root))
        << "index " << index << " size " << size;
  }
}

TEST(ProofTest, ConsistencyProofsVerifyInTreesUpToMaximumSize) {
  const UniformTree tree;
  const uint64_t half = uint64_t{1} << 63;

  for (auto [size1, size2] : std::vector<std::pair<uint64_t, uint64_t>>{
           {1, kMaxUint64},
           {kMaxUint64 - 1, kMaxUint64},
           {half, kMaxUint64},
           {3, half + 1},
           {half - 1, half},
           {12345, uint64_t{10'000'000}}}) {
    ASSERT_OK_AND_ASSIGN(std::string root1,
                         RootHash(size1, tree.Fetcher(size1)));
    ASSERT_OK_AND_ASSIGN(std::string root2,
                         RootHash(size2, tree.Fetcher(size2)));
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> proof,
                         ConsistencyProof(size1, size2, tree.Fetcher(size2)));

    EXPECT_OK(VerifyConsistency(size1, size2, proof, root1, root2))
        << size1 << " -> " << size2;
  }
}

TEST(ProofTest, LongestConsistencyProofHas65Entries) {
  const uint64_t size2 = (uint64_t{1} << 63) + 1;

  ASSERT_OK_AND_ASSIGN(std::vector<NodeId> nodes,
                       ConsistencyProofNodes(3, size2));

  EXPECT_EQ(nodes.size(), 65u);
}

}  // namespace
}  // namespace pedigree::core::merkle
