#ifndef PEDIGREE_CORE_LICENSE_INTERNAL_SPDX_DATA_H_
#define PEDIGREE_CORE_LICENSE_INTERNAL_SPDX_DATA_H_

// The SPDX data files of core/license/data/, embedded at build time by
// core/license/CMakeLists.txt (the definitions are generated from
// spdx_data.cc.in). Not part of the public API.

#include "absl/strings/string_view.h"

namespace pedigree::core::license::internal {

// The bytes of data/spdx-licenses.json: {id: {name, url, osiApproved}}.
absl::string_view SpdxLicensesJson();

// The bytes of data/spdx-exceptions.json: a JSON array of exception ids.
absl::string_view SpdxExceptionsJson();

}  // namespace pedigree::core::license::internal

#endif  // PEDIGREE_CORE_LICENSE_INTERNAL_SPDX_DATA_H_
