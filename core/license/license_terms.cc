#include "core/license/license_terms.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/license/internal/license_catalog.h"
#include "core/license/internal/spdx_data.h"
#include "core/license/spdx_license_list.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::core::license {
namespace {

using Json = nlohmann::json;

constexpr absl::string_view kCatalogFormat = "pedigree-license-catalog/2";
constexpr absl::string_view kLicenseRefPrefix = "LicenseRef-";
// Registry namespaces: core/record/model_ref.h allows at most 96 characters
// from [A-Za-z0-9._-] (core/license cannot depend on core/record).
constexpr size_t kMaxNamespaceLength = 96;

constexpr std::pair<LicenseFamily, absl::string_view> kFamilyNames[] = {
    {LicenseFamily::kPermissiveCode, "permissive_code"},
    {LicenseFamily::kCopyleftCode, "copyleft_code"},
    {LicenseFamily::kOpenData, "open_data"},
    {LicenseFamily::kOpenContent, "open_content"},
    {LicenseFamily::kOpenRail, "open_rail"},
    {LicenseFamily::kModelCommunity, "model_community"},
    {LicenseFamily::kNonCommercial, "non_commercial"},
    {LicenseFamily::kProprietary, "proprietary"},
    {LicenseFamily::kUnknown, "unknown"},
};

// Hugging Face Hub `license:` ids (https://huggingface.co/docs/hub/
// repositories-licenses) and, after them, `license_name:` values that cards
// tagged `license: other` commonly use for catalog licenses. Hub ids that
// name a family rather than one license ("bsd", "cc", "gpl", "openrail", ...)
// or have no catalog entry are deliberately absent.
constexpr std::pair<absl::string_view, absl::string_view> kHubNames[] = {
    {"apache-2.0", "Apache-2.0"},
    {"mit", "MIT"},
    {"creativeml-openrail-m", "LicenseRef-CreativeML-OpenRAIL-M"},
    {"bigscience-bloom-rail-1.0", "LicenseRef-BigScience-BLOOM-RAIL-1.0"},
    {"afl-3.0", "AFL-3.0"},
    {"artistic-2.0", "Artistic-2.0"},
    {"bsl-1.0", "BSL-1.0"},
    {"bsd-2-clause", "BSD-2-Clause"},
    {"bsd-3-clause", "BSD-3-Clause"},
    {"bsd-3-clause-clear", "BSD-3-Clause-Clear"},
    {"c-uda", "C-UDA-1.0"},
    {"cc0-1.0", "CC0-1.0"},
    {"cc-by-2.0", "CC-BY-2.0"},
    {"cc-by-2.5", "CC-BY-2.5"},
    {"cc-by-3.0", "CC-BY-3.0"},
    {"cc-by-4.0", "CC-BY-4.0"},
    {"cc-by-sa-3.0", "CC-BY-SA-3.0"},
    {"cc-by-sa-4.0", "CC-BY-SA-4.0"},
    {"cc-by-nc-2.0", "CC-BY-NC-2.0"},
    {"cc-by-nc-3.0", "CC-BY-NC-3.0"},
    {"cc-by-nc-4.0", "CC-BY-NC-4.0"},
    {"cc-by-nd-4.0", "CC-BY-ND-4.0"},
    {"cc-by-nc-nd-3.0", "CC-BY-NC-ND-3.0"},
    {"cc-by-nc-nd-4.0", "CC-BY-NC-ND-4.0"},
    {"cc-by-nc-sa-2.0", "CC-BY-NC-SA-2.0"},
    {"cc-by-nc-sa-3.0", "CC-BY-NC-SA-3.0"},
    {"cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"},
    {"cdla-sharing-1.0", "CDLA-Sharing-1.0"},
    {"cdla-permissive-1.0", "CDLA-Permissive-1.0"},
    {"cdla-permissive-2.0", "CDLA-Permissive-2.0"},
    {"wtfpl", "WTFPL"},
    {"ecl-2.0", "ECL-2.0"},
    {"epl-1.0", "EPL-1.0"},
    {"epl-2.0", "EPL-2.0"},
    {"etalab-2.0", "etalab-2.0"},
    {"eupl-1.1", "EUPL-1.1"},
    {"eupl-1.2", "EUPL-1.2"},
    // The Hub ids do not say "-only" or "-or-later"; the deprecated SPDX ids
    // keep that ambiguity rather than guessing.
    {"agpl-3.0", "AGPL-3.0"},
    {"gpl-2.0", "GPL-2.0"},
    {"gpl-3.0", "GPL-3.0"},
    {"lgpl-2.1", "LGPL-2.1"},
    {"lgpl-3.0", "LGPL-3.0"},
    {"isc", "ISC"},
    {"lppl-1.3c", "LPPL-1.3c"},
    {"ms-pl", "MS-PL"},
    {"mpl-2.0", "MPL-2.0"},
    {"odc-by", "ODC-By-1.0"},
    {"odbl", "ODbL-1.0"},
    {"openmdw-1.0", "OpenMDW-1.0"},
    {"osl-3.0", "OSL-3.0"},
    {"postgresql", "PostgreSQL"},
    {"ofl-1.1", "OFL-1.1"},
    {"ncsa", "NCSA"},
    {"unlicense", "Unlicense"},
    {"zlib", "Zlib"},
    {"pddl", "PDDL-1.0"},
    {"lgpl-lr", "LGPLLR"},
    {"llama2", "LicenseRef-Llama-2-Community"},
    {"llama3", "LicenseRef-Llama-3-Community"},
    {"llama3.1", "LicenseRef-Llama-3.1-Community"},
    {"llama3.2", "LicenseRef-Llama-3.2-Community"},
    {"llama3.3", "LicenseRef-Llama-3.3-Community"},
    {"gemma", "LicenseRef-Gemma-Terms-of-Use"},
    // license_name values (with `license: other`).
    {"qwen", "LicenseRef-Qwen-License"},
    {"qwen-research", "LicenseRef-Qwen-Research-License"},
    {"tongyi-qianwen", "LicenseRef-Tongyi-Qianwen-License"},
    {"deepseek", "LicenseRef-DeepSeek-License-1.0"},
    {"deepseek-license", "LicenseRef-DeepSeek-License-1.0"},
    {"yi-license", "LicenseRef-Yi-License-1.0"},
    {"mrl", "LicenseRef-Mistral-Research-License"},
    {"falcon-180b-license", "LicenseRef-Falcon-180B-TII-License-1.0"},
};

// Byte-wise order of the ASCII-lower-cased strings, without allocating.
bool LessIgnoringCase(absl::string_view a, absl::string_view b) {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return absl::ascii_tolower(static_cast<unsigned char>(x)) <
               absl::ascii_tolower(static_cast<unsigned char>(y));
      });
}

