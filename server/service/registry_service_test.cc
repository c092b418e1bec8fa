#include "server/service/registry_service.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "core/crypto/keys.h"
#include "core/crypto/sha256.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/judgment/judgment.h"
#include "core/record/record_envelope.h"
#include "core/record/record_test_util.h"
#include "core/record/statement.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "pedigree/v1/registry.grpc.pb.h"
#include "server/storage/change_feed.h"
#include "server/storage/testing/mock_registry_store.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::service {
namespace {

namespace rec = ::pedigree::core::record;
using ::pedigree::core::HexEncode;
using ::pedigree::core::crypto::KeyType;
using ::pedigree::core::crypto::PrivateKey;
using ::pedigree::server::storage::KeyRow;
using ::pedigree::server::storage::KeyStatus;
using ::pedigree::server::storage::LineageGraph;
using ::pedigree::server::storage::MockRegistryStore;
using ::pedigree::server::storage::NewRecord;
using ::pedigree::server::storage::PageRequest;
using ::pedigree::server::storage::PublishResult;
using ::pedigree::server::storage::RecordPage;
using ::pedigree::server::storage::SearchFilter;
using ::pedigree::server::storage::StoredRecord;
using ::pedigree::server::storage::VersionPage;
using ::testing::_;
using ::testing::AllOf;
using ::testing::AnyNumber;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Return;
using ::testing::ReturnPointee;
using ::testing::StrictMock;

constexpr char kAdminToken[] = "s3cret-admin-token";
constexpr char kNamespace[] = "acme-ai";

// Collects request log entries. Thread-safe.
class CapturingLogger final : public RequestLogger {
 public:
  void Log(const RequestLogEntry& entry) override {
    absl::MutexLock lock(&mu_);
    entries_.push_back(entry);
  }
  std::vector<RequestLogEntry> entries() {
    absl::MutexLock lock(&mu_);
    return entries_;
  }

 private:
  absl::Mutex mu_;
  std::vector<RequestLogEntry> entries_ ABSL_GUARDED_BY(mu_);
};

// A ChangeFeed whose generation the test sets. Thread-safe.
class FakeChangeFeed final : public storage::ChangeFeed {
 public:
  std::optional<uint64_t> Generation() const override {
    absl::MutexLock lock(&mu_);
    return generation_;
  }
  void Set(std::optional<uint64_t> generation) {
    absl::MutexLock lock(&mu_);
    generation_ = generation;
  }

 private:
  mutable absl::Mutex mu_;
  std::optional<uint64_t> generation_ ABSL_GUARDED_BY(mu_);
};

KeyRow RowFor(const PrivateKey& key, std::string namespace_name,
              KeyStatus status = KeyStatus::kActive) {
  KeyRow row;
  row.key_id = key.key_id();
  row.namespace_name = std::move(namespace_name);
  row.type = key.type();
  row.spki_der = key.public_key().spki_der();
  row.status = status;
  row.added_at = absl::FromUnixSeconds(1700000000);
  if (status == KeyStatus::kRevoked) {
    row.revoked_at = absl::FromUnixSeconds(1700000100);
  }
  return row;
}

// Returns the DSSE JSON of `payload` signed by `key`.
std::string SignPayload(absl::string_view payload_type,
                        absl::string_view payload, const PrivateKey& key) {
  absl::StatusOr<core::dsse::Envelope> envelope =
      core::dsse::SignEnvelope(payload_type, payload, {&key});
  EXPECT_THAT(envelope, testing::IsOk());
  return envelope.ok() ? core::dsse::SerializeEnvelope(*envelope) : "";
}

std::string CanonicalPayload(const rec::Record& record) {
  absl::StatusOr<std::string> payload = rec::SerializeStatement(record);
  EXPECT_THAT(payload, testing::IsOk());
  return payload.ok() ? *payload : "";
}

std::string RawSha256(absl::string_view data) {
  absl::StatusOr<std::string> digest = core::crypto::Sha256Digest(data);
  EXPECT_THAT(digest, testing::IsOk());
  return digest.ok() ? *digest : "";
}

// A stored record as the store would return it for `record`.
StoredRecord Stored(int64_t id, const rec::Record& record,
                    const std::string& envelope,
                    std::vector<std::string> signer_key_ids) {
  StoredRecord stored;
  stored.id = id;
  stored.record_digest = RawSha256(CanonicalPayload(record));
  stored.ref = record.model.ref;
  stored.root_digest = record.artifacts.root_digest;
  stored.envelope = envelope;
  stored.published_at = absl::FromUnixSeconds(1700000200);
  stored.release_date = record.model.release_date;
  stored.weights_license = record.licenses.weights;
  stored.code_license = record.licenses.code;
  stored.declared_openness = std::string(rec::ToString(record.openness.claim));
  stored.signer_key_ids = std::move(signer_key_ids);
  return stored;
}

// A publish result for `record` with a placeholder log proof.
PublishResult Published(StoredRecord record, bool already_existed) {
  PublishResult result;
  result.record = std::move(record);
  result.record.log_index = 3;
  result.already_existed = already_existed;
  result.inclusion = {3, 8, std::string(32, 'l'), {std::string(32, 'a')}};
  result.checkpoint = {8, std::string(32, 'r'), "checkpoint note\n"};
  return result;
}

rec::Record RecordWithoutLineage() {
  rec::Record record = rec::ValidRecordForTest();
  record.lineage.clear();
  return record;
}

class RegistryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<PrivateKey> key = PrivateKey::Generate(KeyType::kEd25519);
    ASSERT_THAT(key, testing::IsOk());
    key_ = std::make_unique<PrivateKey>(*key);
    absl::StatusOr<PrivateKey> other = PrivateKey::Generate(KeyType::kEd25519);
    ASSERT_THAT(other, testing::IsOk());
    other_key_ = std::make_unique<PrivateKey>(*other);
    RegistryServiceOptions options;
    options.admin_token = kAdminToken;
    Start(options);
  }

  void TearDown() override { Stop(); }

  void Start(const RegistryServiceOptions& options) {
    Stop();
    service_ = std::make_unique<RegistryService>(store_, options, logger_);
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::Registry::NewStub(server_->InProcessChannel({}));
  }

  void Stop() {
    stub_.reset();
    if (server_ != nullptr) {
      server_->Shutdown();
      server_->Wait();
      server_.reset();
    }
    service_.reset();
  }

  std::string SignedEnvelope(const rec::Record& record) {
    return SignPayload(rec::kPayloadType, CanonicalPayload(record), *key_);
  }

  void ExpectActiveKey() {
    EXPECT_CALL(store_, ListKeys(absl::string_view(kNamespace)))
        .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  }

  grpc::Status Publish(const std::string& envelope,
                       v1::PublishRecordResponse* response) {
    grpc::ClientContext context;
    v1::PublishRecordRequest request;
    request.set_envelope(envelope);
    return stub_->PublishRecord(&context, request, response);
  }

  grpc::Status CreateNamespace(const std::string& authorization,
                               const std::string& name) {
    grpc::ClientContext context;
    if (!authorization.empty()) {
      context.AddMetadata("authorization", authorization);
    }
    v1::CreateNamespaceRequest request;
    request.set_name(name);
    v1::Namespace response;
    return stub_->CreateNamespace(&context, request, &response);
  }

  StrictMock<MockRegistryStore> store_;
  CapturingLogger logger_;
  std::unique_ptr<RegistryService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Registry::Stub> stub_;
  std::unique_ptr<PrivateKey> key_;
  std::unique_ptr<PrivateKey> other_key_;
};

// gRPC status matchers: code and message.
MATCHER_P(GrpcCodeIs, code, "") {
  *result_listener << "status is " << arg.error_code() << " \""
                   << arg.error_message() << "\"";
  return arg.error_code() == code;
}
MATCHER_P2(GrpcStatusIs, code, message_matcher, "") {
  *result_listener << "status is " << arg.error_code() << " \""
                   << arg.error_message() << "\"";
  return arg.error_code() == code &&
         ::testing::Matches(message_matcher)(arg.error_message());
}

// ------------------------------------------------------------ PublishRecord

TEST_F(RegistryServiceTest, PublishRecordStoresVerifiedCanonicalRecord) {
  const rec::Record record = RecordWithoutLineage();
  const std::string envelope = SignedEnvelope(record);
  const std::string digest = RawSha256(CanonicalPayload(record));
  ExpectActiveKey();
  NewRecord stored_arg;
  EXPECT_CALL(store_, PublishRecord(_))
      .WillOnce([&](const NewRecord& arg) -> absl::StatusOr<PublishResult> {
        stored_arg = arg;
        return Published(Stored(7, record, envelope, {key_->key_id()}), false);
      });
  v1::PublishRecordResponse response;

  const grpc::Status status = Publish(envelope, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stored_arg.envelope, envelope);
  EXPECT_EQ(stored_arg.record_digest, digest);
  EXPECT_EQ(stored_arg.record, record);
  EXPECT_THAT(stored_arg.signer_key_ids, ElementsAre(key_->key_id()));
  EXPECT_EQ(response.record().record_digest(), HexEncode(digest));
  EXPECT_EQ(response.record().ref(), "acme-ai/Acme-7B-Instruct@v1.0");
  EXPECT_EQ(response.record().declared_openness(), "open_weight");
  EXPECT_THAT(response.record().signer_key_ids(), ElementsAre(key_->key_id()));
  EXPECT_FALSE(response.already_existed());
  EXPECT_EQ(response.record().log_index(), 3u);
  EXPECT_EQ(response.inclusion().proof().log_index(), 3u);
  EXPECT_EQ(response.inclusion().proof().tree_size(), 8u);
  EXPECT_THAT(response.inclusion().proof().hashes(),
              ElementsAre(HexEncode(std::string(32, 'a'))));
  EXPECT_EQ(response.inclusion().checkpoint().note(), "checkpoint note\n");
  EXPECT_EQ(response.inclusion().checkpoint().tree_size(), 8u);
  EXPECT_EQ(response.inclusion().checkpoint().root_hash(),
            HexEncode(std::string(32, 'r')));
}

