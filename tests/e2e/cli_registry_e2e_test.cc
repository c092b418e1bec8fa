// End-to-end tests of the `pedigree` CLI against a real registry: pedigreed
// runs as a subprocess on a fresh database (PEDIGREE_TEST_PG_DSN), the CLI
// binary runs as a subprocess per command, and the tests check its stdout,
// stderr and exit code.
//
// The suite publishes one small lineage once (SetUpTestSuite), under the
// namespace "acme":
//
//   base@v1 <-finetune- base-instruct@v1 <-adapter- base-lora@v1
//                          ^        ^
//              distillation|        |merge
//                    student@v1 <-merge- merged@v1 <-quantized- merged-gguf@v1
//
// plus base@v2 (no parents) for `history`.
//
// Environment: PEDIGREED and PEDIGREE_CLI (paths of the binaries, set by
// tests/CMakeLists.txt) and PEDIGREE_TEST_PG_DSN.

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "core/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/e2e_registry.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/status_matchers.h"

namespace pedigree {
namespace {

using ::pedigree::testing::CliResult;
using ::pedigree::testing::E2eRegistry;
using ::pedigree::testing::E2eServer;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::ReadFile;
using ::pedigree::testing::Weights;
using ::pedigree::testing::WriteFile;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Json = nlohmann::json;

constexpr absl::Duration kTimeout = absl::Seconds(60);

std::string Meta(const std::string& description, const std::string& parents,
                 const std::string& files = "{}") {
  return absl::StrCat(R"({"description": ")", description,
                      R"(", "release_date": "2025-01-20",
  "publisher": {"organization": "Acme AI", "jurisdiction": "GB"},
  "licenses": {"weights": "Apache-2.0", "code": "MIT"},
  "openness": {"claim": "open_weight"},
  "datasets": [{"name": "FineWeb", "role": "pretraining",
                "disclosure": "full_release", "license": "ODC-By-1.0",
                "uri": "https://example.org/fineweb"}],
  "parents": )",
                      parents, R"(, "files": )", files, "}");
}

class CliRegistryTest : public testing::E2eRegistryTest {
 protected:
  static void SetUpTestSuite() {
    StartRegistry("pedigree-cli-registry-e2e", PublishLineage);
  }

  static absl::Status PublishLineage(E2eRegistry& r) {
    PEDIGREE_RETURN_IF_ERROR(r.SetUpPublisher("acme"));

    r.WriteModel("base",
                 {{"config.json", "{\"hidden_size\": 64}\n"},
                  {"tokenizer.json", "{\"vocab\": {}}\n"},
                  {"weights/model.safetensors", Weights(200000, 1)}},
                 Meta("Acme base model.", "[]",
                      R"({"weights/model.safetensors":
                          {"format": "safetensors", "dtype": "bf16"}})"));
    r.WriteModel("base-v2",
                 {{"config.json", "{\"hidden_size\": 64}\n"},
                  {"weights/model.safetensors", Weights(200000, 2)}},
                 Meta("Acme base model, second release.", "[]"));
    r.WriteModel("instruct",
                 {{"config.json", "{\"hidden_size\": 64}\n"},
                  {"model.safetensors", Weights(150000, 3)}},
                 Meta("Instruction-tuned Acme base.",
                      R"([{"ref": "acme/base@v1", "relation": "finetune",
                  "detail": {"method": "sft"}}])"));
    r.WriteModel(
        "lora", {{"adapter_model.safetensors", Weights(20000, 4)}},
        Meta("LoRA adapter on the instruct model.",
             R"([{"ref": "acme/base-instruct@v1", "relation": "adapter",
                  "detail": {"method": "lora", "lora_rank": 16}}])"));
    r.WriteModel("student", {{"model.safetensors", Weights(50000, 5)}},
                 Meta("Student distilled from the instruct model.",
                      R"([{"ref": "acme/base-instruct@v1",
                  "relation": "distillation"}])"));
    r.WriteModel("merged", {{"model.safetensors", Weights(150000, 6)}},
                 Meta("Merge of the instruct model and the student.",
                      R"([{"ref": "acme/base-instruct@v1", "relation": "merge",
                  "detail": {"method": "ties",
                             "merge_weight_permille": 600}},
                 {"ref": "acme/student@v1", "relation": "merge",
                  "detail": {"method": "ties",
                             "merge_weight_permille": 400}}])"));
    r.WriteModel("gguf", {{"model-q4_k_m.gguf", Weights(40000, 7)}},
                 Meta("Q4_K_M quantization of the merge.",
                      R"([{"ref": "acme/merged@v1", "relation": "quantized",
                  "detail": {"method": "gguf_q4_k_m", "bits": 4}}])",
                      R"({"model-q4_k_m.gguf": {"format": "gguf",
                 "quantization": {"method": "gguf_q4_k_m", "bits": 4}}})"));

    for (const auto& [name, ref] :
         std::vector<std::pair<std::string, std::string>>{
             {"base", "acme/base@v1"},
             {"base-v2", "acme/base@v2"},
             {"instruct", "acme/base-instruct@v1"},
             {"lora", "acme/base-lora@v1"},
             {"student", "acme/student@v1"},
             {"merged", "acme/merged@v1"},
             {"gguf", "acme/merged-gguf@v1"}}) {
      PEDIGREE_RETURN_IF_ERROR(r.Publish(name, ref));
    }
    return absl::OkStatus();
  }

  // A private copy of models/`name` that a test may damage.
  static std::string CopyModel(const std::string& name,
                               const std::string& copy) {
    const std::string target = registry_->Path("copies/" + copy);
    std::filesystem::create_directories(target);
    std::filesystem::copy(
        registry_->Path("models/" + name), target,
        std::filesystem::copy_options::recursive |
            std::filesystem::copy_options::overwrite_existing);
    return target;
  }

  static std::set<std::string> NodeRefs(const Json& lineage) {
    std::set<std::string> refs;
    const auto nodes = lineage.find("nodes");
    if (nodes == lineage.end() || !nodes->is_array()) return refs;
    for (const Json& node : *nodes) {
      const auto ref = node.find("ref");
      if (ref != node.end() && ref->is_string()) {
        refs.insert(ref->get<std::string>());
      }
    }
    return refs;
  }
};

