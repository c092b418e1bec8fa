#include "core/record/record.h"

#include <string>
#include <utility>

#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::record {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Matches InvalidArgument whose message starts with "<path>: " and contains
// `detail`.
auto InvalidAt(const std::string& path, const std::string& detail = "") {
  return StatusIs(absl::StatusCode::kInvalidArgument,
                  AllOf(StartsWith(path + ": "), HasSubstr(detail)));
}

ModelLocator RefTo(std::string namespace_name, std::string name,
                   std::string version) {
  ModelLocator locator;
  locator.model =
      ModelRef{std::move(namespace_name), std::move(name), std::move(version)};
  return locator;
}

LineageEdge Edge(ModelLocator ref, Relation relation) {
  LineageEdge edge;
  edge.ref = std::move(ref);
  edge.relation = relation;
  return edge;
}

// A record with two merge parents and no other lineage.
Record MergeRecord() {
  Record record = ValidRecordForTest();
  record.lineage = {Edge(RefTo("a", "left", "v1"), Relation::kMerge),
                    Edge(RefTo("b", "right", "v1"), Relation::kMerge)};
  return record;
}

Record ShardedRecord() {
  Record record = MinimalRecordForTest();
  ArtifactFile first;
  first.name = "model.bin:0:100";
  first.sha256 = FilledBytes('\x21');
  first.size = 100;
  first.shard = manifest::Shard{0, 100};
  ArtifactFile second;
  second.name = "model.bin:100:250";
  second.sha256 = FilledBytes('\x22');
  second.size = 150;
  second.shard = manifest::Shard{100, 250};
  record.artifacts.files = {first, second};
  RecomputeRootDigest(&record);
  return record;
}

// ---------------------------------------------------------------- positive

TEST(ValidateRecordTest, AcceptsCompleteRecord) {
  EXPECT_THAT(ValidateRecord(ValidRecordForTest()), IsOk());
}

TEST(ValidateRecordTest, AcceptsMinimalRecord) {
  EXPECT_THAT(ValidateRecord(MinimalRecordForTest()), IsOk());
}

TEST(ValidateRecordTest, AcceptsShardedArtifacts) {
  EXPECT_THAT(ValidateRecord(ShardedRecord()), IsOk());
}

