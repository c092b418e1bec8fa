#ifndef PEDIGREE_CORE_CRYPTO_INTERNAL_PEM_H_
#define PEDIGREE_CORE_CRYPTO_INTERNAL_PEM_H_

// Strict PEM (RFC 7468) framing for keys: one block, no encapsulated headers.
// Parsing is done here rather than by OpenSSL's PEM reader so that OpenSSL
// never sees an encrypted key and can never ask for a passphrase.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::crypto::internal {

// Upper bound on the PEM text we accept. Keys we support are well under 1 KiB.
inline constexpr size_t kMaxPemSize = 64 * 1024;

struct PemBlock {
  std::string label;  // e.g. "PRIVATE KEY", "PUBLIC KEY"
  std::string der;    // decoded body; may be secret
};

// Returns the single PEM block in `text`. Surrounding ASCII whitespace, CRLF
// line endings and any line length are accepted. Returns InvalidArgument if
// `text` is larger than kMaxPemSize, has no BEGIN/END lines, mismatched
// labels, more than one block, encapsulated headers (e.g. "Proc-Type"), an
// empty body, or a body that is not strict standard base64. Messages never
// contain the body.
absl::StatusOr<PemBlock> ParsePem(absl::string_view text);

// Returns `der` framed as a PEM block labelled `label`, base64 body wrapped at
// 64 characters, ending in a newline.
std::string EncodePem(absl::string_view label, absl::string_view der);

}  // namespace pedigree::core::crypto::internal

#endif  // PEDIGREE_CORE_CRYPTO_INTERNAL_PEM_H_
