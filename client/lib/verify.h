#ifndef PEDIGREE_CLIENT_LIB_VERIFY_H_
#define PEDIGREE_CLIENT_LIB_VERIFY_H_

// Local verification of a model directory against a registry's answer: what
// `pedigree verify` decides, without trusting the registry's verdict. The
// registry only supplies the signed envelope and the keys it claims signed
// it; this code checks every key's id, verifies the signatures itself with
// the ACTIVE keys, reads the record from the authenticated payload and
// compares the record's files with the local manifest.
//
//   RegistryAnswer answer = ...;  // client/lib/convert.h: from RecordMatch
//   PEDIGREE_ASSIGN_OR_RETURN(
//       Verification result,
//       VerifyAgainstRecord(hashed.manifest, answer, expected_ref));
//   if (!result.verified) { for (auto& p : result.problems) ... }
//
// Verified only if ALL of these hold:
// - the envelope parses and its payload is a record;
// - each key the registry returned has the key id it claims (the SHA-256 of
//   its SPKI), else the key is ignored and a problem is reported;
// - a signature verifies with an ACTIVE key whose namespace is the record's
//   namespace (a revoked key, or a key of another namespace, does not count);
// - the record names the expected ref, when one is given;
// - every recorded file is present locally with the recorded SHA-256, no
//   local file is unrecorded, and the root digests are equal.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/manifest/manifest.h"
#include "core/record/model_ref.h"

namespace pedigree::client {

// A signer key as the registry describes it (unverified claims).
struct SignerKey {
  std::string key_id;  // claimed: lowercase hex SHA-256 of the SPKI DER
  std::string namespace_name;
  std::string public_key_pem;  // SPKI "PUBLIC KEY" PEM
  bool active = false;
};

// What the registry answered for one candidate record.
struct RegistryAnswer {
  // The DSSE envelope JSON as stored.
  std::string envelope;
  std::vector<SignerKey> signers;
  // The registry's own verdict; reported only, never trusted.
  bool registry_says_match = false;
};

enum class FileVerdict {
  kMatch,           // present locally with the recorded digest
  kDigestMismatch,  // present locally with another digest
  kMissing,         // recorded, absent locally
  kUnexpected,      // present locally, not recorded
};

// "match", "mismatch", "missing", "unexpected".
const char* FileVerdictName(FileVerdict verdict);

struct FileCheck {
  std::string path;
  FileVerdict verdict = FileVerdict::kMatch;
  std::string expected_sha256;  // lowercase hex; empty when not recorded
  std::string actual_sha256;    // lowercase hex; empty when absent locally
};

// The outcome of VerifyAgainstRecord. Fields other than `verified`,
// `problems` and `local_root_digest` are empty when the envelope could not
// be authenticated (nothing in an unauthenticated payload is reported).
struct Verification {
  bool verified = false;
  std::string ref;            // "namespace/name@version" of the record
  std::string record_digest;  // lowercase hex
  std::string root_digest;    // recorded root, lowercase hex
  std::string local_root_digest;
  // Key id of the first active, same-namespace key that verified.
  std::string signer_key_id;
  // The union of recorded and local files, sorted by path.
  std::vector<FileCheck> files;
  // One line per problem, each naming the file, key or ref at fault, e.g.
  // "MISMATCH weights/model.safetensors". Empty iff verified.
  std::vector<std::string> problems;
};

// Verifies the local manifest `local` against `answer` (see the file
// comment). `expected_ref`, when set, is the ref the caller asked for
// (namespaces and names compare ignoring ASCII case, versions exactly).
// Verification failures are reported in the result, not as errors; the
// status is an error only for an internal failure (Internal, e.g. OpenSSL).
// Pure; thread-safe.
absl::StatusOr<Verification> VerifyAgainstRecord(
    const core::manifest::Manifest& local, const RegistryAnswer& answer,
    const std::optional<core::record::ModelRef>& expected_ref);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_VERIFY_H_