TEST(ValidateRecordTest, AcceptsLeapDay) {
  Record record = MinimalRecordForTest();
  record.model.release_date = "2024-02-29";

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsQuantization) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].quantization = Quantization{"gguf_q4_k_m", 4};

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsMergeOfTwoParentsWithWeights) {
  Record record = MergeRecord();
  record.lineage[0].detail.merge_weight_permille = 300;
  record.lineage[1].detail.merge_weight_permille = 700;
  record.lineage[1].detail.method = "ties";

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsMergeBesideDistillationTeacher) {
  Record record = MergeRecord();
  record.lineage.push_back(
      Edge(RefTo("c", "teacher", "v1"), Relation::kDistillation));

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsAdapterWithLoraRank) {
  Record record = ValidRecordForTest();
  record.lineage[0].relation = Relation::kAdapter;
  record.lineage[0].detail.lora_rank = 16;

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsQuantizedBesideArchitectureReuse) {
  Record record = ValidRecordForTest();
  record.lineage[0].relation = Relation::kQuantized;
  record.lineage[0].detail.bits = 4;
  record.lineage.push_back(
      Edge(RefTo("c", "arch", "v1"), Relation::kArchitectureReuse));

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsParentByRootDigest) {
  Record record = MinimalRecordForTest();
  LineageEdge edge;
  edge.ref.kind = ModelLocator::Kind::kRootDigest;
  edge.ref.root_digest = FilledBytes('\x42');
  edge.relation = Relation::kConversion;
  record.lineage = {edge};

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsOpenSourceClaimWithCodeAndWeights) {
  Record record = ValidRecordForTest();
  record.openness.claim = OpennessClaim::kOpenSource;
  OpennessComponent* training =
      FindComponent(&record, MofComponent::kTrainingCode);
  training->status = ComponentStatus::kPublished;
  training->license = "Apache-2.0";
  training->location = "https://github.com/acme-ai/train";
  record.datasets[2].disclosure = DatasetDisclosure::kSummary;
  record.datasets[2].license = "CC0-1.0";

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsClosedClaimWithoutPublishedWeights) {
  Record record = MinimalRecordForTest();
  record.openness.claim = OpennessClaim::kClosed;

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

// ------------------------------------------------------------------- model

TEST(ValidateRecordTest, RefusesBadNamespace) {
  Record record = MinimalRecordForTest();
  record.model.ref.namespace_name = "acme ai";

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.model.namespace"));
}

TEST(ValidateRecordTest, RefusesBadName) {
  Record record = MinimalRecordForTest();
  record.model.ref.name = "Tiny--1B";

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.model.name", "--"));
}

TEST(ValidateRecordTest, RefusesEmptyVersion) {
  Record record = MinimalRecordForTest();
  record.model.ref.version = "";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.version", "empty"));
}

TEST(ValidateRecordTest, RefusesVersionWithSlash) {
  Record record = MinimalRecordForTest();
  record.model.ref.version = "release/1";

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.model.version"));
}

TEST(ValidateRecordTest, RefusesEmptyDescription) {
  Record record = MinimalRecordForTest();
  record.model.description = "";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.description", "is empty"));
}

TEST(ValidateRecordTest, RefusesOverlongDescription) {
  Record record = MinimalRecordForTest();
  record.model.description = std::string(kMaxDescriptionLength + 1, 'x');

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.description", "longer than 4096"));
}

TEST(ValidateRecordTest, RefusesDescriptionWithInvalidUtf8) {
  Record record = MinimalRecordForTest();
  record.model.description = "bad \xc0\xaf overlong";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.description", "utf-8"));
}

TEST(ValidateRecordTest, RefusesDescriptionWithSurrogate) {
  Record record = MinimalRecordForTest();
  record.model.description = "bad \xed\xa0\x80 surrogate";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.description", "utf-8"));
}

TEST(ValidateRecordTest, RefusesDescriptionWithControlCharacter) {
  Record record = MinimalRecordForTest();
  record.model.description = "tab\there";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.description", "U+0009"));
}

TEST(ValidateRecordTest, AcceptsDescriptionWithNewlineAndUnicode) {
  Record record = MinimalRecordForTest();
  record.model.description = "Mod\xc3\xa8le\nline two \xe2\x9c\x93";

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, RefusesMalformedReleaseDate) {
  Record record = MinimalRecordForTest();
  record.model.release_date = "2025-1-20";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.release_date", "YYYY-MM-DD"));
}

TEST(ValidateRecordTest, RefusesFebruary29InCommonYear) {
  Record record = MinimalRecordForTest();
  record.model.release_date = "2025-02-29";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.release_date"));
}

TEST(ValidateRecordTest, RefusesFebruary29InCenturyYear) {
  Record record = MinimalRecordForTest();
  record.model.release_date = "1900-02-29";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.release_date"));
}

TEST(ValidateRecordTest, RefusesMonth13) {
  Record record = MinimalRecordForTest();
  record.model.release_date = "2025-13-01";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.release_date"));
}

TEST(ValidateRecordTest, RefusesDay31InApril) {
  Record record = MinimalRecordForTest();
  record.model.release_date = "2025-04-31";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.release_date"));
}

TEST(ValidateRecordTest, RefusesYearZero) {
  Record record = MinimalRecordForTest();
  record.model.release_date = "0000-01-01";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.release_date"));
}

TEST(ValidateRecordTest, RefusesEmptyOrganization) {
  Record record = MinimalRecordForTest();
  record.model.publisher.organization = "";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.publisher.organization"));
}

TEST(ValidateRecordTest, RefusesUnassignedJurisdiction) {
  Record record = MinimalRecordForTest();
  record.model.publisher.jurisdiction = "UK";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.publisher.jurisdiction", "\"UK\""));
}

TEST(ValidateRecordTest, RefusesLowerCaseJurisdiction) {
  Record record = MinimalRecordForTest();
  record.model.publisher.jurisdiction = "gb";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.publisher.jurisdiction"));
}

