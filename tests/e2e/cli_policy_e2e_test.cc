// End-to-end tests of `pedigree verify DIR --policy FILE` against a real
// registry: pedigreed runs as a subprocess on a fresh database
// (PEDIGREE_TEST_PG_DSN), the CLI binary runs as a subprocess per command,
// and the tests check its stdout, stderr and exit code.
//
// The suite publishes, under the namespace "acme":
//
//   llama-base@v1  weights and code under LicenseRef-Llama-3.1-Community
//        ^ finetune
//   ft@v1          declared MIT (its publisher dropped the inherited terms)
//
// The Llama 3.1 Community License (https://www.llama.com/llama3_1/license/,
// LicenseRef-Llama-3.1-Community in docs/license-catalog.md) restricts use
// (acceptable use policy), caps monthly active users, requires "Built with
// Llama" and derivative names beginning with "Llama"; so the registry
// judges ft@v1 open_weight_restricted, bound by the Llama license inherited
// along the finetune edge, and flags its MIT declaration.
//
// Environment: PEDIGREED and PEDIGREE_CLI (paths of the binaries, set by
// tests/CMakeLists.txt) and PEDIGREE_TEST_PG_DSN.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
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
using ::pedigree::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Json = nlohmann::json;

// The Llama-like base: weights and code under the Llama 3.1 Community
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
  "parents": []
})";

// Its fine-tune, declared MIT.
constexpr char kFineTuneMeta[] = R"({
  "description": "Instruction fine-tune of the Llama-like base.",
  "release_date": "2025-01-20",
  "publisher": {"organization": "Acme AI", "jurisdiction": "GB"},
  "licenses": {"weights": "MIT", "code": "MIT"},
  "openness": {"claim": "open_weight", "components": [
      {"component": "final_parameters", "status": "published",
       "license": "MIT", "location": "https://example.org/acme/ft"}]},
  "parents": [{"ref": "acme/llama-base@v1", "relation": "finetune",
               "detail": {"method": "sft"}}]
})";

class CliPolicyTest : public testing::E2eRegistryTest {
 protected:
  static void SetUpTestSuite() {
    StartRegistry("pedigree-cli-policy-e2e", PublishLineage);
  }

  static absl::Status PublishLineage(E2eRegistry& r) {
    PEDIGREE_RETURN_IF_ERROR(r.SetUpPublisher("acme"));
    r.WriteModel("llama-base",
                 {{"config.json", "{\"hidden_size\": 64}\n"},
                  {"model.safetensors", Weights(100000, 11)}},
                 kBaseMeta);
    r.WriteModel("ft", {{"model.safetensors", Weights(100000, 12)}},
                 kFineTuneMeta);
    PEDIGREE_RETURN_IF_ERROR(r.Publish("llama-base", "acme/llama-base@v1"));
    return r.Publish("ft", "acme/ft@v1");
  }

  // Writes `json` to policies/`name` and returns its path.
  static std::string Policy(const std::string& name, const std::string& json) {
    const std::string path = registry_->Path("policies/" + name);
    WriteFile(path, json);
    return path;
  }

  // Verifies the fine-tune's directory with the policy `json`.
  static CliResult VerifyFineTune(const std::string& name,
                                  const std::string& json,
                                  std::vector<std::string> extra = {}) {
    E2eRegistry& r = *registry_;
    std::vector<std::string> args = std::move(extra);
    for (const std::string& arg :
         {std::string("verify"), r.Path("models/ft"), std::string("--model"),
          std::string("acme/ft@v1"), std::string("--policy"),
          Policy(name, json)}) {
      args.push_back(arg);
    }
    return r.Run(args);
  }
};

// --- policies that pass
// ----------------------------------------------------------

TEST_F(CliPolicyTest, DeclaredMitPassesTheDeclaredCheck) {
  const CliResult result = VerifyFineTune(
      "declared-mit.json", R"({"allowed_licenses": {"declared": ["MIT"]}})");

  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, StartsWith("verified acme/ft@v1 "));
  EXPECT_THAT(result.out, HasSubstr("declared-mit.json passed\n"));
  EXPECT_EQ(result.err, "");
}

