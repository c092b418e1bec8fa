#include "core/record/statement.h"

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "core/encoding/hex.h"
#include "core/encoding/strict_json.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::record {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::json;

// The canonical statement of MinimalRecordForTest(), produced independently
// with Python's json.dumps(sort_keys=True, separators=(",", ":")). Its root
// digest is SHA-256 of 32 bytes of 0x11.
constexpr char kMinimalStatement[] =
    R"({"_type":"https://in-toto.io/Statement/v1","predicate":{"artifacts":{")"
    R"(files":[{"name":"model.safetensors","sha256":"111111111111111111111111)"
    R"(1111111111111111111111111111111111111111","size":1024}],"root_digest":)"
    R"("02d449a31fbb267c8f352e9968a79e3e5fc95c1bbeaa502fd6454ebde5a4bedc"},"d)"
    R"(atasets":[],"license_refs":[],"licenses":{"code":"MIT","weights":"Apac)"
    R"(he-2.0"},"lineage":[],"model":{"description":"A tiny model.","name":"T)"
    R"(iny-1B","namespace":"acme-ai","publisher":{"organization":"Acme AI"},")"
    R"(release_date":"2025-01-20","version":"v1"},"openness":{"claim":"unspec)"
    R"(ified","components":[{"component":"model_architecture","status":"not_p)"
    R"(ublished"},{"component":"final_parameters","status":"not_published"},{)"
    R"("component":"intermediate_parameters","status":"not_published"},{"comp)"
    R"(onent":"training_code","status":"not_published"},{"component":"inferen)"
    R"(ce_code","status":"not_published"},{"component":"evaluation_code","sta)"
    R"(tus":"not_published"},{"component":"data_preprocessing_code","status":)"
    R"("not_published"},{"component":"supporting_libraries","status":"not_pub)"
    R"(lished"},{"component":"training_datasets","status":"not_published"},{")"
    R"(component":"evaluation_data","status":"not_published"},{"component":"e)"
    R"(valuation_results","status":"not_published"},{"component":"model_card")"
    R"(,"status":"not_published"},{"component":"data_card","status":"not_publ)"
    R"(ished"},{"component":"technical_report","status":"not_published"},{"co)"
    R"(mponent":"research_paper","status":"not_published"},{"component":"samp)"
    R"(le_outputs","status":"not_published"},{"component":"model_metadata","s)"
    R"(tatus":"not_published"}]}},"predicateType":"https://pedigree.dev/prove)"
    R"(nance/v1","subject":[{"digest":{"sha256":"1111111111111111111111111111)"
    R"(111111111111111111111111111111111111"},"name":"model.safetensors"}]})";

auto InvalidAt(const std::string& path, const std::string& detail = "") {
  return StatusIs(absl::StatusCode::kInvalidArgument,
                  AllOf(StartsWith(path + ": "), HasSubstr(detail)));
}

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(PEDIGREE_RECORD_TESTDATA_DIR) + "/" + name,
                   std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The statement of ValidRecordForTest() as a JSON tree to edit.
Json ValidStatementJson() {
  absl::StatusOr<std::string> text = SerializeStatement(ValidRecordForTest());
  if (!text.ok()) return Json();
  return Json::parse(*text);
}

absl::StatusOr<Record> ParseJson(const Json& statement) {
  return ParseStatement(statement.dump());
}

// A GGUF file in two quantized shards (shard, format and quantization set).
std::vector<ArtifactFile> TwoGgufShards() {
  ArtifactFile first;
  first.name = "model.gguf:0:100";
  first.sha256 = FilledBytes('\x21');
  first.size = 100;
  first.shard = manifest::Shard{0, 100};
  first.format = ArtifactFormat::kGguf;
  first.quantization = Quantization{"gguf_q4_k_m", 4};
  ArtifactFile second = first;
  second.name = "model.gguf:100:250";
  second.sha256 = FilledBytes('\x22');
  second.size = 150;
  second.shard = manifest::Shard{100, 250};
  return {first, second};
}

// ------------------------------------------------------- canonical encoding

TEST(SerializeStatementTest, MinimalRecordMatchesGoldenBytes) {
  ASSERT_OK_AND_ASSIGN(std::string statement,
                       SerializeStatement(MinimalRecordForTest()));

  EXPECT_EQ(statement, kMinimalStatement);
}

