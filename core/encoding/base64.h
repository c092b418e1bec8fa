#ifndef PEDIGREE_CORE_ENCODING_BASE64_H_
#define PEDIGREE_CORE_ENCODING_BASE64_H_

// Strict base64 (RFC 4648). Encoding always uses the standard alphabet with
// padding. Decoding is canonical: no whitespace, correct padding, and unused
// trailing bits must be zero, so that one byte string has one encoding and a
// signed payload cannot be varied without changing its text.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core {

enum class Base64Alphabet {
  kStandard,  // RFC 4648 section 4: '+' and '/'
  kUrlSafe,   // RFC 4648 section 5: '-' and '_'
};

// Returns `bytes` in standard base64 with '=' padding.
std::string Base64Encode(absl::string_view bytes);

// Returns the bytes encoded by `text` in `alphabet`, with '=' padding
// required. Returns InvalidArgument naming the offset of the first bad
// character, a length that is not a multiple of four, misplaced padding, or
// non-zero trailing bits.
absl::StatusOr<std::string> Base64Decode(
    absl::string_view text,
    Base64Alphabet alphabet = Base64Alphabet::kStandard);

// Returns the bytes of `text` in either alphabet (not mixed), as DSSE allows
// for its payload and signatures. Same errors as Base64Decode.
absl::StatusOr<std::string> Base64DecodeAnyAlphabet(absl::string_view text);

}  // namespace pedigree::core

#endif  // PEDIGREE_CORE_ENCODING_BASE64_H_
