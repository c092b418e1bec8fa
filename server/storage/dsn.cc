#include "server/storage/dsn.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace pedigree::server::storage {
namespace {

struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

// Parses `dsn` into (keyword, value) pairs for every option that is set.
// Returns false if libpq rejects it.
bool ParseDsn(absl::string_view dsn,
              std::vector<std::pair<std::string, std::string>>* out) {
  char* error = nullptr;
  const std::string text(dsn);
  ConninfoPtr options(PQconninfoParse(text.c_str(), &error));
  // libpq's message may quote fragments of the string: never surface it.
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return false;
  for (const PQconninfoOption* option = options.get();
       option->keyword != nullptr; ++option) {
    if (option->val != nullptr) out->emplace_back(option->keyword, option->val);
  }
  return true;
}

}  // namespace

std::string QuoteDsnValue(absl::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('\'');
  return quoted;
}

absl::Status ValidateDsn(absl::string_view dsn) {
  std::vector<std::pair<std::string, std::string>> options;
  if (!ParseDsn(dsn, &options)) {
    return absl::InvalidArgumentError(
        "database url is malformed: expected a libpq connection string "
        "(\"host=... dbname=...\") or a postgresql:// uri");
  }
  return absl::OkStatus();
}

std::string RedactDsn(absl::string_view dsn) {
  std::vector<std::pair<std::string, std::string>> options;
  if (!ParseDsn(dsn, &options)) return "<malformed database url>";
  std::vector<std::string> parts;
  for (const char* keyword : {"host", "hostaddr", "port", "dbname", "user"}) {
    for (const auto& [key, value] : options) {
      if (key == keyword) parts.push_back(absl::StrCat(key, "=", value));
    }
  }
  return absl::StrJoin(parts, " ");
}

std::string DsnPassword(absl::string_view dsn) {
  std::vector<std::pair<std::string, std::string>> options;
  if (!ParseDsn(dsn, &options)) return "";
  for (const auto& [key, value] : options) {
    if (key == "password") return value;
  }
  return "";
}

absl::StatusOr<std::string> DsnWithDatabase(absl::string_view dsn,
                                            absl::string_view dbname) {
  std::vector<std::pair<std::string, std::string>> options;
  if (!ParseDsn(dsn, &options)) {
    return absl::InvalidArgumentError("database url is malformed");
  }
  std::vector<std::string> parts;
  for (const auto& [key, value] : options) {
    if (key != "dbname") parts.push_back(key + "=" + QuoteDsnValue(value));
  }
  parts.push_back("dbname=" + QuoteDsnValue(dbname));
  return absl::StrJoin(parts, " ");
}

absl::StatusOr<std::string> DsnWithDefaults(
    absl::string_view dsn,
    const std::vector<std::pair<std::string, std::string>>& defaults) {
  std::vector<std::pair<std::string, std::string>> options;
  if (!ParseDsn(dsn, &options)) {
    return absl::InvalidArgumentError("database url is malformed");
  }
  std::vector<std::string> parts;
  for (const auto& [key, value] : options) {
    parts.push_back(key + "=" + QuoteDsnValue(value));
  }
  for (const auto& [key, value] : defaults) {
    const bool set = std::any_of(
        options.begin(), options.end(),
        [&key = key](const auto& option) { return option.first == key; });
    if (!set) parts.push_back(key + "=" + QuoteDsnValue(value));
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace pedigree::server::storage