TEST_F(CliPolicyTest, APolicyTheRecordMeetsExitsZero) {
  const CliResult result = VerifyFineTune("met.json", R"({
    "allowed_licenses": {"declared": ["MIT"],
                         "effective": ["MIT", "LicenseRef-Llama-3.1-Community"]},
    "min_openness": "open_weight_restricted",
    "min_mof_class": "none",
    "forbid_flags": ["teacher_forbids_distillation"],
    "forbid_non_commercial_ancestors": true,
    "max_lineage_depth": 1
  })");

  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("met.json passed\n"));
  EXPECT_THAT(result.out, Not(HasSubstr("POLICY")));
}

TEST_F(CliPolicyTest, TheBaseMeetsItsOwnLicense) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"verify", r.Path("models/llama-base"), "--policy",
             Policy("llama-only.json", R"({"allowed_licenses": {
           "declared": ["LicenseRef-Llama-3.1-Community"],
           "effective": ["LicenseRef-Llama-3.1-Community"]},
         "max_lineage_depth": 0})")});

  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, StartsWith("verified acme/llama-base@v1 "));
}

// --- policies that fail
// ---------------------------------------------------------

TEST_F(CliPolicyTest, EffectiveMitFailsNamingTheInheritedLlamaLicense) {
  const CliResult result = VerifyFineTune(
      "effective-mit.json", R"({"allowed_licenses": {"effective": ["MIT"]}})");

  EXPECT_EQ(result.code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, StartsWith("verified acme/ft@v1 "));
  EXPECT_THAT(result.out,
              HasSubstr("POLICY allowed_licenses.effective: binding license "
                        "LicenseRef-Llama-3.1-Community (inherited from "
                        "acme/llama-base@v1 via finetune) is not in "
                        "allowed_licenses.effective\n"));
  EXPECT_THAT(result.err, HasSubstr("effective-mit.json failed: 1 violation"));
}

TEST_F(CliPolicyTest, ForbidFlagsFailsListingTheFlags) {
  const CliResult result =
      VerifyFineTune("no-flags.json", R"({"forbid_flags": true})");

  EXPECT_EQ(result.code, 1) << result.out << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("POLICY forbid_flags: acme/ft@v1 is flagged "
                        "declared_license_differs_from_inherited: "));
  EXPECT_THAT(result.out, HasSubstr("POLICY forbid_flags: acme/ft@v1 is "
                                    "flagged naming_duty_unmet: "));
}

TEST_F(CliPolicyTest, MinOpennessPermissiveFailsOnTheRestrictedFineTune) {
  const CliResult result = VerifyFineTune(
      "permissive.json", R"({"min_openness": "open_weight_permissive"})");

  EXPECT_EQ(result.code, 1) << result.out << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("POLICY min_openness: acme/ft@v1 is labelled "
                        "open_weight_restricted, below "
                        "open_weight_permissive"));
}

TEST_F(CliPolicyTest, ForbidRestrictedAncestorsNamesTheBase) {
  const CliResult result = VerifyFineTune(
      "no-restricted.json", R"({"forbid_restricted_ancestors": true})");

  EXPECT_EQ(result.code, 1) << result.out << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("POLICY forbid_restricted_ancestors: ancestor "
                        "acme/llama-base@v1 is labelled "
                        "open_weight_restricted"));
}

TEST_F(CliPolicyTest, MaxLineageDepthZeroFailsNamingTheChain) {
  const CliResult result =
      VerifyFineTune("depth-0.json", R"({"max_lineage_depth": 0})");

  EXPECT_EQ(result.code, 1) << result.out << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("POLICY max_lineage_depth: the lineage of acme/ft@v1 "
                        "is 1 edge deep (acme/ft@v1 -> acme/llama-base@v1), "
                        "more than max_lineage_depth 0\n"));
}

TEST_F(CliPolicyTest, EveryViolatedRuleIsListed) {
  const CliResult result = VerifyFineTune("many.json", R"({
    "allowed_licenses": {"declared": ["Apache-2.0"], "effective": ["MIT"]},
    "min_openness": "open_weight_permissive",
    "forbid_restricted_ancestors": true,
    "max_lineage_depth": 0
  })");

  EXPECT_EQ(result.code, 1) << result.out << result.err;
  for (const char* rule :
       {"POLICY allowed_licenses.declared: ",
        "POLICY allowed_licenses.effective: ", "POLICY min_openness: ",
        "POLICY forbid_restricted_ancestors: ", "POLICY max_lineage_depth: "}) {
    EXPECT_THAT(result.out, HasSubstr(rule));
  }
}

