#include "core/merkle/proof.h"

#include <utility>

#include "absl/numeric/bits.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "core/merkle/internal/range_hash.h"
#include "core/status_macros.h"

namespace pedigree::core::merkle {
namespace {

// The stored nodes a proof is made of. Each becomes one proof entry, except
// nodes[fold_begin, fold_end): the RangeNodes of the one sibling that the
// tree's right edge cuts short, folded into a single entry.
struct ProofPlan {
  std::vector<NodeId> nodes;
  size_t fold_begin = 0;
  size_t fold_end = 0;
};

// Appends to `plan` the siblings on the path from the node at `from_level`
// above leaf `leaf` up to the root of a tree of `size` leaves (RFC 9162
// section 2.1.3.1, leaf to root). Requires leaf < size.
//
// Below level `inner` (the highest bit where leaf and size - 1 differ, plus
// one) the path runs inside a subtree that is complete except for its right
// part: every sibling is a perfect subtree, but the one at level inner - 1 is
// to the right and may be cut by the tree's edge. From `inner` up the path
// follows the right edge, where only left siblings exist (set bits of leaf).
void PlanPath(uint64_t leaf, int from_level, uint64_t size, ProofPlan* plan) {
  const int inner = static_cast<int>(absl::bit_width(leaf ^ (size - 1)));
  for (int level = from_level; level < inner - 1; ++level) {
    plan->nodes.push_back({level, (leaf >> level) ^ 1});
  }
  if (from_level < inner) {
    // leaf has a 0 bit here and size - 1 a 1 bit, so begin <= size - 1.
    const int level = inner - 1;
    const uint64_t begin = ((leaf >> level) ^ 1) << level;
    plan->fold_begin = plan->nodes.size();
    for (const NodeId& id : RangeNodes(begin, size)) plan->nodes.push_back(id);
    plan->fold_end = plan->nodes.size();
  }
  for (int level = inner; level < 64; ++level) {
    if (((leaf >> level) & 1) != 0) {
      plan->nodes.push_back({level, (leaf >> level) ^ 1});
    }
  }
}

absl::StatusOr<ProofPlan> PlanInclusion(uint64_t index, uint64_t size) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("inclusion proof: leaf index ", index,
                     " is not less than tree size ", size));
  }
  ProofPlan plan;
  PlanPath(index, 0, size, &plan);
  return plan;
}

absl::StatusOr<ProofPlan> PlanConsistency(uint64_t old_size,
                                          uint64_t new_size) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency proof: old tree size ", old_size,
                     " is greater than new tree size ", new_size));
  }
  ProofPlan plan;
  if (old_size == 0 || old_size == new_size) return plan;
  // RFC 9162 section 2.1.4.1: the old tree's smallest perfect subtree ends at
  // old_size and is also a node of the new tree. The proof is that node
  // (omitted when it is the whole old tree) followed by its inclusion path.
  const int level = absl::countr_zero(old_size);
  const uint64_t last = old_size - 1;
  if ((last >> level) != 0) plan.nodes.push_back({level, last >> level});
  PlanPath(last, level, new_size, &plan);
  return plan;
}

absl::StatusOr<std::vector<std::string>> FetchNodes(
    const std::vector<NodeId>& ids, const NodeFetcher& fetch) {
  if (!fetch) return absl::InvalidArgumentError("node fetcher is empty");
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> hashes, fetch(ids));
  if (hashes.size() != ids.size()) {
    return absl::DataLossError(absl::StrCat("node fetcher returned ",
                                            hashes.size(), " hashes for ",
                                            ids.size(), " nodes"));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (hashes[i].size() != kHashSize) {
      return absl::DataLossError(absl::StrCat(
          "node fetcher returned ", hashes[i].size(), " bytes for node (",
          ids[i].level, ", ", ids[i].index, "), want ", kHashSize));
    }
  }
  return hashes;
}

absl::StatusOr<std::vector<std::string>> BuildProof(const ProofPlan& plan,
                                                    const NodeFetcher& fetch) {
  if (plan.nodes.empty()) return std::vector<std::string>();
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> hashes,
                            FetchNodes(plan.nodes, fetch));
  if (plan.fold_end - plan.fold_begin <= 1) return hashes;
  PEDIGREE_ASSIGN_OR_RETURN(
      std::string folded,
      internal::FoldRangeHashes(absl::MakeConstSpan(hashes).subspan(
          plan.fold_begin, plan.fold_end - plan.fold_begin)));
  hashes[plan.fold_begin] = std::move(folded);
  hashes.erase(hashes.begin() + static_cast<ptrdiff_t>(plan.fold_begin) + 1,
               hashes.begin() + static_cast<ptrdiff_t>(plan.fold_end));
  return hashes;
}

}  // namespace

absl::StatusOr<std::vector<NodeId>> InclusionProofNodes(uint64_t index,
                                                        uint64_t size) {
  PEDIGREE_ASSIGN_OR_RETURN(ProofPlan plan, PlanInclusion(index, size));
  return std::move(plan.nodes);
}

absl::StatusOr<std::vector<NodeId>> ConsistencyProofNodes(uint64_t old_size,
                                                          uint64_t new_size) {
  PEDIGREE_ASSIGN_OR_RETURN(ProofPlan plan,
                            PlanConsistency(old_size, new_size));
  return std::move(plan.nodes);
}

absl::StatusOr<std::string> RootHash(uint64_t size, const NodeFetcher& fetch) {
  if (size == 0) return EmptyTreeRoot();
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> hashes,
                            FetchNodes(RangeNodes(0, size), fetch));
  return internal::FoldRangeHashes(hashes);
}

absl::StatusOr<std::vector<std::string>> InclusionProof(
    uint64_t index, uint64_t size, const NodeFetcher& fetch) {
  PEDIGREE_ASSIGN_OR_RETURN(ProofPlan plan, PlanInclusion(index, size));
  return BuildProof(plan, fetch);
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(
    uint64_t old_size, uint64_t new_size, const NodeFetcher& fetch) {
  PEDIGREE_ASSIGN_OR_RETURN(ProofPlan plan,
                            PlanConsistency(old_size, new_size));
  return BuildProof(plan, fetch);
}

}  // namespace pedigree::core::merkle
