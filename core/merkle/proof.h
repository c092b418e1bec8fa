#ifndef PEDIGREE_CORE_MERKLE_PROOF_H_
#define PEDIGREE_CORE_MERKLE_PROOF_H_

// Server side of the log: root hashes and RFC 9162 section 2.1.3 / 2.1.4
// inclusion and consistency proofs, assembled from stored perfect-subtree
// hashes (see TreeAppender::Append). Each computation plans the nodes it
// needs and asks a NodeFetcher for all of them at once, so a store answers it
// with one indexed query. Pure logic: no I/O here; the functions are
// stateless and thread-safe, and call `fetch` on the calling thread.
// Verification is in core/merkle/verify.h.
//
//   NodeFetcher fetch = [&](const std::vector<NodeId>& ids) {
//     return store.ReadNodeHashes(tx, ids);  // one indexed SELECT
//   };
//   PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> proof,
//                             InclusionProof(index, tree_size, fetch));

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/merkle/tree.h"

namespace pedigree::core::merkle {

// Returns the hashes of the perfect subtrees `ids`, in the same order, each
// kHashSize bytes. Every id it is asked for lies within the tree size of the
// computation (a complete subtree), and no id is asked for twice in one call.
// An error it returns is passed through unchanged to the caller.
using NodeFetcher = std::function<absl::StatusOr<std::vector<std::string>>(
    const std::vector<NodeId>& ids)>;

// Returns the perfect subtrees whose hashes InclusionProof(`index`, `size`)
// needs, in the order it fetches them, for callers that batch or cache reads.
// InvalidArgument if `index >= size`.
absl::StatusOr<std::vector<NodeId>> InclusionProofNodes(uint64_t index,
                                                        uint64_t size);

// Returns the perfect subtrees whose hashes ConsistencyProof(`old_size`,
// `new_size`) needs, in the order it fetches them (empty when
// `old_size` is 0 or equals `new_size`). InvalidArgument if
// `old_size > new_size`.
absl::StatusOr<std::vector<NodeId>> ConsistencyProofNodes(uint64_t old_size,
                                                          uint64_t new_size);

// Returns the root hash of the tree of the first `size` leaves. For size 0
// returns EmptyTreeRoot() without calling `fetch`; otherwise calls `fetch`
// exactly once with RangeNodes(0, size). Errors: InvalidArgument if `fetch`
// is needed but empty; DataLoss if `fetch` returns the wrong number of hashes
// or one that is not 32 bytes; `fetch`'s own error unchanged; Internal if
// hashing fails. `fetch` is only used during the call.
absl::StatusOr<std::string> RootHash(uint64_t size, const NodeFetcher& fetch);

// Returns the RFC 9162 inclusion proof (audit path, leaf to root) of leaf
// `index` in the tree of the first `size` leaves: at most 64 hashes. Calls
// `fetch` exactly once with InclusionProofNodes(index, size), or not at all
// when that is empty (size 1). Errors: InvalidArgument if `index >= size`;
// otherwise as RootHash.
absl::StatusOr<std::vector<std::string>> InclusionProof(
    uint64_t index, uint64_t size, const NodeFetcher& fetch);

// Returns the RFC 9162 consistency proof from the tree of the first
// `old_size` leaves to the tree of the first `new_size` leaves: at most 65
// hashes. Empty, without calling `fetch`, when `old_size` is 0 (every tree
// extends the empty tree) or equals `new_size`; otherwise calls `fetch`
// exactly once with ConsistencyProofNodes(old_size, new_size). Errors:
// InvalidArgument if `old_size > new_size`; otherwise as RootHash.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(
    uint64_t old_size, uint64_t new_size, const NodeFetcher& fetch);

}  // namespace pedigree::core::merkle

#endif  // PEDIGREE_CORE_MERKLE_PROOF_H_