TEST_F(RegistryServiceTest, PublishRecordReportsAlreadyExisted) {
  const rec::Record record = RecordWithoutLineage();
  const std::string envelope = SignedEnvelope(record);
  ExpectActiveKey();
  EXPECT_CALL(store_, PublishRecord(_))
      .WillOnce(Return(
          Published(Stored(7, record, envelope, {key_->key_id()}), true)));
  v1::PublishRecordResponse response;

  const grpc::Status status = Publish(envelope, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.already_existed());
}

TEST_F(RegistryServiceTest, PublishRecordRejectsEnvelopeOverSizeLimit) {
  RegistryServiceOptions options;
  options.max_envelope_bytes = 100;
  Start(options);
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(rec::MinimalRecordForTest()), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                   HasSubstr("server limit of 100 bytes")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsEmptyEnvelope) {
  v1::PublishRecordResponse response;

  const grpc::Status status = Publish("", &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("envelope: required")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsEnvelopeThatIsNotJson) {
  v1::PublishRecordResponse response;

  const grpc::Status status = Publish("{not json", &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("envelope: ")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsBadBase64NamingTheField) {
  v1::PublishRecordResponse response;

  const grpc::Status status = Publish(
      R"({"payloadType":"application/vnd.in-toto+json","payload":"!!!",)"
      R"("signatures":[{"keyid":"","sig":"AAAA"}]})",
      &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("envelope: payload")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsWrongPayloadType) {
  const std::string envelope = SignPayload(
      "application/json", CanonicalPayload(rec::MinimalRecordForTest()), *key_);
  v1::PublishRecordResponse response;

  const grpc::Status status = Publish(envelope, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("envelope.payloadType")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsInvalidRecordWithFieldPath) {
  const std::string payload =
      absl::StrReplaceAll(CanonicalPayload(rec::MinimalRecordForTest()),
                          {{"\"2025-01-20\"", "\"2025-13-40\""}});
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignPayload(rec::kPayloadType, payload, *key_), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("predicate.model.release_date")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsNonCanonicalPayload) {
  const std::string payload =
      CanonicalPayload(rec::MinimalRecordForTest()) + "\n";
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignPayload(rec::kPayloadType, payload, *key_), &response);

  EXPECT_THAT(status,
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                           HasSubstr("payload is not in canonical form")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsTooManyFiles) {
  RegistryServiceOptions options;
  options.max_files_per_record = 3;
  Start(options);
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(RecordWithoutLineage()), &response);

  EXPECT_THAT(status,
              GrpcStatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED,
                           HasSubstr("predicate.artifacts.files: 4 files")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsTooManyParents) {
  RegistryServiceOptions options;
  options.max_parents_per_record = 1;
  Start(options);
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(rec::ValidRecordForTest()), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                   HasSubstr("predicate.lineage: 2 parents")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsUnknownNamespace) {
  EXPECT_CALL(store_, ListKeys(_))
      .WillOnce(Return(absl::NotFoundError("namespace acme-ai not found")));
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(rec::MinimalRecordForTest()), &response);

  EXPECT_THAT(status,
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                           HasSubstr("namespace acme-ai does not exist")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsSignatureByUnregisteredKey) {
  const std::string envelope =
      SignPayload(rec::kPayloadType,
                  CanonicalPayload(rec::MinimalRecordForTest()), *other_key_);
  ExpectActiveKey();
  EXPECT_CALL(store_, GetKeys(ElementsAre(other_key_->key_id())))
      .WillOnce(Return(std::vector<KeyRow>{}));
  v1::PublishRecordResponse response;

  const grpc::Status status = Publish(envelope, &response);

  EXPECT_THAT(status,
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                           "no signature verifies with an active key of "
                           "namespace acme-ai"));
}

TEST_F(RegistryServiceTest, PublishRecordNamesKeyOfAnotherNamespace) {
  const std::string envelope =
      SignPayload(rec::kPayloadType,
                  CanonicalPayload(rec::MinimalRecordForTest()), *other_key_);
  ExpectActiveKey();
  EXPECT_CALL(store_, GetKeys(ElementsAre(other_key_->key_id())))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*other_key_, "other-org")}));
  v1::PublishRecordResponse response;

  const grpc::Status status = Publish(envelope, &response);

  EXPECT_THAT(status,
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                           AllOf(HasSubstr("namespace acme-ai"),
                                 HasSubstr("is a key of another namespace "
                                           "(other-org)"))));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsRevokedKey) {
  EXPECT_CALL(store_, ListKeys(_))
      .WillOnce(Return(
          std::vector<KeyRow>{RowFor(*key_, kNamespace, KeyStatus::kRevoked)}));
  EXPECT_CALL(store_, GetKeys(ElementsAre(key_->key_id())))
      .WillOnce(Return(
          std::vector<KeyRow>{RowFor(*key_, kNamespace, KeyStatus::kRevoked)}));
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(rec::MinimalRecordForTest()), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                                   HasSubstr("is revoked")));
}

TEST_F(RegistryServiceTest, PublishRecordRejectsTamperedPayload) {
  // Signed over one payload, carrying another canonical one.
  absl::StatusOr<core::dsse::Envelope> envelope = core::dsse::SignEnvelope(
      rec::kPayloadType, CanonicalPayload(rec::MinimalRecordForTest()),
      {key_.get()});
  ASSERT_THAT(envelope, testing::IsOk());
  rec::Record changed = rec::MinimalRecordForTest();
  changed.model.ref.version = "v2";
  envelope->payload = CanonicalPayload(changed);
  ExpectActiveKey();
  EXPECT_CALL(store_, GetKeys(ElementsAre(key_->key_id())))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(core::dsse::SerializeEnvelope(*envelope), &response);

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::PERMISSION_DENIED));
}

TEST_F(RegistryServiceTest, PublishRecordPassesStoreConflictsThrough) {
  ExpectActiveKey();
  EXPECT_CALL(store_, PublishRecord(_))
      .WillOnce(Return(absl::AlreadyExistsError(
          "acme-ai/Tiny-1B@v1 is stored with different content")));
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(rec::MinimalRecordForTest()), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::ALREADY_EXISTS,
                                   HasSubstr("different content")));
}

TEST_F(RegistryServiceTest,
       PublishRecordMapsUnknownParentToFailedPrecondition) {
  ExpectActiveKey();
  EXPECT_CALL(store_, PublishRecord(_))
      .WillOnce(Return(absl::FailedPreconditionError(
          "parent acme-ai/Acme-7B@v1.0 is not stored")));
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(rec::ValidRecordForTest()), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                                   HasSubstr("acme-ai/Acme-7B@v1.0")));
}

TEST_F(RegistryServiceTest, PublishRecordMapsUnavailableStore) {
  EXPECT_CALL(store_, ListKeys(_))
      .WillOnce(Return(absl::UnavailableError("database is down")));
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(rec::MinimalRecordForTest()), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::UNAVAILABLE,
                                   HasSubstr("database is unavailable")));
}

TEST_F(RegistryServiceTest, InternalStoreErrorIsHiddenAndLoggedInFull) {
  ExpectActiveKey();
  EXPECT_CALL(store_, PublishRecord(_))
      .WillOnce(Return(absl::InternalError("sqlstate 42P01: table gone")));
  v1::PublishRecordResponse response;

  const grpc::Status status =
      Publish(SignedEnvelope(rec::MinimalRecordForTest()), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INTERNAL,
                                   AllOf(HasSubstr("request id"),
                                         Not(HasSubstr("42P01")))));
  const std::vector<RequestLogEntry> entries = logger_.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].method, "PublishRecord");
  EXPECT_THAT(entries[0].status.message(), HasSubstr("42P01"));
  EXPECT_THAT(status.error_message(), HasSubstr(entries[0].request_id));
}

// --------------------------------------------------------- admin and keys

TEST_F(RegistryServiceTest, CreateNamespaceWithAdminTokenCreatesIt) {
  EXPECT_CALL(store_, CreateNamespace(absl::string_view("new-org")))
      .WillOnce(Return(
          storage::NamespaceRow{"new-org", absl::FromUnixSeconds(1700000000)}));

  const grpc::Status status =
      CreateNamespace(absl::StrCat("Bearer ", kAdminToken), "new-org");

  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(RegistryServiceTest, CreateNamespaceWithoutTokenIsUnauthenticated) {
  const grpc::Status status = CreateNamespace("", "new-org");

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                                   HasSubstr("missing admin credentials")));
}

TEST_F(RegistryServiceTest, CreateNamespaceWithWrongTokenIsUnauthenticated) {
  const grpc::Status status = CreateNamespace("Bearer wrong", "new-org");

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                                   AllOf(HasSubstr("not valid"),
                                         Not(HasSubstr("wrong")))));
}

