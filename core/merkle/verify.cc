#include "core/merkle/verify.h"

#include <openssl/crypto.h>

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/hex.h"
#include "core/merkle/tree.h"
#include "core/status_macros.h"

namespace pedigree::core::merkle {
namespace {

// The shape of the path from a leaf (or the node at some level above it) to
// the root of a tree whose last leaf is `last` (RFC 9162 section 2.1.3):
// below level `inner` each level has one sibling, left or right by the
// leaf's bit; from `inner` up the path runs along the tree's right edge and
// has one left sibling per set bit of the leaf.
struct PathShape {
  int inner = 0;
  int border = 0;
};

PathShape ShapeOf(uint64_t leaf, uint64_t last) {
  PathShape shape;
  shape.inner = static_cast<int>(absl::bit_width(leaf ^ last));
  shape.border = shape.inner >= 64 ? 0 : absl::popcount(leaf >> shape.inner);
  return shape;
}

absl::Status CheckHashSize(absl::string_view what, absl::string_view hash) {
  if (hash.size() != kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " has ", hash.size(), " bytes, want ", kHashSize));
  }
  return absl::OkStatus();
}

absl::Status CheckProof(absl::string_view kind,
                        const std::vector<std::string>& proof, size_t want,
                        absl::string_view sizes) {
  if (proof.size() != want) {
    return absl::InvalidArgumentError(
        absl::StrCat(kind, " proof has ", proof.size(), " entries, want ", want,
                     " for ", sizes));
  }
  for (size_t i = 0; i < proof.size(); ++i) {
    PEDIGREE_RETURN_IF_ERROR(
        CheckHashSize(absl::StrCat(kind, " proof entry ", i), proof[i]));
  }
  return absl::OkStatus();
}

// Constant time as house rule for digests, though roots are public.
bool SameHash(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status Mismatch(absl::string_view what, absl::string_view computed,
                      absl::string_view expected) {
  return absl::FailedPreconditionError(
      absl::StrCat(what, ": computed ", HexEncode(computed), ", expected ",
                   HexEncode(expected)));
}

}  // namespace

absl::StatusOr<std::string> RootFromInclusionProof(
    uint64_t index, uint64_t size, absl::string_view leaf_hash,
    const std::vector<std::string>& proof) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("inclusion proof: leaf index ", index,
                     " is not less than tree size ", size));
  }
  PEDIGREE_RETURN_IF_ERROR(CheckHashSize("leaf hash", leaf_hash));
  const PathShape shape = ShapeOf(index, size - 1);
  PEDIGREE_RETURN_IF_ERROR(CheckProof(
      "inclusion", proof, static_cast<size_t>(shape.inner + shape.border),
      absl::StrCat("leaf index ", index, " in tree size ", size)));

  std::string hash(leaf_hash);
  for (int level = 0; level < shape.inner; ++level) {
    const std::string& sibling = proof[level];
    if (((index >> level) & 1) != 0) {
      PEDIGREE_ASSIGN_OR_RETURN(hash, HashChildren(sibling, hash));
    } else {
      PEDIGREE_ASSIGN_OR_RETURN(hash, HashChildren(hash, sibling));
    }
  }
  for (size_t i = static_cast<size_t>(shape.inner); i < proof.size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(hash, HashChildren(proof[i], hash));
  }
  return hash;
}

absl::Status VerifyInclusion(uint64_t index, uint64_t size,
                             absl::string_view leaf_hash,
                             const std::vector<std::string>& proof,
                             absl::string_view root) {
  PEDIGREE_RETURN_IF_ERROR(CheckHashSize("root hash", root));
  PEDIGREE_ASSIGN_OR_RETURN(
      std::string computed,
      RootFromInclusionProof(index, size, leaf_hash, proof));
  if (!SameHash(computed, root)) {
    return Mismatch(absl::StrCat("inclusion proof does not verify for leaf "
                                 "index ",
                                 index, " in tree size ", size, ": root"),
                    computed, root);
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                               const std::vector<std::string>& proof,
                               absl::string_view root1,
                               absl::string_view root2) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency proof: old tree size ", size1,
                     " is greater than new tree size ", size2));
  }
  PEDIGREE_RETURN_IF_ERROR(CheckHashSize("old root hash", root1));
  PEDIGREE_RETURN_IF_ERROR(CheckHashSize("new root hash", root2));
  const std::string sizes = absl::StrCat("tree sizes ", size1, " and ", size2);

  if (size1 == 0 || size1 == size2) {
    PEDIGREE_RETURN_IF_ERROR(CheckProof("consistency", proof, 0, sizes));
    if (size1 == 0 && !SameHash(root1, EmptyTreeRoot())) {
      return Mismatch(
          "consistency proof does not verify: old root of the empty tree",
          EmptyTreeRoot(), root1);
    }
    if (size1 == size2 && !SameHash(root1, root2)) {
      return Mismatch(absl::StrCat("consistency proof does not verify: "
                                   "roots of equal ",
                                   sizes, " differ: new root"),
                      root2, root1);
    }
    return absl::OkStatus();
  }

  // RFC 9162 section 2.1.4: the proof is the old tree's smallest perfect
  // subtree, ending at size1 (omitted when it is the whole old tree, i.e.
  // size1 is a power of two), then that subtree's inclusion path in the new
  // tree. Climbing the path rebuilds both roots: left siblings belong to both
  // trees, right siblings only to the new one.
  const int level = absl::countr_zero(size1);
  const uint64_t last = size1 - 1;
  const bool has_seed = (last >> level) != 0;
  const PathShape shape = ShapeOf(last, size2 - 1);
  PEDIGREE_RETURN_IF_ERROR(
      CheckProof("consistency", proof,
                 static_cast<size_t>(has_seed) +
                     static_cast<size_t>(shape.inner - level + shape.border),
                 sizes));

  size_t next = 0;
  std::string old_hash = has_seed ? proof[next++] : std::string(root1);
  std::string new_hash = old_hash;
  for (int l = level; l < shape.inner; ++l) {
    const std::string& sibling = proof[next++];
    if (((last >> l) & 1) != 0) {
      PEDIGREE_ASSIGN_OR_RETURN(old_hash, HashChildren(sibling, old_hash));
      PEDIGREE_ASSIGN_OR_RETURN(new_hash, HashChildren(sibling, new_hash));
    } else {
      PEDIGREE_ASSIGN_OR_RETURN(new_hash, HashChildren(new_hash, sibling));
    }
  }
  for (; next < proof.size(); ++next) {
    PEDIGREE_ASSIGN_OR_RETURN(old_hash, HashChildren(proof[next], old_hash));
    PEDIGREE_ASSIGN_OR_RETURN(new_hash, HashChildren(proof[next], new_hash));
  }
  if (!SameHash(old_hash, root1)) {
    return Mismatch(absl::StrCat("consistency proof does not verify for ",
                                 sizes, ": old root"),
                    old_hash, root1);
  }
  if (!SameHash(new_hash, root2)) {
    return Mismatch(absl::StrCat("consistency proof does not verify for ",
                                 sizes, ": new root"),
                    new_hash, root2);
  }
  return absl::OkStatus();
}

}  // namespace pedigree::core::merkle
