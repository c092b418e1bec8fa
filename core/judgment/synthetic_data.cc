#include "core/judgment/synthetic_data.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "core/record/model_ref.h"

namespace pedigree::core::judgment {
namespace {

using record::ModelLocator;

// Same model, as the record format compares references (model_ref.h).
bool SameLocator(const ModelLocator& a, const ModelLocator& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == ModelLocator::Kind::kRootDigest) {
    return a.root_digest == b.root_digest;
  }
  return record::SameModelVersion(a.model, b.model);
}

// True when `generator` names the parent of `parent`: its edge's locator,
// or (for a reference) the parent's resolved ref.
bool NamesParent(const ModelLocator& generator, const ParentJudgment& parent) {
  if (SameLocator(generator, parent.edge->ref)) return true;
  if (generator.kind != ModelLocator::Kind::kModelRef) return false;
  const absl::StatusOr<record::ModelRef> resolved =
      record::ParseModelRef(parent.ref);
  return resolved.ok() && record::SameModelVersion(generator.model, *resolved);
}

bool IsRecordItself(const ModelLocator& generator,
                    const record::Record& record) {
  if (generator.kind == ModelLocator::Kind::kRootDigest) {
    return generator.root_digest == record.artifacts.root_digest;
  }
  return record::SameModelVersion(generator.model, record.model.ref);
}

enum class Coverage { kCovered, kArchitectureReuseParent, kNotCovered };

Coverage Cover(const ModelLocator& generator, const record::Record& record,
               absl::Span<const ParentJudgment> parents) {
  if (IsRecordItself(generator, record)) return Coverage::kCovered;
  Coverage coverage = Coverage::kNotCovered;
  for (const ParentJudgment& parent : parents) {
    if (parent.edge == nullptr || !NamesParent(generator, parent)) continue;
    const record::Relation relation = parent.edge->relation;
    if (relation == record::Relation::kDistillation ||
        record::IsWeightFlowing(relation)) {
      return Coverage::kCovered;
    }
    coverage = Coverage::kArchitectureReuseParent;
  }
  return coverage;
}

std::string QuotedList(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  quoted.reserve(names.size());
  for (const std::string& name : names) {
    quoted.push_back(absl::StrCat("\"", name, "\""));
  }
  return absl::StrJoin(quoted, ", ");
}

// "synthetic dataset "A"" or "synthetic datasets "A", "B"".
std::string DatasetsPhrase(const std::vector<std::string>& datasets) {
  return absl::StrCat(
      datasets.size() == 1 ? "synthetic dataset " : "synthetic datasets ",
      QuotedList(datasets));
}

// Why the named generator's terms are not judged.
std::string WhyNotJudged(const UnjudgedGenerator& generator) {
  if (generator.architecture_reuse_parent) {
    return "it is an architecture_reuse parent of this record, which passes "
           "no terms on";
  }
  std::string why =
      "it is not a distillation or weight-flow parent of this record";
  if (absl::StartsWith(generator.generator, record::kRootDigestPrefix)) {
    absl::StrAppend(&why,
                    " (a generator named by root digest matches only a "
                    "parent named by the same digest)");
  }
  return why;
}

}  // namespace

std::vector<UnjudgedGenerator> FindUnjudgedDataGenerators(
    const record::Record& record, absl::Span<const ParentJudgment> parents) {
  std::vector<UnjudgedGenerator> out;
  // The locator of each entry of `out` (nullopt for an undisclosed one).
  std::vector<std::optional<ModelLocator>> locators;
  for (const record::Dataset& dataset : record.datasets) {
    if (!dataset.synthetic) continue;
    if (dataset.role == record::DatasetRole::kEvaluation) continue;
    if (!dataset.generated_by.has_value()) {
      out.push_back({"", false, {dataset.name}});
      locators.push_back(std::nullopt);
      continue;
    }
    const ModelLocator& generator = *dataset.generated_by;
    const Coverage coverage = Cover(generator, record, parents);
    if (coverage == Coverage::kCovered) continue;
    bool merged = false;
    for (size_t i = 0; i < out.size(); ++i) {
      if (locators[i].has_value() && SameLocator(*locators[i], generator)) {
        out[i].datasets.push_back(dataset.name);
        merged = true;
        break;
      }
    }
    if (merged) continue;
    out.push_back({record::ToString(generator),
                   coverage == Coverage::kArchitectureReuseParent,
                   {dataset.name}});
    locators.push_back(generator);
  }
  return out;
}

