#ifndef PEDIGREE_CORE_LICENSE_SPDX_LICENSE_LIST_H_
#define PEDIGREE_CORE_LICENSE_SPDX_LICENSE_LIST_H_

// The SPDX License List and license exception list, embedded at build time
// from core/license/data/ (spdx-license-list 6.12.0: 727 licenses;
// spdx-exceptions 2.5.0: 66 exceptions). Ids match case-insensitively (SPDX
// 2.3 Annex D.2); every lookup returns the canonical spelling.
//
// All functions are thread-safe: the tables are built once, on first use, and
// never change. The data carries no "deprecated" flag, so deprecated ids such
// as "GPL-2.0" are ordinary entries.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::license {

// One license of the SPDX License List, with its canonical spelling.
struct LicenseInfo {
  std::string id;    // canonical SPDX id, e.g. "Apache-2.0"
  std::string name;  // full name, e.g. "Apache License 2.0"
  std::string url;   // reference URL; empty when the list gives none
  bool osi_approved = false;
};

// Returns the SPDX entry whose id equals `id` ignoring ASCII case, NotFound
// naming `id` if there is none, or Internal if the embedded data is corrupt
// (a build defect).
absl::StatusOr<LicenseInfo> LookupSpdxLicense(absl::string_view id);

// Returns the canonical spelling of the SPDX license exception whose id
// equals `id` ignoring ASCII case (e.g. "classpath-exception-2.0" ->
// "Classpath-exception-2.0"), NotFound naming `id` if there is none, or
// Internal if the embedded data is corrupt.
absl::StatusOr<std::string> LookupSpdxException(absl::string_view id);

// Returns true if LookupSpdxException(id) would succeed.
bool IsSpdxException(absl::string_view id);

// Returns the number of licenses / exceptions loaded (0 if the embedded data
// is corrupt).
size_t SpdxLicenseCount();
size_t SpdxExceptionCount();

}  // namespace pedigree::core::license

#endif  // PEDIGREE_CORE_LICENSE_SPDX_LICENSE_LIST_H_
