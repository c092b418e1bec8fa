#include "client/cli/commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pedigree::client::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "pedigree-cli-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Path(const std::string& relative) const {
    return path_ + "/" + relative;
  }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunCli(const CliConfig& config) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunCommand(config, out, err);
  return Result{code, out.str(), err.str()};
}

CliConfig Keygen(const std::string& path) {
  CliConfig config;
  config.command = Command::kKeygen;
  config.keygen.out = path;
  return config;
}

TEST(RunCommandTest, KeygenWritesPrivateKeyWithMode0600AndPrintsKeyId) {
  TempDir dir;

  const Result result = RunCli(Keygen(dir.Path("key")));

  EXPECT_EQ(result.code, kExitOk) << result.err;
  EXPECT_THAT(result.out, MatchesRegex("[0-9a-f]{64}\n"));
  EXPECT_EQ(result.err, "");
  struct stat info;
  ASSERT_EQ(stat(dir.Path("key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_THAT(ReadFile(dir.Path("key")), StartsWith("-----BEGIN PRIVATE KEY"));
  EXPECT_THAT(ReadFile(dir.Path("key.pub")),
              StartsWith("-----BEGIN PUBLIC KEY"));
}

TEST(RunCommandTest, KeygenRefusesToOverwriteAnExistingKey) {
  TempDir dir;
  ASSERT_EQ(RunCli(Keygen(dir.Path("key"))).code, kExitOk);
  const std::string before = ReadFile(dir.Path("key"));

  const Result result = RunCli(Keygen(dir.Path("key")));

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("already exists"));
  EXPECT_EQ(ReadFile(dir.Path("key")), before);
}

TEST(RunCommandTest, KeygenRefusesExistingPublicKeyAndLeavesNoPrivateKey) {
  TempDir dir;
  std::ofstream(dir.Path("key.pub")) << "mine";

  const Result result = RunCli(Keygen(dir.Path("key")));

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("key.pub"));
  EXPECT_FALSE(std::filesystem::exists(dir.Path("key")));
  EXPECT_EQ(ReadFile(dir.Path("key.pub")), "mine");
}

TEST(RunCommandTest, KeygenJsonOutputNamesTypeAndFiles) {
  TempDir dir;
  CliConfig config = Keygen(dir.Path("key"));
  config.keygen.type = "ecdsa-p256";
  config.output = OutputFormat::kJson;

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitOk) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"type\":\"ecdsa-p256\""));
  EXPECT_THAT(result.out, HasSubstr("key.pub"));
}

TEST(RunCommandTest, HashPrintsSha256sumLinesAndRoot) {
  TempDir dir;
  std::filesystem::create_directories(dir.Path("m"));
  std::ofstream(dir.Path("m/a.txt")) << "abc";
  CliConfig config;
  config.command = Command::kHash;
  config.hash.directory = dir.Path("m");

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitOk) << result.err;
  // SHA-256("abc"); the root is SHA-256 of that raw digest.
  EXPECT_THAT(
      result.out,
      MatchesRegex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb4"
                   "10ff61f20015ad  a.txt\nroot sha256:[0-9a-f]{64}\n"));
  EXPECT_EQ(result.err, "");
}

TEST(RunCommandTest, HashOfMissingDirectoryIsAnInputError) {
  TempDir dir;
  CliConfig config;
  config.command = Command::kHash;
  config.hash.directory = dir.Path("missing");

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, StartsWith("pedigree: "));
  EXPECT_THAT(result.err, HasSubstr("missing"));
  EXPECT_EQ(result.out, "");
}

TEST(RunCommandTest, AdminCommandWithoutAdminTokenIsAUsageError) {
  CliConfig config;
  config.command = Command::kNamespaceCreate;
  config.namespace_create.name = "acme-ai";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("PEDIGREE_ADMIN_TOKEN is not set"));
}

TEST(RunCommandTest, VerifyWithBadModelRefNamesTheFlag) {
  CliConfig config;
  config.command = Command::kVerify;
  config.verify.directory = "/nonexistent";
  config.verify.model = "acme-ai/Tiny";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, StartsWith("pedigree: --model: "));
}

TEST(RunCommandTest, VerifyWithoutPinnedLogKeyIsAUsageErrorSayingHowToPin) {
  CliConfig config;
  config.command = Command::kVerify;
  config.verify.directory = "/nonexistent";
  config.xdg_config_home = "/nonexistent-config";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("no log key is pinned"));
  EXPECT_THAT(result.err, HasSubstr("pedigree log key --pin"));
  EXPECT_THAT(result.err, HasSubstr("--no-log"));
}

TEST(RunCommandTest, VerifyWithMalformedLogKeyIsAUsageError) {
  CliConfig config;
  config.command = Command::kVerify;
  config.verify.directory = "/nonexistent";
  config.log_key = "not-a-key";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("pinned log key"));
}

TEST(RunCommandTest, TrustedKeyWithoutBundleIsAUsageError) {
  CliConfig config;
  config.command = Command::kVerify;
  config.verify.directory = "/nonexistent";
  config.verify.trusted_key = "key.pub";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("--trusted-key needs --bundle"));
}

TEST(RunCommandTest, BundleWithoutTrustedKeyIsAUsageError) {
  CliConfig config;
  config.command = Command::kVerify;
  config.verify.directory = "/nonexistent";
  config.verify.bundle = "bundle.json";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("--bundle needs --trusted-key"));
}

TEST(RunCommandTest, LogCheckpointWithoutPinnedKeyIsAUsageError) {
  CliConfig config;
  config.command = Command::kLogCheckpoint;
  config.xdg_config_home = "/nonexistent-config";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("no log key is pinned"));
}

TEST(RunCommandTest, SearchRelationWithoutParentIsAUsageError) {
  CliConfig config;
  config.command = Command::kSearch;
  config.search.relation = "finetune";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("--relation: needs --parent"));
}

TEST(RunCommandTest, LineageWithUnknownRelationIsAUsageError) {
  CliConfig config;
  config.command = Command::kLineage;
  config.lineage.model = "acme-ai/Tiny@v1";
  config.lineage.relations = {"cloned"};

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("--relation: "));
}

TEST(RunCommandTest, PublishWithBadModelRefNamesTheFlag) {
  CliConfig config;
  config.command = Command::kPublish;
  config.publish.dry_run = true;
  config.publish.model = "acme-ai/Tiny";

  const Result result = RunCli(config);

  EXPECT_EQ(result.code, kExitUsage);
  EXPECT_THAT(result.err, StartsWith("pedigree: --model: "));
}

TEST(ExitCodeForTest, MapsStatusCodesToDocumentedExitCodes) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("x")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("x")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(absl::AlreadyExistsError("x")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(absl::FailedPreconditionError("x")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(absl::PermissionDeniedError("x")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("x")), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor(absl::InternalError("x")), kExitFailed);
  EXPECT_EQ(ExitCodeFor(absl::AbortedError("x")), kExitFailed);
  EXPECT_EQ(ExitCodeFor(absl::DataLossError("x")), kExitFailed);
}

}  // namespace
}  // namespace pedigree::client::cli
