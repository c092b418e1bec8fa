#include "core/judgment/judgment.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/encoding/strict_json.h"
#include "core/record/record.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::judgment {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// A judgment with every field set, for codec tests.
Judgment FullJudgment() {
  Judgment judgment;
  judgment.rule_set_version = std::string(kRuleSetVersion);
  judgment.declared_weights_license = "MIT";
  judgment.label = OpennessLabel::kOpenWeightRestricted;
  judgment.label_reasons = {{"label.test", "weights license \"x\""}};
  judgment.mof_class = MofClass::kClassIII;
  judgment.mof_reasons = {{"mof.test", "training code missing"}};
  judgment.mof_warnings = {{"mof.warning", "apache-2.0 on a document"}};
  judgment.obligations.licenses = {
      {"LicenseRef-Llama-3.1-Community", "meta-llama/Llama-3.1-8B@2024-07-23",
       "finetune", /*traced_to_licensor=*/true},
      {"MIT", "", ""}};
  judgment.obligations.commercial_use = false;
  judgment.obligations.monthly_active_users_limit = 700000000;
  judgment.obligations.use_restrictions = true;
  judgment.obligations.attribution_texts = {"Built with Llama"};
  judgment.obligations.name_prefixes = {"Llama"};
  judgment.flags = {{FlagKind::kNamingDutyUnmet, "name must begin with llama",
                     "meta-llama/Llama-3.1-8B@2024-07-23"}};
  return judgment;
}

TEST(JudgmentNames, RoundTripEveryValue) {
  for (const OpennessLabel label :
       {OpennessLabel::kClosed, OpennessLabel::kOpenWeightRestricted,
        OpennessLabel::kOpenWeightPermissive, OpennessLabel::kOpenSource}) {
    EXPECT_THAT(ParseOpennessLabel(ToString(label)), IsOk());
    EXPECT_EQ(*ParseOpennessLabel(ToString(label)), label);
  }
  for (const MofClass mof_class : {MofClass::kNone, MofClass::kClassIII,
                                   MofClass::kClassII, MofClass::kClassI}) {
    EXPECT_EQ(*ParseMofClass(ToString(mof_class)), mof_class);
  }
  for (int i = 0; i <= static_cast<int>(FlagKind::kUnknownLicense); ++i) {
    const auto kind = static_cast<FlagKind>(i);
    EXPECT_FALSE(ToString(kind).empty());
    EXPECT_EQ(*ParseFlagKind(ToString(kind)), kind);
  }
}

TEST(JudgmentNames, WireNamesAreThoseDocumented) {
  EXPECT_EQ(ToString(OpennessLabel::kOpenWeightPermissive),
            "open_weight_permissive");
  EXPECT_EQ(ToString(MofClass::kClassIII), "class_iii");
  EXPECT_EQ(ToString(FlagKind::kDeclaredLicenseDiffersFromInherited),
            "declared_license_differs_from_inherited");
}

TEST(JudgmentNames, UnknownNamesAreRefused) {
  EXPECT_THAT(ParseOpennessLabel("open"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown openness label \"open\"")));
  EXPECT_THAT(ParseMofClass("Class I"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFlagKind(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ToString(static_cast<OpennessLabel>(9)), "");
}

TEST(JudgmentNames, LabelsAreOrderedFromLeastToMostOpen) {
  EXPECT_LT(OpennessLabel::kClosed, OpennessLabel::kOpenWeightRestricted);
  EXPECT_LT(OpennessLabel::kOpenWeightRestricted,
            OpennessLabel::kOpenWeightPermissive);
  EXPECT_LT(OpennessLabel::kOpenWeightPermissive, OpennessLabel::kOpenSource);
  EXPECT_LT(MofClass::kNone, MofClass::kClassIII);
  EXPECT_LT(MofClass::kClassII, MofClass::kClassI);
}

TEST(Judge, RecordWithoutLineageCarriesVersionAndDeclaredLicense) {
  record::Record record = record::MinimalRecordForTest();
  record.licenses.weights = "Apache-2.0";

  const absl::StatusOr<Judgment> judgment = Judge(record, {});

  ASSERT_THAT(judgment, IsOk());
  EXPECT_EQ(judgment->rule_set_version, kRuleSetVersion);
  EXPECT_EQ(judgment->declared_weights_license, "Apache-2.0");
  EXPECT_THAT(judgment->label_reasons, Not(IsEmpty()));
  EXPECT_THAT(judgment->mof_reasons, Not(IsEmpty()));
}

TEST(Judge, FlagsAreInKindOrder) {
  // A closed-weights claim of open source under an unknown LicenseRef gives
  // a claim mismatch (openness half) and an unknown license (obligations
  // half); the claim mismatch comes first.
  record::Record record = record::MinimalRecordForTest();
  record.licenses.weights = "LicenseRef-Unheard-Of";
  record.license_refs.push_back(
      {"LicenseRef-Unheard-Of", "unheard of", "https://example.com/license"});
  record.openness.claim = record::OpennessClaim::kOpenSource;

  const absl::StatusOr<Judgment> judgment = Judge(record, {});

  ASSERT_THAT(judgment, IsOk());
  ASSERT_GE(judgment->flags.size(), 2u);
  EXPECT_EQ(judgment->flags.front().kind,
            FlagKind::kOpennessClaimExceedsComputed);
  for (size_t i = 1; i < judgment->flags.size(); ++i) {
    EXPECT_LE(judgment->flags[i - 1].kind, judgment->flags[i].kind);
  }
}

TEST(Judge, MissingParentJudgmentIsRefused) {
  const record::Record record = record::ValidRecordForTest();
  ASSERT_EQ(record.lineage.size(), 2u);
  const Judgment parent = FullJudgment();

  const absl::StatusOr<Judgment> judgment =
      Judge(record, {{&record.lineage[0], "a/b@1", &parent}});

  EXPECT_THAT(judgment, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("lineage edge 1")));
}

