// End-to-end tests of the `pedigree` CLI's transparency-log features against
// a real registry: pedigreed runs as a subprocess on a fresh database
// (PEDIGREE_TEST_PG_DSN) with its log key in a temp file; the CLI binary runs
// as a subprocess per command with XDG_CONFIG_HOME in a temp directory, so
// its pinned keys and remembered checkpoints are the test's own.
//
// Covered: log key (unverified print, --pin trust on first use), log
// checkpoint, publish and verify proving inclusion, verify without a pinned
// key (exit 2) or with --no-log, a wrong pinned key (exit 1), a forked log
// (a second pedigreed with the same log key and another history: exit 1),
// bundles and every offline bundle failure (exit 1).
//
// Environment: PEDIGREED, PEDIGREE_CLI (set by tests/CMakeLists.txt) and
// PEDIGREE_TEST_PG_DSN.

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/note/note.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/util/subprocess.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"

namespace pedigree {
namespace {

using ::pedigree::server::Subprocess;
using ::pedigree::server::SubprocessOptions;
using ::pedigree::testing::CliResult;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::ReadFile;
using ::pedigree::testing::WriteFile;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;
using Json = nlohmann::json;

constexpr absl::Duration kTimeout = absl::Seconds(60);

std::string Meta(const std::string& description) {
  return absl::StrCat(R"({"description": ")", description,
                      R"(", "release_date": "2025-01-20",
  "publisher": {"organization": "Acme AI", "jurisdiction": "GB"},
  "licenses": {"weights": "Apache-2.0", "code": "MIT"},
  "openness": {"claim": "open_weight"}, "datasets": [], "parents": []})");
}

// A pedigreed on its own scratch database.
struct Server {
  std::unique_ptr<testing::ScratchDatabase> database;
  std::unique_ptr<Subprocess> process;
  std::string address;
};

class Env {
 public:
  std::string Start() {
    absl::StatusOr<std::string> pedigreed = testing::BinaryFromEnv("PEDIGREED");
    if (!pedigreed.ok()) return std::string(pedigreed.status().message());
    absl::StatusOr<std::string> cli = testing::BinaryFromEnv("PEDIGREE_CLI");
    if (!cli.ok()) return std::string(cli.status().message());
    pedigreed_ = *std::move(pedigreed);
    cli_ = *std::move(cli);
    const absl::Status created = temp_dir_.Create("pedigree-cli-log-e2e");
    if (!created.ok()) return std::string(created.message());
    return StartServer(&main_);
  }

  ~Env() {
    main_.process.reset();
    main_.database.reset();
  }

  // Starts a pedigreed with the shared log key file on a fresh database.
  std::string StartServer(Server* server) {
    absl::StatusOr<std::string> admin_dsn = testing::TestAdminDsn();
    if (!admin_dsn.ok()) return std::string(admin_dsn.status().message());
    absl::StatusOr<std::unique_ptr<testing::ScratchDatabase>> database =
        testing::ScratchDatabase::Create(*admin_dsn);
    if (!database.ok()) return std::string(database.status().message());
    server->database = *std::move(database);
    SubprocessOptions options;
    options.argv = {pedigreed_,
                    "--listen",
                    "127.0.0.1:0",
                    "--database-url",
                    server->database->dsn(),
                    "--log-key-file",
                    Path("log-key.pem"),
                    "--admin-token",
                    testing::kE2eAdminToken};
    const std::string err =
        Path(absl::StrCat("pedigreed.", servers_++, ".err"));
    options.stderr_path = err;
    absl::StatusOr<testing::StartedPedigreed> started =
        testing::StartPedigreed(std::move(options), absl::Now() + kTimeout);
    if (!started.ok()) {
      return absl::StrCat("pedigreed did not start: ",
                          started.status().message(), "\n", ReadFile(err));
    }
    server->address = absl::StrCat("127.0.0.1:", started->port);
    server->process = std::move(started->process);
    return "";
  }

  std::string Path(const std::string& relative) const {
    return temp_dir_.Path(relative);
  }

