#include "core/judgment/obligations.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/judgment/judgment.h"
#include "core/license/license_expression.h"
#include "core/license/license_terms.h"
#include "core/record/record.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

// Sources of the realistic cases (version labels are illustrative):
// [R1] DeepSeek-R1 model card, section "License": "This code repository and
//      the model weights are licensed under the MIT License ... including,
//      but not limited to, distillation for training other LLMs";
//      "DeepSeek-R1-Distill-Qwen-1.5B, DeepSeek-R1-Distill-Qwen-7B ... are
//      derived from Qwen-2.5 series, which are originally licensed under
//      Apache 2.0 License, and now finetuned with 800k samples curated with
//      DeepSeek-R1"; "DeepSeek-R1-Distill-Llama-8B is derived from
//      Llama3.1-8B-Base and is originally licensed under llama3.1 license".
//      https://huggingface.co/deepseek-ai/DeepSeek-R1
//      The distills' own cards declare MIT ("license: mit"); the card of
//      DeepSeek-R1-Distill-Llama-8B itself was not read here, the MIT claim
//      is the brief's and matches
//      https://fitmygpu.com/models/deepseek-r1-distill-llama-8b
//      ("MIT + Llama license").
// [QWEN7B] DeepSeek-R1-Distill-Qwen-7B "is distilled from DeepSeek-R1 based
//      on Qwen2.5-Math-7B":
//      https://docs.api.nvidia.com/nim/reference/deepseek-ai-deepseek-r1-distill-qwen-7b
// [L31] Llama 3.1 Community License sec. 1.b.i: "If you use the Llama
//      Materials or any outputs or results of the Llama Materials to create,
//      train, fine tune, or otherwise improve an AI model, which is
//      distributed or made available, you shall also include "Llama" at the
//      beginning of any such AI model name."
//      https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE
// [L3]  Meta Llama 3 Community License sec. 1.b.i (name must begin with
//      "Llama 3") and 1.b.v ("You will not use the Llama Materials or any
//      output or results of the Llama Materials to improve any other large
//      language model (excluding Meta Llama 3 or derivative works thereof)").
//      https://github.com/meta-llama/llama3/blob/main/LICENSE
// [GGUF] bartowski/Meta-Llama-3.1-8B-Instruct-GGUF card: "base_model:
//      meta-llama/Meta-Llama-3.1-8B-Instruct", "license: llama3.1".
//      https://huggingface.co/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF
// [GEMMA] Gemma Terms of Use: Model Derivatives include models created by
//      transfer of patterns of the weights or Output of Gemma (sec. 1.1);
//      distribution must carry the sec. 3.2 use restrictions (sec. 3.1); no
//      naming duty. https://ai.google.dev/gemma/terms
//      google/gemma-2-9b-it is the instruction-tuned Gemma 2 9B under these
//      terms: https://huggingface.co/google/gemma-2-9b-it
// [BLOOM] bigscience/bloomz card: "license: bigscience-bloom-rail-1.0",
//      "datasets: bigscience/xP3" (BLOOM fine-tuned on xP3).
//      https://huggingface.co/bigscience/bloomz ; BLOOM's RAIL restrictions
//      govern the model and its derivatives:
//      https://huggingface.co/spaces/bigscience/license
// [CMDR] CohereForAI/c4ai-command-r-v01 card: "License: CC-BY-NC, requires
//      also adhering to C4AI's Acceptable Use Policy".
//      https://huggingface.co/CohereForAI/c4ai-command-r-v01
//      (the Acceptable Use Policy addendum is not modelled here).
// [L2]  Llama 2 Community License sec. 1.b.v: "You will not use the Llama
//      Materials or any output or results of the Llama Materials to improve
//      any other large language model (excluding Llama 2 or derivative works
//      thereof)". https://github.com/meta-llama/llama/blob/main/LICENSE ;
//      Meta publishes Llama 2 as meta-llama/Llama-2-7b ... Llama-2-70b:
//      https://huggingface.co/meta-llama/Llama-2-7b
// [TQ]  Tongyi Qianwen License sec. 5(b) (the same ban, excluding Tongyi
//      Qianwen or its derivatives); Qwen/Qwen-7B and Qwen/Qwen-72B:
//      https://huggingface.co/Qwen/Qwen-7B/blob/main/LICENSE
// [M3]  Meta's own Llama 3 repositories meta-llama/Meta-Llama-3-8B and its
//      fine-tune meta-llama/Meta-Llama-3-8B-Instruct ("license: llama3"):
//      https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct
// [SPDX] SPDX 2.3 Annex D.2 "Case sensitivity": license list ids "should be
//      matched in a case-insensitive manner".
//      https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/#d2-case-sensitivity
//      SPDX 3.0.1 annex "SPDX license expressions", "Case sensitivity", adds
//      that for user-defined ids "only the variable part (after LicenseRef-)
//      is case insensitive" (text from spdx/spdx-spec PR 984):
//      https://spdx.github.io/spdx-spec/v3.0.1/annexes/spdx-license-expressions/#case-sensitivity
//      Applying that to the catalog's LicenseRef- ids is Pedigree's choice
//      (docs/judgment.md, "License ids").
// Cases marked "constructed" are not real releases; they exercise one rule.

namespace pedigree::core::judgment {
namespace {

using record::LicenseRefDeclaration;
using record::LineageEdge;
using record::ModelLocator;
using record::ModelRef;
using record::Record;
using record::Relation;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr char kLlama31[] = "LicenseRef-Llama-3.1-Community";
constexpr char kLlama3[] = "LicenseRef-Llama-3-Community";
constexpr char kLlama2[] = "LicenseRef-Llama-2-Community";
constexpr char kGemma[] = "LicenseRef-Gemma-Terms-of-Use";
constexpr char kBloom[] = "LicenseRef-BigScience-BLOOM-RAIL-1.0";
constexpr char kQwen[] = "LicenseRef-Qwen-License";
constexpr char kTongyi[] = "LicenseRef-Tongyi-Qianwen-License";

// Declares every LicenseRef the record's license expressions use, as
// ValidateRecord demands.
void DeclareLicenseRefs(Record* record) {
  record->license_refs.clear();
  std::vector<std::string> ids;
  for (const std::string* text :
       {&record->licenses.weights, &record->licenses.code}) {
    absl::StatusOr<license::LicenseExpression> expression =
        license::ParseLicenseExpression(*text);
    if (!expression.ok()) continue;
    for (const std::string& id : license::LicenseRefIds(*expression)) {
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const std::string& id : ids) {
    const license::LicenseTerms* terms = license::FindLicenseTerms(id);
    LicenseRefDeclaration declaration;
    declaration.id = id;
    declaration.name = terms != nullptr ? terms->name : id;
    declaration.url = terms != nullptr ? terms->sources.front()
                                       : "https://example.com/license";
    record->license_refs.push_back(std::move(declaration));
  }
}

// A valid record of namespace/name@version declaring `weights` (code: MIT).
Record MakeRecord(const std::string& namespace_name, const std::string& name,
                  const std::string& weights) {
  Record record = record::MinimalRecordForTest();
  record.model.ref = ModelRef{namespace_name, name, "v1"};
  record.licenses.weights = weights;
  record.licenses.code = "MIT";
  DeclareLicenseRefs(&record);
  return record;
}

void AddParent(Record* record, const std::string& namespace_name,
               const std::string& name, Relation relation) {
  LineageEdge edge;
  edge.ref.kind = ModelLocator::Kind::kModelRef;
  edge.ref.model = ModelRef{namespace_name, name, "v1"};
  edge.relation = relation;
  record->lineage.push_back(std::move(edge));
}

// A parent's judgment as Judge would store it (license half only).
Judgment JudgmentOf(const Record& record,
                    const std::vector<ParentJudgment>& parents = {}) {
  ObligationsJudgment obligations = JudgeObligations(record, parents);
  Judgment judgment;
  judgment.rule_set_version = std::string(kRuleSetVersion);
  judgment.declared_weights_license = record.licenses.weights;
  judgment.obligations = std::move(obligations.obligations);
  judgment.flags = std::move(obligations.flags);
  return judgment;
}

// A judgment built directly: declared license and binding licenses.
Judgment DirectJudgment(const std::string& declared,
                        std::vector<BindingLicense> licenses) {
  Judgment judgment;
  judgment.rule_set_version = std::string(kRuleSetVersion);
  judgment.declared_weights_license = declared;
  judgment.obligations.licenses = std::move(licenses);
  return judgment;
}

// One ParentJudgment per lineage edge, in lineage order.
std::vector<ParentJudgment> ParentsOf(
    const Record& record, const std::vector<const Judgment*>& judgments) {
  std::vector<ParentJudgment> parents;
  for (size_t i = 0; i < record.lineage.size(); ++i) {
    parents.push_back(ParentJudgment{&record.lineage[i],
                                     record::ToString(record.lineage[i].ref),
                                     judgments[i]});
  }
  return parents;
}

std::vector<FlagKind> Kinds(const std::vector<Flag>& flags) {
  std::vector<FlagKind> kinds;
  for (const Flag& flag : flags) kinds.push_back(flag.kind);
  return kinds;
}

BindingLicense Own(const std::string& id) { return BindingLicense{id, "", ""}; }

// The record's own license, declared in one of its licensor namespaces.
BindingLicense OwnByLicensor(const std::string& id) {
  return BindingLicense{id, "", "", /*traced_to_licensor=*/true};
}

// An inherited license traced by weight flow to a licensor namespace.
BindingLicense Traced(const std::string& id, const std::string& from,
                      const std::string& via) {
  return BindingLicense{id, from, via, /*traced_to_licensor=*/true};
}

// meta-llama/Llama-3.1-8B under the Llama 3.1 Community License [L31].
Record Llama31Base() {
  return MakeRecord("meta-llama", "Llama-3.1-8B", kLlama31);
}

// ---------------------------------------------------------------------------
// The record's own declared license.

TEST(JudgeObligations, OwnLicenseBindsWithEmptyFromAndVia) {
  const Record record = MakeRecord("acme-ai", "Acme-7B", "Apache-2.0");

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("Apache-2.0")));
  EXPECT_TRUE(result.obligations.commercial_use);
  EXPECT_EQ(result.obligations.monthly_active_users_limit, std::nullopt);
  EXPECT_FALSE(result.obligations.use_restrictions);
  EXPECT_THAT(result.obligations.attribution_texts, IsEmpty());
  EXPECT_THAT(result.obligations.name_prefixes, IsEmpty());
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(JudgeObligations, OwnLlamaLicenseDerivesItsDuties) {
  const Record record = Llama31Base();

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(OwnByLicensor(kLlama31)));
  EXPECT_TRUE(result.obligations.commercial_use);
  EXPECT_THAT(result.obligations.monthly_active_users_limit,
              Optional(uint64_t{700000000}));
  EXPECT_TRUE(result.obligations.use_restrictions);
  EXPECT_THAT(result.obligations.attribution_texts,
              ElementsAre("Built with Llama"));
  EXPECT_THAT(result.obligations.name_prefixes, ElementsAre("Llama"));
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(JudgeObligations, AndExpressionBindsEveryOperand) {
  const Record record = MakeRecord("acme-ai", "Acme-8B",
                                   std::string("Apache-2.0 AND ") + kLlama31);

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(Own("Apache-2.0"), Own(kLlama31)));
}

TEST(JudgeObligations, OrExpressionBindsLeastDemandingAlternative) {
  const Record record =
      MakeRecord("acme-ai", "Acme-8B", std::string("MIT OR ") + kLlama31);

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("MIT")));
  EXPECT_FALSE(result.obligations.use_restrictions);
}