// --- publish ---------------------------------------------------------------

TEST_F(CliRegistryTest, PublishAgainIsIdempotentAndPrintsTheSameDigest) {
  E2eRegistry& r = *registry_;
  const std::string dir = r.Path("models/base");
  const std::string meta = r.Path("models/base.meta.json");

  const CliResult first =
      r.Run({"--output", "json", "publish", dir, "--model", "acme/base@v1",
             "--key", r.Path("key"), "--meta", meta});
  const CliResult show = r.Run({"--output", "json", "show", "acme/base@v1"});

  ASSERT_EQ(first.code, 0) << first.err;
  const Json published = Json::parse(first.out, nullptr, false);
  ASSERT_TRUE(published.is_object()) << first.out;
  EXPECT_EQ(published.value("ref", ""), "acme/base@v1");
  EXPECT_EQ(published.value("already_existed", false), true);
  const Json shown = Json::parse(show.out, nullptr, false);
  ASSERT_TRUE(shown.is_object()) << show.out;
  EXPECT_EQ(published.value("record_digest", "x"),
            shown["summary"].value("record_digest", "y"));
}

TEST_F(CliRegistryTest, PublishWithKeyOfAnotherNamespaceIsRefused) {
  E2eRegistry& r = *registry_;
  ASSERT_EQ(r.RunOffline({"keygen", "--out", r.Path("other-key")}).code, 0);
  ASSERT_EQ(r.Run({"namespace", "create", "other"}).code, 0);
  ASSERT_EQ(r.Run({"key", "add", "other", r.Path("other-key.pub")}).code, 0);

  const CliResult result = r.Run(
      {"publish", r.Path("models/base"), "--model", "acme/intruder@v1", "--key",
       r.Path("other-key"), "--meta", r.Path("models/base.meta.json")});

  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err,
              AllOf(StartsWith("pedigree: publish acme/intruder@v1"),
                    HasSubstr("namespace")));
  EXPECT_EQ(result.out, "");
}

TEST_F(CliRegistryTest, NamespaceCreateOfExistingNamespaceFails) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"namespace", "create", "ACME"});

  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err, StartsWith("pedigree: namespace create ACME: "));
}

// --- verify ----------------------------------------------------------------

TEST_F(CliRegistryTest, VerifyByRefSucceedsQuietly) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"verify", r.Path("models/base"), "--model", "acme/base@v1"});

  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, StartsWith("verified acme/base@v1 (3 files, root "
                                     "sha256:"));
  EXPECT_EQ(result.err, "");
}

TEST_F(CliRegistryTest, VerifyWithoutRefFindsTheRecordByItsFiles) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"verify", r.Path("models/gguf")});

  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, StartsWith("verified acme/merged-gguf@v1 "));
}

