#include "client/lib/policy.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::core::judgment::FlagKind;
using ::pedigree::core::judgment::MofClass;
using ::pedigree::core::judgment::OpennessLabel;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;

// --- builders
//
// The running example: acme/llama-ft@v1, a fine-tune of Llama 3.1 8B that
// its publisher declared MIT. Llama 3.1 is under the Llama 3.1 Community
// License (https://www.llama.com/llama3_1/license/, catalogued as
// LicenseRef-Llama-3.1-Community in docs/license-catalog.md): derivatives
// inherit its acceptable use policy and must name themselves "Llama...".

constexpr char kBaseRef[] = "meta/llama-3.1-8b@v1";
constexpr char kBaseDigest[] =
    "1111111111111111111111111111111111111111111111111111111111111111";
constexpr char kFtRef[] = "acme/llama-ft@v1";
constexpr char kFtDigest[] =
    "2222222222222222222222222222222222222222222222222222222222222222";

v1::BindingLicense Binding(const std::string& id, const std::string& from = "",
                           const std::string& via = "") {
  v1::BindingLicense license;
  license.set_license_id(id);
  license.set_from_ref(from);
  license.set_via(via);
  return license;
}

v1::Judgment MakeJudgment(const std::string& label,
                          const std::string& mof_class = "none",
                          std::vector<v1::BindingLicense> licenses = {
                              Binding("Apache-2.0")}) {
  v1::Judgment judgment;
  judgment.set_rule_set_version("pedigree-rules/2");
  judgment.set_label(label);
  v1::JudgmentReason* reason = judgment.add_label_reasons();
  reason->set_rule("label.test");
  reason->set_message(absl::StrCat("computed ", label));
  judgment.set_mof_class(mof_class);
  v1::JudgmentReason* mof_reason = judgment.add_mof_reasons();
  mof_reason->set_rule("mof.test");
  mof_reason->set_message("training code missing");
  for (v1::BindingLicense& license : licenses) {
    *judgment.mutable_obligations()->add_licenses() = std::move(license);
  }
  judgment.mutable_obligations()->set_commercial_use(true);
  return judgment;
}

// The Llama 3.1 base, as the registry judges it.
v1::Judgment BaseJudgment() {
  return MakeJudgment("open_weight_restricted", "none",
                      {Binding("LicenseRef-Llama-3.1-Community")});
}

// The MIT-declared fine-tune: Llama terms inherited, two flags.
v1::Judgment FineTuneJudgment() {
  v1::Judgment judgment = MakeJudgment(
      "open_weight_restricted", "none",
      {Binding("LicenseRef-Llama-3.1-Community", kBaseRef, "finetune"),
       Binding("MIT")});
  v1::JudgmentFlag* differs = judgment.add_flags();
  differs->set_kind("declared_license_differs_from_inherited");
  differs->set_message(
      "declared MIT drops LicenseRef-Llama-3.1-Community inherited from "
      "meta/llama-3.1-8b@v1");
  differs->set_ancestor(kBaseRef);
  v1::JudgmentFlag* naming = judgment.add_flags();
  naming->set_kind("naming_duty_unmet");
  naming->set_message("the name llama-ft does not begin with \"Llama\"");
  naming->set_ancestor(kBaseRef);
  return judgment;
}

v1::GetRecordResponse MakeRecord(const std::string& ref,
                                 const std::string& digest,
                                 const std::string& weights,
                                 const std::string& code,
                                 v1::Judgment judgment) {
  v1::GetRecordResponse record;
  record.mutable_summary()->set_ref(ref);
  record.mutable_summary()->set_record_digest(digest);
  record.mutable_record()->set_weights_license(weights);
  record.mutable_record()->set_code_license(code);
  *record.mutable_judgment() = std::move(judgment);
  return record;
}

v1::GetRecordResponse FineTune() {
  return MakeRecord(kFtRef, kFtDigest, "MIT", "MIT", FineTuneJudgment());
}

// A digest from a number, for extra lineage nodes.
std::string Digest(int n) {
  char buffer[65];
  std::snprintf(buffer, sizeof(buffer), "%064x", n);
  return buffer;
}

void AddNode(v1::GetLineageResponse* lineage, const std::string& ref,
             const std::string& digest, int distance, v1::Judgment judgment) {
  v1::LineageNode* node = lineage->add_nodes();
  node->mutable_record()->set_ref(ref);
  node->mutable_record()->set_record_digest(digest);
  node->set_side(distance == 0 ? v1::LINEAGE_SIDE_START
                               : v1::LINEAGE_SIDE_ANCESTOR);
  node->set_distance(distance);
  *node->mutable_judgment() = std::move(judgment);
}

void AddEdge(v1::GetLineageResponse* lineage, const std::string& child,
             const std::string& parent, const std::string& relation) {
  v1::LineageEdge* edge = lineage->add_edges();
  edge->set_child_record_digest(child);
  edge->set_parent_record_digest(parent);
  edge->set_relation(relation);
}

// The fine-tune's ancestors: the start and the Llama base.
v1::GetLineageResponse FineTuneLineage() {
  v1::GetLineageResponse lineage;
  AddNode(&lineage, kFtRef, kFtDigest, 0, FineTuneJudgment());
  AddNode(&lineage, kBaseRef, kBaseDigest, 1, BaseJudgment());
  AddEdge(&lineage, kFtDigest, kBaseDigest, "finetune");
  return lineage;
}

