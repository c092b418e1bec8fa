#ifndef PEDIGREE_CORE_JUDGMENT_JUDGMENT_H_
#define PEDIGREE_CORE_JUDGMENT_JUDGMENT_H_

// The registry's judgment of a record: how open it really is (a label and a
// Model Openness Framework class, computed from the signed facts, never taken
// from the publisher's claim), which license terms bind it (its own and
// everything inherited along its lineage) and what looks wrong (flags). Every
// outcome carries its reasons, each naming the rule that produced it.
//
// A judgment depends only on the record and on its direct parents' judgments,
// so the registry computes it once, when the record is accepted, and stores
// it with kRuleSetVersion; stored judgments of another version are recomputed
// (parents before children).
//
//   std::vector<ParentJudgment> parents = ...;  // one per lineage edge
//   PEDIGREE_ASSIGN_OR_RETURN(Judgment judgment, Judge(record, parents));
//
// Pure: no I/O, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/record/record.h"

namespace pedigree::core::judgment {

// Names the rules that produced a judgment. Changed whenever any rule or
// catalog entry can change an outcome; docs/judgment.md lists the rules.
inline constexpr absl::string_view kRuleSetVersion = "pedigree-rules/3";

// Ordered from least to most open, so a cap is std::min.
enum class OpennessLabel {
  kClosed,                // no downloadable weights
  kOpenWeightRestricted,  // weights downloadable under terms that restrict
                          // use, users, commerce or naming
  kOpenWeightPermissive,  // weights under an open license with no use
                          // restrictions, the rest missing
  kOpenSource,            // OSI Open Source AI Definition 1.0
};

// Model Openness Framework classes, ordered from least to most open
// (Class I, Open Science, is the most open; classes are cumulative).
enum class MofClass {
  kNone,
  kClassIII,  // Open Model
  kClassII,   // Open Tooling
  kClassI,    // Open Science
};

// Wire names: "closed", "open_weight_restricted", "open_weight_permissive",
// "open_source"; "none", "class_iii", "class_ii", "class_i". ToString
// returns "" for a value out of range; Parse* returns InvalidArgument for an
// unknown name.
absl::string_view ToString(OpennessLabel label);
absl::string_view ToString(MofClass mof_class);
absl::StatusOr<OpennessLabel> ParseOpennessLabel(absl::string_view name);
absl::StatusOr<MofClass> ParseMofClass(absl::string_view name);

// Why an outcome is what it is.
struct Reason {
  // Stable rule id, e.g. "label.weights_license_restricted"; docs/judgment.md
  // lists them all.
  std::string rule;
  // One sentence naming the facts, e.g. "weights license
  // LicenseRef-Llama-3.1-Community restricts use (acceptable use policy)".
  std::string message;
};

enum class FlagKind {
  // The publisher's openness claim is more open than the computed label.
  kOpennessClaimExceedsComputed,
  // The declared weights license drops or contradicts terms inherited from
  // an ancestor (a Llama-3.1 fine-tune declared MIT).
  kDeclaredLicenseDiffersFromInherited,
  // An inherited naming duty (derivative names must begin with "Llama") is
  // not met by the model's name.
  kNamingDutyUnmet,
  // A non-commercial ancestor under a commercial declared license.
  kNonCommercialAncestor,
  // A quantization or conversion declares a license different from its base.
  kDerivativeLicenseDiffersFromBase,
  // A merge of parents whose terms cannot hold together (non-commercial with
  // commercial-only duties, two different naming duties, ...).
  kIncompatibleMergeParents,
  // Distilled from a teacher whose license forbids using its outputs to
  // train other models.
  kTeacherForbidsDistillation,
  // A synthetic training dataset whose generator is not a distillation or
  // weight-flow parent (or is not named): the generator's terms cannot be
  // judged (core/judgment/synthetic_data.h).
  kSyntheticDataGeneratorNotJudged,
  // A license id that neither SPDX nor the catalog knows: its duties cannot
  // be judged.
  kUnknownLicense,
};

// Wire names: "openness_claim_exceeds_computed",
// "declared_license_differs_from_inherited", "naming_duty_unmet",
// "non_commercial_ancestor", "derivative_license_differs_from_base",
// "incompatible_merge_parents", "teacher_forbids_distillation",
// "synthetic_data_generator_not_judged", "unknown_license".
absl::string_view ToString(FlagKind kind);
absl::StatusOr<FlagKind> ParseFlagKind(absl::string_view name);

struct Flag {
  FlagKind kind = FlagKind::kUnknownLicense;
  // One sentence naming the facts and the ancestor concerned.
  std::string message;
  // "namespace/name@version" of the ancestor the flag concerns, or "" when it
  // concerns the record alone. For kSyntheticDataGeneratorNotJudged, the
  // generator's locator as the record wrote it ("namespace/name@version" or
  // "sha256:<hex>"), or "" when the dataset names no generator.
  std::string ancestor;
};

// A license whose terms bind the record.
struct BindingLicense {
  // SPDX or catalog id, e.g. "Apache-2.0", in the catalog's spelling when
  // the catalog knows it (ids match ignoring case), else as written.
  std::string license_id;
  // "" for the record's own declared weights license; otherwise the
  // "namespace/name@version" of the nearest ancestor that declared it.
  std::string from;
  // For inherited licenses, the relation of the edge the terms arrived
  // through at this record (its wire name, e.g. "finetune",
  // "distillation"); "" for the record's own.
  std::string via;
  // True when the terms reach this record, along weight-flow edges only,
  // from a record published in one of the license's licensor namespaces
  // (license::IsLicensorNamespace), so that the record's weights descend from
  // a model the licensor released under them. For the record's own license:
  // the record is in a licensor namespace. For an inherited one: it arrived
  // through a weight-flow edge from a parent entry of the same license that
  // had the bit; where the parent declared the license itself (and `from`
  // became the parent), from any of the parent's entries of that license
  // (ids ignoring case); where entries collapse into one, from any of them.
  // Never set for a license arriving through a distillation edge (no weights
  // flow from a teacher), and never for a license that is merely declared
  // outside the licensor's namespaces: declaring a license does not make a
  // model the licensor's derivative. Only such entries exempt a student from
  // kTeacherForbidsDistillation. A re-upload of the licensor's model with no
  // lineage (TheBloke/Llama-2-7B) therefore does not exempt its derivatives:
  // a deliberate, conservative false positive (docs/judgment.md).
  bool traced_to_licensor = false;
};

// The effective obligations: the record's own terms AND everything inherited.
struct Obligations {
  // Sorted by license_id, then from; one entry per (license_id, from).
  std::vector<BindingLicense> licenses;
  // False when any binding license forbids commercial use.
  bool commercial_use = true;
  // The smallest monthly-active-users limit of any binding license.
  std::optional<uint64_t> monthly_active_users_limit;
  // True when any binding license restricts use (acceptable use policy).
  bool use_restrictions = false;
  // Distinct texts to display ("Built with Llama"), sorted.
  std::vector<std::string> attribution_texts;
  // Distinct prefixes the model name must begin with ("Llama"), sorted.
  std::vector<std::string> name_prefixes;
};

struct Judgment {
  std::string rule_set_version;  // kRuleSetVersion when computed
  // The record's own declared weights license expression (children compare
  // against it).
  std::string declared_weights_license;
  OpennessLabel label = OpennessLabel::kClosed;
  std::vector<Reason> label_reasons;  // never empty
  MofClass mof_class = MofClass::kNone;
  // Why this class and not the next one up (the missing or mislicensed
  // components), never empty.
  std::vector<Reason> mof_reasons;
  // Components counted with an open license of the wrong type.
  std::vector<Reason> mof_warnings;
  Obligations obligations;
  std::vector<Flag> flags;  // in rule order; empty when nothing is wrong
};

bool operator==(const Reason& a, const Reason& b);
bool operator==(const Flag& a, const Flag& b);
bool operator==(const BindingLicense& a, const BindingLicense& b);
bool operator==(const Obligations& a, const Obligations& b);
bool operator==(const Judgment& a, const Judgment& b);

// A direct parent of the record being judged, with its stored judgment.
struct ParentJudgment {
  // The record's edge to this parent (points into the record's lineage).
  const record::LineageEdge* edge = nullptr;
  // The parent's "namespace/name@version".
  std::string ref;
  // The parent's judgment; must outlive the call.
  const Judgment* judgment = nullptr;
};

// Judges `record` (which must have passed record::ValidateRecord) given one
// ParentJudgment per lineage edge, in any order. Returns InvalidArgument if
// a parent is missing, repeated, null, or points at no edge of the record.
absl::StatusOr<Judgment> Judge(const record::Record& record,
                               absl::Span<const ParentJudgment> parents);

// The stored and wire form: a JSON object (docs/judgment.md), members in a
// fixed order, no insignificant whitespace.
std::string JudgmentToJson(const Judgment& judgment);
// Parses JudgmentToJson's output strictly (unknown members, wrong types and
// unknown enum names are InvalidArgument naming the member path).
absl::StatusOr<Judgment> JudgmentFromJson(absl::string_view json);

}  // namespace pedigree::core::judgment

#endif  // PEDIGREE_CORE_JUDGMENT_JUDGMENT_H_
