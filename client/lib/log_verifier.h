#ifndef PEDIGREE_CLIENT_LIB_LOG_VERIFIER_H_
#define PEDIGREE_CLIENT_LIB_LOG_VERIFIER_H_

// Client-side checks of the registry's transparency log against a log key the
// user pinned: C2SP checkpoint notes (core/note/checkpoint.h), RFC 9162
// inclusion proofs of record envelopes and consistency proofs between two
// checkpoints (core/merkle). Nothing here talks to the registry; the callers
// fetch notes and proofs (client/lib/log_monitor.h, client/lib/bundle.h).
//
//   PEDIGREE_ASSIGN_OR_RETURN(LogVerifier log,
//                             LogVerifier::Create(pinned_verifier_key));
//   PEDIGREE_ASSIGN_OR_RETURN(VerifiedCheckpoint checkpoint,
//                             log.OpenCheckpoint(note));
//   PEDIGREE_RETURN_IF_ERROR(
//       log.VerifyRecordInclusion(checkpoint, proof, envelope));
//
// A log that does not verify is always an error, never a warning. Error codes:
// - InvalidArgument: malformed input (a note that does not parse, a hash
//   that is not 32 bytes, a checkpoint of another origin than the key name);
// - PermissionDenied: the note is not signed by the pinned key, or its
//   signature does not verify;
// - FailedPrecondition: a proof for another tree size than the checkpoint's;
// - DataLoss: a proof that does not verify, i.e. the log is not what the
//   checkpoint says, or two checkpoints are not consistent (a forked log);
// - Internal: hashing failed.
// Every message names the sizes and (hex) roots involved.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/note/note.h"

namespace pedigree::client {

// A checkpoint whose note verified with the pinned log key.
struct VerifiedCheckpoint {
  std::string note;       // the signed note, verbatim
  std::string origin;     // equals the log key's name
  uint64_t size = 0;      // tree size
  std::string root_hash;  // raw 32-byte RFC 9162 root hash
};

// Returns "size N, root <hex>" for messages.
std::string DescribeCheckpoint(const VerifiedCheckpoint& checkpoint);

// An RFC 9162 inclusion proof as the registry or a bundle states it.
struct InclusionProof {
  uint64_t log_index = 0;
  uint64_t tree_size = 0;
  std::vector<std::string> hashes;  // raw 32-byte node hashes, leaf to root
};

// Returns the leaf hash of the record whose DSSE envelope is `envelope` (the
// JSON bytes exactly as published): HashLeaf(RecordLogEntry(envelope)).
// Internal if hashing fails.
absl::StatusOr<std::string> RecordLeafHash(absl::string_view envelope);

// Returns the raw hashes of lowercase hex `hex_hashes`; InvalidArgument naming
// the first that is not 64 lowercase hex digits.
absl::StatusOr<std::vector<std::string>> DecodeHexHashes(
    const std::vector<std::string>& hex_hashes);

// Checks one log's checkpoints and proofs with its pinned key. Immutable,
// cheap to copy, thread-safe.
class LogVerifier {
 public:
  // Returns a verifier for the C2SP verifier key "<name>+<hash>+<base64>"
  // (core/note/note.h). The log's origin is the key name. InvalidArgument if
  // the key does not parse.
  static absl::StatusOr<LogVerifier> Create(absl::string_view verifier_key);

  // The pinned key, as given to Create.
  const std::string& verifier_key() const { return verifier_key_; }
  // The log's origin: the key's name.
  const std::string& origin() const { return key_.name(); }

  // Verifies the signed checkpoint `note`: signed by the pinned key, origin
  // equal to the key name, well formed. Other signatures are ignored.
  // InvalidArgument (malformed, other origin) or PermissionDenied (not signed
  // by the pinned key, bad signature).
  absl::StatusOr<VerifiedCheckpoint> OpenCheckpoint(
      absl::string_view note) const;

  // Verifies that the leaf whose hash is `leaf_hash` sits at proof.log_index
  // in the tree of `checkpoint`. FailedPrecondition if proof.tree_size is not
  // checkpoint.size; InvalidArgument if `leaf_hash` or a proof hash is not 32
  // bytes; DataLoss if the proof does not lead to the checkpoint's root
  // (wrong index, wrong leaf, a flipped bit, a truncated or extended proof).
  absl::Status VerifyInclusion(const VerifiedCheckpoint& checkpoint,
                               const InclusionProof& proof,
                               absl::string_view leaf_hash) const;

  // VerifyInclusion for the record whose envelope is `envelope` (verbatim).
  absl::Status VerifyRecordInclusion(const VerifiedCheckpoint& checkpoint,
                                     const InclusionProof& proof,
                                     absl::string_view envelope) const;

  // Verifies that the tree of `older` is a prefix of the tree of `newer`,
  // with the RFC 9162 consistency proof `proof` (raw hashes; ignored when
  // the sizes are equal, where the roots must be equal). InvalidArgument if
  // older.size > newer.size or a hash is not 32 bytes; DataLoss if the two
  // checkpoints are not consistent, naming both sizes and roots.
  absl::Status VerifyConsistency(const VerifiedCheckpoint& older,
                                 const VerifiedCheckpoint& newer,
                                 const std::vector<std::string>& proof) const;

 private:
  LogVerifier(std::string verifier_key, core::note::NoteVerifier key)
      : verifier_key_(std::move(verifier_key)), key_(std::move(key)) {}

  std::string verifier_key_;
  core::note::NoteVerifier key_;
};

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_LOG_VERIFIER_H_
