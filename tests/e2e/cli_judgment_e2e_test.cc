// End-to-end tests of the registry's judgment and dataset provenance through
// the CLI: pedigreed runs as a subprocess on a fresh database
// (PEDIGREE_TEST_PG_DSN), the CLI binary runs as a subprocess per command,
// and the tests check `pedigree show`, `pedigree lineage` and `pedigree
// datasets used-by`: stdout, stderr and exit code.
//
// The suite publishes, under the namespace "acme":
//
//   llama-base@v1  weights and code under LicenseRef-Llama-3.1-Community,
//        ^         trained on "acme-web-corpus" (with its SHA-256)
//        | finetune
//   ft@v1          declared MIT, trained on "acme-instructions"
//        ^
//        | quantized
//   ft-q4@v1       declared MIT
//
// The Llama 3.1 Community License (https://www.llama.com/llama3_1/license/,
// LicenseRef-Llama-3.1-Community in docs/license-catalog.md) restricts use
// (acceptable use policy), caps monthly active users, requires "Built with
// Llama" and derivative names beginning with "Llama" (sec. 1.b.i). So the
// registry judges ft@v1 open_weight_restricted, bound by the Llama license
// inherited from the base along the finetune edge, and flags its MIT
// declaration (declared_license_differs_from_inherited) and its name
// (naming_duty_unmet); docs/judgment.md gives the rules.
//
// Environment: PEDIGREED and PEDIGREE_CLI (paths of the binaries, set by
// tests/CMakeLists.txt) and PEDIGREE_TEST_PG_DSN.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/judgment/judgment.h"
#include "core/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/e2e_registry.h"
#include "tests/testing/e2e_util.h"

namespace pedigree {
namespace {

using ::pedigree::testing::CliResult;
using ::pedigree::testing::E2eRegistry;
using ::pedigree::testing::Weights;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Json = nlohmann::json;

constexpr char kLlama[] = "LicenseRef-Llama-3.1-Community";
constexpr char kCorpusDigest[] =
    "ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01";

// The Llama-3.1-style base: weights and code under the Llama 3.1 Community
// License, declared as a LicenseRef (docs/meta-file.md).
constexpr char kBaseMeta[] = R"({
  "description": "A Llama-3.1-like base model.",
  "release_date": "2024-07-23",
  "publisher": {"organization": "Acme AI", "jurisdiction": "US"},
  "licenses": {"weights": "LicenseRef-Llama-3.1-Community",
               "code": "LicenseRef-Llama-3.1-Community"},
  "license_refs": [{"id": "LicenseRef-Llama-3.1-Community",
                    "name": "Llama 3.1 Community License Agreement",
                    "url": "https://www.llama.com/llama3_1/license/"}],
  "openness": {"claim": "open_weight", "components": [
      {"component": "final_parameters", "status": "published",
       "license": "LicenseRef-Llama-3.1-Community",
       "location": "https://example.org/acme/llama-base"}]},
  "datasets": [{"name": "acme-web-corpus",
                "uri": "https://example.org/data/acme-web-corpus",
                "role": "pretraining", "disclosure": "summary",
                "license": "CC-BY-4.0",
                "sha256": "ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01"}],
  "parents": []
})";

// Its fine-tune, declared MIT and named without "Llama".
constexpr char kFineTuneMeta[] = R"({
  "description": "Instruction fine-tune of the Llama-like base.",
  "release_date": "2025-01-20",
  "publisher": {"organization": "Acme AI", "jurisdiction": "GB"},
  "licenses": {"weights": "MIT", "code": "MIT"},
  "openness": {"claim": "open_weight", "components": [
      {"component": "final_parameters", "status": "published",
       "license": "MIT", "location": "https://example.org/acme/ft"}]},
  "datasets": [{"name": "acme-instructions", "role": "fine_tuning",
                "disclosure": "described_with_sources",
                "license": "CC-BY-4.0"}],
  "parents": [{"ref": "acme/llama-base@v1", "relation": "finetune",
               "detail": {"method": "sft"}}]
})";