// A record with no parents, and its one-node lineage.
v1::GetRecordResponse Root(v1::Judgment judgment) {
  return MakeRecord("acme/root@v1", Digest(1), "Apache-2.0", "Apache-2.0",
                    std::move(judgment));
}
v1::GetLineageResponse RootLineage(const v1::GetRecordResponse& root) {
  v1::GetLineageResponse lineage;
  AddNode(&lineage, root.summary().ref(), root.summary().record_digest(), 0,
          root.judgment());
  return lineage;
}

Policy ParseOrDie(const std::string& json) {
  absl::StatusOr<Policy> policy = ParsePolicy(json);
  EXPECT_THAT(policy, IsOk());
  return policy.ok() ? *std::move(policy) : Policy{};
}

std::vector<std::string> Rules(const std::vector<PolicyViolation>& violations) {
  std::vector<std::string> rules;
  for (const PolicyViolation& violation : violations) {
    rules.push_back(violation.rule);
  }
  return rules;
}

// --- parsing -----------------------------------------------------------------

TEST(ParsePolicyTest, ReadsEveryRule) {
  const std::string json = R"({
    "description": "production models",
    "allowed_licenses": {"declared": ["mit", "Apache-2.0", "MIT"],
                         "effective": ["LicenseRef-Llama-3.1-Community"]},
    "min_openness": "open_weight_permissive",
    "min_mof_class": "class_iii",
    "forbid_flags": ["naming_duty_unmet", "unknown_license",
                     "naming_duty_unmet"],
    "forbid_restricted_ancestors": true,
    "forbid_non_commercial_ancestors": true,
    "max_lineage_depth": 3
  })";

  ASSERT_OK_AND_ASSIGN(Policy policy, ParsePolicy(json));

  EXPECT_EQ(policy.description, "production models");
  EXPECT_THAT(policy.allowed_declared_licenses,
              Optional(ElementsAre("Apache-2.0", "MIT")));
  EXPECT_THAT(policy.allowed_effective_licenses,
              Optional(ElementsAre("LicenseRef-Llama-3.1-Community")));
  EXPECT_THAT(policy.min_openness,
              Optional(OpennessLabel::kOpenWeightPermissive));
  EXPECT_THAT(policy.min_mof_class, Optional(MofClass::kClassIII));
  EXPECT_FALSE(policy.forbid_any_flag);
  EXPECT_THAT(policy.forbidden_flags, ElementsAre(FlagKind::kNamingDutyUnmet,
                                                  FlagKind::kUnknownLicense));
  EXPECT_TRUE(policy.forbid_restricted_ancestors);
  EXPECT_TRUE(policy.forbid_non_commercial_ancestors);
  EXPECT_THAT(policy.max_lineage_depth, Optional(3));
}

TEST(ParsePolicyTest, LeavesAbsentRulesOff) {
  ASSERT_OK_AND_ASSIGN(Policy policy,
                       ParsePolicy(R"({"min_openness": "open_source"})"));

  EXPECT_EQ(policy.allowed_declared_licenses, std::nullopt);
  EXPECT_EQ(policy.allowed_effective_licenses, std::nullopt);
  EXPECT_EQ(policy.min_mof_class, std::nullopt);
  EXPECT_FALSE(policy.forbid_any_flag);
  EXPECT_THAT(policy.forbidden_flags, IsEmpty());
  EXPECT_FALSE(policy.forbid_restricted_ancestors);
  EXPECT_FALSE(policy.forbid_non_commercial_ancestors);
  EXPECT_EQ(policy.max_lineage_depth, std::nullopt);
  EXPECT_FALSE(PolicyNeedsLineage(policy));
}

TEST(ParsePolicyTest, ReadsForbidFlagsTrueAsEveryFlag) {
  ASSERT_OK_AND_ASSIGN(Policy policy, ParsePolicy(R"({"forbid_flags": true})"));

  EXPECT_TRUE(policy.forbid_any_flag);
  EXPECT_THAT(policy.forbidden_flags, IsEmpty());
}

TEST(ParsePolicyTest, ReadsOnlyEffectiveLicenses) {
  ASSERT_OK_AND_ASSIGN(
      Policy policy,
      ParsePolicy(R"({"allowed_licenses": {"effective": ["MIT"]}})"));

  EXPECT_EQ(policy.allowed_declared_licenses, std::nullopt);
  EXPECT_THAT(policy.allowed_effective_licenses, Optional(ElementsAre("MIT")));
}

TEST(ParsePolicyTest, AcceptsMaxLineageDepthZeroAndTheLargest) {
  ASSERT_OK_AND_ASSIGN(Policy zero, ParsePolicy(R"({"max_lineage_depth": 0})"));
  ASSERT_OK_AND_ASSIGN(Policy largest,
                       ParsePolicy(R"({"max_lineage_depth": 63})"));

  EXPECT_THAT(zero.max_lineage_depth, Optional(0));
  EXPECT_THAT(largest.max_lineage_depth, Optional(kMaxPolicyLineageDepth));
}