TEST(SerializeStatementTest, MinimalRecordRootDigestIsKnownAnswer) {
  EXPECT_EQ(HexEncode(MinimalRecordForTest().artifacts.root_digest),
            "02d449a31fbb267c8f352e9968a79e3e5fc95c1bbeaa502fd6454ebde5a4bedc");
}

TEST(SerializeStatementTest, CompleteRecordMatchesTestdataBytes) {
  const std::string expected = ReadTestdata("valid_record.canonical.json");
  ASSERT_FALSE(expected.empty());

  ASSERT_OK_AND_ASSIGN(std::string statement,
                       SerializeStatement(ValidRecordForTest()));

  EXPECT_EQ(statement, expected);
}

TEST(SerializeStatementTest, ValidStatementOfAParsedRecordIsItsCanonicalBytes) {
  const std::string canonical = ReadTestdata("valid_record.canonical.json");
  ASSERT_OK_AND_ASSIGN(const Record parsed, ParseStatement(canonical));

  EXPECT_EQ(SerializeValidStatement(parsed), canonical);
  EXPECT_EQ(SerializeValidStatement(MinimalRecordForTest()), kMinimalStatement);
}

TEST(SerializeStatementTest, SameRecordGivesSameBytes) {
  ASSERT_OK_AND_ASSIGN(std::string first,
                       SerializeStatement(ValidRecordForTest()));
  ASSERT_OK_AND_ASSIGN(std::string second,
                       SerializeStatement(ValidRecordForTest()));

  EXPECT_EQ(first, second);
}

TEST(SerializeStatementTest, EscapesNewlineAndKeepsUnicodeLiteral) {
  Record record = MinimalRecordForTest();
  record.model.description = "caf\xc3\xa9\n\"quoted\"";

  ASSERT_OK_AND_ASSIGN(std::string statement, SerializeStatement(record));

  EXPECT_THAT(statement, HasSubstr(R"("description":"caf)"
                                   "\xc3\xa9"
                                   R"(\n\"quoted\"")"));
}

// SerializeValidStatement writes keys in the order it was told, not sorted:
// every optional part, present and absent, must come out canonical (what
// nlohmann writes for the same document, whose objects are sorted) and parse
// back.
TEST(SerializeStatementTest, EveryOptionalPartIsWrittenCanonically) {
  std::vector<Record> records = {MinimalRecordForTest(), ValidRecordForTest()};
  Record shapes = ValidRecordForTest();
  shapes.model.publisher.jurisdiction.reset();
  shapes.model.description = "line\n\"quoted\" \\ caf\xc3\xa9 \xe2\x82\xac";
  shapes.artifacts.files = TwoGgufShards();
  shapes.artifacts.files[0].dtype = "q4_k";  // and none on the other
  RecomputeRootDigest(&shapes);
  Dataset bare;
  bare.name = "bare";
  bare.role = DatasetRole::kEvaluation;
  bare.disclosure = DatasetDisclosure::kUndisclosed;
  Dataset full = shapes.datasets.at(0);
  full.synthetic = true;
  full.generated_by = shapes.datasets.at(1).generated_by;
  shapes.datasets = {bare, full};
  LineageEdge adapter;
  ASSERT_OK_AND_ASSIGN(adapter.ref, ParseModelLocator("a/base@v1"));
  adapter.relation = Relation::kAdapter;
  adapter.detail.lora_rank = 64;
  LineageEdge quantized;
  ASSERT_OK_AND_ASSIGN(quantized.ref, ParseModelLocator("a/base@v2"));
  quantized.relation = Relation::kQuantized;
  quantized.detail.bits = 4;
  quantized.detail.method = "awq";
  LineageEdge merged;
  ASSERT_OK_AND_ASSIGN(merged.ref, ParseModelLocator("b/other@v1"));
  merged.relation = Relation::kMerge;
  merged.detail.merge_weight_permille = 250;
  LineageEdge merged_too = merged;
  ASSERT_OK_AND_ASSIGN(merged_too.ref, ParseModelLocator("b/third@v1"));
  merged_too.detail.method = "ties";
  // One weight-flowing parent per record, but for merges.
  for (const std::vector<LineageEdge>& lineage :
       std::vector<std::vector<LineageEdge>>{
           {adapter}, {quantized}, {merged, merged_too}}) {
    shapes.lineage = lineage;
    records.push_back(shapes);
  }

  for (const Record& record : records) {
    ASSERT_THAT(ValidateRecord(record), IsOk());
    const std::string statement = SerializeValidStatement(record);
    ASSERT_OK_AND_ASSIGN(const Json document,
                         ParseStrictJson(statement, StrictJsonOptions{}));

    EXPECT_EQ(statement, document.dump(-1, ' ', /*ensure_ascii=*/false,
                                       Json::error_handler_t::replace));
    ASSERT_OK_AND_ASSIGN(const Record parsed, ParseStatement(statement));
    EXPECT_EQ(parsed, record);
  }
}