bool IsNamespaceChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '-';
}

std::optional<LicenseFamily> ParseFamily(absl::string_view name) {
  for (const auto& [family, family_name] : kFamilyNames) {
    if (family_name == name) return family;
  }
  return std::nullopt;
}

// Field readers for one catalog entry. `where` names the entry in errors.
class EntryReader {
 public:
  EntryReader(const Json& entry, std::string where)
      : entry_(entry), where_(std::move(where)) {}

  absl::Status Error(absl::string_view field, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(where_, ": field '", field, "' ", what));
  }

  // Rejects keys outside `allowed` (typos must not silently drop a fact).
  absl::Status CheckKeys(std::initializer_list<absl::string_view> allowed) {
    for (const auto& item : entry_.items()) {
      if (std::find(allowed.begin(), allowed.end(), item.key()) ==
          allowed.end()) {
        return Error(item.key(), "is not a catalog field");
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<const Json*> Find(absl::string_view field) const {
    const auto it = entry_.find(std::string(field));
    if (it == entry_.end()) return Error(field, "is missing");
    return &*it;
  }

  absl::Status String(absl::string_view field, std::string& out) const {
    PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Find(field));
    if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
      return Error(field, "must be a non-empty string");
    }
    out = value->get<std::string>();
    return absl::OkStatus();
  }

  absl::Status Bool(absl::string_view field, bool& out) const {
    PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Find(field));
    if (!value->is_boolean()) return Error(field, "must be true or false");
    out = value->get<bool>();
    return absl::OkStatus();
  }

  absl::Status OptionalString(absl::string_view field,
                              std::optional<std::string>& out) const {
    PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Find(field));
    if (value->is_null()) {
      out.reset();
      return absl::OkStatus();
    }
    if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
      return Error(field, "must be null or a non-empty string");
    }
    out = value->get<std::string>();
    return absl::OkStatus();
  }

  absl::Status OptionalPositiveInteger(absl::string_view field,
                                       std::optional<uint64_t>& out) const {
    PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Find(field));
    if (value->is_null()) {
      out.reset();
      return absl::OkStatus();
    }
    // is_number_unsigned() is false for negative and fractional numbers.
    if (!value->is_number_unsigned() || value->get<uint64_t>() == 0) {
      return Error(field, "must be null or a positive integer");
    }
    out = value->get<uint64_t>();
    return absl::OkStatus();
  }

  absl::Status Family(LicenseFamily& out) const {
    std::string name;
    PEDIGREE_RETURN_IF_ERROR(String("family", name));
    const std::optional<LicenseFamily> family = ParseFamily(name);
    if (!family.has_value()) {
      return Error("family", absl::StrCat("has unknown value '", name, "'"));
    }
    out = *family;
    return absl::OkStatus();
  }

  // An array (possibly empty) of distinct registry namespaces.
  absl::Status Namespaces(absl::string_view field,
                          std::vector<std::string>& out) const {
    PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Find(field));
    if (!value->is_array()) {
      return Error(field, "must be an array of registry namespaces");
    }
    out.clear();
    for (const Json& item : *value) {
      if (!item.is_string()) {
        return Error(field, "must hold only registry namespaces");
      }
      const std::string& name = item.get_ref<const std::string&>();
      if (name.empty() || name.size() > kMaxNamespaceLength ||
          !std::all_of(name.begin(), name.end(), IsNamespaceChar)) {
        return Error(field, absl::StrCat("holds '", name,
                                         "', which is not 1 to 96 characters "
                                         "from [A-Za-z0-9._-]"));
      }
      for (const std::string& seen : out) {
        if (absl::EqualsIgnoreCase(seen, name)) {
          return Error(field, absl::StrCat("repeats '", name, "'"));
        }
      }
      out.push_back(name);
    }
    return absl::OkStatus();
  }

  absl::Status Sources(std::vector<std::string>& out) const {
    PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Find("sources"));
    if (!value->is_array() || value->empty()) {
      return Error("sources", "must be a non-empty array of urls");
    }
    out.clear();
    for (const Json& source : *value) {
      if (!source.is_string() ||
          !(absl::StartsWith(source.get_ref<const std::string&>(),
                             "https://") ||
            absl::StartsWith(source.get_ref<const std::string&>(),
                             "http://"))) {
        return Error("sources", "must hold only http(s) urls");
      }
      out.push_back(source.get<std::string>());
    }
    return absl::OkStatus();
  }

 private:
  const Json& entry_;
  std::string where_;
};

