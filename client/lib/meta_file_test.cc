#include "client/lib/meta_file.h"

#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/manifest/manifest.h"
#include "core/record/record.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::core::manifest::Manifest;
using ::pedigree::core::manifest::ManifestEntry;
using ::pedigree::core::record::ArtifactFile;
using ::pedigree::core::record::ArtifactFormat;
using ::pedigree::core::record::DatasetRole;
using ::pedigree::core::record::ModelRef;
using ::pedigree::core::record::OpennessClaim;
using ::pedigree::core::record::Record;
using ::pedigree::core::record::Relation;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kMinimalMeta[] = R"({
  "description": "A tiny model.",
  "release_date": "2025-01-20",
  "publisher": {"organization": "Acme AI"},
  "licenses": {"weights": "Apache-2.0", "code": "MIT"}
})";

// Returns the JSON block after "<!-- meta-file-example -->" in
// docs/meta-file.md.
std::string DocumentedExample() {
  std::ifstream in(std::string(PEDIGREE_SOURCE_DIR) + "/docs/meta-file.md");
  const std::string doc((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
  const size_t marker = doc.find("<!-- meta-file-example -->");
  if (marker == std::string::npos) return "";
  const size_t start = doc.find("```json\n", marker);
  if (start == std::string::npos) return "";
  const size_t body = start + 8;
  const size_t end = doc.find("```", body);
  if (end == std::string::npos) return "";
  return doc.substr(body, end - body);
}

// The hashed directory whose files are those of ValidRecordForTest().
DirectoryManifest HashedLikeValidRecord() {
  std::vector<ManifestEntry> entries;
  for (const ArtifactFile& file :
       core::record::ValidRecordForTest().artifacts.files) {
    entries.push_back(ManifestEntry{file.name, file.sha256, file.size, {}});
  }
  absl::StatusOr<Manifest> manifest = Manifest::Create(std::move(entries));
  EXPECT_THAT(manifest, IsOk());
  return DirectoryManifest{"/models/acme", *std::move(manifest)};
}

DirectoryManifest OneFile(const std::string& name) {
  absl::StatusOr<Manifest> manifest = Manifest::Create(
      {ManifestEntry{name, core::record::FilledBytes('\x11'), 1024, {}}});
  EXPECT_THAT(manifest, IsOk());
  return DirectoryManifest{"/models/tiny", *std::move(manifest)};
}

const ModelRef kTinyRef{"acme-ai", "Tiny-1B", "v1"};

// Parses `json` and builds the record of a one-file directory.
absl::StatusOr<Record> BuildTiny(absl::string_view json) {
  absl::StatusOr<MetaFile> meta = ParseMetaFile(json);
  if (!meta.ok()) return meta.status();
  return BuildRecord(*meta, kTinyRef, OneFile("model.safetensors"));
}

// kMinimalMeta with `extra` members added at the top level.
std::string MinimalWith(absl::string_view extra) {
  std::string json = kMinimalMeta;
  json.insert(json.rfind('}'), absl::StrCat(",", extra));
  return json;
}

TEST(MetaFileTest, DocumentedExampleBuildsTheRecordFormatExample) {
  const std::string example = DocumentedExample();
  ASSERT_FALSE(example.empty());
  ASSERT_OK_AND_ASSIGN(MetaFile meta, ParseMetaFile(example));

  ASSERT_OK_AND_ASSIGN(
      Record record,
      BuildRecord(meta, ModelRef{"acme-ai", "Acme-7B-Instruct", "v1.0"},
                  HashedLikeValidRecord()));

  EXPECT_TRUE(record == core::record::ValidRecordForTest());
}

TEST(MetaFileTest, MinimalMetaBuildsRecordWithDefaults) {
  ASSERT_OK_AND_ASSIGN(Record record, BuildTiny(kMinimalMeta));

  EXPECT_EQ(record.model.ref, kTinyRef);
  EXPECT_EQ(record.openness.claim, OpennessClaim::kUnspecified);
  EXPECT_TRUE(record.openness.components.empty());
  EXPECT_TRUE(record.datasets.empty());
  EXPECT_TRUE(record.lineage.empty());
  ASSERT_EQ(record.artifacts.files.size(), 1u);
  EXPECT_EQ(record.artifacts.files[0].name, "model.safetensors");
  EXPECT_EQ(record.artifacts.files[0].size, 1024u);
  EXPECT_FALSE(record.artifacts.files[0].format.has_value());
}

TEST(MetaFileTest, RecordTakesDigestsAndRootFromTheHashedDirectory) {
  const DirectoryManifest hashed = OneFile("model.safetensors");
  ASSERT_OK_AND_ASSIGN(MetaFile meta, ParseMetaFile(kMinimalMeta));

  ASSERT_OK_AND_ASSIGN(Record record, BuildRecord(meta, kTinyRef, hashed));

  EXPECT_EQ(record.artifacts.root_digest, hashed.manifest.RootDigest());
  EXPECT_EQ(record.artifacts.files[0].sha256,
            hashed.manifest.entries()[0].digest);
}

TEST(MetaFileTest, FileDetailsApplyToTheNamedFile) {
  ASSERT_OK_AND_ASSIGN(Record record,
                       BuildTiny(MinimalWith(R"("files": {"model.safetensors": {
          "format": "gguf", "dtype": "int4",
          "quantization": {"method": "gguf_q4_k_m", "bits": 4}}})")));

  const ArtifactFile& file = record.artifacts.files[0];
  EXPECT_EQ(file.format, ArtifactFormat::kGguf);
  EXPECT_EQ(file.dtype, "int4");
  ASSERT_TRUE(file.quantization.has_value());
  EXPECT_EQ(file.quantization->method, "gguf_q4_k_m");
  EXPECT_EQ(file.quantization->bits, 4u);
}

TEST(MetaFileTest, SyntheticDefaultsToFalse) {
  ASSERT_OK_AND_ASSIGN(MetaFile meta,
                       ParseMetaFile(MinimalWith(R"("datasets": [{"name": "d",
          "role": "evaluation", "disclosure": "undisclosed"}])")));

  ASSERT_EQ(meta.datasets.size(), 1u);
  EXPECT_FALSE(meta.datasets[0].synthetic);
  EXPECT_EQ(meta.datasets[0].role, DatasetRole::kEvaluation);
}

TEST(MetaFileTest, ParentsBecomeLineage) {
  ASSERT_OK_AND_ASSIGN(
      Record record,
      BuildTiny(MinimalWith(R"("parents": [{"ref": "acme-ai/Base@v1",
          "relation": "adapter", "detail": {"method": "lora",
          "lora_rank": 16}}])")));

  ASSERT_EQ(record.lineage.size(), 1u);
  EXPECT_EQ(record.lineage[0].relation, Relation::kAdapter);
  EXPECT_EQ(record.lineage[0].detail.lora_rank, 16u);
}

// --- refused input
// ------------------------------------------------------------

TEST(MetaFileTest, NotJsonIsRefused) {
  EXPECT_THAT(ParseMetaFile("{\"description\": "),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid json")));
}

TEST(MetaFileTest, TopLevelArrayIsRefused) {
  EXPECT_THAT(ParseMetaFile("[]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta: expected an object")));
}

TEST(MetaFileTest, UnknownTopLevelFieldIsRefused) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(R"("licence": "MIT")")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.licence: unknown field")));
}

TEST(MetaFileTest, UnknownNestedFieldIsRefused) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(R"("datasets": [{"name": "d",
          "role": "evaluation", "disclosure": "undisclosed"},
          {"name": "e", "rol": "evaluation", "disclosure": "undisclosed"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.datasets[1].rol: unknown field")));
}

TEST(MetaFileTest, UnknownFileDetailFieldIsRefused) {
  EXPECT_THAT(
      ParseMetaFile(MinimalWith(R"("files": {"m.bin": {"dtyp": "bf16"}})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("meta.files[\"m.bin\"].dtyp: unknown field")));
}

TEST(MetaFileTest, DuplicateKeyIsRefused) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(R"("description": "again")")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.description: duplicate key")));
}

TEST(MetaFileTest, NestedDuplicateKeyIsRefused) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(R"("parents": [{"ref": "a/b@1",
          "relation": "finetune", "relation": "merge"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.parents[0].relation: duplicate key")));
}

TEST(MetaFileTest, MissingRequiredFieldIsRefused) {
  EXPECT_THAT(ParseMetaFile(R"({"description": "d", "release_date":
      "2025-01-20", "publisher": {"organization": "o"},
      "licenses": {"weights": "MIT"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.licenses.code: missing required")));
}

TEST(MetaFileTest, NullIsRefusedAsWrongType) {
  EXPECT_THAT(ParseMetaFile(R"({"description": null})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.description: expected a string")));
}

TEST(MetaFileTest, NonBooleanSyntheticIsRefused) {
  EXPECT_THAT(
      ParseMetaFile(MinimalWith(R"("datasets": [{"name": "d",
          "role": "evaluation", "disclosure": "undisclosed",
          "synthetic": "yes"}])")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("meta.datasets[0].synthetic: expected a boolean")));
}

TEST(MetaFileTest, NegativeIntegerIsRefused) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(R"("parents": [{"ref": "a/b@1",
          "relation": "quantized", "detail": {"bits": -4}}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.parents[0].detail.bits: expected a "
                                  "non-negative integer")));
}