TEST(ValidateRecordTest, RefusesEmptyJurisdiction) {
  Record record = MinimalRecordForTest();
  record.model.publisher.jurisdiction = "";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.model.publisher.jurisdiction"));
}

// --------------------------------------------------------------- artifacts

TEST(ValidateRecordTest, RefusesNoFiles) {
  Record record = MinimalRecordForTest();
  record.artifacts.files.clear();

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files", "no files"));
}

TEST(ValidateRecordTest, RefusesFileNameWithDotDot) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].name = "../model.safetensors";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].name"));
}

TEST(ValidateRecordTest, RefusesShortFileDigest) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].sha256 = FilledBytes('\x11', 31);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].sha256", "expected 32"));
}

TEST(ValidateRecordTest, RefusesSizeBeyondJsonIntegers) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].size = kMaxJsonInteger + 1;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].size"));
}

TEST(ValidateRecordTest, RefusesFilesOutOfManifestOrder) {
  Record record = ValidRecordForTest();
  std::swap(record.artifacts.files[0], record.artifacts.files[3]);

  EXPECT_THAT(
      ValidateRecord(record),
      InvalidAt("predicate.artifacts.files[0].name", "not in manifest order"));
}

TEST(ValidateRecordTest, RefusesDuplicateFileNames) {
  Record record = ValidRecordForTest();
  record.artifacts.files[2].name = record.artifacts.files[1].name;

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.artifacts.files"));
}

TEST(ValidateRecordTest, RefusesShardThatDisagreesWithName) {
  Record record = ShardedRecord();
  record.artifacts.files[0].shard = manifest::Shard{0, 50};

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.artifacts.files"));
}

TEST(ValidateRecordTest, RefusesRootDigestMismatch) {
  Record record = ValidRecordForTest();
  record.artifacts.root_digest[0] ^= 1;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.root_digest", "does not match"));
}

TEST(ValidateRecordTest, RefusesShortRootDigest) {
  Record record = MinimalRecordForTest();
  record.artifacts.root_digest.resize(16);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.root_digest", "expected 32"));
}

TEST(ValidateRecordTest, RefusesUpperCaseDtype) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].dtype = "BF16";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].dtype"));
}

TEST(ValidateRecordTest, RefusesOverlongDtype) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].dtype = std::string(kMaxDtypeLength + 1, 'f');

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].dtype"));
}

TEST(ValidateRecordTest, RefusesUnknownFormatValue) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].format = static_cast<ArtifactFormat>(99);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].format", "unknown"));
}

TEST(ValidateRecordTest, RefusesQuantizationBitsZero) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].quantization = Quantization{"gptq", 0};

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].quantization.bits"));
}

TEST(ValidateRecordTest, RefusesQuantizationBitsSeventeen) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].quantization = Quantization{"gptq", 17};

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].quantization.bits"));
}

TEST(ValidateRecordTest, RefusesBadQuantizationMethod) {
  Record record = MinimalRecordForTest();
  record.artifacts.files[0].quantization = Quantization{"Q4 K M", 4};

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.artifacts.files[0].quantization.method"));
}

// ---------------------------------------------------------------- licenses

TEST(ValidateRecordTest, RefusesUnknownSpdxId) {
  Record record = MinimalRecordForTest();
  record.licenses.weights = "Apache-3.0";

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.licenses.weights"));
}

TEST(ValidateRecordTest, RefusesEmptyCodeLicense) {
  Record record = MinimalRecordForTest();
  record.licenses.code = "";

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.licenses.code"));
}

TEST(ValidateRecordTest, RefusesNonCanonicalLicenseSpelling) {
  Record record = MinimalRecordForTest();
  record.licenses.code = "mit";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.licenses.code", "canonical form \"MIT\""));
}

TEST(ValidateRecordTest, RefusesUndeclaredLicenseRef) {
  Record record = MinimalRecordForTest();
  record.licenses.weights = "LicenseRef-custom";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.licenses.weights",
                        "LicenseRef-custom is not declared"));
}

