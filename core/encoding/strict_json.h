#ifndef PEDIGREE_CORE_ENCODING_STRICT_JSON_H_
#define PEDIGREE_CORE_ENCODING_STRICT_JSON_H_

// Strict JSON parsing for signed and user-supplied documents: the documents
// nlohmann-json's parser reads, as it reads them, without the silent
// leniency that lets two readers of one document see different values. Our
// own parser (strict_json.cc), for speed: a publish parses two documents.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace pedigree::core {

// What differs between callers of ParseStrictJson: how errors are worded.
struct StrictJsonOptions {
  // The path of the document itself, prefixed to every path in a message:
  // "meta" gives "meta.a[0].b"; empty gives "a[0].b".
  std::string root_path;
  // The whole message of the error for text that is not one JSON document,
  // e.g. "statement is not valid json".
  std::string not_json_message = "not valid json";
};

// Parses `text` as exactly one JSON document (RFC 8259; a leading UTF-8
// byte order mark is skipped) into the value nlohmann::json::parse returns:
// integers that fit are number_unsigned (number_integer when negative),
// other numbers double. Refuses what nlohmann would otherwise accept
// silently:
// - a repeated key in any object (nlohmann keeps only the last value, other
//   parsers keep the first, so the two would disagree on what was signed);
// - a NUL byte (nlohmann stops reading at one outside a string, so text after
//   it would be ignored).
// Also refuses what nlohmann refuses: empty input, text after the document,
// invalid UTF-8 (including unpaired surrogate escapes), and syntax errors.
//
// Returns InvalidArgument:
// - `options.not_json_message` if `text` is not one well-formed document;
// - "<path>: duplicate key" for the first repeated key, where <path> is the
//   key's JSON path after `options.root_path`: ".key" for keys of letters,
//   digits and '_' (no dot at the start of an empty root), `["key"]` with C
//   hex escapes otherwise, and "[i]" for array elements.
//
// Nesting depth is unbounded: parsing and destroying the result do not
// recurse, so a deeply nested document cannot exhaust the stack (copying it
// or dump() do recurse). Callers bound the size of `text`. Thread-safe: no
// shared state.
absl::StatusOr<nlohmann::json> ParseStrictJson(
    absl::string_view text, const StrictJsonOptions& options);

}  // namespace pedigree::core

#endif  // PEDIGREE_CORE_ENCODING_STRICT_JSON_H_
