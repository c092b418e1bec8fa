#include "core/judgment/openness.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/judgment/judgment.h"
#include "core/license/license_expression.h"
#include "core/license/license_terms.h"
#include "core/record/record.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::judgment {
namespace {

using record::ComponentStatus;
using record::Dataset;
using record::DatasetDisclosure;
using record::DatasetRole;
using record::LineageEdge;
using record::MofComponent;
using record::OpennessClaim;
using record::Record;
using record::Relation;
using ::testing::_;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// ---------------------------------------------------------------------------
// Builders.

std::string ComponentUrl(MofComponent component) {
  return absl::StrCat("https://example.org/", record::ToString(component));
}

// Sets `component` to `status` under `license` (with a location when
// published).
void SetComponent(Record* record, MofComponent component,
                  std::optional<std::string> license,
                  ComponentStatus status = ComponentStatus::kPublished) {
  record::OpennessComponent* entry = record::FindComponent(record, component);
  entry->status = status;
  entry->license = std::move(license);
  entry->location = std::nullopt;
  if (status == ComponentStatus::kPublished) {
    entry->location = ComponentUrl(component);
  }
  if (status == ComponentStatus::kNotPublished) entry->license = std::nullopt;
}

void Unpublish(Record* record, MofComponent component) {
  SetComponent(record, component, std::nullopt, ComponentStatus::kNotPublished);
}

void RemoveComponent(Record* record, MofComponent component) {
  auto& components = record->openness.components;
  for (auto it = components.begin(); it != components.end(); ++it) {
    if (it->component == component) {
      components.erase(it);
      return;
    }
  }
}

// Declares the weights license and publishes final_parameters under it.
void SetWeights(Record* record, const std::string& expression) {
  record->licenses.weights = expression;
  SetComponent(record, MofComponent::kFinalParameters, expression);
}

Dataset TrainingData(std::string name, DatasetDisclosure disclosure,
                     std::optional<std::string> license,
                     DatasetRole role = DatasetRole::kPretraining) {
  Dataset dataset;
  dataset.name = std::move(name);
  dataset.role = role;
  dataset.disclosure = disclosure;
  dataset.license = std::move(license);
  return dataset;
}

record::ModelLocator Locator(const std::string& namespace_name,
                             const std::string& name,
                             const std::string& version) {
  record::ModelLocator locator;
  locator.kind = record::ModelLocator::Kind::kModelRef;
  locator.model = record::ModelRef{namespace_name, name, version};
  return locator;
}

// Appends a lineage edge. Take edge pointers only after the last call.
void AddEdge(Record* record, const std::string& namespace_name,
             const std::string& name, const std::string& version,
             Relation relation) {
  LineageEdge edge;
  edge.ref = Locator(namespace_name, name, version);
  edge.relation = relation;
  record->lineage.push_back(std::move(edge));
}

// Declares every LicenseRef the record uses (ValidateRecord demands it).
void DeclareLicenseRefs(Record* record) {
  std::vector<std::string> expressions = {record->licenses.weights,
                                          record->licenses.code};
  for (const record::OpennessComponent& entry : record->openness.components) {
    if (entry.license.has_value()) expressions.push_back(*entry.license);
  }
  for (const Dataset& dataset : record->datasets) {
    if (dataset.license.has_value()) expressions.push_back(*dataset.license);
  }
  record->license_refs.clear();
  std::vector<std::string> ids;
  for (const std::string& text : expressions) {
    absl::StatusOr<license::LicenseExpression> expression =
        license::ParseLicenseExpression(text);
    if (!expression.ok()) continue;
    for (const std::string& id : license::LicenseRefIds(*expression)) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  for (const std::string& id : ids) {
    const license::LicenseTerms* terms = license::FindLicenseTerms(id);
    record::LicenseRefDeclaration declaration;
    declaration.id = id;
    declaration.name = terms != nullptr ? terms->name : id;
    declaration.url = absl::StrCat("https://example.org/licenses/", id);
    if (terms != nullptr && !terms->sources.empty() &&
        absl::StartsWith(terms->sources.front(), "https://")) {
      declaration.url = terms->sources.front();
    }
    record->license_refs.push_back(std::move(declaration));
  }
}

// Validates the record (every test judges a record the registry would
// accept), then judges its openness.
OpennessJudgment JudgeValid(Record* record,
                            const std::vector<ParentJudgment>& parents = {}) {
  DeclareLicenseRefs(record);
  EXPECT_OK(record::ValidateRecord(*record));
  return JudgeOpenness(*record, parents);
}

// A record whose weights are Apache-2.0 and nothing else is published.
Record PermissiveRecord() {
  Record record = record::MinimalRecordForTest();
  SetWeights(&record, "Apache-2.0");
  return record;
}

// A record meeting every OSAID 1.0 requirement: weights and code under
// OSI-approved licenses, training data described with its sources.
Record OpenSourceRecord() {
  Record record = PermissiveRecord();
  SetComponent(&record, MofComponent::kModelArchitecture, "Apache-2.0");
  SetComponent(&record, MofComponent::kTrainingCode, "Apache-2.0");
  SetComponent(&record, MofComponent::kInferenceCode, "MIT");
  SetComponent(&record, MofComponent::kDataPreprocessingCode, "Apache-2.0");
  SetComponent(&record, MofComponent::kTrainingDatasets, "ODC-By-1.0",
               ComponentStatus::kPartial);
  record.datasets.push_back(TrainingData(
      "Web crawl", DatasetDisclosure::kDescribedWithSources, "ODC-By-1.0"));
  return record;
}

// A record with every MOF component published under a license of its type:
// code Apache-2.0, data CDLA-Permissive-2.0, documents CC-BY-4.0.
Record MofClassIRecord() {
  Record record = record::MinimalRecordForTest();
  record.licenses.weights = "CDLA-Permissive-2.0";
  for (MofComponent component :
       {MofComponent::kModelArchitecture, MofComponent::kTrainingCode,
        MofComponent::kInferenceCode, MofComponent::kEvaluationCode,
        MofComponent::kDataPreprocessingCode,
        MofComponent::kSupportingLibraries}) {
    SetComponent(&record, component, "Apache-2.0");
  }
  for (MofComponent component :
       {MofComponent::kFinalParameters, MofComponent::kIntermediateParameters,
        MofComponent::kTrainingDatasets, MofComponent::kEvaluationData,
        MofComponent::kSampleOutputs, MofComponent::kModelMetadata}) {
    SetComponent(&record, component, "CDLA-Permissive-2.0");
  }
  for (MofComponent component :
       {MofComponent::kEvaluationResults, MofComponent::kModelCard,
        MofComponent::kDataCard, MofComponent::kTechnicalReport,
        MofComponent::kResearchPaper}) {
    SetComponent(&record, component, "CC-BY-4.0");
  }
  return record;
}

// A stored parent judgment, built directly.
Judgment ParentWith(OpennessLabel label,
                    const std::vector<std::string>& binding_licenses) {
  Judgment judgment;
  judgment.rule_set_version = std::string(kRuleSetVersion);
  judgment.label = label;
  judgment.label_reasons.push_back({"test.fixture", "built by the test"});
  judgment.mof_reasons.push_back({"test.fixture", "built by the test"});
  if (!binding_licenses.empty()) {
    judgment.declared_weights_license = binding_licenses.front();
  }
  for (const std::string& id : binding_licenses) {
    judgment.obligations.licenses.push_back(BindingLicense{id, "", ""});
  }
  return judgment;
}

ParentJudgment Parent(const Record& record, size_t edge_index,
                      const Judgment& judgment) {
  return ParentJudgment{&record.lineage[edge_index],
                        record::ToString(record.lineage[edge_index].ref),
                        &judgment};
}

std::vector<std::string> Rules(const std::vector<Reason>& reasons) {
  std::vector<std::string> rules;
  for (const Reason& reason : reasons) rules.push_back(reason.rule);
  return rules;
}

constexpr char kLlama31[] = "LicenseRef-Llama-3.1-Community";

// ---------------------------------------------------------------------------
// Label: closed.

TEST(OpennessLabelTest, UnpublishedFinalParametersIsClosed) {
  Record record = record::MinimalRecordForTest();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kClosed);
  EXPECT_THAT(judgment.label_reasons,
              ElementsAre(Reason{"label.final_parameters_not_published",
                                 "final_parameters is not published: there "
                                 "are no downloadable weights"}));
}

TEST(OpennessLabelTest, UnstatedFinalParametersIsClosed) {
  Record record = record::MinimalRecordForTest();
  RemoveComponent(&record, MofComponent::kFinalParameters);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kClosed);
  EXPECT_THAT(judgment.label_reasons,
              ElementsAre(Reason{"label.final_parameters_not_published",
                                 "final_parameters is not stated: there are "
                                 "no downloadable weights"}));
}

