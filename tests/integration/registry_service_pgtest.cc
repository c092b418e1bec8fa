// The Registry gRPC service over PostgresRegistryStore and a real database:
// every RPC's happy path and the store-enforced rules (idempotence,
// conflicts, parents), lineage over a realistic graph, and artifact
// verification verdicts. Reached through an in-process gRPC channel.

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/merkle/tree.h"
#include "core/merkle/verify.h"
#include "core/note/checkpoint.h"
#include "core/note/note.h"
#include "core/record/log_entry.h"
#include "core/record/record_envelope.h"
#include "core/record/record_test_util.h"
#include "core/status_macros.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "pedigree/v1/registry.grpc.pb.h"
#include "pqxx/pqxx"
#include "server/service/registry_service.h"
#include "server/service/request_log.h"
#include "server/storage/change_feed.h"
#include "server/storage/connection_pool.h"
#include "server/storage/postgres_registry_store.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_log_signer.h"

namespace pedigree::server::service {
namespace {

namespace rec = ::pedigree::core::record;
using ::pedigree::core::HexEncode;
using ::pedigree::core::crypto::KeyType;
using ::pedigree::core::crypto::PrivateKey;
using ::pedigree::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kAdminToken[] = "integration-admin-token";
constexpr int kPoolSize = 3;

// A record of acme-ai/<name>@<version> with one file of digest `fill`*32.
rec::Record Model(const std::string& name, char fill,
                  const std::string& version = "v1") {
  rec::Record record = rec::MinimalRecordForTest();
  record.model.ref = rec::ModelRef{"acme-ai", name, version};
  record.artifacts.files[0].sha256 = rec::FilledBytes(fill);
  rec::RecomputeRootDigest(&record);
  return record;
}

rec::LineageEdge Parent(const rec::Record& parent, rec::Relation relation) {
  rec::LineageEdge edge;
  edge.ref.kind = rec::ModelLocator::Kind::kModelRef;
  edge.ref.model = parent.model.ref;
  edge.relation = relation;
  return edge;
}

std::string Ref(const rec::Record& record) {
  return rec::ToString(record.model.ref);
}

class RegistryServicePgTest : public ::pedigree::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(pool_,
                         storage::ConnectionPool::Create({dsn(), kPoolSize}));
    storage::PostgresRegistryStore::Options store_options;
    store_options.acquire_timeout = absl::Seconds(5);
    store_options.log_signer = log_signer_.get();
    ASSERT_OK_AND_ASSIGN(
        store_, storage::PostgresRegistryStore::Open(*pool_, store_options));
    RegistryServiceOptions options;
    options.admin_token = kAdminToken;
    options.log_origin = log_signer_->origin();
    options.log_verifier_key = log_signer_->verifier_key();
    service_ = std::make_unique<RegistryService>(*store_, options, logger_);
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::Registry::NewStub(server_->InProcessChannel({}));
    ASSERT_OK_AND_ASSIGN(PrivateKey key,
                         PrivateKey::Generate(KeyType::kEd25519));
    key_ = std::make_unique<PrivateKey>(std::move(key));
    ASSERT_NO_FATAL_FAILURE(CreateNamespace("acme-ai"));
    ASSERT_NO_FATAL_FAILURE(AddKey("acme-ai", *key_));
  }

  void TearDown() override {
    stub_.reset();
    if (server_ != nullptr) {
      server_->Shutdown();
      server_->Wait();
    }
    server_.reset();
    service_.reset();
    store_.reset();
    pool_.reset();
    PgTest::TearDown();
  }