TEST(ParsePolicyTest, LineageRulesNeedTheLineage) {
  EXPECT_TRUE(PolicyNeedsLineage(
      ParseOrDie(R"({"forbid_restricted_ancestors": true})")));
  EXPECT_TRUE(PolicyNeedsLineage(
      ParseOrDie(R"({"forbid_non_commercial_ancestors": true})")));
  EXPECT_TRUE(PolicyNeedsLineage(ParseOrDie(R"({"max_lineage_depth": 2})")));
  EXPECT_FALSE(PolicyNeedsLineage(ParseOrDie(R"({"forbid_flags": true})")));
}

struct BadPolicy {
  const char* json;
  const char* message;
};

class ParsePolicyErrorTest : public ::testing::TestWithParam<BadPolicy> {};

TEST_P(ParsePolicyErrorTest, RefusesWithThePath) {
  EXPECT_THAT(ParsePolicy(GetParam().json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ParsePolicyErrorTest,
    ::testing::Values(
        BadPolicy{"", "policy is not valid json"},
        BadPolicy{"{\"min_openness\": \"open_source\",}",
                  "policy is not valid json"},
        BadPolicy{"[]", "policy: expected a json object"},
        BadPolicy{"{}", "policy sets no rule"},
        BadPolicy{R"({"description": "nothing"})", "policy sets no rule"},
        BadPolicy{R"({"forbid_flags": false,
                      "forbid_restricted_ancestors": false})",
                  "policy sets no rule"},
        // A typo never weakens a policy silently.
        BadPolicy{R"({"min_opennes": "open_source"})",
                  "min_opennes: unknown field"},
        BadPolicy{R"({"allowed_licenses": {"decalred": ["MIT"]}})",
                  "allowed_licenses.decalred: unknown field"},
        BadPolicy{R"({"min_openness": "open_source",
                      "min_openness": "closed"})",
                  "min_openness: duplicate key"},
        BadPolicy{R"({"description": 1, "forbid_flags": true})",
                  "description: expected a string"},
        BadPolicy{R"({"allowed_licenses": ["MIT"]})",
                  "allowed_licenses: expected an object"},
        BadPolicy{R"({"allowed_licenses": {}})",
                  "allowed_licenses: give declared, effective or both"},
        BadPolicy{R"({"allowed_licenses": {"declared": "MIT"}})",
                  "allowed_licenses.declared: expected an array"},
        BadPolicy{R"({"allowed_licenses": {"declared": []}})",
                  "allowed_licenses.declared: must not be empty"},
        BadPolicy{R"({"allowed_licenses": {"effective": [7]}})",
                  "allowed_licenses.effective[0]: expected a string"},
        BadPolicy{R"({"allowed_licenses": {"declared": ["MIT", "Nope-1.0"]}})",
                  "allowed_licenses.declared[1]: "},
        BadPolicy{
            R"({"allowed_licenses": {"declared": ["MIT OR Apache-2.0"]}})",
            "allowed_licenses.declared[0]: \"MIT OR Apache-2.0\" is not "
            "one license id"},
        BadPolicy{R"({"allowed_licenses": {"declared": ["GPL-2.0+"]}})",
                  "is not one license id"},
        BadPolicy{R"({"allowed_licenses": {"declared":
                      ["GPL-2.0-only WITH Classpath-exception-2.0"]}})",
                  "is not one license id"},
        BadPolicy{R"({"min_openness": "opne_source"})",
                  "min_openness: unknown openness label \"opne_source\""},
        BadPolicy{R"({"min_openness": 3})", "min_openness: expected a string"},
        BadPolicy{R"({"min_mof_class": "class_iv"})",
                  "min_mof_class: unknown mof class \"class_iv\""},
        BadPolicy{R"({"forbid_flags": "all"})",
                  "forbid_flags: expected a boolean or an array of flag kinds"},
        BadPolicy{R"({"forbid_flags": []})", "forbid_flags: must not be empty"},
        BadPolicy{R"({"forbid_flags": ["naming_duty_unmet", "naming"]})",
                  "forbid_flags[1]: unknown flag \"naming\""},
        BadPolicy{R"({"forbid_flags": [true]})",
                  "forbid_flags[0]: expected a string"},
        BadPolicy{R"({"forbid_restricted_ancestors": "yes"})",
                  "forbid_restricted_ancestors: expected a boolean"},
        BadPolicy{R"({"forbid_non_commercial_ancestors": 1})",
                  "forbid_non_commercial_ancestors: expected a boolean"},
        BadPolicy{R"({"max_lineage_depth": -1})",
                  "max_lineage_depth: expected a non-negative integer"},
        BadPolicy{R"({"max_lineage_depth": 1.5})",
                  "max_lineage_depth: expected a non-negative integer"},
        BadPolicy{R"({"max_lineage_depth": 64})",
                  "max_lineage_depth: 64 is larger than 63"}));

TEST(ReadPolicyFileTest, NamesAMissingFile) {
  EXPECT_THAT(ReadPolicyFile("/nonexistent/policy.json"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("policy file \"/nonexistent/policy.json\"")));
}

TEST(ReadPolicyFileTest, ReadsTheExamplePolicies) {
  for (const char* name :
       {"permissive-only.json", "no-flags.json", "open-source-only.json"}) {
    const std::string path =
        absl::StrCat(PEDIGREE_SOURCE_DIR, "/examples/policies/", name);

    absl::StatusOr<Policy> policy = ReadPolicyFile(path);

    EXPECT_THAT(policy, IsOk()) << path;
  }
}

