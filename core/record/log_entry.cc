#include "core/record/log_entry.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/encoding/base64.h"

namespace pedigree::core::record {

std::string RecordLogEntry(absl::string_view envelope) {
  return absl::StrCat("pedigree/log-entry/v1 record\n", envelope);
}

std::string KeyLogEntry(absl::string_view namespace_name,
                        absl::string_view key_id, absl::string_view key_type,
                        absl::string_view spki_der) {
  return absl::StrCat("pedigree/log-entry/v1 key\n", namespace_name, "\n",
                      key_id, "\n", key_type, "\n",
                      core::Base64Encode(spki_der), "\n");
}

}  // namespace pedigree::core::record