  // Runs the CLI against `server` (the main one by default) with the config
  // directory `config` (under the temp dir).
  CliResult Run(const std::vector<std::string>& args,
                const std::string& config = "config",
                const Server* server = nullptr) {
    SubprocessOptions options;
    options.argv = {cli_, "--server",
                    server == nullptr ? main_.address : server->address};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.extra_env = testing::CliRegistryEnv(Path(config));
    options.stderr_path = Path(absl::StrCat("cli.", runs_++, ".err"));
    return testing::RunCli(std::move(options), kTimeout);
  }

  // Returns the state file of `server` for config dir `config`.
  std::string StateFile(const Server& server,
                        const std::string& config = "config") const {
    return Path(absl::StrCat(
        config, "/pedigree/log-state/",
        absl::StrReplaceAll(server.address, {{":", "%3A"}}), ".json"));
  }

  Server& main() { return main_; }

 private:
  std::string pedigreed_;
  std::string cli_;
  testing::TempDir temp_dir_;
  Server main_;
  int servers_ = 0;
  int runs_ = 0;
};

class CliLogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env();
    setup_error_ = new std::string(env_->Start());
    if (setup_error_->empty()) *setup_error_ = Publish();
  }

  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }

  void SetUp() override { ASSERT_EQ(*setup_error_, "") << "suite setup"; }

  // Pins the log key, then publishes acme/base@v1 from models/base.
  static std::string Publish() {
    Env& e = *env_;
    if (e.Run({"keygen", "--out", e.Path("key")}).code != 0) return "keygen";
    if (e.Run({"namespace", "create", "acme"}).code != 0) return "namespace";
    if (e.Run({"key", "add", "acme", e.Path("key.pub")}).code != 0) {
      return "key add";
    }
    const CliResult pinned = e.Run({"log", "key", "--pin"});
    if (pinned.code != 0) return "log key --pin: " + pinned.err;
    WriteFile(e.Path("models/base/config.json"), "{\"hidden_size\": 64}\n");
    WriteFile(e.Path("models/base/model.safetensors"),
              std::string(4096, '\x42'));
    WriteFile(e.Path("base.meta.json"), Meta("Acme base model."));
    const CliResult published =
        e.Run({"publish", e.Path("models/base"), "--model", "acme/base@v1",
               "--key", e.Path("key"), "--meta", e.Path("base.meta.json")});
    if (published.code != 0) return "publish: " + published.err;
    *publish_out_ = published.out;
    return "";
  }

  // The registry's log key, as `log key --output json` states it.
  static std::string RegistryLogKey() {
    const CliResult result = env_->Run({"--output", "json", "log", "key"});
    const Json json = Json::parse(result.out, nullptr, false);
    if (!json.is_object()) return "";
    return json.value("log_key", "");
  }

  // A well-formed verifier key of another log with the same name.
  static std::string ForeignLogKey(const std::string& name) {
    absl::StatusOr<core::crypto::PrivateKey> key =
        core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519);
    EXPECT_THAT(key, IsOk());
    absl::StatusOr<core::note::NoteSigner> signer =
        core::note::NoteSigner::Create(name, *std::move(key));
    EXPECT_THAT(signer, IsOk());
    return signer->VerifierKey();
  }

  // Writes the bundle of acme/base@v1 to `name` and returns its path.
  static std::string WriteBundle(const std::string& name) {
    const std::string path = env_->Path(name);
    const CliResult result = env_->Run({"bundle", "acme/base@v1", "-o", path});
    EXPECT_EQ(result.code, 0) << result.err;
    return path;
  }

  // Runs an offline verify of `dir` against `bundle`, with no server (the
  // --server address is a closed port) and an empty config directory.
  static CliResult VerifyOffline(const std::string& dir,
                                 const std::string& bundle,
                                 const std::string& log_key,
                                 const std::string& trusted_key) {
    Server nowhere;
    nowhere.address = "127.0.0.1:1";
    return env_->Run({"--log-key", log_key, "verify", dir, "--bundle", bundle,
                      "--trusted-key", trusted_key},
                     "offline-config", &nowhere);
  }

  static std::string CopyModel(const std::string& copy) {
    const std::string target = env_->Path("copies/" + copy);
    std::filesystem::create_directories(target);
    std::filesystem::copy(
        env_->Path("models/base"), target,
        std::filesystem::copy_options::recursive |
            std::filesystem::copy_options::overwrite_existing);
    return target;
  }

  static Env* env_;
  static std::string* setup_error_;
  static std::string* publish_out_;
};

