#include "client/lib/verify.h"

#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "openssl/crypto.h"

namespace pedigree::client {
namespace {

namespace rec = core::record;

bool SameBytes(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A returned key whose claimed id is its real id.
struct CheckedKey {
  core::crypto::PublicKey key;
  const SignerKey* claim;
};

// Returns the key ids among `keys` that verify a signature of `envelope`;
// InvalidArgument when none does.
absl::StatusOr<std::vector<std::string>> VerifyWith(
    const core::dsse::Envelope& envelope, const std::vector<CheckedKey>& keys) {
  std::vector<const core::crypto::Verifier*> trusted;
  for (const CheckedKey& key : keys) trusted.push_back(&key.key);
  if (trusted.empty()) {
    return absl::InvalidArgumentError("no key to verify with");
  }
  return core::dsse::VerifyEnvelope(envelope, trusted);
}

void CompareFiles(const rec::Record& record,
                  const core::manifest::Manifest& local, Verification* result) {
  // Path -> (expected, actual), both lowercase hex; std::map sorts by path.
  std::map<std::string, std::pair<std::string, std::string>> files;
  for (const rec::ArtifactFile& file : record.artifacts.files) {
    const std::string name =
        file.shard.has_value()
            ? core::manifest::ShardEntryName(file.name, *file.shard)
            : file.name;
    files[name].first = core::HexEncode(file.sha256);
  }
  for (const core::manifest::ManifestEntry& entry : local.entries()) {
    files[entry.name].second = core::HexEncode(entry.digest);
  }
  for (auto& [path, digests] : files) {
    FileCheck check;
    check.path = path;
    check.expected_sha256 = std::move(digests.first);
    check.actual_sha256 = std::move(digests.second);
    if (check.actual_sha256.empty()) {
      check.verdict = FileVerdict::kMissing;
      result->problems.push_back(absl::StrCat("MISSING ", path));
    } else if (check.expected_sha256.empty()) {
      check.verdict = FileVerdict::kUnexpected;
      result->problems.push_back(absl::StrCat("UNEXPECTED ", path));
    } else if (!SameBytes(check.expected_sha256, check.actual_sha256)) {
      check.verdict = FileVerdict::kDigestMismatch;
      result->problems.push_back(absl::StrCat("MISMATCH ", path));
    } else {
      check.verdict = FileVerdict::kMatch;
    }
    result->files.push_back(std::move(check));
  }
}

}  // namespace

const char* FileVerdictName(FileVerdict verdict) {
  switch (verdict) {
    case FileVerdict::kMatch:
      return "match";
    case FileVerdict::kDigestMismatch:
      return "mismatch";
    case FileVerdict::kMissing:
      return "missing";
    case FileVerdict::kUnexpected:
      return "unexpected";
  }
  return "unknown";
}

absl::StatusOr<Verification> VerifyAgainstRecord(
    const core::manifest::Manifest& local, const RegistryAnswer& answer,
    const std::optional<core::record::ModelRef>& expected_ref) {
  Verification result;
  result.local_root_digest = core::HexEncode(local.RootDigest());

  absl::StatusOr<core::dsse::Envelope> envelope =
      core::dsse::ParseEnvelope(answer.envelope);
  if (!envelope.ok()) {
    result.problems.push_back(
        absl::StrCat("BAD ENVELOPE ", envelope.status().message()));
    return result;
  }

  // Never trust the registry's description of a key: recompute each id from
  // the key itself and drop any key that is not what it claims to be.
  std::vector<CheckedKey> active;
  std::vector<CheckedKey> inactive;
  for (const SignerKey& claim : answer.signers) {
    absl::StatusOr<core::crypto::PublicKey> key =
        core::crypto::PublicKey::FromPem(claim.public_key_pem);
    if (!key.ok()) {
      result.problems.push_back(
          absl::StrCat("BAD KEY ", claim.key_id, ": ", key.status().message()));
      continue;
    }
    if (!SameBytes(key->key_id(), claim.key_id)) {
      result.problems.push_back(absl::StrCat("KEY ID MISMATCH ", claim.key_id,
                                             ": the key's SPKI hashes to ",
                                             key->key_id()));
      continue;
    }
    (claim.active ? active : inactive).push_back({*std::move(key), &claim});
  }

  absl::StatusOr<std::vector<std::string>> verified_ids =
      VerifyWith(*envelope, active);
  if (!verified_ids.ok()) {
    if (verified_ids.status().code() != absl::StatusCode::kInvalidArgument) {
      return verified_ids.status();
    }
    // Say why precisely: a signature by a revoked key is not a bad signature.
    absl::StatusOr<std::vector<std::string>> by_inactive =
        VerifyWith(*envelope, inactive);
    if (by_inactive.ok()) {
      result.problems.push_back(
          absl::StrCat("INACTIVE KEY ", by_inactive->front(),
                       ": the signature verifies only with a revoked key"));
    } else {
      result.problems.push_back(
          "BAD SIGNATURE no signature verifies with an active signer key");
    }
    return result;
  }

  // The payload is authenticated from here on.
  absl::StatusOr<rec::Record> record = rec::RecordFromEnvelope(*envelope);
  if (!record.ok()) {
    result.problems.push_back(
        absl::StrCat("BAD RECORD ", record.status().message()));
    return result;
  }
  absl::StatusOr<std::string> record_digest = rec::RecordDigest(*envelope);
  if (!record_digest.ok()) return record_digest.status();
  result.record_digest = *std::move(record_digest);
  result.ref = rec::ToString(record->model.ref);
  result.root_digest = core::HexEncode(record->artifacts.root_digest);

  for (const std::string& id : *verified_ids) {
    for (const CheckedKey& key : active) {
      if (key.claim->key_id == id &&
          absl::EqualsIgnoreCase(key.claim->namespace_name,
                                 record->model.ref.namespace_name)) {
        result.signer_key_id = id;
        break;
      }
    }
    if (!result.signer_key_id.empty()) break;
  }
  if (result.signer_key_id.empty()) {
    result.problems.push_back(
        absl::StrCat("WRONG NAMESPACE ", verified_ids->front(),
                     ": no verifying key belongs to namespace ",
                     record->model.ref.namespace_name));
  }

  if (expected_ref.has_value() &&
      !rec::SameModelVersion(record->model.ref, *expected_ref)) {
    result.problems.push_back(absl::StrCat("WRONG REF the record is for ",
                                           result.ref, ", not ",
                                           rec::ToString(*expected_ref)));
  }

  const size_t problems_before_files = result.problems.size();
  CompareFiles(*record, local, &result);
  if (result.problems.size() == problems_before_files &&
      !SameBytes(local.RootDigest(), record->artifacts.root_digest)) {
    result.problems.push_back(
        absl::StrCat("ROOT MISMATCH local sha256:", result.local_root_digest,
                     ", recorded sha256:", result.root_digest));
  }
  result.verified = result.problems.empty();
  return result;
}

}  // namespace pedigree::client