TEST(Judge, RepeatedParentIsRefused) {
  const record::Record record = record::ValidRecordForTest();
  const Judgment parent = FullJudgment();

  const absl::StatusOr<Judgment> judgment =
      Judge(record, {{&record.lineage[0], "a/b@1", &parent},
                     {&record.lineage[0], "a/b@1", &parent},
                     {&record.lineage[1], "a/c@1", &parent}});

  EXPECT_THAT(judgment, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("given twice")));
}

TEST(Judge, EdgeOfAnotherRecordIsRefused) {
  const record::Record record = record::ValidRecordForTest();
  const record::Record other = record::ValidRecordForTest();
  const Judgment parent = FullJudgment();

  const absl::StatusOr<Judgment> judgment =
      Judge(record, {{&other.lineage[0], "a/b@1", &parent},
                     {&record.lineage[1], "a/c@1", &parent}});

  EXPECT_THAT(judgment, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("not an edge of the record")));
}

TEST(Judge, NullJudgmentIsRefused) {
  const record::Record record = record::ValidRecordForTest();
  const Judgment parent = FullJudgment();

  const absl::StatusOr<Judgment> judgment =
      Judge(record, {{&record.lineage[0], "a/b@1", nullptr},
                     {&record.lineage[1], "a/c@1", &parent}});

  EXPECT_THAT(judgment, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("no edge or no judgment")));
}

TEST(JudgmentJson, RoundTripsEveryField) {
  const Judgment judgment = FullJudgment();

  const absl::StatusOr<Judgment> parsed =
      JudgmentFromJson(JudgmentToJson(judgment));

  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, judgment);
}

// JudgmentToJson writes keys in the order it was told, not sorted: with and
// without every optional part its text must be canonical (what nlohmann
// writes for the same document, whose objects are sorted).
TEST(JudgmentJson, TextIsCanonical) {
  Judgment without_limit = FullJudgment();
  without_limit.obligations.monthly_active_users_limit.reset();
  Judgment several = FullJudgment();
  several.flags.push_back(several.flags.front());
  several.flags.back().message = "caf\xc3\xa9 \"quoted\"\n\\";
  several.label_reasons.push_back({"label.other", "\xe2\x82\xac"});
  several.obligations.attribution_texts.push_back("Also \"this\"");

  for (const Judgment& judgment :
       {FullJudgment(), Judgment(), without_limit, several}) {
    const std::string json = JudgmentToJson(judgment);
    const absl::StatusOr<nlohmann::json> document =
        ParseStrictJson(json, StrictJsonOptions{});

    ASSERT_THAT(document, IsOk());
    EXPECT_EQ(json, document->dump(-1, ' ', /*ensure_ascii=*/false,
                                   nlohmann::json::error_handler_t::replace));
    ASSERT_THAT(JudgmentFromJson(json), IsOk());
    EXPECT_EQ(*JudgmentFromJson(json), judgment);
  }
}

TEST(JudgmentJson, AbsentUserLimitRoundTripsAsAbsent) {
  Judgment judgment = FullJudgment();
  judgment.obligations.monthly_active_users_limit.reset();

  const std::string json = JudgmentToJson(judgment);

  EXPECT_THAT(json, Not(HasSubstr("monthly_active_users_limit")));
  ASSERT_THAT(JudgmentFromJson(json), IsOk());
  EXPECT_EQ(*JudgmentFromJson(json), judgment);
}

