#ifndef PEDIGREE_CORE_LICENSE_INTERNAL_LICENSE_CATALOG_H_
#define PEDIGREE_CORE_LICENSE_INTERNAL_LICENSE_CATALOG_H_

// The license catalog data file (core/license/data/model_licenses.json),
// embedded at build time, and its strict parser. Not part of the public API:
// license_terms.h is; this header exists so the unit tests can load the
// embedded file and feed the parser malformed input.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/license/license_terms.h"

namespace pedigree::core::license::internal {

// The bytes of data/model_licenses.json.
absl::string_view ModelLicensesJson();

struct LicenseCatalog {
  // Catalog entries (LicenseRef- ids), sorted by id, unique ignoring case.
  std::vector<LicenseTerms> model_licenses;
  // Table properties of common SPDX ids, sorted by id, unique; name and
  // osi_approved filled in from the SPDX data.
  std::vector<LicenseTerms> spdx_properties;
};

// Parses a catalog file strictly: the top level is an object with exactly
// "format" ("pedigree-license-catalog/2"), "model_licenses" and
// "spdx_properties"; every entry has exactly the documented keys with the
// documented types (see docs/license-catalog.md), a known family, at least
// one "http(s)://" source, and an id that is unique ignoring ASCII case (ids
// are looked up that way); model license ids start with "LicenseRef-",
// spdx_properties ids are canonical SPDX license ids. A model license's
// licensor_namespaces is an array (possibly empty) of distinct (ignoring
// case) registry namespaces: 1 to 96 characters from [A-Za-z0-9._-].
// A monthly_active_users_limit is null or a positive integer; attribution_text
// and derivative_name_prefix are null or non-empty strings. Returns
// InvalidArgument naming the offending entry and field, or Internal if the
// embedded SPDX list is corrupt.
absl::StatusOr<LicenseCatalog> ParseLicenseCatalog(absl::string_view json);

}  // namespace pedigree::core::license::internal

#endif  // PEDIGREE_CORE_LICENSE_INTERNAL_LICENSE_CATALOG_H_
