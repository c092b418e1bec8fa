// End-to-end tests of the pedigreed binary: started as a subprocess against a
// fresh database, probed over gRPC, stopped with a signal.
//
// Environment: PEDIGREED (path of the binary, set by tests/CMakeLists.txt)
// and PEDIGREE_TEST_PG_DSN.

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/util/subprocess.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"

namespace pedigree {
namespace {

using ::pedigree::server::ExitStatus;
using ::pedigree::server::Subprocess;
using ::pedigree::server::SubprocessOptions;
using ::pedigree::testing::IsOk;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kStartTimeout = absl::Seconds(60);

// A pedigreed child whose stderr goes to a file in a private temp dir.
class PedigreedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(binary_, testing::BinaryFromEnv("PEDIGREED"));
    ASSERT_OK_AND_ASSIGN(const std::string admin_dsn, testing::TestAdminDsn());
    ASSERT_OK_AND_ASSIGN(database_,
                         testing::ScratchDatabase::Create(admin_dsn));
    ASSERT_THAT(temp_dir_.Create("pedigreed-e2e"), IsOk());
  }

  void TearDown() override {
    processes_.Clear();  // kills any still running
  }

  // Starts pedigreed with `args`; its stderr goes to Stderr(index).
  Subprocess* Launch(std::vector<std::string> args) {
    SubprocessOptions options;
    options.argv = {binary_};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    return processes_.Start(std::move(options));
  }

  // Waits for "pedigreed listening on 127.0.0.1:PORT" and returns PORT
  // (0 on failure, which the test reports).
  int WaitForPort(Subprocess* process) {
    absl::StatusOr<int> port =
        testing::ReadListeningPort(*process, absl::Now() + kStartTimeout);
    EXPECT_THAT(port, IsOk()) << "stderr:\n" << Stderr(processes_.size() - 1);
    return port.ok() ? *port : 0;
  }

  std::string Stderr(size_t index) const { return processes_.Stderr(index); }

  static absl::StatusOr<ExitStatus> WaitForExit(Subprocess* process) {
    return process->Wait(absl::Now() + kStartTimeout);
  }

  std::string binary_;
  std::unique_ptr<testing::ScratchDatabase> database_;
  testing::TempDir temp_dir_;
  testing::ProcessList processes_{&temp_dir_};
};

TEST_F(PedigreedTest, ServesHealthAfterStartAndExitsCleanlyOnSigterm) {
  Subprocess* server =
      Launch({"--listen", "127.0.0.1:0", "--database-url", database_->dsn()});
  ASSERT_NE(server, nullptr);
  const int port = WaitForPort(server);
  ASSERT_GT(port, 0);
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;

  const grpc::Status status = stub->Check(&context, request, &response);
  ASSERT_THAT(server->Signal(SIGTERM), IsOk());
  absl::StatusOr<ExitStatus> exit = WaitForExit(server);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->success()) << exit->ToString() << "\n" << Stderr(0);
}

TEST_F(PedigreedTest, UnreachableDatabaseExitsWithFailureAndClearMessage) {
  Subprocess* server =
      Launch({"--listen", "127.0.0.1:0", "--database-url",
              "host=127.0.0.1 port=1 dbname=x user=u password=hunter2 "
              "connect_timeout=5"});
  ASSERT_NE(server, nullptr);

  absl::StatusOr<ExitStatus> exit = WaitForExit(server);

  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 1);
  EXPECT_THAT(Stderr(0), AllOf(HasSubstr("cannot connect to database"),
                               HasSubstr("host=127.0.0.1 port=1"),
                               Not(HasSubstr("hunter2"))));
}

TEST_F(PedigreedTest, SecondServerOnSamePortFails) {
  Subprocess* first =
      Launch({"--listen", "127.0.0.1:0", "--database-url", database_->dsn()});
  ASSERT_NE(first, nullptr);
  const int port = WaitForPort(first);
  ASSERT_GT(port, 0);
  const std::string address = "127.0.0.1:" + std::to_string(port);

  Subprocess* second =
      Launch({"--listen", address, "--database-url", database_->dsn()});
  ASSERT_NE(second, nullptr);
  absl::StatusOr<ExitStatus> exit = WaitForExit(second);

  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 1);
  EXPECT_THAT(Stderr(1), HasSubstr("cannot listen on " + address));
}

TEST_F(PedigreedTest, UsageErrorExitsWithTwo) {
  Subprocess* server = Launch({"--db-pool-size", "0"});
  ASSERT_NE(server, nullptr);

  absl::StatusOr<ExitStatus> exit = WaitForExit(server);

  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 2);
}

TEST_F(PedigreedTest, MigrateSubcommandAppliesSchemaAndExits) {
  Subprocess* migrate = Launch({"migrate", "--database-url", database_->dsn()});
  ASSERT_NE(migrate, nullptr);

  absl::StatusOr<std::string> line =
      migrate->ReadStdoutLine(absl::Now() + kStartTimeout);
  absl::StatusOr<ExitStatus> exit = WaitForExit(migrate);

  ASSERT_THAT(line, IsOk());
  EXPECT_THAT(*line, HasSubstr("applied 0001_create_registry"));
  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->success()) << Stderr(0);
}

}  // namespace
}  // namespace pedigree