TEST(MetaFileTest, UnknownDatasetRoleIsRefusedNamingTheField) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(R"("datasets": [{"name": "d",
          "role": "evaluation", "disclosure": "undisclosed"},
          {"name": "e", "role": "pretrain", "disclosure": "undisclosed"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "meta.datasets[1].role: unknown role \"pretrain\""));
}

TEST(MetaFileTest, UnknownRelationIsRefused) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(
                  R"("parents": [{"ref": "a/b@1", "relation": "fork"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.parents[0].relation: unknown")));
}

TEST(MetaFileTest, UnknownOpennessClaimIsRefused) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(R"("openness": {"claim": "open"})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.openness.claim: unknown")));
}

TEST(MetaFileTest, UnknownComponentIsRefused) {
  EXPECT_THAT(
      ParseMetaFile(MinimalWith(R"("openness": {"claim": "closed",
          "components": [{"component": "weights", "status": "published"}]})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("meta.openness.components[0].component: unknown")));
}

TEST(MetaFileTest, UnknownFileFormatIsRefused) {
  EXPECT_THAT(
      ParseMetaFile(MinimalWith(R"("files": {"m.bin": {"format": "st"}})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("meta.files[\"m.bin\"].format: unknown")));
}

TEST(MetaFileTest, ParentWithoutVersionIsRefused) {
  EXPECT_THAT(ParseMetaFile(MinimalWith(
                  R"("parents": [{"ref": "a/b", "relation": "finetune"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.parents[0].ref: ")));
}

TEST(MetaFileTest, UppercaseDatasetDigestIsRefused) {
  const std::string digest(64, 'A');
  EXPECT_THAT(ParseMetaFile(MinimalWith(absl::StrCat(
                  R"("datasets": [{"name": "d", "role": "evaluation",
          "disclosure": "undisclosed", "sha256": ")",
                  digest, "\"}]"))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "meta.datasets[0].sha256: must be 64 lowercase hex "
                       "characters"));
}

TEST(MetaFileTest, OversizedMetaFileIsRefused) {
  const std::string huge(kMaxMetaFileSize + 1, ' ');

  EXPECT_THAT(ParseMetaFile(huge), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("byte limit")));
}

