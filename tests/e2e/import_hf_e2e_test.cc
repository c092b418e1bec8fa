// End-to-end tests of `pedigree import-hf` (no registry): the built binary
// turns a real model card (front matter of the praxis/spanfinder-3b card,
// client/lib/testdata/hf_cards/README.md) into a meta file that
// `pedigree publish --dry-run` accepts; failures exit 2 with one line.
//
// Environment: PEDIGREE_CLI (path of the binary, set by tests/CMakeLists.txt).

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/subprocess.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/status_matchers.h"

namespace pedigree {
namespace {

using ::pedigree::server::SubprocessOptions;
using ::pedigree::testing::CliResult;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::ReadFile;
using ::pedigree::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::Duration kTimeout = absl::Seconds(60);

constexpr char kCard[] = R"(---
license: other
license_name: qwen-research
license_link: https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE
base_model: Qwen/Qwen2.5-3B-Instruct
tags:
- lora
- peft
- qwen
- privacy
- pii
- on-device
---

> **Improved using Qwen**
)";

class ImportHfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(binary_, testing::BinaryFromEnv("PEDIGREE_CLI"));
    ASSERT_THAT(temp_dir_.Create("pedigree-import-hf-e2e"), IsOk());
    WriteFile(Path("README.md"), kCard);
  }

  std::string Path(const std::string& relative) const {
    return temp_dir_.Path(relative);
  }

  CliResult RunCli(const std::vector<std::string>& args) {
    SubprocessOptions options;
    options.argv = {binary_};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.stderr_path = Path(absl::StrCat("stderr.", runs_++));
    return testing::RunCli(std::move(options), kTimeout);
  }

  std::vector<std::string> FullImport() const {
    return {"import-hf",
            Path("README.md"),
            "-o",
            Path("meta.json"),
            "--base-version",
            "Qwen/Qwen2.5-3B-Instruct=main",
            "--description",
            "PII span detection adapter.",
            "--release-date",
            "2025-01-20",
            "--publisher",
            "Praxis",
            "--code-license",
            "Apache-2.0"};
  }

  std::string binary_;
  testing::TempDir temp_dir_;
  int runs_ = 0;
};

TEST_F(ImportHfTest, CompleteImportIsAcceptedByPublishDryRun) {
  const CliResult imported = RunCli(FullImport());
  ASSERT_TRUE(imported.exit.success()) << imported.err;
  ASSERT_TRUE(RunCli({"keygen", "--out", Path("key")}).exit.success());
  WriteFile(Path("model/adapter_model.safetensors"), "weights");

  const CliResult published =
      RunCli({"publish", Path("model"), "--model", "praxis/spanfinder-3b@v1",
              "--key", Path("key"), "--meta", Path("meta.json"), "--dry-run"});

  EXPECT_THAT(imported.out, HasSubstr("complete: nothing left to fill in"));
  EXPECT_THAT(imported.err, HasSubstr("assumed adapter"));
  EXPECT_TRUE(published.exit.success()) << published.err;
  EXPECT_THAT(ReadFile(Path("meta.json")),
              HasSubstr("\"LicenseRef-Qwen-Research-License\""));
}

TEST_F(ImportHfTest, IncompleteImportListsTheFieldsToFillIn) {
  const CliResult result =
      RunCli({"import-hf", Path("README.md"), "-o", Path("meta.json"),
              "--base-version", "Qwen/Qwen2.5-3B-Instruct=main"});

  ASSERT_TRUE(result.exit.success()) << result.err;
  EXPECT_THAT(result.out, HasSubstr("meta.release_date  <- --release-date"));
  EXPECT_THAT(ReadFile(Path("meta.json")), HasSubstr("\"description\": null"));
}

TEST_F(ImportHfTest, JsonOutputSummarisesMissingFields) {
  const CliResult result =
      RunCli({"--output", "json", "import-hf", Path("README.md"),
              "--base-version", "Qwen/Qwen2.5-3B-Instruct=main"});

  ASSERT_TRUE(result.exit.success()) << result.err;
  EXPECT_THAT(result.out, StartsWith("{"));
  EXPECT_THAT(result.out, HasSubstr("\"complete\":false"));
  EXPECT_THAT(result.out, HasSubstr("\"field\":\"meta.description\""));
}

TEST_F(ImportHfTest, ExistingMetaFileIsNotOverwrittenWithoutForce) {
  WriteFile(Path("meta.json"), "keep");

  const CliResult refused = RunCli(FullImport());
  std::vector<std::string> forced = FullImport();
  forced.push_back("--force");
  const CliResult overwritten = RunCli(forced);

  EXPECT_EQ(refused.exit.code, 2);
  EXPECT_THAT(refused.err, HasSubstr("already exists"));
  EXPECT_TRUE(overwritten.exit.success()) << overwritten.err;
  EXPECT_THAT(ReadFile(Path("meta.json")), HasSubstr("\"parents\""));
}

TEST_F(ImportHfTest, MissingBaseVersionExitsTwoNamingTheFlag) {
  const CliResult result = RunCli({"import-hf", Path("README.md")});

  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.code, 2);
  EXPECT_THAT(result.err, HasSubstr("pedigree: a parent needs the version"));
  EXPECT_THAT(result.err, HasSubstr("--base-version"));
}

TEST_F(ImportHfTest, UnknownHubLicenseExitsTwoWithCardLine) {
  WriteFile(Path("bad.md"), "---\nlicense: llama4\n---\n");

  const CliResult result = RunCli({"import-hf", Path("bad.md")});

  EXPECT_EQ(result.exit.code, 2);
  EXPECT_THAT(result.err, HasSubstr("bad.md: line 2: license: \"llama4\""));
}

TEST_F(ImportHfTest, MalformedFrontMatterExitsTwo) {
  WriteFile(Path("bad.md"), "---\nlicense: mit\nlicense: mit\n---\n");

  const CliResult result = RunCli({"import-hf", Path("bad.md")});

  EXPECT_EQ(result.exit.code, 2);
  EXPECT_THAT(result.err, HasSubstr("line 3: duplicate key \"license\""));
}

}  // namespace
}  // namespace pedigree
