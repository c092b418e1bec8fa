#ifndef PEDIGREE_CORE_NOTE_INTERNAL_TEXT_H_
#define PEDIGREE_CORE_NOTE_INTERNAL_TEXT_H_

// Character rules shared by the signed-note and checkpoint code. Not part of
// the public API.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::note::internal {

// Returns InvalidArgument "<what>: ..." naming the byte offset of the first
// problem unless `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF) without ASCII control characters (below U+0020);
// '\n' is allowed only if `allow_newline`.
absl::Status CheckCharacters(absl::string_view what, absl::string_view text,
                             bool allow_newline);

// Returns InvalidArgument "<what>: ..." unless `name` is a valid key name:
// non-empty, well-formed UTF-8, no ASCII control characters, no Unicode
// white space (Go's unicode.IsSpace) and no '+'.
absl::Status CheckKeyName(absl::string_view what, absl::string_view name);

// Returns `text` quoted and C-escaped for an error message, cut after 64
// bytes.
std::string Quote(absl::string_view text);

}  // namespace pedigree::core::note::internal

#endif  // PEDIGREE_CORE_NOTE_INTERNAL_TEXT_H_
