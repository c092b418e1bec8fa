#ifndef PEDIGREE_CORE_JUDGMENT_SYNTHETIC_DATA_H_
#define PEDIGREE_CORE_JUDGMENT_SYNTHETIC_DATA_H_

// The synthetic-data rule of a judgment (core/judgment/judgment.h;
// docs/judgment.md, "Synthetic training data"). A model trained on data that
// another model generated may be bound by that generator's terms (Llama 2
// and 3 forbid using outputs to improve other models; Llama 3.1 makes such a
// model owe the "Llama" name prefix; Gemma counts it as a derivative). The
// judgment takes a generator's terms in only through a lineage edge, so a
// synthetic training dataset is covered when its generator is a parent whose
// terms reach the record:
// - a `distillation` parent (the teacher rules judge its terms), or
// - a weight-flow parent (everything binding it binds the record, and its
//   own derivatives are exempt from its output bans), or
// - the record itself (its own terms).
// Otherwise (a generator that is no parent, an `architecture_reuse` parent,
// another version of a parent, or no generator named at all) the
// generator's terms cannot be judged: kSyntheticDataGeneratorNotJudged, and
// the label is capped at open_weight_restricted (openness.h), as for an
// unknown license. Evaluation datasets are exempt: the model is not trained
// on them.
//
// Pure; thread-safe.

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "core/judgment/judgment.h"
#include "core/record/record.h"

namespace pedigree::core::judgment {

// A generator of synthetic training data whose terms the judgment cannot
// take in.
struct UnjudgedGenerator {
  // The generator's locator in its text form ("namespace/name@version" or
  // "sha256:<hex>", as the record wrote it), or "" when the dataset does not
  // name its generator.
  std::string generator;
  // True when the generator is an `architecture_reuse` parent of the record
  // (which passes no terms on).
  bool architecture_reuse_parent = false;
  // Names of the synthetic training datasets concerned, in record order.
  // Exactly one when `generator` is "".
  std::vector<std::string> datasets;
};

// Returns the unjudged generators of `record`'s synthetic training datasets
// (every role but evaluation): one entry per distinct named generator (in the
// order of its first dataset) and one per dataset that names none, in record
// order. Locators compare as the record format compares model references
// (namespace and name ignoring ASCII case, version exactly; root digests
// byte for byte). A generator named by model reference also matches a
// parent whose edge names it by root digest, through the parent's resolved
// `ParentJudgment::ref`; a generator named by root digest matches only an
// edge with the same digest (judgments do not carry a parent's digest).
// `parents` are as for Judge (already checked against the record's lineage).
std::vector<UnjudgedGenerator> FindUnjudgedDataGenerators(
    const record::Record& record, absl::Span<const ParentJudgment> parents);

// One kSyntheticDataGeneratorNotJudged flag per entry of `generators`, in
// order; the flag's ancestor is the generator's locator ("" when none is
// named).
std::vector<Flag> SyntheticDataFlags(
    const std::vector<UnjudgedGenerator>& generators);

// True when `judgment` carries a kSyntheticDataGeneratorNotJudged flag (its
// own or inherited).
bool HasUnjudgedDataGenerator(const Judgment& judgment);

// The status passes down the lineage: a model built from (weight flow) or
// trained on the outputs of (distillation) a model whose training data came
// under unknown terms is under those unknown terms too. One
// kSyntheticDataGeneratorNotJudged flag per such parent, ordered by ref, its
// ancestor the parent's ref.
std::vector<Flag> InheritedSyntheticDataFlags(
    absl::Span<const ParentJudgment> parents);

// The label-cap reason (rule "label.capped_by_unjudged_data_generator") for
// `generator`, capping at `cap`.
Reason UnjudgedGeneratorCapReason(const UnjudgedGenerator& generator,
                                  OpennessLabel cap);

// How messages name `generator`: its locator, or "the undisclosed generator
// of synthetic dataset "X"".
std::string GeneratorDescription(const UnjudgedGenerator& generator);

}  // namespace pedigree::core::judgment

#endif  // PEDIGREE_CORE_JUDGMENT_SYNTHETIC_DATA_H_
