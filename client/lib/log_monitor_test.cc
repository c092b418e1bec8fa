#include "client/lib/log_monitor.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/lib/log_test_util.h"
#include "core/encoding/hex.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace testing_util;  // NOLINT(build/namespaces)

// A registry that serves only the log, from a reference tree it may swap.
class FakeLog : public v1::Registry::Service {
 public:
  FakeLog(core::merkle::ReferenceTree tree, core::note::NoteSigner signer)
      : tree_(std::move(tree)), signer_(std::move(signer)) {}

  void Serve(core::merkle::ReferenceTree tree, uint64_t size) {
    tree_ = std::move(tree);
    size_ = size;
  }
  void set_size(uint64_t size) { size_ = size; }

  grpc::Status GetCheckpoint(grpc::ServerContext*,
                             const v1::GetCheckpointRequest*,
                             v1::GetCheckpointResponse* response) override {
    response->mutable_checkpoint()->set_note(
        SignedCheckpoint(tree_, size_, signer_));
    response->set_log_verifier_key(signer_.VerifierKey());
    return grpc::Status::OK;
  }

  grpc::Status GetConsistencyProof(
      grpc::ServerContext*, const v1::GetConsistencyProofRequest* request,
      v1::GetConsistencyProofResponse* response) override {
    response->set_old_size(request->old_size());
    response->set_new_size(request->new_size());
    for (const std::string& hash :
         tree_.Proof(request->old_size(), request->new_size())) {
      response->add_hashes(core::HexEncode(hash));
    }
    return grpc::Status::OK;
  }

  grpc::Status GetInclusionProof(
      grpc::ServerContext*, const v1::GetInclusionProofRequest* request,
      v1::GetInclusionProofResponse* response) override {
    (void)request;
    response->mutable_proof()->set_log_index(inclusion_index_);
    response->mutable_proof()->set_tree_size(size_);
    for (const std::string& hash : tree_.Path(inclusion_index_, size_)) {
      response->mutable_proof()->add_hashes(core::HexEncode(hash));
    }
    response->mutable_checkpoint()->set_note(
        SignedCheckpoint(tree_, size_, signer_));
    return grpc::Status::OK;
  }

  uint64_t inclusion_index_ = 0;

 private:
  core::merkle::ReferenceTree tree_;
  core::note::NoteSigner signer_;
  uint64_t size_ = 0;
};

// A CheckpointStore in memory.
class MemoryStore : public CheckpointStore {
 public:
  absl::StatusOr<std::optional<std::string>> Load() override { return note_; }
  absl::Status Save(const VerifiedCheckpoint& checkpoint) override {
    note_ = checkpoint.note;
    ++saves_;
    return absl::OkStatus();
  }
  std::string Describe() const override { return "memory"; }

  std::optional<std::string> note_;
  int saves_ = 0;
};

core::merkle::ReferenceTree Leaves(uint64_t size, uint64_t salt) {
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < size; ++i) {
    leaves.push_back(core::merkle::TestLeafHash(i * salt));
  }
  return core::merkle::ReferenceTree(std::move(leaves));
}

class LogMonitorTest : public ::testing::Test {
 protected:
  LogMonitorTest()
      : signer_(NewLogSigner()),
        envelope_(SignedEnvelope(TestManifest(), NewKey())),
        log_(TreeWithEnvelope(20, 3, envelope_), signer_) {
    log_.set_size(10);
    log_.inclusion_index_ = 3;
    grpc::ServerBuilder builder;
    builder.RegisterService(&log_);
    server_ = builder.BuildAndStart();
    client_ = std::make_unique<PedigreeClient>(
        server_->InProcessChannel(grpc::ChannelArguments()), ClientOptions());
  }
  ~LogMonitorTest() override { server_->Shutdown(); }

  std::unique_ptr<LogMonitor> Monitor() {
    absl::StatusOr<LogVerifier> verifier =
        LogVerifier::Create(signer_.VerifierKey());
    EXPECT_THAT(verifier, IsOk());
    return std::make_unique<LogMonitor>(*client_, *std::move(verifier), store_);
  }

  core::note::NoteSigner signer_;
  std::string envelope_;
  FakeLog log_;
  MemoryStore store_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<PedigreeClient> client_;
};

