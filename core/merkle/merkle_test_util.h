#ifndef PEDIGREE_CORE_MERKLE_MERKLE_TEST_UTIL_H_
#define PEDIGREE_CORE_MERKLE_MERKLE_TEST_UTIL_H_

// A naive RFC 9162 Merkle tree, written straight from the recursive
// definitions of section 2.1 (MTH, PATH, PROOF) and the verification
// algorithms of sections 2.1.3.2 and 2.1.4.2, to check core/merkle against.
// For tests only (library pedigree_merkle_testing). It hashes with
// crypto::Sha256Digest directly, not with core/merkle, and reports a hashing
// failure as a gtest failure.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "core/merkle/proof.h"
#include "core/merkle/tree.h"
#include "gmock/gmock.h"

namespace pedigree::core::merkle {

// The 8-leaf tree of transparency-dev/merkle's tests (proof/verify_test.go,
// also in issue #5): its entries in hex, and the root hashes of its prefixes
// of sizes 1 to 8.
inline constexpr const char* kReferenceEntriesHex[] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"};
inline constexpr const char* kReferenceRootsHex[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

// Known proofs in the reference tree (same source), with 0-based indexes.
struct KnownInclusionProof {
  uint64_t index;
  uint64_t size;
  std::vector<std::string> proof_hex;
};
struct KnownConsistencyProof {
  uint64_t size1;
  uint64_t size2;
  std::vector<std::string> proof_hex;
};
std::vector<KnownInclusionProof> ReferenceInclusionProofs();
std::vector<KnownConsistencyProof> ReferenceConsistencyProofs();

// Returns the bytes spelled by lowercase hex `hex`; a test failure if invalid.
std::string Unhex(absl::string_view hex);

// Returns the leaf hashes of the reference tree's entries, hashed naively.
std::vector<std::string> ReferenceLeafHashes();

// Returns the leaf hash of test entry `i`: SHA-256(0x00 || "entry <i>").
std::string TestLeafHash(uint64_t i);

// A list of leaf hashes and the RFC 9162 functions over it. Subtree hashes
// are memoized, so sweeping every size and index stays fast. Copyable; not
// thread-safe (the cache is mutable).
class ReferenceTree {
 public:
  explicit ReferenceTree(std::vector<std::string> leaf_hashes)
      : leaves_(std::move(leaf_hashes)) {}

  // Returns a tree of `size` leaves with hashes TestLeafHash(0..size-1).
  static ReferenceTree WithTestLeaves(uint64_t size);

  uint64_t size() const { return leaves_.size(); }
  const std::string& leaf_hash(uint64_t i) const { return leaves_[i]; }

  // MTH(D[begin:end]): the hash of the subtree over leaves [begin, end).
  // begin < end <= size().
  std::string Mth(uint64_t begin, uint64_t end) const;
  std::string RootHash(uint64_t size) const;
  std::string NodeHash(NodeId id) const;

  // PATH(index, D[0:size]) of section 2.1.3.1. index < size <= size().
  std::vector<std::string> Path(uint64_t index, uint64_t size) const;

  // PROOF(size1, D[0:size2]) of section 2.1.4.1. 0 < size1 < size2 <= size().
  std::vector<std::string> Proof(uint64_t size1, uint64_t size2) const;

  // Returns a NodeFetcher answering from this tree (which must outlive it).
  // Each call increments *calls if `calls` is not null and fails the test if
  // an id is out of range or asked for twice.
  NodeFetcher Fetcher(int* calls = nullptr) const;

 private:
  std::string Hash(uint64_t begin, uint64_t end) const;
  void AppendPath(uint64_t index, uint64_t begin, uint64_t end,
                  std::vector<std::string>* path) const;
  void AppendSubproof(uint64_t m, uint64_t begin, uint64_t end, bool whole,
                      std::vector<std::string>* proof) const;

  std::vector<std::string> leaves_;
  mutable absl::flat_hash_map<std::pair<uint64_t, uint64_t>, std::string>
      cache_;
};

// Matches an OK absl::StatusOr whose value matches `matcher`.
// Belongs in tests/testing/status_matchers.h; here until it moves there.
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

// The verification algorithm of RFC 9162 section 2.1.3.2, step by step.
bool RfcVerifyInclusion(uint64_t index, uint64_t size,
                        absl::string_view leaf_hash,
                        const std::vector<std::string>& proof,
                        absl::string_view root);

// The verification algorithm of RFC 9162 section 2.1.4.2, step by step, for
// 0 < size1 < size2 (the RFC leaves the other cases to the application).
bool RfcVerifyConsistency(uint64_t size1, uint64_t size2,
                          const std::vector<std::string>& proof,
                          absl::string_view root1, absl::string_view root2);

}  // namespace pedigree::core::merkle

#endif  // PEDIGREE_CORE_MERKLE_MERKLE_TEST_UTIL_H_
