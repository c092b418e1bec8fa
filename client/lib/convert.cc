#include "client/lib/convert.h"

#include "absl/time/time.h"
#include "core/encoding/hex.h"

namespace pedigree::client {

v1::VerifyArtifactsRequest VerifyRequestFor(
    const core::manifest::Manifest& local, absl::string_view ref) {
  v1::VerifyArtifactsRequest request;
  request.set_ref(std::string(ref));
  for (const core::manifest::ManifestEntry& entry : local.entries()) {
    v1::FileDigest* file = request.add_files();
    file->set_path(entry.name);
    file->set_sha256(core::HexEncode(entry.digest));
  }
  return request;
}

RegistryAnswer AnswerFromProto(const v1::RecordMatch& match) {
  RegistryAnswer answer;
  answer.envelope = match.envelope();
  answer.registry_says_match = match.all_match();
  for (const v1::Key& key : match.signers()) {
    SignerKey signer;
    signer.key_id = key.key_id();
    signer.namespace_name = key.namespace_name();
    signer.public_key_pem = key.public_key_pem();
    signer.active = key.status() == v1::KEY_STATUS_ACTIVE;
    answer.signers.push_back(std::move(signer));
  }
  return answer;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(timestamp.seconds()),
                          absl::UTCTimeZone());
}

}  // namespace pedigree::client
