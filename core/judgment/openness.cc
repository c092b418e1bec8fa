#include "core/judgment/openness.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "core/judgment/synthetic_data.h"
#include "core/license/license_expression.h"
#include "core/license/license_terms.h"

namespace pedigree::core::judgment {
namespace {

using license::FindLicenseTerms;
using license::LicenseExpression;
using license::LicenseFamily;
using license::LicenseTerms;
using record::ComponentStatus;
using record::MofComponent;
using record::OpennessComponent;
using record::Record;

// ---------------------------------------------------------------------------
// Weights license grades (the label).

// How open the terms of a weights license (expression) are, least open first.
enum class WeightsGrade {
  kProprietary,  // no license to download
  kRestricted,   // downloadable with restrictions, or terms unknown
  kOpen,         // no use restrictions, commercial, no caps or duties
  kOsiApproved,  // kOpen and OSI-approved (OSAID: parameters)
};

struct GradedWeights {
  WeightsGrade grade = WeightsGrade::kRestricted;
  // Why the grade is not higher (restricted / proprietary / unknown leaves),
  // or empty.
  std::vector<Reason> reasons;
  // The expression graded, as written (for messages).
  std::string expression;
};

// The duties and restrictions of `terms` that make weights restricted, as
// phrases; empty when there are none.
std::vector<std::string> Restrictions(const LicenseTerms& terms) {
  std::vector<std::string> phrases;
  if (!terms.commercial_use) phrases.push_back("forbids commercial use");
  if (terms.monthly_active_users_limit.has_value()) {
    phrases.push_back(absl::StrCat("caps use at ",
                                   *terms.monthly_active_users_limit,
                                   " monthly active users"));
  }
  if (terms.use_restrictions) {
    phrases.push_back("restricts use (acceptable use policy)");
  }
  if (terms.outputs_may_not_train_other_models) {
    phrases.push_back("forbids using its outputs to improve other models");
  }
  if (terms.derivative_name_prefix.has_value()) {
    phrases.push_back(absl::StrCat("requires derivative names to begin with \"",
                                   *terms.derivative_name_prefix, "\""));
  }
  if (terms.attribution_text.has_value()) {
    phrases.push_back(
        absl::StrCat("requires displaying \"", *terms.attribution_text, "\""));
  }
  if (phrases.empty() && (terms.family == LicenseFamily::kModelCommunity ||
                          terms.family == LicenseFamily::kOpenRail ||
                          terms.family == LicenseFamily::kNonCommercial)) {
    phrases.push_back(absl::StrCat(
        "is a ", license::LicenseFamilyName(terms.family), " license"));
  }
  return phrases;
}

GradedWeights GradeWeightsLeaf(const std::string& id) {
  GradedWeights graded;
  const LicenseTerms* terms = FindLicenseTerms(id);
  if (terms == nullptr) {
    graded.grade = WeightsGrade::kRestricted;
    graded.reasons.push_back(
        {"label.weights_license_unknown",
         absl::StrCat(
             "weights license ", id,
             " is not in the license catalog, so its terms cannot be "
             "judged and the label is at most open_weight_restricted")});
    return graded;
  }
  // Ids match ignoring case; reasons name the catalog's spelling.
  const std::string& canonical = terms->id;
  if (terms->family == LicenseFamily::kProprietary) {
    graded.grade = WeightsGrade::kProprietary;
    graded.reasons.push_back(
        {"label.weights_license_proprietary",
         absl::StrCat("weights license ", canonical,
                      " is proprietary: it grants no right to download")});
    return graded;
  }
  const std::vector<std::string> restrictions = Restrictions(*terms);
  if (!restrictions.empty()) {
    graded.grade = WeightsGrade::kRestricted;
    graded.reasons.push_back({"label.weights_license_restricted",
                              absl::StrCat("weights license ", canonical, " ",
                                           absl::StrJoin(restrictions, ", "))});
    return graded;
  }
  if (terms->osi_approved) {
    graded.grade = WeightsGrade::kOsiApproved;
    return graded;
  }
  // Open data and open content licenses grant use for any purpose; so do the
  // permissive and copyleft code families. Anything else (an SPDX id outside
  // the property table) has terms nobody here has read.
  if (terms->open_data || terms->open_documentation ||
      terms->family == LicenseFamily::kPermissiveCode ||
      terms->family == LicenseFamily::kCopyleftCode) {
    graded.grade = WeightsGrade::kOpen;
    return graded;
  }
  graded.grade = WeightsGrade::kRestricted;
  graded.reasons.push_back(
      {"label.weights_license_terms_unknown",
       absl::StrCat("weights license ", canonical,
                    " is neither OSI-approved nor an open data license and "
                    "the catalog does not describe its terms, so the label "
                    "is at most open_weight_restricted")});
  return graded;
}

// AND: every operand binds, the least open decides. OR: the licensee may
// choose, the most open alternative decides. WITH exceptions only add
// permissions and "+" only widens the choice, so a leaf grades as its id.
GradedWeights GradeWeights(const LicenseExpression& expression) {
  if (expression.is_leaf()) return GradeWeightsLeaf(expression.id());
  std::vector<GradedWeights> operands;
  operands.reserve(expression.children().size());
  for (const LicenseExpression& child : expression.children()) {
    operands.push_back(GradeWeights(child));
  }
  if (expression.kind() == LicenseExpression::Kind::kOr) {
    size_t best = 0;
    for (size_t i = 1; i < operands.size(); ++i) {
      if (operands[i].grade > operands[best].grade) best = i;
    }
    return std::move(operands[best]);
  }
  GradedWeights result;
  result.grade = WeightsGrade::kOsiApproved;
  for (const GradedWeights& operand : operands) {
    result.grade = std::min(result.grade, operand.grade);
  }
  for (GradedWeights& operand : operands) {
    if (operand.grade != result.grade) continue;
    for (Reason& reason : operand.reasons) {
      result.reasons.push_back(std::move(reason));
    }
  }
  return result;
}

GradedWeights GradeWeightsExpression(const std::string& text) {
  absl::StatusOr<LicenseExpression> expression =
      license::ParseLicenseExpression(text);
  if (!expression.ok()) {
    // ValidateRecord refuses such records; never judge one as open.
    GradedWeights graded;
    graded.grade = WeightsGrade::kRestricted;
    graded.expression = text;
    graded.reasons.push_back(
        {"label.weights_license_unknown",
         absl::StrCat("weights license \"", text,
                      "\" is not a valid license expression, so the label is "
                      "at most open_weight_restricted")});
    return graded;
  }
  GradedWeights graded = GradeWeights(*expression);
  graded.expression = text;
  return graded;
}

// ---------------------------------------------------------------------------
// Code licenses (OSAID) and MOF license fit.

// True if every binding alternative of `text` is OSI-approved (AND: all
// operands; OR: at least one alternative).
bool OsiApprovedLeaf(const std::string& id) {
  const LicenseTerms* terms = FindLicenseTerms(id);
  return terms != nullptr && terms->osi_approved;
}

bool OsiApproved(const LicenseExpression& expression) {
  if (expression.is_leaf()) return OsiApprovedLeaf(expression.id());
  const bool is_or = expression.kind() == LicenseExpression::Kind::kOr;
  for (const LicenseExpression& child : expression.children()) {
    if (OsiApproved(child) == is_or) return is_or;
  }
  return !is_or;
}

bool OsiApprovedExpression(const std::string& text) {
  absl::StatusOr<LicenseExpression> expression =
      license::ParseLicenseExpression(text);
  return expression.ok() && OsiApproved(*expression);
}

// MOF content types (a component may accept several).
enum ContentType : unsigned {
  kCode = 1,
  kData = 2,
  kDocument = 4,
  kAnyType = kCode | kData | kDocument,
};

// How a license fits a MOF component, least first.
enum class Fit {
  kNotOpen,    // not an open license (or unknown)
  kWrongType,  // open, but not of the component's type: counts, with warning
  kFits,       // open and of the component's type
};

Fit FitLeaf(const std::string& id, unsigned types) {
  const LicenseTerms* terms = FindLicenseTerms(id);
  if (terms == nullptr) return Fit::kNotOpen;
  const bool fits = ((types & kCode) != 0 && terms->osi_approved) ||
                    ((types & kData) != 0 && terms->open_data) ||
                    ((types & kDocument) != 0 && terms->open_documentation);
  if (fits) return Fit::kFits;
  // The MOF tool's "open": OSI-approved, or an open data or content license
  // (it also counts FSF-libre licenses, which the catalog does not mark).
  const bool open =
      terms->osi_approved || terms->open_data || terms->open_documentation;
  return open ? Fit::kWrongType : Fit::kNotOpen;
}

Fit FitExpression(const LicenseExpression& expression, unsigned types) {
  if (expression.is_leaf()) return FitLeaf(expression.id(), types);
  const bool is_or = expression.kind() == LicenseExpression::Kind::kOr;
  Fit result = is_or ? Fit::kNotOpen : Fit::kFits;
  for (const LicenseExpression& child : expression.children()) {
    const Fit fit = FitExpression(child, types);
    result = is_or ? std::max(result, fit) : std::min(result, fit);
  }
  return result;
}

absl::string_view TypeNoun(unsigned types) {
  switch (types) {
    case kCode:
      return "an OSI-approved license";
    case kData:
      return "an open data license";
    case kDocument:
      return "an open documentation (CC-BY family) license";
    default:
      return "an open license of its type";
  }
}

// ---------------------------------------------------------------------------
// Components.

const OpennessComponent* FindComponent(const Record& record,
                                       MofComponent component) {
  for (const OpennessComponent& entry : record.openness.components) {
    if (entry.component == component) return &entry;
  }
  return nullptr;
}

std::string Name(MofComponent component) {
  return std::string(record::ToString(component));
}

// Where a component stands for the MOF.
enum class MofStanding {
  kNotStated,
  kNotPublished,
  kPartial,
  kUnlicensed,
  kNotOpen,
  kWrongType,
  kFits,
};

bool Counts(MofStanding standing) {
  return standing == MofStanding::kFits || standing == MofStanding::kWrongType;
}

struct ComponentAssessment {
  MofStanding standing = MofStanding::kNotStated;
  std::string license;  // as written, when there is one
};

ComponentAssessment AssessForMof(const Record& record, MofComponent component,
                                 unsigned types) {
  ComponentAssessment assessment;
  const OpennessComponent* entry = FindComponent(record, component);
  if (entry == nullptr) return assessment;
  if (entry->license.has_value()) assessment.license = *entry->license;
  switch (entry->status) {
    case ComponentStatus::kNotPublished:
      assessment.standing = MofStanding::kNotPublished;
      return assessment;
    case ComponentStatus::kPartial:
      assessment.standing = MofStanding::kPartial;
      return assessment;
    case ComponentStatus::kPublished:
      break;
  }
  if (!entry->license.has_value()) {
    assessment.standing = MofStanding::kUnlicensed;
    return assessment;
  }
  // The declared weights license binds the final parameters too, whatever
  // the component entry says: both apply.
  std::string binding = *entry->license;
  if (component == MofComponent::kFinalParameters &&
      binding != record.licenses.weights) {
    binding =
        absl::StrCat("(", record.licenses.weights, ") AND (", binding, ")");
  }
  absl::StatusOr<LicenseExpression> expression =
      license::ParseLicenseExpression(binding);
  if (!expression.ok()) {
    assessment.standing = MofStanding::kNotOpen;
    return assessment;
  }
  switch (FitExpression(*expression, types)) {
    case Fit::kFits:
      assessment.standing = MofStanding::kFits;
      break;
    case Fit::kWrongType:
      assessment.standing = MofStanding::kWrongType;
      break;
    case Fit::kNotOpen:
      assessment.standing = MofStanding::kNotOpen;
      break;
  }
  return assessment;
}

// ---------------------------------------------------------------------------
// The MOF table: the MOF tool's component list (lfai/model_openness_tool,
// web/modules/mof/config/install/mof.settings.yml), cumulative by class.

struct MofRequirement {
  MofClass mof_class;
  MofComponent component;
  unsigned types;
  bool required;
};

constexpr MofRequirement kMofTable[] = {
    // Class III, Open Model.
    {MofClass::kClassIII, MofComponent::kModelArchitecture, kCode, true},
    {MofClass::kClassIII, MofComponent::kFinalParameters, kData, true},
    {MofClass::kClassIII, MofComponent::kEvaluationResults, kDocument, true},
    {MofClass::kClassIII, MofComponent::kModelCard, kDocument, true},
    {MofClass::kClassIII, MofComponent::kDataCard, kDocument, true},
    // A research paper may stand in for it (see StandInFor).
    {MofClass::kClassIII, MofComponent::kTechnicalReport, kDocument, true},
    {MofClass::kClassIII, MofComponent::kSampleOutputs, kAnyType, false},
    // Class II, Open Tooling.
    {MofClass::kClassII, MofComponent::kTrainingCode, kCode, true},
    {MofClass::kClassII, MofComponent::kInferenceCode, kCode, true},
    {MofClass::kClassII, MofComponent::kEvaluationCode, kCode, true},
    {MofClass::kClassII, MofComponent::kSupportingLibraries, kCode, false},
    {MofClass::kClassII, MofComponent::kEvaluationData, kData, true},
    // Class I, Open Science.
    {MofClass::kClassI, MofComponent::kIntermediateParameters, kData, true},
    {MofClass::kClassI, MofComponent::kDataPreprocessingCode, kCode, true},
    {MofClass::kClassI, MofComponent::kTrainingDatasets, kAnyType, true},
    {MofClass::kClassI, MofComponent::kResearchPaper, kDocument, true},
    {MofClass::kClassI, MofComponent::kModelMetadata, kData, false},
};

unsigned TypesOf(MofComponent component) {
  for (const MofRequirement& requirement : kMofTable) {
    if (requirement.component == component) return requirement.types;
  }
  return kAnyType;
}

// The reason a required component does not count toward `mof_class`.
Reason MofMiss(MofClass mof_class, MofComponent component, unsigned types,
               const ComponentAssessment& assessment,
               absl::string_view stand_in_note) {
  const std::string class_name(ToString(mof_class));
  const std::string name = Name(component);
  std::string problem;
  std::string detail;
  switch (assessment.standing) {
    case MofStanding::kNotStated:
      problem = "not_stated";
      detail = "which the record does not state";
      break;
    case MofStanding::kNotPublished:
      problem = "not_published";
      detail = "which is not published";
      break;
    case MofStanding::kPartial:
      problem = "partial";
      detail = "which is only partially published (partial does not count)";
      break;
    case MofStanding::kUnlicensed:
      problem = "unlicensed";
      detail = "which is published without a license";
      break;
    case MofStanding::kNotOpen:
      problem = "license_not_open";
      detail = absl::StrCat("whose license ", assessment.license,
                            " is not an open license (it needs ",
                            TypeNoun(types), ")");
      break;
    case MofStanding::kWrongType:
    case MofStanding::kFits:
      break;  // not a miss
  }
  return {absl::StrCat("mof.", class_name, ".", name, "_", problem),
          absl::StrCat(class_name, " requires ", name, ", ", detail,
                       stand_in_note)};
}

struct MofOutcome {
  MofClass mof_class = MofClass::kNone;
  std::vector<Reason> reasons;
  std::vector<Reason> warnings;
};

MofOutcome JudgeMof(const Record& record) {
  // Misses per class, in table order.
  std::vector<Reason> misses[4];
  const ComponentAssessment paper =
      AssessForMof(record, MofComponent::kResearchPaper,
                   TypesOf(MofComponent::kResearchPaper));
  for (const MofRequirement& requirement : kMofTable) {
    if (!requirement.required) continue;
    const ComponentAssessment assessment =
        AssessForMof(record, requirement.component, requirement.types);
    if (Counts(assessment.standing)) continue;
    std::string note;
    if (requirement.component == MofComponent::kTechnicalReport) {
      // The MOF tool: the technical report may be omitted when a research
      // paper is provided.
      if (Counts(paper.standing)) continue;
      note = " and no research_paper stands in for it";
    }
    misses[static_cast<size_t>(requirement.mof_class)].push_back(
        MofMiss(requirement.mof_class, requirement.component, requirement.types,
                assessment, note));
  }

  MofOutcome outcome;
  for (MofClass next :
       {MofClass::kClassIII, MofClass::kClassII, MofClass::kClassI}) {
    std::vector<Reason>& next_misses = misses[static_cast<size_t>(next)];
    if (!next_misses.empty()) {
      outcome.reasons = std::move(next_misses);
      break;
    }
    outcome.mof_class = next;
  }
  if (outcome.mof_class == MofClass::kClassI) {
    outcome.reasons.push_back(
        {"mof.class_i.highest",
         "class_i (open science) is the highest model openness framework "
         "class"});
  }

  // The MOF tool warns about every provided component (required or
  // optional) whose open license is not of its type.
  for (const MofRequirement& requirement : kMofTable) {
    const ComponentAssessment assessment =
        AssessForMof(record, requirement.component, requirement.types);
    if (assessment.standing != MofStanding::kWrongType) continue;
    const std::string name = Name(requirement.component);
    outcome.warnings.push_back(
        {absl::StrCat("mof.", name, "_license_wrong_type"),
         absl::StrCat(name, " is published under ", assessment.license,
                      ", an open license but not ", TypeNoun(requirement.types),
                      "; it counts, with this warning")});
  }
  return outcome;
}

// ---------------------------------------------------------------------------
// OSAID 1.0 (open_source).

// Code components OSAID 1.0 requires under OSI-approved licenses.
constexpr MofComponent kOsaidCode[] = {
    MofComponent::kModelArchitecture,
    MofComponent::kTrainingCode,
    MofComponent::kInferenceCode,
    MofComponent::kDataPreprocessingCode,
};

// Relations that train nothing, so the record adds no training data of its
// own (the parents' data information covers it).
bool TrainsNothing(record::Relation relation) {
  return relation == record::Relation::kQuantized ||
         relation == record::Relation::kConversion ||
         relation == record::Relation::kMerge;
}

// Every OSAID requirement the record misses, in a fixed order; empty when it
// meets them all. `weights` is the grade of its weights license.
std::vector<Reason> OsaidMisses(const Record& record,
                                const GradedWeights& weights,
                                const OpennessComponent& final_parameters) {
  std::vector<Reason> misses;
  if (final_parameters.status == ComponentStatus::kPartial) {
    misses.push_back({"label.osaid.final_parameters_partial",
                      "final_parameters is only partially published; "
                      "open_source needs the complete parameters"});
  }
  if (weights.grade < WeightsGrade::kOsiApproved) {
    misses.push_back(
        {"label.osaid.weights_license_not_osi_approved",
         absl::StrCat("weights license ", weights.expression,
                      " is open but not OSI-approved; OSAID 1.0 requires "
                      "parameters under OSI-approved terms")});
  }
  // The declared code license binds every code component as well.
  if (!OsiApprovedExpression(record.licenses.code)) {
    misses.push_back(
        {"label.osaid.code_license_not_osi_approved",
         absl::StrCat("declared code license ", record.licenses.code,
                      " is not OSI-approved; OSAID 1.0 requires code under "
                      "OSI-approved licenses")});
  }
  for (MofComponent component : kOsaidCode) {
    const std::string name = Name(component);
    const OpennessComponent* entry = FindComponent(record, component);
    if (entry == nullptr || entry->status == ComponentStatus::kNotPublished) {
      misses.push_back(
          {absl::StrCat("label.osaid.", name, "_not_published"),
           absl::StrCat(name, " is ",
                        entry == nullptr ? "not stated" : "not published",
                        "; OSAID 1.0 requires it")});
      continue;
    }
    if (entry->status == ComponentStatus::kPartial) {
      misses.push_back(
          {absl::StrCat("label.osaid.", name, "_partial"),
           absl::StrCat(name,
                        " is only partially published; OSAID 1.0 requires "
                        "the complete code")});
      continue;
    }
    const std::string license = entry->license.value_or("");
    if (!OsiApprovedExpression(license)) {
      misses.push_back(
          {absl::StrCat("label.osaid.", name, "_license_not_osi_approved"),
           absl::StrCat(name, " is published under ",
                        license.empty() ? "no license" : license,
                        ", which is not OSI-approved; OSAID 1.0 requires "
                        "code under OSI-approved licenses")});
    }
  }

  // Data information.
  const OpennessComponent* training_datasets =
      FindComponent(record, MofComponent::kTrainingDatasets);
  if (training_datasets == nullptr ||
      training_datasets->status == ComponentStatus::kNotPublished) {
    misses.push_back(
        {"label.osaid.training_datasets_not_described",
         "training_datasets is not published or described; OSAID 1.0 "
         "requires data information detailed enough to rebuild the model"});
  }
  bool any_training_data = false;
  for (const record::Dataset& dataset : record.datasets) {
    if (dataset.role == record::DatasetRole::kEvaluation) continue;
    any_training_data = true;
    if (dataset.disclosure == record::DatasetDisclosure::kFullRelease ||
        dataset.disclosure ==
            record::DatasetDisclosure::kDescribedWithSources) {
      continue;
    }
    misses.push_back(
        {"label.osaid.dataset_insufficiently_disclosed",
         absl::StrCat(record::ToString(dataset.role), " dataset \"",
                      dataset.name, "\" is disclosed only as ",
                      record::ToString(dataset.disclosure),
                      "; OSAID 1.0 needs at least described_with_sources")});
  }
  bool trains_nothing = !record.lineage.empty();
  for (const record::LineageEdge& edge : record.lineage) {
    if (!TrainsNothing(edge.relation)) trains_nothing = false;
  }
  if (!any_training_data && !trains_nothing) {
    misses.push_back(
        {"label.osaid.no_training_data_disclosed",
         "the record discloses no training dataset; OSAID 1.0 requires data "
         "information for all training data"});
  }
  return misses;
}

// ---------------------------------------------------------------------------
// The label.

struct OwnLabel {
  OpennessLabel label = OpennessLabel::kClosed;
  std::vector<Reason> reasons;
};

OwnLabel JudgeOwnLabel(const Record& record) {
  OwnLabel own;
  const OpennessComponent* final_parameters =
      FindComponent(record, MofComponent::kFinalParameters);
  if (final_parameters == nullptr ||
      final_parameters->status == ComponentStatus::kNotPublished) {
    own.label = OpennessLabel::kClosed;
    own.reasons.push_back(
        {"label.final_parameters_not_published",
         absl::StrCat(
             "final_parameters is ",
             final_parameters == nullptr ? "not stated" : "not published",
             ": there are no downloadable weights")});
    return own;
  }

  // The declared weights license binds; so does the final_parameters
  // component's own license when it says something else (both apply).
  GradedWeights weights = GradeWeightsExpression(record.licenses.weights);
  if (final_parameters->license.has_value() &&
      *final_parameters->license != record.licenses.weights) {
    GradedWeights component =
        GradeWeightsExpression(*final_parameters->license);
    if (component.grade < weights.grade) {
      weights = std::move(component);
    } else if (component.grade == weights.grade) {
      for (Reason& reason : component.reasons) {
        if (std::find(weights.reasons.begin(), weights.reasons.end(), reason) ==
            weights.reasons.end()) {
          weights.reasons.push_back(std::move(reason));
        }
      }
    }
  }

  switch (weights.grade) {
    case WeightsGrade::kProprietary:
      own.label = OpennessLabel::kClosed;
      own.reasons = std::move(weights.reasons);
      return own;
    case WeightsGrade::kRestricted:
      own.label = OpennessLabel::kOpenWeightRestricted;
      own.reasons = std::move(weights.reasons);
      return own;
    case WeightsGrade::kOpen:
    case WeightsGrade::kOsiApproved:
      break;
  }

  std::vector<Reason> misses = OsaidMisses(record, weights, *final_parameters);
  if (misses.empty()) {
    own.label = OpennessLabel::kOpenSource;
    own.reasons.push_back(
        {"label.osaid.met",
         absl::StrCat(
             "weights under ", record.licenses.weights,
             " and model_architecture, training_code, inference_code and "
             "data_preprocessing_code are published under OSI-approved "
             "licenses, and every training dataset is disclosed with its "
             "sources (OSI Open Source AI Definition 1.0)")});
    return own;
  }
  own.label = OpennessLabel::kOpenWeightPermissive;
  own.reasons.push_back(
      {"label.weights_license_open",
       absl::StrCat("weights license ", record.licenses.weights,
                    " allows any use, commercial use, with no user cap and "
                    "no naming or display duty")});
  for (Reason& miss : misses) own.reasons.push_back(std::move(miss));
  return own;
}

// Position of a parent's edge in the record's lineage (the order caps are
// reported in), or the largest value if it points elsewhere.
size_t EdgeIndex(const Record& record, const ParentJudgment& parent) {
  for (size_t i = 0; i < record.lineage.size(); ++i) {
    if (&record.lineage[i] == parent.edge) return i;
  }
  return std::numeric_limits<size_t>::max();
}

// The teacher's binding licenses that make a distilled student a derivative:
// those with distillation_is_derivative, and (conservatively) unknown ones.
std::vector<std::string> LicensesReachingStudent(const Judgment& teacher) {
  std::vector<std::string> ids;
  for (const BindingLicense& binding : teacher.obligations.licenses) {
    const LicenseTerms* terms = FindLicenseTerms(binding.license_id);
    if (terms == nullptr || terms->distillation_is_derivative) {
      const std::string& id = terms != nullptr ? terms->id : binding.license_id;
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
        ids.push_back(id);
      }
    }
  }
  return ids;
}

struct Cap {
  // Lineage position of the capping parent; caps by data generators follow
  // every parent, in dataset order.
  size_t index;
  // The flag ancestor for a claim mismatch: the parent's ref, or the
  // generator's locator ("" when undisclosed).
  std::string ref;
  Reason reason;
  OpennessLabel label;
  // How the claim-mismatch message names the cap ("" for `ref`).
  std::string named;
};

}  // namespace