// --- allowed_licenses.declared
// ------------------------------------------------

TEST(EvaluatePolicyTest, DeclaredLicensesInTheListPass) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"declared": ["MIT"]}})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), {}), IsEmpty());
}

TEST(EvaluatePolicyTest, DeclaredLicenseIdsMatchIgnoringCase) {
  const Policy policy = ParseOrDie(
      R"({"allowed_licenses": {"declared": ["LicenseRef-acme-terms", "MIT"]}})");
  const v1::GetRecordResponse record =
      MakeRecord(kFtRef, kFtDigest, "MIT AND LicenseRef-ACME-Terms", "MIT",
                 FineTuneJudgment());

  EXPECT_THAT(EvaluatePolicy(policy, record, {}), IsEmpty());
}

TEST(EvaluatePolicyTest, DeclaredWeightsLicenseNotInTheListFailsNamingIt) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"declared": ["MIT"]}})");
  const v1::GetRecordResponse base =
      MakeRecord(kBaseRef, kBaseDigest, "LicenseRef-Llama-3.1-Community", "",
                 BaseJudgment());

  EXPECT_THAT(EvaluatePolicy(policy, base, {}),
              ElementsAre(PolicyViolation{
                  "allowed_licenses.declared",
                  "declared weights license LicenseRef-Llama-3.1-Community of "
                  "meta/llama-3.1-8b@v1 is not in allowed_licenses.declared"}));
}

TEST(EvaluatePolicyTest, DeclaredCodeLicenseIsCheckedToo) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"declared": ["MIT"]}})");
  const v1::GetRecordResponse record =
      MakeRecord(kFtRef, kFtDigest, "MIT", "GPL-3.0-only", FineTuneJudgment());

  EXPECT_THAT(EvaluatePolicy(policy, record, {}),
              ElementsAre(PolicyViolation{
                  "allowed_licenses.declared",
                  "declared code license GPL-3.0-only of acme/llama-ft@v1 is "
                  "not in allowed_licenses.declared"}));
}

TEST(EvaluatePolicyTest, EveryIdOfAnOrExpressionMustBeAllowed) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"declared": ["MIT"]}})");
  const v1::GetRecordResponse record = MakeRecord(
      kFtRef, kFtDigest, "MIT OR GPL-3.0-only", "MIT", FineTuneJudgment());

  EXPECT_THAT(EvaluatePolicy(policy, record, {}),
              ElementsAre(PolicyViolation{
                  "allowed_licenses.declared",
                  "declared weights license GPL-3.0-only of acme/llama-ft@v1 "
                  "(in \"MIT OR GPL-3.0-only\") is not in "
                  "allowed_licenses.declared"}));
}

TEST(EvaluatePolicyTest, AnUnparsableDeclaredLicenseCannotPass) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"declared": ["MIT"]}})");
  const v1::GetRecordResponse record =
      MakeRecord(kFtRef, kFtDigest, "MIT or", "MIT", FineTuneJudgment());

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, record, {});

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_EQ(violations[0].rule, "allowed_licenses.declared");
  EXPECT_THAT(violations[0].message, HasSubstr("does not parse"));
  EXPECT_THAT(violations[0].message, HasSubstr("cannot evaluate"));
}

TEST(EvaluatePolicyTest, AMissingDeclaredWeightsLicenseCannotPass) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"declared": ["MIT"]}})");
  const v1::GetRecordResponse record =
      MakeRecord(kFtRef, kFtDigest, "", "", FineTuneJudgment());

  EXPECT_THAT(EvaluatePolicy(policy, record, {}),
              ElementsAre(PolicyViolation{
                  "allowed_licenses.declared",
                  "acme/llama-ft@v1 declares no weights license: cannot "
                  "evaluate"}));
}

// --- allowed_licenses.effective
// -----------------------------------------------

TEST(EvaluatePolicyTest, EffectiveLicensesInTheListPass) {
  const Policy policy = ParseOrDie(R"({"allowed_licenses": {"effective":
      ["MIT", "LicenseRef-Llama-3.1-Community"]}})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), {}), IsEmpty());
}

TEST(EvaluatePolicyTest, AnInheritedLicenseNotInTheListFailsNamingItsSource) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"effective": ["MIT"]}})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), {}),
              ElementsAre(PolicyViolation{
                  "allowed_licenses.effective",
                  "binding license LicenseRef-Llama-3.1-Community (inherited "
                  "from meta/llama-3.1-8b@v1 via finetune) is not in "
                  "allowed_licenses.effective"}));
}

TEST(EvaluatePolicyTest, TheRecordsOwnLicenseNotInTheListFails) {
  const Policy policy = ParseOrDie(
      R"({"allowed_licenses": {"effective": ["LicenseRef-Llama-3.1-Community"]}})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), {}),
              ElementsAre(PolicyViolation{
                  "allowed_licenses.effective",
                  "binding license MIT (declared by acme/llama-ft@v1 itself) "
                  "is not in allowed_licenses.effective"}));
}