TEST_F(CliRegistryTest, VerifyJsonReportsEveryFile) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"--output", "json", "verify", r.Path("models/base"), "--model",
             "acme/base@v1"});

  ASSERT_EQ(result.code, 0) << result.err;
  const Json verdict = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << result.out;
  EXPECT_EQ(verdict.value("verified", false), true);
  EXPECT_EQ(verdict.value("ref", ""), "acme/base@v1");
  ASSERT_TRUE(verdict["files"].is_array());
  EXPECT_EQ(verdict["files"].size(), 3u);
  EXPECT_EQ(verdict["files"][0].value("verdict", ""), "match");
  EXPECT_TRUE(verdict["problems"].empty());
}

TEST_F(CliRegistryTest, VerifyFailsNamingAFileWithOneFlippedByte) {
  E2eRegistry& r = *registry_;
  const std::string dir = CopyModel("base", "flipped");
  std::string weights = ReadFile(dir + "/weights/model.safetensors");
  weights[12345] ^= 0x01;
  WriteFile(dir + "/weights/model.safetensors", weights);

  const CliResult result = r.Run({"verify", dir, "--model", "acme/base@v1"});

  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "MISMATCH weights/model.safetensors\n");
  EXPECT_THAT(result.err, HasSubstr("verification failed"));
}

TEST_F(CliRegistryTest, VerifyFailsNamingADeletedFile) {
  E2eRegistry& r = *registry_;
  const std::string dir = CopyModel("base", "deleted");
  std::filesystem::remove(dir + "/tokenizer.json");

  const CliResult result = r.Run({"verify", dir, "--model", "acme/base@v1"});

  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "MISSING tokenizer.json\n");
}

TEST_F(CliRegistryTest, VerifyFailsNamingAnAddedFile) {
  E2eRegistry& r = *registry_;
  const std::string dir = CopyModel("base", "added");
  WriteFile(dir + "/extra.bin", "smuggled");

  const CliResult result = r.Run({"verify", dir, "--model", "acme/base@v1"});

  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "UNEXPECTED extra.bin\n");
}

TEST_F(CliRegistryTest, VerifyAddedFileWithoutRefStillFindsTheRecord) {
  E2eRegistry& r = *registry_;
  const std::string dir = CopyModel("student", "added-noref");
  WriteFile(dir + "/extra.bin", "smuggled");

  const CliResult result = r.Run({"verify", dir});

  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "UNEXPECTED extra.bin\n");
}

TEST_F(CliRegistryTest, VerifyAgainstAnotherRefFails) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"verify", r.Path("models/base"), "--model", "acme/base@v2"});

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("MISMATCH weights/model.safetensors"));
  EXPECT_THAT(result.out, HasSubstr("UNEXPECTED tokenizer.json"));
}

TEST_F(CliRegistryTest, VerifyOfUnknownFilesFails) {
  E2eRegistry& r = *registry_;
  WriteFile(r.Path("unknown/model.bin"), "never published");

  const CliResult result = r.Run({"verify", r.Path("unknown")});

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, StartsWith("UNKNOWN no record"));
}

TEST_F(CliRegistryTest, VerifyOfUnknownRefFails) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"verify", r.Path("models/base"), "--model", "acme/nothing@v1"});

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("UNKNOWN acme/nothing@v1"));
}

TEST_F(CliRegistryTest, VerifyAgainstStoppedServerExitsThree) {
  E2eRegistry& r = *registry_;
  absl::StatusOr<E2eServer> server =
      r.StartServer(E2eRegistry::Database::kShared);
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT(server->process->Signal(SIGTERM), IsOk());
  ASSERT_THAT(server->process->Wait(absl::Now() + kTimeout), IsOk());

  const CliResult result = r.Run(
      {"verify", r.Path("models/base"), "--model", "acme/base@v1", "--no-log"},
      server->address);

  EXPECT_EQ(result.code, 3);
  EXPECT_THAT(result.err, HasSubstr("cannot reach the registry at 127.0.0.1:"));
}

TEST_F(CliRegistryTest, VerifyOfMissingDirectoryIsAUsageError) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"verify", r.Path("no-such-dir")});

  EXPECT_EQ(result.code, 2);
}

// --- show, history, search -------------------------------------------------