TEST(ValidateRecordTest, RefusesUndeclaredLicenseRefInDataset) {
  Record record = ValidRecordForTest();
  record.datasets[0].license = "LicenseRef-data-terms";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[0].license",
                        "LicenseRef-data-terms is not declared"));
}

TEST(ValidateRecordTest, RefusesUndeclaredLicenseRefInComponent) {
  Record record = ValidRecordForTest();
  FindComponent(&record, MofComponent::kModelCard)->license = "LicenseRef-card";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.openness.components[11].license",
                        "LicenseRef-card is not declared"));
}

TEST(ValidateRecordTest, RefusesDeclaredButUnusedLicenseRef) {
  Record record = ValidRecordForTest();
  record.license_refs.push_back(LicenseRefDeclaration{
      "LicenseRef-unused", "Unused", "https://acme.example/unused"});

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.license_refs[1].id", "not used"));
}

TEST(ValidateRecordTest, RefusesDuplicateLicenseRefDeclaration) {
  Record record = ValidRecordForTest();
  record.license_refs.push_back(record.license_refs[0]);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.license_refs[1].id", "duplicate"));
}

TEST(ValidateRecordTest, RefusesMalformedLicenseRefId) {
  Record record = ValidRecordForTest();
  record.license_refs[0].id = "LicenseRef-acme_use";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.license_refs[0].id"));
}

TEST(ValidateRecordTest, RefusesEmptyLicenseRefName) {
  Record record = ValidRecordForTest();
  record.license_refs[0].name = "";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.license_refs[0].name"));
}

TEST(ValidateRecordTest, RefusesLicenseRefUrlThatIsNotAUri) {
  Record record = ValidRecordForTest();
  record.license_refs[0].url = "acme.example/aup";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.license_refs[0].url", "absolute uri"));
}

TEST(ValidateRecordTest, RefusesUriWithSpace) {
  Record record = ValidRecordForTest();
  record.license_refs[0].url = "https://acme.example/a b";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.license_refs[0].url"));
}

// ---------------------------------------------------------------- openness

TEST(ValidateRecordTest, AcceptsComponentsLeftUnstated) {
  Record record = MinimalRecordForTest();
  record.openness.components.clear();

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, AcceptsClaimMoreOpenThanComponentsShow) {
  // Over-claiming is flagged by the registry's computed openness, not
  // refused: the signed claim must be storable to be shown wrong.
  Record record = MinimalRecordForTest();
  record.openness.claim = OpennessClaim::kOpenSource;

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, RefusesDuplicateComponent) {
  Record record = MinimalRecordForTest();
  record.openness.components.push_back(record.openness.components[3]);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.openness.components[17].component",
                        "duplicate component \"training_code\""));
}

TEST(ValidateRecordTest, RefusesPublishedComponentWithoutLicense) {
  Record record = ValidRecordForTest();
  FindComponent(&record, MofComponent::kInferenceCode)->license.reset();

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.openness.components[4].license",
                        "required when status is published"));
}

TEST(ValidateRecordTest, RefusesPartialComponentWithoutLicense) {
  Record record = ValidRecordForTest();
  FindComponent(&record, MofComponent::kEvaluationResults)->license.reset();

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.openness.components[10].license",
                        "required when status is partial"));
}

TEST(ValidateRecordTest, RefusesPublishedComponentWithoutLocation) {
  Record record = ValidRecordForTest();
  FindComponent(&record, MofComponent::kModelCard)->location.reset();

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.openness.components[11].location"));
}

TEST(ValidateRecordTest, RefusesNotPublishedComponentWithLicense) {
  Record record = MinimalRecordForTest();
  record.openness.components[5].license = "MIT";

  EXPECT_THAT(
      ValidateRecord(record),
      InvalidAt("predicate.openness.components[5].license", "must be absent"));
}

TEST(ValidateRecordTest, RefusesNotPublishedComponentWithLocation) {
  Record record = MinimalRecordForTest();
  record.openness.components[5].location = "https://example.com";

  EXPECT_THAT(
      ValidateRecord(record),
      InvalidAt("predicate.openness.components[5].location", "must be absent"));
}

