#include "server/service/registry_service.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/crypto/keys.h"
#include "core/crypto/sha256.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/license/spdx_license_list.h"
#include "core/manifest/manifest.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/record/statement.h"
#include "core/status_macros.h"
#include "server/service/convert.h"
#include "server/service/grpc_status.h"

namespace pedigree::server::service {
namespace {

namespace rec = ::pedigree::core::record;

constexpr absl::string_view kLicenseRefPrefix = "LicenseRef-";

// Prefixes `status`'s message with `field` ("field: message"), keeping the
// code.
absl::Status InField(absl::string_view field, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(field, ": ", status.message()));
}

RegistryServiceOptions WithoutSecret(RegistryServiceOptions options) {
  options.admin_token.clear();
  return options;
}

absl::StatusOr<int> ClampPageSize(int32_t requested) {
  if (requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative, got ", requested));
  }
  if (requested == 0) return kDefaultPageSize;
  return std::min<int>(requested, kMaxPageSize);
}

absl::StatusOr<std::string> RawDigestFromHex(absl::string_view field,
                                             absl::string_view hex) {
  if (!core::IsLowerHex(hex, 32)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be 64 lowercase hex characters (SHA-256)"));
  }
  return core::HexDecode(hex);
}

bool IsNameCharacter(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '-';
}

// Returns the canonical spelling of an SPDX license id or LicenseRef.
absl::StatusOr<std::string> CanonicalLicenseId(absl::string_view id) {
  if (absl::StartsWithIgnoreCase(id, kLicenseRefPrefix)) {
    const absl::string_view rest = id.substr(kLicenseRefPrefix.size());
    const bool valid =
        !rest.empty() && id.size() <= rec::kMaxLicenseRefIdLength &&
        std::all_of(rest.begin(), rest.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                 c == '.' || c == '-';
        });
    if (!valid) {
      return absl::InvalidArgumentError(
          absl::StrCat("license: malformed LicenseRef \"",
                       absl::CEscape(id.substr(0, 128)), "\""));
    }
    return absl::StrCat(kLicenseRefPrefix, rest);
  }
  absl::StatusOr<core::license::LicenseInfo> info =
      core::license::LookupSpdxLicense(id);
  if (!info.ok()) {
    if (absl::IsNotFound(info.status())) {
      return absl::InvalidArgumentError(
          absl::StrCat("license: unknown SPDX license id \"",
                       absl::CEscape(id.substr(0, 128)), "\""));
    }
    return info.status();
  }
  return info->id;
}

// Returns the record stored in `stored.envelope`. The envelope was checked
// when it was published, so a failure here means corrupt data.
absl::StatusOr<rec::Record> ParseStoredRecord(
    const storage::StoredRecord& stored) {
  absl::StatusOr<core::dsse::Envelope> envelope =
      core::dsse::ParseEnvelope(stored.envelope);
  absl::StatusOr<rec::Record> record =
      envelope.ok() ? rec::RecordFromEnvelope(*envelope)
                    : absl::StatusOr<rec::Record>(envelope.status());
  if (!record.ok()) {
    return absl::DataLossError(absl::StrCat(
        "stored envelope of record ", core::HexEncode(stored.record_digest),
        " does not parse: ", record.status().message()));
  }
  return record;
}

// Appends `field` to `key` so that distinct field sequences give distinct
// keys (length-prefixed).
void AppendKeyField(absl::string_view field, std::string* key) {
  absl::StrAppend(key, field.size(), ":", field, ";");
}

void AppendKeyTime(absl::Time time, std::string* key) {
  // The two numbers TimeToProto writes (seconds, then nanoseconds in
  // [0, 1s)), so equal keys give equal Timestamps.
  const int64_t seconds = absl::ToUnixSeconds(time);
  absl::StrAppend(
      key, seconds, ".",
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds)), ";");
}

// Every field of `row`: the complete input of KeyToProto.
std::string KeyRowMemoKey(const storage::KeyRow& row) {
  std::string key;
  AppendKeyField(row.key_id, &key);
  AppendKeyField(row.namespace_name, &key);
  AppendKeyField(core::crypto::FormatKeyType(row.type), &key);
  AppendKeyField(row.spki_der, &key);
  AppendKeyField(
      row.status == storage::KeyStatus::kActive ? "active" : "revoked", &key);
  AppendKeyTime(row.added_at, &key);
  if (row.revoked_at.has_value()) {
    AppendKeyTime(*row.revoked_at, &key);
  } else {
    key += "-;";
  }
  return key;
}

// Where a service's request ids start. Ids only correlate log lines and
// error messages; without randomness the clock keeps restarts apart.
uint64_t RandomRequestIdStart() {
  uint64_t start = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&start), sizeof(start)) ==
      1) {
    return start;
  }
  return static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
}

// Rough memory of a memoized parsed record: the envelope kept as the key
// plus the parsed fields, which are about as large again.
size_t RecordMemoCost(const storage::StoredRecord& stored) {
  return 3 * stored.envelope.size() + 1024;
}

// Files by path: path -> lowercase hex SHA-256.
using FileDigests = std::map<std::string, std::string>;

// Rough memory of a stored record row kept in an answer: its envelope, the
// other columns and its signer key rows, and its files.
size_t CandidateCost(const storage::StoredRecord& stored,
                     const FileDigests& files) {
  size_t cost =
      stored.envelope.size() + 1024 + 512 * stored.signer_key_ids.size();
  for (const auto& [path, digest] : files) cost += path.size() + 160;
  return cost;
}

// Compares the files a record signed (`recorded`) with `local`; returns the
// per-path results sorted by path and sets *all_match and *matched.
std::vector<v1::FileResult> CompareFiles(const FileDigests& recorded,
                                         const FileDigests& local,
                                         bool* all_match, int* matched) {
  std::set<std::string> paths;
  for (const auto& [path, digest] : recorded) paths.insert(path);
  for (const auto& [path, digest] : local) paths.insert(path);

  std::vector<v1::FileResult> results;
  results.reserve(paths.size());
  *all_match = true;
  *matched = 0;
  for (const std::string& path : paths) {
    v1::FileResult result;
    result.set_path(path);
    const auto expected = recorded.find(path);
    const auto actual = local.find(path);
    if (expected != recorded.end()) {
      result.set_expected_sha256(expected->second);
    }
    if (actual != local.end()) result.set_actual_sha256(actual->second);
    if (expected == recorded.end()) {
      result.set_verdict(v1::FILE_VERDICT_UNEXPECTED);
    } else if (actual == local.end()) {
      result.set_verdict(v1::FILE_VERDICT_MISSING);
    } else if (expected->second == actual->second) {
      result.set_verdict(v1::FILE_VERDICT_MATCH);
      ++*matched;
    } else {
      result.set_verdict(v1::FILE_VERDICT_DIGEST_MISMATCH);
    }
    if (result.verdict() != v1::FILE_VERDICT_MATCH) *all_match = false;
    results.push_back(std::move(result));
  }
  return results;
}