TEST(OpennessLabelTest, PublishedFinalParametersIsNotClosed) {
  Record record = PermissiveRecord();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_NE(judgment.label, OpennessLabel::kClosed);
}

// ---------------------------------------------------------------------------
// Label: open_weight_restricted.

TEST(OpennessLabelTest, CommunityLicenseWeightsAreRestricted) {
  Record record = PermissiveRecord();
  SetWeights(&record, kLlama31);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(
      judgment.label_reasons,
      ElementsAre(Reason{
          "label.weights_license_restricted",
          "weights license LicenseRef-Llama-3.1-Community caps use at "
          "700000000 monthly active users, restricts use (acceptable use "
          "policy), requires derivative names to begin with \"Llama\", "
          "requires displaying \"Built with Llama\""}));
}

TEST(OpennessLabelTest, NonCommercialWeightsAreRestricted) {
  Record record = PermissiveRecord();
  SetWeights(&record, "CC-BY-NC-4.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(judgment.label_reasons,
              ElementsAre(Reason{"label.weights_license_restricted",
                                 "weights license CC-BY-NC-4.0 forbids "
                                 "commercial use"}));
}

TEST(OpennessLabelTest, RailWeightsAreRestricted) {
  Record record = PermissiveRecord();
  SetWeights(&record, "LicenseRef-BigScience-BLOOM-RAIL-1.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_restricted"));
}

TEST(OpennessLabelTest, UnknownLicenseRefIsAtMostRestricted) {
  // Everything OSAID asks for is there, but nobody knows the weights terms.
  Record record = OpenSourceRecord();
  SetWeights(&record, "LicenseRef-acme-weights");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(judgment.label_reasons,
              ElementsAre(Reason{
                  "label.weights_license_unknown",
                  "weights license LicenseRef-acme-weights is not in the "
                  "license catalog, so its terms cannot be judged and the "
                  "label is at most open_weight_restricted"}));
}

TEST(OpennessLabelTest, SpdxIdWithUndescribedTermsIsAtMostRestricted) {
  // WTFPL: on the SPDX list, not OSI-approved, not in the property table.
  ASSERT_NE(license::FindLicenseTerms("WTFPL"), nullptr);
  ASSERT_FALSE(license::FindLicenseTerms("WTFPL")->osi_approved);
  Record record = PermissiveRecord();
  SetWeights(&record, "WTFPL");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_terms_unknown"));
}

