#include "client/lib/pedigree_client.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/lib/grpc_status.h"
#include "core/status_macros.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace pedigree::client {

PedigreeClient::PedigreeClient(ClientOptions options)
    : PedigreeClient(grpc::CreateChannel(options.target,
                                         grpc::InsecureChannelCredentials()),
                     options) {}

PedigreeClient::PedigreeClient(std::shared_ptr<grpc::Channel> channel,
                               ClientOptions options)
    : options_(std::move(options)),
      stub_(v1::Registry::NewStub(std::move(channel))) {}

absl::Status PedigreeClient::Prepare(grpc::ClientContext* context,
                                     bool admin) const {
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  if (admin) {
    if (options_.admin_token.empty()) {
      return absl::UnauthenticatedError(
          "admin call without an admin token (set PEDIGREE_ADMIN_TOKEN)");
    }
    context->AddMetadata("authorization",
                         absl::StrCat("Bearer ", options_.admin_token));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Namespace> PedigreeClient::CreateNamespace(
    absl::string_view name) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/true));
  v1::CreateNamespaceRequest request;
  request.set_name(std::string(name));
  v1::Namespace response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->CreateNamespace(&context, request, &response)));
  return response;
}

absl::StatusOr<v1::Key> PedigreeClient::AddKey(
    absl::string_view namespace_name, absl::string_view public_key_pem) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/true));
  v1::AddKeyRequest request;
  request.set_namespace_name(std::string(namespace_name));
  request.set_public_key_pem(std::string(public_key_pem));
  v1::Key response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->AddKey(&context, request, &response)));
  return response;
}

absl::StatusOr<std::vector<v1::Key>> PedigreeClient::ListKeys(
    absl::string_view namespace_name) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::ListKeysRequest request;
  request.set_namespace_name(std::string(namespace_name));
  v1::ListKeysResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->ListKeys(&context, request, &response)));
  return std::vector<v1::Key>(response.keys().begin(), response.keys().end());
}

absl::StatusOr<v1::PublishRecordResponse> PedigreeClient::PublishRecord(
    absl::string_view envelope) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::PublishRecordRequest request;
  request.set_envelope(std::string(envelope));
  v1::PublishRecordResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->PublishRecord(&context, request, &response)));
  return response;
}

namespace {

absl::StatusOr<v1::GetRecordResponse> CallGetRecord(
    v1::Registry::Stub& stub, grpc::ClientContext* context,
    const v1::GetRecordRequest& request) {
  v1::GetRecordResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub.GetRecord(context, request, &response)));
  return response;
}

}  // namespace

absl::StatusOr<v1::GetRecordResponse> PedigreeClient::GetRecordByRef(
    absl::string_view ref) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetRecordRequest request;
  request.set_ref(std::string(ref));
  return CallGetRecord(*stub_, &context, request);
}

absl::StatusOr<v1::GetRecordResponse> PedigreeClient::GetRecordByDigest(
    absl::string_view record_digest) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetRecordRequest request;
  request.set_record_digest(std::string(record_digest));
  return CallGetRecord(*stub_, &context, request);
}

absl::StatusOr<v1::GetRecordResponse> PedigreeClient::GetLatestRecord(
    absl::string_view model_id) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetRecordRequest request;
  request.set_latest_of(std::string(model_id));
  return CallGetRecord(*stub_, &context, request);
}

absl::StatusOr<v1::ListVersionsResponse> PedigreeClient::ListVersions(
    const v1::ListVersionsRequest& request) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::ListVersionsResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->ListVersions(&context, request, &response)));
  return response;
}

absl::StatusOr<std::vector<v1::VersionEntry>> PedigreeClient::ListAllVersions(
    absl::string_view model_id, size_t max_versions) {
  std::vector<v1::VersionEntry> versions;
  v1::ListVersionsRequest request;
  request.set_model_id(std::string(model_id));
  request.set_page_size(500);
  while (true) {
    PEDIGREE_ASSIGN_OR_RETURN(v1::ListVersionsResponse page,
                              ListVersions(request));
    for (v1::VersionEntry& version : *page.mutable_versions()) {
      versions.push_back(std::move(version));
    }
    if (versions.size() > max_versions) {
      return absl::OutOfRangeError(absl::StrCat(
          "model ", model_id, " has more than ", max_versions, " versions"));
    }
    // A server that repeats its token would loop forever; refuse it.
    if (page.next_page_token().empty() ||
        page.next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(page.next_page_token());
  }
  return versions;
}

absl::StatusOr<v1::SearchRecordsResponse> PedigreeClient::SearchRecords(
    const v1::SearchRecordsRequest& request) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::SearchRecordsResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->SearchRecords(&context, request, &response)));
  return response;
}

