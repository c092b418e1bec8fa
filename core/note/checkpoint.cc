#include "core/note/checkpoint.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/encoding/base64.h"
#include "core/note/internal/text.h"
#include "core/status_macros.h"

namespace pedigree::core::note {
namespace {

using internal::Quote;

constexpr size_t kMinLines = 3;

absl::Status CheckLine(absl::string_view what, absl::string_view line) {
  if (line.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": empty line"));
  }
  return internal::CheckCharacters(what, line, /*allow_newline=*/false);
}

absl::Status CheckRootHash(absl::string_view root_hash) {
  if (root_hash.size() != kCheckpointRootHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint root hash is ", root_hash.size(),
                     " bytes, want ", kCheckpointRootHashSize));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ParseTreeSize(absl::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("checkpoint tree size is empty");
  }
  if (text.size() > 1 && text[0] == '0') {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint tree size ", Quote(text), " has a leading zero"));
  }
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint tree size ", Quote(text), " is not a decimal number"));
    }
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint tree size ", Quote(text), " does not fit in 64 bits"));
    }
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  PEDIGREE_RETURN_IF_ERROR(CheckLine("checkpoint origin", checkpoint.origin));
  PEDIGREE_RETURN_IF_ERROR(CheckRootHash(checkpoint.root_hash));
  std::string text =
      absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                   Base64Encode(checkpoint.root_hash), "\n");
  for (size_t i = 0; i < checkpoint.extensions.size(); ++i) {
    PEDIGREE_RETURN_IF_ERROR(
        CheckLine(absl::StrCat("checkpoint extension line ", i + 1),
                  checkpoint.extensions[i]));
    absl::StrAppend(&text, checkpoint.extensions[i], "\n");
  }
  return text;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view text) {
  if (text.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint is ", text.size(),
                     " bytes, more than the limit of ", kMaxNoteSize));
  }
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("checkpoint does not end in a newline");
  }
  PEDIGREE_RETURN_IF_ERROR(
      internal::CheckCharacters("checkpoint", text, /*allow_newline=*/true));
  text.remove_suffix(1);
  const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (lines.size() < kMinLines) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint has ", lines.size(), " lines, want at least ", kMinLines));
  }
  Checkpoint checkpoint;
  if (lines[0].empty()) {
    return absl::InvalidArgumentError("checkpoint origin is empty");
  }
  checkpoint.origin = std::string(lines[0]);
  PEDIGREE_ASSIGN_OR_RETURN(checkpoint.size, ParseTreeSize(lines[1]));
  absl::StatusOr<std::string> root_hash = Base64Decode(lines[2]);
  if (!root_hash.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint root hash: ", root_hash.status().message()));
  }
  PEDIGREE_RETURN_IF_ERROR(CheckRootHash(*root_hash));
  checkpoint.root_hash = *std::move(root_hash);
  for (size_t i = kMinLines; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint extension line ", i - kMinLines + 1, " is empty"));
    }
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

absl::StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                           const NoteSigner& signer) {
  if (signer.name() != checkpoint.origin) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint origin ", Quote(checkpoint.origin),
                     " differs from the log key name ", Quote(signer.name())));
  }
  PEDIGREE_ASSIGN_OR_RETURN(const std::string text,
                            FormatCheckpoint(checkpoint));
  return signer.Sign(text);
}

absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view note,
                                          const NoteVerifier& log_key,
                                          absl::string_view expected_origin) {
  if (log_key.name() != expected_origin) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log key name ", Quote(log_key.name()),
        " differs from the expected origin ", Quote(expected_origin)));
  }
  PEDIGREE_ASSIGN_OR_RETURN(const VerifiedNote verified,
                            OpenNote(note, {log_key}));
  PEDIGREE_ASSIGN_OR_RETURN(Checkpoint checkpoint,
                            ParseCheckpoint(verified.text));
  if (checkpoint.origin != expected_origin) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint origin ", Quote(checkpoint.origin),
                     " is not the expected ", Quote(expected_origin)));
  }
  return checkpoint;
}

}  // namespace pedigree::core::note
