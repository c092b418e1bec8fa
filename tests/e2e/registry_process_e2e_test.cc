// End-to-end tests of pedigreed as a process, around its database: two
// servers sharing one database, a restart that keeps the data, and a database
// outage (stopped and restarted under a running server).
//
// Environment: PEDIGREED (path of the binary, set by tests/CMakeLists.txt)
// and PEDIGREE_TEST_PG_DSN (for the shared-database tests). The outage tests
// run their own private PostgreSQL cluster (server/storage/embedded_postgres.h)
// so that they can stop it.

#include <signal.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "pedigree/v1/registry.grpc.pb.h"
#include "server/storage/embedded_postgres.h"
#include "server/util/subprocess.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"

namespace pedigree {
namespace {

using ::pedigree::server::ExitStatus;
using ::pedigree::server::Subprocess;
using ::pedigree::server::SubprocessOptions;
using ::pedigree::server::storage::EmbeddedPostgres;
using ::pedigree::testing::CallDeadline;
using ::pedigree::testing::IsOk;
using ::testing::Eq;

constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kRecoveryTimeout = absl::Seconds(30);
constexpr absl::Duration kPollInterval = absl::Milliseconds(50);
constexpr char kNamespace[] = "acme-ai";

// A started pedigreed: the process and a channel to it.
struct Server {
  Subprocess* process = nullptr;
  size_t index = 0;  // for Stderr()
  int port = 0;
  std::unique_ptr<v1::Registry::Stub> registry;
  std::unique_ptr<grpc::health::v1::Health::Stub> health;
};

// A record signed for publication: the exact envelope bytes and its ref.
struct SignedRecord {
  std::string envelope_json;
  std::string ref;
};

class RegistryProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(binary_, testing::BinaryFromEnv("PEDIGREED"));
    ASSERT_THAT(temp_dir_.Create("pedigree-registry-e2e"), IsOk());
    ASSERT_THAT(temp_dir_.AllowOthersToEnter(), IsOk());
    ASSERT_OK_AND_ASSIGN(key_, core::crypto::PrivateKey::Generate(
                                   core::crypto::KeyType::kEd25519));
  }

  void TearDown() override {
    processes_.Clear();  // kills any still running
  }

  // Creates a fresh database on the PEDIGREE_TEST_PG_DSN server.
  void UseScratchDatabase() {
    ASSERT_OK_AND_ASSIGN(const std::string admin_dsn, testing::TestAdminDsn());
    ASSERT_OK_AND_ASSIGN(database_,
                         testing::ScratchDatabase::Create(admin_dsn));
    dsn_ = database_->dsn();
  }

  // Starts pedigreed on 127.0.0.1:0 against `dsn_` with the admin token in
  // its environment, and waits for its "listening" line. Extra flags go
  // last.
  Server Start(std::vector<std::string> extra_args = {}) {
    Server server = Launch(std::move(extra_args));
    if (server.process != nullptr) WaitUntilListening(&server);
    return server;
  }

  // Starts pedigreed without waiting for it (see WaitUntilListening).
  Server Launch(std::vector<std::string> extra_args = {}) {
    Server server;
    SubprocessOptions options;
    options.argv = {binary_, "--listen", "127.0.0.1:0", "--database-url", dsn_};
    options.argv.insert(options.argv.end(), extra_args.begin(),
                        extra_args.end());
    options.extra_env = {{"PEDIGREE_ADMIN_TOKEN", testing::kE2eAdminToken}};
    server.index = processes_.size();
    server.process = processes_.Start(std::move(options));
    return server;
  }