absl::StatusOr<LicenseTerms> ParseModelLicense(const Json& entry,
                                               size_t index) {
  if (!entry.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model_licenses[", index, "]: must be an object"));
  }
  LicenseTerms terms;
  PEDIGREE_RETURN_IF_ERROR(
      EntryReader(entry, absl::StrCat("model_licenses[", index, "]"))
          .String("id", terms.id));
  EntryReader reader(entry, absl::StrCat("model license '", terms.id, "'"));
  if (!absl::StartsWith(terms.id, kLicenseRefPrefix) ||
      terms.id.size() == kLicenseRefPrefix.size()) {
    return reader.Error("id", "must start with 'LicenseRef-'");
  }
  PEDIGREE_RETURN_IF_ERROR(reader.CheckKeys(
      {"id", "name", "family", "open_data", "open_documentation",
       "commercial_use", "monthly_active_users_limit", "use_restrictions",
       "restrictions_flow_to_derivatives", "attribution_text",
       "derivative_name_prefix", "distillation_is_derivative",
       "outputs_may_not_train_other_models", "licensor_namespaces", "sources",
       "notes"}));
  PEDIGREE_RETURN_IF_ERROR(reader.String("name", terms.name));
  PEDIGREE_RETURN_IF_ERROR(reader.Family(terms.family));
  PEDIGREE_RETURN_IF_ERROR(reader.Bool("open_data", terms.open_data));
  PEDIGREE_RETURN_IF_ERROR(
      reader.Bool("open_documentation", terms.open_documentation));
  PEDIGREE_RETURN_IF_ERROR(reader.Bool("commercial_use", terms.commercial_use));
  PEDIGREE_RETURN_IF_ERROR(reader.OptionalPositiveInteger(
      "monthly_active_users_limit", terms.monthly_active_users_limit));
  PEDIGREE_RETURN_IF_ERROR(
      reader.Bool("use_restrictions", terms.use_restrictions));
  PEDIGREE_RETURN_IF_ERROR(reader.Bool("restrictions_flow_to_derivatives",
                                       terms.restrictions_flow_to_derivatives));
  PEDIGREE_RETURN_IF_ERROR(
      reader.OptionalString("attribution_text", terms.attribution_text));
  PEDIGREE_RETURN_IF_ERROR(reader.OptionalString("derivative_name_prefix",
                                                 terms.derivative_name_prefix));
  PEDIGREE_RETURN_IF_ERROR(reader.Bool("distillation_is_derivative",
                                       terms.distillation_is_derivative));
  PEDIGREE_RETURN_IF_ERROR(
      reader.Bool("outputs_may_not_train_other_models",
                  terms.outputs_may_not_train_other_models));
  PEDIGREE_RETURN_IF_ERROR(
      reader.Namespaces("licensor_namespaces", terms.licensor_namespaces));
  PEDIGREE_RETURN_IF_ERROR(reader.Sources(terms.sources));
  PEDIGREE_RETURN_IF_ERROR(reader.String("notes", terms.notes));
  return terms;
}

