#include "client/lib/log_verifier.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/hex.h"
#include "core/merkle/tree.h"
#include "core/merkle/verify.h"
#include "core/note/checkpoint.h"
#include "core/record/log_entry.h"
#include "core/status_macros.h"
#include "openssl/crypto.h"

namespace pedigree::client {
namespace {

bool SameBytes(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status CheckHashSizes(const std::vector<std::string>& hashes,
                            absl::string_view what) {
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (hashes[i].size() != core::merkle::kHashSize) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " hash ", i, " is ", hashes[i].size(),
                       " bytes, not ", core::merkle::kHashSize));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string DescribeCheckpoint(const VerifiedCheckpoint& checkpoint) {
  return absl::StrCat("size ", checkpoint.size, ", root ",
                      core::HexEncode(checkpoint.root_hash));
}

absl::StatusOr<std::string> RecordLeafHash(absl::string_view envelope) {
  return core::merkle::HashLeaf(core::record::RecordLogEntry(envelope));
}

absl::StatusOr<std::vector<std::string>> DecodeHexHashes(
    const std::vector<std::string>& hex_hashes) {
  std::vector<std::string> raw;
  raw.reserve(hex_hashes.size());
  for (size_t i = 0; i < hex_hashes.size(); ++i) {
    if (!core::IsLowerHex(hex_hashes[i], core::merkle::kHashSize)) {
      return absl::InvalidArgumentError(
          absl::StrCat("hash ", i, " \"", absl::CHexEscape(hex_hashes[i]),
                       "\" is not 64 lowercase hex digits"));
    }
    PEDIGREE_ASSIGN_OR_RETURN(std::string bytes,
                              core::HexDecode(hex_hashes[i]));
    raw.push_back(std::move(bytes));
  }
  return raw;
}

absl::StatusOr<LogVerifier> LogVerifier::Create(
    absl::string_view verifier_key) {
  absl::StatusOr<core::note::NoteVerifier> key =
      core::note::NoteVerifier::FromVerifierKey(verifier_key);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("log key: ", key.status().message()));
  }
  return LogVerifier(std::string(verifier_key), *std::move(key));
}

absl::StatusOr<VerifiedCheckpoint> LogVerifier::OpenCheckpoint(
    absl::string_view note) const {
  absl::StatusOr<core::note::Checkpoint> opened =
      core::note::OpenCheckpoint(note, key_, key_.name());
  if (!opened.ok()) {
    return absl::Status(
        opened.status().code(),
        absl::StrCat("checkpoint does not verify with the pinned log key ",
                     key_.name(), ": ", opened.status().message()));
  }
  VerifiedCheckpoint checkpoint;
  checkpoint.note = std::string(note);
  checkpoint.origin = std::move(opened->origin);
  checkpoint.size = opened->size;
  checkpoint.root_hash = std::move(opened->root_hash);
  return checkpoint;
}

absl::Status LogVerifier::VerifyInclusion(const VerifiedCheckpoint& checkpoint,
                                          const InclusionProof& proof,
                                          absl::string_view leaf_hash) const {
  if (proof.tree_size != checkpoint.size) {
    return absl::FailedPreconditionError(
        absl::StrCat("inclusion proof is for tree size ", proof.tree_size,
                     ", not the checkpoint's ", checkpoint.size));
  }
  if (leaf_hash.size() != core::merkle::kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf hash is ", leaf_hash.size(), " bytes"));
  }
  PEDIGREE_RETURN_IF_ERROR(CheckHashSizes(proof.hashes, "inclusion proof"));
  const absl::Status verified =
      core::merkle::VerifyInclusion(proof.log_index, checkpoint.size, leaf_hash,
                                    proof.hashes, checkpoint.root_hash);
  if (!verified.ok()) {
    if (verified.code() == absl::StatusCode::kInternal) return verified;
    return absl::DataLossError(absl::StrCat(
        "inclusion proof of index ", proof.log_index,
        " does not verify against the checkpoint (",
        DescribeCheckpoint(checkpoint), "): ", verified.message()));
  }
  return absl::OkStatus();
}

absl::Status LogVerifier::VerifyRecordInclusion(
    const VerifiedCheckpoint& checkpoint, const InclusionProof& proof,
    absl::string_view envelope) const {
  PEDIGREE_ASSIGN_OR_RETURN(const std::string leaf, RecordLeafHash(envelope));
  return VerifyInclusion(checkpoint, proof, leaf);
}

absl::Status LogVerifier::VerifyConsistency(
    const VerifiedCheckpoint& older, const VerifiedCheckpoint& newer,
    const std::vector<std::string>& proof) const {
  if (older.size > newer.size) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency: the older checkpoint (size ", older.size,
                     ") is larger than the newer (size ", newer.size, ")"));
  }
  const std::string describe =
      absl::StrCat("checkpoint (", DescribeCheckpoint(older),
                   ") and checkpoint (", DescribeCheckpoint(newer), ")");
  if (older.size == newer.size) {
    if (!SameBytes(older.root_hash, newer.root_hash)) {
      return absl::DataLossError(
          absl::StrCat("log inconsistency: ", describe,
                       " have the same size and different roots"));
    }
    return absl::OkStatus();
  }
  PEDIGREE_RETURN_IF_ERROR(CheckHashSizes(proof, "consistency proof"));
  const absl::Status verified = core::merkle::VerifyConsistency(
      older.size, newer.size, proof, older.root_hash, newer.root_hash);
  if (!verified.ok()) {
    if (verified.code() == absl::StatusCode::kInternal) return verified;
    return absl::DataLossError(
        absl::StrCat("log inconsistency: ", describe,
                     " are not consistent (the log was rewritten or forked): ",
                     verified.message()));
  }
  return absl::OkStatus();
}

}  // namespace pedigree::client