// Returns true if `node` is the record that parent `edge` names.
bool NodeMatchesParent(const storage::StoredRecord& node,
                       const rec::LineageEdge& edge) {
  if (edge.ref.kind == rec::ModelLocator::Kind::kRootDigest) {
    return node.root_digest == edge.ref.root_digest;
  }
  return rec::SameModelVersion(node.ref, edge.ref.model);
}

}  // namespace

RegistryService::RegistryService(storage::RegistryStore& store,
                                 RegistryServiceOptions options,
                                 RequestLogger& logger)
    : store_(store),
      options_(WithoutSecret(options)),
      admin_(options.admin_token),
      logger_(logger),
      first_request_id_(RandomRequestIdStart()),
      parsed_records_(/*max_entries=*/options.record_cache_bytes == 0
                          ? 0
                          : options.record_cache_bytes / 1024,
                      options.record_cache_bytes),
      key_protos_(options.key_cache_entries,
                  options.key_cache_entries * size_t{4096}),
      public_keys_(options.key_cache_entries,
                   options.key_cache_entries * size_t{4096}),
      verify_lookups_(
          options.change_feed == nullptr ? 0 : options.verify_cache_entries,
          options.verify_cache_entries * size_t{4096}) {}

// ------------------------------------------------------------ call plumbing

std::string RegistryService::NewRequestId() {
  const uint64_t id = first_request_id_ +
                      request_counter_.fetch_add(1, std::memory_order_relaxed);
  return absl::StrFormat("%016x", id);
}

RegistryService::Call RegistryService::BeginCall(grpc::ServerContext* context) {
  Call call{NewRequestId(), absl::Now()};
  context->AddInitialMetadata(kRequestIdMetadataKey, call.request_id);
  return call;
}

grpc::Status RegistryService::EndCall(const grpc::ServerContext& context,
                                      const Call& call,
                                      absl::string_view method,
                                      const absl::Status& status) {
  RequestLogEntry entry;
  entry.method = std::string(method);
  entry.status = status;
  entry.duration = absl::Now() - call.start;
  entry.peer = context.peer();
  entry.request_id = call.request_id;
  logger_.Log(entry);
  return ToGrpcStatus(status, call.request_id);
}

grpc::Status RegistryService::CreateNamespace(
    grpc::ServerContext* context, const v1::CreateNamespaceRequest* request,
    v1::Namespace* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::Namespace> result =
      CreateNamespaceImpl(*context, *request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "CreateNamespace", result.status());
}

grpc::Status RegistryService::AddKey(grpc::ServerContext* context,
                                     const v1::AddKeyRequest* request,
                                     v1::Key* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::Key> result = AddKeyImpl(*context, *request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "AddKey", result.status());
}

grpc::Status RegistryService::ListKeys(grpc::ServerContext* context,
                                       const v1::ListKeysRequest* request,
                                       v1::ListKeysResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::ListKeysResponse> result = ListKeysImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "ListKeys", result.status());
}

grpc::Status RegistryService::PublishRecord(
    grpc::ServerContext* context, const v1::PublishRecordRequest* request,
    v1::PublishRecordResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::PublishRecordResponse> result =
      PublishRecordImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "PublishRecord", result.status());
}

grpc::Status RegistryService::GetRecord(grpc::ServerContext* context,
                                        const v1::GetRecordRequest* request,
                                        v1::GetRecordResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::GetRecordResponse> result = GetRecordImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "GetRecord", result.status());
}

grpc::Status RegistryService::ListVersions(
    grpc::ServerContext* context, const v1::ListVersionsRequest* request,
    v1::ListVersionsResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::ListVersionsResponse> result = ListVersionsImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "ListVersions", result.status());
}

grpc::Status RegistryService::SearchRecords(
    grpc::ServerContext* context, const v1::SearchRecordsRequest* request,
    v1::SearchRecordsResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::SearchRecordsResponse> result =
      SearchRecordsImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "SearchRecords", result.status());
}

grpc::Status RegistryService::VerifyArtifacts(
    grpc::ServerContext* context, const v1::VerifyArtifactsRequest* request,
    v1::VerifyArtifactsResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::VerifyArtifactsResponse> result =
      VerifyArtifactsImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "VerifyArtifacts", result.status());
}

grpc::Status RegistryService::GetLineage(grpc::ServerContext* context,
                                         const v1::GetLineageRequest* request,
                                         v1::GetLineageResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::GetLineageResponse> result = GetLineageImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "GetLineage", result.status());
}

grpc::Status RegistryService::ListDatasetUsers(
    grpc::ServerContext* context, const v1::ListDatasetUsersRequest* request,
    v1::ListDatasetUsersResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::ListDatasetUsersResponse> result =
      ListDatasetUsersImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "ListDatasetUsers", result.status());
}

grpc::Status RegistryService::GetCheckpoint(
    grpc::ServerContext* context, const v1::GetCheckpointRequest* request,
    v1::GetCheckpointResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::GetCheckpointResponse> result =
      GetCheckpointImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "GetCheckpoint", result.status());
}

grpc::Status RegistryService::GetInclusionProof(
    grpc::ServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::GetInclusionProofResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::GetInclusionProofResponse> result =
      GetInclusionProofImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "GetInclusionProof", result.status());
}

grpc::Status RegistryService::GetConsistencyProof(
    grpc::ServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::GetConsistencyProofResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::GetConsistencyProofResponse> result =
      GetConsistencyProofImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "GetConsistencyProof", result.status());
}

grpc::Status RegistryService::GetLogEntries(
    grpc::ServerContext* context, const v1::GetLogEntriesRequest* request,
    v1::GetLogEntriesResponse* response) {
  const Call call = BeginCall(context);
  absl::StatusOr<v1::GetLogEntriesResponse> result =
      GetLogEntriesImpl(*request);
  if (result.ok()) *response = *std::move(result);
  return EndCall(*context, call, "GetLogEntries", result.status());
}

// ------------------------------------------------------- namespaces and keys

absl::StatusOr<v1::Namespace> RegistryService::CreateNamespaceImpl(
    const grpc::ServerContext& context,
    const v1::CreateNamespaceRequest& request) {
  PEDIGREE_RETURN_IF_ERROR(admin_.Check(context.client_metadata()));
  PEDIGREE_RETURN_IF_ERROR(
      InField("name", rec::ValidateModelNamespace(request.name())));
  PEDIGREE_ASSIGN_OR_RETURN(const storage::NamespaceRow row,
                            store_.CreateNamespace(request.name()));
  v1::Namespace out;
  out.set_name(row.name);
  *out.mutable_created_at() = TimeToProto(row.created_at);
  return out;
}