absl::StatusOr<LicenseTerms> ParseSpdxProperties(const Json& entry,
                                                 size_t index) {
  if (!entry.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("spdx_properties[", index, "]: must be an object"));
  }
  LicenseTerms terms;
  PEDIGREE_RETURN_IF_ERROR(
      EntryReader(entry, absl::StrCat("spdx_properties[", index, "]"))
          .String("id", terms.id));
  EntryReader reader(entry, absl::StrCat("spdx license '", terms.id, "'"));
  PEDIGREE_RETURN_IF_ERROR(
      reader.CheckKeys({"id", "family", "open_data", "open_documentation",
                        "commercial_use", "sources"}));
  absl::StatusOr<LicenseInfo> info = LookupSpdxLicense(terms.id);
  if (!info.ok()) {
    if (absl::IsNotFound(info.status())) {
      return reader.Error("id", "is not an spdx license id");
    }
    return info.status();
  }
  if (info->id != terms.id) {
    return reader.Error(
        "id", absl::StrCat("must use the canonical spelling '", info->id, "'"));
  }
  terms.name = info->name;
  terms.osi_approved = info->osi_approved;
  PEDIGREE_RETURN_IF_ERROR(reader.Family(terms.family));
  PEDIGREE_RETURN_IF_ERROR(reader.Bool("open_data", terms.open_data));
  PEDIGREE_RETURN_IF_ERROR(
      reader.Bool("open_documentation", terms.open_documentation));
  PEDIGREE_RETURN_IF_ERROR(reader.Bool("commercial_use", terms.commercial_use));
  PEDIGREE_RETURN_IF_ERROR(reader.Sources(terms.sources));
  if (!info->url.empty())
    terms.sources.insert(terms.sources.begin(), info->url);
  return terms;
}