TEST_F(CliRegistryTest, ShowPrintsLicensesDatasetsParentsAndOpenness) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"show", "acme/merged@v1"});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out,
              AllOf(StartsWith("acme/merged@v1\n"),
                    HasSubstr("licenses   weights Apache-2.0, code MIT"),
                    HasSubstr("FineWeb (pretraining, full_release"),
                    HasSubstr("[merge] acme/base-instruct@v1"),
                    HasSubstr("[merge] acme/student@v1"),
                    HasSubstr("openness   open_weight")));
}

TEST_F(CliRegistryTest, ShowWithoutVersionShowsTheLatest) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"show", "acme/base"});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("acme/base@v2\n"));
}

TEST_F(CliRegistryTest, ShowOfUnknownRefIsAnError) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"show", "acme/nothing@v1"});

  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err, HasSubstr("show acme/nothing@v1"));
}

TEST_F(CliRegistryTest, HistoryListsVersionsNewestFirst) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"history", "acme/base"});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, ::testing::MatchesRegex(
                              "v2  published 20[0-9-]+T[0-9:]+Z  released "
                              "2025-01-20  [0-9a-f]{64}\n"
                              "v1  published .*\n"));
}

TEST_F(CliRegistryTest, SearchByParentAndRelation) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"search", "--parent", "acme/base-instruct@v1",
                                  "--relation", "distillation"});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("acme/student@v1  open_weight"));
  EXPECT_THAT(result.out, Not(HasSubstr("acme/merged@v1")));
}

TEST_F(CliRegistryTest, SearchByNamePrefixJson) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"--output", "json", "search", "--namespace",
                                  "acme", "--name-prefix", "base"});

  ASSERT_EQ(result.code, 0) << result.err;
  const Json found = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(found.is_object()) << result.out;
  std::set<std::string> refs;
  for (const Json& record : found["records"]) {
    refs.insert(record.value("ref", ""));
  }
  EXPECT_EQ(refs, (std::set<std::string>{"acme/base@v1", "acme/base@v2",
                                         "acme/base-instruct@v1",
                                         "acme/base-lora@v1"}));
}

// --- lineage ---------------------------------------------------------------

TEST_F(CliRegistryTest, LineageUpTreeShowsEveryAncestorWithRelations) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"lineage", "acme/merged-gguf@v1", "--up"});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out,
              AllOf(StartsWith("acme/merged-gguf@v1"),
                    HasSubstr("[quantized] acme/merged@v1"),
                    HasSubstr("[merge] acme/base-instruct@v1"),
                    HasSubstr("[merge] acme/student@v1"),
                    HasSubstr("[distillation] acme/base-instruct@v1"),
                    HasSubstr("[finetune] acme/base@v1")));
  EXPECT_THAT(result.out, Not(HasSubstr("base-lora")));
}

TEST_F(CliRegistryTest, LineageDownTreeShowsEveryDescendant) {
  E2eRegistry& r = *registry_;

  const CliResult result = r.Run({"lineage", "acme/base@v1", "--down"});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, AllOf(HasSubstr("Descendants:"),
                                HasSubstr("[finetune] acme/base-instruct@v1"),
                                HasSubstr("[adapter] acme/base-lora@v1"),
                                HasSubstr("[distillation] acme/student@v1"),
                                HasSubstr("[merge] acme/merged@v1"),
                                HasSubstr("[quantized] acme/merged-gguf@v1")));
}

TEST_F(CliRegistryTest, LineageJsonBothWays) {
  E2eRegistry& r = *registry_;

  const CliResult up =
      r.Run({"lineage", "acme/merged@v1", "--up", "--format", "json"});
  const CliResult down =
      r.Run({"lineage", "acme/base-instruct@v1", "--down", "--format", "json"});

  ASSERT_EQ(up.code, 0) << up.err;
  ASSERT_EQ(down.code, 0) << down.err;
  const Json up_json = Json::parse(up.out, nullptr, false);
  const Json down_json = Json::parse(down.out, nullptr, false);
  EXPECT_EQ(NodeRefs(up_json),
            (std::set<std::string>{"acme/merged@v1", "acme/base-instruct@v1",
                                   "acme/student@v1", "acme/base@v1"}));
  EXPECT_EQ(up_json["edges"].size(), 4u);
  EXPECT_EQ(NodeRefs(down_json),
            (std::set<std::string>{"acme/base-instruct@v1", "acme/base-lora@v1",
                                   "acme/student@v1", "acme/merged@v1",
                                   "acme/merged-gguf@v1"}));
}