absl::StatusOr<v1::Key> RegistryService::AddKeyImpl(
    const grpc::ServerContext& context, const v1::AddKeyRequest& request) {
  PEDIGREE_RETURN_IF_ERROR(admin_.Check(context.client_metadata()));
  PEDIGREE_RETURN_IF_ERROR(InField(
      "namespace_name", rec::ValidateModelNamespace(request.namespace_name())));
  absl::StatusOr<core::crypto::PublicKey> public_key =
      core::crypto::PublicKey::FromPem(request.public_key_pem());
  if (!public_key.ok()) {
    return InField("public_key_pem", public_key.status());
  }
  storage::KeyRow key;
  key.key_id = public_key->key_id();
  key.namespace_name = request.namespace_name();
  key.type = public_key->type();
  key.spki_der = public_key->spki_der();
  PEDIGREE_ASSIGN_OR_RETURN(const storage::KeyRow stored, store_.AddKey(key));
  return KeyProto(stored);
}

absl::StatusOr<v1::ListKeysResponse> RegistryService::ListKeysImpl(
    const v1::ListKeysRequest& request) {
  PEDIGREE_RETURN_IF_ERROR(InField(
      "namespace_name", rec::ValidateModelNamespace(request.namespace_name())));
  PEDIGREE_ASSIGN_OR_RETURN(const std::vector<storage::KeyRow> keys,
                            store_.ListKeys(request.namespace_name()));
  v1::ListKeysResponse out;
  for (const storage::KeyRow& key : keys) {
    PEDIGREE_ASSIGN_OR_RETURN(*out.add_keys(), KeyProto(key));
  }
  return out;
}

// ------------------------------------------------------------------ publish

absl::StatusOr<v1::PublishRecordResponse> RegistryService::PublishRecordImpl(
    const v1::PublishRecordRequest& request) {
  const std::string& envelope_json = request.envelope();
  if (envelope_json.size() > options_.max_envelope_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("envelope: ", envelope_json.size(),
                     " bytes exceeds the server limit of ",
                     options_.max_envelope_bytes, " bytes"));
  }
  if (envelope_json.empty()) {
    return absl::InvalidArgumentError("envelope: required");
  }
  absl::StatusOr<core::dsse::Envelope> envelope =
      core::dsse::ParseEnvelope(envelope_json);
  if (!envelope.ok()) return InField("envelope", envelope.status());
  if (envelope->payload_type != rec::kPayloadType) {
    return absl::InvalidArgumentError(absl::StrCat(
        "envelope.payloadType: must be \"", rec::kPayloadType, "\", got \"",
        absl::CEscape(envelope->payload_type), "\""));
  }
  absl::StatusOr<rec::Record> record = rec::RecordFromEnvelope(*envelope);
  if (!record.ok()) return InField("envelope.payload", record.status());

  if (record->artifacts.files.size() > options_.max_files_per_record) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "predicate.artifacts.files: ", record->artifacts.files.size(),
        " files exceeds the server limit of ", options_.max_files_per_record));
  }
  if (record->lineage.size() > options_.max_parents_per_record) {
    return absl::ResourceExhaustedError(
        absl::StrCat("predicate.lineage: ", record->lineage.size(),
                     " parents exceeds the server limit of ",
                     options_.max_parents_per_record));
  }
  // One record content has one digest: a payload that parses but is not
  // byte-for-byte the canonical serialization could be re-encoded into
  // another digest for the same content.
  // (RecordFromEnvelope validated the record.)
  if (rec::SerializeValidStatement(*record) != envelope->payload) {
    return absl::InvalidArgumentError(
        "envelope.payload: payload is not in canonical form (serialize the "
        "record with the canonical encoding of docs/record-format.md before "
        "signing)");
  }

  const std::string namespace_name = record->model.ref.namespace_name;
  bool from_remembered_keys = false;
  PEDIGREE_ASSIGN_OR_RETURN(
      std::vector<std::string> signer_key_ids,
      VerifySignersFast(*envelope, namespace_name, &from_remembered_keys));

  storage::NewRecord new_record;
  PEDIGREE_ASSIGN_OR_RETURN(new_record.record_digest,
                            core::crypto::Sha256Digest(envelope->payload));
  new_record.record = *std::move(record);
  new_record.envelope = envelope_json;
  new_record.signer_key_ids = std::move(signer_key_ids);
  absl::StatusOr<storage::PublishResult> published =
      store_.PublishRecord(new_record);
  if (from_remembered_keys && absl::IsPermissionDenied(published.status())) {
    // A remembered key may have been revoked: decide on the stored keys,
    // which also explains a refusal precisely.
    ForgetNamespaceKeys(namespace_name);
    PEDIGREE_ASSIGN_OR_RETURN(new_record.signer_key_ids,
                              VerifySigners(*envelope, namespace_name));
    published = store_.PublishRecord(new_record);
  }
  PEDIGREE_ASSIGN_OR_RETURN(const storage::PublishResult result,
                            std::move(published));
  // The record was parsed from exactly these bytes, as StoredRecordContent
  // would parse them: remember it for the lookups that usually follow.
  if (!result.already_existed) {
    parsed_records_.Insert(envelope_json, std::move(new_record.record),
                           RecordMemoCost(result.record));
  }
  v1::PublishRecordResponse out;
  *out.mutable_record() = SummaryToProto(result.record);
  out.set_already_existed(result.already_existed);
  *out.mutable_inclusion()->mutable_proof() =
      InclusionProofToProto(result.inclusion);
  PEDIGREE_ASSIGN_OR_RETURN(
      *out.mutable_inclusion()->mutable_checkpoint(),
      CheckpointToProto(result.checkpoint, options_.log_origin));
  return out;
}

absl::StatusOr<std::vector<std::string>> RegistryService::VerifySignersFast(
    const core::dsse::Envelope& envelope, absl::string_view namespace_name,
    bool* from_remembered_keys) {
  *from_remembered_keys = false;
  std::vector<std::shared_ptr<const core::crypto::PublicKey>> remembered;
  {
    absl::MutexLock lock(&namespace_keys_mu_);
    const auto found =
        namespace_keys_.find(absl::AsciiStrToLower(namespace_name));
    if (found != namespace_keys_.end()) remembered = found->second;
  }
  if (!remembered.empty()) {
    std::vector<const core::crypto::Verifier*> trusted;
    for (const std::shared_ptr<const core::crypto::PublicKey>& key :
         remembered) {
      trusted.push_back(key.get());
    }
    absl::StatusOr<std::vector<std::string>> verified =
        core::dsse::VerifyEnvelope(envelope, trusted);
    if (verified.ok()) {
      *from_remembered_keys = true;
      return verified;
    }
  }
  return VerifySigners(envelope, namespace_name);
}