bool IdLess(const LicenseTerms& a, const LicenseTerms& b) {
  return a.id < b.id;
}

bool IdLessIgnoringCase(const LicenseTerms& a, const LicenseTerms& b) {
  return LessIgnoringCase(a.id, b.id);
}

// Ids ignoring ASCII case, then byte-wise: a total order, so that ids
// differing only in case sort the same way whatever their input order.
bool IdLessIgnoringCaseThenBytes(const LicenseTerms& a, const LicenseTerms& b) {
  if (LessIgnoringCase(a.id, b.id)) return true;
  if (LessIgnoringCase(b.id, a.id)) return false;
  return a.id < b.id;
}

// Sorts `entries` by id. If two ids are equal ignoring ASCII case (lookups
// ignore case, so "LicenseRef-A" and "LicenseRef-a" would collide), returns
// an error message fragment naming both, byte-wise smaller first, for the
// first such pair in that order (so the message does not depend on the
// file's order).
std::optional<std::string> SortAndFindDuplicate(
    std::vector<LicenseTerms>& entries) {
  std::sort(entries.begin(), entries.end(), IdLessIgnoringCaseThenBytes);
  const auto it =
      std::adjacent_find(entries.begin(), entries.end(),
                         [](const LicenseTerms& a, const LicenseTerms& b) {
                           return absl::EqualsIgnoreCase(a.id, b.id);
                         });
  std::optional<std::string> duplicate;
  if (it != entries.end()) {
    const std::string& first = it->id;
    const std::string& second = std::next(it)->id;
    duplicate = first == second
                    ? absl::StrCat("repeats id '", first, "'")
                    : absl::StrCat("repeats id '", first, "' as '", second,
                                   "' (ids must be unique ignoring case)");
  }
  std::sort(entries.begin(), entries.end(), IdLess);
  return duplicate;
}

absl::StatusOr<std::vector<LicenseTerms>> ParseArray(
    const Json& root, absl::string_view field,
    absl::StatusOr<LicenseTerms> (*parse)(const Json&, size_t)) {
  const auto it = root.find(std::string(field));
  if (it == root.end() || !it->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("license catalog: field '", field, "' must be an array"));
  }
  std::vector<LicenseTerms> entries;
  for (size_t i = 0; i < it->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(LicenseTerms terms, parse((*it)[i], i));
    entries.push_back(std::move(terms));
  }
  if (std::optional<std::string> duplicate = SortAndFindDuplicate(entries)) {
    return absl::InvalidArgumentError(
        absl::StrCat("license catalog: field '", field, "' ", *duplicate));
  }
  return entries;
}

// Every SPDX license with the properties the SPDX data alone gives.
// Non-commercial ids (CC-*-NC-*, PolyForm Noncommercial, ...) are recognised
// by name so that no table gap can make them look commercial-friendly.
std::vector<LicenseTerms> SpdxBaseTerms() {
  std::vector<LicenseTerms> terms;
  const absl::string_view json = internal::SpdxLicensesJson();
  const Json licenses = Json::parse(json.begin(), json.end(), /*cb=*/nullptr,
                                    /*allow_exceptions=*/false);
  // LookupSpdxLicense reports a corrupt list; here it just yields nothing.
  if (licenses.is_discarded() || !licenses.is_object()) return terms;
  for (const auto& item : licenses.items()) {
    absl::StatusOr<LicenseInfo> info = LookupSpdxLicense(item.key());
    if (!info.ok()) return {};
    LicenseTerms entry;
    entry.id = info->id;
    entry.name = info->name;
    entry.osi_approved = info->osi_approved;
    if (!info->url.empty()) entry.sources.push_back(info->url);
    if (absl::StrContains(entry.id, "-NC-") ||
        absl::EndsWith(entry.id, "-NC") ||
        absl::StrContains(absl::AsciiStrToLower(entry.id), "noncommercial")) {
      entry.family = LicenseFamily::kNonCommercial;
      entry.commercial_use = false;
    }
    terms.push_back(std::move(entry));
  }
  return terms;
}

