#ifndef PEDIGREE_SERVER_SERVICE_REGISTRY_SERVICE_H_
#define PEDIGREE_SERVER_SERVICE_REGISTRY_SERVICE_H_

// The pedigree.v1.Registry gRPC service: checks every request (envelope
// parsing, record validation, canonical form, signatures against the
// namespace's active keys, admin token, limits), then calls the
// RegistryStore and converts the results. Behaviour and error codes per RPC
// are documented in proto/pedigree/v1/registry.proto.
//
//   storage::PostgresRegistryStore store(pool, {});
//   StreamRequestLogger logger(std::cerr);
//   RegistryService service(store, options, logger);
//   builder.RegisterService(&service);

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/record/record.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "pedigree/v1/registry.grpc.pb.h"
#include "server/service/admin_auth.h"
#include "server/service/memo_cache.h"
#include "server/service/request_log.h"
#include "server/storage/change_feed.h"
#include "server/storage/registry_store.h"

namespace pedigree::server::service {

// Limits and secrets of the service. A plain value; copyable.
struct RegistryServiceOptions {
  // Secret token for CreateNamespace and AddKey; empty disables them. Never
  // logged.
  std::string admin_token;
  // PublishRecord refuses larger envelopes with ResourceExhausted.
  size_t max_envelope_bytes = size_t{8} << 20;
  // PublishRecord refuses records with more files (artifact entries) or
  // more parents (lineage edges) with ResourceExhausted; VerifyArtifacts
  // refuses requests with more files the same way.
  size_t max_files_per_record = 100000;
  size_t max_parents_per_record = 64;
  // VerifyArtifacts returns at most this many candidate records.
  int max_verify_candidates = 20;
  // Memory for records parsed from stored envelopes, memoized by the exact
  // envelope bytes (see memo_cache.h); 0 disables it.
  size_t record_cache_bytes = size_t{64} << 20;
  // Entries for memoized key conversions (a key row's Key proto, keyed by
  // every field of the row including its status; a parsed public key, keyed
  // by its SPKI bytes); 0 disables them. Key status itself is read from the
  // store on every call, never remembered.
  size_t key_cache_entries = 4096;
  // Namespaces whose active public keys PublishRecord remembers, to check
  // signatures without reading the keys first; 0 disables it. Safe with
  // stale entries: the store admits a record only if a signer is an active
  // key of the namespace at commit time, and a refusal after checking with
  // remembered keys is decided again on the stored keys.
  size_t namespace_key_cache_entries = 4096;
  // VerifyArtifacts keeps the store's answer for a set of digests (records
  // with their signer keys' rows) while `change_feed` reports no change
  // since it was read; at most this many answers, 0 disables it, as does a
  // null `change_feed`. Borrowed; must outlive the service.
  size_t verify_cache_entries = 16384;
  const storage::ChangeFeed* change_feed = nullptr;
  // The transparency log's origin and C2SP verifier key, as the store's
  // checkpoint signer has them.
  std::string log_origin;
  std::string log_verifier_key;
};

// Page sizes: 0 means kDefaultPageSize; larger than kMaxPageSize is clamped.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
// Lineage depth: 0 means kDefaultLineageDepth; larger than kMaxLineageDepth
// is clamped.
inline constexpr int kDefaultLineageDepth = 16;
inline constexpr int kMaxLineageDepth = 64;

// GetLogEntries: count 0 means this many; more is InvalidArgument.
inline constexpr int kMaxLogEntriesPerCall = 256;

// Metadata key of the request id sent back with every response (also in
// the message of Internal, Unknown and DataLoss errors and in the log line).
inline constexpr char kRequestIdMetadataKey[] = "x-request-id";

// Thread-safe: handlers run concurrently on gRPC's threads; the service's
// only mutable state is an atomic counter and memo caches that lock
// internally. Not copyable. `store` and
// `logger` are borrowed and must outlive the service (and therefore the
// gRPC server it is registered with).
class RegistryService final : public v1::Registry::Service {
 public:
  RegistryService(storage::RegistryStore& store, RegistryServiceOptions options,
                  RequestLogger& logger);
  RegistryService(const RegistryService&) = delete;
  RegistryService& operator=(const RegistryService&) = delete;