void RegistryService::ForgetNamespaceKeys(absl::string_view namespace_name) {
  absl::MutexLock lock(&namespace_keys_mu_);
  namespace_keys_.erase(absl::AsciiStrToLower(namespace_name));
}

absl::StatusOr<std::vector<std::string>> RegistryService::VerifySigners(
    const core::dsse::Envelope& envelope, absl::string_view namespace_name) {
  absl::StatusOr<std::vector<storage::KeyRow>> keys =
      store_.ListKeys(namespace_name);
  if (absl::IsNotFound(keys.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat("namespace ", namespace_name,
                     " does not exist: an administrator must create it and "
                     "register its keys first"));
  }
  if (!keys.ok()) return keys.status();

  std::vector<std::shared_ptr<const core::crypto::PublicKey>> active;
  for (const storage::KeyRow& key : *keys) {
    if (key.status != storage::KeyStatus::kActive) continue;
    absl::StatusOr<std::shared_ptr<const core::crypto::PublicKey>> public_key =
        ParsedKey(key.spki_der);
    if (!public_key.ok()) {
      return absl::DataLossError(
          absl::StrCat("stored key ", key.key_id,
                       " does not parse: ", public_key.status().message()));
    }
    active.push_back(*std::move(public_key));
  }
  if (active.empty()) return ExplainNoValidSignature(envelope, namespace_name);
  std::vector<const core::crypto::Verifier*> trusted;
  trusted.reserve(active.size());
  for (const std::shared_ptr<const core::crypto::PublicKey>& key : active) {
    trusted.push_back(key.get());
  }

  absl::StatusOr<std::vector<std::string>> verified =
      core::dsse::VerifyEnvelope(envelope, trusted);
  if (absl::IsInvalidArgument(verified.status())) {
    return ExplainNoValidSignature(envelope, namespace_name);
  }
  if (verified.ok() && options_.namespace_key_cache_entries > 0) {
    absl::MutexLock lock(&namespace_keys_mu_);
    if (namespace_keys_.size() >= options_.namespace_key_cache_entries) {
      namespace_keys_.clear();
    }
    namespace_keys_[absl::AsciiStrToLower(namespace_name)] = std::move(active);
  }
  return verified;
}

absl::Status RegistryService::ExplainNoValidSignature(
    const core::dsse::Envelope& envelope, absl::string_view namespace_name) {
  // keyid is an unauthenticated hint, but it lets us tell a publisher which
  // key they used by mistake. Only well-formed ids are looked up.
  std::vector<std::string> hinted;
  for (const core::dsse::Signature& signature : envelope.signatures) {
    if (core::IsLowerHex(signature.keyid, 32) &&
        std::find(hinted.begin(), hinted.end(), signature.keyid) ==
            hinted.end()) {
      hinted.push_back(signature.keyid);
    }
  }
  std::vector<std::string> details;
  if (!hinted.empty()) {
    PEDIGREE_ASSIGN_OR_RETURN(const std::vector<storage::KeyRow> known,
                              store_.GetKeys(hinted));
    for (const storage::KeyRow& key : known) {
      if (!absl::EqualsIgnoreCase(key.namespace_name, namespace_name)) {
        details.push_back(absl::StrCat("signature keyid ", key.key_id,
                                       " is a key of another namespace (",
                                       key.namespace_name, ")"));
      } else if (key.status == storage::KeyStatus::kRevoked) {
        details.push_back(absl::StrCat("key ", key.key_id, " of namespace ",
                                       key.namespace_name, " is revoked"));
      }
    }
  }
  std::sort(details.begin(), details.end());
  std::string message = absl::StrCat(
      "no signature verifies with an active key of namespace ", namespace_name);
  if (!details.empty()) {
    absl::StrAppend(&message, ": ", absl::StrJoin(details, "; "));
  }
  return absl::PermissionDeniedError(message);
}

// ------------------------------------------------------------------ lookups

absl::StatusOr<std::vector<v1::Key>> RegistryService::SignerKeys(
    const std::vector<std::string>& key_ids,
    const std::vector<const storage::StoredRecord*>& records) {
  std::vector<v1::Key> out;
  if (key_ids.empty()) return out;
  const bool read_with_records =
      !records.empty() && std::all_of(records.begin(), records.end(),
                                      [](const storage::StoredRecord* record) {
                                        return record->signer_keys.has_value();
                                      });
  std::vector<storage::KeyRow> fetched;
  if (!read_with_records) {
    PEDIGREE_ASSIGN_OR_RETURN(fetched, store_.GetKeys(key_ids));
  }
  absl::flat_hash_map<std::string, const storage::KeyRow*> by_id;
  if (read_with_records) {
    for (const storage::StoredRecord* record : records) {
      for (const storage::KeyRow& row : *record->signer_keys) {
        by_id.emplace(row.key_id, &row);
      }
    }
  } else {
    for (const storage::KeyRow& row : fetched) by_id[row.key_id] = &row;
  }
  for (const std::string& key_id : key_ids) {
    const auto found = by_id.find(key_id);
    if (found == by_id.end()) {
      return absl::DataLossError(
          absl::StrCat("signer key ", key_id, " is not stored"));
    }
    PEDIGREE_ASSIGN_OR_RETURN(v1::Key key, KeyProto(*found->second));
    out.push_back(std::move(key));
  }
  return out;
}

absl::StatusOr<v1::Key> RegistryService::KeyProto(const storage::KeyRow& row) {
  const std::string memo_key = KeyRowMemoKey(row);
  if (std::shared_ptr<const v1::Key> found = key_protos_.Find(memo_key)) {
    return *found;
  }
  PEDIGREE_ASSIGN_OR_RETURN(v1::Key key, KeyToProto(row));
  const size_t cost = memo_key.size() + 2 * key.public_key_pem().size() + 512;
  return *key_protos_.Insert(memo_key, std::move(key), cost);
}

absl::StatusOr<std::shared_ptr<const rec::Record>>
RegistryService::StoredRecordContent(const storage::StoredRecord& stored) {
  if (std::shared_ptr<const rec::Record> found =
          parsed_records_.Find(stored.envelope)) {
    return found;
  }
  PEDIGREE_ASSIGN_OR_RETURN(rec::Record record, ParseStoredRecord(stored));
  return parsed_records_.Insert(stored.envelope, std::move(record),
                                RecordMemoCost(stored));
}