TEST(EvaluatePolicyTest, EffectiveLicensesWithoutAJudgmentCannotPass) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"effective": ["MIT"]}})");
  const v1::GetRecordResponse record =
      MakeRecord(kFtRef, kFtDigest, "MIT", "MIT", v1::Judgment());

  EXPECT_THAT(EvaluatePolicy(policy, record, {}),
              ElementsAre(PolicyViolation{
                  "allowed_licenses.effective",
                  "the registry returned no judgment of acme/llama-ft@v1: "
                  "cannot evaluate"}));
}

TEST(EvaluatePolicyTest, AJudgmentBindingNoLicenseCannotPass) {
  const Policy policy =
      ParseOrDie(R"({"allowed_licenses": {"effective": ["MIT"]}})");
  const v1::GetRecordResponse record = MakeRecord(
      kFtRef, kFtDigest, "MIT", "MIT", MakeJudgment("open_source", "none", {}));

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, record, {});

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message, HasSubstr("names no binding license"));
}

// --- min_openness, min_mof_class
// -----------------------------------------------

TEST(EvaluatePolicyTest, ALabelAtOrAboveTheMinimumPasses) {
  const Policy at = ParseOrDie(R"({"min_openness": "open_weight_permissive"})");
  const Policy below = ParseOrDie(R"({"min_openness": "closed"})");
  const v1::GetRecordResponse record =
      Root(MakeJudgment("open_weight_permissive"));

  EXPECT_THAT(EvaluatePolicy(at, record, {}), IsEmpty());
  EXPECT_THAT(EvaluatePolicy(below, record, {}), IsEmpty());
}

TEST(EvaluatePolicyTest, ALabelBelowTheMinimumFailsWithItsReasons) {
  const Policy policy =
      ParseOrDie(R"({"min_openness": "open_weight_permissive"})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), {}),
              ElementsAre(PolicyViolation{
                  "min_openness",
                  "acme/llama-ft@v1 is labelled open_weight_restricted, below "
                  "open_weight_permissive: computed open_weight_restricted"}));
}

TEST(EvaluatePolicyTest, AnUnknownLabelCannotPass) {
  const Policy policy = ParseOrDie(R"({"min_openness": "closed"})");
  const v1::GetRecordResponse record = Root(MakeJudgment("open_sauce"));

  EXPECT_THAT(EvaluatePolicy(policy, record, {}),
              ElementsAre(PolicyViolation{
                  "min_openness",
                  "the registry's openness label \"open_sauce\" of "
                  "acme/root@v1 is unknown to this client: cannot evaluate"}));
}

TEST(EvaluatePolicyTest, NoJudgmentFailsEvenTheLowestMinimum) {
  const Policy policy = ParseOrDie(R"({"min_openness": "closed"})");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, Root(v1::Judgment()), {});

  EXPECT_THAT(Rules(violations), ElementsAre("min_openness"));
}

TEST(EvaluatePolicyTest, AClassAtOrAboveTheMinimumPasses) {
  const Policy policy = ParseOrDie(R"({"min_mof_class": "class_ii"})");

  EXPECT_THAT(
      EvaluatePolicy(policy, Root(MakeJudgment("open_source", "class_ii")), {}),
      IsEmpty());
  EXPECT_THAT(
      EvaluatePolicy(policy, Root(MakeJudgment("open_source", "class_i")), {}),
      IsEmpty());
}

TEST(EvaluatePolicyTest, AClassBelowTheMinimumFailsWithItsReasons) {
  const Policy policy = ParseOrDie(R"({"min_mof_class": "class_ii"})");
  const v1::GetRecordResponse record =
      Root(MakeJudgment("open_weight_permissive", "class_iii"));

  EXPECT_THAT(EvaluatePolicy(policy, record, {}),
              ElementsAre(PolicyViolation{
                  "min_mof_class",
                  "acme/root@v1 has mof class class_iii, below class_ii: "
                  "training code missing"}));
}

TEST(EvaluatePolicyTest, AnEmptyOrUnknownClassCannotPass) {
  const Policy policy = ParseOrDie(R"({"min_mof_class": "none"})");

  const std::vector<PolicyViolation> empty =
      EvaluatePolicy(policy, Root(MakeJudgment("open_source", "")), {});
  const std::vector<PolicyViolation> unknown =
      EvaluatePolicy(policy, Root(MakeJudgment("open_source", "class_0")), {});

  ASSERT_THAT(empty, SizeIs(1));
  EXPECT_THAT(empty[0].message, HasSubstr("cannot evaluate"));
  ASSERT_THAT(unknown, SizeIs(1));
  EXPECT_THAT(unknown[0].message, HasSubstr("\"class_0\""));
}

// --- forbid_flags
// ----------------------------------------------------------------

TEST(EvaluatePolicyTest, NoFlagsPass) {
  const Policy policy = ParseOrDie(R"({"forbid_flags": true})");

  EXPECT_THAT(EvaluatePolicy(policy, Root(MakeJudgment("open_source")), {}),
              IsEmpty());
}

TEST(EvaluatePolicyTest, ForbidFlagsTrueListsEveryFlag) {
  const Policy policy = ParseOrDie(R"({"forbid_flags": true})");

  EXPECT_THAT(
      EvaluatePolicy(policy, FineTune(), {}),
      ElementsAre(
          PolicyViolation{"forbid_flags",
                          "acme/llama-ft@v1 is flagged "
                          "declared_license_differs_from_inherited: declared "
                          "MIT drops LicenseRef-Llama-3.1-Community inherited "
                          "from meta/llama-3.1-8b@v1 (ancestor "
                          "meta/llama-3.1-8b@v1)"},
          PolicyViolation{"forbid_flags",
                          "acme/llama-ft@v1 is flagged naming_duty_unmet: the "
                          "name llama-ft does not begin with \"Llama\" "
                          "(ancestor meta/llama-3.1-8b@v1)"}));
}