TEST(OpennessLabelTest, OsiApprovedIdOutsideTheTableIsOpen) {
  // Artistic-2.0: OSI-approved, so it cannot restrict use (OSD 5 and 6).
  ASSERT_TRUE(license::FindLicenseTerms("Artistic-2.0")->osi_approved);
  Record record = PermissiveRecord();
  SetWeights(&record, "Artistic-2.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
}

// ---------------------------------------------------------------------------
// Label: open_weight_permissive.

TEST(OpennessLabelTest, OpenWeightsWithoutTheRestArePermissive) {
  Record record = PermissiveRecord();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(
      judgment.label_reasons,
      ElementsAre(
          Reason{"label.weights_license_open",
                 "weights license Apache-2.0 allows any use, commercial use, "
                 "with no user cap and no naming or display duty"},
          Reason{"label.osaid.model_architecture_not_published",
                 "model_architecture is not published; OSAID 1.0 requires it"},
          Reason{"label.osaid.training_code_not_published",
                 "training_code is not published; OSAID 1.0 requires it"},
          Reason{"label.osaid.inference_code_not_published",
                 "inference_code is not published; OSAID 1.0 requires it"},
          Reason{"label.osaid.data_preprocessing_code_not_published",
                 "data_preprocessing_code is not published; OSAID 1.0 "
                 "requires it"},
          Reason{"label.osaid.training_datasets_not_described",
                 "training_datasets is not published or described; OSAID 1.0 "
                 "requires data information detailed enough to rebuild the "
                 "model"},
          Reason{"label.osaid.no_training_data_disclosed",
                 "the record discloses no training dataset; OSAID 1.0 "
                 "requires data information for all training data"}));
}

TEST(OpennessLabelTest, OpenDataLicensedWeightsArePermissive) {
  Record record = PermissiveRecord();
  SetWeights(&record, "CC-BY-4.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
}

TEST(OpennessLabelTest, OrExpressionTakesTheMostOpenAlternative) {
  Record record = PermissiveRecord();
  SetWeights(&record, absl::StrCat(kLlama31, " OR Apache-2.0"));

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
}

TEST(OpennessLabelTest, OrExpressionOfRestrictedAlternativesIsRestricted) {
  Record record = PermissiveRecord();
  SetWeights(&record, absl::StrCat(kLlama31, " OR CC-BY-NC-4.0"));

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
}

TEST(OpennessLabelTest, AndExpressionBindsEveryOperand) {
  Record record = PermissiveRecord();
  SetWeights(&record, absl::StrCat("Apache-2.0 AND ", kLlama31));

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_restricted"));
}

TEST(OpennessLabelTest, AndExpressionOfOpenLicensesIsOpen) {
  Record record = PermissiveRecord();
  SetWeights(&record, "Apache-2.0 AND MIT");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
}

TEST(OpennessLabelTest, RestrictiveFinalParametersLicenseBindsToo) {
  // The declared weights license says Apache-2.0, the component says Llama.
  Record record = PermissiveRecord();
  SetComponent(&record, MofComponent::kFinalParameters, kLlama31);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
}

// ---------------------------------------------------------------------------
// Label: open_source (OSAID 1.0).

TEST(OpennessLabelTest, MeetingEveryOsaidRequirementIsOpenSource) {
  Record record = OpenSourceRecord();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenSource);
  EXPECT_THAT(
      judgment.label_reasons,
      ElementsAre(Reason{
          "label.osaid.met",
          "weights under Apache-2.0 and model_architecture, training_code, "
          "inference_code and data_preprocessing_code are published under "
          "OSI-approved licenses, and every training dataset is disclosed "
          "with its sources (OSI Open Source AI Definition 1.0)"}));
}

TEST(OpennessLabelTest, FullyReleasedDataIsNotNeededForOpenSource) {
  // OSAID asks for data information; the data itself need not be released.
  Record record = OpenSourceRecord();
  record.datasets[0].disclosure = DatasetDisclosure::kDescribedWithSources;

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenSource);
}

TEST(OpennessLabelTest, OpenButNotOsiApprovedWeightsAreNotOpenSource) {
  Record record = OpenSourceRecord();
  SetWeights(&record, "CC-BY-4.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(judgment.label_reasons,
              ElementsAre(Reason{"label.weights_license_open",
                                 "weights license CC-BY-4.0 allows any use, "
                                 "commercial use, with no user cap and no "
                                 "naming or display duty"},
                          Reason{"label.osaid.weights_license_not_osi_approved",
                                 "weights license CC-BY-4.0 is open but not "
                                 "OSI-approved; OSAID 1.0 requires parameters "
                                 "under OSI-approved terms"}));
}

TEST(OpennessLabelTest, PartialFinalParametersAreNotOpenSource) {
  Record record = OpenSourceRecord();
  SetComponent(&record, MofComponent::kFinalParameters, "Apache-2.0",
               ComponentStatus::kPartial);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_open",
                          "label.osaid.final_parameters_partial"));
}

TEST(OpennessLabelTest, UnpublishedTrainingCodeIsNotOpenSource) {
  Record record = OpenSourceRecord();
  Unpublish(&record, MofComponent::kTrainingCode);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_open",
                          "label.osaid.training_code_not_published"));
}

TEST(OpennessLabelTest, UnstatedArchitectureIsNotOpenSource) {
  Record record = OpenSourceRecord();
  RemoveComponent(&record, MofComponent::kModelArchitecture);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(judgment.label_reasons[1],
              (Reason{"label.osaid.model_architecture_not_published",
                      "model_architecture is not stated; OSAID 1.0 requires "
                      "it"}));
}

TEST(OpennessLabelTest, PartialInferenceCodeIsNotOpenSource) {
  Record record = OpenSourceRecord();
  SetComponent(&record, MofComponent::kInferenceCode, "MIT",
               ComponentStatus::kPartial);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_open",
                          "label.osaid.inference_code_partial"));
}

TEST(OpennessLabelTest, CodeUnderNonOsiLicenseIsNotOpenSource) {
  Record record = OpenSourceRecord();
  SetComponent(&record, MofComponent::kDataPreprocessingCode, "CC-BY-4.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(
      judgment.label_reasons[1],
      (Reason{"label.osaid.data_preprocessing_code_license_not_osi_approved",
              "data_preprocessing_code is published under CC-BY-4.0, which "
              "is not OSI-approved; OSAID 1.0 requires code under "
              "OSI-approved licenses"}));
}

TEST(OpennessLabelTest, CodeUnderOsiApprovedAlternativeIsOpenSource) {
  Record record = OpenSourceRecord();
  SetComponent(&record, MofComponent::kTrainingCode, "CC-BY-4.0 OR MIT");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenSource);
}

TEST(OpennessLabelTest, UndescribedTrainingDatasetsComponentIsNotOpenSource) {
  Record record = OpenSourceRecord();
  Unpublish(&record, MofComponent::kTrainingDatasets);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_open",
                          "label.osaid.training_datasets_not_described"));
}

TEST(OpennessLabelTest, SummaryOnlyTrainingDatasetIsNotOpenSource) {
  Record record = OpenSourceRecord();
  record.datasets.push_back(TrainingData("Chat logs",
                                         DatasetDisclosure::kSummary, "MIT",
                                         DatasetRole::kFineTuning));

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(judgment.label_reasons[1],
              (Reason{"label.osaid.dataset_insufficiently_disclosed",
                      "fine_tuning dataset \"Chat logs\" is disclosed only as "
                      "summary; OSAID 1.0 needs at least "
                      "described_with_sources"}));
}