absl::StatusOr<std::shared_ptr<const core::crypto::PublicKey>>
RegistryService::ParsedKey(const std::string& spki_der) {
  if (std::shared_ptr<const core::crypto::PublicKey> found =
          public_keys_.Find(spki_der)) {
    return found;
  }
  PEDIGREE_ASSIGN_OR_RETURN(core::crypto::PublicKey key,
                            core::crypto::PublicKey::FromSpkiDer(spki_der));
  return public_keys_.Insert(spki_der, std::move(key),
                             2 * spki_der.size() + 1024);
}

absl::Status RegistryService::FillParentDigests(
    const storage::StoredRecord& stored, const rec::Record& record,
    v1::Record* out) {
  if (record.lineage.empty()) return absl::OkStatus();
  storage::LineageQuery query;
  query.start_record_id = stored.id;
  query.direction = storage::LineageDirection::kAncestors;
  query.max_depth = 1;
  PEDIGREE_ASSIGN_OR_RETURN(const storage::LineageGraph graph,
                            store_.GetLineage(query));
  absl::flat_hash_map<int64_t, const storage::StoredRecord*> nodes;
  for (const storage::LineageNodeRow& node : graph.nodes) {
    nodes[node.record.id] = &node.record;
  }
  for (size_t i = 0; i < record.lineage.size(); ++i) {
    const rec::LineageEdge& parent = record.lineage[i];
    for (const storage::LineageEdgeRow& edge : graph.edges) {
      const auto node = nodes.find(edge.parent_record_id);
      if (edge.child_record_id != stored.id ||
          edge.relation != parent.relation || node == nodes.end() ||
          !NodeMatchesParent(*node->second, parent)) {
        continue;
      }
      out->mutable_parents(static_cast<int>(i))
          ->set_record_digest(core::HexEncode(node->second->record_digest));
      break;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::GetRecordResponse> RegistryService::GetRecordImpl(
    const v1::GetRecordRequest& request) {
  absl::StatusOr<storage::StoredRecord> stored;
  switch (request.selector_case()) {
    case v1::GetRecordRequest::kRef: {
      absl::StatusOr<rec::ModelRef> ref = rec::ParseModelRef(request.ref());
      if (!ref.ok()) return InField("ref", ref.status());
      stored = store_.GetRecordByRef(*ref);
      break;
    }
    case v1::GetRecordRequest::kRecordDigest: {
      PEDIGREE_ASSIGN_OR_RETURN(
          const std::string digest,
          RawDigestFromHex("record_digest", request.record_digest()));
      stored = store_.GetRecordByDigest(digest);
      break;
    }
    case v1::GetRecordRequest::kLatestOf: {
      absl::StatusOr<rec::ModelRef> model =
          rec::ParseModelId(request.latest_of());
      if (!model.ok()) return InField("latest_of", model.status());
      stored = store_.GetLatestRecord(*model);
      break;
    }
    default:
      return absl::InvalidArgumentError(
          "selector: one of ref, record_digest or latest_of is required");
  }
  if (!stored.ok()) return stored.status();

  PEDIGREE_ASSIGN_OR_RETURN(const std::shared_ptr<const rec::Record> record,
                            StoredRecordContent(*stored));
  v1::GetRecordResponse out;
  *out.mutable_summary() = SummaryToProto(*stored);
  out.set_envelope(stored->envelope);
  *out.mutable_record() = RecordToProto(*record);
  PEDIGREE_RETURN_IF_ERROR(
      FillParentDigests(*stored, *record, out.mutable_record()));
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<v1::Key> signers,
                            SignerKeys(stored->signer_key_ids, {&*stored}));
  for (v1::Key& key : signers) *out.add_signers() = std::move(key);
  // A record without a stored judgment gets none: clients must not read
  // an absent judgment as a clean one.
  PEDIGREE_ASSIGN_OR_RETURN(const auto judgments,
                            store_.GetJudgments({stored->id}));
  if (const auto found = judgments.find(stored->id); found != judgments.end()) {
    *out.mutable_judgment() = JudgmentToProto(found->second);
  }
  return out;
}

absl::StatusOr<v1::ListVersionsResponse> RegistryService::ListVersionsImpl(
    const v1::ListVersionsRequest& request) {
  absl::StatusOr<rec::ModelRef> model = rec::ParseModelId(request.model_id());
  if (!model.ok()) return InField("model_id", model.status());
  storage::PageRequest page;
  PEDIGREE_ASSIGN_OR_RETURN(page.page_size, ClampPageSize(request.page_size()));
  page.page_token = request.page_token();
  PEDIGREE_ASSIGN_OR_RETURN(const storage::VersionPage versions,
                            store_.ListVersions(*model, page));
  v1::ListVersionsResponse out;
  for (const storage::VersionEntry& version : versions.versions) {
    *out.add_versions() = VersionToProto(version);
  }
  out.set_next_page_token(versions.next_page_token);
  return out;
}

absl::StatusOr<v1::SearchRecordsResponse> RegistryService::SearchRecordsImpl(
    const v1::SearchRecordsRequest& request) {
  storage::SearchFilter filter;
  if (!request.namespace_name().empty()) {
    PEDIGREE_RETURN_IF_ERROR(
        InField("namespace_name",
                rec::ValidateModelNamespace(request.namespace_name())));
    filter.namespace_name = request.namespace_name();
  }
  if (!request.name_prefix().empty()) {
    const std::string& prefix = request.name_prefix();
    if (prefix.size() > rec::kMaxModelNameLength ||
        !std::all_of(prefix.begin(), prefix.end(), IsNameCharacter)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "name_prefix: must be at most ", rec::kMaxModelNameLength,
          " characters from [A-Za-z0-9._-]"));
    }
    filter.name_prefix = prefix;
  }
  if (!request.license().empty()) {
    PEDIGREE_ASSIGN_OR_RETURN(filter.license_id,
                              CanonicalLicenseId(request.license()));
  }
  if (!request.declared_openness().empty()) {
    absl::StatusOr<rec::OpennessClaim> claim =
        rec::ParseOpennessClaim(request.declared_openness());
    if (!claim.ok()) return InField("declared_openness", claim.status());
    filter.declared_openness = *claim;
  }
  if (!request.dataset_name().empty()) {
    if (request.dataset_name().size() > rec::kMaxTextLength) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dataset_name: longer than ", rec::kMaxTextLength, " bytes"));
    }
    filter.dataset_name = request.dataset_name();
  }
  if (!request.relation().empty()) {
    if (request.parent_ref().empty()) {
      return absl::InvalidArgumentError(
          "relation: only allowed together with parent_ref");
    }
    absl::StatusOr<rec::Relation> relation =
        rec::ParseRelation(request.relation());
    if (!relation.ok()) return InField("relation", relation.status());
    filter.relation = *relation;
  }
  storage::PageRequest page;
  PEDIGREE_ASSIGN_OR_RETURN(page.page_size, ClampPageSize(request.page_size()));
  page.page_token = request.page_token();
  if (!request.parent_ref().empty()) {
    absl::StatusOr<rec::ModelRef> parent =
        rec::ParseModelRef(request.parent_ref());
    if (!parent.ok()) return InField("parent_ref", parent.status());
    absl::StatusOr<storage::StoredRecord> stored =
        store_.GetRecordByRef(*parent);
    if (absl::IsNotFound(stored.status())) {
      return absl::NotFoundError(absl::StrCat(
          "parent_ref: no record ", request.parent_ref(), " is stored"));
    }
    if (!stored.ok()) return stored.status();
    filter.parent_record_id = stored->id;
  }

  PEDIGREE_ASSIGN_OR_RETURN(const storage::RecordPage records,
                            store_.SearchRecords(filter, page));
  v1::SearchRecordsResponse out;
  for (const storage::StoredRecord& record : records.records) {
    *out.add_records() = SummaryToProto(record);
  }
  out.set_next_page_token(records.next_page_token);
  return out;
}

