#ifndef PEDIGREE_CORE_RECORD_COUNTRY_CODE_H_
#define PEDIGREE_CORE_RECORD_COUNTRY_CODE_H_

// ISO 3166-1 alpha-2 country codes, for the jurisdiction of a publisher.

#include <cstddef>

#include "absl/strings/string_view.h"

namespace pedigree::core::record {

// Number of officially assigned ISO 3166-1 alpha-2 codes in the embedded
// table (249, as published by the ISO 3166 Maintenance Agency in 2024).
inline constexpr size_t kAssignedCountryCodeCount = 249;

// Returns true if `code` is an officially assigned ISO 3166-1 alpha-2 code:
// two upper-case ASCII letters in the embedded table. Exceptionally,
// transitionally or user-assigned codes ("EU", "UK", "XK", "AN") and
// lower-case spellings are refused. Thread-safe; no allocation.
bool IsAssignedCountryCode(absl::string_view code);

// Returns the `index`-th assigned code (0 <= index <
// kAssignedCountryCodeCount) in alphabetical order; empty if out of range.
absl::string_view AssignedCountryCode(size_t index);

}  // namespace pedigree::core::record

#endif  // PEDIGREE_CORE_RECORD_COUNTRY_CODE_H_