TEST(SerializeStatementTest, RefusesInvalidRecord) {
  Record record = MinimalRecordForTest();
  record.model.release_date = "yesterday";

  EXPECT_THAT(SerializeStatement(record),
              InvalidAt("predicate.model.release_date"));
}

// --------------------------------------------------------------- round trip

TEST(ParseStatementTest, CompleteRecordRoundTrips) {
  const Record record = ValidRecordForTest();
  ASSERT_OK_AND_ASSIGN(std::string statement, SerializeStatement(record));

  ASSERT_OK_AND_ASSIGN(Record parsed, ParseStatement(statement));

  EXPECT_EQ(parsed, record);
}

TEST(ParseStatementTest, OptionalFieldsRoundTrip) {
  Record record = MinimalRecordForTest();
  record.artifacts.files = TwoGgufShards();
  RecomputeRootDigest(&record);
  for (const char* name : {"a/left@v1", "b/right@v2"}) {
    LineageEdge edge;
    ASSERT_OK_AND_ASSIGN(edge.ref, ParseModelLocator(name));
    edge.relation = Relation::kMerge;
    edge.detail.method = "slerp";
    edge.detail.merge_weight_permille = 500;
    record.lineage.push_back(edge);
  }
  ASSERT_OK_AND_ASSIGN(std::string statement, SerializeStatement(record));

  ASSERT_OK_AND_ASSIGN(Record parsed, ParseStatement(statement));

  EXPECT_EQ(parsed, record);
}

TEST(ParseStatementTest, DocumentedExampleParsesToCompleteRecord) {
  const std::string example = ReadTestdata("valid_record.pretty.json");
  ASSERT_FALSE(example.empty());

  ASSERT_OK_AND_ASSIGN(Record parsed, ParseStatement(example));

  EXPECT_EQ(parsed, ValidRecordForTest());
}

// ------------------------------------------------------------ not a statement

TEST(ParseStatementTest, RefusesNonJson) {
  EXPECT_THAT(ParseStatement("{\"_type\": "),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid json")));
}

TEST(ParseStatementTest, RefusesEmptyInput) {
  EXPECT_THAT(ParseStatement(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("not valid json")));
}

TEST(ParseStatementTest, RefusesTrailingGarbage) {
  EXPECT_THAT(ParseStatement(std::string(kMinimalStatement) + "x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid json")));
}

TEST(ParseStatementTest, RefusesTopLevelArray) {
  EXPECT_THAT(ParseStatement("[]"), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("expected an object")));
}

TEST(ParseStatementTest, RefusesOversizedInput) {
  const std::string huge(kMaxStatementSize + 1, ' ');

  EXPECT_THAT(ParseStatement(huge), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("byte limit")));
}

TEST(ParseStatementTest, RefusesOtherStatementType) {
  Json statement = ValidStatementJson();
  statement["_type"] = "https://in-toto.io/Statement/v0.1";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("_type", "unknown statement type"));
}

TEST(ParseStatementTest, RefusesOtherPredicateType) {
  Json statement = ValidStatementJson();
  statement["predicateType"] = "https://slsa.dev/provenance/v1";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicateType", "unknown predicate type"));
}