// ------------------------------------------------------------- verification

absl::StatusOr<v1::VerifyArtifactsResponse>
RegistryService::VerifyArtifactsImpl(
    const v1::VerifyArtifactsRequest& request) {
  if (static_cast<size_t>(request.files_size()) >
      options_.max_files_per_record) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "files: ", request.files_size(), " files exceeds the server limit of ",
        options_.max_files_per_record));
  }
  FileDigests local;
  std::vector<std::string> raw_digests;
  for (int i = 0; i < request.files_size(); ++i) {
    const v1::FileDigest& file = request.files(i);
    const std::string field = absl::StrCat("files[", i, "]");
    PEDIGREE_RETURN_IF_ERROR(
        InField(absl::StrCat(field, ".path"),
                core::manifest::ValidateEntryName(file.path())));
    PEDIGREE_ASSIGN_OR_RETURN(
        std::string raw,
        RawDigestFromHex(absl::StrCat(field, ".sha256"), file.sha256()));
    if (!local.emplace(file.path(), file.sha256()).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".path: \"",
                                                     absl::CEscape(file.path()),
                                                     "\" is listed twice"));
    }
    raw_digests.push_back(std::move(raw));
  }
  std::string root_digest;
  if (!request.root_digest().empty()) {
    if (!local.empty()) {
      return absl::InvalidArgumentError(
          "root_digest: give either files or a root_digest, not both");
    }
    PEDIGREE_ASSIGN_OR_RETURN(
        root_digest, RawDigestFromHex("root_digest", request.root_digest()));
  }
  if (local.empty() && root_digest.empty()) {
    return absl::InvalidArgumentError(
        "files: at least one file or a root_digest is required");
  }

  // With local files, each candidate comes with its signed files.
  std::shared_ptr<const VerifyCandidates> found;
  if (!request.ref().empty()) {
    absl::StatusOr<rec::ModelRef> ref = rec::ParseModelRef(request.ref());
    if (!ref.ok()) return InField("ref", ref.status());
    std::vector<storage::StoredRecord> by_ref(1);
    PEDIGREE_ASSIGN_OR_RETURN(by_ref[0], store_.GetRecordByRef(*ref));
    if (local.empty()) {  // a root digest: compared with the row's
      found = std::make_shared<const VerifyCandidates>(
          VerifyCandidates{std::move(by_ref), {}});
    } else {
      PEDIGREE_ASSIGN_OR_RETURN(VerifyCandidates candidates,
                                WithSignedFiles(std::move(by_ref)));
      found = std::make_shared<const VerifyCandidates>(std::move(candidates));
    }
  } else if (!raw_digests.empty()) {
    std::sort(raw_digests.begin(), raw_digests.end());
    raw_digests.erase(std::unique(raw_digests.begin(), raw_digests.end()),
                      raw_digests.end());
    PEDIGREE_ASSIGN_OR_RETURN(found, FindRecordsByArtifacts(raw_digests));
  } else {
    PEDIGREE_ASSIGN_OR_RETURN(std::vector<storage::StoredRecord> by_root,
                              store_.FindRecordsByRootDigest(
                                  root_digest, options_.max_verify_candidates));
    found = std::make_shared<const VerifyCandidates>(
        VerifyCandidates{std::move(by_root), {}});
  }
  const std::vector<storage::StoredRecord>& candidates = found->records;

  struct Scored {
    v1::RecordMatch match;
    int matched = 0;
  };
  std::vector<Scored> scored;
  std::vector<std::string> signer_ids;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const storage::StoredRecord& candidate = candidates[i];
    Scored entry;
    *entry.match.mutable_record() = SummaryToProto(candidate);
    entry.match.set_envelope(candidate.envelope);
    if (!local.empty()) {
      bool all_match = false;
      for (v1::FileResult& result : CompareFiles(found->files.at(i), local,
                                                 &all_match, &entry.matched)) {
        *entry.match.add_files() = std::move(result);
      }
      entry.match.set_all_match(all_match);
    } else {
      entry.match.set_all_match(candidate.root_digest == root_digest);
    }
    for (const std::string& key_id : candidate.signer_key_ids) {
      if (std::find(signer_ids.begin(), signer_ids.end(), key_id) ==
          signer_ids.end()) {
        signer_ids.push_back(key_id);
      }
    }
    scored.push_back(std::move(entry));
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) {
                     if (a.match.all_match() != b.match.all_match()) {
                       return a.match.all_match();
                     }
                     return a.matched > b.matched;
                   });

  std::vector<const storage::StoredRecord*> sources;
  sources.reserve(candidates.size());
  for (const storage::StoredRecord& candidate : candidates) {
    sources.push_back(&candidate);
  }
  PEDIGREE_ASSIGN_OR_RETURN(const std::vector<v1::Key> signers,
                            SignerKeys(signer_ids, sources));
  absl::flat_hash_map<std::string, const v1::Key*> signer_by_id;
  for (const v1::Key& key : signers) signer_by_id[key.key_id()] = &key;
  v1::VerifyArtifactsResponse out;
  for (Scored& entry : scored) {
    for (const std::string& key_id : entry.match.record().signer_key_ids()) {
      const auto signer = signer_by_id.find(key_id);
      if (signer == signer_by_id.end()) {
        return absl::InternalError(
            absl::StrCat("signer key ", key_id, " was not looked up"));
      }
      *entry.match.add_signers() = *signer->second;
    }
    *out.add_matches() = std::move(entry.match);
  }
  return out;
}

