#ifndef PEDIGREE_CLIENT_LIB_PEDIGREE_CLIENT_H_
#define PEDIGREE_CLIENT_LIB_PEDIGREE_CLIENT_H_

// PedigreeClient: a typed C++ API over the pedigree.v1.Registry stub
// (proto/pedigree/v1/registry.proto documents every call). It owns the stub,
// sets a deadline on every call and the admin token metadata on admin calls,
// and turns every grpc::Status into an absl::Status (client/lib/
// grpc_status.h). It never prints, exits or reads flags or the environment.
//
//   ClientOptions options;
//   options.target = "127.0.0.1:50051";
//   PedigreeClient client(options);
//   absl::StatusOr<v1::GetRecordResponse> record =
//       client.GetRecordByRef("acme/base-7b@v1");
//
// Errors: each method returns the registry's error with its canonical code
// (InvalidArgument, NotFound, AlreadyExists, PermissionDenied, ...; see the
// proto's conventions). A registry that cannot be reached gives Unavailable;
// a call that outlives its deadline gives DeadlineExceeded. Admin calls
// without an admin token fail with Unauthenticated before any RPC.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "pedigree/v1/registry.grpc.pb.h"

namespace pedigree::client {

struct ClientOptions {
  // Registry address, "host:port".
  std::string target = "127.0.0.1:50051";
  // Deadline of each call, counted from its start.
  absl::Duration deadline = absl::Seconds(30);
  // Sent as "authorization: Bearer <admin_token>" on CreateNamespace and
  // AddKey. Empty: admin calls fail with Unauthenticated.
  std::string admin_token;
};

// A registry client. Thread-safe (the stub is); not copyable, movable.
class PedigreeClient {
 public:
  // Connects lazily to options.target over an insecure channel (the first
  // call fails with Unavailable if nobody listens).
  explicit PedigreeClient(ClientOptions options);
  // Uses `channel` (e.g. an in-process channel in tests); options.target is
  // ignored.
  PedigreeClient(std::shared_ptr<grpc::Channel> channel, ClientOptions options);

  PedigreeClient(const PedigreeClient&) = delete;
  PedigreeClient& operator=(const PedigreeClient&) = delete;
  PedigreeClient(PedigreeClient&&) = default;
  PedigreeClient& operator=(PedigreeClient&&) = default;

  const ClientOptions& options() const { return options_; }

  // Admin: creates namespace `name`. AlreadyExists if it exists.
  absl::StatusOr<v1::Namespace> CreateNamespace(absl::string_view name);

  // Admin: registers the SPKI PEM `public_key_pem` for `namespace_name`.
  // NotFound for an unknown namespace, AlreadyExists for a known key.
  absl::StatusOr<v1::Key> AddKey(absl::string_view namespace_name,
                                 absl::string_view public_key_pem);

  // Returns the keys (active and revoked) of `namespace_name`.
  absl::StatusOr<std::vector<v1::Key>> ListKeys(
      absl::string_view namespace_name);

  // Publishes the DSSE envelope JSON `envelope` (exactly as signed).
  // PermissionDenied if no signature verifies with an active key of the
  // model's namespace, FailedPrecondition for an unknown parent or
  // namespace, AlreadyExists for other content under an existing ref.
  absl::StatusOr<v1::PublishRecordResponse> PublishRecord(
      absl::string_view envelope);

  // Returns one record by "namespace/name@version", by lowercase hex record
  // digest, or the latest version of "namespace/name". NotFound if absent.
  absl::StatusOr<v1::GetRecordResponse> GetRecordByRef(absl::string_view ref);
  absl::StatusOr<v1::GetRecordResponse> GetRecordByDigest(
      absl::string_view record_digest);
  absl::StatusOr<v1::GetRecordResponse> GetLatestRecord(
      absl::string_view model_id);

  // Returns every version of "namespace/name", newest first, following
  // pages (at most `max_versions`; more is OutOfRange).
  absl::StatusOr<std::vector<v1::VersionEntry>> ListAllVersions(
      absl::string_view model_id, size_t max_versions = 100000);

  // One page of ListVersions.
  absl::StatusOr<v1::ListVersionsResponse> ListVersions(
      const v1::ListVersionsRequest& request);

  // Returns every record matching `request` (its page fields are ignored),
  // following pages (at most `max_records`; more is OutOfRange).
  absl::StatusOr<std::vector<v1::RecordSummary>> SearchAllRecords(
      v1::SearchRecordsRequest request, size_t max_records = 100000);

  // One page of SearchRecords.
  absl::StatusOr<v1::SearchRecordsResponse> SearchRecords(
      const v1::SearchRecordsRequest& request);

  // Asks which records hold the files or root digest of `request`. The
  // answer is the registry's word only: check it with client/lib/verify.h.
  absl::StatusOr<v1::VerifyArtifactsResponse> VerifyArtifacts(
      const v1::VerifyArtifactsRequest& request);

  // Walks the lineage graph from request.ref().
  absl::StatusOr<v1::GetLineageResponse> GetLineage(
      const v1::GetLineageRequest& request);

  // One page of ListDatasetUsers: the records that declare the dataset
  // request.name() or request.sha256() and, with request.downstream(), their
  // descendants. InvalidArgument for a missing or malformed dataset.
  absl::StatusOr<v1::ListDatasetUsersResponse> ListDatasetUsers(
      const v1::ListDatasetUsersRequest& request);

  // Returns every user of the dataset of `request` (its page fields are
  // ignored) in the registry's order (direct users first, then descendants
  // by distance), following pages (at most `max_users`; more is OutOfRange).
  absl::StatusOr<std::vector<v1::DatasetUser>> ListAllDatasetUsers(
      v1::ListDatasetUsersRequest request, size_t max_users = 10000);

  // --- the transparency log. Every answer is the registry's word only:
  // check notes and proofs with client/lib/log_verifier.h.

  // Returns the newest checkpoint and the log's (unverified) verifier key.
  absl::StatusOr<v1::GetCheckpointResponse> GetCheckpoint();

  // Returns the inclusion proof of the entry at `log_index`, or of the
  // record with lowercase hex digest `record_digest`, in the tree of
  // `tree_size` leaves (0: the newest checkpoint's). NotFound for an unknown
  // digest; InvalidArgument for an index at or beyond the tree size or a
  // size beyond the newest checkpoint.
  absl::StatusOr<v1::GetInclusionProofResponse> GetInclusionProofByIndex(
      uint64_t log_index, uint64_t tree_size = 0);
  absl::StatusOr<v1::GetInclusionProofResponse> GetInclusionProofByDigest(
      absl::string_view record_digest, uint64_t tree_size = 0);

  // Returns the proof that the tree of `old_size` leaves is a prefix of the
  // tree of `new_size` (0: the newest checkpoint's).
  absl::StatusOr<v1::GetConsistencyProofResponse> GetConsistencyProof(
      uint64_t old_size, uint64_t new_size = 0);

  // Returns at most `count` entries from `start` (count 0: the server's
  // maximum, 256).
  absl::StatusOr<v1::GetLogEntriesResponse> GetLogEntries(uint64_t start,
                                                          uint32_t count = 0);

 private:
  // Prepares `context` for one call: the deadline, and the admin token when
  // `admin`. Unauthenticated if `admin` and there is no token.
  absl::Status Prepare(grpc::ClientContext* context, bool admin) const;

  ClientOptions options_;
  std::unique_ptr<v1::Registry::Stub> stub_;
};

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_PEDIGREE_CLIENT_H_
