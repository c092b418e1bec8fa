#ifndef PEDIGREE_CORE_LICENSE_LICENSE_TERMS_H_
#define PEDIGREE_CORE_LICENSE_LICENSE_TERMS_H_

// What a license allows and demands, as far as the openness and lineage rules
// need it. Two sources feed it:
// - every id of the SPDX License List (spdx_license_list.h): osi_approved from
//   the SPDX data, the other properties from a small table of common licenses
//   (docs/license-catalog.md gives the table and its sources); any other SPDX
//   id gets family kUnknown and the defaults below, except that ids naming a
//   non-commercial license (containing "-NC-", ending in "-NC", or containing
//   "noncommercial") get kNonCommercial and commercial_use = false;
// - the model license catalog (core/license/data/model_licenses.json,
//   embedded at build time): vendor model licenses SPDX lacks, as LicenseRef-
//   ids, each with the URLs its facts come from.
//
// All functions are thread-safe: the tables are built once, on first use, and
// never change; returned pointers and spans stay valid for the life of the
// process.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pedigree::core::license {

enum class LicenseFamily {
  kPermissiveCode,  // OSI-approved permissive (MIT, Apache-2.0, BSD-*)
  kCopyleftCode,    // OSI-approved copyleft (GPL-*, LGPL-*, MPL-2.0, AGPL-*)
  kOpenData,        // open data licenses (CDLA-Permissive-*, CDLA-Sharing-1.0,
                    // ODbL-1.0, ODC-By-1.0, PDDL-1.0, CC0-1.0)
  kOpenContent,     // CC-BY-4.0, CC-BY-SA-4.0 and other CC-BY family
                    // (documents; also open data)
  kOpenRail,        // OpenRAIL family: open access with use-based
                    // restrictions that flow down
  kModelCommunity,  // vendor model licenses: Llama community, Gemma terms,
                    // Qwen, DeepSeek, Yi, ...
  kNonCommercial,   // CC-BY-NC-*, research-only licenses
  kProprietary,     // no public license / closed
  kUnknown,         // an id the catalog does not know
};

// Returns the enumerator name without the leading 'k' in snake case, e.g.
// "permissive_code", "model_community" (the spelling the catalog data file
// uses), or "unknown" for a value out of range.
absl::string_view LicenseFamilyName(LicenseFamily family);

struct LicenseTerms {
  std::string id;    // "Apache-2.0", "LicenseRef-Llama-3.1-Community"
  std::string name;  // full name, e.g. "Apache License 2.0"
  LicenseFamily family = LicenseFamily::kUnknown;
  // On the OSI list (from the SPDX data for SPDX ids; false for every
  // LicenseRef- id).
  bool osi_approved = false;
  // Counts as an open data license (MOF data/weights components).
  bool open_data = false;
  // Counts as an open documentation license (MOF documents: CC-BY family).
  bool open_documentation = false;
  bool commercial_use = true;
  // Monthly active users above which a separate license from the licensor is
  // needed (Llama 2/3.x: 700'000'000; Qwen License: 100'000'000).
  std::optional<uint64_t> monthly_active_users_limit;
  // An acceptable-use policy or behavioural restrictions.
  bool use_restrictions = false;
  // The use restrictions bind derivatives and redistributions too.
  bool restrictions_flow_to_derivatives = false;
  // Text a product or derivative must display, e.g. "Built with Llama".
  std::optional<std::string> attribution_text;
  // Derivative model names must begin with this, e.g. "Llama" (Llama 3.x).
  std::optional<std::string> derivative_name_prefix;
  // Models trained on its outputs (distillation, synthetic data) count as
  // derivatives of the licensed model.
  bool distillation_is_derivative = false;
  // Added field: the license forbids using the model or its outputs to
  // improve any other (large language) model, e.g. Llama 2 and Llama 3.
  // A student distilled from such a teacher is a violation, not a derivative.
  bool outputs_may_not_train_other_models = false;
  // URLs of the license text and of where each fact comes from. Never empty
  // for catalog entries; for SPDX ids the SPDX reference URL and the table's
  // source when the table knows the id.
  std::vector<std::string> sources;
  // Added field: free text on judgement calls and unavailable texts (catalog
  // entries only; empty when there is nothing to say).
  std::string notes;
  // Added field: the registry namespaces of the licensor, the party that
  // grants the license (e.g. {"meta-llama"} for the Llama licenses). Duties
  // the license puts on licensees do not bind the licensor's own records.
  // Catalog entries only; empty for SPDX ids and for license templates that
  // many licensors use (CreativeML OpenRAIL-M). Trusts the registry's
  // namespace ownership (docs/license-catalog.md).
  std::vector<std::string> licensor_namespaces;
};

// Returns true if `namespace_name` is one of `terms.licensor_namespaces`,
// compared ignoring ASCII case (the registry's namespaces are unique ignoring
// case, as on Hugging Face).
bool IsLicensorNamespace(const LicenseTerms& terms,
                         absl::string_view namespace_name);

// Returns the terms of `id` (an SPDX license id or a catalog LicenseRef- id),
// or nullptr if unknown. Ids match ignoring ASCII case ("apache-2.0" and
// "LicenseRef-llama-3.1-community" are found): for SPDX list ids as SPDX 2.3
// Annex D.2 says; for catalog LicenseRef- ids by Pedigree's choice, safe
// because no catalog entry is more permissive than an unknown license
// (docs/license-catalog.md cites exactly what SPDX says). The returned terms
// carry the canonical spelling in `id`, which callers should report. A near
// miss ("LicenseRef-Llama-3.1-Comunity") is unknown. Never allocates after
// first use. If the embedded data were corrupt (a build defect caught by the
// unit tests), the affected table is empty and lookups into it return nullptr.
const LicenseTerms* FindLicenseTerms(absl::string_view id);

// Every catalog (non-SPDX, LicenseRef-) entry, sorted by id.
absl::Span<const LicenseTerms> ModelLicenseCatalog();

// Maps a Hugging Face Hub license identifier (the `license:` value of a model
// card, e.g. "apache-2.0", "llama3.1", "gemma"; see
// https://huggingface.co/docs/hub/repositories-licenses) to the id
// FindLicenseTerms knows ("Apache-2.0", "LicenseRef-Llama-3.1-Community",
// "LicenseRef-Gemma-Terms-of-Use"). Exact, case-sensitive match on the Hub's
// lower-case spelling. Returns nullopt for "other" (the card's license_name /
// license_link must say more), for Hub ids with no catalog entry, and for
// anything else.
std::optional<std::string> LicenseIdForHubName(absl::string_view hub_name);

}  // namespace pedigree::core::license

#endif  // PEDIGREE_CORE_LICENSE_LICENSE_TERMS_H_