// ------------------------------------------------------------------ lineage

absl::StatusOr<v1::GetLineageResponse> RegistryService::GetLineageImpl(
    const v1::GetLineageRequest& request) {
  absl::StatusOr<rec::ModelRef> ref = rec::ParseModelRef(request.ref());
  if (!ref.ok()) return InField("ref", ref.status());
  storage::LineageQuery query;
  PEDIGREE_ASSIGN_OR_RETURN(query.direction,
                            LineageDirectionFromProto(request.direction()));
  if (request.max_depth() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_depth: must not be negative, got ", request.max_depth()));
  }
  query.max_depth = request.max_depth() == 0
                        ? kDefaultLineageDepth
                        : std::min(request.max_depth(), kMaxLineageDepth);
  for (int i = 0; i < request.relations_size(); ++i) {
    absl::StatusOr<rec::Relation> relation =
        rec::ParseRelation(request.relations(i));
    if (!relation.ok()) {
      return InField(absl::StrCat("relations[", i, "]"), relation.status());
    }
    query.relations.push_back(*relation);
  }
  PEDIGREE_ASSIGN_OR_RETURN(const storage::StoredRecord start,
                            store_.GetRecordByRef(*ref));
  query.start_record_id = start.id;
  PEDIGREE_ASSIGN_OR_RETURN(const storage::LineageGraph graph,
                            store_.GetLineage(query));

  std::vector<int64_t> ids;
  for (const storage::LineageNodeRow& node : graph.nodes) {
    ids.push_back(node.record.id);
  }
  PEDIGREE_ASSIGN_OR_RETURN(const auto judgments, store_.GetJudgments(ids));

  v1::GetLineageResponse out;
  absl::flat_hash_map<int64_t, std::string> digests;
  for (const storage::LineageNodeRow& node : graph.nodes) {
    digests[node.record.id] = core::HexEncode(node.record.record_digest);
    v1::LineageNode* entry = out.add_nodes();
    *entry->mutable_record() = SummaryToProto(node.record);
    if (const auto found = judgments.find(node.record.id);
        found != judgments.end()) {
      *entry->mutable_judgment() = JudgmentToProto(found->second);
    }
    if (node.distance > 0) {
      entry->set_side(v1::LINEAGE_SIDE_ANCESTOR);
    } else if (node.distance < 0) {
      entry->set_side(v1::LINEAGE_SIDE_DESCENDANT);
    } else {
      entry->set_side(v1::LINEAGE_SIDE_START);
    }
    entry->set_distance(node.distance < 0 ? -node.distance : node.distance);
  }
  for (const storage::LineageEdgeRow& edge : graph.edges) {
    const auto child = digests.find(edge.child_record_id);
    const auto parent = digests.find(edge.parent_record_id);
    if (child == digests.end() || parent == digests.end()) {
      return absl::InternalError(absl::StrCat(
          "lineage edge ", edge.child_record_id, " -> ", edge.parent_record_id,
          " names a record outside the returned nodes"));
    }
    v1::LineageEdge* entry = out.add_edges();
    entry->set_child_record_digest(child->second);
    entry->set_parent_record_digest(parent->second);
    entry->set_relation(std::string(rec::ToString(edge.relation)));
  }
  return out;
}

absl::StatusOr<v1::ListDatasetUsersResponse>
RegistryService::ListDatasetUsersImpl(
    const v1::ListDatasetUsersRequest& request) {
  storage::DatasetQuery query;
  switch (request.dataset_case()) {
    case v1::ListDatasetUsersRequest::kName:
      if (request.name().empty() ||
          request.name().size() > rec::kMaxTextLength) {
        return absl::InvalidArgumentError(
            absl::StrCat("name: must be 1 to ", rec::kMaxTextLength, " bytes"));
      }
      query.name = request.name();
      break;
    case v1::ListDatasetUsersRequest::kSha256: {
      PEDIGREE_ASSIGN_OR_RETURN(query.sha256,
                                RawDigestFromHex("sha256", request.sha256()));
      break;
    }
    default:
      return absl::InvalidArgumentError(
          "dataset: one of name or sha256 is required");
  }
  query.downstream = request.downstream();
  storage::PageRequest page;
  PEDIGREE_ASSIGN_OR_RETURN(page.page_size, ClampPageSize(request.page_size()));
  page.page_token = request.page_token();
  PEDIGREE_ASSIGN_OR_RETURN(const storage::DatasetUserPage users,
                            store_.ListDatasetUsers(query, page));
  v1::ListDatasetUsersResponse out;
  for (const storage::DatasetUserRow& user : users.users) {
    v1::DatasetUser* entry = out.add_users();
    *entry->mutable_record() = SummaryToProto(user.record);
    for (const storage::DatasetUseRow& use : user.uses) {
      v1::DatasetUse* declared = entry->add_uses();
      declared->set_name(use.name);
      declared->set_role(use.role);
      declared->set_disclosure(use.disclosure);
    }
    entry->set_distance(user.distance);
    if (user.distance > 0) {
      entry->set_via_record_digest(core::HexEncode(user.via_record_digest));
      entry->set_via_ref(rec::ToString(user.via_ref));
    }
  }
  out.set_next_page_token(users.next_page_token);
  return out;
}

absl::StatusOr<RegistryService::VerifyCandidates>
RegistryService::WithSignedFiles(std::vector<storage::StoredRecord> records) {
  VerifyCandidates out;
  out.files.reserve(records.size());
  for (const storage::StoredRecord& stored : records) {
    PEDIGREE_ASSIGN_OR_RETURN(const std::shared_ptr<const rec::Record> record,
                              StoredRecordContent(stored));
    FileDigests& files = out.files.emplace_back();
    for (const rec::ArtifactFile& file : record->artifacts.files) {
      files[file.name] = core::HexEncode(file.sha256);
    }
  }
  out.records = std::move(records);
  return out;
}