TEST(EvaluatePolicyTest, ForbidFlagsListFailsOnlyOnListedKinds) {
  const Policy policy =
      ParseOrDie(R"({"forbid_flags": ["naming_duty_unmet"]})");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), {});

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message, HasSubstr("flagged naming_duty_unmet"));
}

// A record trained on data an unregistered model generated
// (docs/judgment.md, "Synthetic training data"): the kind comes from the
// core flag table, so a policy can name it.
TEST(ParsePolicyTest, AcceptsTheSyntheticDataGeneratorFlag) {
  ASSERT_OK_AND_ASSIGN(
      Policy policy,
      ParsePolicy(
          R"({"forbid_flags": ["synthetic_data_generator_not_judged"]})"));

  EXPECT_THAT(policy.forbidden_flags,
              ElementsAre(FlagKind::kSyntheticDataGeneratorNotJudged));
}

TEST(EvaluatePolicyTest, ForbiddingTheSyntheticDataGeneratorFlagFails) {
  const Policy policy = ParseOrDie(
      R"({"forbid_flags": ["synthetic_data_generator_not_judged"]})");
  v1::Judgment judgment = MakeJudgment("open_weight_restricted");
  v1::JudgmentFlag* flag = judgment.add_flags();
  flag->set_kind("synthetic_data_generator_not_judged");
  flag->set_message(
      "synthetic dataset \"chat answers\" was generated by "
      "meta-llama/Llama-2-70b-chat-hf@v1, whose license terms cannot be "
      "judged");
  flag->set_ancestor("meta-llama/Llama-2-70b-chat-hf@v1");

  EXPECT_THAT(
      EvaluatePolicy(policy, Root(judgment), {}),
      ElementsAre(PolicyViolation{
          "forbid_flags",
          "acme/root@v1 is flagged synthetic_data_generator_not_judged: "
          "synthetic dataset \"chat answers\" was generated by "
          "meta-llama/Llama-2-70b-chat-hf@v1, whose license terms cannot be "
          "judged (ancestor meta-llama/Llama-2-70b-chat-hf@v1)"}));
}

TEST(EvaluatePolicyTest, ForbiddingTheSyntheticDataGeneratorFlagPassesOthers) {
  const Policy policy = ParseOrDie(
      R"({"forbid_flags": ["synthetic_data_generator_not_judged"]})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), {}), IsEmpty());
}

TEST(EvaluatePolicyTest, ForbidFlagsListPassesOtherKinds) {
  const Policy policy =
      ParseOrDie(R"({"forbid_flags": ["teacher_forbids_distillation"]})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), {}), IsEmpty());
}

TEST(EvaluatePolicyTest, AnUnknownFlagKindCannotPassAList) {
  const Policy policy =
      ParseOrDie(R"({"forbid_flags": ["teacher_forbids_distillation"]})");
  v1::Judgment judgment = MakeJudgment("open_source");
  v1::JudgmentFlag* flag = judgment.add_flags();
  flag->set_kind("new_kind_of_trouble");
  flag->set_message("something new");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, Root(judgment), {});

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_EQ(violations[0].rule, "forbid_flags");
  EXPECT_THAT(violations[0].message,
              HasSubstr("\"new_kind_of_trouble\" on acme/root@v1 is unknown"));
}

TEST(EvaluatePolicyTest, ForbidFlagsWithoutAJudgmentCannotPass) {
  const Policy policy = ParseOrDie(R"({"forbid_flags": true})");

  EXPECT_THAT(Rules(EvaluatePolicy(policy, Root(v1::Judgment()), {})),
              ElementsAre("forbid_flags"));
}

// --- forbid_restricted_ancestors
// ---------------------------------------------------

TEST(EvaluatePolicyTest, PermissiveAncestorsPass) {
  const Policy policy = ParseOrDie(R"({"forbid_restricted_ancestors": true})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  *lineage.mutable_nodes(1)->mutable_judgment() =
      MakeJudgment("open_weight_permissive");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), lineage), IsEmpty());
}

TEST(EvaluatePolicyTest, ARecordWithoutAncestorsPassesAncestorRules) {
  const Policy policy = ParseOrDie(
      R"({"forbid_restricted_ancestors": true, "max_lineage_depth": 0})");
  const v1::GetRecordResponse root = Root(MakeJudgment("closed"));

  EXPECT_THAT(EvaluatePolicy(policy, root, RootLineage(root)), IsEmpty());
}

TEST(EvaluatePolicyTest, ARestrictedAncestorFailsNamingIt) {
  const Policy policy = ParseOrDie(R"({"forbid_restricted_ancestors": true})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), FineTuneLineage()),
              ElementsAre(PolicyViolation{
                  "forbid_restricted_ancestors",
                  "ancestor meta/llama-3.1-8b@v1 is labelled "
                  "open_weight_restricted: computed open_weight_restricted"}));
}