TEST_F(RegistryServiceTest, CreateNamespaceWithOtherSchemeIsUnauthenticated) {
  const grpc::Status status =
      CreateNamespace(absl::StrCat("Basic ", kAdminToken), "new-org");

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                                   HasSubstr("not a Bearer credential")));
}

TEST_F(RegistryServiceTest, CreateNamespaceIsDisabledWithoutConfiguredToken) {
  Start(RegistryServiceOptions{});

  const grpc::Status status = CreateNamespace("Bearer anything", "new-org");

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                                   HasSubstr("admin calls are disabled")));
}

TEST_F(RegistryServiceTest, CreateNamespaceRejectsInvalidName) {
  const grpc::Status status =
      CreateNamespace(absl::StrCat("Bearer ", kAdminToken), "bad/name");

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("name: ")));
}

TEST_F(RegistryServiceTest, CreateNamespacePassesAlreadyExistsThrough) {
  EXPECT_CALL(store_, CreateNamespace(_))
      .WillOnce(Return(absl::AlreadyExistsError("namespace New-Org exists")));

  const grpc::Status status =
      CreateNamespace(absl::StrCat("Bearer ", kAdminToken), "new-org");

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::ALREADY_EXISTS));
}

TEST_F(RegistryServiceTest, AdminTokenNeverReachesTheLog) {
  const grpc::Status status =
      CreateNamespace(absl::StrCat("Bearer ", kAdminToken), "bad/name");

  const std::vector<RequestLogEntry> entries = logger_.entries();
  EXPECT_FALSE(status.ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_THAT(FormatRequestLogLine(entries[0]), Not(HasSubstr(kAdminToken)));
}

TEST_F(RegistryServiceTest, AddKeyRegistersKeyFromPem) {
  KeyRow added;
  EXPECT_CALL(store_, AddKey(_))
      .WillOnce([&](const KeyRow& key) -> absl::StatusOr<KeyRow> {
        added = key;
        KeyRow stored = key;
        stored.added_at = absl::FromUnixSeconds(1700000000);
        return stored;
      });
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kAdminToken));
  v1::AddKeyRequest request;
  request.set_namespace_name(kNamespace);
  request.set_public_key_pem(key_->public_key().ToPem());
  v1::Key response;

  const grpc::Status status = stub_->AddKey(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(added.key_id, key_->key_id());
  EXPECT_EQ(added.spki_der, key_->public_key().spki_der());
  EXPECT_EQ(added.namespace_name, kNamespace);
  EXPECT_EQ(response.key_id(), key_->key_id());
  EXPECT_EQ(response.key_type(), "ed25519");
  EXPECT_EQ(response.status(), v1::KEY_STATUS_ACTIVE);
  EXPECT_EQ(response.public_key_pem(), key_->public_key().ToPem());
}

TEST_F(RegistryServiceTest, AddKeyRejectsMalformedPem) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kAdminToken));
  v1::AddKeyRequest request;
  request.set_namespace_name(kNamespace);
  request.set_public_key_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n");
  v1::Key response;

  const grpc::Status status = stub_->AddKey(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("public_key_pem: ")));
}

TEST_F(RegistryServiceTest, AddKeyWithoutTokenIsUnauthenticated) {
  grpc::ClientContext context;
  v1::AddKeyRequest request;
  request.set_namespace_name(kNamespace);
  request.set_public_key_pem(key_->public_key().ToPem());
  v1::Key response;

  const grpc::Status status = stub_->AddKey(&context, request, &response);

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(RegistryServiceTest, ListKeysReturnsKeysWithStatusAndPem) {
  EXPECT_CALL(store_, ListKeys(absl::string_view(kNamespace)))
      .WillOnce(Return(std::vector<KeyRow>{
          RowFor(*key_, kNamespace),
          RowFor(*other_key_, kNamespace, KeyStatus::kRevoked)}));
  grpc::ClientContext context;
  v1::ListKeysRequest request;
  request.set_namespace_name(kNamespace);
  v1::ListKeysResponse response;

  const grpc::Status status = stub_->ListKeys(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.keys_size(), 2);
  EXPECT_EQ(response.keys(0).status(), v1::KEY_STATUS_ACTIVE);
  EXPECT_FALSE(response.keys(0).has_revoked_at());
  EXPECT_EQ(response.keys(1).status(), v1::KEY_STATUS_REVOKED);
  EXPECT_EQ(response.keys(1).revoked_at().seconds(), 1700000100);
  EXPECT_EQ(response.keys(1).public_key_pem(),
            other_key_->public_key().ToPem());
}

TEST_F(RegistryServiceTest, ListKeysRejectsInvalidNamespace) {
  grpc::ClientContext context;
  v1::ListKeysRequest request;
  request.set_namespace_name("-bad-");
  v1::ListKeysResponse response;

  const grpc::Status status = stub_->ListKeys(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("namespace_name: ")));
}

TEST_F(RegistryServiceTest, ListKeysPassesNotFoundThrough) {
  EXPECT_CALL(store_, ListKeys(_))
      .WillOnce(Return(absl::NotFoundError("namespace nobody not found")));
  grpc::ClientContext context;
  v1::ListKeysRequest request;
  request.set_namespace_name("nobody");
  v1::ListKeysResponse response;

  const grpc::Status status = stub_->ListKeys(&context, request, &response);

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::NOT_FOUND));
}

// ---------------------------------------------------------------- GetRecord

// The judgments the mocked store holds, answered to every GetJudgments.
using Judgments = std::map<int64_t, core::judgment::Judgment>;

class GetRecordTest : public RegistryServiceTest {
 protected:
  void SetUp() override {
    RegistryServiceTest::SetUp();
    EXPECT_CALL(store_, GetJudgments(_))
        .Times(AnyNumber())
        .WillRepeatedly(ReturnPointee(&judgments_));
  }

  absl::StatusOr<Judgments> judgments_ = Judgments();

  grpc::Status Get(const v1::GetRecordRequest& request,
                   v1::GetRecordResponse* response) {
    grpc::ClientContext context;
    return stub_->GetRecord(&context, request, response);
  }
};

TEST_F(GetRecordTest, ByRefReturnsEnvelopeRecordAndSigners) {
  const rec::Record record = RecordWithoutLineage();
  const std::string envelope = SignedEnvelope(record);
  EXPECT_CALL(store_, GetRecordByRef(record.model.ref))
      .WillOnce(Return(Stored(3, record, envelope, {key_->key_id()})));
  EXPECT_CALL(store_, GetKeys(ElementsAre(key_->key_id())))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::GetRecordRequest request;
  request.set_ref("acme-ai/Acme-7B-Instruct@v1.0");
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.envelope(), envelope);
  EXPECT_EQ(response.summary().ref(), "acme-ai/Acme-7B-Instruct@v1.0");
  EXPECT_EQ(response.record().model_name(), "Acme-7B-Instruct");
  EXPECT_EQ(response.record().files_size(), 4);
  EXPECT_EQ(response.record().files(1).dtype(), "bf16");
  EXPECT_EQ(response.record().root_digest(),
            HexEncode(record.artifacts.root_digest));
  EXPECT_EQ(response.record().datasets_size(), 3);
  EXPECT_EQ(response.record().openness_components_size(), 17);
  ASSERT_EQ(response.signers_size(), 1);
  EXPECT_EQ(response.signers(0).key_id(), key_->key_id());
  EXPECT_EQ(response.signers(0).public_key_pem(), key_->public_key().ToPem());
}

// A judgment with one of everything, as the store would hold it.
core::judgment::Judgment SampleJudgment() {
  core::judgment::Judgment judgment;
  judgment.rule_set_version = std::string(core::judgment::kRuleSetVersion);
  judgment.declared_weights_license = "MIT";
  judgment.label = core::judgment::OpennessLabel::kOpenWeightRestricted;
  judgment.label_reasons = {{"label.capped_by_weight_flow_parent", "capped"}};
  judgment.mof_class = core::judgment::MofClass::kClassIII;
  judgment.mof_reasons = {{"mof.class_ii.training_code_not_published", "no"}};
  judgment.obligations.licenses = {{"LicenseRef-Llama-3.1-Community",
                                    "meta-llama/Llama-3.1-8B@1", "finetune",
                                    /*traced_to_licensor=*/true},
                                   {"MIT", "", ""}};
  judgment.obligations.monthly_active_users_limit = 700000000;
  judgment.obligations.name_prefixes = {"Llama"};
  judgment.flags = {{core::judgment::FlagKind::kNamingDutyUnmet,
                     "name must begin with llama",
                     "meta-llama/Llama-3.1-8B@1"}};
  return judgment;
}