TEST_F(LogMonitorTest, FirstContactRemembersTheCheckpoint) {
  ASSERT_OK_AND_ASSIGN(const VerifiedCheckpoint checkpoint,
                       Monitor()->CheckNewest());

  EXPECT_EQ(checkpoint.size, 10u);
  EXPECT_EQ(store_.note_, checkpoint.note);
}

TEST_F(LogMonitorTest, GrownLogIsProvenConsistentAndRemembered) {
  ASSERT_THAT(Monitor()->CheckNewest(), IsOk());
  log_.set_size(17);

  ASSERT_OK_AND_ASSIGN(const VerifiedCheckpoint checkpoint,
                       Monitor()->CheckNewest());

  EXPECT_EQ(checkpoint.size, 17u);
  EXPECT_EQ(store_.note_, checkpoint.note);
}

TEST_F(LogMonitorTest, RewrittenLogIsALoudFailureAndNotRemembered) {
  ASSERT_THAT(Monitor()->CheckNewest(), IsOk());
  const std::optional<std::string> remembered = store_.note_;
  log_.Serve(Leaves(20, 7), 17);  // another history

  EXPECT_THAT(Monitor()->CheckNewest(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("LOG INCONSISTENCY"),
                             HasSubstr("size 17"), HasSubstr("size 10"))));
  EXPECT_EQ(store_.note_, remembered);
}

TEST_F(LogMonitorTest, ForkOfTheSameSizeIsAFailure) {
  ASSERT_THAT(Monitor()->CheckNewest(), IsOk());
  log_.Serve(Leaves(20, 7), 10);

  EXPECT_THAT(
      Monitor()->CheckNewest(),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("LOG INCONSISTENCY")));
}

TEST_F(LogMonitorTest, OlderConsistentCheckpointIsAcceptedNotRemembered) {
  log_.set_size(17);
  ASSERT_THAT(Monitor()->CheckNewest(), IsOk());
  const std::optional<std::string> remembered = store_.note_;
  log_.set_size(12);

  ASSERT_OK_AND_ASSIGN(const VerifiedCheckpoint checkpoint,
                       Monitor()->CheckNewest());

  EXPECT_EQ(checkpoint.size, 12u);
  EXPECT_EQ(store_.note_, remembered);
}

TEST_F(LogMonitorTest, OlderInconsistentCheckpointIsAFailure) {
  log_.set_size(17);
  ASSERT_THAT(Monitor()->CheckNewest(), IsOk());
  log_.Serve(Leaves(20, 7), 12);

  EXPECT_THAT(Monitor()->CheckNewest(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogMonitorTest, CheckpointOfAnotherKeyIsAFailure) {
  FakeLog other(TreeWithEnvelope(20, 3, envelope_), NewLogSigner());
  other.set_size(10);
  grpc::ServerBuilder builder;
  builder.RegisterService(&other);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  PedigreeClient client(server->InProcessChannel(grpc::ChannelArguments()),
                        ClientOptions());
  ASSERT_OK_AND_ASSIGN(LogVerifier verifier,
                       LogVerifier::Create(signer_.VerifierKey()));
  LogMonitor monitor(client, std::move(verifier), store_);

  EXPECT_THAT(monitor.CheckNewest(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("pinned")));
  EXPECT_EQ(store_.note_, std::nullopt);
  server->Shutdown();
}

TEST_F(LogMonitorTest, ProveRecordVerifiesInclusion) {
  ASSERT_OK_AND_ASSIGN(const RecordInclusion inclusion,
                       Monitor()->ProveRecord("digest", envelope_));

  EXPECT_EQ(inclusion.proof.log_index, 3u);
  EXPECT_EQ(inclusion.checkpoint.size, 10u);
}

TEST_F(LogMonitorTest, ProveRecordRefusesAProofOfAnotherEntry) {
  log_.inclusion_index_ = 4;

  EXPECT_THAT(Monitor()->ProveRecord("digest", envelope_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("not proven in the log")));
}

TEST_F(LogMonitorTest, RememberedCheckpointThatDoesNotVerifyIsAFailure) {
  store_.note_ = SignedCheckpoint(Leaves(5, 1), 5, NewLogSigner());

  EXPECT_THAT(Monitor()->CheckNewest(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("remembered")));
}

}  // namespace
}  // namespace pedigree::client