OpennessJudgment JudgeOpenness(const record::Record& record,
                               absl::Span<const ParentJudgment> parents) {
  OpennessJudgment judgment;
  OwnLabel own = JudgeOwnLabel(record);
  judgment.label = own.label;
  judgment.label_reasons = std::move(own.reasons);

  std::vector<Cap> caps;
  for (const ParentJudgment& parent : parents) {
    if (parent.edge == nullptr || parent.judgment == nullptr) continue;
    const OpennessLabel parent_label = parent.judgment->label;
    if (parent_label >= own.label) continue;
    const std::string relation(record::ToString(parent.edge->relation));
    const std::string parent_label_name(ToString(parent_label));
    if (record::IsWeightFlowing(parent.edge->relation)) {
      caps.push_back(
          {EdgeIndex(record, parent),
           parent.ref,
           {"label.capped_by_weight_flow_parent",
            absl::StrCat("capped at ", parent_label_name, " by ", relation,
                         " parent ", parent.ref, " (", parent_label_name,
                         "): a derivative is never more open than the "
                         "weights it is built from")},
           parent_label,
           ""});
      continue;
    }
    if (parent.edge->relation != record::Relation::kDistillation) continue;
    const std::vector<std::string> reaching =
        LicensesReachingStudent(*parent.judgment);
    // A teacher trained on synthetic data of unjudged terms passes unknown
    // terms on, as an unknown license would.
    const bool unjudged_data = HasUnjudgedDataGenerator(*parent.judgment);
    if (reaching.empty() && !unjudged_data) continue;
    // No weights flow from a teacher: its terms can restrict the student's
    // own downloadable weights, never make them "closed".
    const OpennessLabel teacher_cap =
        std::max(parent_label, OpennessLabel::kOpenWeightRestricted);
    if (teacher_cap >= own.label) continue;
    const std::string cap_name(ToString(teacher_cap));
    caps.push_back(
        {EdgeIndex(record, parent),
         parent.ref,
         {"label.capped_by_distillation_teacher",
          reaching.empty()
              ? absl::StrCat("capped at ", cap_name,
                             " by distillation teacher ", parent.ref, " (",
                             parent_label_name,
                             "): it was trained on synthetic data whose "
                             "generator's license terms cannot be judged")
              : absl::StrCat("capped at ", cap_name,
                             " by distillation teacher ", parent.ref, " (",
                             parent_label_name, "): its license ",
                             absl::StrJoin(reaching, ", "),
                             " treats distilled models as derivatives or is "
                             "unknown")},
         teacher_cap,
         ""});
  }
  // A synthetic training dataset whose generator's terms cannot be judged
  // (synthetic_data.h): never more than open_weight_restricted, as for an
  // unknown license; no weights flow from a generator, so never closed.
  const std::vector<UnjudgedGenerator> generators =
      FindUnjudgedDataGenerators(record, parents);
  for (size_t i = 0; i < generators.size(); ++i) {
    const OpennessLabel generator_cap = OpennessLabel::kOpenWeightRestricted;
    if (generator_cap >= own.label) continue;
    caps.push_back({record.lineage.size() + i, generators[i].generator,
                    UnjudgedGeneratorCapReason(generators[i], generator_cap),
                    generator_cap, GeneratorDescription(generators[i])});
  }
  std::stable_sort(caps.begin(), caps.end(), [](const Cap& a, const Cap& b) {
    return a.index != b.index ? a.index < b.index : a.ref < b.ref;
  });
  for (Cap& cap : caps) {
    judgment.label = std::min(judgment.label, cap.label);
    judgment.label_reasons.push_back(std::move(cap.reason));
  }

  MofOutcome mof = JudgeMof(record);
  judgment.mof_class = mof.mof_class;
  judgment.mof_reasons = std::move(mof.reasons);
  judgment.mof_warnings = std::move(mof.warnings);

  // The claim: open_source needs open_source; open_weight needs weights.
  const record::OpennessClaim claim = record.openness.claim;
  OpennessLabel needed = OpennessLabel::kClosed;
  if (claim == record::OpennessClaim::kOpenSource) {
    needed = OpennessLabel::kOpenSource;
  } else if (claim == record::OpennessClaim::kOpenWeight) {
    needed = OpennessLabel::kOpenWeightRestricted;
  }
  if (judgment.label < needed) {
    Flag flag;
    flag.kind = FlagKind::kOpennessClaimExceedsComputed;
    flag.message =
        absl::StrCat("declared claim ", record::ToString(claim),
                     " exceeds the computed label ", ToString(judgment.label));
    if (own.label >= needed) {
      // Only an ancestor's cap breaks the claim: name the first one.
      for (const Cap& cap : caps) {
        if (cap.label >= needed) continue;
        flag.ancestor = cap.ref;
        absl::StrAppend(&flag.message, " (capped by ",
                        cap.named.empty() ? cap.ref : cap.named, ")");
        break;
      }
    }
    judgment.claim_mismatch = std::move(flag);
  }
  return judgment;
}

}  // namespace pedigree::core::judgment
