#ifndef PEDIGREE_CORE_MERKLE_INTERNAL_RANGE_HASH_H_
#define PEDIGREE_CORE_MERKLE_INTERNAL_RANGE_HASH_H_

// Folding of RangeNodes hashes into one RFC 9162 subtree hash. Internal to
// core/merkle.

#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace pedigree::core::merkle::internal {

// Returns the RFC 9162 hash of leaves [begin, end) from `hashes`, the hashes
// of RangeNodes(begin, end) in order, where [begin, end) is a subtree of the
// RFC 9162 shape whose begin is a multiple of a power of two >= end - begin
// (e.g. begin == 0: the root of a tree of `end` leaves). The nodes are
// combined right to left. `hashes` must not be empty. Internal if hashing
// fails.
absl::StatusOr<std::string> FoldRangeHashes(
    absl::Span<const std::string> hashes);

}  // namespace pedigree::core::merkle::internal

#endif  // PEDIGREE_CORE_MERKLE_INTERNAL_RANGE_HASH_H_