TEST(EvaluatePolicyTest, AClosedTeacherTwoLevelsUpFails) {
  const Policy policy = ParseOrDie(R"({"forbid_restricted_ancestors": true})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  *lineage.mutable_nodes(1)->mutable_judgment() =
      MakeJudgment("open_weight_permissive");
  AddNode(&lineage, "closedai/teacher@v1", Digest(9), 2,
          MakeJudgment("closed"));
  AddEdge(&lineage, kBaseDigest, Digest(9), "distillation");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), lineage);

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message,
              HasSubstr("ancestor closedai/teacher@v1 is labelled closed"));
}

TEST(EvaluatePolicyTest, AnArchitectureReuseParentIsNoAncestor) {
  const Policy policy = ParseOrDie(
      R"({"forbid_restricted_ancestors": true,
          "forbid_non_commercial_ancestors": true})");
  const v1::GetRecordResponse root = Root(MakeJudgment("open_source"));
  v1::GetLineageResponse lineage = RootLineage(root);
  v1::Judgment research = MakeJudgment("closed");
  research.mutable_obligations()->set_commercial_use(false);
  AddNode(&lineage, kBaseRef, kBaseDigest, 1, research);
  AddEdge(&lineage, root.summary().record_digest(), kBaseDigest,
          "architecture_reuse");

  EXPECT_THAT(EvaluatePolicy(policy, root, lineage), IsEmpty());
}

TEST(EvaluatePolicyTest, AnAncestorWithoutAJudgmentCannotPass) {
  const Policy policy = ParseOrDie(R"({"forbid_restricted_ancestors": true})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  lineage.mutable_nodes(1)->clear_judgment();

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), lineage),
              ElementsAre(PolicyViolation{
                  "forbid_restricted_ancestors",
                  "ancestor meta/llama-3.1-8b@v1: the registry returned no "
                  "judgment of meta/llama-3.1-8b@v1: cannot evaluate"}));
}

TEST(EvaluatePolicyTest, AnAncestorWithAnUnknownLabelCannotPass) {
  const Policy policy = ParseOrDie(R"({"forbid_restricted_ancestors": true})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  lineage.mutable_nodes(1)->mutable_judgment()->set_label("semi_open");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), lineage);

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message,
              HasSubstr("\"semi_open\" of ancestor meta/llama-3.1-8b@v1"));
}

// --- forbid_non_commercial_ancestors
// ----------------------------------------------

TEST(EvaluatePolicyTest, CommercialRecordAndAncestorsPass) {
  const Policy policy =
      ParseOrDie(R"({"forbid_non_commercial_ancestors": true})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), FineTuneLineage()), IsEmpty());
}

TEST(EvaluatePolicyTest, ANonCommercialAncestorFailsNamingIt) {
  const Policy policy =
      ParseOrDie(R"({"forbid_non_commercial_ancestors": true})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  v1::Judgment research =
      MakeJudgment("open_weight_restricted", "none",
                   {Binding("LicenseRef-Mistral-Research-License")});
  research.mutable_obligations()->set_commercial_use(false);
  *lineage.mutable_nodes(1)->mutable_judgment() = research;

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), lineage),
              ElementsAre(PolicyViolation{
                  "forbid_non_commercial_ancestors",
                  "ancestor meta/llama-3.1-8b@v1 forbids commercial use "
                  "(binding licenses: LicenseRef-Mistral-Research-License)"}));
}

TEST(EvaluatePolicyTest, ANonCommercialRecordItselfFails) {
  const Policy policy =
      ParseOrDie(R"({"forbid_non_commercial_ancestors": true})");
  v1::Judgment judgment =
      MakeJudgment("open_weight_restricted", "none", {Binding("CC-BY-NC-4.0")});
  judgment.mutable_obligations()->set_commercial_use(false);
  const v1::GetRecordResponse root = Root(judgment);

  EXPECT_THAT(EvaluatePolicy(policy, root, RootLineage(root)),
              ElementsAre(PolicyViolation{
                  "forbid_non_commercial_ancestors",
                  "acme/root@v1's effective obligations forbid commercial use "
                  "(binding licenses: CC-BY-NC-4.0)"}));
}

TEST(EvaluatePolicyTest, NonCommercialCheckWithoutJudgmentsCannotPass) {
  const Policy policy =
      ParseOrDie(R"({"forbid_non_commercial_ancestors": true})");
  v1::GetRecordResponse record = FineTune();
  record.clear_judgment();
  v1::GetLineageResponse lineage = FineTuneLineage();
  lineage.mutable_nodes(1)->clear_judgment();

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, record, lineage);

  ASSERT_THAT(violations, SizeIs(2));
  EXPECT_THAT(violations[0].message,
              HasSubstr("no judgment of acme/llama-ft@v1"));
  EXPECT_THAT(violations[1].message,
              HasSubstr("ancestor meta/llama-3.1-8b@v1: the registry returned "
                        "no judgment"));
}

// --- max_lineage_depth
// ---------------------------------------------------------------

