#include "core/merkle/tree.h"

#include <algorithm>
#include <limits>
#include <ostream>

#include "absl/numeric/bits.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/crypto/sha256.h"
#include "core/merkle/internal/range_hash.h"
#include "core/status_macros.h"

namespace pedigree::core::merkle {
namespace {

// RFC 6962 section 2.1: distinct prefixes for leaves and interior nodes, so
// that no leaf can be passed off as a node (second preimage).
constexpr char kLeafPrefix = '\x00';
constexpr char kNodePrefix = '\x01';

// SHA-256 of the empty string.
constexpr char kEmptyTreeRoot[] =
    "\xe3\xb0\xc4\x42\x98\xfc\x1c\x14\x9a\xfb\xf4\xc8\x99\x6f\xb9\x24"
    "\x27\xae\x41\xe4\x64\x9b\x93\x4c\xa4\x95\x99\x1b\x78\x52\xb8\x55";

absl::StatusOr<std::string> HashPrefixed(char prefix, absl::string_view first,
                                         absl::string_view second) {
  PEDIGREE_ASSIGN_OR_RETURN(crypto::Sha256 hasher, crypto::Sha256::Create());
  PEDIGREE_RETURN_IF_ERROR(hasher.Update(absl::string_view(&prefix, 1)));
  PEDIGREE_RETURN_IF_ERROR(hasher.Update(first));
  PEDIGREE_RETURN_IF_ERROR(hasher.Update(second));
  return hasher.Finish();
}

}  // namespace

absl::StatusOr<std::string> HashLeaf(absl::string_view entry) {
  return HashPrefixed(kLeafPrefix, entry, absl::string_view());
}

absl::StatusOr<std::string> HashChildren(absl::string_view left,
                                         absl::string_view right) {
  return HashPrefixed(kNodePrefix, left, right);
}

std::string EmptyTreeRoot() {
  return std::string(kEmptyTreeRoot, sizeof(kEmptyTreeRoot) - 1);
}

std::ostream& operator<<(std::ostream& os, const NodeId& id) {
  return os << "(" << id.level << ", " << id.index << ")";
}

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  std::vector<NodeId> nodes;
  while (begin < end) {
    // The largest subtree aligned at `begin` that fits before `end`;
    // countr_zero(0) is 64, so begin == 0 is limited by the size alone.
    const int level =
        std::min(absl::countr_zero(begin),
                 static_cast<int>(absl::bit_width(end - begin)) - 1);
    nodes.push_back({level, begin >> level});
    begin += uint64_t{1} << level;
  }
  return nodes;
}

namespace internal {

absl::StatusOr<std::string> FoldRangeHashes(
    absl::Span<const std::string> hashes) {
  if (hashes.empty()) {
    return absl::InternalError("merkle: folding an empty node range");
  }
  std::string hash = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) {
    PEDIGREE_ASSIGN_OR_RETURN(hash, HashChildren(hashes[i], hash));
  }
  return hash;
}

}  // namespace internal

absl::StatusOr<TreeAppender> TreeAppender::Resume(
    uint64_t size, std::vector<std::string> frontier) {
  const size_t want = static_cast<size_t>(absl::popcount(size));
  if (frontier.size() != want) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree appender: frontier has ", frontier.size(),
                     " hashes, want ", want, " for tree size ", size));
  }
  for (size_t i = 0; i < frontier.size(); ++i) {
    if (frontier[i].size() != kHashSize) {
      return absl::InvalidArgumentError(
          absl::StrCat("tree appender: frontier hash ", i, " has ",
                       frontier[i].size(), " bytes, want ", kHashSize));
    }
  }
  return TreeAppender(size, std::move(frontier));
}

absl::StatusOr<std::vector<NodeHash>> TreeAppender::Append(
    absl::string_view leaf_hash) {
  if (leaf_hash.size() != kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree appender: leaf hash has ", leaf_hash.size(),
                     " bytes, want ", kHashSize));
  }
  if (size_ == std::numeric_limits<uint64_t>::max()) {
    return absl::FailedPreconditionError(
        absl::StrCat("tree appender: tree is full at size ", size_));
  }
  // Each trailing one bit of size_ is a complete subtree at the end of the
  // frontier (smallest last) that the new leaf completes into its parent.
  const int merges = absl::countr_one(size_);
  std::vector<NodeHash> completed;
  completed.reserve(static_cast<size_t>(merges) + 1);
  completed.push_back({{0, size_}, std::string(leaf_hash)});
  std::string hash(leaf_hash);
  for (int level = 1; level <= merges; ++level) {
    const std::string& left = frontier_[frontier_.size() - level];
    PEDIGREE_ASSIGN_OR_RETURN(hash, HashChildren(left, hash));
    completed.push_back({{level, size_ >> level}, hash});
  }
  frontier_.resize(frontier_.size() - merges);
  frontier_.push_back(std::move(hash));
  ++size_;
  return completed;
}

absl::StatusOr<std::string> TreeAppender::RootHash() const {
  if (frontier_.empty()) return EmptyTreeRoot();
  return internal::FoldRangeHashes(frontier_);
}

}  // namespace pedigree::core::merkle
