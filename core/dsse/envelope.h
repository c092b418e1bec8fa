#ifndef PEDIGREE_CORE_DSSE_ENVELOPE_H_
#define PEDIGREE_CORE_DSSE_ENVELOPE_H_

// DSSE v1 (Dead Simple Signing Envelope, secure-systems-lab/dsse): the
// pre-authentication encoding that is signed, the JSON envelope, and signing
// and verification with core/crypto Signers and Verifiers.
//
//   PEDIGREE_ASSIGN_OR_RETURN(Envelope envelope, ParseEnvelope(json_text));
//   PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> key_ids,
//                             VerifyEnvelope(envelope, {&trusted_key}));
//   // envelope.payload is now authenticated, as exactly these bytes.
//
// JSON form (what ParseEnvelope reads and SerializeEnvelope writes):
//
//   {"payloadType":"<string>","payload":"<base64>",
//    "signatures":[{"keyid":"<string>","sig":"<base64>"}, ...]}

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/crypto/signer.h"

namespace pedigree::core::dsse {

// Limits enforced by ParseEnvelope, SignEnvelope and VerifyEnvelope.
inline constexpr size_t kMaxSignatures = 16;
inline constexpr size_t kMaxEnvelopeJsonSize = 64 * 1024 * 1024;
inline constexpr size_t kMaxPayloadTypeSize = 1024;
inline constexpr size_t kMaxKeyIdSize = 1024;
inline constexpr size_t kMaxSignatureSize = 1024;  // raw bytes

struct Signature {
  std::string keyid;  // unauthenticated hint; may be empty
  std::string sig;    // raw signature bytes (not base64)
};

struct Envelope {
  std::string payload_type;
  std::string payload;  // raw bytes, exactly as signed (not base64)
  std::vector<Signature> signatures;
};

// Returns the DSSE v1 pre-authentication encoding, the bytes that are signed:
//   "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
// where LEN is the byte count in ASCII decimal with no leading zeros.
std::string PreAuthEncoding(absl::string_view payload_type,
                            absl::string_view payload);

// Returns the envelope in the JSON text `json`. Base64 fields may use the
// standard or the URL-safe alphabet, with padding (as DSSE allows). A
// signature's "keyid" may be absent or null (read as ""); unknown fields are
// ignored (DSSE allows extensions). Returns InvalidArgument, naming the field
// path (e.g. "signatures[1].sig: invalid base64 ..."), if `json` is larger
// than kMaxEnvelopeJsonSize, is not JSON or not an object, repeats a key in
// any object, lacks a required field, has a field of the wrong JSON type, bad
// base64, an empty or oversized "sig", no signatures or more than
// kMaxSignatures, or an oversized payloadType or keyid.
absl::StatusOr<Envelope> ParseEnvelope(absl::string_view json);

// Returns `envelope` as compact JSON with keys in the order payloadType,
// payload, signatures (each keyid, sig), byte strings in standard padded
// base64. Text fields that are not valid UTF-8 (which neither ParseEnvelope
// nor SignEnvelope produce) have bad bytes replaced by U+FFFD.
std::string SerializeEnvelope(const Envelope& envelope);

// Returns an envelope over `payload` with one signature per signer, in order,
// each over PreAuthEncoding(payload_type, payload) with keyid =
// signer->key_id(). Returns InvalidArgument if `signers` is empty, longer
// than kMaxSignatures or holds a null pointer, or if `payload_type` or a key
// id is not valid UTF-8 or too long; otherwise the first error of a signer.
// The signers are only used during the call.
absl::StatusOr<Envelope> SignEnvelope(
    absl::string_view payload_type, absl::string_view payload,
    const std::vector<const crypto::Signer*>& signers);

// Returns the key ids of the `trusted` verifiers that verify a signature of
// the envelope over PreAuthEncoding(payload_type, payload) of the payload
// bytes exactly as given, each id once, in the order of `trusted`.
//
// Following the DSSE protocol, signatures that do not verify are skipped:
// they neither fail an envelope that another signature validates nor count.
// A signature whose keyid names a trusted key is checked against that key
// only; one whose keyid is empty or names no trusted key is checked against
// every trusted key (keyid is an unauthenticated hint). Callers that need a
// threshold count the returned ids.
//
// Returns InvalidArgument "no signature verifies with a trusted key" if none
// does, and InvalidArgument if `trusted` is empty or holds a null pointer or
// if the envelope has no signatures or more than kMaxSignatures. An error
// other than InvalidArgument from a verifier (e.g. Internal) is returned as
// is. The verifiers are only used during the call.
absl::StatusOr<std::vector<std::string>> VerifyEnvelope(
    const Envelope& envelope,
    const std::vector<const crypto::Verifier*>& trusted);

}  // namespace pedigree::core::dsse

#endif  // PEDIGREE_CORE_DSSE_ENVELOPE_H_
