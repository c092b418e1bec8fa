#include "client/lib/hf_card.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/lib/meta_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;
using Kind = YamlNode::Kind;

std::string ReadCard(const std::string& name) {
  std::ifstream in(absl::StrCat(PEDIGREE_SOURCE_DIR,
                                "/client/lib/testdata/hf_cards/", name));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<YamlNode> Parse(const std::string& yaml) {
  return ParseYamlFrontMatter(yaml, 2);
}

// A card whose front matter is `yaml`.
std::string Card(const std::string& yaml) {
  return absl::StrCat("---\n", yaml, "---\n# Title\n");
}

Json MetaOf(const HfImport& imported) {
  return Json::parse(imported.meta_json, nullptr, false);
}

HfImportOptions FullOptions() {
  HfImportOptions options;
  options.description = "A model.";
  options.release_date = "2025-01-20";
  options.publisher = "Acme AI";
  options.code_license = "MIT";
  options.dataset_role = "fine_tuning";
  options.dataset_disclosure = "undisclosed";
  return options;
}

// --- the yaml subset ---------------------------------------------------------

TEST(HfYamlTest, ParsesScalarsOfEveryStyle) {
  const std::string yaml =
      "plain: hello world # comment\n"
      "single: 'it''s'\n"
      "double: \"a\\tb\\u00e9\"\n"
      "url: https://x.example/a:b\n"
      "no: no\n"
      "empty:\n"
      "tilde: ~\n";

  ASSERT_OK_AND_ASSIGN(YamlNode root, Parse(yaml));

  EXPECT_EQ(root.Find("plain")->scalar, "hello world");
  EXPECT_EQ(root.Find("single")->scalar, "it's");
  EXPECT_EQ(root.Find("double")->scalar, "a\tb\xc3\xa9");
  EXPECT_EQ(root.Find("url")->scalar, "https://x.example/a:b");
  EXPECT_EQ(root.Find("no")->scalar, "no");
  EXPECT_EQ(root.Find("empty")->kind, Kind::kNull);
  EXPECT_EQ(root.Find("tilde")->kind, Kind::kNull);
  EXPECT_EQ(root.Find("single")->line, 3);
}

TEST(HfYamlTest, ParsesCompactIndentedAndFlowSequences) {
  const std::string yaml =
      "a:\n- x\n- y\nb:\n  - z\nc: [p, 'q, r', \"s\"]\nd: [\n  m,\n  n\n  ]\n"
      "e: []\n";

  ASSERT_OK_AND_ASSIGN(YamlNode root, Parse(yaml));

  ASSERT_EQ(root.Find("a")->items.size(), 2u);
  EXPECT_EQ(root.Find("a")->items[1].scalar, "y");
  EXPECT_EQ(root.Find("b")->items[0].scalar, "z");
  ASSERT_EQ(root.Find("c")->items.size(), 3u);
  EXPECT_EQ(root.Find("c")->items[1].scalar, "q, r");
  ASSERT_EQ(root.Find("d")->items.size(), 2u);
  EXPECT_EQ(root.Find("e")->kind, Kind::kSequence);
  EXPECT_TRUE(root.Find("e")->items.empty());
}

TEST(HfYamlTest, ParsesDeepModelIndexAndWidget) {
  const std::string yaml =
      "model-index:\n"
      "- name: m\n"
      "  results:\n"
      "  - task:\n"
      "      type: text-generation\n"
      "    metrics:\n"
      "    - {type: acc, value: 0.5, name: \"a: b\"}\n"
      "widget:\n"
      "  - text: \"Hi\"\n"
      "    example_title: x\n"
      "license: mit\n";

  ASSERT_OK_AND_ASSIGN(YamlNode root, Parse(yaml));

  const YamlNode& result =
      root.Find("model-index")->items[0].Find("results")->items[0];
  EXPECT_EQ(result.Find("task")->Find("type")->scalar, "text-generation");
  EXPECT_EQ(result.Find("metrics")->items[0].Find("name")->scalar, "a: b");
  EXPECT_EQ(root.Find("license")->scalar, "mit");
}

TEST(HfYamlTest, ReadsBlockScalars) {
  const std::string yaml =
      "lit: |\n  a\n   b\n\nfold: >-\n  one\n  two\n\n  three\nkeep: |+\n  "
      "k\n\n"
      "after: x\n";

  ASSERT_OK_AND_ASSIGN(YamlNode root, Parse(yaml));

  EXPECT_EQ(root.Find("lit")->scalar, "a\n b\n");
  EXPECT_EQ(root.Find("fold")->scalar, "one two\nthree");
  EXPECT_EQ(root.Find("keep")->scalar, "k\n\n");
  EXPECT_EQ(root.Find("after")->scalar, "x");
}

TEST(HfYamlTest, FoldsMultiLinePlainAndQuotedScalars) {
  const std::string yaml = "p: one\n  two\n\n  three\nq: \"a\\\n  b c\n  d\"\n";

  ASSERT_OK_AND_ASSIGN(YamlNode root, Parse(yaml));

  EXPECT_EQ(root.Find("p")->scalar, "one two\nthree");
  EXPECT_EQ(root.Find("q")->scalar, "ab c d");
}

TEST(HfYamlTest, EmptyDocumentIsAnEmptyMapping) {
  ASSERT_OK_AND_ASSIGN(YamlNode root, Parse("# only a comment\n\n"));

  EXPECT_EQ(root.kind, Kind::kMapping);
  EXPECT_TRUE(root.entries.empty());
}

TEST(HfYamlTest, CardAcceptsBomAndCrlf) {
  const std::string card = "\xef\xbb\xbf---\r\nlicense: mit\r\n---\r\nbody\r\n";

  ASSERT_OK_AND_ASSIGN(YamlNode root, ParseModelCardFrontMatter(card));

  EXPECT_EQ(root.Find("license")->scalar, "mit");
}

struct BadYaml {
  const char* yaml;
  const char* message;
};

class HfYamlRefusesTest : public ::testing::TestWithParam<BadYaml> {};

TEST_P(HfYamlRefusesTest, RefusesWithLineAndReason) {
  EXPECT_THAT(Parse(GetParam().yaml),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, HfYamlRefusesTest,
    ::testing::Values(
        BadYaml{"a: 1\na: 2\n", "line 3: duplicate key \"a\""},
        BadYaml{"a:\n  b: 1\n  b: 2\n", "line 4: duplicate key \"b\""},
        BadYaml{"a:\n\tb: 1\n", "line 3: tab in indentation"},
        BadYaml{"a: 1\n  b: 2\n", "line 3: \": \" inside a plain value"},
        BadYaml{"a: \"open\n", "line 2: unterminated double-quoted string"},
        BadYaml{"a: 'open\nb: 1\n", "line 2: unterminated single-quoted"},
        BadYaml{"a: [1, 2\nb: 3\n", "line 2: unterminated flow collection"},
        BadYaml{"a: [1,, 2]\n", "empty sequence item"},
        BadYaml{"a: {x: 1, x: 2}\n", "duplicate key \"x\""},
        BadYaml{"a: &anchor 1\n", "anchors (&) are not supported"},
        BadYaml{"a: *anchor\n", "aliases (*) are not supported"},
        BadYaml{"a: !!python/object x\n", "tags (!) are not supported"},
        BadYaml{"&a b: 1\n", "anchors, aliases and tags are not supported"},
        BadYaml{"? complex\n: v\n", "complex mapping keys"},
        BadYaml{"a: b: c\n", "line 2: \": \" inside a plain value"},
        BadYaml{"a: \"\\q\"\n", "unknown escape"},
        BadYaml{"a: \"\\u00\"\n", "truncated escape"},
        BadYaml{"a: \"\\x00\"\n", "NUL code point"},
        BadYaml{"a: 1\n---\nb: 2\n", "line 3: a document marker"},
        BadYaml{"%YAML 1.2\na: 1\n", "directives are not supported"},
        BadYaml{"a: x\x01y\n", "control character 0x01"},
        BadYaml{"a: \xff\n", "line 2: invalid utf-8"},
        BadYaml{"a: \xed\xa0\x80\n", "invalid utf-8"},
        BadYaml{"- a\n- b\n", "must be a mapping"},
        BadYaml{"just text\n", "must be a mapping"},
        BadYaml{"a: 1\nb\n", "line 3: expected \"key: value\""},
        BadYaml{"a:\n  - x\n - y\n", "line 4: bad indentation"},
        BadYaml{"a: - x\n", "cannot start on its key's line"},
        BadYaml{"a: \"x\" y\n", "unexpected text after a double-quoted"},
        BadYaml{"a: [x] y\n", "unexpected text after a flow collection"},
        BadYaml{"a: |x\n  b\n", "bad block scalar header"},
        BadYaml{"a: [x: 1]\n", "pairs inside a sequence are not supported"},
        BadYaml{"a: @x\n", "cannot start with"}));

TEST(HfYamlTest, RefusesNestingDeeperThanTheLimit) {
  std::string deep = "a: ";
  for (int i = 0; i < kMaxYamlDepth + 1; ++i) deep += "[";
  for (int i = 0; i < kMaxYamlDepth + 1; ++i) deep += "]";

  EXPECT_THAT(Parse(deep + "\n"), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("nesting deeper")));
}

TEST(HfYamlTest, RefusesDeepBlockNesting) {
  std::string deep;
  for (int i = 0; i < kMaxYamlDepth + 2; ++i) {
    deep += std::string(static_cast<size_t>(2 * i), ' ') + "k:\n";
  }
  deep +=
      std::string(static_cast<size_t>(2 * (kMaxYamlDepth + 2)), ' ') + "v: 1\n";

  EXPECT_THAT(Parse(deep), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("nesting deeper")));
}

