#ifndef PEDIGREE_CORE_JUDGMENT_OPENNESS_H_
#define PEDIGREE_CORE_JUDGMENT_OPENNESS_H_

// The openness half of a judgment (core/judgment/judgment.h): the label, the
// Model Openness Framework class, and the claim-mismatch flag. Table-driven
// rules, each with a stable id (docs/judgment.md):
// - the label from the record's own weights license and components
//   (OSI Open Source AI Definition 1.0 for open_source), then capped by every
//   weight-flow parent's label and by every distillation teacher whose
//   license treats distilled models as derivatives, and at
//   open_weight_restricted by every synthetic-data generator whose terms
//   cannot be judged (synthetic_data.h); architecture reuse passes nothing
//   on;
// - the MOF class as the MOF's own tool computes it: cumulative classes,
//   each required component published under an open license fitting its
//   type (code: OSI-approved; data and weights: open data; documents: CC-BY
//   family); an open license of the wrong type counts, with a warning; a
//   research paper stands in for the technical report;
// - kOpennessClaimExceedsComputed when the declared claim is more open.
//
// Pure; thread-safe.

#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "core/judgment/judgment.h"
#include "core/record/record.h"

namespace pedigree::core::judgment {

struct OpennessJudgment {
  OpennessLabel label = OpennessLabel::kClosed;
  std::vector<Reason> label_reasons;  // never empty
  MofClass mof_class = MofClass::kNone;
  std::vector<Reason> mof_reasons;  // never empty
  std::vector<Reason> mof_warnings;
  std::optional<Flag> claim_mismatch;  // kOpennessClaimExceedsComputed
};

// `parents` are as for Judge (already checked against the record's lineage).
OpennessJudgment JudgeOpenness(const record::Record& record,
                               absl::Span<const ParentJudgment> parents);

}  // namespace pedigree::core::judgment

#endif  // PEDIGREE_CORE_JUDGMENT_OPENNESS_H_