  // Reads "pedigreed listening on 127.0.0.1:PORT" and connects the stubs.
  // Leaves server->port 0 on failure, which the test then reports.
  void WaitUntilListening(Server* server) {
    absl::StatusOr<int> port = testing::ReadListeningPort(
        *server->process, absl::Now() + kStartTimeout);
    ASSERT_THAT(port, IsOk()) << "stderr:\n" << Stderr(server->index);
    server->port = *port;
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->port),
                            grpc::InsecureChannelCredentials());
    server->registry = v1::Registry::NewStub(channel);
    server->health = grpc::health::v1::Health::NewStub(channel);
  }

  // Closes the test's channel, sends SIGTERM and expects a clean exit. (An
  // open client connection would make the server wait out its grace
  // period.)
  void Stop(Server* server) {
    server->registry.reset();
    server->health.reset();
    ASSERT_THAT(server->process->Signal(SIGTERM), IsOk());
    absl::StatusOr<ExitStatus> exit =
        server->process->Wait(absl::Now() + kStartTimeout);
    ASSERT_THAT(exit, IsOk());
    EXPECT_TRUE(exit->success()) << exit->ToString() << "\n"
                                 << Stderr(server->index);
  }

  std::string Stderr(size_t index) const { return processes_.Stderr(index); }

  // Creates kNamespace and registers key_ for it, through `server`.
  grpc::Status RegisterPublisher(const Server& server) {
    {
      grpc::ClientContext context;
      testing::SetAdminContext(context);
      v1::CreateNamespaceRequest request;
      request.set_name(kNamespace);
      v1::Namespace response;
      grpc::Status status =
          server.registry->CreateNamespace(&context, request, &response);
      if (!status.ok()) return status;
    }
    grpc::ClientContext context;
    testing::SetAdminContext(context);
    v1::AddKeyRequest request;
    request.set_namespace_name(kNamespace);
    request.set_public_key_pem(key_->public_key().ToPem());
    v1::Key response;
    return server.registry->AddKey(&context, request, &response);
  }

  // Returns a record of kNamespace at `version`, signed with key_.
  absl::StatusOr<SignedRecord> SignVersion(const std::string& version) {
    core::record::Record record = core::record::MinimalRecordForTest();
    record.model.ref.namespace_name = kNamespace;
    record.model.ref.version = version;
    absl::StatusOr<core::dsse::Envelope> envelope =
        core::record::SignRecord(record, {&*key_});
    if (!envelope.ok()) return envelope.status();
    return SignedRecord{core::dsse::SerializeEnvelope(*envelope),
                        core::record::ToString(record.model.ref)};
  }

  static grpc::Status Publish(const Server& server, const SignedRecord& record,
                              v1::PublishRecordResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(CallDeadline());
    v1::PublishRecordRequest request;
    request.set_envelope(record.envelope_json);
    return server.registry->PublishRecord(&context, request, response);
  }

  static grpc::Status GetByRef(const Server& server, const std::string& ref,
                               v1::GetRecordResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(CallDeadline());
    v1::GetRecordRequest request;
    request.set_ref(ref);
    return server.registry->GetRecord(&context, request, response);
  }

  static grpc::Status GetByDigest(const Server& server,
                                  const std::string& digest,
                                  v1::GetRecordResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(CallDeadline());
    v1::GetRecordRequest request;
    request.set_record_digest(digest);
    return server.registry->GetRecord(&context, request, response);
  }

  static grpc::Status Health(const Server& server,
                             grpc::health::v1::HealthCheckResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(CallDeadline());
    return server.health->Check(
        &context, grpc::health::v1::HealthCheckRequest(), response);
  }

  std::string binary_;
  testing::TempDir temp_dir_;
  std::unique_ptr<testing::ScratchDatabase> database_;
  std::string dsn_;
  // The publisher's key; set by SetUp().
  std::optional<core::crypto::PrivateKey> key_;
  testing::ProcessList processes_{&temp_dir_};
};

// Repeats `call` until it returns OK or `timeout` passes; returns the last
// status and counts the attempts.
template <typename Call>
grpc::Status PollUntilOk(Call call, absl::Duration timeout, int* attempts) {
  const absl::Time deadline = absl::Now() + timeout;
  grpc::Status status;
  *attempts = 0;
  while (true) {
    ++*attempts;
    status = call();
    if (status.ok() || absl::Now() >= deadline) return status;
    absl::SleepFor(kPollInterval);
  }
}

// --- two servers, one database
// ------------------------------------------------