TEST(JudgeObligations, OrBetweenEquallyDemandingLicensesPicksSmallestId) {
  const Record mit_first =
      MakeRecord("acme-ai", "Acme-7B", "MIT OR Apache-2.0");
  const Record apache_first =
      MakeRecord("acme-ai", "Acme-7B", "Apache-2.0 OR MIT");

  const ObligationsJudgment a = JudgeObligations(mit_first, {});
  const ObligationsJudgment b = JudgeObligations(apache_first, {});

  EXPECT_THAT(a.obligations.licenses, ElementsAre(Own("Apache-2.0")));
  EXPECT_THAT(b.obligations.licenses, ElementsAre(Own("Apache-2.0")));
}

TEST(JudgeObligations, OrPrefersFewerLicensesWhenDutiesTie) {
  const Record record =
      MakeRecord("acme-ai", "Acme-7B", "(MIT AND Apache-2.0) OR BSD-3-Clause");

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("BSD-3-Clause")));
}

TEST(JudgeObligations, OrAvoidsNonCommercialAlternative) {
  const Record record =
      MakeRecord("acme-ai", "Acme-7B", "CC-BY-NC-4.0 OR GPL-3.0-only");

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("GPL-3.0-only")));
  EXPECT_TRUE(result.obligations.commercial_use);
}

TEST(JudgeObligations, OrTreatsUnknownLicenseAsMostDemanding) {
  const Record record =
      MakeRecord("acme-ai", "Acme-7B", "LicenseRef-acme-terms OR CC-BY-NC-4.0");

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("CC-BY-NC-4.0")));
  EXPECT_FALSE(result.obligations.commercial_use);
}

TEST(JudgeObligations, WithExceptionBindsTheLicenseItself) {
  const Record record = MakeRecord("acme-ai", "Acme-7B",
                                   "GPL-2.0-only WITH Classpath-exception-2.0");

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("GPL-2.0-only")));
}

// ---------------------------------------------------------------------------
// Inheritance along lineage.

TEST(JudgeObligations, FinetuneInheritsParentLicenseRelabelled) {
  const Record base = Llama31Base();
  const Judgment base_judgment = JudgmentOf(base);
  Record record = MakeRecord("acme-ai", "Llama-3.1-8B-Acme", kLlama31);
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base_judgment}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama31),
                  Traced(kLlama31, "meta-llama/Llama-3.1-8B@v1", "finetune")));
  EXPECT_THAT(result.flags, IsEmpty());
}

// [R1] DeepSeek-R1-Distill-Llama-8B: declared MIT, fine-tuned from
// Llama-3.1-8B on samples from DeepSeek-R1 (MIT, which allows distillation).
TEST(JudgeObligations, DeepSeekR1DistillLlama8bInheritsLlama31) {
  const Record llama = Llama31Base();
  const Judgment llama_judgment = JudgmentOf(llama);
  const Record r1 = MakeRecord("deepseek-ai", "DeepSeek-R1", "MIT");
  const Judgment r1_judgment = JudgmentOf(r1);
  Record record =
      MakeRecord("deepseek-ai", "DeepSeek-R1-Distill-Llama-8B", "MIT");
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);
  AddParent(&record, "deepseek-ai", "DeepSeek-R1", Relation::kDistillation);
  ASSERT_TRUE(record::ValidateRecord(record).ok());

  const ObligationsJudgment result = JudgeObligations(
      record, ParentsOf(record, {&llama_judgment, &r1_judgment}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Traced(kLlama31, "meta-llama/Llama-3.1-8B@v1", "finetune"),
                  Own("MIT")));
  EXPECT_TRUE(result.obligations.use_restrictions);
  EXPECT_THAT(result.obligations.monthly_active_users_limit,
              Optional(uint64_t{700000000}));
  EXPECT_THAT(result.obligations.name_prefixes, ElementsAre("Llama"));
  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited,
                          FlagKind::kNamingDutyUnmet));
  EXPECT_EQ(result.flags[0].ancestor, "meta-llama/Llama-3.1-8B@v1");
  EXPECT_EQ(result.flags[0].message,
            "declared weights license \"MIT\" does not carry "
            "LicenseRef-Llama-3.1-Community inherited from "
            "meta-llama/Llama-3.1-8B@v1 (finetune)");
  EXPECT_EQ(result.flags[1].ancestor, "meta-llama/Llama-3.1-8B@v1");
  EXPECT_EQ(result.flags[1].message,
            "model name \"DeepSeek-R1-Distill-Llama-8B\" does not begin with "
            "\"Llama\" as LicenseRef-Llama-3.1-Community inherited from "
            "meta-llama/Llama-3.1-8B@v1 (finetune) requires");
}

// [R1] [QWEN7B] DeepSeek-R1-Distill-Qwen-7B: MIT over an Apache-2.0 base is
// permissive-to-permissive relicensing, not a conflict.
TEST(JudgeObligations, DeepSeekR1DistillQwen7bHasNoConflict) {
  const Record qwen = MakeRecord("Qwen", "Qwen2.5-Math-7B", "Apache-2.0");
  const Judgment qwen_judgment = JudgmentOf(qwen);
  const Record r1 = MakeRecord("deepseek-ai", "DeepSeek-R1", "MIT");
  const Judgment r1_judgment = JudgmentOf(r1);
  Record record =
      MakeRecord("deepseek-ai", "DeepSeek-R1-Distill-Qwen-7B", "MIT");
  AddParent(&record, "Qwen", "Qwen2.5-Math-7B", Relation::kFinetune);
  AddParent(&record, "deepseek-ai", "DeepSeek-R1", Relation::kDistillation);

  const ObligationsJudgment result = JudgeObligations(
      record, ParentsOf(record, {&qwen_judgment, &r1_judgment}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(BindingLicense{"Apache-2.0",
                                         "Qwen/Qwen2.5-Math-7B@v1", "finetune"},
                          Own("MIT")));
  EXPECT_TRUE(result.obligations.commercial_use);
  EXPECT_FALSE(result.obligations.use_restrictions);
  EXPECT_THAT(result.flags, IsEmpty());
}

// Three levels: Llama-3.1-8B -> DeepSeek-R1-Distill-Llama-8B (MIT) -> a GGUF
// quantization declaring MIT (constructed). The grandparent's license
// arrives through the parent's judgment, still attributed to the grandparent.
TEST(JudgeObligations, ThreeLevelChainInheritsFromGrandparent) {
  const Record llama = Llama31Base();
  const Judgment llama_judgment = JudgmentOf(llama);
  Record distill =
      MakeRecord("deepseek-ai", "DeepSeek-R1-Distill-Llama-8B", "MIT");
  AddParent(&distill, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);
  const Judgment distill_judgment =
      JudgmentOf(distill, ParentsOf(distill, {&llama_judgment}));
  Record record =
      MakeRecord("acme-ai", "DeepSeek-R1-Distill-Llama-8B-GGUF", "MIT");
  AddParent(&record, "deepseek-ai", "DeepSeek-R1-Distill-Llama-8B",
            Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&distill_judgment}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(
          Traced(kLlama31, "meta-llama/Llama-3.1-8B@v1", "quantized"),
          Own("MIT"),
          BindingLicense{"MIT", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B@v1",
                         "quantized"}));
  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited,
                          FlagKind::kNamingDutyUnmet));
  EXPECT_EQ(result.flags[0].ancestor, "meta-llama/Llama-3.1-8B@v1");
}

TEST(JudgeObligations, NearestDeclarerShadowsFartherOne) {
  const Record llama = Llama31Base();
  const Judgment llama_judgment = JudgmentOf(llama);
  Record finetune = MakeRecord("acme-ai", "Llama-3.1-8B-Acme", kLlama31);
  AddParent(&finetune, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);
  const Judgment finetune_judgment =
      JudgmentOf(finetune, ParentsOf(finetune, {&llama_judgment}));
  Record record = MakeRecord("acme-ai", "Llama-3.1-8B-Acme-GGUF", kLlama31);
  AddParent(&record, "acme-ai", "Llama-3.1-8B-Acme", Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&finetune_judgment}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(Own(kLlama31),
                          Traced(kLlama31, "acme-ai/Llama-3.1-8B-Acme@v1",
                                 "quantized")));
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(JudgeObligations, MergeTakesUnionOfParents) {
  const Judgment llama = DirectJudgment(kLlama31, {Own(kLlama31)});
  const Judgment apache = DirectJudgment("Apache-2.0", {Own("Apache-2.0")});
  Record record = MakeRecord("acme-ai", "Llama-Merge-8B",
                             std::string("Apache-2.0 AND ") + kLlama31);
  AddParent(&record, "acme-ai", "Llama-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Open-B", Relation::kMerge);
  ASSERT_TRUE(record::ValidateRecord(record).ok());

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&llama, &apache}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own("Apache-2.0"),
                  BindingLicense{"Apache-2.0", "acme-ai/Open-B@v1", "merge"},
                  Own(kLlama31),
                  BindingLicense{kLlama31, "acme-ai/Llama-A@v1", "merge"}));
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(JudgeObligations, SameLicenseFromSameAncestorIsListedOnce) {
  const BindingLicense from_base{kLlama31, "meta-llama/Llama-3.1-8B@v1",
                                 "finetune"};
  const Judgment a = DirectJudgment("MIT", {Own("MIT"), from_base});
  const Judgment b = DirectJudgment("MIT", {Own("MIT"), from_base});
  Record record = MakeRecord("acme-ai", "Llama-Merge-8B", kLlama31);
  AddParent(&record, "acme-ai", "Tune-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Tune-B", Relation::kMerge);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&a, &b}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(Own(kLlama31),
                          BindingLicense{kLlama31, "meta-llama/Llama-3.1-8B@v1",
                                         "merge"},
                          BindingLicense{"MIT", "acme-ai/Tune-A@v1", "merge"},
                          BindingLicense{"MIT", "acme-ai/Tune-B@v1", "merge"}));
}

