#include "core/license/spdx_license_list.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/license/internal/spdx_data.h"
#include "nlohmann/json.hpp"

namespace pedigree::core::license {
namespace {

// Entries sorted by their lower-cased id, for case-insensitive binary search.
struct SpdxTables {
  bool ok = false;
  std::vector<std::pair<std::string, LicenseInfo>> licenses;
  std::vector<std::pair<std::string, std::string>> exceptions;
};

template <typename T>
void SortByKey(std::vector<std::pair<std::string, T>>& entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
}

template <typename T>
bool HasDuplicateKeys(const std::vector<std::pair<std::string, T>>& entries) {
  return std::adjacent_find(entries.begin(), entries.end(),
                            [](const auto& a, const auto& b) {
                              return a.first == b.first;
                            }) != entries.end();
}

// Parses the embedded JSON without exceptions. Any surprise in the data leaves
// `ok` false, which every lookup reports as Internal.
SpdxTables* BuildTables() {
  auto* tables = new SpdxTables();
  const absl::string_view licenses_json = internal::SpdxLicensesJson();
  const nlohmann::json licenses =
      nlohmann::json::parse(licenses_json.begin(), licenses_json.end(),
                            /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (licenses.is_discarded() || !licenses.is_object()) return tables;
  for (const auto& item : licenses.items()) {
    const nlohmann::json& value = item.value();
    if (!value.is_object()) return tables;
    const auto name = value.find("name");
    const auto url = value.find("url");
    const auto osi = value.find("osiApproved");
    if (name == value.end() || !name->is_string() || osi == value.end() ||
        !osi->is_boolean() || (url != value.end() && !url->is_string())) {
      return tables;
    }
    LicenseInfo info;
    info.id = item.key();
    info.name = name->get<std::string>();
    if (url != value.end()) info.url = url->get<std::string>();
    info.osi_approved = osi->get<bool>();
    tables->licenses.emplace_back(absl::AsciiStrToLower(info.id),
                                  std::move(info));
  }

  const absl::string_view exceptions_json = internal::SpdxExceptionsJson();
  const nlohmann::json exceptions =
      nlohmann::json::parse(exceptions_json.begin(), exceptions_json.end(),
                            /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (exceptions.is_discarded() || !exceptions.is_array()) return tables;
  for (const nlohmann::json& value : exceptions) {
    if (!value.is_string()) return tables;
    std::string id = value.get<std::string>();
    tables->exceptions.emplace_back(absl::AsciiStrToLower(id), std::move(id));
  }

  SortByKey(tables->licenses);
  SortByKey(tables->exceptions);
  tables->ok = !HasDuplicateKeys(tables->licenses) &&
               !HasDuplicateKeys(tables->exceptions);
  return tables;
}

const SpdxTables& Tables() {
  static const SpdxTables& tables = *BuildTables();
  return tables;
}

template <typename T>
const T* FindByKey(const std::vector<std::pair<std::string, T>>& entries,
                   absl::string_view id) {
  const std::string key = absl::AsciiStrToLower(id);
  auto it = std::lower_bound(
      entries.begin(), entries.end(), key,
      [](const auto& entry, const std::string& k) { return entry.first < k; });
  if (it == entries.end() || it->first != key) return nullptr;
  return &it->second;
}

absl::Status CorruptDataError() {
  return absl::InternalError("embedded spdx data is corrupt");
}

}  // namespace

absl::StatusOr<LicenseInfo> LookupSpdxLicense(absl::string_view id) {
  const SpdxTables& tables = Tables();
  if (!tables.ok) return CorruptDataError();
  const LicenseInfo* info = FindByKey(tables.licenses, id);
  if (info == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("unknown spdx license id '", id, "'"));
  }
  return *info;
}

absl::StatusOr<std::string> LookupSpdxException(absl::string_view id) {
  const SpdxTables& tables = Tables();
  if (!tables.ok) return CorruptDataError();
  const std::string* canonical = FindByKey(tables.exceptions, id);
  if (canonical == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("unknown spdx license exception id '", id, "'"));
  }
  return *canonical;
}

bool IsSpdxException(absl::string_view id) {
  return LookupSpdxException(id).ok();
}

size_t SpdxLicenseCount() {
  const SpdxTables& tables = Tables();
  return tables.ok ? tables.licenses.size() : 0;
}

size_t SpdxExceptionCount() {
  const SpdxTables& tables = Tables();
  return tables.ok ? tables.exceptions.size() : 0;
}

}  // namespace pedigree::core::license
