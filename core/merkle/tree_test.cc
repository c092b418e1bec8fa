#include "core/merkle/tree.h"

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/encoding/hex.h"
#include "core/merkle/merkle_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::merkle {
namespace {

using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kMaxUint64 = std::numeric_limits<uint64_t>::max();

// The frontier of `reference` at `size`: hashes of RangeNodes(0, size).
std::vector<std::string> ReferenceFrontier(const ReferenceTree& reference,
                                           uint64_t size) {
  std::vector<std::string> frontier;
  for (const NodeId& id : RangeNodes(0, size)) {
    frontier.push_back(reference.NodeHash(id));
  }
  return frontier;
}

// RFC 6962 known answers as in transparency-dev/merkle rfc6962/rfc6962_test.go.
TEST(HashTest, HashLeafOfEmptyEntryMatchesKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashLeaf(""));

  EXPECT_EQ(HexEncode(hash),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(HashTest, HashLeafMatchesKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashLeaf("L123456"));

  EXPECT_EQ(HexEncode(hash),
            "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
}

TEST(HashTest, HashChildrenMatchesKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashChildren("N123", "N456"));

  EXPECT_EQ(HexEncode(hash),
            "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
}

TEST(HashTest, HashChildrenDependsOnOrder) {
  const std::string a = TestLeafHash(0);
  const std::string b = TestLeafHash(1);

  ASSERT_OK_AND_ASSIGN(std::string ab, HashChildren(a, b));
  ASSERT_OK_AND_ASSIGN(std::string ba, HashChildren(b, a));

  EXPECT_NE(ab, ba);
}

TEST(HashTest, LeafAndNodeHashesAreDomainSeparated) {
  const std::string a = TestLeafHash(0);
  const std::string b = TestLeafHash(1);

  ASSERT_OK_AND_ASSIGN(std::string node, HashChildren(a, b));
  ASSERT_OK_AND_ASSIGN(std::string forged_leaf, HashLeaf(a + b));

  EXPECT_NE(node, forged_leaf);
}

TEST(HashTest, EmptyTreeRootIsSha256OfEmptyString) {
  const std::string root = EmptyTreeRoot();

  EXPECT_EQ(HexEncode(root),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(NodeIdTest, EqualityComparesLevelAndIndex) {
  const NodeId id{2, 5};

  EXPECT_EQ(id, (NodeId{2, 5}));
  EXPECT_NE(id, (NodeId{2, 4}));
  EXPECT_NE(id, (NodeId{3, 5}));
}

TEST(NodeIdTest, OrdersByLevelThenIndex) {
  EXPECT_LT((NodeId{0, 9}), (NodeId{1, 0}));
  EXPECT_LT((NodeId{1, 2}), (NodeId{1, 3}));
  EXPECT_FALSE((NodeId{1, 3}) < (NodeId{1, 3}));
}

TEST(NodeIdTest, PrintsLevelAndIndex) {
  std::ostringstream out;

  out << NodeId{3, 17};

  EXPECT_EQ(out.str(), "(3, 17)");
}

TEST(RangeNodesTest, PrefixHasOneNodePerSetBitLargestFirst) {
  EXPECT_THAT(RangeNodes(0, 13),
              ElementsAre(NodeId{3, 0}, NodeId{2, 2}, NodeId{0, 12}));
  EXPECT_THAT(RangeNodes(0, 8), ElementsAre(NodeId{3, 0}));
  EXPECT_THAT(RangeNodes(0, 1), ElementsAre(NodeId{0, 0}));
}

TEST(RangeNodesTest, UnalignedRangeRisesThenFalls) {
  EXPECT_THAT(RangeNodes(3, 13), ElementsAre(NodeId{0, 3}, NodeId{2, 1},
                                             NodeId{2, 2}, NodeId{0, 12}));
  EXPECT_THAT(RangeNodes(4, 7), ElementsAre(NodeId{1, 2}, NodeId{0, 6}));
}

TEST(RangeNodesTest, EmptyOrInvertedRangeHasNoNodes) {
  EXPECT_THAT(RangeNodes(0, 0), ::testing::IsEmpty());
  EXPECT_THAT(RangeNodes(5, 5), ::testing::IsEmpty());
  EXPECT_THAT(RangeNodes(6, 5), ::testing::IsEmpty());
}

TEST(RangeNodesTest, CoversEveryRangeExactlyWithMaximalAlignedNodes) {
  for (uint64_t begin = 0; begin <= 70; ++begin) {
    for (uint64_t end = begin; end <= 70; ++end) {
      SCOPED_TRACE(::testing::Message() << "[" << begin << ", " << end << ")");

      uint64_t next = begin;
      for (const NodeId& id : RangeNodes(begin, end)) {
        const uint64_t node_begin = id.index << id.level;
        const uint64_t node_end = (id.index + 1) << id.level;
        EXPECT_EQ(node_begin, next) << id;
        const NodeId parent{id.level + 1, id.index >> 1};
        const bool parent_fits = (parent.index << parent.level) >= begin &&
                                 ((parent.index + 1) << parent.level) <= end;
        EXPECT_FALSE(parent_fits) << id << " is not maximal";
        next = node_end;
      }

      EXPECT_EQ(next, end);
    }
  }
}

TEST(RangeNodesTest, HandlesTheWholeUint64Range) {
  const std::vector<NodeId> all = RangeNodes(0, kMaxUint64);
  const std::vector<NodeId> top_half =
      RangeNodes(uint64_t{1} << 63, kMaxUint64);

  ASSERT_EQ(all.size(), 64u);
  EXPECT_EQ(all.front(), (NodeId{63, 0}));
  EXPECT_EQ(all.back(), (NodeId{0, kMaxUint64 - 1}));
  ASSERT_EQ(top_half.size(), 63u);
  EXPECT_EQ(top_half.front(), (NodeId{62, 2}));
  EXPECT_THAT(RangeNodes(kMaxUint64 - 1, kMaxUint64),
              ElementsAre(NodeId{0, kMaxUint64 - 1}));
}

TEST(TreeAppenderTest, DefaultIsEmptyTreeWithEmptyRoot) {
  const TreeAppender tree;

  EXPECT_EQ(tree.size(), 0u);
  EXPECT_THAT(tree.frontier(), ::testing::IsEmpty());
  ASSERT_OK_AND_ASSIGN(std::string root, tree.RootHash());
  EXPECT_EQ(root, EmptyTreeRoot());
}

TEST(TreeAppenderTest, RootsMatchReferenceTreeKnownAnswers) {
  TreeAppender tree;

  for (const char* entry_hex : kReferenceEntriesHex) {
    ASSERT_OK_AND_ASSIGN(std::string leaf_hash, HashLeaf(Unhex(entry_hex)));
    ASSERT_OK(tree.Append(leaf_hash).status());
    ASSERT_OK_AND_ASSIGN(std::string root, tree.RootHash());
    EXPECT_EQ(HexEncode(root), kReferenceRootsHex[tree.size() - 1])
        << "size " << tree.size();
  }
}

TEST(TreeAppenderTest, AppendCompletingFourLeavesEmitsLeafAndTwoParents) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(4);
  ASSERT_OK_AND_ASSIGN(
      TreeAppender tree,
      TreeAppender::Resume(3, ReferenceFrontier(reference, 3)));

  ASSERT_OK_AND_ASSIGN(std::vector<NodeHash> completed,
                       tree.Append(reference.leaf_hash(3)));

  ASSERT_EQ(completed.size(), 3u);
  EXPECT_EQ(completed[0].id, (NodeId{0, 3}));
  EXPECT_EQ(completed[0].hash, reference.leaf_hash(3));
  EXPECT_EQ(completed[1].id, (NodeId{1, 1}));
  EXPECT_EQ(completed[1].hash, reference.Mth(2, 4));
  EXPECT_EQ(completed[2].id, (NodeId{2, 0}));
  EXPECT_EQ(completed[2].hash, reference.Mth(0, 4));
  EXPECT_EQ(tree.frontier(), std::vector<std::string>{reference.Mth(0, 4)});
}

TEST(TreeAppenderTest, MatchesReferenceForEverySizeUpTo300) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(300);
  TreeAppender tree;

  for (uint64_t i = 0; i < reference.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<NodeHash> completed,
                         tree.Append(reference.leaf_hash(i)));

    ASSERT_EQ(tree.size(), i + 1);
    ASSERT_OK_AND_ASSIGN(std::string root, tree.RootHash());
    EXPECT_EQ(root, reference.RootHash(i + 1)) << "size " << i + 1;
    EXPECT_EQ(tree.frontier(), ReferenceFrontier(reference, i + 1));
    for (const NodeHash& node : completed) {
      EXPECT_EQ(node.hash, reference.NodeHash(node.id)) << node.id;
    }
  }
}

TEST(TreeAppenderTest, EmitsEveryPerfectSubtreeExactlyOnce) {
  constexpr uint64_t kSize = 300;
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(kSize);
  TreeAppender tree;
  absl::flat_hash_map<NodeId, int> emitted;

  for (uint64_t i = 0; i < kSize; ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<NodeHash> completed,
                         tree.Append(reference.leaf_hash(i)));
    for (const NodeHash& node : completed) ++emitted[node.id];
  }

