#include "core/record/log_entry.h"

#include <string>

#include "gtest/gtest.h"

namespace pedigree::core::record {
namespace {

TEST(RecordLogEntry, IsTheHeaderLineThenTheEnvelopeVerbatim) {
  const std::string envelope = "{\"payload\":\"e30=\"}\n";

  EXPECT_EQ(RecordLogEntry(envelope),
            "pedigree/log-entry/v1 record\n{\"payload\":\"e30=\"}\n");
}

TEST(KeyLogEntry, IsOneLinePerFieldWithTheKeyInBase64) {
  const std::string spki("\x30\x2a\x30\x05\xff", 5);

  EXPECT_EQ(KeyLogEntry("Qwen", "ab12", "ed25519", spki),
            "pedigree/log-entry/v1 key\nQwen\nab12\ned25519\nMCowBf8=\n");
}

TEST(KeyLogEntry, DiffersFromARecordEntryWithTheSameBytes) {
  EXPECT_NE(KeyLogEntry("a", "b", "c", ""), RecordLogEntry("a\nb\nc\n\n"));
}

}  // namespace
}  // namespace pedigree::core::record