// A 4-bit quantization of the fine-tune, under the same declared license.
constexpr char kQuantMeta[] = R"({
  "description": "4-bit quantization of the fine-tune.",
  "release_date": "2025-02-01",
  "publisher": {"organization": "Acme AI", "jurisdiction": "GB"},
  "licenses": {"weights": "MIT", "code": "MIT"},
  "openness": {"claim": "open_weight", "components": [
      {"component": "final_parameters", "status": "published",
       "license": "MIT", "location": "https://example.org/acme/ft-q4"}]},
  "parents": [{"ref": "acme/ft@v1", "relation": "quantized",
               "detail": {"method": "gptq", "bits": 4}}]
})";

class CliJudgmentTest : public testing::E2eRegistryTest {
 protected:
  static void SetUpTestSuite() {
    StartRegistry("pedigree-cli-judgment-e2e", PublishLineage);
  }

  static absl::Status PublishLineage(E2eRegistry& r) {
    PEDIGREE_RETURN_IF_ERROR(r.SetUpPublisher("acme"));
    r.WriteModel("llama-base",
                 {{"config.json", "{\"hidden_size\": 64}\n"},
                  {"model.safetensors", Weights(100000, 21)}},
                 kBaseMeta);
    r.WriteModel("ft", {{"model.safetensors", Weights(100000, 22)}},
                 kFineTuneMeta);
    r.WriteModel("ft-q4", {{"model.gguf", Weights(50000, 23)}}, kQuantMeta);
    for (const auto& [name, ref] :
         std::vector<std::pair<std::string, std::string>>{
             {"llama-base", "acme/llama-base@v1"},
             {"ft", "acme/ft@v1"},
             {"ft-q4", "acme/ft-q4@v1"}}) {
      PEDIGREE_RETURN_IF_ERROR(r.Publish(name, ref));
    }
    return absl::OkStatus();
  }
};

// --- show
// -------------------------------------------------------------------------

