#include "tests/testing/e2e_registry.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/subprocess.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::testing {
namespace {

// OK if the CLI run `step` exited 0, else Internal naming it, with its
// stderr.
absl::Status StepStatus(const std::string& step, const CliResult& result) {
  if (result.code == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(step, ": ", result.err));
}

}  // namespace

std::string Weights(size_t size, unsigned seed) {
  std::string bytes(size, '\0');
  unsigned state = seed * 2654435761u + 1;
  for (char& byte : bytes) {
    state = state * 1103515245u + 12345u;
    byte = static_cast<char>(state >> 16);
  }
  return bytes;
}

absl::Status E2eRegistry::Start(const std::string& temp_prefix) {
  PEDIGREE_ASSIGN_OR_RETURN(pedigreed_, BinaryFromEnv("PEDIGREED"));
  PEDIGREE_ASSIGN_OR_RETURN(cli_, BinaryFromEnv("PEDIGREE_CLI"));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string admin_dsn, TestAdminDsn());
  PEDIGREE_ASSIGN_OR_RETURN(database_, ScratchDatabase::Create(admin_dsn));
  PEDIGREE_RETURN_IF_ERROR(temp_dir_.Create(temp_prefix));
  PEDIGREE_ASSIGN_OR_RETURN(shared_, StartServer(Database::kShared));
  return absl::OkStatus();
}

absl::StatusOr<E2eServer> E2eRegistry::StartServer(Database database) {
  E2eServer server;
  std::string database_url = database_->dsn();
  if (database == Database::kFresh) {
    PEDIGREE_ASSIGN_OR_RETURN(const std::string admin_dsn, TestAdminDsn());
    PEDIGREE_ASSIGN_OR_RETURN(server.database,
                              ScratchDatabase::Create(admin_dsn));
    database_url = server.database->dsn();
  }
  server::SubprocessOptions options;
  options.argv = {pedigreed_,       "--listen",       "127.0.0.1:0",
                  "--database-url", database_url,     "--admin-token",
                  kE2eAdminToken,   "--log-key-file", Path("log-key.pem")};
  options.stderr_path = Path(absl::StrCat("pedigreed.", servers_++, ".err"));
  const std::string stderr_path = options.stderr_path;
  absl::StatusOr<StartedPedigreed> started =
      StartPedigreed(std::move(options), absl::Now() + kTimeout);
  if (!started.ok()) {
    return absl::Status(
        started.status().code(),
        absl::StrCat("pedigreed did not start: ", started.status().message(),
                     "\n", ReadFile(stderr_path)));
  }
  server.process = std::move(started->process);
  server.address = absl::StrCat("127.0.0.1:", started->port);
  return server;
}

CliResult E2eRegistry::Run(std::vector<std::string> args,
                           const std::string& server,
                           const std::string& config) {
  return RunCliWith({"--server", server.empty() ? shared_.address : server},
                    std::move(args), config);
}

CliResult E2eRegistry::RunOffline(std::vector<std::string> args) {
  return RunCliWith({}, std::move(args), "config");
}

CliResult E2eRegistry::RunCliWith(std::vector<std::string> argv_prefix,
                                  std::vector<std::string> args,
                                  const std::string& config) {
  server::SubprocessOptions options;
  options.argv = {cli_};
  options.argv.insert(options.argv.end(), argv_prefix.begin(),
                      argv_prefix.end());
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.extra_env = CliRegistryEnv(Path(config));
  options.stderr_path = Path(absl::StrCat("cli.", runs_++, ".err"));
  return RunCli(std::move(options), kTimeout);
}

void E2eRegistry::WriteModel(
    const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& files,
    const std::string& meta) {
  for (const auto& [file, content] : files) {
    WriteFile(Path("models/" + name + "/" + file), content);
  }
  WriteFile(Path("models/" + name + ".meta.json"), meta);
}

absl::Status E2eRegistry::Publish(const std::string& name,
                                  const std::string& ref,
                                  const std::string& key) {
  const CliResult result =
      Run({"publish", Path("models/" + name), "--model", ref, "--key",
           Path(key), "--meta", Path("models/" + name + ".meta.json")});
  if (result.code != 0) {
    return absl::InternalError(absl::StrCat("publish ", ref, " exited ",
                                            result.code, ": ", result.err));
  }
  return absl::OkStatus();
}

absl::Status E2eRegistry::SetUpPublisher(const std::string& name) {
  PEDIGREE_RETURN_IF_ERROR(
      StepStatus("keygen", RunOffline({"keygen", "--out", Path("key")})));
  PEDIGREE_RETURN_IF_ERROR(
      StepStatus("namespace create", Run({"namespace", "create", name})));
  PEDIGREE_RETURN_IF_ERROR(
      StepStatus("key add", Run({"key", "add", name, Path("key.pub")})));
  PEDIGREE_RETURN_IF_ERROR(
      StepStatus("log key --pin", Run({"log", "key", "--pin"})));
  return absl::OkStatus();
}

E2eRegistry* E2eRegistryTest::registry_ = nullptr;
absl::Status* E2eRegistryTest::setup_status_ = nullptr;

void E2eRegistryTest::StartRegistry(
    const std::string& temp_prefix,
    absl::Status (*set_up)(E2eRegistry& registry)) {
  registry_ = new E2eRegistry();
  setup_status_ = new absl::Status(registry_->Start(temp_prefix));
  if (setup_status_->ok()) *setup_status_ = set_up(*registry_);
}

void E2eRegistryTest::TearDownTestSuite() {
  delete registry_;
  registry_ = nullptr;
  delete setup_status_;
  setup_status_ = nullptr;
}

void E2eRegistryTest::SetUp() {
  ASSERT_NE(setup_status_, nullptr) << "StartRegistry() was not called";
  ASSERT_THAT(*setup_status_, IsOk()) << "suite setup";
}

}  // namespace pedigree::testing