absl::StatusOr<std::vector<v1::RecordSummary>> PedigreeClient::SearchAllRecords(
    v1::SearchRecordsRequest request, size_t max_records) {
  std::vector<v1::RecordSummary> records;
  request.set_page_size(500);
  request.clear_page_token();
  while (true) {
    PEDIGREE_ASSIGN_OR_RETURN(v1::SearchRecordsResponse page,
                              SearchRecords(request));
    for (v1::RecordSummary& record : *page.mutable_records()) {
      records.push_back(std::move(record));
    }
    if (records.size() > max_records) {
      return absl::OutOfRangeError(
          absl::StrCat("search matches more than ", max_records, " records"));
    }
    if (page.next_page_token().empty() ||
        page.next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(page.next_page_token());
  }
  return records;
}

absl::StatusOr<v1::VerifyArtifactsResponse> PedigreeClient::VerifyArtifacts(
    const v1::VerifyArtifactsRequest& request) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::VerifyArtifactsResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->VerifyArtifacts(&context, request, &response)));
  return response;
}

absl::StatusOr<v1::GetLineageResponse> PedigreeClient::GetLineage(
    const v1::GetLineageRequest& request) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetLineageResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->GetLineage(&context, request, &response)));
  return response;
}

absl::StatusOr<v1::ListDatasetUsersResponse> PedigreeClient::ListDatasetUsers(
    const v1::ListDatasetUsersRequest& request) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::ListDatasetUsersResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->ListDatasetUsers(&context, request, &response)));
  return response;
}

absl::StatusOr<std::vector<v1::DatasetUser>>
PedigreeClient::ListAllDatasetUsers(v1::ListDatasetUsersRequest request,
                                    size_t max_users) {
  std::vector<v1::DatasetUser> users;
  request.set_page_size(500);
  request.clear_page_token();
  while (true) {
    PEDIGREE_ASSIGN_OR_RETURN(v1::ListDatasetUsersResponse page,
                              ListDatasetUsers(request));
    for (v1::DatasetUser& user : *page.mutable_users()) {
      users.push_back(std::move(user));
    }
    if (users.size() > max_users) {
      return absl::OutOfRangeError(
          absl::StrCat("the dataset has more than ", max_users, " users"));
    }
    if (page.next_page_token().empty() ||
        page.next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(page.next_page_token());
  }
  return users;
}

absl::StatusOr<v1::GetCheckpointResponse> PedigreeClient::GetCheckpoint() {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetCheckpointResponse response;
  PEDIGREE_RETURN_IF_ERROR(FromGrpcStatus(
      stub_->GetCheckpoint(&context, v1::GetCheckpointRequest(), &response)));
  return response;
}

namespace {

absl::StatusOr<v1::GetInclusionProofResponse> CallGetInclusionProof(
    v1::Registry::Stub& stub, grpc::ClientContext* context,
    const v1::GetInclusionProofRequest& request) {
  v1::GetInclusionProofResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub.GetInclusionProof(context, request, &response)));
  return response;
}

}  // namespace

absl::StatusOr<v1::GetInclusionProofResponse>
PedigreeClient::GetInclusionProofByIndex(uint64_t log_index,
                                         uint64_t tree_size) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetInclusionProofRequest request;
  request.set_log_index(log_index);
  request.set_tree_size(tree_size);
  return CallGetInclusionProof(*stub_, &context, request);
}

absl::StatusOr<v1::GetInclusionProofResponse>
PedigreeClient::GetInclusionProofByDigest(absl::string_view record_digest,
                                          uint64_t tree_size) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetInclusionProofRequest request;
  request.set_record_digest(std::string(record_digest));
  request.set_tree_size(tree_size);
  return CallGetInclusionProof(*stub_, &context, request);
}

absl::StatusOr<v1::GetConsistencyProofResponse>
PedigreeClient::GetConsistencyProof(uint64_t old_size, uint64_t new_size) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetConsistencyProofRequest request;
  request.set_old_size(old_size);
  request.set_new_size(new_size);
  v1::GetConsistencyProofResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->GetConsistencyProof(&context, request, &response)));
  return response;
}

absl::StatusOr<v1::GetLogEntriesResponse> PedigreeClient::GetLogEntries(
    uint64_t start, uint32_t count) {
  grpc::ClientContext context;
  PEDIGREE_RETURN_IF_ERROR(Prepare(&context, /*admin=*/false));
  v1::GetLogEntriesRequest request;
  request.set_start(start);
  request.set_count(count);
  v1::GetLogEntriesResponse response;
  PEDIGREE_RETURN_IF_ERROR(
      FromGrpcStatus(stub_->GetLogEntries(&context, request, &response)));
  return response;
}

}  // namespace pedigree::client
