#include "core/record/record_test_util.h"

#include <utility>
#include <vector>

#include "core/manifest/manifest.h"

namespace pedigree::core::record {
namespace {

constexpr MofComponent kAllComponents[] = {
    MofComponent::kModelArchitecture,
    MofComponent::kFinalParameters,
    MofComponent::kIntermediateParameters,
    MofComponent::kTrainingCode,
    MofComponent::kInferenceCode,
    MofComponent::kEvaluationCode,
    MofComponent::kDataPreprocessingCode,
    MofComponent::kSupportingLibraries,
    MofComponent::kTrainingDatasets,
    MofComponent::kEvaluationData,
    MofComponent::kEvaluationResults,
    MofComponent::kModelCard,
    MofComponent::kDataCard,
    MofComponent::kTechnicalReport,
    MofComponent::kResearchPaper,
    MofComponent::kSampleOutputs,
    MofComponent::kModelMetadata,
};

std::vector<OpennessComponent> NothingPublished() {
  std::vector<OpennessComponent> components;
  for (MofComponent component : kAllComponents) {
    OpennessComponent entry;
    entry.component = component;
    entry.status = ComponentStatus::kNotPublished;
    components.push_back(entry);
  }
  return components;
}

ArtifactFile File(std::string name, char fill, uint64_t size) {
  ArtifactFile file;
  file.name = std::move(name);
  file.sha256 = FilledBytes(fill);
  file.size = size;
  return file;
}

ModelLocator Locator(std::string namespace_name, std::string name,
                     std::string version) {
  ModelLocator locator;
  locator.kind = ModelLocator::Kind::kModelRef;
  locator.model =
      ModelRef{std::move(namespace_name), std::move(name), std::move(version)};
  return locator;
}

}  // namespace

std::string FilledBytes(char fill, size_t count) {
  return std::string(count, fill);
}

void RecomputeRootDigest(Record* record) {
  absl::StatusOr<manifest::Manifest> manifest = ArtifactManifest(*record);
  if (manifest.ok()) record->artifacts.root_digest = manifest->RootDigest();
}

OpennessComponent* FindComponent(Record* record, MofComponent component) {
  for (OpennessComponent& entry : record->openness.components) {
    if (entry.component == component) return &entry;
  }
  return nullptr;
}

Record MinimalRecordForTest() {
  Record record;
  record.model.ref = ModelRef{"acme-ai", "Tiny-1B", "v1"};
  record.model.description = "A tiny model.";
  record.model.release_date = "2025-01-20";
  record.model.publisher.organization = "Acme AI";
  record.artifacts.files.push_back(File("model.safetensors", '\x11', 1024));
  RecomputeRootDigest(&record);
  record.licenses.weights = "Apache-2.0";
  record.licenses.code = "MIT";
  record.openness.claim = OpennessClaim::kUnspecified;
  record.openness.components = NothingPublished();
  return record;
}

Record ValidRecordForTest() {
  Record record;
  record.model.ref = ModelRef{"acme-ai", "Acme-7B-Instruct", "v1.0"};
  record.model.description =
      "Instruction-tuned 7B model.\nDistilled from Acme-70B-Instruct.";
  record.model.release_date = "2025-01-20";
  record.model.publisher.organization = "Acme AI Ltd.";
  record.model.publisher.jurisdiction = "GB";

  ArtifactFile config = File("config.json", '\x01', 654);
  config.format = ArtifactFormat::kOther;
  ArtifactFile shard1 =
      File("model-00001-of-00002.safetensors", '\x02', 4976698672);
  shard1.format = ArtifactFormat::kSafetensors;
  shard1.dtype = "bf16";
  ArtifactFile shard2 =
      File("model-00002-of-00002.safetensors", '\x03', 1168138808);
  shard2.format = ArtifactFormat::kSafetensors;
  shard2.dtype = "bf16";
  ArtifactFile tokenizer = File("tokenizer.json", '\x04', 9085698);
  record.artifacts.files = {config, shard1, shard2, tokenizer};
  RecomputeRootDigest(&record);

  record.licenses.weights = "Apache-2.0 AND LicenseRef-acme-use-policy";
  record.licenses.code = "MIT";
  record.license_refs.push_back(LicenseRefDeclaration{
      "LicenseRef-acme-use-policy", "Acme Acceptable Use Policy",
      "https://acme.example/legal/aup-v1"});

  record.openness.claim = OpennessClaim::kOpenWeight;
  record.openness.components = NothingPublished();
  OpennessComponent* final_parameters =
      FindComponent(&record, MofComponent::kFinalParameters);
  final_parameters->status = ComponentStatus::kPublished;
  final_parameters->license = "Apache-2.0 AND LicenseRef-acme-use-policy";
  final_parameters->location =
      "https://huggingface.co/acme-ai/Acme-7B-Instruct";
  OpennessComponent* architecture =
      FindComponent(&record, MofComponent::kModelArchitecture);
  architecture->status = ComponentStatus::kPublished;
  architecture->license = "Apache-2.0";
  architecture->location = "https://github.com/acme-ai/acme-models";
  OpennessComponent* inference =
      FindComponent(&record, MofComponent::kInferenceCode);
  inference->status = ComponentStatus::kPublished;
  inference->license = "MIT";
  inference->location = "https://github.com/acme-ai/acme-inference";
  OpennessComponent* card = FindComponent(&record, MofComponent::kModelCard);
  card->status = ComponentStatus::kPublished;
  card->license = "CC-BY-4.0";
  card->location = "https://huggingface.co/acme-ai/Acme-7B-Instruct";
  OpennessComponent* results =
      FindComponent(&record, MofComponent::kEvaluationResults);
  results->status = ComponentStatus::kPartial;
  results->license = "CC-BY-4.0";

  Dataset pretraining;
  pretraining.name = "FineWeb";
  pretraining.uri = "https://huggingface.co/datasets/HuggingFaceFW/fineweb";
  pretraining.role = DatasetRole::kPretraining;
  pretraining.disclosure = DatasetDisclosure::kFullRelease;
  pretraining.license = "ODC-By-1.0";
  pretraining.sha256 = FilledBytes('\x05');
  Dataset synthetic;
  synthetic.name = "Acme synthetic instructions";
  synthetic.role = DatasetRole::kFineTuning;
  synthetic.disclosure = DatasetDisclosure::kSummary;
  synthetic.license = "CC-BY-4.0";
  synthetic.synthetic = true;
  synthetic.generated_by = Locator("acme-ai", "Acme-70B-Instruct", "v2");
  Dataset preferences;
  preferences.name = "Internal preference data";
  preferences.role = DatasetRole::kAlignment;
  preferences.disclosure = DatasetDisclosure::kUndisclosed;
  record.datasets = {pretraining, synthetic, preferences};

  LineageEdge base;
  base.ref = Locator("acme-ai", "Acme-7B", "v1.0");
  base.relation = Relation::kFinetune;
  base.detail.method = "sft";
  LineageEdge teacher;
  teacher.ref = Locator("acme-ai", "Acme-70B-Instruct", "v2");
  teacher.relation = Relation::kDistillation;
  record.lineage = {base, teacher};
  return record;
}

}  // namespace pedigree::core::record