TEST(HfYamlTest, RefusesOversizedFrontMatter) {
  const std::string big = "a: " + std::string(kMaxFrontMatterSize, 'x') + "\n";

  EXPECT_THAT(Parse(big), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("byte limit")));
}

TEST(HfYamlTest, CardWithoutFrontMatterIsRefused) {
  EXPECT_THAT(ParseModelCardFrontMatter("# Title\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("first line must be \"---\"")));
}

TEST(HfYamlTest, CardWithoutClosingLineIsRefused) {
  EXPECT_THAT(ParseModelCardFrontMatter("---\nlicense: mit\n# Title\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no closing \"---\" line")));
}

TEST(HfYamlTest, TruncatedInputsNeverCrash) {
  // Every prefix of a realistic card either parses or fails cleanly.
  const std::string card = ReadCard("llama-3.2-mlx.md") +
                           ReadCard("huihui-ai_gemma-3-12b-it-abliterated.md");
  for (size_t n = 0; n <= card.size(); ++n) {
    absl::StatusOr<YamlNode> parsed =
        ParseModelCardFrontMatter(card.substr(0, n));
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(HfYamlTest, MutatedInputsNeverCrash) {
  const std::string base =
      Card("a: [1, {b: 'c'}]\nd:\n- e: \"f\\n\"\n  g: |\n    h\ni: >-\n  j\n");
  const char kBytes[] = {'-',  ':',  '[', ']', '{', '}', '"', '\'', '\\',
                         '\t', '\n', ' ', '#', '|', '>', '&', '*',  '!'};
  for (size_t i = 0; i < base.size(); ++i) {
    for (char byte : kBytes) {
      std::string mutated = base;
      mutated[i] = byte;
      absl::StatusOr<YamlNode> parsed = ParseModelCardFrontMatter(mutated);
      if (!parsed.ok()) {
        EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
      }
    }
  }
}

// --- real cards --------------------------------------------------------------

TEST(HfCardTest, EveryRealCardParses) {
  for (const char* name :
       {"bartowski_gpt-oss-120b-gguf.md", "gemma-2-model-card.md",
        "huihui-ai_gemma-3-12b-it-abliterated.md", "praxis_spanfinder-3b.md",
        "llama-3.1-8b-instruct-lora-simsamu.md", "mergekit_slerp_t_05.md",
        "llama-3.2-mlx.md"}) {
    EXPECT_THAT(ParseModelCardFrontMatter(ReadCard(name)), IsOk()) << name;
  }
}

TEST(HfCardTest, ReadsMultiLineDoubleQuotedGatedPrompt) {
  ASSERT_OK_AND_ASSIGN(YamlNode root,
                       ParseModelCardFrontMatter(ReadCard("llama-3.2-mlx.md")));

  EXPECT_THAT(root.Find("extra_gated_prompt")->scalar,
              HasSubstr("AGREEMENT\n\nLlama 3.2 Version Release Date"));
  EXPECT_EQ(root.Find("language")->items.size(), 8u);
}

TEST(HfImportTest, GemmaCardMapsToCatalogAndInfersFinetune) {
  HfImportOptions options = FullOptions();
  options.base_versions["google/gemma-3-12b-it"] = "v1";

  ASSERT_OK_AND_ASSIGN(
      HfImport imported,
      ImportHfCard(ReadCard("huihui-ai_gemma-3-12b-it-abliterated.md"),
                   options));

  const Json meta = MetaOf(imported);
  EXPECT_EQ(meta["licenses"]["weights"], "LicenseRef-Gemma-Terms-of-Use");
  EXPECT_EQ(meta["license_refs"][0]["id"], "LicenseRef-Gemma-Terms-of-Use");
  EXPECT_EQ(meta["parents"][0]["ref"], "google/gemma-3-12b-it@v1");
  EXPECT_EQ(meta["parents"][0]["relation"], "finetune");
  EXPECT_TRUE(imported.missing.empty());
  EXPECT_THAT(ParseMetaFile(imported.meta_json), IsOk());
}

TEST(HfImportTest, QwenResearchLicenseNameUsesTheCardLinkAndInfersAdapter) {
  HfImportOptions options = FullOptions();
  options.base_versions["Qwen/Qwen2.5-3B-Instruct"] = "main";

  ASSERT_OK_AND_ASSIGN(
      HfImport imported,
      ImportHfCard(ReadCard("praxis_spanfinder-3b.md"), options));

  const Json meta = MetaOf(imported);
  EXPECT_EQ(meta["licenses"]["weights"], "LicenseRef-Qwen-Research-License");
  EXPECT_EQ(
      meta["license_refs"][0]["url"],
      "https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE");
  EXPECT_EQ(meta["parents"][0]["relation"], "adapter");
}

TEST(HfImportTest, QuantizedCardWithoutLicenseReportsWeightsLicenseMissing) {
  HfImportOptions options = FullOptions();
  options.base_versions["openai/gpt-oss-120b"] = "v1";

  ASSERT_OK_AND_ASSIGN(
      HfImport imported,
      ImportHfCard(ReadCard("bartowski_gpt-oss-120b-gguf.md"), options));

  ASSERT_EQ(imported.missing.size(), 1u);
  EXPECT_EQ(imported.missing[0].field, "meta.licenses.weights");
  const Json meta = MetaOf(imported);
  EXPECT_TRUE(meta["licenses"]["weights"].is_null());
  EXPECT_EQ(meta["parents"][0]["relation"], "quantized");
}

TEST(HfImportTest, DatasetsAndLanguagesOfALlamaLora) {
  HfImportOptions options;
  options.base_versions["meta-llama/Llama-3.1-8B-Instruct"] = "v1";

  ASSERT_OK_AND_ASSIGN(
      HfImport imported,
      ImportHfCard(ReadCard("llama-3.1-8b-instruct-lora-simsamu.md"), options));

  const Json meta = MetaOf(imported);
  EXPECT_EQ(meta["datasets"][0]["name"], "medkit/simsamu");
  EXPECT_EQ(meta["datasets"][0]["uri"],
            "https://huggingface.co/datasets/medkit/simsamu");
  EXPECT_TRUE(meta["datasets"][0]["role"].is_null());
  EXPECT_THAT(imported.languages, ElementsAre("fr", "en"));
  std::vector<std::string> fields;
  for (const HfMissingField& field : imported.missing)
    fields.push_back(field.field);
  EXPECT_THAT(fields, ElementsAre("meta.description", "meta.release_date",
                                  "meta.publisher.organization",
                                  "meta.licenses.code", "meta.datasets[0].role",
                                  "meta.datasets[0].disclosure",
                                  "meta.datasets[0].license"));
}

TEST(HfImportTest, EmptyMergeBaseListGivesNoParentsAndANote) {
  ASSERT_OK_AND_ASSIGN(
      HfImport imported,
      ImportHfCard(ReadCard("mergekit_slerp_t_05.md"), FullOptions()));

  EXPECT_FALSE(MetaOf(imported).contains("parents"));
  EXPECT_THAT(absl::StrJoin(imported.notes, "|"),
              HasSubstr("tagged as a merge"));
}

TEST(HfImportTest, MergeOfTwoBases) {
  HfImportOptions options = FullOptions();
  options.base_versions["a/x"] = "v1";
  options.base_versions["b/y"] = "v2";

  ASSERT_OK_AND_ASSIGN(
      HfImport imported,
      ImportHfCard(Card("license: apache-2.0\nbase_model: [a/x, b/y]\n"
                        "base_model_relation: merge\n"),
                   options));

  const Json meta = MetaOf(imported);
  EXPECT_EQ(meta["licenses"]["weights"], "Apache-2.0");
  EXPECT_EQ(meta["parents"].size(), 2u);
  EXPECT_EQ(meta["parents"][1]["ref"], "b/y@v2");
  EXPECT_EQ(meta["parents"][1]["relation"], "merge");
}

TEST(HfImportTest, OtherLicenseNotInCatalogBecomesLicenseRef) {
  ASSERT_OK_AND_ASSIGN(
      HfImport imported,
      ImportHfCard(Card("license: other\nlicense_name: Acme Model License v2\n"
                        "license_link: https://acme.example/license\n"),
                   FullOptions()));

  const Json meta = MetaOf(imported);
  EXPECT_EQ(meta["licenses"]["weights"], "LicenseRef-Acme-Model-License-v2");
  EXPECT_EQ(meta["license_refs"][0]["name"], "Acme Model License v2");
  EXPECT_EQ(meta["license_refs"][0]["url"], "https://acme.example/license");
}

TEST(HfImportTest, BaseDigestLocatorIsAccepted) {
  HfImportOptions options = FullOptions();
  options.base_versions["a/x"] = "sha256:" + std::string(64, 'a');

  ASSERT_OK_AND_ASSIGN(HfImport imported,
                       ImportHfCard(Card("base_model: a/x\n"), options));

  EXPECT_EQ(MetaOf(imported)["parents"][0]["ref"],
            "sha256:" + std::string(64, 'a'));
}

TEST(HfImportTest, RelationFlagReplacesTheCard) {
  HfImportOptions options = FullOptions();
  options.base_versions["a/x"] = "v1";
  options.relation = "distillation";

  ASSERT_OK_AND_ASSIGN(
      HfImport imported,
      ImportHfCard(Card("base_model: a/x\nbase_model_relation: finetune\n"),
                   options));

  EXPECT_EQ(MetaOf(imported)["parents"][0]["relation"], "distillation");
}

struct BadImport {
  const char* yaml;
  const char* message;
};

class HfImportRefusesTest : public ::testing::TestWithParam<BadImport> {};

TEST_P(HfImportRefusesTest, RefusesWithPreciseMessage) {
  HfImportOptions options = FullOptions();
  options.base_versions["a/x"] = "v1";
  options.base_versions["b/y"] = "v1";

  EXPECT_THAT(ImportHfCard(Card(GetParam().yaml), options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Unmappable, HfImportRefusesTest,
    ::testing::Values(
        BadImport{"license: llama4\nbase_model: [a/x, b/y]\n",
                  "line 2: license: \"llama4\" is not a hub license id"},
        BadImport{"license: other\nbase_model: [a/x, b/y]\n",
                  "\"other\" needs license_name"},
        BadImport{"license: other\nlicense_name: foo\nbase_model: [a/x, b/y]\n",
                  "no license_link: pass --license-url"},
        BadImport{"license: other\nlicense_name: foo\nlicense_link: LICENSE\n"
                  "base_model: [a/x, b/y]\n",
                  "line 4: license_link: \"LICENSE\" is not an absolute"},
        BadImport{"license: [mit]\nbase_model: [a/x, b/y]\n",
                  "line 2: license: expected a single value"},
        BadImport{"base_model: [a/x, b/y]\nbase_model_relation: distill\n",
                  "\"distill\" is not a hub relation"},
        BadImport{"base_model: [a/x, b/y]\nbase_model_relation: finetune\n",
                  "allows exactly one parent"},
        BadImport{"base_model: a/x\nbase_model_relation: merge\n",
                  "the card's base_model does not name this model"},
        BadImport{"base_model: [a/x, b/y, a/X]\n", "is listed twice"},
        BadImport{"base_model: [a/x, b/y, ./local]\n",
                  "expected a hub id org/name"},
        BadImport{"base_model: [a/x, b/y]\ndatasets: [\"\"]\n",
                  "empty dataset name"}));

TEST(HfImportTest, MergeWithOneBaseIsRefused) {
  HfImportOptions options = FullOptions();
  options.base_versions["a/x"] = "v1";

  EXPECT_THAT(
      ImportHfCard(Card("base_model: a/x\nbase_model_relation: merge\n"),
                   options),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("merge needs at least two")));
}

TEST(HfImportTest, BaseWithoutVersionNamesTheFlag) {
  EXPECT_THAT(ImportHfCard(Card("base_model: [a/x, b/y]\n"), FullOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pass --base-version ORG/NAME=VERSION for "
                                 "a/x, b/y")));
}

TEST(HfImportTest, MalformedBaseVersionIsRefused) {
  HfImportOptions options = FullOptions();
  options.base_versions["a/x"] = "v 1";

  EXPECT_THAT(ImportHfCard(Card("base_model: a/x\n"), options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--base-version a/x=v 1")));
}

TEST(HfImportTest, BadReleaseDateIsRefusedByTheSelfCheck) {
  HfImportOptions options = FullOptions();
  options.release_date = "2025-13-01";

  EXPECT_THAT(
      ImportHfCard(Card("license: mit\n"), options),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("meta file would be refused: meta.release_date")));
}

TEST(HfImportTest, UnknownLicenseFlagIsRefused) {
  HfImportOptions options = FullOptions();
  options.license = "not-a-license";

  EXPECT_THAT(ImportHfCard(Card("license: mit\n"), options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--license \"not-a-license\"")));
}

TEST(HfImportTest, UnknownDatasetRoleIsRefused) {
  HfImportOptions options = FullOptions();
  options.dataset_role = "pretrain";

  EXPECT_THAT(
      ImportHfCard(Card("datasets: [x/y]\n"), options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pretrain")));
}

}  // namespace
}  // namespace pedigree::client