struct Tables {
  std::vector<LicenseTerms> model;  // catalog entries, sorted by id
  // SPDX ids and catalog entries, sorted by id ignoring ASCII case (unique
  // that way: the SPDX list is checked by spdx_license_list.cc, the catalog
  // by SortAndFindDuplicate, and only catalog ids start with "LicenseRef-").
  std::vector<LicenseTerms> all;
};

Tables* BuildTables() {
  auto* tables = new Tables();
  absl::StatusOr<internal::LicenseCatalog> catalog =
      internal::ParseLicenseCatalog(internal::ModelLicensesJson());
  tables->all = SpdxBaseTerms();
  std::sort(tables->all.begin(), tables->all.end(), IdLess);
  if (catalog.ok()) {
    for (LicenseTerms& properties : catalog->spdx_properties) {
      auto it = std::lower_bound(tables->all.begin(), tables->all.end(),
                                 properties, IdLess);
      if (it != tables->all.end() && it->id == properties.id) {
        *it = std::move(properties);
      }
    }
    tables->model = std::move(catalog->model_licenses);
    tables->all.insert(tables->all.end(), tables->model.begin(),
                       tables->model.end());
  }
  std::sort(tables->all.begin(), tables->all.end(), IdLessIgnoringCase);
  return tables;
}

const Tables& GetTables() {
  static const Tables& tables = *BuildTables();
  return tables;
}

}  // namespace

namespace internal {

absl::StatusOr<LicenseCatalog> ParseLicenseCatalog(absl::string_view json) {
  const Json root = Json::parse(json.begin(), json.end(), /*cb=*/nullptr,
                                /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return absl::InvalidArgumentError("license catalog: not a json object");
  }
  for (const auto& item : root.items()) {
    if (item.key() != "format" && item.key() != "model_licenses" &&
        item.key() != "spdx_properties") {
      return absl::InvalidArgumentError(absl::StrCat(
          "license catalog: unknown top-level field '", item.key(), "'"));
    }
  }
  const auto format = root.find("format");
  if (format == root.end() || !format->is_string() ||
      format->get_ref<const std::string&>() != kCatalogFormat) {
    return absl::InvalidArgumentError(absl::StrCat(
        "license catalog: field 'format' must be '", kCatalogFormat, "'"));
  }
  LicenseCatalog catalog;
  PEDIGREE_ASSIGN_OR_RETURN(
      catalog.model_licenses,
      ParseArray(root, "model_licenses", &ParseModelLicense));
  PEDIGREE_ASSIGN_OR_RETURN(
      catalog.spdx_properties,
      ParseArray(root, "spdx_properties", &ParseSpdxProperties));
  return catalog;
}

}  // namespace internal

absl::string_view LicenseFamilyName(LicenseFamily family) {
  for (const auto& [value, name] : kFamilyNames) {
    if (value == family) return name;
  }
  return "unknown";
}

const LicenseTerms* FindLicenseTerms(absl::string_view id) {
  const std::vector<LicenseTerms>& all = GetTables().all;
  const auto it =
      std::lower_bound(all.begin(), all.end(), id,
                       [](const LicenseTerms& terms, absl::string_view key) {
                         return LessIgnoringCase(terms.id, key);
                       });
  if (it == all.end() || !absl::EqualsIgnoreCase(it->id, id)) return nullptr;
  return &*it;
}

bool IsLicensorNamespace(const LicenseTerms& terms,
                         absl::string_view namespace_name) {
  return std::any_of(terms.licensor_namespaces.begin(),
                     terms.licensor_namespaces.end(),
                     [namespace_name](const std::string& licensor) {
                       return absl::EqualsIgnoreCase(licensor, namespace_name);
                     });
}

absl::Span<const LicenseTerms> ModelLicenseCatalog() {
  return GetTables().model;
}

std::optional<std::string> LicenseIdForHubName(absl::string_view hub_name) {
  for (const auto& [hub, id] : kHubNames) {
    if (hub == hub_name) return std::string(id);
  }
  return std::nullopt;
}

}  // namespace pedigree::core::license