absl::StatusOr<std::shared_ptr<const RegistryService::VerifyCandidates>>
RegistryService::FindRecordsByArtifacts(
    const std::vector<std::string>& raw_digests) {
  const auto read = [&]() -> absl::StatusOr<VerifyCandidates> {
    PEDIGREE_ASSIGN_OR_RETURN(std::vector<storage::StoredRecord> records,
                              store_.FindRecordsByArtifacts(
                                  raw_digests, options_.max_verify_candidates));
    return WithSignedFiles(std::move(records));
  };
  const std::optional<uint64_t> generation =
      options_.change_feed == nullptr ? std::nullopt
                                      : options_.change_feed->Generation();
  if (!generation.has_value()) {
    PEDIGREE_ASSIGN_OR_RETURN(VerifyCandidates candidates, read());
    return std::make_shared<const VerifyCandidates>(std::move(candidates));
  }
  std::string key =
      absl::StrCat(*generation, ":", options_.max_verify_candidates, ":");
  for (const std::string& digest : raw_digests) key += digest;
  if (std::shared_ptr<const VerifyCandidates> hit = verify_lookups_.Find(key)) {
    return hit;
  }
  PEDIGREE_ASSIGN_OR_RETURN(VerifyCandidates candidates, read());
  // Kept only if nothing changed while it was read: it then describes the
  // data of `generation`.
  if (options_.change_feed->Generation() == generation) {
    size_t cost = key.size();
    for (size_t i = 0; i < candidates.records.size(); ++i) {
      cost += CandidateCost(candidates.records[i], candidates.files[i]);
    }
    return verify_lookups_.Insert(key, std::move(candidates), cost);
  }
  return std::make_shared<const VerifyCandidates>(std::move(candidates));
}

// ---------------------------------------------------------- the log

absl::StatusOr<v1::GetCheckpointResponse> RegistryService::GetCheckpointImpl(
    const v1::GetCheckpointRequest& /*request*/) {
  PEDIGREE_ASSIGN_OR_RETURN(const storage::LogCheckpointRow checkpoint,
                            store_.GetLatestCheckpoint());
  v1::GetCheckpointResponse out;
  PEDIGREE_ASSIGN_OR_RETURN(*out.mutable_checkpoint(),
                            CheckpointToProto(checkpoint, options_.log_origin));
  out.set_log_verifier_key(options_.log_verifier_key);
  return out;
}

// Returns the checkpoint of `tree_size` if one was signed at that size, the
// newest one when `tree_size` is 0; `resolved_size` is the size asked for.
absl::StatusOr<std::optional<storage::LogCheckpointRow>>
RegistryService::CheckpointFor(uint64_t tree_size, uint64_t* resolved_size) {
  if (tree_size == 0) {
    PEDIGREE_ASSIGN_OR_RETURN(storage::LogCheckpointRow latest,
                              store_.GetLatestCheckpoint());
    *resolved_size = latest.tree_size;
    return std::optional<storage::LogCheckpointRow>(std::move(latest));
  }
  *resolved_size = tree_size;
  absl::StatusOr<storage::LogCheckpointRow> at =
      store_.GetCheckpoint(tree_size);
  if (at.status().code() == absl::StatusCode::kNotFound) {
    return std::optional<storage::LogCheckpointRow>();
  }
  PEDIGREE_RETURN_IF_ERROR(at.status());
  return std::optional<storage::LogCheckpointRow>(*std::move(at));
}

absl::StatusOr<v1::GetInclusionProofResponse>
RegistryService::GetInclusionProofImpl(
    const v1::GetInclusionProofRequest& request) {
  uint64_t log_index = 0;
  switch (request.entry_case()) {
    case v1::GetInclusionProofRequest::kLogIndex:
      log_index = request.log_index();
      break;
    case v1::GetInclusionProofRequest::kRecordDigest: {
      absl::StatusOr<std::string> digest =
          core::HexDecode(request.record_digest());
      if (!digest.ok() || digest->size() != 32) {
        return absl::InvalidArgumentError(
            "record_digest: must be 64 lowercase hex characters");
      }
      PEDIGREE_ASSIGN_OR_RETURN(const storage::StoredRecord record,
                                store_.GetRecordByDigest(*digest));
      if (!record.log_index.has_value()) {
        return absl::DataLossError(absl::StrCat(
            "record ", request.record_digest(), " has no log entry"));
      }
      log_index = *record.log_index;
      break;
    }
    default:
      return absl::InvalidArgumentError(
          "entry: one of log_index or record_digest is required");
  }
  uint64_t tree_size = 0;
  PEDIGREE_ASSIGN_OR_RETURN(
      const std::optional<storage::LogCheckpointRow> checkpoint,
      CheckpointFor(request.tree_size(), &tree_size));
  PEDIGREE_ASSIGN_OR_RETURN(const storage::InclusionProofRow proof,
                            store_.GetInclusionProof(log_index, tree_size));
  v1::GetInclusionProofResponse out;
  *out.mutable_proof() = InclusionProofToProto(proof);
  out.set_leaf_hash(core::HexEncode(proof.leaf_hash));
  if (checkpoint.has_value()) {
    PEDIGREE_ASSIGN_OR_RETURN(
        *out.mutable_checkpoint(),
        CheckpointToProto(*checkpoint, options_.log_origin));
  }
  return out;
}

absl::StatusOr<v1::GetConsistencyProofResponse>
RegistryService::GetConsistencyProofImpl(
    const v1::GetConsistencyProofRequest& request) {
  uint64_t new_size = 0;
  PEDIGREE_ASSIGN_OR_RETURN(
      const std::optional<storage::LogCheckpointRow> checkpoint,
      CheckpointFor(request.new_size(), &new_size));
  PEDIGREE_ASSIGN_OR_RETURN(
      const std::vector<std::string> hashes,
      store_.GetConsistencyProof(request.old_size(), new_size));
  v1::GetConsistencyProofResponse out;
  out.set_old_size(request.old_size());
  out.set_new_size(new_size);
  for (const std::string& hash : hashes) {
    out.add_hashes(core::HexEncode(hash));
  }
  if (checkpoint.has_value()) {
    PEDIGREE_ASSIGN_OR_RETURN(
        *out.mutable_checkpoint(),
        CheckpointToProto(*checkpoint, options_.log_origin));
  }
  return out;
}

absl::StatusOr<v1::GetLogEntriesResponse> RegistryService::GetLogEntriesImpl(
    const v1::GetLogEntriesRequest& request) {
  if (request.count() > kMaxLogEntriesPerCall) {
    return absl::InvalidArgumentError(absl::StrCat(
        "count: at most ", kMaxLogEntriesPerCall, ", got ", request.count()));
  }
  const int count = request.count() == 0 ? kMaxLogEntriesPerCall
                                         : static_cast<int>(request.count());
  PEDIGREE_ASSIGN_OR_RETURN(const std::vector<storage::LogEntryRow> entries,
                            store_.GetLogEntries(request.start(), count));
  // Read second, so that the entries never reach beyond it.
  PEDIGREE_ASSIGN_OR_RETURN(const storage::LogCheckpointRow latest,
                            store_.GetLatestCheckpoint());
  v1::GetLogEntriesResponse out;
  for (const storage::LogEntryRow& entry : entries) {
    v1::LogEntry* added = out.add_entries();
    added->set_log_index(entry.log_index);
    added->set_data(entry.data);
  }
  out.set_tree_size(latest.tree_size);
  return out;
}

}  // namespace pedigree::server::service
