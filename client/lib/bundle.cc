#include "client/lib/bundle.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/dsse/envelope.h"
#include "core/encoding/base64.h"
#include "core/encoding/hex.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::client {
namespace {

using Json = nlohmann::json;

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("bundle field \"", field, "\" ", problem));
}

absl::StatusOr<std::string> RequiredString(const Json& json,
                                           absl::string_view field) {
  const auto it = json.find(std::string(field));
  if (it == json.end()) return FieldError(field, "is missing");
  if (!it->is_string()) return FieldError(field, "is not a string");
  return it->get<std::string>();
}

absl::StatusOr<uint64_t> RequiredUint(const Json& json,
                                      absl::string_view field) {
  const auto it = json.find(std::string(field));
  if (it == json.end()) return FieldError(field, "is missing");
  if (!it->is_number_unsigned()) {
    return FieldError(field, "is not a non-negative integer");
  }
  return it->get<uint64_t>();
}

absl::StatusOr<std::vector<std::string>> StringArray(const Json& json,
                                                     absl::string_view field,
                                                     bool required) {
  std::vector<std::string> values;
  const auto it = json.find(std::string(field));
  if (it == json.end()) {
    if (required) return FieldError(field, "is missing");
    return values;
  }
  if (!it->is_array()) return FieldError(field, "is not an array");
  for (const Json& value : *it) {
    if (!value.is_string()) {
      return FieldError(field, "holds an element that is not a string");
    }
    values.push_back(value.get<std::string>());
  }
  return values;
}

// Returns the namespace the (not yet authenticated) envelope claims, or "".
std::string ClaimedNamespace(absl::string_view envelope_json) {
  absl::StatusOr<core::dsse::Envelope> envelope =
      core::dsse::ParseEnvelope(envelope_json);
  if (!envelope.ok()) return "";
  absl::StatusOr<core::record::Record> record =
      core::record::RecordFromEnvelope(*envelope);
  if (!record.ok()) return "";
  return record->model.ref.namespace_name;
}

}  // namespace

std::string SerializeBundle(const Bundle& bundle) {
  Json hashes = Json::array();
  for (const std::string& hash : bundle.proof.hashes) {
    hashes.push_back(core::HexEncode(hash));
  }
  Json keys = Json::array();
  for (const std::string& pem : bundle.signer_public_keys) keys.push_back(pem);
  Json json = {{"media_type", kBundleMediaType},
               {"ref", bundle.ref},
               {"record_digest", bundle.record_digest},
               {"envelope", core::Base64Encode(bundle.envelope)},
               {"signer_public_keys", std::move(keys)},
               {"log_index", bundle.proof.log_index},
               {"tree_size", bundle.proof.tree_size},
               {"inclusion_proof", std::move(hashes)},
               {"checkpoint", bundle.checkpoint}};
  return absl::StrCat(
      json.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace),
      "\n");
}

absl::StatusOr<Bundle> ParseBundle(absl::string_view text) {
  if (text.size() > kMaxBundleSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("bundle is larger than ", kMaxBundleSize, " bytes"));
  }
  const Json json = Json::parse(text.begin(), text.end(), nullptr,
                                /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("bundle is not a JSON object");
  }
  for (auto it = json.begin(); it != json.end(); ++it) {
    static constexpr const char* kFields[] = {
        "media_type",         "ref",       "record_digest", "envelope",
        "signer_public_keys", "log_index", "tree_size",     "inclusion_proof",
        "checkpoint"};
    bool known = false;
    for (const char* field : kFields) known = known || it.key() == field;
    if (!known) return FieldError(it.key(), "is unknown");
  }
  PEDIGREE_ASSIGN_OR_RETURN(const std::string media_type,
                            RequiredString(json, "media_type"));
  if (media_type != kBundleMediaType) {
    return FieldError("media_type", absl::StrCat("is \"", media_type,
                                                 "\", not ", kBundleMediaType));
  }
  Bundle bundle;
  if (json.find("ref") != json.end()) {
    PEDIGREE_ASSIGN_OR_RETURN(bundle.ref, RequiredString(json, "ref"));
  }
  if (json.find("record_digest") != json.end()) {
    PEDIGREE_ASSIGN_OR_RETURN(bundle.record_digest,
                              RequiredString(json, "record_digest"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(const std::string envelope,
                            RequiredString(json, "envelope"));
  absl::StatusOr<std::string> decoded = core::Base64Decode(envelope);
  if (!decoded.ok()) {
    return FieldError("envelope", decoded.status().message());
  }
  if (decoded->empty()) return FieldError("envelope", "is empty");
  bundle.envelope = *std::move(decoded);
  PEDIGREE_ASSIGN_OR_RETURN(
      bundle.signer_public_keys,
      StringArray(json, "signer_public_keys", /*required=*/false));
  PEDIGREE_ASSIGN_OR_RETURN(bundle.proof.log_index,
                            RequiredUint(json, "log_index"));
  PEDIGREE_ASSIGN_OR_RETURN(bundle.proof.tree_size,
                            RequiredUint(json, "tree_size"));
  PEDIGREE_ASSIGN_OR_RETURN(
      const std::vector<std::string> hashes,
      StringArray(json, "inclusion_proof", /*required=*/true));
  absl::StatusOr<std::vector<std::string>> raw = DecodeHexHashes(hashes);
  if (!raw.ok()) return FieldError("inclusion_proof", raw.status().message());
  bundle.proof.hashes = *std::move(raw);
  PEDIGREE_ASSIGN_OR_RETURN(bundle.checkpoint,
                            RequiredString(json, "checkpoint"));
  return bundle;
}

absl::StatusOr<BundleVerification> VerifyBundle(
    const Bundle& bundle, const core::manifest::Manifest& local,
    const std::vector<core::crypto::PublicKey>& trusted_keys,
    const LogVerifier& log,
    const std::optional<core::record::ModelRef>& expected_ref) {
  BundleVerification result;

  // The trusted keys carry no namespace offline: the user vouches for them
  // for this record, so each is bound to the namespace the record names
  // (authenticated by the signature check that follows).
  RegistryAnswer answer;
  answer.envelope = bundle.envelope;
  const std::string claimed_namespace = ClaimedNamespace(bundle.envelope);
  for (const core::crypto::PublicKey& key : trusted_keys) {
    answer.signers.push_back(
        SignerKey{key.key_id(), claimed_namespace, key.ToPem(), true});
  }
  PEDIGREE_ASSIGN_OR_RETURN(result.verification,
                            VerifyAgainstRecord(local, answer, expected_ref));
  std::vector<std::string>& problems = result.verification.problems;

  absl::StatusOr<VerifiedCheckpoint> checkpoint =
      log.OpenCheckpoint(bundle.checkpoint);
  if (!checkpoint.ok()) {
    if (checkpoint.status().code() == absl::StatusCode::kInternal) {
      return checkpoint.status();
    }
    problems.push_back(
        absl::StrCat("LOG CHECKPOINT ", checkpoint.status().message()));
  } else {
    result.checkpoint = *checkpoint;
    const absl::Status included =
        log.VerifyRecordInclusion(*checkpoint, bundle.proof, bundle.envelope);
    if (included.code() == absl::StatusCode::kInternal) return included;
    if (!included.ok()) {
      problems.push_back(absl::StrCat("LOG INCLUSION ", included.message()));
    } else {
      result.log_verified = true;
      result.log_index = bundle.proof.log_index;
    }
  }
  result.verification.verified = problems.empty();
  return result;
}

}  // namespace pedigree::client
