#ifndef PEDIGREE_CORE_RECORD_INTERNAL_TEXT_H_
#define PEDIGREE_CORE_RECORD_INTERNAL_TEXT_H_

// Field checks shared by the record validator and the statement parser. Every
// check returns InvalidArgument "<path>: <problem>" so that errors name the
// JSON field path. Not part of the public API.

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::record::internal {

// Returns InvalidArgument "<path>: <message>".
absl::Status FieldError(absl::string_view path, absl::string_view message);

// Returns `status` with "<path>: " prefixed to its message, keeping its code.
// OK stays OK.
absl::Status WithPath(absl::string_view path, const absl::Status& status);

// Returns true if `text` is well-formed UTF-8 (no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// Checks free text: 1 to `max_length` bytes of valid UTF-8 without control
// characters (C0, DEL, C1); '\n' is allowed only if `allow_newline`.
absl::Status CheckText(absl::string_view path, absl::string_view text,
                       size_t max_length, bool allow_newline);

// Checks a lower-case token: 1 to `max_length` characters, [a-z0-9] first,
// then [a-z0-9_.-].
absl::Status CheckToken(absl::string_view path, absl::string_view token,
                        size_t max_length);

// Checks an absolute URI: a scheme [a-z][a-z0-9+.-]*, ':', then one or more
// printable ASCII characters other than space and "<>\^`{|}; at most
// kMaxUriLength bytes.
absl::Status CheckUri(absl::string_view path, absl::string_view uri);

// Checks "LicenseRef-" followed by one or more of [A-Za-z0-9.-], at most
// kMaxLicenseRefIdLength bytes.
absl::Status CheckLicenseRefId(absl::string_view path, absl::string_view id);

}  // namespace pedigree::core::record::internal

#endif  // PEDIGREE_CORE_RECORD_INTERNAL_TEXT_H_