Env* CliLogTest::env_ = nullptr;
std::string* CliLogTest::setup_error_ = nullptr;
std::string* CliLogTest::publish_out_ = new std::string();

// --- log key, log checkpoint ------------------------------------------------

TEST_F(CliLogTest, LogKeyPrintsTheRegistrysKeyMarkedUnverified) {
  const CliResult result = env_->Run({"log", "key"}, "fresh-config");

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, MatchesRegex("[^+\n]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]+"
                                       "\n\\(UNVERIFIED[^\n]*\n"));
}

TEST_F(CliLogTest, LogKeyPinWroteTheConfigFile) {
  const std::string config =
      ReadFile(env_->Path("config/pedigree/config.json"));

  EXPECT_THAT(config, HasSubstr(env_->main().address));
  EXPECT_THAT(config, HasSubstr(RegistryLogKey()));
}

TEST_F(CliLogTest, LogKeyPinRefusesToReplaceAnotherPinnedKey) {
  const std::string other = ForeignLogKey("example.com/other");
  ASSERT_EQ(env_->Run({"log", "key", "--pin"}, "replace-config").code, 0);

  const CliResult result =
      env_->Run({"--log-key", other, "log", "key", "--pin"}, "replace-config");

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.err, HasSubstr("already pins another log key"));
}

TEST_F(CliLogTest, LogKeyPinOfAKeyThatDidNotSignTheCheckpointFails) {
  const std::string key = RegistryLogKey();
  const std::string other = ForeignLogKey(key.substr(0, key.find('+')));

  const CliResult result =
      env_->Run({"--log-key", other, "log", "key", "--pin"}, "pin-other");

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.err, HasSubstr("does not verify with the pinned log key"));
  EXPECT_FALSE(
      std::filesystem::exists(env_->Path("pin-other/pedigree/config.json")));
}

TEST_F(CliLogTest, LogCheckpointPrintsTheVerifiedCheckpointAndRemembersIt) {
  const CliResult result = env_->Run({"--output", "json", "log", "checkpoint"});

  ASSERT_EQ(result.code, 0) << result.err;
  const Json json = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << result.out;
  EXPECT_EQ(json.value("verified", false), true);
  EXPECT_GE(json.value("tree_size", 0u), 2u);  // the key and the record
  const std::string state = env_->StateFile(env_->main());
  EXPECT_THAT(ReadFile(state), HasSubstr(env_->main().address));
  struct stat info;
  ASSERT_EQ(stat(state.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(CliLogTest, LogCheckpointWithAnotherKeyPinnedFails) {
  const std::string key = RegistryLogKey();
  const std::string name = key.substr(0, key.find('+'));

  const CliResult result = env_->Run(
      {"--log-key", ForeignLogKey(name), "log", "checkpoint"}, "wrong-config");

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.err, HasSubstr("does not verify with the pinned log key"));
}

// --- publish, verify ---------------------------------------------------------

TEST_F(CliLogTest, PublishReportedItsLogInclusion) {
  EXPECT_THAT(*publish_out_,
              MatchesRegex("[0-9a-f]{64}\nlog: included at index [0-9]+ in "
                           "checkpoint of size [0-9]+\n"));
}

TEST_F(CliLogTest, VerifyProvesInclusionAndSaysSo) {
  const CliResult result = env_->Run(
      {"verify", env_->Path("models/base"), "--model", "acme/base@v1"});

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out,
              MatchesRegex("verified acme/base@v1 [^\n]*\nlog: included at "
                           "index [0-9]+ in checkpoint of size [0-9]+\n"));
  EXPECT_EQ(result.err, "");
}

TEST_F(CliLogTest, VerifyJsonReportsTheLogInclusion) {
  const CliResult result =
      env_->Run({"--output", "json", "verify", env_->Path("models/base")});

  ASSERT_EQ(result.code, 0) << result.err;
  const Json json = Json::parse(result.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << result.out;
  ASSERT_TRUE(json["log"].is_object());
  EXPECT_EQ(json["log"].value("checked", false), true);
  EXPECT_EQ(json["log"].value("included", false), true);
  EXPECT_GT(json["log"].value("tree_size", 0u),
            json["log"].value("log_index", 99u));
}

TEST_F(CliLogTest, VerifyWithoutAPinnedKeyExitsTwoSayingHowToPin) {
  const CliResult result =
      env_->Run({"verify", env_->Path("models/base")}, "empty-config");

  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err, AllOf(HasSubstr("no log key is pinned"),
                                HasSubstr("pedigree log key --pin"),
                                HasSubstr("--no-log")));
  EXPECT_EQ(result.out, "");
}

TEST_F(CliLogTest, VerifyWithNoLogSaysTheLogWasNotChecked) {
  const CliResult result = env_->Run(
      {"verify", env_->Path("models/base"), "--no-log"}, "empty-config");

  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("log inclusion NOT checked (--no-log)"));
}

