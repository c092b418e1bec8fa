#ifndef PEDIGREE_CORE_RECORD_LOG_ENTRY_H_
#define PEDIGREE_CORE_RECORD_LOG_ENTRY_H_

// The bytes of the registry's transparency-log entries. A log leaf hash is
// core::merkle::HashLeaf over these bytes, so clients rebuild them from what
// they already hold (an envelope, a key) to check inclusion.
//
// Format (docs/transparency-log.md), one header line naming the kind, then
// the subject:
//
//   pedigree/log-entry/v1 record\n<the DSSE envelope JSON, verbatim>
//
//   pedigree/log-entry/v1 key\n<namespace>\n<key id>\n<key type>\n
//   <base64 SPKI DER>\n
//
// migrations/0002_create_transparency_log.sql builds the same bytes in SQL
// for the records and keys stored before the log existed.

#include <string>

#include "absl/strings/string_view.h"

namespace pedigree::core::record {

// Returns the log entry of a published record whose envelope is `envelope`
// (the JSON bytes exactly as stored).
std::string RecordLogEntry(absl::string_view envelope);

// Returns the log entry of a key registered to `namespace_name` (spelled as
// the namespace was created): `key_id` and `key_type` as core/crypto formats
// them, `spki_der` the key's DER SubjectPublicKeyInfo.
std::string KeyLogEntry(absl::string_view namespace_name,
                        absl::string_view key_id, absl::string_view key_type,
                        absl::string_view spki_der);

}  // namespace pedigree::core::record

#endif  // PEDIGREE_CORE_RECORD_LOG_ENTRY_H_
