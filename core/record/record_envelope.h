#ifndef PEDIGREE_CORE_RECORD_RECORD_ENVELOPE_H_
#define PEDIGREE_CORE_RECORD_RECORD_ENVELOPE_H_

// Records in DSSE envelopes: signing a record's canonical statement, reading
// a record back out of an envelope, and the record digest that identifies a
// signed record.
//
//   PEDIGREE_ASSIGN_OR_RETURN(dsse::Envelope envelope,
//                             SignRecord(record, {&private_key}));
//   ...
//   // Receiver: verify first, then read.
//   PEDIGREE_RETURN_IF_ERROR(
//       dsse::VerifyEnvelope(envelope, {&trusted_key}).status());
//   PEDIGREE_ASSIGN_OR_RETURN(Record record, RecordFromEnvelope(envelope));
//   PEDIGREE_ASSIGN_OR_RETURN(std::string digest, RecordDigest(envelope));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/crypto/signer.h"
#include "core/dsse/envelope.h"
#include "core/record/record.h"

namespace pedigree::core::record {

// The DSSE payloadType of an in-toto statement.
inline constexpr char kPayloadType[] = "application/vnd.in-toto+json";

// Returns a DSSE envelope whose payload is SerializeStatement(record) (the
// canonical bytes), signed by each of `signers` in order. Returns the
// ValidateRecord error (InvalidArgument) if `record` is invalid, otherwise the
// errors of dsse::SignEnvelope. The signers are only used during the call.
absl::StatusOr<dsse::Envelope> SignRecord(
    const Record& record, const std::vector<const crypto::Signer*>& signers);

// Returns the record in `envelope`, parsed with ParseStatement from the
// verbatim payload bytes (canonical or not). Returns InvalidArgument if the
// payloadType is not kPayloadType, and the ParseStatement error otherwise.
//
// Does NOT verify signatures: the caller must call dsse::VerifyEnvelope with
// its trusted keys first and refuse the envelope if that fails.
absl::StatusOr<Record> RecordFromEnvelope(const dsse::Envelope& envelope);

// Returns the record digest: lowercase hex SHA-256 of the verbatim statement
// bytes `payload` (the DSSE payload, not its base64 and not the envelope).
// Returns Internal if SHA-256 fails.
absl::StatusOr<std::string> RecordDigest(absl::string_view payload);

// Returns RecordDigest(envelope.payload).
absl::StatusOr<std::string> RecordDigest(const dsse::Envelope& envelope);

}  // namespace pedigree::core::record

#endif  // PEDIGREE_CORE_RECORD_RECORD_ENVELOPE_H_