  grpc::Status CreateNamespace(grpc::ServerContext* context,
                               const v1::CreateNamespaceRequest* request,
                               v1::Namespace* response) override;
  grpc::Status AddKey(grpc::ServerContext* context,
                      const v1::AddKeyRequest* request,
                      v1::Key* response) override;
  grpc::Status ListKeys(grpc::ServerContext* context,
                        const v1::ListKeysRequest* request,
                        v1::ListKeysResponse* response) override;
  grpc::Status PublishRecord(grpc::ServerContext* context,
                             const v1::PublishRecordRequest* request,
                             v1::PublishRecordResponse* response) override;
  grpc::Status GetRecord(grpc::ServerContext* context,
                         const v1::GetRecordRequest* request,
                         v1::GetRecordResponse* response) override;
  grpc::Status ListVersions(grpc::ServerContext* context,
                            const v1::ListVersionsRequest* request,
                            v1::ListVersionsResponse* response) override;
  grpc::Status SearchRecords(grpc::ServerContext* context,
                             const v1::SearchRecordsRequest* request,
                             v1::SearchRecordsResponse* response) override;
  grpc::Status VerifyArtifacts(grpc::ServerContext* context,
                               const v1::VerifyArtifactsRequest* request,
                               v1::VerifyArtifactsResponse* response) override;
  grpc::Status GetLineage(grpc::ServerContext* context,
                          const v1::GetLineageRequest* request,
                          v1::GetLineageResponse* response) override;
  grpc::Status ListDatasetUsers(
      grpc::ServerContext* context, const v1::ListDatasetUsersRequest* request,
      v1::ListDatasetUsersResponse* response) override;
  grpc::Status GetCheckpoint(grpc::ServerContext* context,
                             const v1::GetCheckpointRequest* request,
                             v1::GetCheckpointResponse* response) override;
  grpc::Status GetInclusionProof(
      grpc::ServerContext* context, const v1::GetInclusionProofRequest* request,
      v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(
      grpc::ServerContext* context,
      const v1::GetConsistencyProofRequest* request,
      v1::GetConsistencyProofResponse* response) override;
  grpc::Status GetLogEntries(grpc::ServerContext* context,
                             const v1::GetLogEntriesRequest* request,
                             v1::GetLogEntriesResponse* response) override;

 private:
  // Per-call bookkeeping for the request log.
  struct Call {
    std::string request_id;
    absl::Time start;
  };
  Call BeginCall(grpc::ServerContext* context);
  // Logs the call and returns ToGrpcStatus(status).
  grpc::Status EndCall(const grpc::ServerContext& context, const Call& call,
                       absl::string_view method, const absl::Status& status);
  // 16 lowercase hex digits: a random start chosen when the service is
  // built plus the number of calls since, so ids never repeat within a
  // process and differ across processes without a random draw per call.
  std::string NewRequestId();

  absl::StatusOr<v1::Namespace> CreateNamespaceImpl(
      const grpc::ServerContext& context,
      const v1::CreateNamespaceRequest& request);
  absl::StatusOr<v1::Key> AddKeyImpl(const grpc::ServerContext& context,
                                     const v1::AddKeyRequest& request);
  absl::StatusOr<v1::ListKeysResponse> ListKeysImpl(
      const v1::ListKeysRequest& request);
  absl::StatusOr<v1::PublishRecordResponse> PublishRecordImpl(
      const v1::PublishRecordRequest& request);
  absl::StatusOr<v1::GetRecordResponse> GetRecordImpl(
      const v1::GetRecordRequest& request);
  absl::StatusOr<v1::ListVersionsResponse> ListVersionsImpl(
      const v1::ListVersionsRequest& request);
  absl::StatusOr<v1::SearchRecordsResponse> SearchRecordsImpl(
      const v1::SearchRecordsRequest& request);
  absl::StatusOr<v1::VerifyArtifactsResponse> VerifyArtifactsImpl(
      const v1::VerifyArtifactsRequest& request);
  absl::StatusOr<v1::GetLineageResponse> GetLineageImpl(
      const v1::GetLineageRequest& request);
  absl::StatusOr<v1::ListDatasetUsersResponse> ListDatasetUsersImpl(
      const v1::ListDatasetUsersRequest& request);
  absl::StatusOr<v1::GetCheckpointResponse> GetCheckpointImpl(
      const v1::GetCheckpointRequest& request);
  absl::StatusOr<v1::GetInclusionProofResponse> GetInclusionProofImpl(
      const v1::GetInclusionProofRequest& request);
  absl::StatusOr<v1::GetConsistencyProofResponse> GetConsistencyProofImpl(
      const v1::GetConsistencyProofRequest& request);
  absl::StatusOr<v1::GetLogEntriesResponse> GetLogEntriesImpl(
      const v1::GetLogEntriesRequest& request);
  absl::StatusOr<std::optional<storage::LogCheckpointRow>> CheckpointFor(
      uint64_t tree_size, uint64_t* resolved_size);

  // Returns the verified signer key ids of `envelope` for the record's
  // namespace, or PermissionDenied / FailedPrecondition explaining why none.
  absl::StatusOr<std::vector<std::string>> VerifySigners(
      const core::dsse::Envelope& envelope, absl::string_view namespace_name);
  // VerifySigners, first against the namespace's remembered keys (setting
  // `from_remembered_keys` when they verified the envelope).
  absl::StatusOr<std::vector<std::string>> VerifySignersFast(
      const core::dsse::Envelope& envelope, absl::string_view namespace_name,
      bool* from_remembered_keys);
  void ForgetNamespaceKeys(absl::string_view namespace_name);
  // Returns PermissionDenied for an envelope no active key of
  // `namespace_name` verifies, naming keys of other namespaces and revoked
  // keys the signatures point at.
  absl::Status ExplainNoValidSignature(const core::dsse::Envelope& envelope,
                                       absl::string_view namespace_name);
  // Returns the current rows of `key_ids` as Key protos, in that order.
  // DataLoss if one is not stored. Uses the key rows the store read along
  // with `records` (StoredRecord::signer_keys) when every one of them has
  // them, and asks the store otherwise.
  absl::StatusOr<std::vector<v1::Key>> SignerKeys(
      const std::vector<std::string>& key_ids,
      const std::vector<const storage::StoredRecord*>& records);
  // KeyToProto(row), memoized by every field of `row`.
  absl::StatusOr<v1::Key> KeyProto(const storage::KeyRow& row);
  // Returns the record in `stored.envelope`, memoized by the envelope bytes.
  // DataLoss if it does not parse (it was checked when it was published).
  absl::StatusOr<std::shared_ptr<const core::record::Record>>
  StoredRecordContent(const storage::StoredRecord& stored);
  // PublicKey::FromSpkiDer(spki_der), memoized by the bytes.
  absl::StatusOr<std::shared_ptr<const core::crypto::PublicKey>> ParsedKey(
      const std::string& spki_der);
  // The records VerifyArtifacts compares local files with, each with its
  // signed files (path -> lowercase hex SHA-256, from the record's
  // envelope), so that an answer kept in verify_lookups_ needs no parsing.
  struct VerifyCandidates {
    std::vector<storage::StoredRecord> records;
    std::vector<std::map<std::string, std::string>> files;  // of records[i]
  };
  // `records` with the files of each, read from their envelopes.
  absl::StatusOr<VerifyCandidates> WithSignedFiles(
      std::vector<storage::StoredRecord> records);
  // store_.FindRecordsByArtifacts with WithSignedFiles, answered from
  // verify_lookups_ when the change feed vouches that nothing changed since
  // the answer was read.
  absl::StatusOr<std::shared_ptr<const VerifyCandidates>>
  FindRecordsByArtifacts(const std::vector<std::string>& raw_digests);
  // Fills Parent.record_digest of `out` from the record's lineage edges.
  absl::Status FillParentDigests(const storage::StoredRecord& stored,
                                 const core::record::Record& record,
                                 v1::Record* out);

  storage::RegistryStore& store_;
  const RegistryServiceOptions options_;
  const AdminAuthenticator admin_;
  RequestLogger& logger_;
  const uint64_t first_request_id_;
  std::atomic<uint64_t> request_counter_{0};
  MemoCache<core::record::Record> parsed_records_;
  MemoCache<v1::Key> key_protos_;
  MemoCache<core::crypto::PublicKey> public_keys_;
  // Keyed by change generation, limit and digests, so an answer read under
  // an older generation can never be found again.
  MemoCache<VerifyCandidates> verify_lookups_;
  // Active public keys by lower-cased namespace, as VerifySigners last read
  // them.
  absl::Mutex namespace_keys_mu_;
  absl::flat_hash_map<
      std::string, std::vector<std::shared_ptr<const core::crypto::PublicKey>>>
      namespace_keys_ ABSL_GUARDED_BY(namespace_keys_mu_);
};

}  // namespace pedigree::server::service

#endif  // PEDIGREE_SERVER_SERVICE_REGISTRY_SERVICE_H_
