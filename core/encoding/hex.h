#ifndef PEDIGREE_CORE_ENCODING_HEX_H_
#define PEDIGREE_CORE_ENCODING_HEX_H_

// Strict hexadecimal encoding. Digests and key ids are lowercase hex
// everywhere in Pedigree; decoding refuses anything else so that one digest
// has exactly one spelling.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core {

// Returns `bytes` as lowercase hex, two characters per byte.
std::string HexEncode(absl::string_view bytes);

// Returns the bytes spelled by `hex`. Returns InvalidArgument if `hex` has odd
// length or any character outside [0-9a-f] (uppercase is refused).
absl::StatusOr<std::string> HexDecode(absl::string_view hex);

// Returns true if `hex` is exactly `byte_length` bytes of lowercase hex.
bool IsLowerHex(absl::string_view hex, size_t byte_length);

}  // namespace pedigree::core

#endif  // PEDIGREE_CORE_ENCODING_HEX_H_