  void Authorize(grpc::ClientContext* context) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", kAdminToken));
  }

  void CreateNamespace(const std::string& name) {
    grpc::ClientContext context;
    Authorize(&context);
    v1::CreateNamespaceRequest request;
    request.set_name(name);
    v1::Namespace response;
    const grpc::Status status =
        stub_->CreateNamespace(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void AddKey(const std::string& namespace_name, const PrivateKey& key) {
    grpc::ClientContext context;
    Authorize(&context);
    v1::AddKeyRequest request;
    request.set_namespace_name(namespace_name);
    request.set_public_key_pem(key.public_key().ToPem());
    v1::Key response;
    const grpc::Status status = stub_->AddKey(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  std::string Envelope(const rec::Record& record, const PrivateKey& key) {
    absl::StatusOr<core::dsse::Envelope> envelope =
        rec::SignRecord(record, {&key});
    EXPECT_THAT(envelope, IsOk());
    return envelope.ok() ? core::dsse::SerializeEnvelope(*envelope) : "";
  }

  grpc::Status PublishEnvelope(const std::string& envelope,
                               v1::PublishRecordResponse* response) {
    grpc::ClientContext context;
    v1::PublishRecordRequest request;
    request.set_envelope(envelope);
    return stub_->PublishRecord(&context, request, response);
  }

  // Publishes `record` signed with the namespace key; fails the test on
  // error and returns the record digest.
  std::string Publish(const rec::Record& record) {
    v1::PublishRecordResponse response;
    const grpc::Status status =
        PublishEnvelope(Envelope(record, *key_), &response);
    EXPECT_TRUE(status.ok()) << Ref(record) << ": " << status.error_message();
    return response.record().record_digest();
  }

  v1::GetLineageResponse Lineage(const rec::Record& start,
                                 v1::LineageDirection direction,
                                 std::vector<std::string> relations = {}) {
    grpc::ClientContext context;
    v1::GetLineageRequest request;
    request.set_ref(Ref(start));
    request.set_direction(direction);
    for (std::string& relation : relations) {
      request.add_relations(std::move(relation));
    }
    v1::GetLineageResponse response;
    const grpc::Status status = stub_->GetLineage(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::SearchRecordsResponse Search(const v1::SearchRecordsRequest& request) {
    grpc::ClientContext context;
    v1::SearchRecordsResponse response;
    const grpc::Status status =
        stub_->SearchRecords(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::RecordMatch VerifyAgainst(const rec::Record& record,
                                const std::vector<v1::FileDigest>& files) {
    grpc::ClientContext context;
    v1::VerifyArtifactsRequest request;
    request.set_ref(Ref(record));
    for (const v1::FileDigest& file : files) *request.add_files() = file;
    v1::VerifyArtifactsResponse response;
    const grpc::Status status =
        stub_->VerifyArtifacts(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.matches_size(), 1);
    return response.matches_size() == 1 ? response.matches(0)
                                        : v1::RecordMatch();
  }

  static std::vector<v1::FileDigest> LocalFiles(const rec::Record& record) {
    std::vector<v1::FileDigest> files;
    for (const rec::ArtifactFile& file : record.artifacts.files) {
      v1::FileDigest digest;
      digest.set_path(file.name);
      digest.set_sha256(HexEncode(file.sha256));
      files.push_back(std::move(digest));
    }
    return files;
  }

  // The realistic graph: base -> instruct (finetune) -> adapter (LoRA) and
  // -> GGUF (quantized); a merge of instruct and another base; a student
  // distilled from a teacher.
  void PublishGraph() {
    base_ = Model("Base-7B", '\x01');
    base_.datasets.push_back(
        rec::Dataset{"FineWeb", std::nullopt, rec::DatasetRole::kPretraining,
                     rec::DatasetDisclosure::kUndisclosed, std::nullopt,
                     std::nullopt, false, std::nullopt});
    instruct_ = Model("Base-7B-Instruct", '\x02');
    instruct_.lineage = {Parent(base_, rec::Relation::kFinetune)};
    instruct_.openness.claim = rec::OpennessClaim::kOpenWeight;
    adapter_ = Model("Base-7B-Instruct-LoRA", '\x03');
    adapter_.lineage = {Parent(instruct_, rec::Relation::kAdapter)};
    adapter_.lineage[0].detail.method = "lora";
    adapter_.lineage[0].detail.lora_rank = 16;
    gguf_ = Model("Base-7B-Instruct-GGUF", '\x04');
    gguf_.artifacts.files[0].name = "model-q4_k_m.gguf";
    gguf_.artifacts.files[0].format = rec::ArtifactFormat::kGguf;
    gguf_.artifacts.files[0].quantization = rec::Quantization{"gguf_q4_k_m", 4};
    rec::RecomputeRootDigest(&gguf_);
    gguf_.lineage = {Parent(instruct_, rec::Relation::kQuantized)};
    gguf_.lineage[0].detail.bits = 4;
    other_ = Model("Other-7B", '\x05');
    other_.licenses.weights = "BSD-3-Clause";
    merge_ = Model("Merged-7B", '\x06');
    merge_.lineage = {Parent(instruct_, rec::Relation::kMerge),
                      Parent(other_, rec::Relation::kMerge)};
    merge_.lineage[0].detail.method = "ties";
    merge_.lineage[1].detail.method = "ties";
    teacher_ = Model("Teacher-70B", '\x07');
    student_ = Model("Student-1B", '\x08');
    student_.lineage = {Parent(teacher_, rec::Relation::kDistillation)};

    for (const rec::Record* record : {&base_, &instruct_, &adapter_, &gguf_,
                                      &other_, &merge_, &teacher_, &student_}) {
      digests_[record] = Publish(*record);
    }
  }

  std::string DigestOf(const rec::Record& record) { return digests_[&record]; }

  // Request lines go to stderr, so a failing test shows the full status.
  StreamRequestLogger logger_{std::cerr};
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::CheckpointSigner> log_signer_ =
      ::pedigree::testing::TestLogSigner();
  std::unique_ptr<storage::PostgresRegistryStore> store_;
  std::unique_ptr<RegistryService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Registry::Stub> stub_;
  std::unique_ptr<PrivateKey> key_;
  rec::Record base_, instruct_, adapter_, gguf_, other_, merge_, teacher_,
      student_;
  std::map<const rec::Record*, std::string> digests_;
};

// ------------------------------------------------------- namespaces, keys

TEST_F(RegistryServicePgTest, ListKeysReturnsTheAddedKey) {
  grpc::ClientContext context;
  v1::ListKeysRequest request;
  request.set_namespace_name("acme-ai");
  v1::ListKeysResponse response;

  const grpc::Status status = stub_->ListKeys(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.keys_size(), 1);
  EXPECT_EQ(response.keys(0).key_id(), key_->key_id());
  EXPECT_EQ(response.keys(0).status(), v1::KEY_STATUS_ACTIVE);
  EXPECT_EQ(response.keys(0).public_key_pem(), key_->public_key().ToPem());
}

TEST_F(RegistryServicePgTest, CreateNamespaceRefusesCaseInsensitiveDuplicate) {
  grpc::ClientContext context;
  Authorize(&context);
  v1::CreateNamespaceRequest request;
  request.set_name("ACME-AI");
  v1::Namespace response;

  const grpc::Status status =
      stub_->CreateNamespace(&context, request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS)
      << status.error_message();
}

TEST_F(RegistryServicePgTest, AddKeyRefusesKeyRegisteredElsewhere) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespace("other-org"));
  grpc::ClientContext context;
  Authorize(&context);
  v1::AddKeyRequest request;
  request.set_namespace_name("other-org");
  request.set_public_key_pem(key_->public_key().ToPem());
  v1::Key response;

  const grpc::Status status = stub_->AddKey(&context, request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS)
      << status.error_message();
}

TEST_F(RegistryServicePgTest, AddKeyToUnknownNamespaceIsNotFound) {
  ASSERT_OK_AND_ASSIGN(PrivateKey other,
                       PrivateKey::Generate(KeyType::kEcdsaP256));
  grpc::ClientContext context;
  Authorize(&context);
  v1::AddKeyRequest request;
  request.set_namespace_name("nobody");
  request.set_public_key_pem(other.public_key().ToPem());
  v1::Key response;

  const grpc::Status status = stub_->AddKey(&context, request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
      << status.error_message();
}

// ------------------------------------------------------------- publishing

TEST_F(RegistryServicePgTest, PublishThenGetRecordByRefDigestAndLatest) {
  const rec::Record record = rec::ValidRecordForTest();
  rec::Record parent = Model("Acme-7B", '\x21', "v1.0");
  rec::Record teacher = Model("Acme-70B-Instruct", '\x22', "v2");
  Publish(parent);
  Publish(teacher);
  const std::string envelope = Envelope(record, *key_);
  v1::PublishRecordResponse published;
  ASSERT_TRUE(PublishEnvelope(envelope, &published).ok());

  v1::GetRecordResponse by_ref, by_digest, latest;
  {
    grpc::ClientContext context;
    v1::GetRecordRequest request;
    request.set_ref("ACME-AI/acme-7b-instruct@v1.0");
    ASSERT_TRUE(stub_->GetRecord(&context, request, &by_ref).ok());
  }
  {
    grpc::ClientContext context;
    v1::GetRecordRequest request;
    request.set_record_digest(published.record().record_digest());
    ASSERT_TRUE(stub_->GetRecord(&context, request, &by_digest).ok());
  }
  {
    grpc::ClientContext context;
    v1::GetRecordRequest request;
    request.set_latest_of("acme-ai/Acme-7B-Instruct");
    ASSERT_TRUE(stub_->GetRecord(&context, request, &latest).ok());
  }

  EXPECT_EQ(by_ref.envelope(), envelope);
  EXPECT_EQ(by_digest.summary().ref(), "acme-ai/Acme-7B-Instruct@v1.0");
  EXPECT_EQ(latest.summary().record_digest(),
            published.record().record_digest());
  EXPECT_EQ(by_ref.record().datasets_size(), 3);
  ASSERT_EQ(by_ref.signers_size(), 1);
  EXPECT_EQ(by_ref.signers(0).key_id(), key_->key_id());
  ASSERT_EQ(by_ref.record().parents_size(), 2);
  EXPECT_EQ(by_ref.record().parents(0).relation(), "finetune");
  EXPECT_EQ(by_ref.record().parents(0).record_digest(), Publish(parent));
  EXPECT_EQ(by_ref.record().parents(1).relation(), "distillation");
  EXPECT_EQ(by_ref.record().parents(1).record_digest(), Publish(teacher));
}

TEST_F(RegistryServicePgTest, PublishingTheSameEnvelopeTwiceIsIdempotent) {
  const std::string envelope = Envelope(Model("Base-7B", '\x01'), *key_);
  v1::PublishRecordResponse first, second;

  ASSERT_TRUE(PublishEnvelope(envelope, &first).ok());
  const grpc::Status status = PublishEnvelope(envelope, &second);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(first.already_existed());
  EXPECT_TRUE(second.already_existed());
  EXPECT_EQ(first.record().record_digest(), second.record().record_digest());
}

TEST_F(RegistryServicePgTest, DifferentContentForSameVersionIsAlreadyExists) {
  rec::Record record = Model("Base-7B", '\x01');
  Publish(record);
  record.model.description = "Changed after publication.";
  v1::PublishRecordResponse response;

  const grpc::Status status =
      PublishEnvelope(Envelope(record, *key_), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS)
      << status.error_message();
}

TEST_F(RegistryServicePgTest, UnknownParentIsFailedPrecondition) {
  rec::Record record = Model("Child-7B", '\x01');
  record.lineage = {
      Parent(Model("Missing-7B", '\x02'), rec::Relation::kFinetune)};
  v1::PublishRecordResponse response;

  const grpc::Status status =
      PublishEnvelope(Envelope(record, *key_), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("Missing-7B"));
}

TEST_F(RegistryServicePgTest, KeyOfAnotherNamespaceIsNamed) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespace("other-org"));
  ASSERT_OK_AND_ASSIGN(PrivateKey other,
                       PrivateKey::Generate(KeyType::kEcdsaP256));
  ASSERT_NO_FATAL_FAILURE(AddKey("other-org", other));
  v1::PublishRecordResponse response;

  const grpc::Status status =
      PublishEnvelope(Envelope(Model("Base-7B", '\x01'), other), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("is a key of another namespace (other-org)"));
}

TEST_F(RegistryServicePgTest, RecordOfUnknownNamespaceIsFailedPrecondition) {
  rec::Record record = Model("Base-7B", '\x01');
  record.model.ref.namespace_name = "nobody";
  v1::PublishRecordResponse response;

  const grpc::Status status =
      PublishEnvelope(Envelope(record, *key_), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << status.error_message();
}

// ------------------------------------------------------- versions, search

TEST_F(RegistryServicePgTest, ListVersionsPagesNewestFirst) {
  Publish(Model("Base-7B", '\x01', "v1"));
  Publish(Model("Base-7B", '\x02', "v2"));
  Publish(Model("Base-7B", '\x03', "v3"));
  std::vector<std::string> versions;
  std::string token;

  for (int page = 0; page < 5; ++page) {
    grpc::ClientContext context;
    v1::ListVersionsRequest request;
    request.set_model_id("acme-ai/Base-7B");
    request.set_page_size(2);
    request.set_page_token(token);
    v1::ListVersionsResponse response;
    const grpc::Status status =
        stub_->ListVersions(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::VersionEntry& entry : response.versions()) {
      versions.push_back(entry.version());
    }
    token = response.next_page_token();
    if (token.empty()) break;
  }

  EXPECT_THAT(versions, ElementsAre("v3", "v2", "v1"));
}

TEST_F(RegistryServicePgTest, ListVersionsRejectsForgedPageToken) {
  Publish(Model("Base-7B", '\x01'));
  grpc::ClientContext context;
  v1::ListVersionsRequest request;
  request.set_model_id("acme-ai/Base-7B");
  request.set_page_token("not a token");
  v1::ListVersionsResponse response;

  const grpc::Status status = stub_->ListVersions(&context, request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
}

std::vector<std::string> Refs(const v1::SearchRecordsResponse& response) {
  std::vector<std::string> refs;
  for (const v1::RecordSummary& record : response.records()) {
    refs.push_back(record.model_name());
  }
  return refs;
}

TEST_F(RegistryServicePgTest, SearchFiltersByNamePrefix) {
  PublishGraph();
  v1::SearchRecordsRequest request;
  request.set_name_prefix("base-7b-instruct-");

  EXPECT_THAT(
      Refs(Search(request)),
      UnorderedElementsAre("Base-7B-Instruct-LoRA", "Base-7B-Instruct-GGUF"));
}

TEST_F(RegistryServicePgTest, SearchFiltersByLicense) {
  PublishGraph();
  v1::SearchRecordsRequest request;
  request.set_license("bsd-3-clause");

  EXPECT_THAT(Refs(Search(request)), ElementsAre("Other-7B"));
}

TEST_F(RegistryServicePgTest, SearchFiltersByOpennessClaim) {
  PublishGraph();
  v1::SearchRecordsRequest request;
  request.set_declared_openness("open_weight");

  EXPECT_THAT(Refs(Search(request)), ElementsAre("Base-7B-Instruct"));
}

TEST_F(RegistryServicePgTest, SearchFiltersByDataset) {
  PublishGraph();
  v1::SearchRecordsRequest request;
  request.set_dataset_name("FineWeb");

  EXPECT_THAT(Refs(Search(request)), ElementsAre("Base-7B"));
}

TEST_F(RegistryServicePgTest, SearchFiltersByParentAndRelation) {
  PublishGraph();
  v1::SearchRecordsRequest children;
  children.set_parent_ref(Ref(instruct_));
  v1::SearchRecordsRequest quantized = children;
  quantized.set_relation("quantized");

  EXPECT_THAT(Refs(Search(children)),
              UnorderedElementsAre("Base-7B-Instruct-LoRA",
                                   "Base-7B-Instruct-GGUF", "Merged-7B"));
  EXPECT_THAT(Refs(Search(quantized)), ElementsAre("Base-7B-Instruct-GGUF"));
}

TEST_F(RegistryServicePgTest, SearchWithUnknownParentIsNotFound) {
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_parent_ref("acme-ai/Nothing@v1");
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- lineage

std::vector<std::pair<std::string, int>> Nodes(
    const v1::GetLineageResponse& response) {
  std::vector<std::pair<std::string, int>> nodes;
  for (const v1::LineageNode& node : response.nodes()) {
    nodes.emplace_back(node.record().model_name(),
                       node.side() == v1::LINEAGE_SIDE_DESCENDANT
                           ? -node.distance()
                           : node.distance());
  }
  return nodes;
}

TEST_F(RegistryServicePgTest, AncestorsOfAdapterReachTheBase) {
  PublishGraph();

  const v1::GetLineageResponse lineage =
      Lineage(adapter_, v1::LINEAGE_DIRECTION_ANCESTORS);

  EXPECT_THAT(Nodes(lineage),
              ElementsAre(std::make_pair("Base-7B-Instruct-LoRA", 0),
                          std::make_pair("Base-7B-Instruct", 1),
                          std::make_pair("Base-7B", 2)));
  EXPECT_EQ(lineage.nodes(0).side(), v1::LINEAGE_SIDE_START);
  ASSERT_EQ(lineage.edges_size(), 2);
}

TEST_F(RegistryServicePgTest, DescendantsOfBaseIncludeEveryDerivative) {
  PublishGraph();

  const v1::GetLineageResponse lineage =
      Lineage(base_, v1::LINEAGE_DIRECTION_DESCENDANTS);

  EXPECT_THAT(Nodes(lineage),
              UnorderedElementsAre(std::make_pair("Base-7B", 0),
                                   std::make_pair("Base-7B-Instruct", -1),
                                   std::make_pair("Base-7B-Instruct-LoRA", -2),
                                   std::make_pair("Base-7B-Instruct-GGUF", -2),
                                   std::make_pair("Merged-7B", -2)));
}

TEST_F(RegistryServicePgTest, MergeHasBothParentsWithMergeEdges) {
  PublishGraph();

  const v1::GetLineageResponse lineage =
      Lineage(merge_, v1::LINEAGE_DIRECTION_ANCESTORS);

  EXPECT_THAT(Nodes(lineage),
              UnorderedElementsAre(std::make_pair("Merged-7B", 0),
                                   std::make_pair("Base-7B-Instruct", 1),
                                   std::make_pair("Other-7B", 1),
                                   std::make_pair("Base-7B", 2)));
  std::vector<std::string> merge_parents;
  for (const v1::LineageEdge& edge : lineage.edges()) {
    if (edge.child_record_digest() == DigestOf(merge_)) {
      EXPECT_EQ(edge.relation(), "merge");
      merge_parents.push_back(edge.parent_record_digest());
    }
  }
  EXPECT_THAT(merge_parents,
              UnorderedElementsAre(DigestOf(instruct_), DigestOf(other_)));
}

TEST_F(RegistryServicePgTest, StudentHasTeacherByDistillation) {
  PublishGraph();

  const v1::GetLineageResponse lineage =
      Lineage(student_, v1::LINEAGE_DIRECTION_ANCESTORS);

  ASSERT_EQ(lineage.edges_size(), 1);
  EXPECT_EQ(lineage.edges(0).relation(), "distillation");
  EXPECT_EQ(lineage.edges(0).parent_record_digest(), DigestOf(teacher_));
  EXPECT_EQ(lineage.edges(0).child_record_digest(), DigestOf(student_));
}

TEST_F(RegistryServicePgTest, RelationFilterFollowsOnlyThoseEdges) {
  PublishGraph();

  const v1::GetLineageResponse lineage =
      Lineage(instruct_, v1::LINEAGE_DIRECTION_DESCENDANTS, {"quantized"});

  EXPECT_THAT(Nodes(lineage),
              ElementsAre(std::make_pair("Base-7B-Instruct", 0),
                          std::make_pair("Base-7B-Instruct-GGUF", -1)));
}

// ----------------------------------------------------------- verification

TEST_F(RegistryServicePgTest, VerifyMatchesUnchangedFiles) {
  const rec::Record record = rec::ValidRecordForTest();
  rec::Record record_no_parents = record;
  record_no_parents.lineage.clear();
  Publish(record_no_parents);

  const v1::RecordMatch match =
      VerifyAgainst(record_no_parents, LocalFiles(record_no_parents));

  EXPECT_TRUE(match.all_match());
  ASSERT_EQ(match.files_size(), 4);
  for (const v1::FileResult& file : match.files()) {
    EXPECT_EQ(file.verdict(), v1::FILE_VERDICT_MATCH) << file.path();
  }
  ASSERT_EQ(match.signers_size(), 1);
  EXPECT_EQ(match.signers(0).key_id(), key_->key_id());
  EXPECT_FALSE(match.envelope().empty());
}

TEST_F(RegistryServicePgTest, VerifyReportsFlippedDroppedAndAddedFiles) {
  rec::Record record = rec::ValidRecordForTest();
  record.lineage.clear();
  Publish(record);
  std::vector<v1::FileDigest> files = LocalFiles(record);
  files[0].set_sha256(HexEncode(rec::FilledBytes('\x7f')));  // config.json
  files.erase(files.begin() + 3);                            // tokenizer.json
  v1::FileDigest added;
  added.set_path("extra/notes.txt");
  added.set_sha256(HexEncode(rec::FilledBytes('\x66')));
  files.push_back(added);

  const v1::RecordMatch match = VerifyAgainst(record, files);

  EXPECT_FALSE(match.all_match());
  std::vector<std::pair<std::string, v1::FileVerdict>> verdicts;
  for (const v1::FileResult& file : match.files()) {
    verdicts.emplace_back(file.path(), file.verdict());
  }
  EXPECT_THAT(
      verdicts,
      ElementsAre(
          std::make_pair("config.json", v1::FILE_VERDICT_DIGEST_MISMATCH),
          std::make_pair("extra/notes.txt", v1::FILE_VERDICT_UNEXPECTED),
          std::make_pair("model-00001-of-00002.safetensors",
                         v1::FILE_VERDICT_MATCH),
          std::make_pair("model-00002-of-00002.safetensors",
                         v1::FILE_VERDICT_MATCH),
          std::make_pair("tokenizer.json", v1::FILE_VERDICT_MISSING)));
}

TEST_F(RegistryServicePgTest, VerifyWithoutRefFindsTheRecordByItsFiles) {
  PublishGraph();
  grpc::ClientContext context;
  v1::VerifyArtifactsRequest request;
  for (const v1::FileDigest& file : LocalFiles(gguf_)) {
    *request.add_files() = file;
  }
  v1::VerifyArtifactsResponse response;

  const grpc::Status status =
      stub_->VerifyArtifacts(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GE(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).record().record_digest(), DigestOf(gguf_));
  EXPECT_TRUE(response.matches(0).all_match());
}

TEST_F(RegistryServicePgTest, VerifyByRootDigestFindsTheRecord) {
  PublishGraph();
  grpc::ClientContext context;
  v1::VerifyArtifactsRequest request;
  request.set_root_digest(HexEncode(merge_.artifacts.root_digest));
  v1::VerifyArtifactsResponse response;

  const grpc::Status status =
      stub_->VerifyArtifacts(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).record().record_digest(), DigestOf(merge_));
  EXPECT_TRUE(response.matches(0).all_match());
}

TEST_F(RegistryServicePgTest, VerifyUnknownFilesGivesNoMatches) {
  PublishGraph();
  grpc::ClientContext context;
  v1::VerifyArtifactsRequest request;
  v1::FileDigest* file = request.add_files();
  file->set_path("model.safetensors");
  file->set_sha256(HexEncode(rec::FilledBytes('\x55')));
  v1::VerifyArtifactsResponse response;

  const grpc::Status status =
      stub_->VerifyArtifacts(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.matches_size(), 0);
}

// ----------------------------------------------------------- availability

TEST_F(RegistryServicePgTest, RecoversAfterConnectionsAreKilled) {
  ASSERT_OK_AND_ASSIGN(const std::string admin_dsn,
                       ::pedigree::testing::TestAdminDsn());
  {
    std::string database_name;
    {
      pqxx::connection probe(dsn());
      database_name = probe.dbname();
    }
    pqxx::connection admin(admin_dsn);
    pqxx::nontransaction tx(admin);
    tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid()",
        database_name);
  }
  std::vector<grpc::StatusCode> codes;

  for (int i = 0; i <= kPoolSize; ++i) {
    grpc::ClientContext context;
    v1::ListKeysRequest request;
    request.set_namespace_name("acme-ai");
    v1::ListKeysResponse response;
    codes.push_back(stub_->ListKeys(&context, request, &response).error_code());
  }

  for (const grpc::StatusCode code : codes) {
    EXPECT_TRUE(code == grpc::StatusCode::OK ||
                code == grpc::StatusCode::UNAVAILABLE)
        << "code " << code;
  }
  EXPECT_EQ(codes.back(), grpc::StatusCode::OK);
}

// ----------------------------------------------------- transparency log
// Checked as a client checks: notes opened with the pinned log key (the
// signer's verifier key, given out of band), leaf hashes recomputed from
// the bytes the test sent, proofs verified with core::merkle.

// Opens `checkpoint`'s note with the pinned key `pinned`; FailedPrecondition
// if the display fields do not repeat what the note says.
absl::StatusOr<core::note::Checkpoint> OpenPinned(
    const v1::Checkpoint& checkpoint, const std::string& pinned) {
  PEDIGREE_ASSIGN_OR_RETURN(const core::note::NoteVerifier verifier,
                            core::note::NoteVerifier::FromVerifierKey(pinned));
  PEDIGREE_ASSIGN_OR_RETURN(
      core::note::Checkpoint opened,
      core::note::OpenCheckpoint(checkpoint.note(), verifier,
                                 ::pedigree::testing::kTestLogOrigin));
  if (checkpoint.origin() != opened.origin ||
      checkpoint.tree_size() != opened.size ||
      checkpoint.root_hash() != HexEncode(opened.root_hash)) {
    return absl::FailedPreconditionError(
        "checkpoint fields disagree with the signed note");
  }
  return opened;
}

absl::StatusOr<std::vector<std::string>> DecodeHashes(
    const google::protobuf::RepeatedPtrField<std::string>& hex) {
  std::vector<std::string> hashes;
  for (const std::string& hash : hex) {
    PEDIGREE_ASSIGN_OR_RETURN(std::string raw, core::HexDecode(hash));
    hashes.push_back(std::move(raw));
  }
  return hashes;
}

// OK only if `proof` proves the entry bytes `entry` in the opened
// `checkpoint`.
absl::Status VerifyProtoInclusion(absl::string_view entry,
                                  const v1::InclusionProof& proof,
                                  const core::note::Checkpoint& checkpoint) {
  if (proof.tree_size() != checkpoint.size) {
    return absl::FailedPreconditionError(
        absl::StrCat("proof of tree size ", proof.tree_size(),
                     " for a checkpoint of size ", checkpoint.size));
  }
  PEDIGREE_ASSIGN_OR_RETURN(const std::string leaf,
                            core::merkle::HashLeaf(entry));
  PEDIGREE_ASSIGN_OR_RETURN(const std::vector<std::string> hashes,
                            DecodeHashes(proof.hashes()));
  return core::merkle::VerifyInclusion(proof.log_index(), checkpoint.size, leaf,
                                       hashes, checkpoint.root_hash);
}

grpc::Status CallGetCheckpoint(v1::Registry::Stub& stub,
                               v1::GetCheckpointResponse* response) {
  grpc::ClientContext context;
  return stub.GetCheckpoint(&context, v1::GetCheckpointRequest(), response);
}

grpc::Status CallGetInclusionProof(v1::Registry::Stub& stub,
                                   const v1::GetInclusionProofRequest& request,
                                   v1::GetInclusionProofResponse* response) {
  grpc::ClientContext context;
  return stub.GetInclusionProof(&context, request, response);
}

grpc::Status CallGetConsistencyProof(
    v1::Registry::Stub& stub, uint64_t old_size, uint64_t new_size,
    v1::GetConsistencyProofResponse* response) {
  grpc::ClientContext context;
  v1::GetConsistencyProofRequest request;
  request.set_old_size(old_size);
  request.set_new_size(new_size);
  return stub.GetConsistencyProof(&context, request, response);
}

grpc::Status CallGetLogEntries(v1::Registry::Stub& stub, uint64_t start,
                               uint32_t count,
                               v1::GetLogEntriesResponse* response) {
  grpc::ClientContext context;
  v1::GetLogEntriesRequest request;
  request.set_start(start);
  request.set_count(count);
  return stub.GetLogEntries(&context, request, response);
}

v1::GetInclusionProofRequest ByIndex(uint64_t log_index, uint64_t tree_size) {
  v1::GetInclusionProofRequest request;
  request.set_log_index(log_index);
  request.set_tree_size(tree_size);
  return request;
}

v1::GetInclusionProofRequest ByDigest(const std::string& record_digest,
                                      uint64_t tree_size) {
  v1::GetInclusionProofRequest request;
  request.set_record_digest(record_digest);
  request.set_tree_size(tree_size);
  return request;
}

TEST_F(RegistryServicePgTest, LogGetCheckpointReturnsNoteSignedByTheLogKey) {
  v1::GetCheckpointResponse response;

  const grpc::Status status = CallGetCheckpoint(*stub_, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.log_verifier_key(), log_signer_->verifier_key());
  ASSERT_OK_AND_ASSIGN(
      const core::note::Checkpoint opened,
      OpenPinned(response.checkpoint(), log_signer_->verifier_key()));
  EXPECT_EQ(opened.origin, ::pedigree::testing::kTestLogOrigin);
  EXPECT_EQ(opened.size, 1u);  // the key SetUp added
  const std::string key_entry =
      rec::KeyLogEntry("acme-ai", key_->public_key().key_id(), "ed25519",
                       key_->public_key().spki_der());
  ASSERT_OK_AND_ASSIGN(const std::string leaf,
                       core::merkle::HashLeaf(key_entry));
  EXPECT_EQ(opened.root_hash, leaf);  // a one-leaf tree's root is its leaf
}

TEST_F(RegistryServicePgTest,
       LogPublishResponseProvesInclusionInItsCheckpoint) {
  const std::string envelope = Envelope(Model("Logged", '\x21'), *key_);
  v1::PublishRecordResponse response;

  const grpc::Status status = PublishEnvelope(envelope, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.inclusion().proof().log_index(), 1u);
  ASSERT_OK_AND_ASSIGN(const core::note::Checkpoint opened,
                       OpenPinned(response.inclusion().checkpoint(),
                                  log_signer_->verifier_key()));
  EXPECT_EQ(opened.size, 2u);
  EXPECT_OK(VerifyProtoInclusion(rec::RecordLogEntry(envelope),
                                 response.inclusion().proof(), opened));
  EXPECT_FALSE(VerifyProtoInclusion(rec::RecordLogEntry(envelope + " "),
                                    response.inclusion().proof(), opened)
                   .ok());
}

TEST_F(RegistryServicePgTest, LogInclusionProofByDigestAndByIndexAgree) {
  const std::string envelope = Envelope(Model("First", '\x21'), *key_);
  v1::PublishRecordResponse published;
  ASSERT_TRUE(PublishEnvelope(envelope, &published).ok());
  Publish(Model("Second", '\x22'));
  v1::GetInclusionProofResponse by_digest;
  v1::GetInclusionProofResponse by_index;

  const grpc::Status digest_status = CallGetInclusionProof(
      *stub_, ByDigest(published.record().record_digest(), 0), &by_digest);
  const grpc::Status index_status =
      CallGetInclusionProof(*stub_, ByIndex(1, 0), &by_index);

  ASSERT_TRUE(digest_status.ok()) << digest_status.error_message();
  ASSERT_TRUE(index_status.ok()) << index_status.error_message();
  ASSERT_TRUE(by_digest.has_checkpoint());
  ASSERT_OK_AND_ASSIGN(
      const core::note::Checkpoint opened,
      OpenPinned(by_digest.checkpoint(), log_signer_->verifier_key()));
  EXPECT_EQ(opened.size, 3u);
  EXPECT_EQ(by_digest.proof().log_index(), 1u);
  EXPECT_OK(VerifyProtoInclusion(rec::RecordLogEntry(envelope),
                                 by_digest.proof(), opened));
  ASSERT_OK_AND_ASSIGN(const std::string leaf,
                       core::merkle::HashLeaf(rec::RecordLogEntry(envelope)));
  EXPECT_EQ(by_digest.leaf_hash(), HexEncode(leaf));
  EXPECT_EQ(by_index.proof().SerializeAsString(),
            by_digest.proof().SerializeAsString());
  EXPECT_EQ(by_index.checkpoint().note(), by_digest.checkpoint().note());
}

TEST_F(RegistryServicePgTest, LogInclusionProofAtOlderSizeUsesThatCheckpoint) {
  const std::string envelope = Envelope(Model("First", '\x21'), *key_);
  v1::PublishRecordResponse published;
  ASSERT_TRUE(PublishEnvelope(envelope, &published).ok());
  Publish(Model("Second", '\x22'));
  Publish(Model("Third", '\x23'));
  v1::GetInclusionProofResponse old_proof;

  const grpc::Status status =
      CallGetInclusionProof(*stub_, ByIndex(1, 2), &old_proof);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(old_proof.proof().tree_size(), 2u);
  ASSERT_TRUE(old_proof.has_checkpoint());
  ASSERT_OK_AND_ASSIGN(
      const core::note::Checkpoint older,
      OpenPinned(old_proof.checkpoint(), log_signer_->verifier_key()));
  EXPECT_EQ(older.size, 2u);
  EXPECT_EQ(old_proof.checkpoint().note(),
            published.inclusion().checkpoint().note());
  EXPECT_OK(VerifyProtoInclusion(rec::RecordLogEntry(envelope),
                                 old_proof.proof(), older));
}

TEST_F(RegistryServicePgTest, LogInclusionProofWithoutEntryIsInvalidArgument) {
  v1::GetInclusionProofRequest request;
  request.set_tree_size(1);
  v1::GetInclusionProofResponse response;

  const grpc::Status status = CallGetInclusionProof(*stub_, request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("entry"));
}

TEST_F(RegistryServicePgTest,
       LogInclusionProofWithMalformedDigestIsInvalidArgument) {
  const std::string upper(64, 'A');
  for (const std::string& digest :
       {std::string("abc"), upper, std::string(62, 'a'), std::string()}) {
    v1::GetInclusionProofResponse response;

    const grpc::Status status =
        CallGetInclusionProof(*stub_, ByDigest(digest, 0), &response);

    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << "\"" << digest << "\"";
  }
}

TEST_F(RegistryServicePgTest, LogInclusionProofOfUnknownDigestIsNotFound) {
  v1::GetInclusionProofResponse response;

  const grpc::Status status = CallGetInclusionProof(
      *stub_, ByDigest(std::string(64, 'a'), 0), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RegistryServicePgTest,
       LogInclusionProofOfIndexAtTreeSizeIsInvalidArgument) {
  Publish(Model("First", '\x21'));  // the log has 2 entries
  v1::GetInclusionProofResponse at_newest;
  v1::GetInclusionProofResponse at_older;

  const grpc::Status newest_status =
      CallGetInclusionProof(*stub_, ByIndex(2, 0), &at_newest);
  const grpc::Status older_status =
      CallGetInclusionProof(*stub_, ByIndex(1, 1), &at_older);

  EXPECT_EQ(newest_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(older_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RegistryServicePgTest,
       LogInclusionProofBeyondNewestSizeIsInvalidArgument) {
  v1::GetInclusionProofResponse response;

  const grpc::Status status =
      CallGetInclusionProof(*stub_, ByIndex(0, 2), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RegistryServicePgTest, LogConsistencyProofProvesOlderCheckpointPrefix) {
  v1::GetCheckpointResponse first;
  ASSERT_TRUE(CallGetCheckpoint(*stub_, &first).ok());
  Publish(Model("First", '\x21'));
  Publish(Model("Second", '\x22'));
  v1::GetConsistencyProofResponse response;

  const grpc::Status status = CallGetConsistencyProof(
      *stub_, first.checkpoint().tree_size(), 0, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_OK_AND_ASSIGN(
      const core::note::Checkpoint older,
      OpenPinned(first.checkpoint(), log_signer_->verifier_key()));
  ASSERT_OK_AND_ASSIGN(
      const core::note::Checkpoint newer,
      OpenPinned(response.checkpoint(), log_signer_->verifier_key()));
  EXPECT_EQ(response.old_size(), 1u);
  EXPECT_EQ(response.new_size(), 3u);
  EXPECT_EQ(newer.size, 3u);
  ASSERT_OK_AND_ASSIGN(const std::vector<std::string> hashes,
                       DecodeHashes(response.hashes()));
  EXPECT_OK(core::merkle::VerifyConsistency(older.size, newer.size, hashes,
                                            older.root_hash, newer.root_hash));
}

TEST_F(RegistryServicePgTest,
       LogConsistencyProofWithOldAboveNewIsInvalidArgument) {
  Publish(Model("First", '\x21'));
  Publish(Model("Second", '\x22'));  // the log has 3 entries
  v1::GetConsistencyProofResponse explicit_new;
  v1::GetConsistencyProofResponse newest;

  const grpc::Status explicit_status =
      CallGetConsistencyProof(*stub_, 3, 2, &explicit_new);
  const grpc::Status newest_status =
      CallGetConsistencyProof(*stub_, 4, 0, &newest);

  EXPECT_EQ(explicit_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(newest_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RegistryServicePgTest, LogGetLogEntriesRejectsCountAbove256) {
  v1::GetLogEntriesResponse response;

  const grpc::Status status = CallGetLogEntries(*stub_, 0, 257, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("257"));
}

TEST_F(RegistryServicePgTest, LogGetLogEntriesCountZeroReturnsAPageOf256) {
  constexpr int kThreads = 16;
  constexpr int kKeysPerThread = 17;  // 1 + 272 entries: more than a page
  std::vector<std::vector<PrivateKey>> keys(kThreads);
  for (std::vector<PrivateKey>& thread_keys : keys) {
    for (int i = 0; i < kKeysPerThread; ++i) {
      ASSERT_OK_AND_ASSIGN(PrivateKey key,
                           PrivateKey::Generate(KeyType::kEd25519));
      thread_keys.push_back(std::move(key));
    }
  }
  std::vector<grpc::Status> statuses(kThreads * kKeysPerThread);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kKeysPerThread; ++i) {
        grpc::ClientContext context;
        Authorize(&context);
        v1::AddKeyRequest request;
        request.set_namespace_name("acme-ai");
        request.set_public_key_pem(keys[t][i].public_key().ToPem());
        v1::Key response;
        statuses[t * kKeysPerThread + i] =
            stub_->AddKey(&context, request, &response);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const grpc::Status& status : statuses) {
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  constexpr uint64_t kTotal = 1 + kThreads * kKeysPerThread;
  v1::GetLogEntriesResponse first;
  v1::GetLogEntriesResponse second;

  const grpc::Status first_status = CallGetLogEntries(*stub_, 0, 0, &first);
  const grpc::Status second_status =
      CallGetLogEntries(*stub_, first.entries_size(), 0, &second);

  ASSERT_TRUE(first_status.ok()) << first_status.error_message();
  ASSERT_TRUE(second_status.ok()) << second_status.error_message();
  EXPECT_EQ(first.entries_size(), 256);
  EXPECT_EQ(second.entries_size(), static_cast<int>(kTotal) - 256);
  EXPECT_EQ(first.tree_size(), kTotal);
  // A client rebuilds the tree from the entries and checks it against the
  // signed checkpoint, and finds every key it added.
  std::set<std::string> wanted;
  for (const std::vector<PrivateKey>& thread_keys : keys) {
    for (const PrivateKey& key : thread_keys) {
      wanted.insert(rec::KeyLogEntry("acme-ai", key.public_key().key_id(),
                                     "ed25519", key.public_key().spki_der()));
    }
  }
  core::merkle::TreeAppender tree;
  std::set<std::string> found;
  for (const v1::GetLogEntriesResponse* page : {&first, &second}) {
    for (const v1::LogEntry& entry : page->entries()) {
      ASSERT_EQ(entry.log_index(), tree.size());
      ASSERT_OK_AND_ASSIGN(const std::string leaf,
                           core::merkle::HashLeaf(entry.data()));
      ASSERT_OK(tree.Append(leaf).status());
      if (entry.log_index() > 0) found.insert(entry.data());
    }
  }
  EXPECT_EQ(found, wanted);
  v1::GetCheckpointResponse checkpoint;
  ASSERT_TRUE(CallGetCheckpoint(*stub_, &checkpoint).ok());
  ASSERT_OK_AND_ASSIGN(
      const core::note::Checkpoint opened,
      OpenPinned(checkpoint.checkpoint(), log_signer_->verifier_key()));
  EXPECT_EQ(opened.size, kTotal);
  EXPECT_THAT(tree.RootHash(), ::pedigree::testing::IsOk());
  EXPECT_EQ(tree.RootHash().value_or(""), opened.root_hash);
}

// ------------------------------------------- VerifyArtifacts with a feed

// A second service over the fixture's store whose VerifyArtifacts keeps
// answers while a PostgresChangeFeed on the test database reports no
// change: verdicts must follow the database all the same.
class CachedVerifyPgTest : public RegistryServicePgTest {
 protected:
  void SetUp() override {
    RegistryServicePgTest::SetUp();
    if (HasFatalFailure()) return;
    feed_ = std::make_unique<storage::PostgresChangeFeed>(dsn());
    ASSERT_TRUE(feed_->WaitUntilListening(3000));
    RegistryServiceOptions options;
    options.change_feed = feed_.get();
    cached_service_ =
        std::make_unique<RegistryService>(*store_, options, logger_);
    grpc::ServerBuilder builder;
    builder.RegisterService(cached_service_.get());
    cached_server_ = builder.BuildAndStart();
    ASSERT_NE(cached_server_, nullptr);
    cached_stub_ = v1::Registry::NewStub(cached_server_->InProcessChannel({}));
  }

  void TearDown() override {
    cached_stub_.reset();
    if (cached_server_ != nullptr) {
      cached_server_->Shutdown();
      cached_server_->Wait();
    }
    cached_server_.reset();
    cached_service_.reset();
    feed_.reset();
    RegistryServicePgTest::TearDown();
  }

  // VerifyArtifacts by the files of `record` (no ref) on the cached
  // service; fails the test unless the call succeeds.
  v1::VerifyArtifactsResponse VerifyByFiles(const rec::Record& record) {
    grpc::ClientContext context;
    v1::VerifyArtifactsRequest request;
    for (const v1::FileDigest& file : LocalFiles(record)) {
      *request.add_files() = file;
    }
    v1::VerifyArtifactsResponse response;
    const grpc::Status status =
        cached_stub_->VerifyArtifacts(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Runs `sql` (parameter $1 = `param`) in a committed transaction and
  // waits until the feed reports a generation other than the one before.
  void ChangeAndWait(const std::string& sql, const std::string& param) {
    const std::optional<uint64_t> before = feed_->Generation();
    ASSERT_TRUE(before.has_value());
    {
      pqxx::connection connection(dsn());
      pqxx::work tx(connection);
      tx.exec_params(sql, param);
      tx.commit();
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(3);
    std::optional<uint64_t> now = feed_->Generation();
    while (absl::Now() < deadline && (!now.has_value() || *now == *before)) {
      absl::SleepFor(absl::Milliseconds(1));
      now = feed_->Generation();
    }
    ASSERT_TRUE(now.has_value() && *now != *before)
        << "the feed saw no change after: " << sql;
  }

  std::unique_ptr<storage::PostgresChangeFeed> feed_;
  std::unique_ptr<RegistryService> cached_service_;
  std::unique_ptr<grpc::Server> cached_server_;
  std::unique_ptr<v1::Registry::Stub> cached_stub_;
};

TEST_F(CachedVerifyPgTest, KeyRevokedInSqlIsReportedRevoked) {
  const rec::Record record = Model("Cached-7B", '\x32');
  const std::string digest = Publish(record);
  // Twice under one generation: the second answer may come from memory
  // and must be the same.
  const v1::VerifyArtifactsResponse before = VerifyByFiles(record);
  ASSERT_EQ(before.matches_size(), 1);
  ASSERT_EQ(before.matches(0).record().record_digest(), digest);
  ASSERT_TRUE(before.matches(0).all_match());
  ASSERT_EQ(before.matches(0).signers_size(), 1);
  ASSERT_EQ(before.matches(0).signers(0).status(), v1::KEY_STATUS_ACTIVE);
  ASSERT_EQ(VerifyByFiles(record).SerializeAsString(),
            before.SerializeAsString());
  ASSERT_NO_FATAL_FAILURE(
      ChangeAndWait("UPDATE keys SET status = 'revoked', revoked_at = now() "
                    "WHERE key_id = $1",
                    key_->key_id()));

  const v1::VerifyArtifactsResponse after = VerifyByFiles(record);

  ASSERT_EQ(after.matches_size(), 1);
  ASSERT_EQ(after.matches(0).signers_size(), 1);
  EXPECT_EQ(after.matches(0).signers(0).key_id(), key_->key_id());
  EXPECT_EQ(after.matches(0).signers(0).status(), v1::KEY_STATUS_REVOKED);
  EXPECT_TRUE(after.matches(0).signers(0).has_revoked_at());
}

TEST_F(CachedVerifyPgTest, RecordPublishedLaterWithTheSameFilesIsFound) {
  const rec::Record first = Model("Cached-7B", '\x33');
  Publish(first);
  ASSERT_EQ(VerifyByFiles(first).matches_size(), 1);
  ASSERT_EQ(VerifyByFiles(first).matches_size(), 1);
  const rec::Record copy = Model("Cached-7B-Copy", '\x33');
  const std::optional<uint64_t> generation = feed_->Generation();
  ASSERT_TRUE(generation.has_value());
  const std::string copy_digest = Publish(copy);
  const absl::Time deadline = absl::Now() + absl::Seconds(3);
  while (absl::Now() < deadline && feed_->Generation() == generation) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_NE(feed_->Generation(), generation);

  const v1::VerifyArtifactsResponse after = VerifyByFiles(first);

  ASSERT_EQ(after.matches_size(), 2);
  std::set<std::string> digests;
  for (const v1::RecordMatch& match : after.matches()) {
    digests.insert(match.record().record_digest());
  }
  EXPECT_EQ(digests.count(copy_digest), 1u);
}

}  // namespace
}  // namespace pedigree::server::service
