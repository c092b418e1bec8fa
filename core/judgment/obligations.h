#ifndef PEDIGREE_CORE_JUDGMENT_OBLIGATIONS_H_
#define PEDIGREE_CORE_JUDGMENT_OBLIGATIONS_H_

// The license half of a judgment (core/judgment/judgment.h): the effective
// obligations and the license flags. Rules (docs/judgment.md):
// - the record's own declared weights license binds it (every license id of
//   the expression; for "A OR B" the record may choose, so the least
//   demanding alternative binds);
// - everything binding a weight-flow parent binds the child (merges: the
//   union over all parents); a distillation teacher's binding licenses bind
//   the student when the license treats distilled models as derivatives
//   (license::LicenseTerms::distillation_is_derivative); architecture reuse
//   passes nothing on;
// - flags, never silent rewrites: kDeclaredLicenseDiffersFromInherited,
//   kNamingDutyUnmet, kNonCommercialAncestor,
//   kDerivativeLicenseDiffersFromBase (quantized, conversion),
//   kIncompatibleMergeParents, kTeacherForbidsDistillation, kUnknownLicense.
//   Relicensing a permissive parent's derivative under another permissive
//   license (Apache-2.0 to MIT) is not a conflict;
// - license ids match ignoring ASCII case and are reported in the catalog's
//   spelling (an id the catalog does not know: the first spelling met); a
//   difference in case only is no difference;
// - duties that bind licensees (the naming duty, the ban on improving other
//   models with a teacher's outputs) do not bind a record published in one
//   of the license's licensor namespaces (license::IsLicensorNamespace);
//   the ban does not bind a student whose weights descend (weight flow) from
//   a model the licensor released under the banning license either
//   (BindingLicense::traced_to_licensor); declaring the license, or
//   descending from a record that merely declares it, does not count.
//
// Pure; thread-safe.

#include <vector>

#include "absl/types/span.h"
#include "core/judgment/judgment.h"
#include "core/record/record.h"

namespace pedigree::core::judgment {

struct ObligationsJudgment {
  Obligations obligations;
  std::vector<Flag> flags;  // in the order of the FlagKind enumerators
};

// `parents` are as for Judge (already checked against the record's lineage).
ObligationsJudgment JudgeObligations(const record::Record& record,
                                     absl::Span<const ParentJudgment> parents);

}  // namespace pedigree::core::judgment

#endif  // PEDIGREE_CORE_JUDGMENT_OBLIGATIONS_H_