TEST(OpennessLabelTest, UndisclosedAlignmentDatasetIsNotOpenSource) {
  Record record = OpenSourceRecord();
  record.datasets.push_back(
      TrainingData("Preferences", DatasetDisclosure::kUndisclosed, std::nullopt,
                   DatasetRole::kAlignment));

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_open",
                          "label.osaid.dataset_insufficiently_disclosed"));
}

TEST(OpennessLabelTest, SummaryOnlyEvaluationDatasetDoesNotBlockOpenSource) {
  Record record = OpenSourceRecord();
  record.datasets.push_back(TrainingData("Held-out set",
                                         DatasetDisclosure::kSummary, "MIT",
                                         DatasetRole::kEvaluation));

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenSource);
}

TEST(OpennessLabelTest, NoTrainingDatasetIsNotOpenSource) {
  Record record = OpenSourceRecord();
  record.datasets.clear();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_open",
                          "label.osaid.no_training_data_disclosed"));
}

TEST(OpennessLabelTest, QuantizationNeedsNoTrainingDataOfItsOwn) {
  Record record = OpenSourceRecord();
  record.datasets.clear();
  AddEdge(&record, "allenai", "OLMo-7B-0424-hf", "main", Relation::kQuantized);
  const Judgment base = ParentWith(OpennessLabel::kOpenSource, {"Apache-2.0"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenSource);
}

TEST(OpennessLabelTest, FinetuneNeedsTrainingDataOfItsOwn) {
  Record record = OpenSourceRecord();
  record.datasets.clear();
  AddEdge(&record, "allenai", "OLMo-7B-0424-hf", "main", Relation::kFinetune);
  const Judgment base = ParentWith(OpennessLabel::kOpenSource, {"Apache-2.0"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_open",
                          "label.osaid.no_training_data_disclosed"));
}

// ---------------------------------------------------------------------------
// Inheritance caps.

TEST(OpennessCapTest, RestrictedWeightFlowParentCapsTheChild) {
  Record record = OpenSourceRecord();
  AddEdge(&record, "meta-llama", "Llama-3.1-8B", "v1", Relation::kFinetune);
  const Judgment base =
      ParentWith(OpennessLabel::kOpenWeightRestricted, {kLlama31});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  ASSERT_THAT(judgment.label_reasons, SizeIs(2));
  EXPECT_EQ(judgment.label_reasons[0].rule, "label.osaid.met");
  EXPECT_EQ(judgment.label_reasons[1],
            (Reason{"label.capped_by_weight_flow_parent",
                    "capped at open_weight_restricted by finetune parent "
                    "meta-llama/Llama-3.1-8B@v1 (open_weight_restricted): a "
                    "derivative is never more open than the weights it is "
                    "built from"}));
}

TEST(OpennessCapTest, EveryWeightFlowingRelationCaps) {
  // Merges need two parents: MergeWithOneRestrictedParentIsCapped.
  for (Relation relation :
       {Relation::kFinetune, Relation::kAdapter, Relation::kQuantized,
        Relation::kContinuedPretraining, Relation::kConversion}) {
    SCOPED_TRACE(record::ToString(relation));
    Record record = PermissiveRecord();
    AddEdge(&record, "google", "gemma-2-9b", "v1", relation);
    const Judgment base = ParentWith(OpennessLabel::kOpenWeightRestricted,
                                     {"LicenseRef-Gemma-Terms-of-Use"});

    OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

    EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  }
}

TEST(OpennessCapTest, OpenSourceParentDoesNotCapAnOpenSourceChild) {
  Record record = OpenSourceRecord();
  AddEdge(&record, "allenai", "OLMo-7B-0424-hf", "main", Relation::kFinetune);
  const Judgment base = ParentWith(OpennessLabel::kOpenSource, {"Apache-2.0"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenSource);
  EXPECT_THAT(Rules(judgment.label_reasons), ElementsAre("label.osaid.met"));
}

TEST(OpennessCapTest, PermissiveParentCapsAnOpenSourceChild) {
  // OSAID: every weight-flow ancestor must itself be open source.
  Record record = OpenSourceRecord();
  AddEdge(&record, "Qwen", "Qwen2.5-7B", "v1", Relation::kFinetune);
  const Judgment base =
      ParentWith(OpennessLabel::kOpenWeightPermissive, {"Apache-2.0"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(
      Rules(judgment.label_reasons),
      ElementsAre("label.osaid.met", "label.capped_by_weight_flow_parent"));
}

TEST(OpennessCapTest, ClosedWeightFlowParentCapsToClosed) {
  Record record = PermissiveRecord();
  AddEdge(&record, "acme-ai", "Secret-7B", "v1", Relation::kFinetune);
  const Judgment base = ParentWith(OpennessLabel::kClosed, {});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  EXPECT_EQ(judgment.label, OpennessLabel::kClosed);
}

TEST(OpennessCapTest, ArchitectureReuseParentDoesNotCap) {
  Record record = PermissiveRecord();
  AddEdge(&record, "meta-llama", "Llama-3.1-8B", "v1",
          Relation::kArchitectureReuse);
  const Judgment base =
      ParentWith(OpennessLabel::kOpenWeightRestricted, {kLlama31});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              Not(Contains(HasSubstr("capped"))));
}

TEST(OpennessCapTest, TeacherWhoseLicenseCoversDistillationCapsTheStudent) {
  // Llama 3.1: models trained on its outputs are derivatives.
  Record record = PermissiveRecord();
  AddEdge(&record, "meta-llama", "Llama-3.1-405B-Instruct", "v1",
          Relation::kDistillation);
  const Judgment teacher =
      ParentWith(OpennessLabel::kOpenWeightRestricted, {kLlama31});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, teacher)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_EQ(judgment.label_reasons.back(),
            (Reason{"label.capped_by_distillation_teacher",
                    "capped at open_weight_restricted by distillation teacher "
                    "meta-llama/Llama-3.1-405B-Instruct@v1 "
                    "(open_weight_restricted): its license "
                    "LicenseRef-Llama-3.1-Community treats distilled models "
                    "as derivatives or is unknown"}));
}

TEST(OpennessCapTest, TeacherWhoseLicenseIgnoresDistillationDoesNotCap) {
  // Llama 3: distillation into another model is forbidden, not a derivative
  // (the obligations rules flag that); it does not cap the label.
  ASSERT_FALSE(license::FindLicenseTerms("LicenseRef-Llama-3-Community")
                   ->distillation_is_derivative);
  Record record = PermissiveRecord();
  AddEdge(&record, "meta-llama", "Meta-Llama-3-70B-Instruct", "v1",
          Relation::kDistillation);
  const Judgment teacher = ParentWith(OpennessLabel::kOpenWeightRestricted,
                                      {"LicenseRef-Llama-3-Community"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, teacher)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
}

TEST(OpennessCapTest, TeacherWithUnknownLicenseCapsTheStudent) {
  Record record = PermissiveRecord();
  AddEdge(&record, "acme-ai", "Teacher-70B", "v1", Relation::kDistillation);
  const Judgment teacher = ParentWith(OpennessLabel::kOpenWeightRestricted,
                                      {"LicenseRef-acme-teacher"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, teacher)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_open", _, _, _, _, _, _,
                          "label.capped_by_distillation_teacher"));
}

TEST(OpennessCapTest, MergeWithOneRestrictedParentIsCapped) {
  Record record = PermissiveRecord();
  AddEdge(&record, "Qwen", "Qwen2.5-7B-Instruct", "v1", Relation::kMerge);
  AddEdge(&record, "meta-llama", "Llama-3.1-8B-Instruct", "v1",
          Relation::kMerge);
  const Judgment qwen =
      ParentWith(OpennessLabel::kOpenWeightPermissive, {"Apache-2.0"});
  const Judgment llama =
      ParentWith(OpennessLabel::kOpenWeightRestricted, {kLlama31});

  OpennessJudgment judgment =
      JudgeValid(&record, {Parent(record, 0, qwen), Parent(record, 1, llama)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  ASSERT_EQ(judgment.label_reasons.back().rule,
            "label.capped_by_weight_flow_parent");
  EXPECT_THAT(judgment.label_reasons.back().message,
              HasSubstr("meta-llama/Llama-3.1-8B-Instruct@v1"));
  EXPECT_THAT(Rules(judgment.label_reasons),
              Contains("label.capped_by_weight_flow_parent").Times(1));
}

TEST(OpennessCapTest, CapReasonsFollowLineageOrderNotParentOrder) {
  Record record = OpenSourceRecord();
  AddEdge(&record, "acme-ai", "First-7B", "v1", Relation::kMerge);
  AddEdge(&record, "acme-ai", "Second-7B", "v1", Relation::kMerge);
  const Judgment first =
      ParentWith(OpennessLabel::kOpenWeightPermissive, {"Apache-2.0"});
  const Judgment second =
      ParentWith(OpennessLabel::kOpenWeightRestricted, {kLlama31});

  OpennessJudgment judgment = JudgeValid(
      &record, {Parent(record, 1, second), Parent(record, 0, first)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  ASSERT_THAT(judgment.label_reasons, SizeIs(3));
  EXPECT_THAT(judgment.label_reasons[1].message,
              HasSubstr("acme-ai/First-7B@v1"));
  EXPECT_THAT(judgment.label_reasons[2].message,
              HasSubstr("acme-ai/Second-7B@v1"));
}

// ---------------------------------------------------------------------------
// Model Openness Framework class.

TEST(OpennessMofTest, NothingPublishedIsNoClassAndListsClassIii) {
  Record record = record::MinimalRecordForTest();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kNone);
  EXPECT_THAT(Rules(judgment.mof_reasons),
              ElementsAre("mof.class_iii.model_architecture_not_published",
                          "mof.class_iii.final_parameters_not_published",
                          "mof.class_iii.evaluation_results_not_published",
                          "mof.class_iii.model_card_not_published",
                          "mof.class_iii.data_card_not_published",
                          "mof.class_iii.technical_report_not_published"));
  EXPECT_EQ(judgment.mof_reasons.back().message,
            "class_iii requires technical_report, which is not published and "
            "no research_paper stands in for it");
}

TEST(OpennessMofTest, AllComponentsOfTheirTypeIsClassI) {
  Record record = MofClassIRecord();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassI);
  EXPECT_THAT(judgment.mof_reasons,
              ElementsAre(Reason{"mof.class_i.highest",
                                 "class_i (open science) is the highest model "
                                 "openness framework class"}));
  EXPECT_THAT(judgment.mof_warnings, IsEmpty());
}

TEST(OpennessMofTest, MissingClassIComponentStopsAtClassII) {
  Record record = MofClassIRecord();
  Unpublish(&record, MofComponent::kIntermediateParameters);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassII);
  EXPECT_THAT(judgment.mof_reasons,
              ElementsAre(Reason{
                  "mof.class_i.intermediate_parameters_not_published",
                  "class_i requires intermediate_parameters, which is not "
                  "published"}));
}

TEST(OpennessMofTest, MissingClassIIComponentStopsAtClassIII) {
  Record record = MofClassIRecord();
  RemoveComponent(&record, MofComponent::kEvaluationCode);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassIII);
  EXPECT_THAT(judgment.mof_reasons,
              ElementsAre(Reason{"mof.class_ii.evaluation_code_not_stated",
                                 "class_ii requires evaluation_code, which "
                                 "the record does not state"}));
}

TEST(OpennessMofTest, ClassesAreCumulative) {
  // Everything of classes II and I, but no model card: no class at all.
  Record record = MofClassIRecord();
  Unpublish(&record, MofComponent::kModelCard);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kNone);
  EXPECT_THAT(Rules(judgment.mof_reasons),
              ElementsAre("mof.class_iii.model_card_not_published"));
}

TEST(OpennessMofTest, PartialComponentDoesNotCount) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kModelCard, "CC-BY-4.0",
               ComponentStatus::kPartial);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kNone);
  EXPECT_THAT(judgment.mof_reasons,
              ElementsAre(Reason{"mof.class_iii.model_card_partial",
                                 "class_iii requires model_card, which is "
                                 "only partially published (partial does not "
                                 "count)"}));
}

