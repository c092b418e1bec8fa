#ifndef PEDIGREE_CORE_RECORD_RECORD_TEST_UTIL_H_
#define PEDIGREE_CORE_RECORD_RECORD_TEST_UTIL_H_

// Test-data builders for records. For tests only (library
// pedigree_record_testing); every builder returns a record that passes
// ValidateRecord, so a test changes one field and checks one rule.

#include <string>

#include "core/record/record.h"

namespace pedigree::core::record {

// Returns a complete valid record exercising every part of the predicate:
// four files with formats and dtypes, a LicenseRef, all 17 openness
// components with mixed statuses (claim open_weight), three datasets
// (released, synthetic, undisclosed) and two lineage edges (finetune and a
// distillation teacher). It is the example in docs/record-format.md.
Record ValidRecordForTest();

// Returns the smallest valid record: one whole file, no license refs,
// datasets or lineage, every openness component not_published, claim
// unspecified. Its canonical statement is pinned byte for byte by a test.
Record MinimalRecordForTest();

// Returns `count` (1..255) bytes of value `fill`: a fake raw digest when
// count is 32.
std::string FilledBytes(char fill, size_t count = 32);

// Recomputes record->artifacts.root_digest from its files (sorting nothing).
// Leaves it unchanged if the files do not form a valid manifest.
void RecomputeRootDigest(Record* record);

// Returns the component entry of `record` for `component`, or nullptr.
OpennessComponent* FindComponent(Record* record, MofComponent component);

}  // namespace pedigree::core::record

#endif  // PEDIGREE_CORE_RECORD_RECORD_TEST_UTIL_H_
