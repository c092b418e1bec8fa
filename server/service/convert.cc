#include "server/service/convert.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/crypto/keys.h"
#include "core/encoding/hex.h"
#include "core/record/model_ref.h"

namespace pedigree::server::service {
namespace {

namespace rec = ::pedigree::core::record;

void FillArtifact(const rec::ArtifactFile& file, v1::ArtifactFile* out) {
  out->set_name(file.name);
  out->set_sha256(core::HexEncode(file.sha256));
  out->set_size(file.size);
  if (file.shard.has_value()) {
    out->set_shard_start(file.shard->start);
    out->set_shard_end(file.shard->end);
  }
  if (file.format.has_value()) {
    out->set_format(std::string(rec::ToString(*file.format)));
  }
  if (file.dtype.has_value()) out->set_dtype(*file.dtype);
  if (file.quantization.has_value()) {
    out->set_quantization_method(file.quantization->method);
    out->set_quantization_bits(file.quantization->bits);
  }
}

void FillDataset(const rec::Dataset& dataset, v1::Dataset* out) {
  out->set_name(dataset.name);
  if (dataset.uri.has_value()) out->set_uri(*dataset.uri);
  out->set_role(std::string(rec::ToString(dataset.role)));
  out->set_disclosure(std::string(rec::ToString(dataset.disclosure)));
  if (dataset.license.has_value()) out->set_license(*dataset.license);
  if (dataset.sha256.has_value()) {
    out->set_sha256(core::HexEncode(*dataset.sha256));
  }
  out->set_synthetic(dataset.synthetic);
  if (dataset.generated_by.has_value()) {
    out->set_generated_by(rec::ToString(*dataset.generated_by));
  }
}

void FillParent(const rec::LineageEdge& edge, v1::Parent* out) {
  out->set_ref(rec::ToString(edge.ref));
  out->set_relation(std::string(rec::ToString(edge.relation)));
  if (edge.detail.method.has_value()) out->set_method(*edge.detail.method);
  if (edge.detail.bits.has_value()) out->set_bits(*edge.detail.bits);
  if (edge.detail.lora_rank.has_value()) {
    out->set_lora_rank(*edge.detail.lora_rank);
  }
  if (edge.detail.merge_weight_permille.has_value()) {
    out->set_merge_weight_permille(*edge.detail.merge_weight_permille);
  }
}

}  // namespace

google::protobuf::Timestamp TimeToProto(absl::Time time) {
  google::protobuf::Timestamp out;
  const int64_t seconds = absl::ToUnixSeconds(time);
  // ToUnixSeconds rounds toward negative infinity, so the remainder is in
  // [0, 1s) as Timestamp requires.
  const absl::Duration rest = time - absl::FromUnixSeconds(seconds);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(rest)));
  return out;
}

absl::StatusOr<v1::Key> KeyToProto(const storage::KeyRow& key) {
  absl::StatusOr<core::crypto::PublicKey> public_key =
      core::crypto::PublicKey::FromSpkiDer(key.spki_der);
  if (!public_key.ok()) {
    return absl::DataLossError(
        absl::StrCat("stored key ", key.key_id,
                     " does not parse: ", public_key.status().message()));
  }
  v1::Key out;
  out.set_key_id(key.key_id);
  out.set_namespace_name(key.namespace_name);
  out.set_key_type(std::string(core::crypto::FormatKeyType(key.type)));
  out.set_public_key_pem(public_key->ToPem());
  out.set_status(key.status == storage::KeyStatus::kActive
                     ? v1::KEY_STATUS_ACTIVE
                     : v1::KEY_STATUS_REVOKED);
  *out.mutable_added_at() = TimeToProto(key.added_at);
  if (key.revoked_at.has_value()) {
    *out.mutable_revoked_at() = TimeToProto(*key.revoked_at);
  }
  if (key.log_index.has_value()) out.set_log_index(*key.log_index);
  return out;
}

v1::RecordSummary SummaryToProto(const storage::StoredRecord& record) {
  v1::RecordSummary out;
  out.set_record_digest(core::HexEncode(record.record_digest));
  out.set_ref(rec::ToString(record.ref));
  out.set_namespace_name(record.ref.namespace_name);
  out.set_model_name(record.ref.name);
  out.set_version(record.ref.version);
  out.set_root_digest(core::HexEncode(record.root_digest));
  *out.mutable_published_at() = TimeToProto(record.published_at);
  out.set_release_date(record.release_date);
  out.set_weights_license(record.weights_license);
  out.set_code_license(record.code_license);
  out.set_declared_openness(record.declared_openness);
  for (const std::string& key_id : record.signer_key_ids) {
    out.add_signer_key_ids(key_id);
  }
  if (record.log_index.has_value()) out.set_log_index(*record.log_index);
  return out;
}

v1::VersionEntry VersionToProto(const storage::VersionEntry& version) {
  v1::VersionEntry out;
  out.set_version(version.version);
  out.set_record_digest(core::HexEncode(version.record_digest));
  *out.mutable_published_at() = TimeToProto(version.published_at);
  out.set_release_date(version.release_date);
  return out;
}

