#ifndef PEDIGREE_CLIENT_LIB_BUNDLE_H_
#define PEDIGREE_CLIENT_LIB_BUNDLE_H_

// Offline verification bundles (docs/bundle-format.md): everything needed to
// verify a model directory with no registry at all, given the publisher's key
// and the log key the verifier trusts. A bundle is one JSON object:
//
//   {"media_type": "application/vnd.pedigree.bundle.v1+json",
//    "ref": "acme/base@v1",                          (informational)
//    "record_digest": "<hex>",                       (informational)
//    "envelope": "<base64 of the DSSE envelope JSON, verbatim>",
//    "signer_public_keys": ["<SPKI PEM>", ...],      (informational)
//    "log_index": 7,
//    "tree_size": 12,
//    "inclusion_proof": ["<hex node hash>", ...],
//    "checkpoint": "<the signed checkpoint note>"}
//
// Nothing informational is trusted: the signature is checked with the key the
// verifier names, the record digest and ref are recomputed from the
// envelope, and the inclusion is checked against the checkpoint, which must
// be signed by the pinned log key.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/lib/log_verifier.h"
#include "client/lib/verify.h"
#include "core/crypto/keys.h"
#include "core/manifest/manifest.h"
#include "core/record/model_ref.h"

namespace pedigree::client {

inline constexpr char kBundleMediaType[] =
    "application/vnd.pedigree.bundle.v1+json";

// ParseBundle refuses larger bundles.
inline constexpr size_t kMaxBundleSize = size_t{16} << 20;

struct Bundle {
  std::string ref;                              // informational
  std::string record_digest;                    // informational
  std::string envelope;                         // verbatim envelope bytes
  std::vector<std::string> signer_public_keys;  // PEM, informational
  InclusionProof proof;                         // raw hashes
  std::string checkpoint;                       // signed note
};

// Returns the bundle's JSON text (ends in "\n").
std::string SerializeBundle(const Bundle& bundle);

// Parses a bundle strictly: a JSON object with exactly the fields above
// (ref, record_digest and signer_public_keys optional), the media type
// above, a non-empty envelope in canonical standard base64, integer
// log_index and tree_size, hashes of 64 lowercase hex digits. Returns
// InvalidArgument naming the first offending field.
absl::StatusOr<Bundle> ParseBundle(absl::string_view json);

// The outcome of VerifyBundle.
struct BundleVerification {
  // The record check (signature with the trusted keys, files, ref), plus one
  // problem per log failure: "LOG CHECKPOINT ..." when the checkpoint does
  // not verify with the log key, "LOG INCLUSION ..." when the proof does not
  // prove the envelope at its index in the checkpoint's tree.
  // verification.verified is true only if everything holds.
  Verification verification;
  bool log_verified = false;
  VerifiedCheckpoint checkpoint;  // set when the checkpoint verified
  uint64_t log_index = 0;
};

// Verifies `bundle` against the local manifest `local` with no registry:
// - the envelope's signature with one of `trusted_keys` (the bundle's own
//   keys are never used), the record's files against `local` and the
//   record's ref against `expected_ref` when set, as VerifyAgainstRecord;
// - the checkpoint with `log`, and the inclusion of the envelope at
//   proof.log_index in the checkpoint's tree.
// Failures are reported in the result; the status is an error only for an
// internal failure (Internal). Pure; thread-safe.
absl::StatusOr<BundleVerification> VerifyBundle(
    const Bundle& bundle, const core::manifest::Manifest& local,
    const std::vector<core::crypto::PublicKey>& trusted_keys,
    const LogVerifier& log,
    const std::optional<core::record::ModelRef>& expected_ref);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_BUNDLE_H_