TEST(JudgeObligations, DuplicateArrivalPrefersWeightFlowEdge) {
  // Constructed: the teacher is a fine-tune of the weight parent, so Gemma's
  // terms from the same ancestor arrive through both edges [GEMMA].
  const Judgment base = DirectJudgment(kGemma, {Own(kGemma)});
  const Judgment teacher = DirectJudgment(
      "MIT",
      {Own("MIT"), BindingLicense{kGemma, "acme-ai/Base@v1", "finetune"}});
  Record record = MakeRecord("acme-ai", "Student", kGemma);
  AddParent(&record, "acme-ai", "Base", Relation::kFinetune);
  AddParent(&record, "acme-ai", "Teacher", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base, &teacher}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(Own(kGemma), BindingLicense{kGemma, "acme-ai/Base@v1",
                                                      "finetune"}));
}

TEST(JudgeObligations, ResultDoesNotDependOnParentOrder) {
  const Judgment llama = DirectJudgment(kLlama31, {Own(kLlama31)});
  const Judgment gpl = DirectJudgment("GPL-3.0-only", {Own("GPL-3.0-only")});
  Record record = MakeRecord("acme-ai", "Llama-Merge-8B",
                             std::string("GPL-3.0-only AND ") + kLlama31);
  AddParent(&record, "acme-ai", "Llama-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Gpl-B", Relation::kMerge);
  std::vector<ParentJudgment> parents = ParentsOf(record, {&llama, &gpl});
  std::vector<ParentJudgment> reversed(parents.rbegin(), parents.rend());

  const ObligationsJudgment a = JudgeObligations(record, parents);
  const ObligationsJudgment b = JudgeObligations(record, reversed);

  EXPECT_EQ(a.obligations, b.obligations);
  EXPECT_EQ(a.flags.size(), b.flags.size());
  for (size_t i = 0; i < a.flags.size() && i < b.flags.size(); ++i) {
    EXPECT_EQ(a.flags[i], b.flags[i]);
  }
}

TEST(JudgeObligations, ArchitectureReusePassesNothing) {
  const Judgment llama = JudgmentOf(Llama31Base());
  Record record = MakeRecord("acme-ai", "Acme-8B", "Apache-2.0");
  AddParent(&record, "meta-llama", "Llama-3.1-8B",
            Relation::kArchitectureReuse);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&llama}));

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("Apache-2.0")));
  EXPECT_THAT(result.flags, IsEmpty());
}

// [GEMMA] Gemma's Model Derivatives include models trained on its outputs.
TEST(JudgeObligations, TeacherWhoseLicenseReachesOutputsBindsStudent) {
  const Judgment gemma = DirectJudgment(kGemma, {Own(kGemma)});
  Record record = MakeRecord("acme-ai", "Acme-2B", kGemma);
  AddParent(&record, "google", "gemma-2-27b-it", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&gemma}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(Own(kGemma),
                          BindingLicense{kGemma, "google/gemma-2-27b-it@v1",
                                         "distillation"}));
  EXPECT_TRUE(result.obligations.use_restrictions);
}

// [R1] DeepSeek-R1's MIT license does not reach the distilled students.
TEST(JudgeObligations, TeacherWhoseLicenseStopsAtOutputsBindsNothing) {
  const Judgment r1 = DirectJudgment("MIT", {Own("MIT")});
  Record record = MakeRecord("acme-ai", "Acme-7B", "Apache-2.0");
  AddParent(&record, "deepseek-ai", "DeepSeek-R1", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&r1}));

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("Apache-2.0")));
  EXPECT_THAT(result.flags, IsEmpty());
}

// [BLOOM] bloomz: BLOOM fine-tuned on xP3 under the same RAIL license.
TEST(JudgeObligations, BloomDerivativeCarriesRailUseRestrictions) {
  const Judgment bloom = JudgmentOf(MakeRecord("bigscience", "bloom", kBloom));
  Record record = MakeRecord("bigscience", "bloomz", kBloom);
  AddParent(&record, "bigscience", "bloom", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&bloom}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(OwnByLicensor(kBloom),
                          Traced(kBloom, "bigscience/bloom@v1", "finetune")));
  EXPECT_TRUE(result.obligations.use_restrictions);
  EXPECT_TRUE(result.obligations.commercial_use);
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(JudgeObligations, BloomDerivativeDeclaredApacheKeepsRestrictions) {
  // Constructed: a BLOOM fine-tune relabelled Apache-2.0.
  const Judgment bloom = JudgmentOf(MakeRecord("bigscience", "bloom", kBloom));
  Record record = MakeRecord("acme-ai", "bloom-acme", "Apache-2.0");
  AddParent(&record, "bigscience", "bloom", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&bloom}));

  EXPECT_TRUE(result.obligations.use_restrictions);
  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited));
}

TEST(JudgeObligations, SmallestUserLimitAndDistinctAttributionsBind) {
  // Constructed merge of a Llama 3.1 and a Qwen-License (100M MAU) parent.
  const Judgment llama = DirectJudgment(kLlama31, {Own(kLlama31)});
  const Judgment qwen = DirectJudgment(kQwen, {Own(kQwen)});
  const Judgment llama_again = DirectJudgment(kLlama31, {Own(kLlama31)});
  Record record = MakeRecord("acme-ai", "Llama-Qwen-Merge",
                             std::string(kLlama31) + " AND " + kQwen);
  AddParent(&record, "acme-ai", "Llama-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Qwen-B", Relation::kMerge);
  AddParent(&record, "acme-ai", "Llama-C", Relation::kMerge);

  const ObligationsJudgment result = JudgeObligations(
      record, ParentsOf(record, {&llama, &qwen, &llama_again}));

  EXPECT_THAT(result.obligations.monthly_active_users_limit,
              Optional(uint64_t{100000000}));
  EXPECT_THAT(result.obligations.attribution_texts,
              ElementsAre("Built with Llama", "Built with Qwen"));
  EXPECT_THAT(result.obligations.name_prefixes, ElementsAre("Llama"));
  EXPECT_THAT(result.flags, IsEmpty());
}

// ---------------------------------------------------------------------------
// kDeclaredLicenseDiffersFromInherited

TEST(ObligationsDeclaredLicenseDiffers, NotFlaggedWhenDeclaredEqualsInherited) {
  // [GEMMA] google/gemma-2-9b-it, instruction-tuned from gemma-2-9b.
  const Judgment base = JudgmentOf(MakeRecord("google", "gemma-2-9b", kGemma));
  Record record = MakeRecord("google", "gemma-2-9b-it", kGemma);
  AddParent(&record, "google", "gemma-2-9b", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(OwnByLicensor(kGemma),
                          Traced(kGemma, "google/gemma-2-9b@v1", "finetune")));
  EXPECT_THAT(result.obligations.attribution_texts,
              ElementsAre("Gemma is provided under and subject to the Gemma "
                          "Terms of Use found at ai.google.dev/gemma/terms"));
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsDeclaredLicenseDiffers, FlaggedForGemmaFinetuneDeclaredApache) {
  // Constructed: a Gemma 2 fine-tune relabelled Apache-2.0 [GEMMA].
  const Judgment base = JudgmentOf(MakeRecord("google", "gemma-2-9b", kGemma));
  Record record = MakeRecord("acme-ai", "gemma-2-9b-acme", "Apache-2.0");
  AddParent(&record, "google", "gemma-2-9b", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited));
  EXPECT_EQ(result.flags[0].ancestor, "google/gemma-2-9b@v1");
}

TEST(ObligationsDeclaredLicenseDiffers,
     NotFlaggedWhenDeclaredConjunctionCarriesIt) {
  const Judgment base = JudgmentOf(Llama31Base());
  Record record = MakeRecord("acme-ai", "Llama-3.1-8B-Acme",
                             std::string("Apache-2.0 AND ") + kLlama31);
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsDeclaredLicenseDiffers, FlaggedWhenDisjunctionLetsUsersDropIt) {
  const Judgment base = JudgmentOf(Llama31Base());
  Record record = MakeRecord("acme-ai", "Llama-3.1-8B-Acme",
                             std::string("MIT OR ") + kLlama31);
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited));
}

TEST(ObligationsDeclaredLicenseDiffers,
     NotFlaggedForPermissiveOpenContentParent) {
  const Judgment base = DirectJudgment("CC-BY-4.0", {Own("CC-BY-4.0")});
  Record record = MakeRecord("acme-ai", "Acme-7B", "MIT");
  AddParent(&record, "acme-ai", "Base", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsDeclaredLicenseDiffers, FlaggedForCopyleftParent) {
  const Judgment base = DirectJudgment("GPL-3.0-only", {Own("GPL-3.0-only")});
  Record record = MakeRecord("acme-ai", "Acme-7B", "MIT");
  AddParent(&record, "acme-ai", "Base", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited));
}

TEST(ObligationsDeclaredLicenseDiffers, FlaggedForShareAlikeParent) {
  const Judgment base = DirectJudgment("CC-BY-SA-4.0", {Own("CC-BY-SA-4.0")});
  Record record = MakeRecord("acme-ai", "Acme-7B", "MIT");
  AddParent(&record, "acme-ai", "Base", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited));
}

// ---------------------------------------------------------------------------
// kNamingDutyUnmet

TEST(ObligationsNamingDuty, MetWhenNameBeginsWithPrefix) {
  const Judgment base = JudgmentOf(Llama31Base());
  Record record = MakeRecord("acme-ai", "Llama-3.1-8B-Acme", kLlama31);
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsNamingDuty, ComparedIgnoringCaseAndSeparators) {
  // Llama 3's prefix is "Llama 3" [L3]; Hub names have no spaces.
  const Judgment base =
      JudgmentOf(MakeRecord("meta-llama", "Meta-Llama-3-8B", kLlama3));
  Record record = MakeRecord("acme-ai", "llama-3-8b-acme", kLlama3);
  AddParent(&record, "meta-llama", "Meta-Llama-3-8B", Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsNamingDuty, UnmetWhenPrefixIsNotAtTheBeginning) {
  const Judgment base =
      JudgmentOf(MakeRecord("meta-llama", "Meta-Llama-3-8B", kLlama3));
  Record record = MakeRecord("acme-ai", "Acme-Llama-3-8B", kLlama3);
  AddParent(&record, "meta-llama", "Meta-Llama-3-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  ASSERT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kNamingDutyUnmet));
  EXPECT_THAT(result.flags[0].message, HasSubstr("\"Llama 3\""));
  EXPECT_EQ(result.flags[0].ancestor, "meta-llama/Meta-Llama-3-8B@v1");
}

TEST(ObligationsNamingDuty, NotCheckedForTheRecordsOwnLicense) {
  const Record record = MakeRecord("acme-ai", "Acme-8B", kLlama31);

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.name_prefixes, ElementsAre("Llama"));
  EXPECT_THAT(result.flags, IsEmpty());
}

// [L31] The 3.1 naming duty reaches models trained on outputs.
TEST(ObligationsNamingDuty, ReachesStudentOfLlama31Teacher) {
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-3.1-405B-Instruct", kLlama31));
  Record record = MakeRecord("acme-ai", "Acme-8B", kLlama31);
  AddParent(&record, "meta-llama", "Llama-3.1-405B-Instruct",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&teacher}));

  EXPECT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kNamingDutyUnmet));
}