TEST(ValidateRecordTest, RefusesComponentLocationThatIsNotAUri) {
  Record record = ValidRecordForTest();
  FindComponent(&record, MofComponent::kModelCard)->location = "README.md";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.openness.components[11].location"));
}

TEST(ValidateRecordTest, RefusesInvalidComponentLicense) {
  Record record = ValidRecordForTest();
  FindComponent(&record, MofComponent::kModelCard)->license = "MIT OR";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.openness.components[11].license"));
}

TEST(ValidateRecordTest, RefusesUnknownComponentValue) {
  Record record = MinimalRecordForTest();
  record.openness.components[0].component = static_cast<MofComponent>(17);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.openness.components[0].component"));
}

TEST(ValidateRecordTest, RefusesUnknownClaimValue) {
  Record record = MinimalRecordForTest();
  record.openness.claim = static_cast<OpennessClaim>(9);

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.openness.claim"));
}

// ---------------------------------------------------------------- datasets

TEST(ValidateRecordTest, RefusesEmptyDatasetName) {
  Record record = ValidRecordForTest();
  record.datasets[1].name = "";

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.datasets[1].name"));
}

TEST(ValidateRecordTest, RefusesDatasetUriThatIsNotAUri) {
  Record record = ValidRecordForTest();
  record.datasets[0].uri = "fineweb";

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.datasets[0].uri"));
}

TEST(ValidateRecordTest, RefusesFullReleaseWithoutUri) {
  Record record = ValidRecordForTest();
  record.datasets[0].uri.reset();

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[0].uri", "full_release"));
}

TEST(ValidateRecordTest, RefusesUndisclosedDatasetWithUri) {
  Record record = ValidRecordForTest();
  record.datasets[2].uri = "https://acme.example/private";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[2].uri", "must be absent"));
}

TEST(ValidateRecordTest, RefusesDisclosedDatasetWithoutLicense) {
  Record record = ValidRecordForTest();
  record.datasets[1].license.reset();

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[1].license", "required"));
}

TEST(ValidateRecordTest, AcceptsUndisclosedDatasetWithLicenseAndDigest) {
  Record record = ValidRecordForTest();
  record.datasets[2].license = "CC-BY-4.0";
  record.datasets[2].sha256 = FilledBytes('\x09');

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, RefusesInvalidDatasetLicense) {
  Record record = ValidRecordForTest();
  record.datasets[0].license = "ODC-By-1.0 AND";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[0].license"));
}

TEST(ValidateRecordTest, RefusesShortDatasetDigest) {
  Record record = ValidRecordForTest();
  record.datasets[0].sha256 = FilledBytes('\x05', 20);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[0].sha256"));
}

TEST(ValidateRecordTest, RefusesGeneratedByOnNonSyntheticDataset) {
  Record record = ValidRecordForTest();
  record.datasets[1].synthetic = false;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[1].generated_by",
                        "only allowed when synthetic"));
}

TEST(ValidateRecordTest, AcceptsSyntheticDatasetWithoutGenerator) {
  Record record = ValidRecordForTest();
  record.datasets[1].generated_by.reset();

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, RefusesInvalidGeneratedBy) {
  Record record = ValidRecordForTest();
  record.datasets[1].generated_by->model.version = "";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[1].generated_by"));
}

TEST(ValidateRecordTest, RefusesDuplicateDatasetNameAndRole) {
  Record record = ValidRecordForTest();
  record.datasets.push_back(record.datasets[0]);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.datasets[3]", "duplicate dataset"));
}

TEST(ValidateRecordTest, AcceptsSameDatasetInTwoRoles) {
  Record record = ValidRecordForTest();
  record.datasets.push_back(record.datasets[0]);
  record.datasets.back().role = DatasetRole::kEvaluation;

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, RefusesUnknownRoleValue) {
  Record record = ValidRecordForTest();
  record.datasets[0].role = static_cast<DatasetRole>(42);

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.datasets[0].role"));
}

TEST(ValidateRecordTest, RefusesTooManyDatasets) {
  Record record = MinimalRecordForTest();
  record.datasets.resize(kMaxDatasets + 1);

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.datasets"));
}