  size_t perfect_subtrees = 0;
  for (int level = 0; (uint64_t{1} << level) <= kSize; ++level) {
    for (uint64_t index = 0; index < (kSize >> level); ++index) {
      EXPECT_EQ(emitted[(NodeId{level, index})], 1) << NodeId{level, index};
      ++perfect_subtrees;
    }
  }
  EXPECT_EQ(emitted.size(), perfect_subtrees);
}

TEST(TreeAppenderTest, ResumeFromFrontierContinuesIdentically) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(320);

  for (uint64_t size = 0; size <= 300; ++size) {
    ASSERT_OK_AND_ASSIGN(
        TreeAppender tree,
        TreeAppender::Resume(size, ReferenceFrontier(reference, size)));
    ASSERT_OK_AND_ASSIGN(std::string resumed_root, tree.RootHash());
    EXPECT_EQ(resumed_root, reference.RootHash(size));

    for (uint64_t i = size; i < size + 20; ++i) {
      ASSERT_OK_AND_ASSIGN(std::vector<NodeHash> completed,
                           tree.Append(reference.leaf_hash(i)));
      for (const NodeHash& node : completed) {
        EXPECT_EQ(node.hash, reference.NodeHash(node.id)) << node.id;
      }
    }

    ASSERT_OK_AND_ASSIGN(std::string root, tree.RootHash());
    EXPECT_EQ(root, reference.RootHash(size + 20)) << "resumed at " << size;
  }
}