TEST_F(CliLogTest, VerifyWithAWrongLogKeyFails) {
  const std::string key = RegistryLogKey();
  const std::string name = key.substr(0, key.find('+'));

  const CliResult result = env_->Run(
      {"--log-key", ForeignLogKey(name), "verify", env_->Path("models/base")},
      "wrong-verify-config");

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("LOG "));
  EXPECT_THAT(result.err, HasSubstr("verification failed"));
}

TEST_F(CliLogTest, AForkedLogIsALoudFailure) {
  // A second registry with the same log key and another history.
  Server fork;
  ASSERT_EQ(env_->StartServer(&fork), "");
  ASSERT_EQ(env_->Run({"namespace", "create", "evil"}, "config", &fork).code,
            0);
  ASSERT_EQ(
      env_->Run({"key", "add", "evil", env_->Path("key.pub")}, "config", &fork)
          .code,
      0);
  // The client remembers the main registry's checkpoint for that address.
  const std::string remembered = ReadFile(env_->StateFile(env_->main()));
  ASSERT_FALSE(remembered.empty());
  WriteFile(
      env_->StateFile(fork),
      absl::StrReplaceAll(remembered, {{env_->main().address, fork.address}}));
  chmod(env_->StateFile(fork).c_str(), 0600);
  const std::string pinned = RegistryLogKey();

  const CliResult result =
      env_->Run({"--log-key", pinned, "log", "checkpoint"}, "config", &fork);

  EXPECT_EQ(result.code, 1) << result.out;
  EXPECT_THAT(result.err, AllOf(HasSubstr("LOG INCONSISTENCY"),
                                HasSubstr("size "), HasSubstr("root ")));
  EXPECT_EQ(
      ReadFile(env_->StateFile(fork)),
      absl::StrReplaceAll(remembered, {{env_->main().address, fork.address}}));
}

// --- bundles
// -------------------------------------------------------------------

TEST_F(CliLogTest, BundleVerifiesOfflineWithNoServer) {
  const std::string bundle = WriteBundle("good.bundle.json");

  const CliResult result =
      VerifyOffline(env_->Path("models/base"), bundle, RegistryLogKey(),
                    env_->Path("key.pub"));

  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_THAT(result.out,
              MatchesRegex("verified acme/base@v1 [^\n]*\nlog: included at "
                           "index [0-9]+ in checkpoint of size [0-9]+\n"));
}