// ---------------------------------------------------------------------------
// kNonCommercialAncestor

// [CMDR] A fine-tune of Command-R (CC-BY-NC) declared Apache-2.0
// (constructed).
TEST(ObligationsNonCommercialAncestor, FlaggedUnderCommercialDeclaredLicense) {
  const Judgment base = JudgmentOf(
      MakeRecord("CohereForAI", "c4ai-command-r-v01", "CC-BY-NC-4.0"));
  Record record = MakeRecord("acme-ai", "command-r-acme", "Apache-2.0");
  AddParent(&record, "CohereForAI", "c4ai-command-r-v01", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_FALSE(result.obligations.commercial_use);
  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited,
                          FlagKind::kNonCommercialAncestor));
  EXPECT_EQ(result.flags[1].message,
            "CC-BY-NC-4.0 inherited from CohereForAI/c4ai-command-r-v01@v1 "
            "(finetune) forbids commercial use but the declared weights "
            "license \"Apache-2.0\" allows it");
  EXPECT_EQ(result.flags[1].ancestor, "CohereForAI/c4ai-command-r-v01@v1");
}

TEST(ObligationsNonCommercialAncestor,
     NotFlaggedUnderNonCommercialDeclaredLicense) {
  const Judgment base = JudgmentOf(
      MakeRecord("CohereForAI", "c4ai-command-r-v01", "CC-BY-NC-4.0"));
  Record record = MakeRecord("acme-ai", "command-r-acme", "CC-BY-NC-4.0");
  AddParent(&record, "CohereForAI", "c4ai-command-r-v01", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_FALSE(result.obligations.commercial_use);
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsNonCommercialAncestor, NotFlaggedForCommercialAncestor) {
  const Judgment base = JudgmentOf(Llama31Base());
  Record record = MakeRecord("acme-ai", "Llama-3.1-8B-Acme", kLlama31);
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_TRUE(result.obligations.commercial_use);
  EXPECT_THAT(result.flags, IsEmpty());
}

// ---------------------------------------------------------------------------
// kDerivativeLicenseDiffersFromBase

// [GGUF] A GGUF quantization of Llama-3.1-8B-Instruct declaring Apache-2.0
// (constructed; bartowski's real one declares llama3.1).
TEST(ObligationsDerivativeLicenseDiffers,
     FlaggedForQuantizationRelicensedApache) {
  const Judgment base = JudgmentOf(
      MakeRecord("meta-llama", "Meta-Llama-3.1-8B-Instruct", kLlama31));
  Record record =
      MakeRecord("acme-ai", "Meta-Llama-3.1-8B-Instruct-GGUF", "Apache-2.0");
  AddParent(&record, "meta-llama", "Meta-Llama-3.1-8B-Instruct",
            Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited,
                          FlagKind::kNamingDutyUnmet,
                          FlagKind::kDerivativeLicenseDiffersFromBase));
  EXPECT_EQ(result.flags[2].message,
            "quantized derivative declares weights license \"Apache-2.0\" "
            "but its base meta-llama/Meta-Llama-3.1-8B-Instruct@v1 declares "
            "\"LicenseRef-Llama-3.1-Community\"");
  EXPECT_EQ(result.flags[2].ancestor,
            "meta-llama/Meta-Llama-3.1-8B-Instruct@v1");
}

// [GGUF] The real bartowski quantization keeps llama3.1, but its name does
// not begin with "Llama" [L31].
TEST(ObligationsDerivativeLicenseDiffers,
     NotFlaggedWhenQuantizationKeepsLicense) {
  const Judgment base = JudgmentOf(
      MakeRecord("meta-llama", "Meta-Llama-3.1-8B-Instruct", kLlama31));
  Record record =
      MakeRecord("bartowski", "Meta-Llama-3.1-8B-Instruct-GGUF", kLlama31);
  AddParent(&record, "meta-llama", "Meta-Llama-3.1-8B-Instruct",
            Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kNamingDutyUnmet));
}

TEST(ObligationsDerivativeLicenseDiffers,
     FlaggedEvenBetweenPermissiveLicenses) {
  const Judgment base = DirectJudgment("Apache-2.0", {Own("Apache-2.0")});
  Record record = MakeRecord("acme-ai", "Acme-7B-GGUF", "MIT");
  AddParent(&record, "acme-ai", "Acme-7B", Relation::kConversion);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDerivativeLicenseDiffersFromBase));
}

TEST(ObligationsDerivativeLicenseDiffers, OperandOrderIsNotADifference) {
  const Judgment base =
      DirectJudgment(std::string("Apache-2.0 AND ") + kLlama31,
                     {Own("Apache-2.0"), Own(kLlama31)});
  Record record = MakeRecord("acme-ai", "Llama-Acme-GGUF",
                             std::string(kLlama31) + " AND Apache-2.0");
  AddParent(&record, "acme-ai", "Llama-Acme", Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsDerivativeLicenseDiffers, NotCheckedForFinetunes) {
  const Judgment base = DirectJudgment("Apache-2.0", {Own("Apache-2.0")});
  Record record = MakeRecord("acme-ai", "Acme-7B-Tuned", "MIT");
  AddParent(&record, "acme-ai", "Acme-7B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.flags, IsEmpty());
}

// ---------------------------------------------------------------------------
// kIncompatibleMergeParents

TEST(ObligationsIncompatibleMergeParents,
     FlaggedForCopyleftWithRestrictedParent) {
  const Judgment gpl = DirectJudgment("GPL-3.0-only", {Own("GPL-3.0-only")});
  const Judgment llama = DirectJudgment(kLlama31, {Own(kLlama31)});
  Record record = MakeRecord("acme-ai", "Llama-Merge-8B",
                             std::string("GPL-3.0-only AND ") + kLlama31);
  AddParent(&record, "acme-ai", "Gpl-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Llama-B", Relation::kMerge);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&gpl, &llama}));

  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kIncompatibleMergeParents));
  EXPECT_EQ(result.flags[0].message,
            "merge parent acme-ai/Gpl-A@v1 is bound by GPL-3.0-only, which "
            "forbids further restrictions, but merge parent "
            "acme-ai/Llama-B@v1 is bound by LicenseRef-Llama-3.1-Community, "
            "which restricts use or commerce");
  EXPECT_EQ(result.flags[0].ancestor, "acme-ai/Gpl-A@v1");
}

TEST(ObligationsIncompatibleMergeParents,
     FlaggedForShareAlikeWithNonCommercialParent) {
  const Judgment sa = DirectJudgment("CC-BY-SA-4.0", {Own("CC-BY-SA-4.0")});
  const Judgment nc = DirectJudgment("CC-BY-NC-4.0", {Own("CC-BY-NC-4.0")});
  Record record =
      MakeRecord("acme-ai", "Merge-7B", "CC-BY-SA-4.0 AND CC-BY-NC-4.0");
  AddParent(&record, "acme-ai", "Sa-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Nc-B", Relation::kMerge);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&sa, &nc}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kIncompatibleMergeParents));
}

TEST(ObligationsIncompatibleMergeParents,
     NotFlaggedForCopyleftWithPermissiveParent) {
  const Judgment gpl = DirectJudgment("GPL-3.0-only", {Own("GPL-3.0-only")});
  const Judgment mit = DirectJudgment("MIT", {Own("MIT")});
  Record record = MakeRecord("acme-ai", "Merge-7B", "GPL-3.0-only");
  AddParent(&record, "acme-ai", "Gpl-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Mit-B", Relation::kMerge);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&gpl, &mit}));

  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsIncompatibleMergeParents,
     NotFlaggedForNonCommercialWithPermissive) {
  const Judgment nc = DirectJudgment("CC-BY-NC-4.0", {Own("CC-BY-NC-4.0")});
  const Judgment mit = DirectJudgment("MIT", {Own("MIT")});
  Record record = MakeRecord("acme-ai", "Merge-7B", "CC-BY-NC-4.0");
  AddParent(&record, "acme-ai", "Nc-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Mit-B", Relation::kMerge);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&nc, &mit}));

  EXPECT_THAT(result.flags, IsEmpty());
}

// Llama 3 demands names beginning with "Llama 3" [L3]; Gemma's terms have no
// naming duty [GEMMA], so one name meets both: not incompatible.
TEST(ObligationsIncompatibleMergeParents, NotFlaggedForLlama3WithGemma) {
  const Judgment llama =
      JudgmentOf(MakeRecord("meta-llama", "Meta-Llama-3-8B", kLlama3));
  const Judgment gemma = JudgmentOf(MakeRecord("google", "gemma-7b", kGemma));
  Record record = MakeRecord("acme-ai", "Llama-3-Gemma-Merge",
                             std::string(kGemma) + " AND " + kLlama3);
  AddParent(&record, "meta-llama", "Meta-Llama-3-8B", Relation::kMerge);
  AddParent(&record, "google", "gemma-7b", Relation::kMerge);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&llama, &gemma}));

  EXPECT_THAT(result.obligations.name_prefixes, ElementsAre("Llama 3"));
  EXPECT_THAT(result.flags, IsEmpty());
}

// "Llama 3" (Llama 3) and "Llama" (Llama 3.1): a name beginning with
// "Llama-3" meets both.
TEST(ObligationsIncompatibleMergeParents, NotFlaggedForNestedNamePrefixes) {
  const Judgment llama3 =
      JudgmentOf(MakeRecord("meta-llama", "Meta-Llama-3-8B", kLlama3));
  const Judgment llama31 = JudgmentOf(Llama31Base());
  Record record = MakeRecord("acme-ai", "Llama-3-Merge-8B",
                             std::string(kLlama3) + " AND " + kLlama31);
  AddParent(&record, "meta-llama", "Meta-Llama-3-8B", Relation::kMerge);
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kMerge);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&llama3, &llama31}));

  EXPECT_THAT(result.obligations.name_prefixes,
              ElementsAre("Llama", "Llama 3"));
  EXPECT_THAT(result.flags, IsEmpty());
}

// ---------------------------------------------------------------------------
// kTeacherForbidsDistillation

// [L3] sec. 1.b.v: no improving other LLMs with Llama 3 outputs.
TEST(ObligationsTeacherForbidsDistillation,
     FlaggedForLlama3TeacherOfOtherModel) {
  const Judgment teacher = JudgmentOf(
      MakeRecord("meta-llama", "Meta-Llama-3-70B-Instruct", kLlama3));
  Record record = MakeRecord("acme-ai", "Acme-7B", "Apache-2.0");
  AddParent(&record, "meta-llama", "Meta-Llama-3-70B-Instruct",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&teacher}));

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("Apache-2.0")));
  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
  EXPECT_EQ(result.flags[0].message,
            "distillation teacher meta-llama/Meta-Llama-3-70B-Instruct@v1 is "
            "bound by LicenseRef-Llama-3-Community, which forbids using its "
            "outputs to improve other models");
  EXPECT_EQ(result.flags[0].ancestor,
            "meta-llama/Meta-Llama-3-70B-Instruct@v1");
}