TEST_F(GetRecordTest, ReturnsTheStoredJudgment) {
  const rec::Record record = RecordWithoutLineage();
  const std::string envelope = SignedEnvelope(record);
  EXPECT_CALL(store_, GetRecordByRef(record.model.ref))
      .WillOnce(Return(Stored(3, record, envelope, {key_->key_id()})));
  EXPECT_CALL(store_, GetKeys(ElementsAre(key_->key_id())))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  judgments_ = Judgments{{3, SampleJudgment()}};
  v1::GetRecordRequest request;
  request.set_ref("acme-ai/Acme-7B-Instruct@v1.0");
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Judgment& judgment = response.judgment();
  EXPECT_EQ(judgment.rule_set_version(), core::judgment::kRuleSetVersion);
  EXPECT_EQ(judgment.label(), "open_weight_restricted");
  EXPECT_EQ(judgment.mof_class(), "class_iii");
  EXPECT_EQ(judgment.declared_weights_license(), "MIT");
  ASSERT_EQ(judgment.label_reasons_size(), 1);
  EXPECT_EQ(judgment.label_reasons(0).rule(),
            "label.capped_by_weight_flow_parent");
  ASSERT_EQ(judgment.obligations().licenses_size(), 2);
  EXPECT_EQ(judgment.obligations().licenses(0).from_ref(),
            "meta-llama/Llama-3.1-8B@1");
  EXPECT_EQ(judgment.obligations().licenses(0).via(), "finetune");
  EXPECT_TRUE(judgment.obligations().licenses(0).traced_to_licensor());
  EXPECT_FALSE(judgment.obligations().licenses(1).traced_to_licensor());
  EXPECT_EQ(judgment.obligations().monthly_active_users_limit(), 700000000u);
  EXPECT_TRUE(judgment.obligations().commercial_use());
  ASSERT_EQ(judgment.flags_size(), 1);
  EXPECT_EQ(judgment.flags(0).kind(), "naming_duty_unmet");
  EXPECT_EQ(judgment.flags(0).ancestor(), "meta-llama/Llama-3.1-8B@1");
}

TEST_F(GetRecordTest, RecordWithoutJudgmentHasNone) {
  const rec::Record record = RecordWithoutLineage();
  const std::string envelope = SignedEnvelope(record);
  EXPECT_CALL(store_, GetRecordByRef(record.model.ref))
      .WillOnce(Return(Stored(3, record, envelope, {key_->key_id()})));
  EXPECT_CALL(store_, GetKeys(ElementsAre(key_->key_id())))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::GetRecordRequest request;
  request.set_ref("acme-ai/Acme-7B-Instruct@v1.0");
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.has_judgment());
  EXPECT_EQ(response.judgment().label(), "");
}

TEST_F(GetRecordTest, JudgmentReadFailureFailsTheCall) {
  const rec::Record record = RecordWithoutLineage();
  const std::string envelope = SignedEnvelope(record);
  EXPECT_CALL(store_, GetRecordByRef(record.model.ref))
      .WillOnce(Return(Stored(3, record, envelope, {key_->key_id()})));
  EXPECT_CALL(store_, GetKeys(ElementsAre(key_->key_id())))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  judgments_ = absl::DataLossError("the judgment of record 3 does not parse");
  v1::GetRecordRequest request;
  request.set_ref("acme-ai/Acme-7B-Instruct@v1.0");
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS);
}

TEST_F(GetRecordTest, FillsParentRecordDigestsFromLineage) {
  const rec::Record record = rec::ValidRecordForTest();
  const std::string envelope = SignedEnvelope(record);
  const StoredRecord child = Stored(3, record, envelope, {key_->key_id()});
  // The first parent of ValidRecordForTest, as a stored record.
  rec::Record parent_record = rec::MinimalRecordForTest();
  parent_record.model.ref = record.lineage[0].ref.model;
  StoredRecord parent = Stored(2, parent_record, "{}", {});
  parent.record_digest = std::string(32, '\x5a');
  LineageGraph graph;
  graph.nodes = {{child, 0}, {parent, 1}};
  graph.edges = {{3, 2, record.lineage[0].relation}};
  EXPECT_CALL(store_, GetRecordByDigest(absl::string_view(child.record_digest)))
      .WillOnce(Return(child));
  EXPECT_CALL(store_, GetLineage(AllOf(
                          Field(&storage::LineageQuery::start_record_id, 3),
                          Field(&storage::LineageQuery::max_depth, 1),
                          Field(&storage::LineageQuery::direction,
                                storage::LineageDirection::kAncestors))))
      .WillOnce(Return(graph));
  EXPECT_CALL(store_, GetKeys(_))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::GetRecordRequest request;
  request.set_record_digest(HexEncode(child.record_digest));
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.record().parents_size(), 2);
  EXPECT_EQ(response.record().parents(0).record_digest(),
            HexEncode(parent.record_digest));
  EXPECT_EQ(response.record().parents(1).record_digest(), "");
}

TEST_F(GetRecordTest, RejectsUppercaseRecordDigest) {
  v1::GetRecordRequest request;
  request.set_record_digest(std::string(64, 'A'));
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("record_digest: ")));
}

TEST_F(GetRecordTest, RejectsRefWithoutVersion) {
  v1::GetRecordRequest request;
  request.set_ref("acme-ai/Tiny-1B");
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("ref: ")));
}

TEST_F(GetRecordTest, RejectsMalformedLatestOf) {
  v1::GetRecordRequest request;
  request.set_latest_of("acme-ai/Tiny-1B@v1");
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("latest_of: ")));
}

TEST_F(GetRecordTest, RejectsMissingSelector) {
  v1::GetRecordResponse response;

  const grpc::Status status = Get(v1::GetRecordRequest(), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("selector: ")));
}

TEST_F(GetRecordTest, LatestOfPassesNotFoundThrough) {
  EXPECT_CALL(store_, GetLatestRecord(_))
      .WillOnce(Return(absl::NotFoundError("no record of acme-ai/Nothing")));
  v1::GetRecordRequest request;
  request.set_latest_of("acme-ai/Nothing");
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::NOT_FOUND,
                                   HasSubstr("acme-ai/Nothing")));
}

TEST_F(GetRecordTest, CorruptStoredEnvelopeIsDataLossWithGenericMessage) {
  const rec::Record record = rec::MinimalRecordForTest();
  EXPECT_CALL(store_, GetRecordByRef(_))
      .WillOnce(Return(Stored(3, record, "garbage", {key_->key_id()})));
  v1::GetRecordRequest request;
  request.set_ref("acme-ai/Tiny-1B@v1");
  v1::GetRecordResponse response;

  const grpc::Status status = Get(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::DATA_LOSS,
                                   AllOf(HasSubstr("request id"),
                                         Not(HasSubstr("does not parse")))));
}

// ------------------------------------------------- ListVersions and Search

TEST_F(RegistryServiceTest, ListVersionsUsesDefaultPageSizeForZero) {
  EXPECT_CALL(store_, ListVersions(_, Field(&PageRequest::page_size, 50)))
      .WillOnce(Return(VersionPage{{{"v2", std::string(32, '\x01'),
                                     absl::FromUnixSeconds(5), "2025-02-01"}},
                                   "next"}));
  grpc::ClientContext context;
  v1::ListVersionsRequest request;
  request.set_model_id("acme-ai/Tiny-1B");
  v1::ListVersionsResponse response;

  const grpc::Status status = stub_->ListVersions(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.versions_size(), 1);
  EXPECT_EQ(response.versions(0).version(), "v2");
  EXPECT_EQ(response.versions(0).record_digest(),
            HexEncode(std::string(32, '\x01')));
  EXPECT_EQ(response.next_page_token(), "next");
}

TEST_F(RegistryServiceTest, ListVersionsClampsLargePageSize) {
  EXPECT_CALL(store_, ListVersions(_, Field(&PageRequest::page_size, 500)))
      .WillOnce(Return(VersionPage{}));
  grpc::ClientContext context;
  v1::ListVersionsRequest request;
  request.set_model_id("acme-ai/Tiny-1B");
  request.set_page_size(100000);
  v1::ListVersionsResponse response;

  const grpc::Status status = stub_->ListVersions(&context, request, &response);

  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(RegistryServiceTest, ListVersionsRejectsNegativePageSize) {
  grpc::ClientContext context;
  v1::ListVersionsRequest request;
  request.set_model_id("acme-ai/Tiny-1B");
  request.set_page_size(-1);
  v1::ListVersionsResponse response;

  const grpc::Status status = stub_->ListVersions(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("page_size: ")));
}

TEST_F(RegistryServiceTest, ListVersionsRejectsMalformedModelId) {
  grpc::ClientContext context;
  v1::ListVersionsRequest request;
  request.set_model_id("no-slash");
  v1::ListVersionsResponse response;

  const grpc::Status status = stub_->ListVersions(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("model_id: ")));
}

TEST_F(RegistryServiceTest, ListVersionsPassesInvalidPageTokenThrough) {
  EXPECT_CALL(store_, ListVersions(_, Field(&PageRequest::page_token, "bad")))
      .WillOnce(Return(absl::InvalidArgumentError("page_token: malformed")));
  grpc::ClientContext context;
  v1::ListVersionsRequest request;
  request.set_model_id("acme-ai/Tiny-1B");
  request.set_page_token("bad");
  v1::ListVersionsResponse response;

  const grpc::Status status = stub_->ListVersions(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("page_token")));
}

TEST_F(RegistryServiceTest, SearchRecordsConvertsEveryFilter) {
  const rec::Record parent = rec::MinimalRecordForTest();
  EXPECT_CALL(store_, GetRecordByRef(parent.model.ref))
      .WillOnce(Return(Stored(11, parent, "{}", {})));
  SearchFilter filter;
  EXPECT_CALL(store_, SearchRecords(_, Field(&PageRequest::page_size, 10)))
      .WillOnce([&](const SearchFilter& arg,
                    const PageRequest&) -> absl::StatusOr<RecordPage> {
        filter = arg;
        return RecordPage{};
      });
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_namespace_name("acme-ai");
  request.set_name_prefix("Tiny");
  request.set_license("apache-2.0");
  request.set_declared_openness("open_weight");
  request.set_dataset_name("FineWeb");
  request.set_parent_ref("acme-ai/Tiny-1B@v1");
  request.set_relation("finetune");
  request.set_page_size(10);
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(filter.namespace_name, "acme-ai");
  EXPECT_EQ(filter.name_prefix, "Tiny");
  EXPECT_EQ(filter.license_id, "Apache-2.0");
  EXPECT_EQ(filter.declared_openness, rec::OpennessClaim::kOpenWeight);
  EXPECT_EQ(filter.dataset_name, "FineWeb");
  EXPECT_EQ(filter.parent_record_id, 11);
  EXPECT_EQ(filter.relation, rec::Relation::kFinetune);
}