v1::Record RecordToProto(const rec::Record& record) {
  v1::Record out;
  out.set_namespace_name(record.model.ref.namespace_name);
  out.set_model_name(record.model.ref.name);
  out.set_version(record.model.ref.version);
  out.set_description(record.model.description);
  out.set_release_date(record.model.release_date);
  out.set_publisher_organization(record.model.publisher.organization);
  if (record.model.publisher.jurisdiction.has_value()) {
    out.set_publisher_jurisdiction(*record.model.publisher.jurisdiction);
  }
  for (const rec::ArtifactFile& file : record.artifacts.files) {
    FillArtifact(file, out.add_files());
  }
  out.set_root_digest(core::HexEncode(record.artifacts.root_digest));
  out.set_weights_license(record.licenses.weights);
  out.set_code_license(record.licenses.code);
  for (const rec::LicenseRefDeclaration& ref : record.license_refs) {
    v1::LicenseRefDeclaration* decl = out.add_license_refs();
    decl->set_id(ref.id);
    decl->set_name(ref.name);
    decl->set_url(ref.url);
  }
  out.set_openness_claim(std::string(rec::ToString(record.openness.claim)));
  for (const rec::OpennessComponent& component : record.openness.components) {
    v1::OpennessComponent* entry = out.add_openness_components();
    entry->set_component(std::string(rec::ToString(component.component)));
    entry->set_status(std::string(rec::ToString(component.status)));
    if (component.license.has_value()) entry->set_license(*component.license);
    if (component.location.has_value()) {
      entry->set_location(*component.location);
    }
  }
  for (const rec::Dataset& dataset : record.datasets) {
    FillDataset(dataset, out.add_datasets());
  }
  for (const rec::LineageEdge& edge : record.lineage) {
    FillParent(edge, out.add_parents());
  }
  return out;
}

absl::StatusOr<storage::LineageDirection> LineageDirectionFromProto(
    v1::LineageDirection direction) {
  switch (direction) {
    case v1::LINEAGE_DIRECTION_UNSPECIFIED:
    case v1::LINEAGE_DIRECTION_ANCESTORS:
      return storage::LineageDirection::kAncestors;
    case v1::LINEAGE_DIRECTION_DESCENDANTS:
      return storage::LineageDirection::kDescendants;
    case v1::LINEAGE_DIRECTION_BOTH:
      return storage::LineageDirection::kBoth;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("direction: unknown lineage direction ",
                       static_cast<int>(direction)));
  }
}

absl::StatusOr<v1::Checkpoint> CheckpointToProto(
    const storage::LogCheckpointRow& checkpoint, absl::string_view origin) {
  if (checkpoint.root_hash.size() != 32) {
    return absl::DataLossError(absl::StrCat("checkpoint of tree size ",
                                            checkpoint.tree_size,
                                            " has a malformed root hash"));
  }
  v1::Checkpoint out;
  out.set_note(checkpoint.note);
  out.set_origin(std::string(origin));
  out.set_tree_size(checkpoint.tree_size);
  out.set_root_hash(core::HexEncode(checkpoint.root_hash));
  return out;
}

v1::InclusionProof InclusionProofToProto(
    const storage::InclusionProofRow& proof) {
  v1::InclusionProof out;
  out.set_log_index(proof.log_index);
  out.set_tree_size(proof.tree_size);
  for (const std::string& hash : proof.hashes) {
    out.add_hashes(core::HexEncode(hash));
  }
  return out;
}

v1::Judgment JudgmentToProto(const core::judgment::Judgment& judgment) {
  v1::Judgment out;
  out.set_rule_set_version(judgment.rule_set_version);
  out.set_declared_weights_license(judgment.declared_weights_license);
  out.set_label(std::string(core::judgment::ToString(judgment.label)));
  out.set_mof_class(std::string(core::judgment::ToString(judgment.mof_class)));
  const auto add_reasons =
      [](const std::vector<core::judgment::Reason>& reasons,
         google::protobuf::RepeatedPtrField<v1::JudgmentReason>* to) {
        for (const core::judgment::Reason& reason : reasons) {
          v1::JudgmentReason* entry = to->Add();
          entry->set_rule(reason.rule);
          entry->set_message(reason.message);
        }
      };
  add_reasons(judgment.label_reasons, out.mutable_label_reasons());
  add_reasons(judgment.mof_reasons, out.mutable_mof_reasons());
  add_reasons(judgment.mof_warnings, out.mutable_mof_warnings());
  v1::Obligations* obligations = out.mutable_obligations();
  for (const core::judgment::BindingLicense& license :
       judgment.obligations.licenses) {
    v1::BindingLicense* entry = obligations->add_licenses();
    entry->set_license_id(license.license_id);
    entry->set_from_ref(license.from);
    entry->set_via(license.via);
    entry->set_traced_to_licensor(license.traced_to_licensor);
  }
  obligations->set_commercial_use(judgment.obligations.commercial_use);
  obligations->set_monthly_active_users_limit(
      judgment.obligations.monthly_active_users_limit.value_or(0));
  obligations->set_use_restrictions(judgment.obligations.use_restrictions);
  for (const std::string& text : judgment.obligations.attribution_texts) {
    obligations->add_attribution_texts(text);
  }
  for (const std::string& prefix : judgment.obligations.name_prefixes) {
    obligations->add_name_prefixes(prefix);
  }
  for (const core::judgment::Flag& flag : judgment.flags) {
    v1::JudgmentFlag* entry = out.add_flags();
    entry->set_kind(std::string(core::judgment::ToString(flag.kind)));
    entry->set_message(flag.message);
    entry->set_ancestor(flag.ancestor);
  }
  return out;
}

}  // namespace pedigree::server::service