TEST(OpennessMofTest, ComponentUnderNonOpenLicenseDoesNotCount) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kFinalParameters, kLlama31);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kNone);
  EXPECT_THAT(judgment.mof_reasons,
              ElementsAre(Reason{
                  "mof.class_iii.final_parameters_license_not_open",
                  "class_iii requires final_parameters, whose license "
                  "LicenseRef-Llama-3.1-Community is not an open license (it "
                  "needs an open data license)"}));
}

TEST(OpennessMofTest, ComponentUnderUnknownLicenseDoesNotCount) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kDataCard, "LicenseRef-acme-docs");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kNone);
  EXPECT_THAT(Rules(judgment.mof_reasons),
              ElementsAre("mof.class_iii.data_card_license_not_open"));
}

TEST(OpennessMofTest, WeightsUnderOsiLicenseCountWithAWarning) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kFinalParameters, "Apache-2.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassI);
  EXPECT_THAT(judgment.mof_warnings,
              ElementsAre(Reason{"mof.final_parameters_license_wrong_type",
                                 "final_parameters is published under "
                                 "Apache-2.0, an open license but not an open "
                                 "data license; it counts, with this "
                                 "warning"}));
}

TEST(OpennessMofTest, DocumentUnderOsiLicenseCountsWithAWarning) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kModelCard, "Apache-2.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassI);
  EXPECT_THAT(Rules(judgment.mof_warnings),
              ElementsAre("mof.model_card_license_wrong_type"));
}