TEST_F(RegistryServiceTest, SearchRecordsKeepsLicenseRefSpelling) {
  SearchFilter filter;
  EXPECT_CALL(store_, SearchRecords(_, _))
      .WillOnce([&](const SearchFilter& arg,
                    const PageRequest&) -> absl::StatusOr<RecordPage> {
        filter = arg;
        return RecordPage{};
      });
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_license("licenseref-Acme-Use-Policy");
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(filter.license_id, "LicenseRef-Acme-Use-Policy");
}

TEST_F(RegistryServiceTest, SearchRecordsRejectsUnknownParent) {
  EXPECT_CALL(store_, GetRecordByRef(_))
      .WillOnce(Return(absl::NotFoundError("no such record")));
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_parent_ref("acme-ai/Nothing@v1");
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::NOT_FOUND,
                                   HasSubstr("parent_ref: ")));
}

TEST_F(RegistryServiceTest, SearchRecordsRejectsRelationWithoutParent) {
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_relation("finetune");
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("relation: ")));
}

TEST_F(RegistryServiceTest, SearchRecordsRejectsUnknownLicense) {
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_license("Not-A-License");
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("license: unknown SPDX")));
}

TEST_F(RegistryServiceTest, SearchRecordsRejectsUnknownOpennessClaim) {
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_declared_openness("mostly_open");
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("declared_openness: ")));
}

TEST_F(RegistryServiceTest, SearchRecordsRejectsPrefixWithPatternCharacters) {
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_name_prefix("Ti%");
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("name_prefix: ")));
}

TEST_F(RegistryServiceTest, SearchRecordsPassesInvalidPageTokenThrough) {
  EXPECT_CALL(store_, SearchRecords(_, _))
      .WillOnce(Return(absl::InvalidArgumentError("page_token: malformed")));
  grpc::ClientContext context;
  v1::SearchRecordsRequest request;
  request.set_page_token("garbage");
  v1::SearchRecordsResponse response;

  const grpc::Status status =
      stub_->SearchRecords(&context, request, &response);

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::INVALID_ARGUMENT));
}

// ---------------------------------------------------------- VerifyArtifacts

class VerifyArtifactsTest : public RegistryServiceTest {
 protected:
  grpc::Status Verify(const v1::VerifyArtifactsRequest& request,
                      v1::VerifyArtifactsResponse* response) {
    grpc::ClientContext context;
    return stub_->VerifyArtifacts(&context, request, response);
  }

  static void AddFile(v1::VerifyArtifactsRequest* request,
                      const std::string& path, char fill) {
    v1::FileDigest* file = request->add_files();
    file->set_path(path);
    file->set_sha256(HexEncode(std::string(32, fill)));
  }
};

TEST_F(VerifyArtifactsTest, WithRefGivesVerdictPerPathSortedByPath) {
  // The record lists config.json (01), model-00001 (02), model-00002 (03)
  // and tokenizer.json (04).
  const rec::Record record = RecordWithoutLineage();
  const std::string envelope = SignedEnvelope(record);
  EXPECT_CALL(store_, GetRecordByRef(record.model.ref))
      .WillOnce(Return(Stored(3, record, envelope, {key_->key_id()})));
  EXPECT_CALL(store_, GetKeys(ElementsAre(key_->key_id())))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::VerifyArtifactsRequest request;
  request.set_ref("acme-ai/Acme-7B-Instruct@v1.0");
  AddFile(&request, "tokenizer.json", '\x04');
  AddFile(&request, "config.json", '\x09');
  AddFile(&request, "extra.bin", '\x05');
  AddFile(&request, "model-00001-of-00002.safetensors", '\x02');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.matches_size(), 1);
  const v1::RecordMatch& match = response.matches(0);
  EXPECT_FALSE(match.all_match());
  EXPECT_EQ(match.envelope(), envelope);
  ASSERT_EQ(match.signers_size(), 1);
  EXPECT_EQ(match.signers(0).key_id(), key_->key_id());
  ASSERT_EQ(match.files_size(), 5);
  EXPECT_EQ(match.files(0).path(), "config.json");
  EXPECT_EQ(match.files(0).verdict(), v1::FILE_VERDICT_DIGEST_MISMATCH);
  EXPECT_EQ(match.files(1).path(), "extra.bin");
  EXPECT_EQ(match.files(1).verdict(), v1::FILE_VERDICT_UNEXPECTED);
  EXPECT_EQ(match.files(1).expected_sha256(), "");
  EXPECT_EQ(match.files(2).verdict(), v1::FILE_VERDICT_MATCH);
  EXPECT_EQ(match.files(3).path(), "model-00002-of-00002.safetensors");
  EXPECT_EQ(match.files(3).verdict(), v1::FILE_VERDICT_MISSING);
  EXPECT_EQ(match.files(3).actual_sha256(), "");
  EXPECT_EQ(match.files(4).verdict(), v1::FILE_VERDICT_MATCH);
}

TEST_F(VerifyArtifactsTest, AllMatchWhenEveryFileMatches) {
  const rec::Record record = rec::MinimalRecordForTest();
  EXPECT_CALL(store_, GetRecordByRef(_))
      .WillOnce(
          Return(Stored(3, record, SignedEnvelope(record), {key_->key_id()})));
  EXPECT_CALL(store_, GetKeys(_))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::VerifyArtifactsRequest request;
  request.set_ref("acme-ai/Tiny-1B@v1");
  AddFile(&request, "model.safetensors", '\x11');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_TRUE(response.matches(0).all_match());
}

TEST_F(VerifyArtifactsTest, WithoutRefFindsCandidatesByFileDigests) {
  const rec::Record record = rec::MinimalRecordForTest();
  EXPECT_CALL(store_,
              FindRecordsByArtifacts(ElementsAre(std::string(32, '\x11')), 20))
      .WillOnce(Return(std::vector<StoredRecord>{
          Stored(3, record, SignedEnvelope(record), {key_->key_id()})}));
  EXPECT_CALL(store_, GetKeys(_))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "renamed.safetensors", '\x11');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_FALSE(response.matches(0).all_match());
  EXPECT_EQ(response.matches(0).files_size(), 2);
}

TEST_F(VerifyArtifactsTest, UsesSignerRowsReadWithTheRecordInsteadOfGetKeys) {
  const rec::Record record = rec::MinimalRecordForTest();
  StoredRecord stored =
      Stored(3, record, SignedEnvelope(record), {key_->key_id()});
  stored.signer_keys =
      std::vector<KeyRow>{RowFor(*key_, kNamespace, KeyStatus::kRevoked)};
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(std::vector<StoredRecord>{stored}));
  EXPECT_CALL(store_, GetKeys(_)).Times(0);
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "model.safetensors", '\x11');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.matches_size(), 1);
  ASSERT_EQ(response.matches(0).signers_size(), 1);
  EXPECT_EQ(response.matches(0).signers(0).key_id(), key_->key_id());
  EXPECT_EQ(response.matches(0).signers(0).status(), v1::KEY_STATUS_REVOKED);
}

TEST_F(VerifyArtifactsTest, SignerRowsMissingAKeyGiveDataLoss) {
  const rec::Record record = rec::MinimalRecordForTest();
  StoredRecord stored =
      Stored(3, record, SignedEnvelope(record), {key_->key_id()});
  stored.signer_keys = std::vector<KeyRow>{RowFor(*other_key_, kNamespace)};
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(std::vector<StoredRecord>{stored}));
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "model.safetensors", '\x11');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS);
}

TEST_F(VerifyArtifactsTest, RevocationShowsOnTheCallAfterAnActiveAnswer) {
  const rec::Record record = rec::MinimalRecordForTest();
  const std::string envelope = SignedEnvelope(record);
  StoredRecord active = Stored(3, record, envelope, {key_->key_id()});
  active.signer_keys = std::vector<KeyRow>{RowFor(*key_, kNamespace)};
  StoredRecord revoked = active;
  revoked.signer_keys =
      std::vector<KeyRow>{RowFor(*key_, kNamespace, KeyStatus::kRevoked)};
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(std::vector<StoredRecord>{active}))
      .WillOnce(Return(std::vector<StoredRecord>{revoked}));
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "model.safetensors", '\x11');
  v1::VerifyArtifactsResponse first;
  ASSERT_TRUE(Verify(request, &first).ok());
  v1::VerifyArtifactsResponse second;

  const grpc::Status status = Verify(request, &second);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(first.matches(0).signers_size(), 1);
  EXPECT_EQ(first.matches(0).signers(0).status(), v1::KEY_STATUS_ACTIVE);
  ASSERT_EQ(second.matches_size(), 1);
  ASSERT_EQ(second.matches(0).signers_size(), 1);
  EXPECT_EQ(second.matches(0).signers(0).status(), v1::KEY_STATUS_REVOKED);
  EXPECT_TRUE(second.matches(0).signers(0).has_revoked_at());
}

