#ifndef PEDIGREE_CORE_MERKLE_TREE_H_
#define PEDIGREE_CORE_MERKLE_TREE_H_

// RFC 6962 / RFC 9162 Merkle tree hashing for Pedigree's append-only log, the
// addressing of perfect subtrees (NodeId, RangeNodes) and TreeAppender, which
// grows a tree one leaf at a time while holding O(log n) hashes.
//
// Tree shape (RFC 9162 section 2.1.1): a tree of n > 1 leaves splits at k, the
// largest power of two smaller than n, into the first k leaves and the rest.
// Every such tree is made of *perfect* subtrees (2^level leaves, aligned),
// which never change once complete. The server stores exactly those, keyed by
// NodeId; every other hash is recomputed from them.
//
// Hashes are raw 32-byte strings (kHashSize). Hashing returns StatusOr only
// because OpenSSL can fail (Internal); it cannot fail on any input. The free
// functions are stateless and thread-safe.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::merkle {

inline constexpr size_t kHashSize = 32;

// Returns SHA-256(0x00 || `entry`), the hash of a log entry. Internal if
// OpenSSL fails.
absl::StatusOr<std::string> HashLeaf(absl::string_view entry);

// Returns SHA-256(0x01 || `left` || `right`), the hash of an interior node.
// The inputs are hashed as given, whatever their length; every caller in this
// module passes 32-byte hashes. Internal if OpenSSL fails.
absl::StatusOr<std::string> HashChildren(absl::string_view left,
                                         absl::string_view right);

// Returns the root hash of the empty tree: SHA-256 of the empty string.
std::string EmptyTreeRoot();

// Identifies the perfect subtree over leaves
// [index << level, (index + 1) << level). Level 0 is a single leaf (its hash
// is the leaf hash). Meaningful ids have level in [0, 63] and the range within
// uint64. Ordered by (level, index); hashable with absl::Hash.
struct NodeId {
  int level = 0;
  uint64_t index = 0;

  friend bool operator==(const NodeId& a, const NodeId& b) {
    return a.level == b.level && a.index == b.index;
  }
  friend bool operator!=(const NodeId& a, const NodeId& b) { return !(a == b); }
  friend bool operator<(const NodeId& a, const NodeId& b) {
    return a.level != b.level ? a.level < b.level : a.index < b.index;
  }
  template <typename H>
  friend H AbslHashValue(H h, const NodeId& id) {
    return H::combine(std::move(h), id.level, id.index);
  }
};

// Prints `id` as "(level, index)".
std::ostream& operator<<(std::ostream& os, const NodeId& id);

// A perfect subtree and its hash.
struct NodeHash {
  NodeId id;
  std::string hash;
};

// Returns the decomposition of leaves [`begin`, `end`) into maximal aligned
// perfect subtrees, left to right. For [0, n) that is one node per set bit of
// n, largest first; for [begin, end) levels first rise, then fall. Returns an
// empty vector if `begin >= end`. At most 128 nodes; never overflows.
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);

// Grows an RFC 9162 tree one leaf hash at a time. Holds only the frontier: the
// hashes of RangeNodes(0, size()), largest first (at most 64 hashes).
// A copyable, movable value type; not thread-safe. A default-constructed
// appender is the empty tree.
//
//   PEDIGREE_ASSIGN_OR_RETURN(TreeAppender tree,
//                             TreeAppender::Resume(size, stored_frontier));
//   PEDIGREE_ASSIGN_OR_RETURN(std::vector<NodeHash> completed,
//                             tree.Append(leaf_hash));
//   // ... store every entry of `completed` (keyed by its NodeId), then:
//   PEDIGREE_ASSIGN_OR_RETURN(std::string root, tree.RootHash());
class TreeAppender {
 public:
  TreeAppender() = default;

  // Returns an appender for a tree of `size` leaves whose RangeNodes(0, size)
  // have the hashes `frontier`, in that order. InvalidArgument if `frontier`
  // has the wrong number of hashes (popcount(size)) or one is not 32 bytes.
  // The hashes themselves cannot be checked here: they are trusted.
  static absl::StatusOr<TreeAppender> Resume(uint64_t size,
                                             std::vector<std::string> frontier);

  // Appends the leaf whose hash (HashLeaf of the entry) is `leaf_hash`.
  // Returns every perfect subtree this completes, with its hash: the leaf
  // itself (level 0) first, then each parent that became complete, by rising
  // level. Over a tree's life each perfect subtree is returned exactly once.
  // Returns InvalidArgument if `leaf_hash` is not 32 bytes, FailedPrecondition
  // if the tree already has 2^64 - 1 leaves, Internal if hashing fails. On
  // error the appender is unchanged.
  absl::StatusOr<std::vector<NodeHash>> Append(absl::string_view leaf_hash);

  uint64_t size() const { return size_; }
  const std::vector<std::string>& frontier() const { return frontier_; }

  // Returns the root hash of the current tree (EmptyTreeRoot() when empty).
  // Internal if hashing fails.
  absl::StatusOr<std::string> RootHash() const;

 private:
  TreeAppender(uint64_t size, std::vector<std::string> frontier)
      : size_(size), frontier_(std::move(frontier)) {}

  uint64_t size_ = 0;
  std::vector<std::string> frontier_;
};

}  // namespace pedigree::core::merkle

#endif  // PEDIGREE_CORE_MERKLE_TREE_H_