TEST(ObligationsTeacherForbidsDistillation, FlaggedForInheritedLlama2Ban) {
  // The teacher is a Llama 2 fine-tune relabelled MIT (constructed).
  const Judgment teacher = DirectJudgment(
      "MIT", {Own("MIT"),
              BindingLicense{kLlama2, "meta-llama/Llama-2-7b@v1", "finetune"}});
  Record record = MakeRecord("acme-ai", "Acme-7B", "Apache-2.0");
  AddParent(&record, "acme-ai", "Llama-2-7b-tuned", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&teacher}));

  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
  EXPECT_THAT(result.flags[0].message,
              HasSubstr("(inherited from meta-llama/Llama-2-7b@v1)"));
}

// [L3] The ban excludes "Meta Llama 3 or derivative works thereof".
TEST(ObligationsTeacherForbidsDistillation,
     NotFlaggedWhenStudentIsADerivative) {
  const Judgment base =
      JudgmentOf(MakeRecord("meta-llama", "Meta-Llama-3-8B", kLlama3));
  const Judgment teacher = JudgmentOf(
      MakeRecord("meta-llama", "Meta-Llama-3-70B-Instruct", kLlama3));
  Record record = MakeRecord("acme-ai", "Llama-3-8B-Acme", kLlama3);
  AddParent(&record, "meta-llama", "Meta-Llama-3-8B", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Meta-Llama-3-70B-Instruct",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base, &teacher}));

  EXPECT_THAT(result.flags, IsEmpty());
}

// [L31] Llama 3.1 dropped the ban.
TEST(ObligationsTeacherForbidsDistillation, NotFlaggedForLlama31Teacher) {
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-3.1-405B-Instruct", kLlama31));
  Record record = MakeRecord("acme-ai", "Llama-Acme-8B", kLlama31);
  AddParent(&record, "meta-llama", "Llama-3.1-405B-Instruct",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&teacher}));

  EXPECT_THAT(result.flags, IsEmpty());
}

// ---------------------------------------------------------------------------
// kUnknownLicense

TEST(ObligationsUnknownLicense, FlaggedForUncataloguedDeclaredLicenseRef) {
  const Record record = MakeRecord("acme-ai", "Acme-7B",
                                   "Apache-2.0 AND LicenseRef-acme-use-policy");
  ASSERT_TRUE(record::ValidateRecord(record).ok());

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own("Apache-2.0"), Own("LicenseRef-acme-use-policy")));
  ASSERT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kUnknownLicense));
  EXPECT_EQ(result.flags[0].message,
            "LicenseRef-acme-use-policy in the declared weights license is "
            "not in the license catalog, so its duties cannot be judged");
  EXPECT_EQ(result.flags[0].ancestor, "");
}

TEST(ObligationsUnknownLicense, FlaggedForUncataloguedCodeLicense) {
  Record record = MakeRecord("acme-ai", "Acme-7B", "Apache-2.0");
  record.licenses.code = "LicenseRef-acme-code";
  DeclareLicenseRefs(&record);

  const ObligationsJudgment result = JudgeObligations(record, {});

  ASSERT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kUnknownLicense));
  EXPECT_THAT(result.flags[0].message,
              HasSubstr("in the declared code license"));
}

TEST(ObligationsUnknownLicense, FlaggedForUncataloguedInheritedLicense) {
  const Judgment base =
      DirectJudgment("LicenseRef-acme-model", {Own("LicenseRef-acme-model")});
  Record record =
      MakeRecord("acme-ai", "Acme-7B-Tuned", "LicenseRef-acme-model");
  AddParent(&record, "acme-ai", "Acme-7B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  ASSERT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kUnknownLicense,
                                               FlagKind::kUnknownLicense));
  EXPECT_EQ(result.flags[0].ancestor, "");
  EXPECT_EQ(result.flags[1].ancestor, "acme-ai/Acme-7B@v1");
  EXPECT_EQ(result.flags[1].message,
            "LicenseRef-acme-model inherited from acme-ai/Acme-7B@v1 "
            "(finetune) is not in the license catalog, so its duties cannot "
            "be judged");
}

TEST(ObligationsUnknownLicense, FlaggedForUncataloguedTeacherLicense) {
  const Judgment teacher =
      DirectJudgment("LicenseRef-acme-model", {Own("LicenseRef-acme-model")});
  Record record = MakeRecord("acme-ai", "Student-7B", "MIT");
  AddParent(&record, "acme-ai", "Teacher-70B", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&teacher}));

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("MIT")));
  ASSERT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kUnknownLicense));
  EXPECT_EQ(result.flags[0].ancestor, "acme-ai/Teacher-70B@v1");
}

TEST(ObligationsUnknownLicense, NotFlaggedForCataloguedLicenses) {
  const Record record =
      MakeRecord("acme-ai", "Acme-7B", std::string("Apache-2.0 AND ") + kGemma);

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsUnknownLicense, FlaggedWhenDeclaredLicenseCannotBeParsed) {
  Record record = MakeRecord("acme-ai", "Acme-7B", "MIT");
  record.licenses.weights = "MIT and Apache-2.0";

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, IsEmpty());
  ASSERT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kUnknownLicense));
  EXPECT_THAT(result.flags[0].message,
              HasSubstr("declared weights license \"MIT and Apache-2.0\" "
                        "cannot be parsed"));
}

// ---------------------------------------------------------------------------
// kTeacherForbidsDistillation: only weight-flow descent exempts (rules/3).

// A distillation student; `base_license` empty for none, else the student is
// a fine-tune of base_namespace/Base (no parents) under that license.
struct TeacherBanCase {
  std::string name;
  std::string student_namespace;
  std::string student_license;
  std::string base_namespace;
  std::string base_license;
  std::string teacher_license;
  bool flagged;
};

void PrintTo(const TeacherBanCase& c, std::ostream* os) { *os << c.name; }

class TeacherBanTest : public ::testing::TestWithParam<TeacherBanCase> {};

TEST_P(TeacherBanTest, FlagsUnlessWeightsDescendOrStudentIsTheLicensor) {
  const TeacherBanCase& c = GetParam();
  const Judgment teacher =
      JudgmentOf(MakeRecord("lab", "Teacher-70B", c.teacher_license));
  const Judgment base =
      JudgmentOf(MakeRecord(c.base_namespace, "Base", c.base_license));
  Record record = MakeRecord(c.student_namespace, "Student", c.student_license);
  std::vector<const Judgment*> judgments;
  if (!c.base_license.empty()) {
    AddParent(&record, c.base_namespace, "Base", Relation::kFinetune);
    judgments.push_back(&base);
  }
  AddParent(&record, "lab", "Teacher-70B", Relation::kDistillation);
  judgments.push_back(&teacher);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, judgments));

  const std::vector<FlagKind> kinds = Kinds(result.flags);
  const bool flagged =
      std::find(kinds.begin(), kinds.end(),
                FlagKind::kTeacherForbidsDistillation) != kinds.end();
  EXPECT_EQ(flagged, c.flagged);
}

INSTANTIATE_TEST_SUITE_P(
    Rules3, TeacherBanTest,
    ::testing::Values(
        // [L2] Constructed: a Qwen2.5 (Apache-2.0) fine-tune distilled from
        // Llama 2 70B that declares the Llama 2 license itself.
        TeacherBanCase{"QwenBasedStudentDeclaringLlama2", "acme-ai", kLlama2,
                       "Qwen", "Apache-2.0", kLlama2, true},
        // Declaring the teacher's license without any weight-flow parent.
        TeacherBanCase{"FromScratchStudentDeclaringLlama2", "acme-ai", kLlama2,
                       "", "", kLlama2, true},
        TeacherBanCase{"FromScratchStudentDeclaringLlama3", "acme-ai", kLlama3,
                       "", "", kLlama3, true},
        // Declared in another letter case: still a declaration only.
        TeacherBanCase{"StudentDeclaringLowerCaseLlama2", "acme-ai",
                       "LicenseRef-llama-2-community", "Qwen", "Apache-2.0",
                       kLlama2, true},
        // [L2] A fine-tune of Meta's Llama 2 distilled from Llama-2-70B: a
        // derivative. (Until rules/3 was reviewed the base was lab/Base,
        // which only declared Llama 2; that base is now the shim below.)
        TeacherBanCase{"Llama2FinetuneOfLlama2Teacher", "acme-ai", kLlama2,
                       "meta-llama", kLlama2, kLlama2, false},
        // Licensor namespaces match ignoring case.
        TeacherBanCase{"Llama2FinetuneOfMixedCaseLicensorBase", "acme-ai",
                       kLlama2, "Meta-Llama", kLlama2, kLlama2, false},
        // A base that only declares Llama 2 (no lineage, not published by
        // Meta) is a shim, not Llama 2: its fine-tunes are not derivatives.
        TeacherBanCase{"Llama2FinetuneOfShimBase", "acme-ai", kLlama2, "lab",
                       kLlama2, kLlama2, true},
        // Another licensor's namespace does not trace Llama 2.
        TeacherBanCase{"Llama2BaseInQwenNamespace", "acme-ai", kLlama2, "Qwen",
                       kLlama2, kLlama2, true},
        // Weight-flow descent exempts even when the student relicenses...
        TeacherBanCase{"Llama2FinetuneRelicensedMit", "acme-ai", "MIT",
                       "meta-llama", kLlama2, kLlama2, false},
        // ... but not descent from a shim.
        TeacherBanCase{"ShimFinetuneRelicensedMit", "acme-ai", "MIT", "lab",
                       kLlama2, kLlama2, true},
        // A Llama 2 derivative is not a Llama 3 derivative.
        TeacherBanCase{"Llama2FinetuneOfLlama3Teacher", "acme-ai", kLlama2,
                       "meta-llama", kLlama2, kLlama3, true},
        // [TQ] Qwen-7B fine-tune distilled from Qwen-72B: a derivative.
        TeacherBanCase{"TongyiFinetuneOfTongyiTeacher", "acme-ai", kTongyi,
                       "Qwen", kTongyi, kTongyi, false},
        TeacherBanCase{"TongyiShimFinetuneOfTongyiTeacher", "acme-ai", kTongyi,
                       "lab", kTongyi, kTongyi, true},
        TeacherBanCase{"Llama31StudentDeclaringTongyi", "acme-ai", kTongyi,
                       "meta-llama", kLlama31, kTongyi, true},
        // The ban binds licensees, not the licensor's own records.
        TeacherBanCase{"LicensorMetaDistillsLlama3", "meta-llama", kLlama3, "",
                       "", kLlama3, false},
        TeacherBanCase{"LicensorQwenDistillsTongyi", "Qwen", kTongyi, "", "",
                       kTongyi, false},
        // Another licensor's namespace does not exempt.
        TeacherBanCase{"QwenNamespaceDistillsLlama3", "Qwen", kLlama3, "", "",
                       kLlama3, true},
        TeacherBanCase{"SomeoneDistillsLlama3", "someone", kLlama3, "", "",
                       kLlama3, true},
        // No ban: Llama 3.1 [L31] and Gemma [GEMMA] reach students instead.
        TeacherBanCase{"Llama31TeacherHasNoBan", "acme-ai", kLlama31, "", "",
                       kLlama31, false},
        TeacherBanCase{"GemmaTeacherHasNoBan", "acme-ai", "Apache-2.0", "", "",
                       kGemma, false}),
    [](const ::testing::TestParamInfo<TeacherBanCase>& info) {
      return info.param.name;
    });

