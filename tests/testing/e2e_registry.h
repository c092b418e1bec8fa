#ifndef PEDIGREE_TESTS_TESTING_E2E_REGISTRY_H_
#define PEDIGREE_TESTS_TESTING_E2E_REGISTRY_H_

// A throwaway registry for the end-to-end tests of the CLI (tests/e2e/cli_*):
// a scratch PostgreSQL database, a pedigreed on it and a temp directory for
// keys, model directories, CLI config and the processes' stderr files; the
// CLI binary is run as a subprocess per command against it.
//
//   E2eRegistry registry;
//   ASSERT_OK(registry.Start("pedigree-cli-foo-e2e"));
//   ASSERT_OK(registry.SetUpPublisher("acme"));
//   registry.WriteModel("base", {{"model.safetensors", Weights(1000, 1)}},
//                       meta_json);
//   ASSERT_OK(registry.Publish("base", "acme/base@v1"));
//   CliResult shown = registry.Run({"show", "acme/base@v1"});
//
// Needs PEDIGREED and PEDIGREE_CLI (the binaries' paths, set by
// tests/CMakeLists.txt) and PEDIGREE_TEST_PG_DSN. Not thread-safe.

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/util/subprocess.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/pg_fixture.h"

namespace pedigree::testing {

// `size` deterministic pseudo-random bytes standing in for model weights:
// the same (size, seed) gives the same bytes, another seed other bytes.
std::string Weights(size_t size, unsigned seed);

// A pedigreed started by E2eRegistry. Destroying it kills the process
// (SIGKILL) first, then drops its database if it has one of its own.
struct E2eServer {
  // Its own scratch database; null when it shares the registry's.
  std::unique_ptr<ScratchDatabase> database;
  std::unique_ptr<server::Subprocess> process;
  std::string address;  // "127.0.0.1:PORT"
};

// The registry: one scratch database, one pedigreed on it (the "shared
// server"), one temp directory. Every pedigreed it starts listens on a free
// port of 127.0.0.1, takes kE2eAdminToken as its admin token and signs its
// log with the key in Path("log-key.pem") (created by the first one), so
// that all of them are the same log as far as the CLI is concerned.
// Destroying the registry kills its pedigreed, drops the database and
// removes the temp directory. Not copyable.
class E2eRegistry {
 public:
  // How long starting a pedigreed, or one CLI run, may take.
  static constexpr absl::Duration kTimeout = absl::Seconds(60);

  // Whether another pedigreed serves the shared database or a fresh one
  // (another log with the same key: a fork of the shared one).
  enum class Database { kShared, kFresh };

  E2eRegistry() = default;
  E2eRegistry(const E2eRegistry&) = delete;
  E2eRegistry& operator=(const E2eRegistry&) = delete;
  ~E2eRegistry() = default;

  // Reads PEDIGREED and PEDIGREE_CLI, creates the database and the temp
  // directory /tmp/<temp_prefix>-XXXXXX and starts the shared server. Call
  // once, before anything else. Returns FailedPrecondition if a variable is
  // not set, the ScratchDatabase::Create() or TempDir::Create() error, or
  // the StartServer() error.
  absl::Status Start(const std::string& temp_prefix);

  // Starts another pedigreed, on the shared database or a fresh one, with
  // its stderr in Path("pedigreed.<n>.err") (n counts the servers started,
  // the shared one being 0). On failure, returns the error of creating the
  // database or starting the process with "pedigreed did not start: " and
  // that stderr appended to its message.
  absl::StatusOr<E2eServer> StartServer(Database database);

  // `relative` inside the temp directory.
  std::string Path(const std::string& relative) const {
    return temp_dir_.Path(relative);
  }

  // "127.0.0.1:PORT" of the shared server.
  const std::string& server_address() const { return shared_.address; }

  // Runs the CLI as `pedigree --server SERVER args...` to completion within
  // kTimeout, where SERVER is `server`, or the shared server's address when
  // `server` is empty. Its environment is CliRegistryEnv(Path(config)): the
  // admin token, and pinned log keys and remembered checkpoints kept in the
  // temp directory. Its stderr goes to Path("cli.<n>.err"). Failures to run
  // it are non-fatal gtest failures (see RunCli()).
  CliResult Run(std::vector<std::string> args, const std::string& server = "",
                const std::string& config = "config");

  // Runs the CLI as `pedigree args...`, with no --server, otherwise as
  // Run(): for offline commands, or `args` naming a server of their own.
  CliResult RunOffline(std::vector<std::string> args);

  // Writes the model directory Path("models/<name>") with `files` (path
  // relative to it, content) and its meta file
  // Path("models/<name>.meta.json") holding `meta`, replacing what was
  // there. A failure shows when the directory is published or verified.
  void WriteModel(const std::string& name,
                  const std::vector<std::pair<std::string, std::string>>& files,
                  const std::string& meta);

  // Publishes models/<name> (see WriteModel()) as the model `ref` with the
  // private key Path(key). Returns Internal naming `ref`, the exit code and
  // the CLI's stderr if it does not exit 0.
  absl::Status Publish(const std::string& name, const std::string& ref,
                       const std::string& key = "key");

  // Makes a publisher of namespace `name`: generates the key pair
  // Path("key") and Path("key.pub"), creates the namespace, adds the public
  // key to it, and pins the registry's log key in the CLI config "config"
  // (trust on first use, so that verify also proves log inclusion). Returns
  // Internal naming the step that failed and the CLI's stderr.
  absl::Status SetUpPublisher(const std::string& name);

 private:
  // Runs `args` with the CLI; `argv_prefix` goes between the binary and
  // `args`.
  CliResult RunCliWith(std::vector<std::string> argv_prefix,
                       std::vector<std::string> args,
                       const std::string& config);

  std::string pedigreed_;
  std::string cli_;
  TempDir temp_dir_;
  // Declared after the temp directory and destroyed before it: the
  // processes go before their files do.
  std::unique_ptr<ScratchDatabase> database_;
  E2eServer shared_;  // destroyed before database_
  int servers_ = 0;
  int runs_ = 0;
};

// A gtest fixture for a suite whose tests share one E2eRegistry, set up
// once per suite. The suite's SetUpTestSuite() calls StartRegistry(); every
// test then fails at SetUp() if that failed, and uses registry_.
//
//   class CliFooTest : public testing::E2eRegistryTest {
//    protected:
//     static void SetUpTestSuite() {
//       StartRegistry("pedigree-cli-foo-e2e", PublishModels);
//     }
//     static absl::Status PublishModels(E2eRegistry& registry);
//   };
//
// One suite's registry at a time: gtest runs suites one after another.
class E2eRegistryTest : public ::testing::Test {
 protected:
  // Creates registry_, starts it (E2eRegistry::Start(temp_prefix)) and, if
  // that succeeded, runs `set_up` on it (publishing the suite's models, say),
  // keeping the first error for SetUp().
  static void StartRegistry(const std::string& temp_prefix,
                            absl::Status (*set_up)(E2eRegistry& registry));

  // Destroys registry_ (its pedigreed, database and temp directory).
  static void TearDownTestSuite();

  // Fails the test (fatally) if StartRegistry() failed or was not called.
  void SetUp() override;

  // The suite's registry; null outside the suite.
  static E2eRegistry* registry_;

 private:
  // What StartRegistry() returned; null outside the suite.
  static absl::Status* setup_status_;
};

}  // namespace pedigree::testing

#endif  // PEDIGREE_TESTS_TESTING_E2E_REGISTRY_H_