TEST(TreeAppenderTest, ResumeRejectsWrongFrontierCount) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(8);
  std::vector<std::string> frontier = ReferenceFrontier(reference, 7);

  frontier.pop_back();

  EXPECT_THAT(TreeAppender::Resume(7, frontier),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("frontier has 2 hashes, want 3")));
  EXPECT_THAT(TreeAppender::Resume(0, {reference.leaf_hash(0)}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TreeAppenderTest, ResumeRejectsFrontierHashOfWrongSize) {
  const ReferenceTree reference = ReferenceTree::WithTestLeaves(8);
  std::vector<std::string> frontier = ReferenceFrontier(reference, 3);

  frontier[1].pop_back();

  EXPECT_THAT(TreeAppender::Resume(3, frontier),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("frontier hash 1 has 31 bytes")));
}

TEST(TreeAppenderTest, AppendRejectsLeafHashOfWrongSizeAndKeepsState) {
  TreeAppender tree;
  ASSERT_OK(tree.Append(TestLeafHash(0)).status());

  EXPECT_THAT(tree.Append(std::string(31, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf hash has 31 bytes")));
  EXPECT_THAT(tree.Append(std::string(33, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(tree.Append(""), StatusIs(absl::StatusCode::kInvalidArgument));

  EXPECT_EQ(tree.size(), 1u);
  EXPECT_EQ(tree.frontier(), std::vector<std::string>{TestLeafHash(0)});
}

TEST(TreeAppenderTest, AppendToFullTreeIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(
      TreeAppender tree,
      TreeAppender::Resume(kMaxUint64,
                           std::vector<std::string>(64, TestLeafHash(0))));

  EXPECT_THAT(tree.Append(TestLeafHash(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("tree is full")));
  EXPECT_EQ(tree.size(), kMaxUint64);
}

TEST(TreeAppenderTest, AppendReachingMaximumSizeCompletesOnlyTheLeaf) {
  ASSERT_OK_AND_ASSIGN(
      TreeAppender tree,
      TreeAppender::Resume(kMaxUint64 - 1,
                           std::vector<std::string>(63, TestLeafHash(0))));

  ASSERT_OK_AND_ASSIGN(std::vector<NodeHash> completed,
                       tree.Append(TestLeafHash(1)));

  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].id, (NodeId{0, kMaxUint64 - 1}));
  EXPECT_EQ(tree.size(), kMaxUint64);
  EXPECT_EQ(tree.frontier().size(), 64u);
}

TEST(TreeAppenderTest, AppendCompletingLevel63MergesWholeFrontier) {
  const uint64_t size = (uint64_t{1} << 63) - 1;
  ASSERT_OK_AND_ASSIGN(TreeAppender tree,
                       TreeAppender::Resume(size, std::vector<std::string>(
                                                      63, TestLeafHash(0))));

  ASSERT_OK_AND_ASSIGN(std::vector<NodeHash> completed,
                       tree.Append(TestLeafHash(0)));

  ASSERT_EQ(completed.size(), 64u);
  EXPECT_EQ(completed.front().id, (NodeId{0, size}));
  EXPECT_EQ(completed.back().id, (NodeId{63, 0}));
  EXPECT_EQ(tree.size(), uint64_t{1} << 63);
  ASSERT_EQ(tree.frontier().size(), 1u);
  EXPECT_EQ(tree.frontier()[0], completed.back().hash);
}

TEST(TreeAppenderTest, CopiesAreIndependent) {
  TreeAppender original;
  ASSERT_OK(original.Append(TestLeafHash(0)).status());
  TreeAppender copy = original;

  ASSERT_OK(copy.Append(TestLeafHash(1)).status());

  EXPECT_EQ(original.size(), 1u);
  EXPECT_EQ(copy.size(), 2u);
  EXPECT_EQ(original.frontier(), std::vector<std::string>{TestLeafHash(0)});
}

}  // namespace
}  // namespace pedigree::core::merkle
