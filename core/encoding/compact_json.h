#ifndef PEDIGREE_CORE_ENCODING_COMPACT_JSON_H_
#define PEDIGREE_CORE_ENCODING_COMPACT_JSON_H_

// Compact JSON text of a document, as the canonical encodings of records,
// judgments and envelopes write it.

#include <string>

#include "nlohmann/json.hpp"

namespace pedigree::core {

// Returns exactly the bytes of
//   document.dump(-1, ' ', /*ensure_ascii=*/false,
//                 nlohmann::json::error_handler_t::replace)
// (no whitespace, object keys in byte order, control characters escaped,
// other characters as they are, invalid UTF-8 replaced by U+FFFD), written
// without nlohmann's byte-at-a-time string escaping. Thread-safe.
std::string DumpCompactJson(const nlohmann::json& document);

}  // namespace pedigree::core

#endif  // PEDIGREE_CORE_ENCODING_COMPACT_JSON_H_
