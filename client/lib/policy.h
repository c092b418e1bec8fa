#ifndef PEDIGREE_CLIENT_LIB_POLICY_H_
#define PEDIGREE_CLIENT_LIB_POLICY_H_

// Pipeline policies: what `pedigree verify DIR --policy FILE` demands of a
// verified record beyond its signature and files, read from the registry's
// judgment of the record and of its ancestors (core/judgment/judgment.h).
// docs/policy.md documents the file format and every rule.
//
//   PEDIGREE_ASSIGN_OR_RETURN(Policy policy, ReadPolicyFile("policy.json"));
//   ... verify the directory, giving the record digest and envelope ...
//   PEDIGREE_ASSIGN_OR_RETURN(
//       PolicyInputs inputs,
//       FetchPolicyInputs(client, policy, record_digest, envelope));
//   std::vector<PolicyViolation> violations =
//       EvaluatePolicy(policy, inputs.record, inputs.lineage);
//   // empty: the record passes.
//
// Fail closed: a fact the evaluator needs and cannot read (no judgment, a
// label, class or flag this client does not know, a lineage answer that is
// inconsistent or deeper than the registry walks) is a violation of the rule
// that needed it, never a pass.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/lib/pedigree_client.h"
#include "core/judgment/judgment.h"
#include "pedigree/v1/registry.pb.h"

namespace pedigree::client {

// The largest policy file ReadPolicyFile reads.
inline constexpr size_t kMaxPolicyFileSize = 1024 * 1024;

// The lineage depth FetchPolicyInputs asks for: the deepest the registry
// walks (it clamps GetLineage's max_depth to 64). An ancestor at this
// distance may have parents the answer leaves out.
inline constexpr int kPolicyLineageDepth = 64;

// The largest max_lineage_depth: a deeper chain could not be told apart from
// a lineage the registry cut off.
inline constexpr int kMaxPolicyLineageDepth = kPolicyLineageDepth - 1;

// A parsed policy. Every rule is optional; ParsePolicy guarantees at least
// one is on.
struct Policy {
  // Free text for humans ("description" in the file); not a rule.
  std::string description;
  // allowed_licenses.declared: canonical SPDX ids and "LicenseRef-" ids that
  // every id of the declared weights and code license expressions must be
  // among. nullopt: rule off; never empty when set.
  std::optional<std::vector<std::string>> allowed_declared_licenses;
  // allowed_licenses.effective: the ids every binding license (the record's
  // own and inherited, obligations.licenses) must be among. nullopt: off.
  std::optional<std::vector<std::string>> allowed_effective_licenses;
  // The record's computed label must be at least this open.
  std::optional<core::judgment::OpennessLabel> min_openness;
  // The record's computed MOF class must be at least this open.
  std::optional<core::judgment::MofClass> min_mof_class;
  // forbid_flags: true: no flag at all on the record's judgment.
  bool forbid_any_flag = false;
  // forbid_flags: [...]: none of these kinds (in file order, unique).
  std::vector<core::judgment::FlagKind> forbidden_flags;
  // No ancestor (any depth, every relation but architecture_reuse) labelled
  // open_weight_restricted or closed.
  bool forbid_restricted_ancestors = false;
  // Neither the record's effective obligations nor any ancestor's (as
  // above) forbid commercial use.
  bool forbid_non_commercial_ancestors = false;
  // The longest chain of lineage edges (every relation) up from the record
  // has at most this many edges; 0..kMaxPolicyLineageDepth.
  std::optional<int> max_lineage_depth;
};

// True if a rule of `policy` reads the record's ancestors (so the lineage
// must be fetched).
bool PolicyNeedsLineage(const Policy& policy);

// The stable rule ids of PolicyViolation::rule, one per policy member.
inline constexpr char kRuleAllowedDeclaredLicenses[] =
    "allowed_licenses.declared";
inline constexpr char kRuleAllowedEffectiveLicenses[] =
    "allowed_licenses.effective";
inline constexpr char kRuleMinOpenness[] = "min_openness";
inline constexpr char kRuleMinMofClass[] = "min_mof_class";
inline constexpr char kRuleForbidFlags[] = "forbid_flags";
inline constexpr char kRuleForbidRestrictedAncestors[] =
    "forbid_restricted_ancestors";
inline constexpr char kRuleForbidNonCommercialAncestors[] =
    "forbid_non_commercial_ancestors";
inline constexpr char kRuleMaxLineageDepth[] = "max_lineage_depth";

// One broken rule, naming one concrete fact.
struct PolicyViolation {
  std::string rule;  // one of the kRule* ids
  // One lower-case sentence naming the license id, flag kind, ancestor ref
  // or chain at fault, e.g. "binding license LicenseRef-Llama-3.1-Community
  // (inherited from acme/base@v1 via finetune) is not allowed".
  std::string message;
};

bool operator==(const PolicyViolation& a, const PolicyViolation& b);

// Parses a policy file's JSON (docs/policy.md). Strict: a member this
// client does not know, a wrong type, an unknown label, class or flag name,
// a license id that is not one SPDX or "LicenseRef-" id, an empty list, a
// depth out of range, a repeated key, or a policy with no rule on is
// InvalidArgument naming the member's path (e.g. "min_openness: unknown
// openness label \"opne_source\""). Pure; thread-safe.
absl::StatusOr<Policy> ParsePolicy(absl::string_view json);

// Reads the file at `path` and parses it. Every error names the file:
// NotFound or PermissionDenied if it cannot be opened, InvalidArgument if it
// cannot be read, is larger than kMaxPolicyFileSize or does not parse
// ("policy file \"p.json\": allowed_licenses.decalred: unknown field").
absl::StatusOr<Policy> ReadPolicyFile(const std::string& path);

// Returns every violation of `policy` by the record of `record`, whose
// ancestors are `lineage` (GetLineage with direction ancestors from the
// record, max_depth kPolicyLineageDepth; ignored unless
// PolicyNeedsLineage(policy)). Declared licenses are read from
// record.record() (weights_license, code_license); everything else from the
// judgments. Violations come in the order of the Policy members, then of the
// facts (declared weights before code, ids sorted; binding licenses, flags
// and ancestors in the registry's order). Empty: the record passes. Pure;
// thread-safe.
std::vector<PolicyViolation> EvaluatePolicy(
    const Policy& policy, const v1::GetRecordResponse& record,
    const v1::GetLineageResponse& lineage);

// What EvaluatePolicy reads, fetched from the registry.
struct PolicyInputs {
  v1::GetRecordResponse record;
  // Empty unless PolicyNeedsLineage(policy).
  v1::GetLineageResponse lineage;
};

// Fetches the record with digest `record_digest`, whose DSSE envelope JSON
// `envelope` the caller has verified, and, if PolicyNeedsLineage(policy),
// its ancestors (kPolicyLineageDepth levels). The record's declared
// licenses in the result are taken from the authenticated `envelope`, not
// from the registry's parsed copy. Returns the client's errors for failed
// calls, and DataLoss if the registry answers with another record or
// envelope than the verified one. Thread-compatible (uses `client`).
absl::StatusOr<PolicyInputs> FetchPolicyInputs(PedigreeClient& client,
                                               const Policy& policy,
                                               absl::string_view record_digest,
                                               absl::string_view envelope);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_POLICY_H_