// ----------------------------------------------------------------- lineage

TEST(ValidateRecordTest, RefusesSelfAsParentByName) {
  Record record = ValidRecordForTest();
  record.lineage[0].ref.model = record.model.ref;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].ref", "itself"));
}

TEST(ValidateRecordTest, RefusesSelfAsParentByNameInOtherCase) {
  Record record = ValidRecordForTest();
  record.lineage[1].ref.model = ModelRef{"ACME-AI", "acme-7b-instruct", "v1.0"};

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].ref", "itself"));
}

TEST(ValidateRecordTest, AcceptsOtherVersionOfSelfAsParent) {
  Record record = ValidRecordForTest();
  record.lineage[0].ref.model = ModelRef{"acme-ai", "Acme-7B-Instruct", "v0.9"};

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, RefusesSelfAsParentByRootDigest) {
  Record record = ValidRecordForTest();
  record.lineage[0].ref.kind = ModelLocator::Kind::kRootDigest;
  record.lineage[0].ref.model = ModelRef{};
  record.lineage[0].ref.root_digest = record.artifacts.root_digest;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].ref", "itself"));
}

TEST(ValidateRecordTest, RefusesDuplicateParent) {
  Record record = ValidRecordForTest();
  record.lineage[1].ref = record.lineage[0].ref;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].ref", "duplicate parent"));
}

TEST(ValidateRecordTest, RefusesDuplicateParentInOtherCase) {
  Record record = MergeRecord();
  record.lineage[1].ref.model = ModelRef{"A", "LEFT", "v1"};

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].ref", "duplicate parent"));
}

TEST(ValidateRecordTest, RefusesInvalidParentRef) {
  Record record = ValidRecordForTest();
  record.lineage[0].ref.model.version = "";

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.lineage[0].ref"));
}

TEST(ValidateRecordTest, RefusesUnknownRelationValue) {
  Record record = ValidRecordForTest();
  record.lineage[0].relation = static_cast<Relation>(-1);

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].relation"));
}

TEST(ValidateRecordTest, RefusesTwoFinetuneParents) {
  Record record = ValidRecordForTest();
  record.lineage[1].relation = Relation::kFinetune;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].relation",
                        "second weight-flowing parent"));
}

TEST(ValidateRecordTest, RefusesFinetuneBesideQuantized) {
  Record record = ValidRecordForTest();
  record.lineage[1].relation = Relation::kQuantized;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].relation",
                        "second weight-flowing parent"));
}

TEST(ValidateRecordTest, RefusesSingleMergeParent) {
  Record record = MergeRecord();
  record.lineage.pop_back();

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.lineage[0].relation",
                                                "two or more merge parents"));
}

TEST(ValidateRecordTest, RefusesMergeAfterFinetune) {
  Record record = MergeRecord();
  record.lineage.insert(record.lineage.begin(),
                        Edge(RefTo("c", "base", "v1"), Relation::kFinetune));

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].relation",
                        "merge cannot be combined with a finetune parent"));
}

TEST(ValidateRecordTest, RefusesAdapterAfterMerge) {
  Record record = MergeRecord();
  record.lineage.push_back(Edge(RefTo("c", "base", "v1"), Relation::kAdapter));

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[2].relation",
                        "cannot be combined with merge parents"));
}

TEST(ValidateRecordTest, RefusesMergeWeightsOnSomeParentsOnly) {
  Record record = MergeRecord();
  record.lineage[0].detail.merge_weight_permille = 500;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].detail.merge_weight_permille",
                        "all merge parents"));
}

TEST(ValidateRecordTest, RefusesMergeWeightOnFinetune) {
  Record record = ValidRecordForTest();
  record.lineage[0].detail.merge_weight_permille = 500;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].detail.merge_weight_permille",
                        "only allowed for relation merge"));
}

TEST(ValidateRecordTest, RefusesZeroMergeWeight) {
  Record record = MergeRecord();
  record.lineage[0].detail.merge_weight_permille = 0;
  record.lineage[1].detail.merge_weight_permille = 1000;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].detail.merge_weight_permille",
                        "outside 1..1000"));
}