TEST(MetaFileTest, FileDetailsForAMissingFileAreRefused) {
  EXPECT_THAT(
      BuildTiny(MinimalWith(R"("files": {"model.bin": {"format": "other"}})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "meta.files[\"model.bin\"]: no such file in the model "
               "directory"));
}

TEST(MetaFileTest, NonCanonicalLicenseIsReportedAtTheMetaField) {
  std::string json = kMinimalMeta;
  json = absl::StrReplaceAll(json, {{"\"MIT\"", "\"mit\""}});

  EXPECT_THAT(BuildTiny(json), StatusIs(absl::StatusCode::kInvalidArgument,
                                        StartsWith("meta.licenses.code: ")));
}

TEST(MetaFileTest, UndeclaredLicenseRefIsReportedAtTheMetaField) {
  std::string json = absl::StrReplaceAll(
      kMinimalMeta, {{"\"Apache-2.0\"", "\"LicenseRef-acme\""}});

  EXPECT_THAT(BuildTiny(json), StatusIs(absl::StatusCode::kInvalidArgument,
                                        StartsWith("meta.licenses.weights: ")));
}

TEST(MetaFileTest, BadReleaseDateIsReportedAtTheMetaField) {
  std::string json =
      absl::StrReplaceAll(kMinimalMeta, {{"2025-01-20", "2025-02-30"}});

  EXPECT_THAT(BuildTiny(json), StatusIs(absl::StatusCode::kInvalidArgument,
                                        StartsWith("meta.release_date: ")));
}

TEST(MetaFileTest, LineageRuleIsReportedAtMetaParents) {
  EXPECT_THAT(BuildTiny(MinimalWith(R"("parents": [
          {"ref": "acme-ai/A@v1", "relation": "finetune"},
          {"ref": "acme-ai/B@v1", "relation": "finetune"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("meta.parents["),
                             ::testing::Not(HasSubstr("predicate.")))));
}

TEST(MetaFileTest, BadDtypeIsReportedAtTheFileEntry) {
  EXPECT_THAT(
      BuildTiny(
          MinimalWith(R"("files": {"model.safetensors": {"dtype": "BF16"}})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("meta.files[\"model.safetensors\"].dtype: ")));
}

TEST(MetaFileTest, QuantizationBitsOutOfRangeAreReportedAtTheFileEntry) {
  EXPECT_THAT(
      BuildTiny(MinimalWith(R"("files": {"model.safetensors": {
          "quantization": {"method": "gptq", "bits": 17}}})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("meta.files[\"model.safetensors\"].quantization")));
}

TEST(MetaFileTest, SelfParentIsReportedAtMetaParents) {
  EXPECT_THAT(BuildTiny(MinimalWith(
                  R"("parents": [{"ref": "acme-ai/Tiny-1B@v1",
                      "relation": "finetune"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("meta.parents[0].ref: ")));
}

TEST(MetaFileTest, ModelRefWithoutVersionIsRefused) {
  ASSERT_OK_AND_ASSIGN(MetaFile meta, ParseMetaFile(kMinimalMeta));

  EXPECT_THAT(
      BuildRecord(meta, ModelRef{"acme-ai", "Tiny-1B", ""},
                  OneFile("model.safetensors")),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("--model: ")));
}

TEST(MetaFileTest, ReadMetaFileNamesAMissingFile) {
  EXPECT_THAT(ReadMetaFile("/nonexistent/pedigree/meta.json"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("/nonexistent/pedigree/meta.json")));
}

}  // namespace
}  // namespace pedigree::client