TEST(ParseStatementTest, RefusesOtherPredicateVersion) {
  Json statement = ValidStatementJson();
  statement["predicateType"] = "https://pedigree.dev/provenance/v2";

  EXPECT_THAT(ParseJson(statement), InvalidAt("predicateType"));
}

// ---------------------------------------------------------- missing fields

TEST(ParseStatementTest, RefusesEachMissingTopLevelField) {
  for (const char* field : {"_type", "subject", "predicateType", "predicate"}) {
    SCOPED_TRACE(field);
    Json statement = ValidStatementJson();
    statement.erase(field);

    EXPECT_THAT(ParseJson(statement),
                InvalidAt(field, "missing required field"));
  }
}

TEST(ParseStatementTest, RefusesEachMissingPredicateField) {
  for (const char* field : {"model", "artifacts", "licenses", "license_refs",
                            "openness", "datasets", "lineage"}) {
    SCOPED_TRACE(field);
    Json statement = ValidStatementJson();
    statement["predicate"].erase(field);

    EXPECT_THAT(
        ParseJson(statement),
        InvalidAt(std::string("predicate.") + field, "missing required field"));
  }
}

TEST(ParseStatementTest, RefusesMissingNestedField) {
  Json statement = ValidStatementJson();
  statement["predicate"]["model"]["publisher"].erase("organization");

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.model.publisher.organization",
                        "missing required field"));
}

TEST(ParseStatementTest, RefusesMissingDatasetSynthetic) {
  Json statement = ValidStatementJson();
  statement["predicate"]["datasets"][2].erase("synthetic");

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.datasets[2].synthetic", "missing"));
}

// -------------------------------------------------------------- wrong types

TEST(ParseStatementTest, RefusesStringSize) {
  Json statement = ValidStatementJson();
  statement["predicate"]["artifacts"]["files"][0]["size"] = "654";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.artifacts.files[0].size",
                        "expected a non-negative integer"));
}

TEST(ParseStatementTest, RefusesNegativeSize) {
  Json statement = ValidStatementJson();
  statement["predicate"]["artifacts"]["files"][0]["size"] = -1;

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.artifacts.files[0].size"));
}

TEST(ParseStatementTest, RefusesFloatSize) {
  const std::string statement = absl::StrReplaceAll(
      kMinimalStatement, {{"\"size\":1024", "\"size\":1024.0"}});

  EXPECT_THAT(ParseStatement(statement),
              InvalidAt("predicate.artifacts.files[0].size"));
}

TEST(ParseStatementTest, RefusesSizeBeyondJsonIntegers) {
  const std::string statement = absl::StrReplaceAll(
      kMinimalStatement, {{"\"size\":1024", "\"size\":9007199254740992"}});

  EXPECT_THAT(ParseStatement(statement),
              InvalidAt("predicate.artifacts.files[0].size", "larger than"));
}

TEST(ParseStatementTest, RefusesNullOptionalField) {
  Json statement = ValidStatementJson();
  statement["predicate"]["model"]["publisher"]["jurisdiction"] = nullptr;

  EXPECT_THAT(
      ParseJson(statement),
      InvalidAt("predicate.model.publisher.jurisdiction", "expected a string"));
}

TEST(ParseStatementTest, RefusesStringBoolean) {
  Json statement = ValidStatementJson();
  statement["predicate"]["datasets"][0]["synthetic"] = "false";

  EXPECT_THAT(ParseJson(statement), InvalidAt("predicate.datasets[0].synthetic",
                                              "expected a boolean"));
}

TEST(ParseStatementTest, RefusesObjectSubject) {
  Json statement = ValidStatementJson();
  statement["subject"] = Json::object();

  EXPECT_THAT(ParseJson(statement), InvalidAt("subject", "expected an array"));
}

TEST(ParseStatementTest, RefusesStringArrayElement) {
  Json statement = ValidStatementJson();
  statement["predicate"]["lineage"][1] = "acme-ai/Acme-70B-Instruct@v2";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.lineage[1]", "expected an object"));
}

TEST(ParseStatementTest, RefusesBitsBeyondUint32) {
  Json statement = ValidStatementJson();
  statement["predicate"]["lineage"][0]["detail"]["bits"] = 4294967296ULL;

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.lineage[0].detail.bits", "larger than"));
}