TEST(EvaluatePolicyTest, ALineageWithinTheDepthPasses) {
  const Policy policy = ParseOrDie(R"({"max_lineage_depth": 1})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), FineTuneLineage()), IsEmpty());
}

TEST(EvaluatePolicyTest, ALineageDeeperThanTheLimitFailsNamingTheChain) {
  const Policy policy = ParseOrDie(R"({"max_lineage_depth": 0})");

  EXPECT_THAT(EvaluatePolicy(policy, FineTune(), FineTuneLineage()),
              ElementsAre(PolicyViolation{
                  "max_lineage_depth",
                  "the lineage of acme/llama-ft@v1 is 1 edge deep "
                  "(acme/llama-ft@v1 -> meta/llama-3.1-8b@v1), more than "
                  "max_lineage_depth 0"}));
}

// A merge of the base and of a quantization of the base: the base is one
// edge away, but the longest chain is two.
TEST(EvaluatePolicyTest, DepthIsTheLongestChainNotTheShortest) {
  const Policy policy = ParseOrDie(R"({"max_lineage_depth": 1})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  lineage.mutable_edges(0)->set_relation("merge");
  AddNode(&lineage, "acme/base-q4@v1", Digest(7), 1, BaseJudgment());
  AddEdge(&lineage, kFtDigest, Digest(7), "merge");
  AddEdge(&lineage, Digest(7), kBaseDigest, "quantized");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), lineage);

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message,
              HasSubstr("is 2 edges deep (acme/llama-ft@v1 -> acme/base-q4@v1 "
                        "-> meta/llama-3.1-8b@v1)"));
}

TEST(EvaluatePolicyTest, DepthCountsArchitectureReuseEdges) {
  const Policy policy = ParseOrDie(R"({"max_lineage_depth": 0})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  lineage.mutable_edges(0)->set_relation("architecture_reuse");

  EXPECT_THAT(Rules(EvaluatePolicy(policy, FineTune(), lineage)),
              ElementsAre("max_lineage_depth"));
}

// --- the lineage answer, fail closed
// ------------------------------------------------

TEST(EvaluatePolicyTest, AnEmptyLineageAnswerCannotPass) {
  const Policy policy = ParseOrDie(R"({"max_lineage_depth": 5})");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), {});

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message,
              HasSubstr("lineage answer does not start at acme/llama-ft@v1"));
}

TEST(EvaluatePolicyTest, ALineageOfAnotherRecordCannotPass) {
  const Policy policy = ParseOrDie(R"({"forbid_restricted_ancestors": true})");
  const v1::GetRecordResponse root = Root(MakeJudgment("open_source"));

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, root, RootLineage(FineTune()));

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message, HasSubstr("does not start at"));
}

TEST(EvaluatePolicyTest, ALineageAsDeepAsTheRegistryWalksCannotPass) {
  const Policy policy = ParseOrDie(R"({"forbid_restricted_ancestors": true})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  std::string child = kBaseDigest;
  for (int distance = 2; distance <= kPolicyLineageDepth; ++distance) {
    AddNode(&lineage, absl::StrCat("acme/a", distance, "@v1"),
            Digest(100 + distance), distance,
            MakeJudgment("open_weight_permissive"));
    AddEdge(&lineage, child, Digest(100 + distance), "finetune");
    child = Digest(100 + distance);
  }
  *lineage.mutable_nodes(1)->mutable_judgment() = MakeJudgment("open_source");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), lineage);

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message,
              HasSubstr("reaches acme/a64@v1 at 64 edges, as deep as the "
                        "registry walks"));
}

TEST(EvaluatePolicyTest, AnEdgeToAnUnlistedRecordCannotPass) {
  const Policy policy = ParseOrDie(R"({"max_lineage_depth": 5})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  AddEdge(&lineage, kBaseDigest, Digest(42), "finetune");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), lineage);

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message, HasSubstr("does not list"));
}

TEST(EvaluatePolicyTest, ACycleCannotPass) {
  const Policy policy = ParseOrDie(R"({"max_lineage_depth": 5})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  AddEdge(&lineage, kBaseDigest, kFtDigest, "finetune");

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), lineage);

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message, HasSubstr("has a cycle"));
}

TEST(EvaluatePolicyTest, ARepeatedNodeCannotPass) {
  const Policy policy = ParseOrDie(R"({"max_lineage_depth": 5})");
  v1::GetLineageResponse lineage = FineTuneLineage();
  AddNode(&lineage, kBaseRef, kBaseDigest, 1, BaseJudgment());

  const std::vector<PolicyViolation> violations =
      EvaluatePolicy(policy, FineTune(), lineage);

  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].message, HasSubstr("repeats record"));
}

// --- all together
// ----------------------------------------------------------------------

TEST(EvaluatePolicyTest, ListsEveryViolatedRuleInPolicyOrder) {
  const Policy policy = ParseOrDie(R"({
    "max_lineage_depth": 0,
    "forbid_restricted_ancestors": true,
    "forbid_flags": true,
    "min_mof_class": "class_iii",
    "min_openness": "open_weight_permissive",
    "allowed_licenses": {"declared": ["Apache-2.0"], "effective": ["MIT"]}
  })");

  EXPECT_THAT(
      Rules(EvaluatePolicy(policy, FineTune(), FineTuneLineage())),
      ElementsAre("allowed_licenses.declared", "allowed_licenses.declared",
                  "allowed_licenses.effective", "min_openness", "min_mof_class",
                  "forbid_flags", "forbid_flags", "forbid_restricted_ancestors",
                  "max_lineage_depth"));
}

}  // namespace
}  // namespace pedigree::client