TEST_F(CliPolicyTest, JsonOutputAddsThePolicyToTheVerdict) {
  const CliResult result = VerifyFineTune(
      "json.json", R"({"allowed_licenses": {"effective": ["MIT"]}})",
      {"--output", "json"});

  EXPECT_EQ(result.code, 1) << result.err;
  const Json verdict = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << result.out;
  EXPECT_EQ(verdict.value("verified", false), true);
  ASSERT_TRUE(verdict.contains("policy")) << result.out;
  const Json& policy = verdict["policy"];
  EXPECT_EQ(policy.value("evaluated", false), true);
  EXPECT_EQ(policy.value("passed", true), false);
  ASSERT_TRUE(policy["violations"].is_array());
  ASSERT_EQ(policy["violations"].size(), 1u) << result.out;
  EXPECT_EQ(policy["violations"][0].value("rule", ""),
            "allowed_licenses.effective");
  EXPECT_THAT(policy["violations"][0].value("message", ""),
              HasSubstr("LicenseRef-Llama-3.1-Community"));
}

TEST_F(CliPolicyTest, JsonOutputOfAPassingPolicy) {
  const CliResult result = VerifyFineTune(
      "json-pass.json", R"({"allowed_licenses": {"declared": ["MIT"]}})",
      {"--output", "json"});

  EXPECT_EQ(result.code, 0) << result.err;
  const Json verdict = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << result.out;
  EXPECT_EQ(verdict["policy"].value("passed", false), true);
  EXPECT_TRUE(verdict["policy"]["violations"].empty());
}

// --- the policy and verification
// --------------------------------------------------

TEST_F(CliPolicyTest, APolicyIsNotEvaluatedWhenVerificationFails) {
  E2eRegistry& r = *registry_;
  const std::string dir = r.Path("copies/ft-damaged");
  std::filesystem::create_directories(dir);
  std::filesystem::copy(r.Path("models/ft"), dir,
                        std::filesystem::copy_options::recursive);
  WriteFile(dir + "/extra.bin", "not recorded");

  const CliResult result =
      r.Run({"verify", dir, "--model", "acme/ft@v1", "--policy",
             Policy("declared.json",
                    R"({"allowed_licenses": {"declared": ["MIT"]}})")});

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("UNEXPECTED extra.bin\n"));
  EXPECT_THAT(result.out,
              HasSubstr("NOT evaluated: the record did not verify\n"));
  EXPECT_THAT(result.err, HasSubstr("verification failed"));
}

// --- bad policy files: exit 2 before any registry call
// ------------------------------

TEST_F(CliPolicyTest, AMalformedPolicyExitsTwoBeforeContactingTheRegistry) {
  E2eRegistry& r = *registry_;

  // Nobody listens on port 1: a registry call would exit 3.
  const CliResult result =
      r.Run({"verify", r.Path("models/ft"), "--policy",
             Policy("malformed.json", "{\"min_openness\": ")},
            "127.0.0.1:1");

  EXPECT_EQ(result.code, 2) << result.err;
  EXPECT_THAT(result.err,
              HasSubstr("malformed.json\": policy is not valid json"));
  EXPECT_EQ(result.out, "");
}

TEST_F(CliPolicyTest, AMisspelledRuleExitsTwoNamingIt) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run(
      {"verify", r.Path("models/ft"), "--policy",
       Policy("typo.json", R"({"allowed_licenses": {"efective": ["MIT"]}})")},
      "127.0.0.1:1");

  EXPECT_EQ(result.code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("typo.json\": allowed_licenses.efective: "
                                    "unknown field"));
}

TEST_F(CliPolicyTest, AMissingPolicyFileExitsTwo) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"verify", r.Path("models/ft"), "--policy",
                                  r.Path("policies/absent.json")});

  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err, HasSubstr("cannot open policy file"));
}

TEST_F(CliPolicyTest, APolicyCannotJudgeAnOfflineBundle) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"verify", r.Path("models/ft"), "--bundle", r.Path("ft.bundle"),
             "--trusted-key", r.Path("key.pub"), "--policy",
             Policy("bundle.json", R"({"forbid_flags": true})")});

  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err, HasSubstr("--policy cannot be used with --bundle"));
}

}  // namespace
}  // namespace pedigree