// ----------------------------------------------------------- unknown fields

TEST(ParseStatementTest, RefusesUnknownTopLevelField) {
  Json statement = ValidStatementJson();
  statement["extra"] = 1;

  EXPECT_THAT(ParseJson(statement), InvalidAt("extra", "unknown field"));
}

TEST(ParseStatementTest, RefusesUnknownPredicateField) {
  Json statement = ValidStatementJson();
  statement["predicate"]["signed_by"] = "someone";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.signed_by", "unknown field"));
}

TEST(ParseStatementTest, RefusesUnknownNestedField) {
  Json statement = ValidStatementJson();
  statement["predicate"]["artifacts"]["files"][2]["color"] = "blue";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.artifacts.files[2].color", "unknown field"));
}

TEST(ParseStatementTest, RefusesUnknownSubjectDigestAlgorithm) {
  Json statement = ValidStatementJson();
  statement["subject"][0]["digest"]["sha512"] = std::string(128, 'a');

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("subject[0].digest.sha512", "unknown field"));
}

TEST(ParseStatementTest, RefusesEmptyLineageDetail) {
  Json statement = ValidStatementJson();
  statement["predicate"]["lineage"][0]["detail"] = Json::object();

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.lineage[0].detail", "is empty"));
}

// ----------------------------------------------------------- duplicate keys

TEST(ParseStatementTest, RefusesDuplicateTopLevelKey) {
  const std::string statement = absl::StrReplaceAll(
      kMinimalStatement,
      {{R"("predicateType":)",
        R"("predicateType":"https://pedigree.dev/provenance/v1","predicateType":)"}});

  EXPECT_THAT(ParseStatement(statement),
              InvalidAt("predicateType", "duplicate key"));
}

TEST(ParseStatementTest, RefusesDuplicateNestedKey) {
  const std::string statement = absl::StrReplaceAll(
      kMinimalStatement,
      {{R"("name":"Tiny-1B")", R"("name":"Evil-1B","name":"Tiny-1B")"}});

  EXPECT_THAT(ParseStatement(statement),
              InvalidAt("predicate.model.name", "duplicate key"));
}

TEST(ParseStatementTest, RefusesDuplicateKeyInsideArrayElement) {
  const std::string statement = absl::StrReplaceAll(
      kMinimalStatement,
      {{R"("digest":{"sha256")", R"("digest":{"sha256":"00","sha256")"}});

  EXPECT_THAT(ParseStatement(statement),
              InvalidAt("subject[0].digest.sha256", "duplicate key"));
}

TEST(ParseStatementTest, RefusesDuplicateKeyInLaterArrayElement) {
  const std::string statement = absl::StrReplaceAll(
      kMinimalStatement, {{R"("component":"model_metadata")",
                           R"("component":"x","component":"model_metadata")"}});

  EXPECT_THAT(ParseStatement(statement),
              InvalidAt("predicate.openness.components[16].component",
                        "duplicate key"));
}

// --------------------------------------------------------------------- hex

TEST(ParseStatementTest, RefusesNonHexFileDigest) {
  Json statement = ValidStatementJson();
  statement["predicate"]["artifacts"]["files"][1]["sha256"] =
      std::string(64, 'z');

  EXPECT_THAT(
      ParseJson(statement),
      InvalidAt("predicate.artifacts.files[1].sha256", "64 lowercase hex"));
}

TEST(ParseStatementTest, RefusesUpperCaseFileDigest) {
  Json statement = ValidStatementJson();
  statement["predicate"]["artifacts"]["files"][1]["sha256"] =
      std::string(64, 'A');

  EXPECT_THAT(
      ParseJson(statement),
      InvalidAt("predicate.artifacts.files[1].sha256", "64 lowercase hex"));
}

TEST(ParseStatementTest, RefusesShortRootDigest) {
  Json statement = ValidStatementJson();
  statement["predicate"]["artifacts"]["root_digest"] = "abcd";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.artifacts.root_digest", "64 lowercase hex"));
}

TEST(ParseStatementTest, RefusesUpperCaseSubjectDigest) {
  Json statement = ValidStatementJson();
  statement["subject"][0]["digest"]["sha256"] = std::string(64, 'F');

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("subject[0].digest.sha256", "64 lowercase hex"));
}

TEST(ParseStatementTest, RefusesUpperCaseDatasetDigest) {
  Json statement = ValidStatementJson();
  statement["predicate"]["datasets"][0]["sha256"] = std::string(64, 'B');

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.datasets[0].sha256", "64 lowercase hex"));
}

// ---------------------------------------------- subjects versus the manifest

TEST(ParseStatementTest, RefusesSubjectCountMismatch) {
  Json statement = ValidStatementJson();
  statement["subject"].erase(3);

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("subject",
                        "has 3 entries but "
                        "predicate.artifacts.files has 4"));
}

TEST(ParseStatementTest, RefusesSubjectNameMismatch) {
  Json statement = ValidStatementJson();
  statement["subject"][1]["name"] = "other.safetensors";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("subject[1].name",
                        "does not match predicate.artifacts.files[1]"));
}