TEST_F(CliLogTest, BundleWithATamperedEnvelopeFails) {
  const std::string path = WriteBundle("tampered.bundle.json");
  Json bundle = Json::parse(ReadFile(path), nullptr, false);
  ASSERT_TRUE(bundle.is_object());
  std::string envelope = bundle["envelope"].get<std::string>();
  envelope[10] = envelope[10] == 'A' ? 'B' : 'A';
  bundle["envelope"] = envelope;
  WriteFile(path, bundle.dump());

  const CliResult result = VerifyOffline(
      env_->Path("models/base"), path, RegistryLogKey(), env_->Path("key.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("LOG INCLUSION"));
}

TEST_F(CliLogTest, BundleWithAnotherTrustedKeyFails) {
  const std::string bundle = WriteBundle("other-key.bundle.json");
  ASSERT_EQ(env_->Run({"keygen", "--out", env_->Path("stranger")}).code, 0);

  const CliResult result =
      VerifyOffline(env_->Path("models/base"), bundle, RegistryLogKey(),
                    env_->Path("stranger.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("BAD SIGNATURE"));
}

TEST_F(CliLogTest, BundleWithAProofForAnotherIndexFails) {
  const std::string path = WriteBundle("index.bundle.json");
  Json bundle = Json::parse(ReadFile(path), nullptr, false);
  bundle["log_index"] = bundle["log_index"].get<uint64_t>() == 0 ? 1 : 0;
  WriteFile(path, bundle.dump());

  const CliResult result = VerifyOffline(
      env_->Path("models/base"), path, RegistryLogKey(), env_->Path("key.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("LOG INCLUSION"));
}

TEST_F(CliLogTest, BundleWithAProofForAnotherSizeFails) {
  const std::string path = WriteBundle("size.bundle.json");
  Json bundle = Json::parse(ReadFile(path), nullptr, false);
  bundle["tree_size"] = bundle["tree_size"].get<uint64_t>() + 1;
  WriteFile(path, bundle.dump());

  const CliResult result = VerifyOffline(
      env_->Path("models/base"), path, RegistryLogKey(), env_->Path("key.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("LOG INCLUSION"));
}

TEST_F(CliLogTest, BundleWithAFlippedProofBitFails) {
  const std::string path = WriteBundle("flipped.bundle.json");
  Json bundle = Json::parse(ReadFile(path), nullptr, false);
  ASSERT_FALSE(bundle["inclusion_proof"].empty());
  std::string hash = bundle["inclusion_proof"][0].get<std::string>();
  hash[0] = hash[0] == '0' ? '1' : '0';
  bundle["inclusion_proof"][0] = hash;
  WriteFile(path, bundle.dump());

  const CliResult result = VerifyOffline(
      env_->Path("models/base"), path, RegistryLogKey(), env_->Path("key.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("LOG INCLUSION"));
}

TEST_F(CliLogTest, BundleWithACheckpointOfAnotherKeyFails) {
  const std::string bundle = WriteBundle("foreign.bundle.json");
  const std::string key = RegistryLogKey();

  const CliResult result = VerifyOffline(
      env_->Path("models/base"), bundle,
      ForeignLogKey(key.substr(0, key.find('+'))), env_->Path("key.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.out, HasSubstr("LOG CHECKPOINT"));
}

TEST_F(CliLogTest, BundleWithAModifiedFileFails) {
  const std::string bundle = WriteBundle("modified.bundle.json");
  const std::string dir = CopyModel("modified");
  WriteFile(dir + "/config.json", "{\"hidden_size\": 65}\n");

  const CliResult result =
      VerifyOffline(dir, bundle, RegistryLogKey(), env_->Path("key.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "MISMATCH config.json\n");
}

TEST_F(CliLogTest, BundleWithAMissingFileFails) {
  const std::string bundle = WriteBundle("missing.bundle.json");
  const std::string dir = CopyModel("missing");
  std::filesystem::remove(dir + "/config.json");

  const CliResult result =
      VerifyOffline(dir, bundle, RegistryLogKey(), env_->Path("key.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "MISSING config.json\n");
}

TEST_F(CliLogTest, BundleThatIsNotJsonFails) {
  WriteFile(env_->Path("garbage.bundle.json"), "garbage");

  const CliResult result = VerifyOffline(
      env_->Path("models/base"), env_->Path("garbage.bundle.json"),
      RegistryLogKey(), env_->Path("key.pub"));

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.err, HasSubstr("bundle"));
}

}  // namespace
}  // namespace pedigree
