#ifndef PEDIGREE_CORE_NOTE_CHECKPOINT_H_
#define PEDIGREE_CORE_NOTE_CHECKPOINT_H_

// C2SP transparency-log checkpoints (https://c2sp.org/tlog-checkpoint): the
// signed tree head of a Merkle log, as the text of a signed note
// (core/note/note.h):
//
//   <origin>\n
//   <tree size, ASCII decimal, no leading zeros>\n
//   <base64 of the 32-byte RFC 6962 root hash>\n
//   <extension line>\n ...            (optional, each non-empty)
//
//   PEDIGREE_ASSIGN_OR_RETURN(std::string signed_note,
//                             SignCheckpoint(checkpoint, log_signer));
//   PEDIGREE_ASSIGN_OR_RETURN(
//       Checkpoint verified,
//       OpenCheckpoint(signed_note, pinned_log_key, "example.com/log"));
//
// Pedigree requires the log's key name to equal the origin, which the spec
// recommends ("SHOULD"): SignCheckpoint and OpenCheckpoint refuse anything
// else. Checkpoints from logs that do not follow it (the Go checksum database
// signs origin "go.sum database tree" as "sum.golang.org") can still be read
// with OpenNote and ParseCheckpoint.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/note/note.h"

namespace pedigree::core::note {

inline constexpr size_t kCheckpointRootHashSize = 32;

struct Checkpoint {
  std::string origin;     // log identity, e.g. "example.com/log"
  uint64_t size = 0;      // number of leaves
  std::string root_hash;  // raw 32-byte RFC 6962 root of the first `size`
  std::vector<std::string> extensions;  // opaque lines, without "\n"

  friend bool operator==(const Checkpoint& a, const Checkpoint& b) {
    return a.origin == b.origin && a.size == b.size &&
           a.root_hash == b.root_hash && a.extensions == b.extensions;
  }
};

// Returns the checkpoint's note text (the format above). Returns
// InvalidArgument if the origin is empty, if the origin or an extension line
// is not valid UTF-8 or holds an ASCII control character (newlines
// included), if an extension line is empty, or if the root hash is not 32
// bytes.
absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Parses a checkpoint note text, strictly, so that
// FormatCheckpoint(ParseCheckpoint(text)) == text. Returns InvalidArgument
// naming the problem if `text` is larger than kMaxNoteSize, does not end in
// "\n", is not valid UTF-8 or holds an ASCII control character other than
// "\n", has fewer than three lines, an empty origin or extension line, a tree
// size that is not plain decimal ("+1", "-1", " 1", "01", "") or does not fit
// in 64 bits, or a root hash that is not canonical standard base64 of exactly
// 32 bytes.
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view text);

// Returns the signed note of `checkpoint` by `signer`. Returns
// InvalidArgument if signer.name() differs from the origin, or as
// FormatCheckpoint and NoteSigner::Sign.
absl::StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                           const NoteSigner& signer);

// Opens the signed checkpoint `note` from the log `expected_origin`, whose
// pinned key is `log_key`, and returns it. Signatures by other keys (witness
// cosignatures, rotated keys) are ignored. Returns InvalidArgument if
// log_key.name() differs from `expected_origin`, if the checkpoint's origin
// differs from it, or as OpenNote and ParseCheckpoint; PermissionDenied (from
// OpenNote) if `log_key` did not sign the note or its signature does not
// verify.
absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view note,
                                          const NoteVerifier& log_key,
                                          absl::string_view expected_origin);

}  // namespace pedigree::core::note

#endif  // PEDIGREE_CORE_NOTE_CHECKPOINT_H_