TEST(OpennessMofTest, CodeUnderDocumentLicenseCountsWithAWarning) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kTrainingCode, "CC-BY-4.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassI);
  EXPECT_THAT(Rules(judgment.mof_warnings),
              ElementsAre("mof.training_code_license_wrong_type"));
}

TEST(OpennessMofTest, DatasetsAcceptAnyOpenTypeWithoutWarning) {
  // The MOF tool lists datasets as data, code or document.
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kTrainingDatasets, "Apache-2.0");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassI);
  EXPECT_THAT(judgment.mof_warnings, IsEmpty());
}

TEST(OpennessMofTest, OrExpressionWithAFittingAlternativeFits) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kModelCard,
               absl::StrCat(kLlama31, " OR CC-BY-4.0"));

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassI);
  EXPECT_THAT(judgment.mof_warnings, IsEmpty());
}

TEST(OpennessMofTest, AndExpressionWithANonOpenOperandDoesNotCount) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kModelCard,
               absl::StrCat("CC-BY-4.0 AND ", kLlama31));

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kNone);
}

TEST(OpennessMofTest, ResearchPaperStandsInForTechnicalReport) {
  Record record = MofClassIRecord();
  Unpublish(&record, MofComponent::kTechnicalReport);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassI);
}

TEST(OpennessMofTest, NonOpenResearchPaperDoesNotStandIn) {
  Record record = MofClassIRecord();
  Unpublish(&record, MofComponent::kTechnicalReport);
  SetComponent(&record, MofComponent::kResearchPaper, "LicenseRef-acme-paper");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kNone);
  EXPECT_THAT(Rules(judgment.mof_reasons),
              ElementsAre("mof.class_iii.technical_report_not_published"));
}

TEST(OpennessMofTest, OptionalComponentsNeverBlock) {
  Record record = MofClassIRecord();
  Unpublish(&record, MofComponent::kSampleOutputs);
  Unpublish(&record, MofComponent::kSupportingLibraries);
  RemoveComponent(&record, MofComponent::kModelMetadata);

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.mof_class, MofClass::kClassI);
}

TEST(OpennessMofTest, OptionalComponentWithWrongTypeLicenseWarns) {
  Record record = MofClassIRecord();
  SetComponent(&record, MofComponent::kModelMetadata, "MIT");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_THAT(Rules(judgment.mof_warnings),
              ElementsAre("mof.model_metadata_license_wrong_type"));
}

// ---------------------------------------------------------------------------
// Claim mismatch.

TEST(OpennessClaimTest, OpenSourceClaimAbovePermissiveLabelIsFlagged) {
  Record record = PermissiveRecord();
  record.openness.claim = OpennessClaim::kOpenSource;

  OpennessJudgment judgment = JudgeValid(&record);

  ASSERT_TRUE(judgment.claim_mismatch.has_value());
  EXPECT_EQ(*judgment.claim_mismatch,
            (Flag{FlagKind::kOpennessClaimExceedsComputed,
                  "declared claim open_source exceeds the computed label "
                  "open_weight_permissive",
                  ""}));
}

TEST(OpennessClaimTest, OpenSourceClaimWithOpenSourceLabelIsNotFlagged) {
  Record record = OpenSourceRecord();
  record.openness.claim = OpennessClaim::kOpenSource;

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_FALSE(judgment.claim_mismatch.has_value());
}

TEST(OpennessClaimTest, OpenWeightClaimWithClosedLabelIsFlagged) {
  Record record = record::MinimalRecordForTest();
  record.openness.claim = OpennessClaim::kOpenWeight;

  OpennessJudgment judgment = JudgeValid(&record);

  ASSERT_TRUE(judgment.claim_mismatch.has_value());
  EXPECT_EQ(judgment.claim_mismatch->message,
            "declared claim open_weight exceeds the computed label closed");
}

TEST(OpennessClaimTest, OpenWeightClaimWithRestrictedLabelIsNotFlagged) {
  Record record = PermissiveRecord();
  SetWeights(&record, kLlama31);
  record.openness.claim = OpennessClaim::kOpenWeight;

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_FALSE(judgment.claim_mismatch.has_value());
}

TEST(OpennessClaimTest, ClosedOrUnspecifiedClaimIsNeverFlagged) {
  for (OpennessClaim claim :
       {OpennessClaim::kClosed, OpennessClaim::kUnspecified}) {
    SCOPED_TRACE(record::ToString(claim));
    Record record = record::MinimalRecordForTest();
    record.openness.claim = claim;

    OpennessJudgment judgment = JudgeValid(&record);

    EXPECT_FALSE(judgment.claim_mismatch.has_value());
  }
}

TEST(OpennessClaimTest, ClaimBrokenOnlyByACapNamesTheAncestor) {
  Record record = OpenSourceRecord();
  record.openness.claim = OpennessClaim::kOpenSource;
  AddEdge(&record, "meta-llama", "Llama-3.1-8B", "v1", Relation::kFinetune);
  const Judgment base =
      ParentWith(OpennessLabel::kOpenWeightRestricted, {kLlama31});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  ASSERT_TRUE(judgment.claim_mismatch.has_value());
  EXPECT_EQ(*judgment.claim_mismatch,
            (Flag{FlagKind::kOpennessClaimExceedsComputed,
                  "declared claim open_source exceeds the computed label "
                  "open_weight_restricted (capped by "
                  "meta-llama/Llama-3.1-8B@v1)",
                  "meta-llama/Llama-3.1-8B@v1"}));
}