// [L2] The reported case: flagged, naming the teacher and the license.
TEST(ObligationsTeacherForbidsDistillation,
     FlaggedForQwenStudentDeclaringLlama2WithMessage) {
  const Judgment qwen =
      JudgmentOf(MakeRecord("Qwen", "Qwen2.5-7B", "Apache-2.0"));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b-chat-hf", kLlama2));
  Record record = MakeRecord("acme-ai", "Qwen2.5-7B-Distilled", kLlama2);
  AddParent(&record, "Qwen", "Qwen2.5-7B", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b-chat-hf",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&qwen, &teacher}));

  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
  EXPECT_EQ(result.flags[0].message,
            "distillation teacher meta-llama/Llama-2-70b-chat-hf@v1 is bound "
            "by LicenseRef-Llama-2-Community, which forbids using its outputs "
            "to improve other models");
  EXPECT_EQ(result.flags[0].ancestor, "meta-llama/Llama-2-70b-chat-hf@v1");
}

// [L2] A Llama 2 fine-tune distilled from Llama-2-70B: no flag at all.
TEST(ObligationsTeacherForbidsDistillation,
     NotFlaggedForLlama2FinetuneDistilledFromLlama2) {
  const Judgment base =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-7b-hf", kLlama2));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b-chat-hf", kLlama2));
  Record record = MakeRecord("acme-ai", "Llama-2-7b-acme", kLlama2);
  AddParent(&record, "meta-llama", "Llama-2-7b-hf", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b-chat-hf",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base, &teacher}));

  EXPECT_THAT(result.flags, IsEmpty());
}

// Weight-flow descent from a grandparent counts (the parent relicensed MIT;
// its judgment still carries Llama 2).
TEST(ObligationsTeacherForbidsDistillation,
     NotFlaggedWhenDescentIsThroughAGrandparent) {
  const Judgment parent = DirectJudgment(
      "MIT",
      {Own("MIT"), Traced(kLlama2, "meta-llama/Llama-2-7b-hf@v1", "finetune")});
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b-chat-hf", kLlama2));
  Record record = MakeRecord("acme-ai", "Acme-7B-v2", "MIT");
  AddParent(&record, "acme-ai", "Acme-7B", Relation::kAdapter);
  AddParent(&record, "meta-llama", "Llama-2-70b-chat-hf",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&parent, &teacher}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited));
}

// Architecture reuse passes no weights, so it does not exempt either.
TEST(ObligationsTeacherForbidsDistillation,
     FlaggedWhenLlama2ParentIsOnlyArchitectureReuse) {
  const Judgment architecture =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-7b-hf", kLlama2));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b-chat-hf", kLlama2));
  Record record = MakeRecord("acme-ai", "Acme-7B", kLlama2);
  AddParent(&record, "meta-llama", "Llama-2-7b-hf",
            Relation::kArchitectureReuse);
  AddParent(&record, "meta-llama", "Llama-2-70b-chat-hf",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&architecture, &teacher}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
}

// ---------------------------------------------------------------------------
// kTeacherForbidsDistillation: weight flow must trace to the licensor
// (traced_to_licensor, rules/3 after review).

// The reported shim: acme-ai/Shim has no parents and only declares Llama 2;
// a fine-tune of it distilled from Llama-2-70B is not a Llama 2 derivative.
TEST(ObligationsTracedToLicensor, ShimDeclaringLlama2DoesNotExemptItsFinetune) {
  const Judgment shim = JudgmentOf(MakeRecord("acme-ai", "Shim", kLlama2));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b-hf", kLlama2));
  Record record = MakeRecord("acme-ai", "Student", kLlama2);
  AddParent(&record, "acme-ai", "Shim", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b-hf", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&shim, &teacher}));

  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
  EXPECT_EQ(result.flags[0].message,
            "distillation teacher meta-llama/Llama-2-70b-hf@v1 is bound by "
            "LicenseRef-Llama-2-Community, which forbids using its outputs to "
            "improve other models; the student's weights inherit it from "
            "acme-ai/Shim@v1, not traced by weight flow to a record in a "
            "licensor namespace of it");
  EXPECT_EQ(result.flags[0].ancestor, "meta-llama/Llama-2-70b-hf@v1");
  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama2), BindingLicense{kLlama2, "acme-ai/Shim@v1",
                                               "finetune", false}));
}

// A declaration outside the licensor's namespaces carries no bit.
TEST(ObligationsTracedToLicensor,
     OwnLicenseOutsideLicensorNamespaceIsNotTraced) {
  const Record shim = MakeRecord("acme-ai", "Shim", kLlama2);

  const ObligationsJudgment result = JudgeObligations(shim, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own(kLlama2)));
}

// [L2] meta-llama/Llama-2-7b declares Llama 2 in Meta's namespace: its
// fine-tune distilled from Llama-2-70b is a derivative.
TEST(ObligationsTracedToLicensor, FinetuneOfMetasLlama2IsNotFlagged) {
  const Judgment base =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-7b", kLlama2));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b", kLlama2));
  Record record = MakeRecord("acme-ai", "Llama-2-7b-acme", kLlama2);
  AddParent(&record, "meta-llama", "Llama-2-7b", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base, &teacher}));

  EXPECT_THAT(result.flags, IsEmpty());
  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama2),
                  Traced(kLlama2, "meta-llama/Llama-2-7b@v1", "finetune")));
}

// A fine-tune of a fine-tune of Meta's model; the middle record declares
// `middle_license` (Llama 2 resets `from` to it; MIT lets the grandparent's
// entry pass through unchanged). Either way the bit survives.
class FinetuneOfFinetuneTest : public ::testing::TestWithParam<const char*> {};

TEST_P(FinetuneOfFinetuneTest, IsNotFlaggedWhateverTheMiddleDeclares) {
  const Judgment meta =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-7b", kLlama2));
  Record middle = MakeRecord("acme-ai", "Llama-2-7b-chat-acme", GetParam());
  AddParent(&middle, "meta-llama", "Llama-2-7b", Relation::kFinetune);
  const Judgment middle_judgment =
      JudgmentOf(middle, ParentsOf(middle, {&meta}));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b", kLlama2));
  Record record = MakeRecord("other-lab", "Llama-2-7b-chat-tuned", kLlama2);
  AddParent(&record, "acme-ai", "Llama-2-7b-chat-acme", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&middle_judgment, &teacher}));

  const std::vector<FlagKind> kinds = Kinds(result.flags);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(),
                       FlagKind::kTeacherForbidsDistillation),
            0);
}

INSTANTIATE_TEST_SUITE_P(MiddleDeclares, FinetuneOfFinetuneTest,
                         ::testing::Values(kLlama2, "MIT"));

// InheritFrom resets `from` to a parent that declares the license itself;
// the parent's own entry then stands for its traced inherited entry.
TEST(ObligationsTracedToLicensor, ResettingFromToNearestDeclarerKeepsTheBit) {
  const Judgment meta =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-7b", kLlama2));
  Record middle = MakeRecord("acme-ai", "Llama-2-7b-acme", kLlama2);
  AddParent(&middle, "meta-llama", "Llama-2-7b", Relation::kFinetune);
  const Judgment middle_judgment =
      JudgmentOf(middle, ParentsOf(middle, {&meta}));
  Record record = MakeRecord("other-lab", "Llama-2-7b-acme-GGUF", kLlama2);
  AddParent(&record, "acme-ai", "Llama-2-7b-acme", Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&middle_judgment}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama2),
                  Traced(kLlama2, "acme-ai/Llama-2-7b-acme@v1", "quantized")));
}

// The same, with the parent's traced entry stored in another letter case.
TEST(ObligationsTracedToLicensor, ResettingFromMatchesTracedEntryIgnoringCase) {
  const Judgment middle = DirectJudgment(
      kLlama2, {Own(kLlama2), Traced("LicenseRef-llama-2-community",
                                     "meta-llama/Llama-2-7b@v1", "finetune")});
  Record record = MakeRecord("other-lab", "Llama-2-7b-acme-GGUF", kLlama2);
  AddParent(&record, "acme-ai", "Llama-2-7b-acme", Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&middle}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama2),
                  Traced(kLlama2, "acme-ai/Llama-2-7b-acme@v1", "quantized")));
}

// A parent that declares the license and whose own ancestry under it is a
// shim passes no bit on.
TEST(ObligationsTracedToLicensor, ResettingFromToDeclarerOfShimHasNoBit) {
  const Judgment shim = JudgmentOf(MakeRecord("acme-ai", "Shim", kLlama2));
  Record middle = MakeRecord("acme-ai", "Shim-tuned", kLlama2);
  AddParent(&middle, "acme-ai", "Shim", Relation::kFinetune);
  const Judgment middle_judgment =
      JudgmentOf(middle, ParentsOf(middle, {&shim}));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b", kLlama2));
  Record record = MakeRecord("acme-ai", "Student", kLlama2);
  AddParent(&record, "acme-ai", "Shim-tuned", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&middle_judgment, &teacher}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama2), BindingLicense{kLlama2, "acme-ai/Shim-tuned@v1",
                                               "finetune", false}));
}

// A stored grandparent entry without the bit does not exempt (the
// counterpart of NotFlaggedWhenDescentIsThroughAGrandparent).
TEST(ObligationsTracedToLicensor, UntracedGrandparentEntryDoesNotExempt) {
  const Judgment parent = DirectJudgment(
      "MIT", {Own("MIT"),
              BindingLicense{kLlama2, "acme-ai/Shim@v1", "finetune", false}});
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b-chat-hf", kLlama2));
  Record record = MakeRecord("acme-ai", "Acme-7B-v2", "MIT");
  AddParent(&record, "acme-ai", "Acme-7B", Relation::kAdapter);
  AddParent(&record, "meta-llama", "Llama-2-70b-chat-hf",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&parent, &teacher}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited,
                          FlagKind::kTeacherForbidsDistillation));
}