TEST(ValidateRecordTest, RefusesMergeWeightAboveOneThousand) {
  Record record = MergeRecord();
  record.lineage[0].detail.merge_weight_permille = 500;
  record.lineage[1].detail.merge_weight_permille = 1001;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].detail.merge_weight_permille",
                        "outside 1..1000"));
}

TEST(ValidateRecordTest, RefusesLoraRankOnFinetune) {
  Record record = ValidRecordForTest();
  record.lineage[0].detail.lora_rank = 8;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].detail.lora_rank",
                        "only allowed for relation adapter"));
}

TEST(ValidateRecordTest, RefusesZeroLoraRank) {
  Record record = ValidRecordForTest();
  record.lineage[0].relation = Relation::kAdapter;
  record.lineage[0].detail.lora_rank = 0;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].detail.lora_rank", "outside"));
}

TEST(ValidateRecordTest, RefusesBitsOnDistillation) {
  Record record = ValidRecordForTest();
  record.lineage[1].detail.bits = 4;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[1].detail.bits",
                        "only allowed for relation quantized"));
}

TEST(ValidateRecordTest, RefusesQuantizedBitsAboveSixteen) {
  Record record = ValidRecordForTest();
  record.lineage[0].relation = Relation::kQuantized;
  record.lineage[0].detail.bits = 32;

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].detail.bits", "outside 1..16"));
}

TEST(ValidateRecordTest, RefusesBadDetailMethod) {
  Record record = ValidRecordForTest();
  record.lineage[0].detail.method = "Full Finetune";

  EXPECT_THAT(ValidateRecord(record),
              InvalidAt("predicate.lineage[0].detail.method"));
}

TEST(ValidateRecordTest, RefusesTwoArchitectureReuseParents) {
  Record record = MinimalRecordForTest();
  record.lineage = {
      Edge(RefTo("a", "one", "v1"), Relation::kArchitectureReuse),
      Edge(RefTo("b", "two", "v1"), Relation::kArchitectureReuse)};

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.lineage[1].relation",
                                                "second architecture_reuse"));
}

TEST(ValidateRecordTest, AcceptsSeveralDistillationTeachers) {
  Record record = MinimalRecordForTest();
  record.lineage = {Edge(RefTo("a", "one", "v1"), Relation::kDistillation),
                    Edge(RefTo("b", "two", "v1"), Relation::kDistillation)};

  EXPECT_THAT(ValidateRecord(record), IsOk());
}

TEST(ValidateRecordTest, RefusesTooManyParents) {
  Record record = MinimalRecordForTest();
  for (size_t i = 0; i <= kMaxLineageEdges; ++i) {
    record.lineage.push_back(Edge(RefTo("t", "teacher", std::to_string(i)),
                                  Relation::kDistillation));
  }

  EXPECT_THAT(ValidateRecord(record), InvalidAt("predicate.lineage"));
}

// ------------------------------------------------------------------- enums

TEST(RecordEnumTest, WireNamesRoundTrip) {
  for (int i = 0; i < static_cast<int>(kMofComponentCount); ++i) {
    const auto component = static_cast<MofComponent>(i);
    ASSERT_OK_AND_ASSIGN(MofComponent parsed,
                         ParseMofComponent(ToString(component)));
    EXPECT_EQ(parsed, component);
  }
}

TEST(RecordEnumTest, ParseRefusesUnknownName) {
  EXPECT_THAT(ParseDatasetRole("pretrain"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown role \"pretrain\"")));
}

TEST(RecordEnumTest, OnlyDistillationAndArchitectureReuseCarryNoWeights) {
  EXPECT_FALSE(IsWeightFlowing(Relation::kDistillation));
  EXPECT_FALSE(IsWeightFlowing(Relation::kArchitectureReuse));
  EXPECT_TRUE(IsWeightFlowing(Relation::kFinetune));
  EXPECT_TRUE(IsWeightFlowing(Relation::kConversion));
}

}  // namespace
}  // namespace pedigree::core::record