// ---------------------------------------------------------------------------
// Realistic cases. Each fact is cited; facts not confirmed are said so.

// OLMo 7B April 2024 (OLMo 1.7).
// - Weights Apache-2.0: https://huggingface.co/allenai/OLMo-7B-0424-hf
//   ("license: apache-2.0", "datasets: allenai/dolma").
// - "All code, weights, and intermediate checkpoints are released under the
//   Apache 2.0 License"; training, inference and evaluation code released:
//   https://allenai.org/blog/olmo-open-language-model-87ccfc95f580
// - Dolma v1.7 trained OLMo 1.7-7B and is under ODC-By since 2024-04-15,
//   with the toolkit that builds it:
//   https://huggingface.co/datasets/allenai/dolma and
//   https://github.com/allenai/dolma (toolkit license Apache-2.0: from the
//   repository's LICENSE, not re-read here).
Record Olmo7B() {
  Record record = record::MinimalRecordForTest();
  record.model.ref = record::ModelRef{"allenai", "OLMo-7B-0424-hf", "main"};
  record.model.publisher.organization = "Allen Institute for AI";
  record.licenses.code = "Apache-2.0";
  record.openness.claim = OpennessClaim::kOpenSource;
  SetWeights(&record, "Apache-2.0");
  SetComponent(&record, MofComponent::kIntermediateParameters, "Apache-2.0");
  SetComponent(&record, MofComponent::kModelArchitecture, "Apache-2.0");
  SetComponent(&record, MofComponent::kTrainingCode, "Apache-2.0");
  SetComponent(&record, MofComponent::kInferenceCode, "Apache-2.0");
  SetComponent(&record, MofComponent::kEvaluationCode, "Apache-2.0");
  SetComponent(&record, MofComponent::kDataPreprocessingCode, "Apache-2.0");
  SetComponent(&record, MofComponent::kTrainingDatasets, "ODC-By-1.0");
  Dataset dolma =
      TrainingData("Dolma v1.7", DatasetDisclosure::kFullRelease, "ODC-By-1.0");
  dolma.uri = "https://huggingface.co/datasets/allenai/dolma";
  record.datasets.push_back(dolma);
  return record;
}

TEST(OpennessRealisticTest, Olmo7BIsOpenSource) {
  Record record = Olmo7B();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenSource);
  EXPECT_THAT(Rules(judgment.label_reasons), ElementsAre("label.osaid.met"));
  EXPECT_FALSE(judgment.claim_mismatch.has_value());
}

TEST(OpennessRealisticTest, Olmo7BApacheWeightsCountForMofWithWarnings) {
  // The MOF tool accepts an OSI-approved license on parameters as open, with
  // a "should have a type-appropriate open license" warning.
  Record record = Olmo7B();

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_THAT(Rules(judgment.mof_warnings),
              ElementsAre("mof.final_parameters_license_wrong_type",
                          "mof.intermediate_parameters_license_wrong_type"));
}

// Llama 3.1 8B Instruct: "license: llama3.1", the Llama 3.1 Community
// License: https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct and
// https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE
TEST(OpennessRealisticTest, Llama31InstructIsOpenWeightRestricted) {
  Record record = record::MinimalRecordForTest();
  record.model.ref =
      record::ModelRef{"meta-llama", "Llama-3.1-8B-Instruct", "main"};
  SetWeights(&record, kLlama31);
  record.licenses.code = kLlama31;
  record.openness.claim = OpennessClaim::kOpenWeight;

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_restricted"));
  EXPECT_FALSE(judgment.claim_mismatch.has_value());
}