TEST_F(VerifyArtifactsTest,
       OtherEnvelopeBytesUnderTheSameDigestAreParsedAgain) {
  const rec::Record record = rec::MinimalRecordForTest();
  rec::Record renamed = record;
  renamed.artifacts.files.at(0).name = "renamed.safetensors";
  rec::RecomputeRootDigest(&renamed);
  StoredRecord first_stored =
      Stored(3, record, SignedEnvelope(record), {key_->key_id()});
  // Same id and record digest, other envelope bytes: content comes from
  // the bytes, never from what an earlier call parsed.
  StoredRecord second_stored = first_stored;
  second_stored.envelope = SignedEnvelope(renamed);
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(std::vector<StoredRecord>{first_stored}))
      .WillOnce(Return(std::vector<StoredRecord>{second_stored}));
  EXPECT_CALL(store_, GetKeys(_))
      .WillRepeatedly(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "model.safetensors", '\x11');
  v1::VerifyArtifactsResponse first;
  ASSERT_TRUE(Verify(request, &first).ok());
  v1::VerifyArtifactsResponse second;

  const grpc::Status status = Verify(request, &second);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(first.matches(0).all_match());
  ASSERT_EQ(second.matches_size(), 1);
  EXPECT_FALSE(second.matches(0).all_match());
  EXPECT_EQ(second.matches(0).files_size(), 2);
}

TEST_F(VerifyArtifactsTest, CorruptStoredEnvelopeGivesDataLossEveryTime) {
  const rec::Record record = rec::MinimalRecordForTest();
  const StoredRecord stored =
      Stored(3, record, "{\"not\": \"an envelope\"}", {key_->key_id()});
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillRepeatedly(Return(std::vector<StoredRecord>{stored}));
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "model.safetensors", '\x11');
  v1::VerifyArtifactsResponse first;
  v1::VerifyArtifactsResponse second;

  const grpc::Status first_status = Verify(request, &first);
  const grpc::Status second_status = Verify(request, &second);

  EXPECT_EQ(first_status.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(second_status.error_code(), grpc::StatusCode::DATA_LOSS);
}

TEST_F(VerifyArtifactsTest, NothingKnownGivesEmptyMatches) {
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(std::vector<StoredRecord>{}));
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "model.safetensors", '\x77');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.matches_size(), 0);
}

TEST_F(VerifyArtifactsTest, RootDigestOnlyFindsRecordsByRootDigest) {
  const rec::Record record = rec::MinimalRecordForTest();
  EXPECT_CALL(store_, FindRecordsByRootDigest(
                          absl::string_view(record.artifacts.root_digest), 20))
      .WillOnce(Return(std::vector<StoredRecord>{
          Stored(3, record, SignedEnvelope(record), {key_->key_id()})}));
  EXPECT_CALL(store_, GetKeys(_))
      .WillOnce(Return(std::vector<KeyRow>{RowFor(*key_, kNamespace)}));
  v1::VerifyArtifactsRequest request;
  request.set_root_digest(HexEncode(record.artifacts.root_digest));
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_TRUE(response.matches(0).all_match());
  EXPECT_THAT(response.matches(0).files(), IsEmpty());
}

TEST_F(VerifyArtifactsTest, RejectsInvalidPathNamingTheFile) {
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "ok.bin", '\x01');
  AddFile(&request, "../escape.bin", '\x02');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("files[1].path: ")));
}

TEST_F(VerifyArtifactsTest, RejectsInvalidDigestNamingTheFile) {
  v1::VerifyArtifactsRequest request;
  v1::FileDigest* file = request.add_files();
  file->set_path("model.bin");
  file->set_sha256(std::string(64, 'F'));
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("files[0].sha256: ")));
}

TEST_F(VerifyArtifactsTest, RejectsDuplicatePath) {
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "model.bin", '\x01');
  AddFile(&request, "model.bin", '\x02');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("files[1].path: ")));
}

TEST_F(VerifyArtifactsTest, RejectsInvalidRootDigest) {
  v1::VerifyArtifactsRequest request;
  request.set_root_digest("abc");
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("root_digest: ")));
}

TEST_F(VerifyArtifactsTest, RejectsEmptyRequest) {
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(v1::VerifyArtifactsRequest(), &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("files: ")));
}

TEST_F(VerifyArtifactsTest, RejectsFilesTogetherWithRootDigest) {
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "model.bin", '\x01');
  request.set_root_digest(std::string(64, 'a'));
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("root_digest: ")));
}

TEST_F(VerifyArtifactsTest, RejectsMoreFilesThanTheLimit) {
  RegistryServiceOptions options;
  options.max_files_per_record = 1;
  Start(options);
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "a.bin", '\x01');
  AddFile(&request, "b.bin", '\x02');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::RESOURCE_EXHAUSTED));
}

TEST_F(VerifyArtifactsTest, MapsUnavailableStore) {
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(absl::UnavailableError("no idle connection")));
  v1::VerifyArtifactsRequest request;
  AddFile(&request, "a.bin", '\x01');
  v1::VerifyArtifactsResponse response;

  const grpc::Status status = Verify(request, &response);

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::UNAVAILABLE));
}

// --------------------------------------------------------------- GetLineage

class GetLineageTest : public RegistryServiceTest {
 protected:
  void SetUp() override {
    RegistryServiceTest::SetUp();
    EXPECT_CALL(store_, GetJudgments(_))
        .Times(AnyNumber())
        .WillRepeatedly(ReturnPointee(&judgments_));
  }

  absl::StatusOr<Judgments> judgments_ = Judgments();

  grpc::Status Lineage(const v1::GetLineageRequest& request,
                       v1::GetLineageResponse* response) {
    grpc::ClientContext context;
    return stub_->GetLineage(&context, request, response);
  }
};

TEST_F(GetLineageTest, ReturnsNodesWithSidesAndEdgesWithDigests) {
  rec::Record start_record = rec::MinimalRecordForTest();
  rec::Record parent_record = rec::MinimalRecordForTest();
  parent_record.model.ref.name = "Base-1B";
  rec::Record child_record = rec::MinimalRecordForTest();
  child_record.model.ref.name = "Tiny-1B-GGUF";
  StoredRecord start = Stored(2, start_record, "{}", {});
  start.record_digest = std::string(32, '\x02');
  StoredRecord parent = Stored(1, parent_record, "{}", {});
  parent.record_digest = std::string(32, '\x01');
  StoredRecord child = Stored(3, child_record, "{}", {});
  child.record_digest = std::string(32, '\x03');
  LineageGraph graph;
  graph.nodes = {{start, 0}, {parent, 1}, {child, -1}};
  graph.edges = {{2, 1, rec::Relation::kFinetune},
                 {3, 2, rec::Relation::kQuantized}};
  EXPECT_CALL(store_, GetRecordByRef(start_record.model.ref))
      .WillOnce(Return(start));
  EXPECT_CALL(store_, GetLineage(AllOf(
                          Field(&storage::LineageQuery::start_record_id, 2),
                          Field(&storage::LineageQuery::max_depth, 16),
                          Field(&storage::LineageQuery::direction,
                                storage::LineageDirection::kBoth))))
      .WillOnce(Return(graph));
  v1::GetLineageRequest request;
  request.set_ref("acme-ai/Tiny-1B@v1");
  request.set_direction(v1::LINEAGE_DIRECTION_BOTH);
  v1::GetLineageResponse response;

  const grpc::Status status = Lineage(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.nodes_size(), 3);
  EXPECT_EQ(response.nodes(0).side(), v1::LINEAGE_SIDE_START);
  EXPECT_EQ(response.nodes(0).distance(), 0);
  EXPECT_EQ(response.nodes(1).side(), v1::LINEAGE_SIDE_ANCESTOR);
  EXPECT_EQ(response.nodes(1).distance(), 1);
  EXPECT_EQ(response.nodes(2).side(), v1::LINEAGE_SIDE_DESCENDANT);
  EXPECT_EQ(response.nodes(2).distance(), 1);
  ASSERT_EQ(response.edges_size(), 2);
  EXPECT_EQ(response.edges(1).child_record_digest(),
            HexEncode(child.record_digest));
  EXPECT_EQ(response.edges(1).parent_record_digest(),
            HexEncode(start.record_digest));
  EXPECT_EQ(response.edges(1).relation(), "quantized");
}

TEST_F(GetLineageTest, ClampsDepthAndParsesRelations) {
  EXPECT_CALL(store_, GetRecordByRef(_))
      .WillOnce(Return(Stored(2, rec::MinimalRecordForTest(), "{}", {})));
  EXPECT_CALL(store_,
              GetLineage(AllOf(Field(&storage::LineageQuery::max_depth, 64),
                               Field(&storage::LineageQuery::direction,
                                     storage::LineageDirection::kAncestors),
                               Field(&storage::LineageQuery::relations,
                                     ElementsAre(rec::Relation::kMerge,
                                                 rec::Relation::kAdapter)))))
      .WillOnce(Return(LineageGraph{}));
  v1::GetLineageRequest request;
  request.set_ref("acme-ai/Tiny-1B@v1");
  request.set_max_depth(1000);
  request.add_relations("merge");
  request.add_relations("adapter");
  v1::GetLineageResponse response;

  const grpc::Status status = Lineage(request, &response);

  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(GetLineageTest, RejectsUnknownRelation) {
  v1::GetLineageRequest request;
  request.set_ref("acme-ai/Tiny-1B@v1");
  request.add_relations("merge");
  request.add_relations("cloned");
  v1::GetLineageResponse response;

  const grpc::Status status = Lineage(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("relations[1]: ")));
}