TEST_F(RegistryProcessTest, RecordPublishedViaOneServerIsReadViaAnother) {
  ASSERT_NO_FATAL_FAILURE(UseScratchDatabase());
  // Both start together, so both run the migrations against the same empty
  // database (serialized by the migrator's advisory lock).
  Server first = Launch();
  Server second = Launch();
  ASSERT_NE(first.process, nullptr);
  ASSERT_NE(second.process, nullptr);
  WaitUntilListening(&first);
  WaitUntilListening(&second);
  ASSERT_GT(first.port, 0);
  ASSERT_GT(second.port, 0);
  ASSERT_TRUE(RegisterPublisher(first).ok());
  ASSERT_OK_AND_ASSIGN(const SignedRecord record, SignVersion("v1"));
  v1::PublishRecordResponse published;
  const grpc::Status publish_status = Publish(first, record, &published);
  ASSERT_TRUE(publish_status.ok()) << publish_status.error_message() << "\n"
                                   << Stderr(first.index);

  v1::GetRecordResponse read;
  const grpc::Status read_status = GetByRef(second, record.ref, &read);

  ASSERT_TRUE(read_status.ok()) << read_status.error_message();
  EXPECT_EQ(read.envelope(), record.envelope_json);
  EXPECT_EQ(read.summary().record_digest(), published.record().record_digest());
}

TEST_F(RegistryProcessTest, NamespaceCreatedViaOneServerIsTakenForTheOther) {
  ASSERT_NO_FATAL_FAILURE(UseScratchDatabase());
  Server first = Start();
  Server second = Start();
  ASSERT_GT(first.port, 0);
  ASSERT_GT(second.port, 0);
  ASSERT_TRUE(RegisterPublisher(first).ok());

  const grpc::Status again = RegisterPublisher(second);

  EXPECT_EQ(again.error_code(), grpc::StatusCode::ALREADY_EXISTS)
      << again.error_message();
}

// --- restart ----------------------------------------------------------------

TEST_F(RegistryProcessTest, RestartKeepsRecordWithIdenticalEnvelopeBytes) {
  ASSERT_NO_FATAL_FAILURE(UseScratchDatabase());
  Server before = Start();
  ASSERT_GT(before.port, 0);
  ASSERT_TRUE(RegisterPublisher(before).ok());
  ASSERT_OK_AND_ASSIGN(const SignedRecord record, SignVersion("v1"));
  v1::PublishRecordResponse published;
  const grpc::Status publish_status = Publish(before, record, &published);
  ASSERT_TRUE(publish_status.ok()) << publish_status.error_message() << "\n"
                                   << Stderr(before.index);
  Stop(&before);

  Server after = Start();
  ASSERT_GT(after.port, 0);
  v1::GetRecordResponse read;
  const grpc::Status read_status =
      GetByDigest(after, published.record().record_digest(), &read);

  ASSERT_TRUE(read_status.ok()) << read_status.error_message();
  EXPECT_EQ(read.envelope(), record.envelope_json);
  EXPECT_EQ(read.summary().ref(), record.ref);
}

TEST_F(RegistryProcessTest, RepublishAfterRestartReportsAlreadyExisted) {
  ASSERT_NO_FATAL_FAILURE(UseScratchDatabase());
  Server before = Start();
  ASSERT_GT(before.port, 0);
  ASSERT_TRUE(RegisterPublisher(before).ok());
  ASSERT_OK_AND_ASSIGN(const SignedRecord record, SignVersion("v1"));
  v1::PublishRecordResponse first_publish;
  ASSERT_TRUE(Publish(before, record, &first_publish).ok());
  Stop(&before);
  Server after = Start();
  ASSERT_GT(after.port, 0);

  v1::PublishRecordResponse second_publish;
  const grpc::Status status = Publish(after, record, &second_publish);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(second_publish.already_existed());
  EXPECT_EQ(second_publish.record().record_digest(),
            first_publish.record().record_digest());
}

// --- database outage
// ----------------------------------------------------------

// Runs pedigreed against a private PostgreSQL cluster that the test can stop
// and start again (same data directory, same socket).
class DatabaseOutageTest : public RegistryProcessTest {
 protected:
  void SetUp() override {
    RegistryProcessTest::SetUp();
    if (HasFatalFailure()) return;
    options_.data_dir = temp_dir_.Path("pg");
    options_.durable = false;
    StartDatabase();
    if (HasFatalFailure()) return;
    dsn_ = postgres_->dsn();
  }

  void TearDown() override {
    processes_.Clear();  // pedigreed first, then its database
    postgres_.reset();
    RegistryProcessTest::TearDown();
  }

  void StartDatabase() {
    ASSERT_OK_AND_ASSIGN(postgres_, EmbeddedPostgres::Start(options_));
  }