TEST(ParseStatementTest, RefusesSubjectDigestMismatch) {
  Json statement = ValidStatementJson();
  statement["subject"][3]["digest"]["sha256"] = std::string(64, 'e');

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("subject[3].digest.sha256",
                        "does not match predicate.artifacts.files[3]"));
}

TEST(ParseStatementTest, RefusesReorderedSubjects) {
  Json statement = ValidStatementJson();
  std::swap(statement["subject"][0], statement["subject"][1]);

  EXPECT_THAT(ParseJson(statement), InvalidAt("subject[0].name"));
}

TEST(ParseStatementTest, RefusesRootDigestMismatch) {
  Json statement = ValidStatementJson();
  statement["predicate"]["artifacts"]["root_digest"] = std::string(64, '0');

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.artifacts.root_digest", "does not match"));
}

TEST(ParseStatementTest, RefusesFileDigestChangedInBothPlaces) {
  Json statement = ValidStatementJson();
  const std::string changed(64, 'c');
  statement["subject"][0]["digest"]["sha256"] = changed;
  statement["predicate"]["artifacts"]["files"][0]["sha256"] = changed;

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.artifacts.root_digest", "does not match"));
}

// ---------------------------------------------------- enums and validation

TEST(ParseStatementTest, RefusesUnknownRole) {
  Json statement = ValidStatementJson();
  statement["predicate"]["datasets"][2]["role"] = "pretrain";

  EXPECT_THAT(ParseJson(statement),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "predicate.datasets[2].role: unknown role "
                       "\"pretrain\""));
}

TEST(ParseStatementTest, RefusesUnknownRelation) {
  Json statement = ValidStatementJson();
  statement["predicate"]["lineage"][0]["relation"] = "fine_tune";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.lineage[0].relation", "unknown relation"));
}

TEST(ParseStatementTest, RefusesUnknownComponent) {
  Json statement = ValidStatementJson();
  statement["predicate"]["openness"]["components"][0]["component"] = "weights";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.openness.components[0].component",
                        "unknown component"));
}

TEST(ParseStatementTest, RefusesUnknownFormat) {
  Json statement = ValidStatementJson();
  statement["predicate"]["artifacts"]["files"][1]["format"] = "SafeTensors";

  EXPECT_THAT(
      ParseJson(statement),
      InvalidAt("predicate.artifacts.files[1].format", "unknown format"));
}

TEST(ParseStatementTest, RefusesMalformedParentRef) {
  Json statement = ValidStatementJson();
  statement["predicate"]["lineage"][0]["ref"] = "acme-ai/Acme-7B";

  EXPECT_THAT(ParseJson(statement), InvalidAt("predicate.lineage[0].ref"));
}

TEST(ParseStatementTest, AppliesRecordValidation) {
  Json statement = ValidStatementJson();
  statement["predicate"]["model"]["publisher"]["jurisdiction"] = "UK";

  EXPECT_THAT(ParseJson(statement),
              InvalidAt("predicate.model.publisher.jurisdiction"));
}

TEST(ParseStatementTest, AcceptsIndentedJson) {
  Json statement = ValidStatementJson();

  EXPECT_THAT(ParseStatement(statement.dump(2)), IsOk());
}

}  // namespace
}  // namespace pedigree::core::record