// Qwen2.5: "All our open-source models, except for the 3B and 72B variants,
// are licensed under Apache 2.0" (https://qwenlm.github.io/blog/qwen2.5/);
// https://huggingface.co/Qwen/Qwen2.5-7B-Instruct ("license: apache-2.0").
// Training code and data are not released (model card; the card lists no
// datasets).
TEST(OpennessRealisticTest, Qwen25_7BInstructIsOpenWeightPermissive) {
  Record record = record::MinimalRecordForTest();
  record.model.ref = record::ModelRef{"Qwen", "Qwen2.5-7B-Instruct", "main"};
  SetWeights(&record, "Apache-2.0");
  record.licenses.code = "Apache-2.0";
  AddEdge(&record, "Qwen", "Qwen2.5-7B", "main", Relation::kFinetune);
  const Judgment base =
      ParentWith(OpennessLabel::kOpenWeightPermissive, {"Apache-2.0"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, base)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_EQ(judgment.label_reasons.front().rule, "label.weights_license_open");
}

// Qwen2.5-72B-Instruct: "license: other", "license_name: qwen", the Qwen
// License (100M monthly active users, "Built with Qwen"):
// https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE
// (docs/license-catalog.md).
TEST(OpennessRealisticTest, Qwen25_72BInstructIsOpenWeightRestricted) {
  Record record = record::MinimalRecordForTest();
  record.model.ref = record::ModelRef{"Qwen", "Qwen2.5-72B-Instruct", "main"};
  SetWeights(&record, "LicenseRef-Qwen-License");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(judgment.label_reasons,
              ElementsAre(Reason{"label.weights_license_restricted",
                                 "weights license LicenseRef-Qwen-License "
                                 "caps use at 100000000 monthly active users, "
                                 "requires displaying \"Built with Qwen\""}));
}

// Qwen2.5-3B-Instruct: "license_name: qwen-research", non-commercial:
// https://huggingface.co/Qwen/Qwen2.5-3B/blob/main/LICENSE
TEST(OpennessRealisticTest, Qwen25_3BInstructIsOpenWeightRestricted) {
  Record record = record::MinimalRecordForTest();
  record.model.ref = record::ModelRef{"Qwen", "Qwen2.5-3B-Instruct", "main"};
  SetWeights(&record, "LicenseRef-Qwen-Research-License");

  OpennessJudgment judgment = JudgeValid(&record);

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(judgment.label_reasons.front().message,
              HasSubstr("forbids commercial use"));
}

// princeton-nlp/gemma-2-9b-it-SimPO: fine-tuned from google/gemma-2-9b-it
// (Gemma Terms of Use, https://huggingface.co/google/gemma-2-9b-it); its
// card's front matter says "license: mit" while its text says "License:
// gemma": https://huggingface.co/princeton-nlp/gemma-2-9b-it-SimPO
TEST(OpennessRealisticTest, Gemma2FinetuneDeclaredMitIsCappedToRestricted) {
  Record record = record::MinimalRecordForTest();
  record.model.ref =
      record::ModelRef{"princeton-nlp", "gemma-2-9b-it-SimPO", "main"};
  SetWeights(&record, "MIT");
  AddEdge(&record, "google", "gemma-2-9b-it", "main", Relation::kFinetune);
  const Judgment gemma = ParentWith(OpennessLabel::kOpenWeightRestricted,
                                    {"LicenseRef-Gemma-Terms-of-Use"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, gemma)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_EQ(judgment.label_reasons.back(),
            (Reason{"label.capped_by_weight_flow_parent",
                    "capped at open_weight_restricted by finetune parent "
                    "google/gemma-2-9b-it@main (open_weight_restricted): a "
                    "derivative is never more open than the weights it is "
                    "built from"}));
}

// bigscience/bloomz: "license: bigscience-bloom-rail-1.0", BLOOM finetuned
// on xP3: https://huggingface.co/bigscience/bloomz
TEST(OpennessRealisticTest, BloomzIsOpenWeightRestricted) {
  Record record = record::MinimalRecordForTest();
  record.model.ref = record::ModelRef{"bigscience", "bloomz", "main"};
  SetWeights(&record, "LicenseRef-BigScience-BLOOM-RAIL-1.0");
  Dataset xp3 = TrainingData("xP3", DatasetDisclosure::kFullRelease,
                             "Apache-2.0", DatasetRole::kFineTuning);
  xp3.uri = "https://huggingface.co/datasets/bigscience/xP3";
  record.datasets.push_back(xp3);
  AddEdge(&record, "bigscience", "bloom", "main", Relation::kFinetune);
  const Judgment bloom = ParentWith(OpennessLabel::kOpenWeightRestricted,
                                    {"LicenseRef-BigScience-BLOOM-RAIL-1.0"});

  OpennessJudgment judgment = JudgeValid(&record, {Parent(record, 0, bloom)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_THAT(Rules(judgment.label_reasons),
              ElementsAre("label.weights_license_restricted"));
}

// DeepSeek-R1 distills (https://huggingface.co/deepseek-ai/DeepSeek-R1,
// "License" section): the DeepSeek-R1 weights are MIT and allow
// "distillation for training other LLMs"; DeepSeek-R1-Distill-Qwen-7B is
// "derived from Qwen-2.5 series, which are originally licensed under Apache
// 2.0 License" (base Qwen2.5-Math-7B, "license: apache-2.0" at
// https://huggingface.co/Qwen/Qwen2.5-Math-7B); DeepSeek-R1-Distill-Llama-8B
// "is derived from Llama3.1-8B-Base and is originally licensed under llama3.1
// license". Both distills' cards declare "license: mit"
// (https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-7B). The README
// says "we open-source ... six dense models distilled from DeepSeek-R1", so
// the claim is open_source. Training code and the 800k samples are not
// released (not confirmed beyond the README's silence).
Record DeepSeekDistill(const std::string& name) {
  Record record = record::MinimalRecordForTest();
  record.model.ref = record::ModelRef{"deepseek-ai", name, "main"};
  record.model.publisher.organization = "DeepSeek";
  record.openness.claim = OpennessClaim::kOpenSource;
  SetWeights(&record, "MIT");
  record.licenses.code = "MIT";
  record.datasets.push_back(TrainingData("DeepSeek-R1 curated samples (800k)",
                                         DatasetDisclosure::kSummary, "MIT",
                                         DatasetRole::kDistillation));
  return record;
}

TEST(OpennessRealisticTest, DeepSeekR1DistillQwen7BIsOpenWeightPermissive) {
  Record record = DeepSeekDistill("DeepSeek-R1-Distill-Qwen-7B");
  AddEdge(&record, "Qwen", "Qwen2.5-Math-7B", "main", Relation::kFinetune);
  AddEdge(&record, "deepseek-ai", "DeepSeek-R1", "main",
          Relation::kDistillation);
  const Judgment qwen =
      ParentWith(OpennessLabel::kOpenWeightPermissive, {"Apache-2.0"});
  const Judgment r1 = ParentWith(OpennessLabel::kOpenWeightPermissive, {"MIT"});

  OpennessJudgment judgment =
      JudgeValid(&record, {Parent(record, 0, qwen), Parent(record, 1, r1)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightPermissive);
  EXPECT_THAT(Rules(judgment.label_reasons),
              Not(Contains(HasSubstr("capped"))));
  ASSERT_TRUE(judgment.claim_mismatch.has_value());
  EXPECT_EQ(judgment.claim_mismatch->message,
            "declared claim open_source exceeds the computed label "
            "open_weight_permissive");
}

TEST(OpennessRealisticTest, DeepSeekR1DistillLlama8BIsCappedToRestricted) {
  Record record = DeepSeekDistill("DeepSeek-R1-Distill-Llama-8B");
  AddEdge(&record, "meta-llama", "Llama-3.1-8B", "main", Relation::kFinetune);
  AddEdge(&record, "deepseek-ai", "DeepSeek-R1", "main",
          Relation::kDistillation);
  const Judgment llama =
      ParentWith(OpennessLabel::kOpenWeightRestricted, {kLlama31});
  const Judgment r1 = ParentWith(OpennessLabel::kOpenWeightPermissive, {"MIT"});

  OpennessJudgment judgment =
      JudgeValid(&record, {Parent(record, 1, r1), Parent(record, 0, llama)});

  EXPECT_EQ(judgment.label, OpennessLabel::kOpenWeightRestricted);
  EXPECT_EQ(judgment.label_reasons.back().message,
            "capped at open_weight_restricted by finetune parent "
            "meta-llama/Llama-3.1-8B@main (open_weight_restricted): a "
            "derivative is never more open than the weights it is built "
            "from");
  ASSERT_TRUE(judgment.claim_mismatch.has_value());
  EXPECT_EQ(judgment.claim_mismatch->message,
            "declared claim open_source exceeds the computed label "
            "open_weight_restricted");
}

}  // namespace
}  // namespace pedigree::core::judgment