TEST(JudgmentJson, KnownAnswerForSmallJudgment) {
  Judgment judgment;
  judgment.rule_set_version = "v";
  judgment.declared_weights_license = "MIT";
  judgment.label = OpennessLabel::kOpenWeightPermissive;
  judgment.label_reasons = {{"r", "m"}};
  judgment.mof_reasons = {{"s", "n"}};

  EXPECT_EQ(JudgmentToJson(judgment),
            R"({"declared_weights_license":"MIT","flags":[],)"
            R"("label":"open_weight_permissive",)"
            R"("label_reasons":[{"message":"m","rule":"r"}],)"
            R"("mof_class":"none","mof_reasons":[{"message":"n","rule":"s"}],)"
            R"("mof_warnings":[],"obligations":{"attribution_texts":[],)"
            R"("commercial_use":true,"licenses":[],"name_prefixes":[],)"
            R"("use_restrictions":false},"rule_set_version":"v"})");
}

TEST(JudgmentJson, KnownAnswerForBindingLicenses) {
  Judgment judgment;
  judgment.obligations.licenses = {
      {"LicenseRef-Llama-2-Community", "meta-llama/Llama-2-7b@v1", "finetune",
       /*traced_to_licensor=*/true},
      {"LicenseRef-Llama-2-Community", "", ""}};

  const std::string json = JudgmentToJson(judgment);

  EXPECT_THAT(json,
              HasSubstr(R"("licenses":[{"from":"meta-llama/Llama-2-7b@v1",)"
                        R"("license_id":"LicenseRef-Llama-2-Community",)"
                        R"("traced_to_licensor":true,"via":"finetune"},)"
                        R"({"from":"","license_id":)"
                        R"("LicenseRef-Llama-2-Community",)"
                        R"("traced_to_licensor":false,"via":""}])"));
}

// A binding license as rules/2 stored it (no traced_to_licensor) is refused:
// such judgments are of another rule-set version and are re-judged.
TEST(JudgmentJson, BindingLicenseWithoutTracedToLicensorIsRefused) {
  std::string json = JudgmentToJson(FullJudgment());
  const std::string member = R"("traced_to_licensor":true,)";
  json.erase(json.find(member), member.size());

  EXPECT_THAT(
      JudgmentFromJson(json),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("judgment.obligations.licenses[0].traced_to_licensor: "
                         "missing")));
}

TEST(JudgmentJson, NonBooleanTracedToLicensorIsRefused) {
  std::string json = JudgmentToJson(FullJudgment());
  const std::string member = R"("traced_to_licensor":true)";
  json.replace(json.find(member), member.size(),
               R"("traced_to_licensor":"true")");

  EXPECT_THAT(
      JudgmentFromJson(json),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          HasSubstr("judgment.obligations.licenses[0].traced_to_licensor")));
}

TEST(JudgmentJson, BindingLicensesDifferingOnlyInTracedBitAreNotEqual) {
  const BindingLicense traced{"LicenseRef-Llama-2-Community", "a/b@1",
                              "finetune", true};
  const BindingLicense untraced{"LicenseRef-Llama-2-Community", "a/b@1",
                                "finetune", false};

  EXPECT_FALSE(traced == untraced);
}

TEST(JudgmentJson, UnknownMemberIsRefused) {
  std::string json = JudgmentToJson(FullJudgment());
  json.insert(1, R"("extra":1,)");

  EXPECT_THAT(JudgmentFromJson(json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("judgment.extra: unknown field")));
}

TEST(JudgmentJson, UnknownLabelIsRefusedWithPath) {
  Judgment judgment = FullJudgment();
  std::string json = JudgmentToJson(judgment);
  json.replace(json.find("open_weight_restricted"), 22, "open_washed");

  EXPECT_THAT(JudgmentFromJson(json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("judgment.label: unknown openness label")));
}

TEST(JudgmentJson, UnknownFlagKindIsRefusedWithPath) {
  std::string json = JudgmentToJson(FullJudgment());
  json.replace(json.find("naming_duty_unmet"), 17, "naming_duty_xxxxx");

  EXPECT_THAT(JudgmentFromJson(json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("judgment.flags[0].kind: unknown flag")));
}

TEST(JudgmentJson, WrongTypeIsRefused) {
  std::string json = JudgmentToJson(FullJudgment());
  json.replace(json.find("\"commercial_use\":false"), 22,
               "\"commercial_use\":0");

  EXPECT_THAT(JudgmentFromJson(json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("judgment.obligations.commercial_use")));
}

TEST(JudgmentJson, MissingMemberIsRefused) {
  std::string json = JudgmentToJson(FullJudgment());
  const size_t at = json.find("\"flags\":[");
  const size_t end = json.find(']', at);
  json.erase(at, end - at + 2);

  EXPECT_THAT(JudgmentFromJson(json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("judgment.flags: missing")));
}

TEST(JudgmentJson, NonJsonAndDuplicateKeysAreRefused) {
  EXPECT_THAT(JudgmentFromJson("{"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("judgment is not valid json")));
  std::string json = JudgmentToJson(FullJudgment());
  json.insert(1, R"("label":"closed",)");
  EXPECT_THAT(
      JudgmentFromJson(json),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicate key")));
}

}  // namespace
}  // namespace pedigree::core::judgment
