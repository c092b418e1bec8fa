#ifndef PEDIGREE_CORE_RECORD_STATEMENT_H_
#define PEDIGREE_CORE_RECORD_STATEMENT_H_

// The wire form of a Record: an in-toto Statement v1 whose subjects are the
// artifact files and whose predicate is the Pedigree provenance predicate.
// SerializeStatement produces canonical bytes (the bytes that are signed);
// ParseStatement reads any conforming JSON strictly. docs/record-format.md
// documents the format with a complete example.
//
//   PEDIGREE_ASSIGN_OR_RETURN(std::string payload, SerializeStatement(record));
//   PEDIGREE_ASSIGN_OR_RETURN(Record again, ParseStatement(payload));
//   // again == record

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/record/record.h"

namespace pedigree::core::record {

// The statement `_type` we read and write.
inline constexpr char kStatementType[] = "https://in-toto.io/Statement/v1";

// The versioned predicate type of this format. A future incompatible version
// gets a new URI ("/v2") and its own parser.
inline constexpr char kPredicateType[] = "https://pedigree.dev/provenance/v1";

// Statements larger than this are refused before parsing.
inline constexpr size_t kMaxStatementSize = size_t{32} << 20;

// Returns the canonical JSON encoding of `record` as an in-toto Statement:
// UTF-8, no insignificant whitespace, object keys sorted byte-wise at every
// level, integers only, optional fields omitted when absent, arrays always
// present, strings escaped as RFC 8785 does. For records that pass
// ValidateRecord the output is RFC 8785 (JCS) canonical JSON. The same record
// always gives the same bytes; changing them is a protocol change.
// Returns the ValidateRecord error (InvalidArgument with a field path) if
// `record` is not valid. Pure; thread-safe.
absl::StatusOr<std::string> SerializeStatement(const Record& record);

// SerializeStatement of a record already known to pass ValidateRecord (one
// ParseStatement returned, unchanged since), without validating it again:
// the check that a published payload is canonical re-serializes the record
// it just parsed. The bytes are unspecified for any other record.
std::string SerializeValidStatement(const Record& record);

// Parses and validates a statement. Strict: refuses input that is not JSON,
// is larger than kMaxStatementSize, has a duplicate object key, an unknown
// `_type` or `predicateType`, a missing or unknown field at any level, a field
// of the wrong JSON type (including null and non-integer numbers), a digest
// that is not 64 lowercase hex characters, subjects that do not list exactly
// predicate.artifacts.files (same order, names and digests), or any
// ValidateRecord rule. Every error is InvalidArgument naming the field path,
// e.g. `subject[3].digest.sha256: does not match
// predicate.artifacts.files[3].sha256`. The input need not be canonical:
// ParseStatement(SerializeStatement(r)) == r, but re-serializing a parsed
// statement may give different bytes than the input. Pure; thread-safe.
absl::StatusOr<Record> ParseStatement(absl::string_view json);

}  // namespace pedigree::core::record

#endif  // PEDIGREE_CORE_RECORD_STATEMENT_H_