TEST_F(GetLineageTest, RejectsNegativeDepth) {
  v1::GetLineageRequest request;
  request.set_ref("acme-ai/Tiny-1B@v1");
  request.set_max_depth(-2);
  v1::GetLineageResponse response;

  const grpc::Status status = Lineage(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("max_depth: ")));
}

TEST_F(GetLineageTest, RejectsUnknownDirection) {
  v1::GetLineageRequest request;
  request.set_ref("acme-ai/Tiny-1B@v1");
  request.set_direction(static_cast<v1::LineageDirection>(9));
  v1::GetLineageResponse response;

  const grpc::Status status = Lineage(request, &response);

  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   HasSubstr("direction: ")));
}

TEST_F(GetLineageTest, UnknownStartRecordIsNotFound) {
  EXPECT_CALL(store_, GetRecordByRef(_))
      .WillOnce(Return(absl::NotFoundError("no record acme-ai/Tiny-1B@v9")));
  v1::GetLineageRequest request;
  request.set_ref("acme-ai/Tiny-1B@v9");
  v1::GetLineageResponse response;

  const grpc::Status status = Lineage(request, &response);

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::NOT_FOUND));
}

TEST_F(GetLineageTest, EdgeOutsideNodesIsInternal) {
  EXPECT_CALL(store_, GetRecordByRef(_))
      .WillOnce(Return(Stored(2, rec::MinimalRecordForTest(), "{}", {})));
  LineageGraph graph;
  graph.nodes = {{Stored(2, rec::MinimalRecordForTest(), "{}", {}), 0}};
  graph.edges = {{2, 99, rec::Relation::kFinetune}};
  EXPECT_CALL(store_, GetLineage(_)).WillOnce(Return(graph));
  v1::GetLineageRequest request;
  request.set_ref("acme-ai/Tiny-1B@v1");
  v1::GetLineageResponse response;

  const grpc::Status status = Lineage(request, &response);

  EXPECT_THAT(status, GrpcCodeIs(grpc::StatusCode::INTERNAL));
}

// ---------------------------------------------------------------- plumbing