  void StopDatabase() {
    ASSERT_THAT(postgres_->Stop(), IsOk());
    postgres_.reset();
  }

  // A running server with one published record, `record_`.
  void StartServerWithOneRecord() {
    // A small pool: fewer connections left stale by the outage.
    server_ = Start({"--db-pool-size", "2"});
    ASSERT_GT(server_.port, 0);
    ASSERT_TRUE(RegisterPublisher(server_).ok());
    ASSERT_OK_AND_ASSIGN(record_, SignVersion("v1"));
    v1::PublishRecordResponse published;
    const grpc::Status status = Publish(server_, record_, &published);
    ASSERT_TRUE(status.ok()) << status.error_message() << "\n"
                             << Stderr(server_.index);
  }

  bool ServerRunning() {
    return !server_.process->Wait(absl::InfinitePast()).ok();
  }

  EmbeddedPostgres::Options options_;
  std::unique_ptr<EmbeddedPostgres> postgres_;
  Server server_;
  SignedRecord record_;
};

TEST_F(DatabaseOutageTest, ReadsGiveUnavailableWhileDatabaseIsDown) {
  ASSERT_NO_FATAL_FAILURE(StartServerWithOneRecord());
  ASSERT_NO_FATAL_FAILURE(StopDatabase());

  // Every pooled connection is tried in turn: each call must fail cleanly.
  std::vector<grpc::StatusCode> codes;
  for (int i = 0; i < 4; ++i) {
    v1::GetRecordResponse read;
    codes.push_back(GetByRef(server_, record_.ref, &read).error_code());
  }

  EXPECT_THAT(codes, ::testing::Each(Eq(grpc::StatusCode::UNAVAILABLE)));
  EXPECT_TRUE(ServerRunning()) << Stderr(server_.index);
}

TEST_F(DatabaseOutageTest, PublishGivesUnavailableWhileDatabaseIsDown) {
  ASSERT_NO_FATAL_FAILURE(StartServerWithOneRecord());
  ASSERT_OK_AND_ASSIGN(const SignedRecord second, SignVersion("v2"));
  ASSERT_NO_FATAL_FAILURE(StopDatabase());

  v1::PublishRecordResponse response;
  const grpc::Status status = Publish(server_, second, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_TRUE(ServerRunning()) << Stderr(server_.index);
}

TEST_F(DatabaseOutageTest, HealthStaysServingWhileDatabaseIsDown) {
  ASSERT_NO_FATAL_FAILURE(StartServerWithOneRecord());
  ASSERT_NO_FATAL_FAILURE(StopDatabase());
  v1::GetRecordResponse read;
  ASSERT_EQ(GetByRef(server_, record_.ref, &read).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  grpc::health::v1::HealthCheckResponse health;
  const grpc::Status status = Health(server_, &health);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(DatabaseOutageTest, ServerRecoversWhenDatabaseReturns) {
  ASSERT_NO_FATAL_FAILURE(StartServerWithOneRecord());
  ASSERT_OK_AND_ASSIGN(const SignedRecord second, SignVersion("v2"));
  ASSERT_NO_FATAL_FAILURE(StopDatabase());
  v1::GetRecordResponse during;
  ASSERT_EQ(GetByRef(server_, record_.ref, &during).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  ASSERT_NO_FATAL_FAILURE(StartDatabase());

  v1::GetRecordResponse read;
  int read_attempts = 0;
  const grpc::Status read_status =
      PollUntilOk([&] { return GetByRef(server_, record_.ref, &read); },
                  kRecoveryTimeout, &read_attempts);
  v1::PublishRecordResponse published;
  int publish_attempts = 0;
  const grpc::Status publish_status =
      PollUntilOk([&] { return Publish(server_, second, &published); },
                  kRecoveryTimeout, &publish_attempts);

  ASSERT_TRUE(read_status.ok()) << read_status.error_message();
  EXPECT_EQ(read.envelope(), record_.envelope_json);
  ASSERT_TRUE(publish_status.ok()) << publish_status.error_message();
  EXPECT_FALSE(published.already_existed());
  EXPECT_TRUE(ServerRunning()) << Stderr(server_.index);
  RecordProperty("read_attempts_after_recovery", read_attempts);
  RecordProperty("publish_attempts_after_recovery", publish_attempts);
}

}  // namespace
}  // namespace pedigree
