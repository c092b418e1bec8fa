#include "core/record/record_envelope.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/crypto/sha256.h"
#include "core/encoding/hex.h"
#include "core/record/statement.h"
#include "core/status_macros.h"

namespace pedigree::core::record {

absl::StatusOr<dsse::Envelope> SignRecord(
    const Record& record, const std::vector<const crypto::Signer*>& signers) {
  PEDIGREE_ASSIGN_OR_RETURN(std::string payload, SerializeStatement(record));
  return dsse::SignEnvelope(kPayloadType, payload, signers);
}

absl::StatusOr<Record> RecordFromEnvelope(const dsse::Envelope& envelope) {
  if (envelope.payload_type != kPayloadType) {
    return absl::InvalidArgumentError(
        absl::StrCat("payloadType: \"", absl::CHexEscape(envelope.payload_type),
                     "\" is not ", kPayloadType));
  }
  return ParseStatement(envelope.payload);
}

absl::StatusOr<std::string> RecordDigest(absl::string_view payload) {
  PEDIGREE_ASSIGN_OR_RETURN(std::string digest, crypto::Sha256Digest(payload));
  return HexEncode(digest);
}

absl::StatusOr<std::string> RecordDigest(const dsse::Envelope& envelope) {
  return RecordDigest(envelope.payload);
}

}  // namespace pedigree::core::record