// [L2] A re-upload of Llama 2 outside meta-llama (TheBloke/Llama-2-7B-fp16
// publishes the weights with no lineage) is not traced: its fine-tunes
// distilled from Llama 2 are flagged. A deliberate, conservative false
// positive; the re-upload should declare its lineage (e.g. conversion of
// meta-llama/Llama-2-7b-hf).
TEST(ObligationsTracedToLicensor, ReuploadWithoutLineageIsNotTraced) {
  const Judgment reupload =
      JudgmentOf(MakeRecord("TheBloke", "Llama-2-7B-fp16", kLlama2));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b-hf", kLlama2));
  Record record = MakeRecord("acme-ai", "Llama-2-7B-acme", kLlama2);
  AddParent(&record, "TheBloke", "Llama-2-7B-fp16", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b-hf", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&reupload, &teacher}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
}

// The same re-upload declaring its lineage is traced.
TEST(ObligationsTracedToLicensor, ReuploadDeclaringConversionIsTraced) {
  const Judgment meta =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-7b-hf", kLlama2));
  Record reupload = MakeRecord("TheBloke", "Llama-2-7B-fp16", kLlama2);
  AddParent(&reupload, "meta-llama", "Llama-2-7b-hf", Relation::kConversion);
  const Judgment reupload_judgment =
      JudgmentOf(reupload, ParentsOf(reupload, {&meta}));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b-hf", kLlama2));
  Record record = MakeRecord("acme-ai", "Llama-2-7B-acme", kLlama2);
  AddParent(&record, "TheBloke", "Llama-2-7B-fp16", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b-hf", Relation::kDistillation);

  const ObligationsJudgment result = JudgeObligations(
      record, ParentsOf(record, {&reupload_judgment, &teacher}));

  EXPECT_THAT(result.flags, IsEmpty());
}

// A merge keeps the bit if any path has it: a merge of a shim and a real
// Llama 2 fine-tune descends from Llama 2.
TEST(ObligationsTracedToLicensor, MergeWithOneTracedParentIsNotFlagged) {
  const Judgment shim = JudgmentOf(MakeRecord("acme-ai", "Shim", kLlama2));
  const Judgment meta =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-7b", kLlama2));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b", kLlama2));
  Record record = MakeRecord("acme-ai", "Llama-2-merge", kLlama2);
  AddParent(&record, "acme-ai", "Shim", Relation::kMerge);
  AddParent(&record, "meta-llama", "Llama-2-7b", Relation::kMerge);
  AddParent(&record, "meta-llama", "Llama-2-70b", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&shim, &meta, &teacher}));

  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsTracedToLicensor, MergeOfTwoShimsIsFlagged) {
  const Judgment shim_a = JudgmentOf(MakeRecord("acme-ai", "Shim-A", kLlama2));
  const Judgment shim_b = JudgmentOf(MakeRecord("acme-ai", "Shim-B", kLlama2));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b", kLlama2));
  Record record = MakeRecord("acme-ai", "Llama-2-merge", kLlama2);
  AddParent(&record, "acme-ai", "Shim-A", Relation::kMerge);
  AddParent(&record, "acme-ai", "Shim-B", Relation::kMerge);
  AddParent(&record, "meta-llama", "Llama-2-70b", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&shim_a, &shim_b, &teacher}));

  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
  EXPECT_THAT(result.flags[0].message,
              HasSubstr("inherit it from acme-ai/Shim-A@v1, "
                        "acme-ai/Shim-B@v1, not traced"));
}

// Two arrivals of one license from one ancestor collapse into one entry,
// traced if either is, whatever the parents' order.
TEST(ObligationsTracedToLicensor, CollapsedEntriesKeepTheBitIfAnyHasIt) {
  const Judgment traced = DirectJudgment(
      "MIT",
      {Own("MIT"), Traced(kLlama2, "meta-llama/Llama-2-7b@v1", "merge")});
  const Judgment untraced = DirectJudgment(
      "MIT", {Own("MIT"), BindingLicense{kLlama2, "meta-llama/Llama-2-7b@v1",
                                         "merge", false}});
  Record forward = MakeRecord("acme-ai", "Merge", "MIT");
  AddParent(&forward, "acme-ai", "A", Relation::kMerge);
  AddParent(&forward, "acme-ai", "B", Relation::kMerge);
  Record backward = forward;

  const ObligationsJudgment a =
      JudgeObligations(forward, ParentsOf(forward, {&traced, &untraced}));
  const ObligationsJudgment b =
      JudgeObligations(backward, ParentsOf(backward, {&untraced, &traced}));

  const BindingLicense expected =
      Traced(kLlama2, "meta-llama/Llama-2-7b@v1", "merge");
  EXPECT_THAT(a.obligations.licenses, Contains(expected));
  EXPECT_THAT(b.obligations.licenses, Contains(expected));
}

// No weights flow from a teacher: a license reaching a student through a
// distillation edge is never traced, even from the licensor's own model.
TEST(ObligationsTracedToLicensor, DistillationEdgeNeverTraces) {
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-3.1-405B", kLlama31));
  Record record = MakeRecord("acme-ai", "Llama-Student", kLlama31);
  AddParent(&record, "meta-llama", "Llama-3.1-405B", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&teacher}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama31),
                  BindingLicense{kLlama31, "meta-llama/Llama-3.1-405B@v1",
                                 "distillation", false}));
}

// The bit is stored: a middle judgment that went through the JSON codec
// still exempts its child.
TEST(ObligationsTracedToLicensor, BitSurvivesTheStoredJudgment) {
  const Judgment meta =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-7b", kLlama2));
  Record middle = MakeRecord("acme-ai", "Llama-2-7b-acme", "MIT");
  AddParent(&middle, "meta-llama", "Llama-2-7b", Relation::kFinetune);
  ASSERT_OK_AND_ASSIGN(const Judgment stored,
                       JudgmentFromJson(JudgmentToJson(
                           JudgmentOf(middle, ParentsOf(middle, {&meta})))));
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-2-70b", kLlama2));
  Record record = MakeRecord("other-lab", "Llama-2-7b-acme-tuned", kLlama2);
  AddParent(&record, "acme-ai", "Llama-2-7b-acme", Relation::kFinetune);
  AddParent(&record, "meta-llama", "Llama-2-70b", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&stored, &teacher}));

  const std::vector<FlagKind> kinds = Kinds(result.flags);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(),
                       FlagKind::kTeacherForbidsDistillation),
            0);
}

// ---------------------------------------------------------------------------
// Unknown license ids are de-duplicated ignoring case (rules/3 after review).

// The declared weights license and the final_parameters component name one
// unknown license in two letter cases: one obligation, in the first spelling
// met (the weights license's).
TEST(ObligationsUnknownIdCase, OneObligationPerUnknownIdIgnoringCase) {
  Record record = MakeRecord("acme-ai", "Acme-7B", "LicenseRef-foo");
  record::OpennessComponent component;
  component.component = record::MofComponent::kFinalParameters;
  component.license = "LicenseRef-Foo";
  record.openness.components.push_back(component);

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("LicenseRef-foo")));
}

// Within one expression the binding ids come in byte-wise order, so the
// upper-case spelling is met first.
TEST(ObligationsUnknownIdCase, OneObligationForConjunctionOfCaseVariants) {
  const Record record =
      MakeRecord("acme-ai", "Acme-7B", "LicenseRef-foo AND LicenseRef-Foo");

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own("LicenseRef-Foo")));
}

// Weights and code licenses name one unknown license in two letter cases:
// one flag, in the first spelling met (the weights license's).
TEST(ObligationsUnknownIdCase, OneFlagPerUnknownIdIgnoringCase) {
  Record record = MakeRecord("acme-ai", "Acme-7B", "LicenseRef-foo");
  record.licenses.code = "LicenseRef-Foo";

  const ObligationsJudgment result = JudgeObligations(record, {});

  ASSERT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kUnknownLicense));
  EXPECT_EQ(result.flags[0].message,
            "LicenseRef-foo in the declared weights license is not in the "
            "license catalog, so its duties cannot be judged");
  EXPECT_EQ(result.flags[0].ancestor, "");
}

// Different ancestors still give one flag each.
TEST(ObligationsUnknownIdCase, CaseVariantsFromDifferentAncestorsFlagEach) {
  const Judgment parent =
      JudgmentOf(MakeRecord("acme-ai", "Base", "LicenseRef-Foo"));
  Record record = MakeRecord("acme-ai", "Tuned", "LicenseRef-foo");
  AddParent(&record, "acme-ai", "Base", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&parent}));

  EXPECT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kUnknownLicense,
                                               FlagKind::kUnknownLicense));
}

// ---------------------------------------------------------------------------
// License ids match ignoring case [SPDX] (rules/3).

TEST(ObligationsLicenseIdCase, LowerCaseDeclaredLicenseRefBindsCanonicalId) {
  const Record record =
      MakeRecord("acme-ai", "Llama-Acme-8B", "LicenseRef-llama-3.1-community");
  ASSERT_TRUE(record::ValidateRecord(record).ok());

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses, ElementsAre(Own(kLlama31)));
  EXPECT_THAT(result.obligations.monthly_active_users_limit,
              Optional(700'000'000u));
  EXPECT_TRUE(result.obligations.use_restrictions);
  EXPECT_THAT(result.obligations.name_prefixes, ElementsAre("Llama"));
  EXPECT_THAT(result.obligations.attribution_texts,
              ElementsAre("Built with Llama"));
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsLicenseIdCase, NearMissIdStaysUnknownWithoutDuties) {
  const Record record =
      MakeRecord("acme-ai", "Llama-Acme-8B", "LicenseRef-llama-3.1-comunity");
  ASSERT_TRUE(record::ValidateRecord(record).ok());

  const ObligationsJudgment result = JudgeObligations(record, {});

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(Own("LicenseRef-llama-3.1-comunity")));
  EXPECT_EQ(result.obligations.monthly_active_users_limit, std::nullopt);
  EXPECT_THAT(result.obligations.name_prefixes, IsEmpty());
  ASSERT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kUnknownLicense));
  EXPECT_THAT(result.flags[0].message,
              HasSubstr("LicenseRef-llama-3.1-comunity in the declared "
                        "weights license is not in the license catalog"));
}

// A child declaring the parent's license in another letter case declares the
// same license: no declared_license_differs_from_inherited.
TEST(ObligationsLicenseIdCase, CaseOnlyDifferenceFromInheritedIsNotFlagged) {
  const Judgment base = JudgmentOf(Llama31Base());
  Record record = MakeRecord("acme-ai", "Llama-3.1-8B-Acme",
                             "LicenseRef-LLAMA-3.1-COMMUNITY");
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama31),
                  Traced(kLlama31, "meta-llama/Llama-3.1-8B@v1", "finetune")));
  EXPECT_THAT(result.flags, IsEmpty());
}