TEST_F(CliRegistryTest, LineageDotBothWaysIsAGraphvizDigraph) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"lineage", "acme/merged@v1", "--both", "--format", "dot"});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(
      result.out,
      AllOf(StartsWith("digraph lineage {"), HasSubstr("acme/merged-gguf@v1"),
            HasSubstr("acme/base@v1"), HasSubstr("quantized"),
            HasSubstr("merge"), HasSubstr("distillation")));
  EXPECT_EQ(result.out.back(), '\n');
  EXPECT_THAT(result.out, HasSubstr("}\n"));
}

TEST_F(CliRegistryTest, LineageRelationFilterFollowsOnlyThatRelation) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"lineage", "acme/merged-gguf@v1", "--up", "--relation",
             "quantized", "--format", "json"});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(NodeRefs(Json::parse(result.out, nullptr, false)),
            (std::set<std::string>{"acme/merged-gguf@v1", "acme/merged@v1"}));
}

// --- export ------------------------------------------------------------------

std::vector<std::string> SpdxNamesOfType(const Json& document,
                                         const std::string& type) {
  std::vector<std::string> names;
  const auto graph = document.find("@graph");
  if (graph == document.end() || !graph->is_array()) return names;
  for (const Json& element : *graph) {
    if (element.value("type", "") == type) {
      names.push_back(element.value("name", ""));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(CliRegistryTest, ExportSpdx3HasTheReleaseItsAncestorsAndDatasets) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"export", "acme/base-lora@v1", "--format", "spdx3"});

  ASSERT_EQ(result.code, 0) << result.err;
  const Json document = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(document.is_object()) << result.out;
  EXPECT_EQ(document.value("@context", ""),
            "https://spdx.org/rdf/3.0.1/spdx-context.jsonld");
  EXPECT_EQ(SpdxNamesOfType(document, "ai_AIPackage"),
            (std::vector<std::string>{"acme/base", "acme/base-instruct",
                                      "acme/base-lora"}));
  EXPECT_EQ(SpdxNamesOfType(document, "dataset_DatasetPackage"),
            (std::vector<std::string>{"FineWeb"}));
  EXPECT_THAT(result.out,
              AllOf(HasSubstr("\"relationshipType\": \"descendantOf\""),
                    HasSubstr("pedigree relation adapter"),
                    HasSubstr("pedigree relation finetune"),
                    HasSubstr("\"relationshipType\": \"trainedOn\"")));
}

TEST_F(CliRegistryTest, ExportCycloneDxToAFileListsADiamondOnce) {
  E2eRegistry& r = *registry_;
  const std::string path = r.Path("exports/merged-gguf.cdx.json");

  const CliResult result = r.Run(
      {"export", "acme/merged-gguf@v1", "--format", "cyclonedx", "-o", path});

  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  const Json bom = Json::parse(ReadFile(path), nullptr, false);
  ASSERT_TRUE(bom.is_object());
  EXPECT_EQ(bom.value("bomFormat", ""), "CycloneDX");
  EXPECT_EQ(bom.value("specVersion", ""), "1.6");
  EXPECT_THAT(bom.value("serialNumber", ""), StartsWith("urn:uuid:"));
  const Json& component = bom["metadata"]["component"];
  EXPECT_EQ(component.value("type", ""), "machine-learning-model");
  EXPECT_EQ(component.value("name", ""), "merged-gguf");
  std::vector<std::string> models;
  for (const Json& c : bom.value("components", Json::array())) {
    if (c.value("type", "") == "machine-learning-model") {
      models.push_back(c.value("name", ""));
    }
  }
  std::sort(models.begin(), models.end());
  EXPECT_EQ(models, (std::vector<std::string>{"base", "base-instruct", "merged",
                                              "student"}));
}

TEST_F(CliRegistryTest, ExportIsTheSameEveryTime) {
  E2eRegistry& r = *registry_;

  const CliResult first =
      r.Run({"export", "acme/merged@v1", "--format", "cyclonedx"});
  const CliResult second =
      r.Run({"export", "acme/merged@v1", "--format", "cyclonedx"});

  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
}

TEST_F(CliRegistryTest, ExportUnknownFormatIsAUsageError) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"export", "acme/base@v1", "--format", "spdx2"});

  EXPECT_EQ(result.code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("unknown export format \"spdx2\""));
}

TEST_F(CliRegistryTest, ExportUnknownRecordFailsWithTheRegistrysMessage) {
  E2eRegistry& r = *registry_;

  const CliResult result =
      r.Run({"export", "acme/no-such-model@v1", "--format", "spdx3"});

  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, AllOf(StartsWith("pedigree: export "),
                                HasSubstr("acme/no-such-model@v1")));
}

}  // namespace
}  // namespace pedigree