TEST_F(CliJudgmentTest, ShowPrintsTheComputedLabelAndClass) {
  const CliResult result = registry_->Run({"show", "acme/ft@v1"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr(absl::StrCat("\njudgment (",
                                     core::judgment::kRuleSetVersion, ")\n")));
  EXPECT_THAT(result.out, HasSubstr("  label        open_weight_restricted\n"));
  EXPECT_THAT(result.out, HasSubstr("  mof class    none\n"));
  EXPECT_THAT(result.out,
              HasSubstr("    label.capped_by_weight_flow_parent: "));
  EXPECT_EQ(result.err, "");
}

TEST_F(CliJudgmentTest, ShowPrintsTheInheritedLicenseFromTheBase) {
  const CliResult result = registry_->Run({"show", "acme/ft@v1"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr(absl::StrCat("    license            ", kLlama,
                                     " (from acme/llama-base@v1 via "
                                     "finetune)\n")));
  EXPECT_THAT(result.out, HasSubstr("    license            MIT (declared by "
                                    "this record)\n"));
  EXPECT_THAT(result.out, HasSubstr("    use restrictions   yes\n"));
  EXPECT_THAT(result.out, HasSubstr("    name prefix        \"Llama\"\n"));
  EXPECT_THAT(result.out,
              HasSubstr("    attribution        \"Built with Llama\"\n"));
  EXPECT_THAT(result.out, HasSubstr(" monthly active users\n"));
}

TEST_F(CliJudgmentTest, ShowMarksTheFlags) {
  const CliResult result = registry_->Run({"show", "acme/ft@v1"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("  flags        2\n"));
  EXPECT_THAT(result.out,
              HasSubstr("\nFLAG declared_license_differs_from_inherited: "));
  EXPECT_THAT(result.out, HasSubstr("\nFLAG naming_duty_unmet: "));
  EXPECT_THAT(result.out, HasSubstr("(ancestor acme/llama-base@v1)\n"));
}

TEST_F(CliJudgmentTest, ShowOfTheBaseHasItsOwnLicenseAndNoFlags) {
  const CliResult result = registry_->Run({"show", "acme/llama-base@v1"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("  label        open_weight_restricted\n"));
  EXPECT_THAT(result.out,
              HasSubstr(absl::StrCat("    license            ", kLlama,
                                     " (declared by this record)\n")));
  EXPECT_THAT(result.out, HasSubstr("  flags        none\n"));
  EXPECT_THAT(result.out, Not(HasSubstr("FLAG ")));
  EXPECT_THAT(result.out, Not(HasSubstr("judgment: none")));
}

TEST_F(CliJudgmentTest, ShowJsonHasTheJudgment) {
  const CliResult result =
      registry_->Run({"--output", "json", "show", "acme/ft@v1"});

  EXPECT_EQ(result.code, 0) << result.err;
  const Json shown = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(shown.is_object()) << result.out;
  ASSERT_TRUE(shown.contains("judgment")) << result.out;
  const Json& judgment = shown["judgment"];
  ASSERT_TRUE(judgment.is_object()) << result.out;
  EXPECT_EQ(judgment.value("rule_set_version", ""),
            core::judgment::kRuleSetVersion);
  EXPECT_EQ(judgment.value("label", ""), "open_weight_restricted");
  EXPECT_EQ(judgment.value("mof_class", ""), "none");
  EXPECT_EQ(judgment.value("declared_weights_license", ""), "MIT");
  EXPECT_FALSE(judgment["label_reasons"].empty());
  EXPECT_FALSE(judgment["mof_reasons"].empty());
  const Json& obligations = judgment["obligations"];
  EXPECT_EQ(obligations["use_restrictions"], true);
  EXPECT_TRUE(obligations["monthly_active_users_limit"].is_number_unsigned());
  EXPECT_EQ(obligations["name_prefixes"], Json::array({"Llama"}));
  EXPECT_THAT(obligations["licenses"].dump(),
              HasSubstr(Json({{"license_id", kLlama},
                              {"from_ref", "acme/llama-base@v1"},
                              {"via", "finetune"},
                              // acme is no licensor namespace of Llama.
                              {"traced_to_licensor", false}})
                            .dump()));
  std::vector<std::string> kinds;
  for (const Json& flag : judgment["flags"]) {
    kinds.push_back(flag.value("kind", ""));
    EXPECT_EQ(flag.value("ancestor", ""), "acme/llama-base@v1");
    EXPECT_NE(flag.value("message", ""), "");
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"declared_license_differs_from_inherited",
                                      "naming_duty_unmet"}));
}

TEST_F(CliJudgmentTest, ShowJsonOfTheBaseHasNoFlags) {
  const CliResult result =
      registry_->Run({"--output", "json", "show", "acme/llama-base@v1"});

  EXPECT_EQ(result.code, 0) << result.err;
  const Json shown = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(shown.is_object()) << result.out;
  EXPECT_EQ(shown["judgment"]["flags"], Json::array());
  EXPECT_EQ(shown["judgment"]["obligations"]["commercial_use"], true);
}

// --- lineage
// ----------------------------------------------------------------------

TEST_F(CliJudgmentTest, LineageTreeMarksTheFlaggedFineTune) {
  const CliResult result = registry_->Run({"lineage", "acme/ft@v1"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "acme/ft@v1 (MIT; open_weight_restricted, MOF none) ! flagged: "
            "declared_license_differs_from_inherited, naming_duty_unmet\n"
            "└── [finetune] acme/llama-base@v1 "
            "(LicenseRef-Llama-3.1-Community; open_weight_restricted, MOF "
            "none)\n");
}

TEST_F(CliJudgmentTest, LineageDownMarksEveryFlaggedDescendant) {
  const CliResult result =
      registry_->Run({"lineage", "acme/llama-base@v1", "--down"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("[finetune] acme/ft@v1 (MIT; open_weight_restricted, "
                        "MOF none) ! flagged: "));
  EXPECT_THAT(result.out, HasSubstr("[quantized] acme/ft-q4@v1 (MIT; "
                                    "open_weight_restricted, MOF none) ! "
                                    "flagged: "));
  EXPECT_THAT(result.out, StartsWith("Descendants:\nacme/llama-base@v1 ("));
}

TEST_F(CliJudgmentTest, LineageJsonHasLabelsAndFlags) {
  const CliResult result =
      registry_->Run({"lineage", "acme/ft@v1", "--format", "json"});

  EXPECT_EQ(result.code, 0) << result.err;
  const Json lineage = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(lineage.is_object()) << result.out;
  ASSERT_EQ(lineage["nodes"].size(), 2u) << result.out;
  const Json& start = lineage["nodes"][0]["judgment"];
  EXPECT_EQ(start.value("label", ""), "open_weight_restricted");
  EXPECT_EQ(start["flags"],
            Json::array({"declared_license_differs_from_inherited",
                         "naming_duty_unmet"}));
  EXPECT_EQ(lineage["nodes"][1]["judgment"]["flags"], Json::array());
}

TEST_F(CliJudgmentTest, LineageDotColoursTheFlaggedNode) {
  const CliResult result =
      registry_->Run({"lineage", "acme/ft@v1", "--format", "dot"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("naming_duty_unmet\", style=\"bold,"
                                    "filled\", fillcolor=\"lightyellow\", "
                                    "color=\"red\""));
}

// --- datasets used-by
// -------------------------------------------------------------

TEST_F(CliJudgmentTest, UsedByNameListsTheDirectUser) {
  const CliResult result =
      registry_->Run({"datasets", "used-by", "acme-web-corpus"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "trained on dataset acme-web-corpus: 1 record\n"
            "  acme/llama-base@v1  acme-web-corpus (pretraining, summary)\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(CliJudgmentTest, UsedByDownstreamListsDescendantsWithVia) {
  const CliResult result = registry_->Run(
      {"datasets", "used-by", "acme-web-corpus", "--downstream"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "trained on dataset acme-web-corpus: 1 record\n"
            "  acme/llama-base@v1  acme-web-corpus (pretraining, summary)\n"
            "downstream: 2 records\n"
            "  acme/ft@v1  via acme/llama-base@v1 (distance 1)\n"
            "  acme/ft-q4@v1  via acme/llama-base@v1 (distance 2)\n");
}

TEST_F(CliJudgmentTest, UsedByWithoutDownstreamLeavesDescendantsOut) {
  const CliResult result =
      registry_->Run({"datasets", "used-by", "acme-instructions"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("  acme/ft@v1  acme-instructions "
                                    "(fine_tuning, described_with_sources)\n"));
  EXPECT_THAT(result.out, Not(HasSubstr("ft-q4")));
  EXPECT_THAT(result.out, Not(HasSubstr("downstream")));
}

TEST_F(CliJudgmentTest, UsedBySha256FindsTheUser) {
  const CliResult result =
      registry_->Run({"datasets", "used-by", "--sha256", kCorpusDigest});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out,
              StartsWith(absl::StrCat("trained on a dataset with sha256 ",
                                      kCorpusDigest, ": 1 record\n")));
  EXPECT_THAT(result.out, HasSubstr("  acme/llama-base@v1  acme-web-corpus"));
}

TEST_F(CliJudgmentTest, UsedBySha256AcceptsPrefixAndUpperCase) {
  const CliResult result = registry_->Run(
      {"datasets", "used-by", "--sha256",
       "sha256:"
       "AB01AB01AB01AB01AB01AB01AB01AB01AB01AB01AB01AB01AB01AB01AB01AB01"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("  acme/llama-base@v1  "));
}

TEST_F(CliJudgmentTest, UsedByJsonListsUsersWithVia) {
  const CliResult result =
      registry_->Run({"--output", "json", "datasets", "used-by",
                      "acme-web-corpus", "--downstream"});

  EXPECT_EQ(result.code, 0) << result.err;
  const Json answer = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << result.out;
  EXPECT_EQ(answer["dataset"], Json({{"name", "acme-web-corpus"}}));
  EXPECT_EQ(answer["downstream"], true);
  ASSERT_EQ(answer["users"].size(), 3u) << result.out;
  const Json& direct = answer["users"][0];
  EXPECT_EQ(direct["record"]["ref"], "acme/llama-base@v1");
  EXPECT_EQ(direct["distance"], 0);
  EXPECT_TRUE(direct["via_ref"].is_null());
  EXPECT_EQ(direct["uses"], Json::array({{{"name", "acme-web-corpus"},
                                          {"role", "pretraining"},
                                          {"disclosure", "summary"}}}));
  const Json& downstream = answer["users"][1];
  EXPECT_EQ(downstream["record"]["ref"], "acme/ft@v1");
  EXPECT_EQ(downstream["distance"], 1);
  EXPECT_EQ(downstream["via_ref"], "acme/llama-base@v1");
  EXPECT_EQ(downstream["via_record_digest"], direct["record"]["record_digest"]);
  EXPECT_EQ(downstream["uses"], Json::array());
}

TEST_F(CliJudgmentTest, UnknownDatasetExitsZeroSayingSo) {
  const CliResult result = registry_->Run(
      {"datasets", "used-by", "no-such-dataset", "--downstream"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "no record declares dataset no-such-dataset\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(CliJudgmentTest, UnknownDigestExitsZeroSayingSo) {
  const std::string digest(64, 'c');

  const CliResult result =
      registry_->Run({"datasets", "used-by", "--sha256", digest});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(
      result.out,
      absl::StrCat("no record declares a dataset with sha256 ", digest, "\n"));
}

TEST_F(CliJudgmentTest, UnknownDatasetJsonHasNoUsers) {
  const CliResult result = registry_->Run(
      {"--output", "json", "datasets", "used-by", "no-such-dataset"});

  EXPECT_EQ(result.code, 0) << result.err;
  const Json answer = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << result.out;
  EXPECT_EQ(answer["users"], Json::array());
}

TEST_F(CliJudgmentTest, MalformedDigestIsAUsageError) {
  const CliResult result =
      registry_->Run({"datasets", "used-by", "--sha256", "abc123"});

  EXPECT_EQ(result.code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("is not a SHA-256 digest"));
}

TEST_F(CliJudgmentTest, MissingDatasetIsAUsageError) {
  const CliResult result = registry_->Run({"datasets", "used-by"});

  EXPECT_EQ(result.code, 2);
  EXPECT_EQ(result.out, "");
}

TEST_F(CliJudgmentTest, DatasetsWithoutAVerbIsAUsageError) {
  const CliResult result = registry_->Run({"datasets"});

  EXPECT_EQ(result.code, 2);
}

TEST_F(CliJudgmentTest, EmptyDatasetNameIsAUsageError) {
  const CliResult result = registry_->Run({"datasets", "used-by", ""});

  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err, HasSubstr("must not be empty"));
}

TEST_F(CliJudgmentTest, UnreachableRegistryExitsThree) {
  const CliResult result = registry_->Run(
      {"--timeout", "2", "datasets", "used-by", "acme-web-corpus"},
      "127.0.0.1:1");

  EXPECT_EQ(result.code, 3);
  EXPECT_THAT(result.err, HasSubstr("cannot reach the registry"));
}

}  // namespace
}  // namespace pedigree