// A near miss of the inherited license is another (unknown) license.
TEST(ObligationsLicenseIdCase, NearMissOfInheritedLicenseIsFlagged) {
  const Judgment base = JudgmentOf(Llama31Base());
  Record record = MakeRecord("acme-ai", "Llama-3.1-8B-Acme",
                             "LicenseRef-Llama-3.1-Community-v2");
  AddParent(&record, "meta-llama", "Llama-3.1-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited,
                          FlagKind::kUnknownLicense));
}

// Ids stored in another case by a parent's judgment (e.g. made by an older
// rule set) are inherited under the catalog's spelling, with their duties.
TEST(ObligationsLicenseIdCase, InheritedIdsAreCanonicalisedWithTheirDuties) {
  const Judgment base = DirectJudgment("LicenseRef-llama-3.1-community",
                                       {Own("licenseref-llama-3.1-community")});
  Record record = MakeRecord("acme-ai", "Acme-8B", kLlama31);
  AddParent(&record, "acme-ai", "Base-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(
      result.obligations.licenses,
      ElementsAre(Own(kLlama31),
                  BindingLicense{kLlama31, "acme-ai/Base-8B@v1", "finetune"}));
  EXPECT_THAT(Kinds(result.flags), ElementsAre(FlagKind::kNamingDutyUnmet));
}

// "apache-2.0" from a parent is Apache-2.0: relicensable, known.
TEST(ObligationsLicenseIdCase, LowerCaseSpdxIdFromParentIsKnown) {
  const Judgment base = DirectJudgment("Apache-2.0", {Own("apache-2.0")});
  Record record = MakeRecord("acme-ai", "Acme-7B-Tuned", "MIT");
  AddParent(&record, "acme-ai", "Acme-7B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(BindingLicense{"Apache-2.0", "acme-ai/Acme-7B@v1",
                                         "finetune"},
                          Own("MIT")));
  EXPECT_THAT(result.flags, IsEmpty());
}

TEST(ObligationsLicenseIdCase, TeacherBanIsFoundWhateverTheCase) {
  const Judgment teacher =
      DirectJudgment(kLlama3, {Own("licenseref-llama-3-community")});
  Record record = MakeRecord("acme-ai", "Acme-7B", "Apache-2.0");
  AddParent(&record, "acme-ai", "Teacher-70B", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&teacher}));

  ASSERT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kTeacherForbidsDistillation));
  EXPECT_THAT(result.flags[0].message,
              HasSubstr("bound by LicenseRef-Llama-3-Community,"));
}

TEST(ObligationsLicenseIdCase, TeacherLicenseReachesStudentWhateverTheCase) {
  const Judgment teacher =
      DirectJudgment(kGemma, {Own("licenseref-gemma-terms-of-use")});
  Record record = MakeRecord("acme-ai", "Acme-2B", "Apache-2.0");
  AddParent(&record, "google", "gemma-2-27b-it", Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&teacher}));

  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(Own("Apache-2.0"),
                          BindingLicense{kGemma, "google/gemma-2-27b-it@v1",
                                         "distillation"}));
  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited));
}

// derivative_license_differs_from_base: a difference in letter case only is
// the same license [SPDX]; a near miss is not.
struct BaseLicenseCase {
  std::string name;
  std::string base;
  std::string derivative;
  bool flagged;
};

void PrintTo(const BaseLicenseCase& c, std::ostream* os) { *os << c.name; }

class DerivativeLicenseCaseTest
    : public ::testing::TestWithParam<BaseLicenseCase> {};

TEST_P(DerivativeLicenseCaseTest, ComparesIdsIgnoringCase) {
  const BaseLicenseCase& c = GetParam();
  const Judgment base = DirectJudgment(c.base, {Own(c.base)});
  Record record = MakeRecord("acme-ai", "Llama-Acme-GGUF", c.derivative);
  AddParent(&record, "acme-ai", "Llama-Acme", Relation::kQuantized);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  const std::vector<FlagKind> kinds = Kinds(result.flags);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(),
                       FlagKind::kDerivativeLicenseDiffersFromBase),
            c.flagged ? 1 : 0);
}

INSTANTIATE_TEST_SUITE_P(
    Rules3, DerivativeLicenseCaseTest,
    ::testing::Values(
        BaseLicenseCase{"CatalogIdLowerCase", kLlama31,
                        "LicenseRef-llama-3.1-community", false},
        BaseLicenseCase{"CatalogIdUpperCase", "LicenseRef-llama-3.1-community",
                        "LicenseRef-LLAMA-3.1-COMMUNITY", false},
        BaseLicenseCase{"UnknownRefLowerCase", "LicenseRef-Acme-Model",
                        "LicenseRef-acme-model", false},
        BaseLicenseCase{"ExpressionInOtherCaseAndOrder",
                        std::string("Apache-2.0 AND ") + kLlama31,
                        "LicenseRef-llama-3.1-community AND Apache-2.0", false},
        BaseLicenseCase{"CatalogIdNearMiss", kLlama31,
                        "LicenseRef-Llama-3.1-Comunity", true},
        BaseLicenseCase{"OtherCatalogId", kLlama31,
                        "LicenseRef-Llama-3.2-Community", true},
        BaseLicenseCase{"UnknownRefNearMiss", "LicenseRef-Acme-Model",
                        "LicenseRef-Acme-Model2", true}),
    [](const ::testing::TestParamInfo<BaseLicenseCase>& info) {
      return info.param.name;
    });

// ---------------------------------------------------------------------------
// The naming duty binds licensees, not the licensor (rules/3).

struct NamingLicensorCase {
  std::string name;
  std::string namespace_name;
  std::string model_name;
  std::string parent_namespace;
  std::string license;
  bool flagged;
};

void PrintTo(const NamingLicensorCase& c, std::ostream* os) { *os << c.name; }

class NamingLicensorTest : public ::testing::TestWithParam<NamingLicensorCase> {
};

TEST_P(NamingLicensorTest, ExemptsOnlyTheRecordsOwnLicensorNamespace) {
  const NamingLicensorCase& c = GetParam();
  const Judgment base =
      JudgmentOf(MakeRecord(c.parent_namespace, "Meta-Llama-3-8B", c.license));
  Record record = MakeRecord(c.namespace_name, c.model_name, c.license);
  AddParent(&record, c.parent_namespace, "Meta-Llama-3-8B",
            Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  const std::vector<FlagKind> kinds = Kinds(result.flags);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), FlagKind::kNamingDutyUnmet),
            c.flagged ? 1 : 0);
}

INSTANTIATE_TEST_SUITE_P(
    Rules3, NamingLicensorTest,
    ::testing::Values(
        // [M3] Meta's own fine-tune of its base model.
        NamingLicensorCase{"MetaLlama3Instruct", "meta-llama",
                           "Meta-Llama-3-8B-Instruct", "meta-llama", kLlama3,
                           false},
        // Registry namespaces are unique ignoring case.
        NamingLicensorCase{"MetaNamespaceInOtherCase", "Meta-Llama",
                           "Meta-Llama-3-8B-Instruct", "meta-llama", kLlama3,
                           false},
        // Meta's derivative of someone's re-upload of Llama 3.
        NamingLicensorCase{"MetaDerivativeOfReupload", "meta-llama",
                           "Meta-Llama-3-8B-Instruct", "someone", kLlama3,
                           false},
        // The same model published by someone else.
        NamingLicensorCase{"SomeoneSameName", "someone",
                           "Meta-Llama-3-8B-Instruct", "meta-llama", kLlama3,
                           true},
        // A derivative of a re-upload: the parent's namespace exempts nothing.
        NamingLicensorCase{"DerivativeOfReupload", "acme-ai",
                           "Meta-Llama-3-8B-Instruct", "someone", kLlama3,
                           true},
        // Another licensor's namespace does not exempt a Llama duty.
        NamingLicensorCase{"QwenNamespaceLlamaDuty", "Qwen",
                           "Meta-Llama-3-8B-Instruct", "meta-llama", kLlama3,
                           true},
        NamingLicensorCase{"GoogleNamespaceLlama31Duty", "google",
                           "Gemma-From-Llama", "meta-llama", kLlama31, true},
        // Near misses of the licensor namespace.
        NamingLicensorCase{"NearMissNamespace", "meta-llama-fans",
                           "Meta-Llama-3-8B-Instruct", "meta-llama", kLlama3,
                           true},
        NamingLicensorCase{"PrefixNamespace", "meta",
                           "Meta-Llama-3-8B-Instruct", "meta-llama", kLlama3,
                           true},
        // Llama 3.1: the same licensor namespace [L31].
        NamingLicensorCase{"MetaLlama31Derivative", "meta-llama",
                           "Meta-Derived-8B", "meta-llama", kLlama31, false}),
    [](const ::testing::TestParamInfo<NamingLicensorCase>& info) {
      return info.param.name;
    });

// [M3] The full reported case: no flag, obligations still listed so that
// downstream users see the Llama 3 duties.
TEST(ObligationsNamingDuty, MetaLlama3InstructHasNoFlagsButKeepsDuties) {
  const Judgment base =
      JudgmentOf(MakeRecord("meta-llama", "Meta-Llama-3-8B", kLlama3));
  Record record = MakeRecord("meta-llama", "Meta-Llama-3-8B-Instruct", kLlama3);
  AddParent(&record, "meta-llama", "Meta-Llama-3-8B", Relation::kFinetune);

  const ObligationsJudgment result =
      JudgeObligations(record, ParentsOf(record, {&base}));

  EXPECT_THAT(result.flags, IsEmpty());
  EXPECT_THAT(result.obligations.name_prefixes, ElementsAre("Llama 3"));
  EXPECT_THAT(result.obligations.licenses,
              ElementsAre(OwnByLicensor(kLlama3),
                          Traced(kLlama3, "meta-llama/Meta-Llama-3-8B@v1",
                                 "finetune")));
}

// The licensor exemption covers only its own license's duty: the Qwen
// namespace is the licensor of the Qwen licenses, not of Llama 3.1 [L31].
TEST(ObligationsNamingDuty, LicensorExemptionIsPerLicense) {
  const Judgment teacher =
      JudgmentOf(MakeRecord("meta-llama", "Llama-3.1-405B-Instruct", kLlama31));
  Record qwen = MakeRecord("Qwen", "Qwen-Distilled-8B", kQwen);
  AddParent(&qwen, "meta-llama", "Llama-3.1-405B-Instruct",
            Relation::kDistillation);

  const ObligationsJudgment result =
      JudgeObligations(qwen, ParentsOf(qwen, {&teacher}));

  EXPECT_THAT(Kinds(result.flags),
              ElementsAre(FlagKind::kDeclaredLicenseDiffersFromInherited,
                          FlagKind::kNamingDutyUnmet));
}

}  // namespace
}  // namespace pedigree::core::judgment