std::string GeneratorDescription(const UnjudgedGenerator& generator) {
  if (!generator.generator.empty()) return generator.generator;
  return absl::StrCat("the undisclosed generator of ",
                      DatasetsPhrase(generator.datasets));
}

std::vector<Flag> SyntheticDataFlags(
    const std::vector<UnjudgedGenerator>& generators) {
  std::vector<Flag> flags;
  for (const UnjudgedGenerator& generator : generators) {
    Flag flag;
    flag.kind = FlagKind::kSyntheticDataGeneratorNotJudged;
    flag.ancestor = generator.generator;
    if (generator.generator.empty()) {
      flag.message = absl::StrCat(
          DatasetsPhrase(generator.datasets),
          " does not name the model that generated it (generated_by), so "
          "the generator's license terms cannot be judged; name the "
          "generator and declare it as a distillation parent (it must be "
          "registered first)");
    } else {
      flag.message = absl::StrCat(
          DatasetsPhrase(generator.datasets),
          generator.datasets.size() == 1 ? " was" : " were", " generated by ",
          generator.generator,
          ", whose license terms cannot be judged: ", WhyNotJudged(generator),
          "; declare it as a distillation parent",
          generator.architecture_reuse_parent ? " instead" : "",
          " (it must be registered first)");
    }
    flags.push_back(std::move(flag));
  }
  return flags;
}

bool HasUnjudgedDataGenerator(const Judgment& judgment) {
  return std::any_of(
      judgment.flags.begin(), judgment.flags.end(), [](const Flag& flag) {
        return flag.kind == FlagKind::kSyntheticDataGeneratorNotJudged;
      });
}

std::vector<Flag> InheritedSyntheticDataFlags(
    absl::Span<const ParentJudgment> parents) {
  std::vector<const ParentJudgment*> carrying;
  for (const ParentJudgment& parent : parents) {
    const record::Relation relation = parent.edge->relation;
    if (!record::IsWeightFlowing(relation) &&
        relation != record::Relation::kDistillation) {
      continue;
    }
    if (HasUnjudgedDataGenerator(*parent.judgment)) {
      carrying.push_back(&parent);
    }
  }
  std::sort(carrying.begin(), carrying.end(),
            [](const ParentJudgment* a, const ParentJudgment* b) {
              return a->ref < b->ref;
            });
  std::vector<Flag> flags;
  for (const ParentJudgment* parent : carrying) {
    Flag flag;
    flag.kind = FlagKind::kSyntheticDataGeneratorNotJudged;
    flag.ancestor = parent->ref;
    flag.message = absl::StrCat(
        record::ToString(parent->edge->relation), " parent ", parent->ref,
        " (or an ancestor of it) was trained on synthetic data whose "
        "generator's license terms cannot be judged, so neither can this "
        "model's");
    flags.push_back(std::move(flag));
  }
  return flags;
}

Reason UnjudgedGeneratorCapReason(const UnjudgedGenerator& generator,
                                  OpennessLabel cap) {
  const std::string cap_name(ToString(cap));
  std::string message = absl::StrCat("capped at ", cap_name, " by ",
                                     GeneratorDescription(generator),
                                     ", whose license terms "
                                     "cannot be judged");
  if (!generator.generator.empty()) {
    absl::StrAppend(&message, " (generator of ",
                    DatasetsPhrase(generator.datasets), ")");
  }
  absl::StrAppend(&message, ": never more than ", cap_name,
                  ", as for an unknown license");
  return {"label.capped_by_unjudged_data_generator", std::move(message)};
}

}  // namespace pedigree::core::judgment