TEST_F(RegistryServiceTest, EveryCallLogsOneLineWithMethodAndCode) {
  grpc::ClientContext context;
  v1::ListKeysRequest request;
  request.set_namespace_name("-bad-");
  v1::ListKeysResponse response;

  const grpc::Status status = stub_->ListKeys(&context, request, &response);

  EXPECT_FALSE(status.ok());
  const std::vector<RequestLogEntry> entries = logger_.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].method, "ListKeys");
  EXPECT_EQ(entries[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(entries[0].request_id.empty());
  EXPECT_FALSE(entries[0].peer.empty());
}

TEST_F(RegistryServiceTest, ResponseCarriesRequestIdMetadata) {
  grpc::ClientContext context;
  v1::ListKeysRequest request;
  request.set_namespace_name("-bad-");
  v1::ListKeysResponse response;

  const grpc::Status status = stub_->ListKeys(&context, request, &response);

  EXPECT_FALSE(status.ok());
  const auto& metadata = context.GetServerInitialMetadata();
  const auto found = metadata.find(kRequestIdMetadataKey);
  ASSERT_NE(found, metadata.end());
  EXPECT_EQ(std::string(found->second.data(), found->second.size()),
            logger_.entries().at(0).request_id);
}

TEST_F(RegistryServiceTest, RequestIdsAreSixteenHexDigitsAndNeverRepeat) {
  constexpr int kCalls = 50;
  for (int i = 0; i < kCalls; ++i) {
    grpc::ClientContext context;
    v1::ListKeysRequest request;
    request.set_namespace_name("-bad-");
    v1::ListKeysResponse response;
    EXPECT_FALSE(stub_->ListKeys(&context, request, &response).ok());
  }

  std::set<std::string> ids;
  for (const RequestLogEntry& entry : logger_.entries()) {
    EXPECT_THAT(entry.request_id, ::testing::MatchesRegex("[0-9a-f]{16}"));
    ids.insert(entry.request_id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCalls));
}

// ------------------------------------------- VerifyArtifacts answer cache

// VerifyArtifacts with a change feed: the store's answer for a set of file
// digests is kept while the feed's generation stays the same.
class VerifyCacheTest : public VerifyArtifactsTest {
 protected:
  void SetUp() override {
    VerifyArtifactsTest::SetUp();
    if (HasFatalFailure()) return;
    feed_.Set(5);
    RegistryServiceOptions options;
    options.change_feed = &feed_;
    Start(options);
  }

  // The minimal record (model.safetensors, digest 11..11) as the digest
  // lookup returns it, with its signer's row in `status`.
  StoredRecord Found(KeyStatus status = KeyStatus::kActive) {
    const rec::Record record = rec::MinimalRecordForTest();
    StoredRecord stored =
        Stored(3, record, SignedEnvelope(record), {key_->key_id()});
    stored.signer_keys = std::vector<KeyRow>{RowFor(*key_, kNamespace, status)};
    return stored;
  }

  static v1::VerifyArtifactsRequest ByFile(const std::string& path, char fill) {
    v1::VerifyArtifactsRequest request;
    AddFile(&request, path, fill);
    return request;
  }

  // Verifies `request`, failing the test unless the call succeeds.
  v1::VerifyArtifactsResponse VerifyOk(
      const v1::VerifyArtifactsRequest& request) {
    v1::VerifyArtifactsResponse response;
    const grpc::Status status = Verify(request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  FakeChangeFeed feed_;
};

TEST_F(VerifyCacheTest, SameDigestsUnderOneGenerationReadTheStoreOnce) {
  EXPECT_CALL(store_,
              FindRecordsByArtifacts(ElementsAre(std::string(32, '\x11')), 20))
      .WillOnce(Return(std::vector<StoredRecord>{Found()}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');

  const v1::VerifyArtifactsResponse first = VerifyOk(request);
  const v1::VerifyArtifactsResponse second = VerifyOk(request);

  ASSERT_EQ(first.matches_size(), 1);
  ASSERT_EQ(second.matches_size(), 1);
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_TRUE(second.matches(0).all_match());
}

TEST_F(VerifyCacheTest, SameDigestsUnderOtherPathsAreComparedAgain) {
  // The kept answer is the store's candidates, not the verdicts: a file
  // renamed locally is still reported as renamed.
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(std::vector<StoredRecord>{Found()}));
  ASSERT_TRUE(
      VerifyOk(ByFile("model.safetensors", '\x11')).matches(0).all_match());

  const v1::VerifyArtifactsResponse renamed =
      VerifyOk(ByFile("renamed.safetensors", '\x11'));

  ASSERT_EQ(renamed.matches_size(), 1);
  EXPECT_FALSE(renamed.matches(0).all_match());
  EXPECT_EQ(renamed.matches(0).files_size(), 2);
}

TEST_F(VerifyCacheTest, NewGenerationReadsTheStoreAgain) {
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .Times(2)
      .WillRepeatedly(Return(std::vector<StoredRecord>{Found()}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');
  VerifyOk(request);
  feed_.Set(7);

  const v1::VerifyArtifactsResponse second = VerifyOk(request);

  EXPECT_EQ(second.matches_size(), 1);
}

TEST_F(VerifyCacheTest, NoGenerationReadsTheStoreEveryTime) {
  feed_.Set(std::nullopt);
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .Times(3)
      .WillRepeatedly(Return(std::vector<StoredRecord>{Found()}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(VerifyOk(request).matches_size(), 1);
  }
}

TEST_F(VerifyCacheTest, AnswerReadWhileTheGenerationChangedIsNotKept) {
  // Reads: the first sees a change commit meanwhile (not kept), the second
  // is read under 7 and kept, the third is served from it.
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Invoke([this](const std::vector<std::string>&, int) {
        feed_.Set(7);
        return absl::StatusOr<std::vector<StoredRecord>>(
            std::vector<StoredRecord>{Found()});
      }))
      .WillOnce(Return(std::vector<StoredRecord>{Found()}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');
  VerifyOk(request);
  VerifyOk(request);

  const v1::VerifyArtifactsResponse third = VerifyOk(request);

  EXPECT_EQ(third.matches_size(), 1);
}

TEST_F(VerifyCacheTest, AnswerReadWhileTheFeedWasLostIsNotKept) {
  // The feed drops during the read and comes back under the same number
  // (a fake can; the real feed never repeats one): still read again.
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Invoke([this](const std::vector<std::string>&, int) {
        feed_.Set(std::nullopt);
        return absl::StatusOr<std::vector<StoredRecord>>(
            std::vector<StoredRecord>{Found()});
      }))
      .WillOnce(Return(std::vector<StoredRecord>{Found()}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');
  VerifyOk(request);
  feed_.Set(5);

  const v1::VerifyArtifactsResponse second = VerifyOk(request);

  EXPECT_EQ(second.matches_size(), 1);
}

TEST_F(VerifyCacheTest, DifferentDigestSetsDoNotShareAnAnswer) {
  const std::string digest_11(32, '\x11');
  const std::string digest_22(32, '\x22');
  EXPECT_CALL(store_, FindRecordsByArtifacts(ElementsAre(digest_11), 20))
      .WillOnce(Return(std::vector<StoredRecord>{Found()}));
  EXPECT_CALL(store_, FindRecordsByArtifacts(ElementsAre(digest_22), 20))
      .WillOnce(Return(std::vector<StoredRecord>{}));
  EXPECT_CALL(store_,
              FindRecordsByArtifacts(ElementsAre(digest_11, digest_22), 20))
      .WillOnce(Return(std::vector<StoredRecord>{}));
  v1::VerifyArtifactsRequest both = ByFile("model.safetensors", '\x11');
  AddFile(&both, "other.bin", '\x22');
  std::vector<v1::VerifyArtifactsResponse> responses;

  for (int round = 0; round < 2; ++round) {
    responses.push_back(VerifyOk(ByFile("model.safetensors", '\x11')));
    responses.push_back(VerifyOk(ByFile("model.safetensors", '\x22')));
    responses.push_back(VerifyOk(both));
  }

  ASSERT_EQ(responses.size(), 6u);
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(responses[3 * round].matches_size(), 1);
    EXPECT_EQ(responses[3 * round + 1].matches_size(), 0);
    EXPECT_EQ(responses[3 * round + 2].matches_size(), 0);
  }
}

TEST_F(VerifyCacheTest, StoreErrorIsNotKept) {
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(absl::UnavailableError("no idle connection")))
      .WillOnce(Return(std::vector<StoredRecord>{Found()}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');
  v1::VerifyArtifactsResponse first;
  ASSERT_THAT(Verify(request, &first),
              GrpcCodeIs(grpc::StatusCode::UNAVAILABLE));
  v1::VerifyArtifactsResponse second;

  const grpc::Status status = Verify(request, &second);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(second.matches_size(), 1);
}

TEST_F(VerifyCacheTest, ZeroEntriesDisablesTheCache) {
  RegistryServiceOptions options;
  options.change_feed = &feed_;
  options.verify_cache_entries = 0;
  Start(options);
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .Times(2)
      .WillRepeatedly(Return(std::vector<StoredRecord>{Found()}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');
  VerifyOk(request);

  const v1::VerifyArtifactsResponse second = VerifyOk(request);

  EXPECT_EQ(second.matches_size(), 1);
}

TEST_F(VerifyCacheTest, NoChangeFeedDisablesTheCache) {
  RegistryServiceOptions options;
  options.change_feed = nullptr;
  options.verify_cache_entries = 16;
  Start(options);
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .Times(2)
      .WillRepeatedly(Return(std::vector<StoredRecord>{Found()}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');
  VerifyOk(request);

  const v1::VerifyArtifactsResponse second = VerifyOk(request);

  EXPECT_EQ(second.matches_size(), 1);
}

TEST_F(VerifyCacheTest, RefRequestsReadTheStoreEveryTime) {
  const rec::Record record = rec::MinimalRecordForTest();
  EXPECT_CALL(store_, GetRecordByRef(record.model.ref))
      .Times(2)
      .WillRepeatedly(Return(Found()));
  v1::VerifyArtifactsRequest request = ByFile("model.safetensors", '\x11');
  request.set_ref("acme-ai/Tiny-1B@v1");
  VerifyOk(request);

  const v1::VerifyArtifactsResponse second = VerifyOk(request);

  ASSERT_EQ(second.matches_size(), 1);
  EXPECT_TRUE(second.matches(0).all_match());
}

TEST_F(VerifyCacheTest, RootDigestRequestsReadTheStoreEveryTime) {
  const rec::Record record = rec::MinimalRecordForTest();
  EXPECT_CALL(store_, FindRecordsByRootDigest(
                          absl::string_view(record.artifacts.root_digest), 20))
      .Times(2)
      .WillRepeatedly(Return(std::vector<StoredRecord>{Found()}));
  v1::VerifyArtifactsRequest request;
  request.set_root_digest(HexEncode(record.artifacts.root_digest));
  VerifyOk(request);

  const v1::VerifyArtifactsResponse second = VerifyOk(request);

  ASSERT_EQ(second.matches_size(), 1);
  EXPECT_TRUE(second.matches(0).all_match());
}

TEST_F(VerifyCacheTest, KeyRevokedUnderANewGenerationIsReportedRevoked) {
  EXPECT_CALL(store_, FindRecordsByArtifacts(_, _))
      .WillOnce(Return(std::vector<StoredRecord>{Found(KeyStatus::kActive)}))
      .WillOnce(Return(std::vector<StoredRecord>{Found(KeyStatus::kRevoked)}));
  const v1::VerifyArtifactsRequest request =
      ByFile("model.safetensors", '\x11');
  const v1::VerifyArtifactsResponse first = VerifyOk(request);
  ASSERT_EQ(first.matches_size(), 1);
  ASSERT_EQ(first.matches(0).signers_size(), 1);
  ASSERT_EQ(first.matches(0).signers(0).status(), v1::KEY_STATUS_ACTIVE);
  feed_.Set(7);

  const v1::VerifyArtifactsResponse second = VerifyOk(request);

  ASSERT_EQ(second.matches_size(), 1);
  ASSERT_EQ(second.matches(0).signers_size(), 1);
  EXPECT_EQ(second.matches(0).signers(0).key_id(), key_->key_id());
  EXPECT_EQ(second.matches(0).signers(0).status(), v1::KEY_STATUS_REVOKED);
  EXPECT_TRUE(second.matches(0).signers(0).has_revoked_at());
}

// --------------------------------------------------------- dataset users

class ListDatasetUsersTest : public RegistryServiceTest {
 protected:
  grpc::Status Users(const v1::ListDatasetUsersRequest& request,
                     v1::ListDatasetUsersResponse* response) {
    grpc::ClientContext context;
    return stub_->ListDatasetUsers(&context, request, response);
  }
};

TEST_F(ListDatasetUsersTest, PassesTheQueryAndConvertsUsers) {
  const rec::Record direct_record = rec::MinimalRecordForTest();
  rec::Record child_record = rec::MinimalRecordForTest();
  child_record.model.ref.name = "Tuned-1B";
  storage::DatasetUserPage page;
  page.users.resize(2);
  page.users[0].record = Stored(1, direct_record, "{}", {key_->key_id()});
  page.users[0].uses = {{"the-pile", "pretraining", "full_release"}};
  page.users[1].record = Stored(2, child_record, "{}", {key_->key_id()});
  page.users[1].distance = 1;
  page.users[1].via_record_digest = std::string(32, '\x11');
  page.users[1].via_ref = direct_record.model.ref;
  page.next_page_token = "next";
  EXPECT_CALL(
      store_,
      ListDatasetUsers(AllOf(Field(&storage::DatasetQuery::name,
                                   std::optional<std::string>("the-pile")),
                             Field(&storage::DatasetQuery::downstream, true)),
                       Field(&PageRequest::page_size, 7)))
      .WillOnce(Return(page));
  v1::ListDatasetUsersRequest request;
  request.set_name("the-pile");
  request.set_downstream(true);
  request.set_page_size(7);
  v1::ListDatasetUsersResponse response;

  const grpc::Status status = Users(request, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.users_size(), 2);
  ASSERT_EQ(response.users(0).uses_size(), 1);
  EXPECT_EQ(response.users(0).uses(0).role(), "pretraining");
  EXPECT_EQ(response.users(0).distance(), 0);
  EXPECT_EQ(response.users(0).via_ref(), "");
  EXPECT_EQ(response.users(1).distance(), 1);
  EXPECT_EQ(response.users(1).via_record_digest(), std::string(64, '1'));
  EXPECT_EQ(response.users(1).via_ref(),
            rec::ToString(direct_record.model.ref));
  EXPECT_EQ(response.next_page_token(), "next");
}

TEST_F(ListDatasetUsersTest, DigestIsPassedRaw) {
  EXPECT_CALL(store_,
              ListDatasetUsers(
                  Field(&storage::DatasetQuery::sha256,
                        std::optional<std::string>(std::string(32, '\xab'))),
                  _))
      .WillOnce(Return(storage::DatasetUserPage()));
  v1::ListDatasetUsersRequest request;
  request.set_sha256(HexEncode(std::string(32, '\xab')));
  v1::ListDatasetUsersResponse response;

  EXPECT_TRUE(Users(request, &response).ok());
}

TEST_F(ListDatasetUsersTest, RefusesAQueryWithoutDataset) {
  v1::ListDatasetUsersResponse response;

  const grpc::Status status = Users(v1::ListDatasetUsersRequest(), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("one of name or sha256"));
}

TEST_F(ListDatasetUsersTest, RefusesAMalformedDigest) {
  v1::ListDatasetUsersRequest request;
  request.set_sha256("ABCD");
  v1::ListDatasetUsersResponse response;

  const grpc::Status status = Users(request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("sha256: must be 64"));
}

TEST_F(ListDatasetUsersTest, RefusesAnEmptyOrOverlongName) {
  v1::ListDatasetUsersRequest empty;
  empty.set_name("");
  v1::ListDatasetUsersRequest overlong;
  overlong.set_name(std::string(rec::kMaxTextLength + 1, 'x'));
  v1::ListDatasetUsersResponse response;

  EXPECT_EQ(Users(empty, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Users(overlong, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ListDatasetUsersTest, RefusesANegativePageSize) {
  v1::ListDatasetUsersRequest request;
  request.set_name("the-pile");
  request.set_page_size(-1);
  v1::ListDatasetUsersResponse response;

  EXPECT_EQ(Users(request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace pedigree::server::service
