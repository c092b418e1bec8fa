#ifndef PEDIGREE_CORE_MERKLE_VERIFY_H_
#define PEDIGREE_CORE_MERKLE_VERIFY_H_

// Client side of the log: verification of RFC 9162 inclusion proofs (section
// 2.1.3.2) and consistency proofs (section 2.1.4.2). These functions are the
// security check; they accept a proof only if it is exactly the one the
// RFC 9162 tree defines. Stateless and thread-safe.
//
// Error codes, the same for every function here:
// - InvalidArgument: malformed input that no honest log produces: a hash
//   (leaf, root or proof entry) that is not 32 bytes, a leaf index not less
//   than the tree size, an old size greater than the new size, or a proof
//   with the wrong number of entries for the sizes. Checked before any
//   hashing, so an oversized proof costs nothing.
// - FailedPrecondition: a well-formed proof that does not lead to the
//   expected root(s): the log, the proof or the expected data is wrong.
//   The message contains "proof does not verify".
// - Internal: hashing failed (OpenSSL).
//
// What a proof does not prove: the tree sizes. As in every RFC 6962 verifier,
// the same hashes can verify for other sizes whose trees have the same shape
// (e.g. leaf 5 in trees of 7 and 8 leaves; consistency proofs for sizes
// scaled by a power of two). A size means something only together with the
// root it was signed with: always take both from one verified checkpoint.
//
//   PEDIGREE_RETURN_IF_ERROR(VerifyInclusion(
//       index, checkpoint.size, leaf_hash, proof, checkpoint.root_hash));

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::merkle {

// Returns the root hash that the inclusion proof `proof` yields for the leaf
// with hash `leaf_hash` at `index` in a tree of `size` leaves. The caller
// must compare it with a trusted root (or use VerifyInclusion). Returns
// InvalidArgument for malformed input (see above), Internal on hashing
// failure.
absl::StatusOr<std::string> RootFromInclusionProof(
    uint64_t index, uint64_t size, absl::string_view leaf_hash,
    const std::vector<std::string>& proof);

// Returns OK only if `proof` proves that the leaf with hash `leaf_hash` is at
// `index` in the tree of `size` leaves whose root hash is `root`. Errors as
// described above.
absl::Status VerifyInclusion(uint64_t index, uint64_t size,
                             absl::string_view leaf_hash,
                             const std::vector<std::string>& proof,
                             absl::string_view root);

// Returns OK only if `proof` proves that the tree of `size1` leaves with root
// hash `root1` is a prefix of the tree of `size2` leaves with root `root2`.
// Edge cases (RFC 9162 leaves them to the application):
// - size1 == size2: the proof must be empty and the roots equal.
// - size1 == 0: the proof must be empty and `root1` must be EmptyTreeRoot()
//   (any tree extends the empty one, so `root2` is not constrained unless
//   size2 is 0 too).
// - size1 > size2: InvalidArgument.
// Errors as described above.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                               const std::vector<std::string>& proof,
                               absl::string_view root1,
                               absl::string_view root2);

}  // namespace pedigree::core::merkle

#endif  // PEDIGREE_CORE_MERKLE_VERIFY_H_
