#include "core/merkle/merkle_test_util.h"

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/crypto/sha256.h"
#include "core/encoding/hex.h"
#include "gtest/gtest.h"

namespace pedigree::core::merkle {
namespace {

std::string Sha256OrFail(const std::string& data) {
  absl::StatusOr<std::string> digest = crypto::Sha256Digest(data);
  if (!digest.ok()) {
    ADD_FAILURE() << "sha256 failed: " << digest.status();
    return std::string();
  }
  return *std::move(digest);
}

std::string NaiveHashChildren(absl::string_view left, absl::string_view right) {
  return Sha256OrFail(absl::StrCat("\x01", left, right));
}

// The largest power of two smaller than n (n > 1).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

}  // namespace

std::vector<KnownInclusionProof> ReferenceInclusionProofs() {
  return {
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       3,
       {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
}

std::vector<KnownConsistencyProof> ReferenceConsistencyProofs() {
  return {
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
}

std::string Unhex(absl::string_view hex) {
  absl::StatusOr<std::string> bytes = HexDecode(hex);
  if (!bytes.ok()) {
    ADD_FAILURE() << "bad hex " << hex << ": " << bytes.status();
    return std::string();
  }
  return *std::move(bytes);
}

std::vector<std::string> ReferenceLeafHashes() {
  std::vector<std::string> leaves;
  for (const char* entry : kReferenceEntriesHex) {
    leaves.push_back(Sha256OrFail(std::string(1, '\0') + Unhex(entry)));
  }
  return leaves;
}

std::string TestLeafHash(uint64_t i) {
  return Sha256OrFail(absl::StrCat(std::string(1, '\0'), "entry ", i));
}

ReferenceTree ReferenceTree::WithTestLeaves(uint64_t size) {
  std::vector<std::string> leaves;
  leaves.reserve(size);
  for (uint64_t i = 0; i < size; ++i) leaves.push_back(TestLeafHash(i));
  return ReferenceTree(std::move(leaves));
}

std::string ReferenceTree::Mth(uint64_t begin, uint64_t end) const {
  return Hash(begin, end);
}

std::string ReferenceTree::RootHash(uint64_t size) const {
  if (size == 0) return Sha256OrFail("");
  return Hash(0, size);
}

std::string ReferenceTree::NodeHash(NodeId id) const {
  return Hash(id.index << id.level, (id.index + 1) << id.level);
}

// MTH of section 2.1.1: leaves are given as hashes already.
std::string ReferenceTree::Hash(uint64_t begin, uint64_t end) const {
  if (end - begin == 1) return leaves_[begin];
  auto it = cache_.find({begin, end});
  if (it != cache_.end()) return it->second;
  const uint64_t k = SplitPoint(end - begin);
  std::string hash =
      NaiveHashChildren(Hash(begin, begin + k), Hash(begin + k, end));
  cache_.emplace(std::make_pair(begin, end), hash);
  return hash;
}

std::vector<std::string> ReferenceTree::Path(uint64_t index,
                                             uint64_t size) const {
  std::vector<std::string> path;
  AppendPath(index, 0, size, &path);
  return path;
}

// PATH(m, D[n]) with D[n] = leaves [begin, end) and m relative to begin.
void ReferenceTree::AppendPath(uint64_t index, uint64_t begin, uint64_t end,
                               std::vector<std::string>* path) const {
  if (end - begin == 1) return;
  const uint64_t k = SplitPoint(end - begin);
  if (index < k) {
    AppendPath(index, begin, begin + k, path);
    path->push_back(Hash(begin + k, end));
  } else {
    AppendPath(index - k, begin + k, end, path);
    path->push_back(Hash(begin, begin + k));
  }
}

std::vector<std::string> ReferenceTree::Proof(uint64_t size1,
                                              uint64_t size2) const {
  std::vector<std::string> proof;
  AppendSubproof(size1, 0, size2, /*whole=*/true, &proof);
  return proof;
}

// SUBPROOF(m, D[n], b) with D[n] = leaves [begin, end).
void ReferenceTree::AppendSubproof(uint64_t m, uint64_t begin, uint64_t end,
                                   bool whole,
                                   std::vector<std::string>* proof) const {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!whole) proof->push_back(Hash(begin, end));
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    AppendSubproof(m, begin, begin + k, whole, proof);
    proof->push_back(Hash(begin + k, end));
  } else {
    AppendSubproof(m - k, begin + k, end, /*whole=*/false, proof);
    proof->push_back(Hash(begin, begin + k));
  }
}

NodeFetcher ReferenceTree::Fetcher(int* calls) const {
  return [this, calls](const std::vector<NodeId>& ids)
             -> absl::StatusOr<std::vector<std::string>> {
    if (calls != nullptr) ++*calls;
    absl::flat_hash_set<NodeId> seen;
    std::vector<std::string> hashes;
    for (const NodeId& id : ids) {
      EXPECT_TRUE(seen.insert(id).second) << "node " << id << " asked twice";
      EXPECT_TRUE(id.level >= 0 && id.level < 64 &&
                  id.index < (size() >> id.level))
          << "node " << id << " is not a complete subtree of " << size()
          << " leaves";
      hashes.push_back(NodeHash(id));
    }
    return hashes;
  };
}

bool RfcVerifyInclusion(uint64_t index, uint64_t size,
                        absl::string_view leaf_hash,
                        const std::vector<std::string>& proof,
                        absl::string_view root) {
  if (index >= size) return false;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = NaiveHashChildren(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NaiveHashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool RfcVerifyConsistency(uint64_t size1, uint64_t size2,
                          const std::vector<std::string>& proof_in,
                          absl::string_view root1, absl::string_view root2) {
  if (size1 == 0 || size1 >= size2) {
    ADD_FAILURE() << "RfcVerifyConsistency needs 0 < size1 < size2";
    return false;
  }
  if (proof_in.empty()) return false;
  std::vector<std::string> proof;
  if ((size1 & (size1 - 1)) == 0) proof.emplace_back(root1);
  proof.insert(proof.end(), proof_in.begin(), proof_in.end());
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = proof[0];
  std::string sr = proof[0];
  for (size_t i = 1; i < proof.size(); ++i) {
    const std::string& c = proof[i];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = NaiveHashChildren(c, fr);
      sr = NaiveHashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NaiveHashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == root1 && sr == root2 && sn == 0;
}

}  // namespace pedigree::core::merkle
