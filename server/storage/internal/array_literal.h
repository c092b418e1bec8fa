#ifndef PEDIGREE_SERVER_STORAGE_INTERNAL_ARRAY_LITERAL_H_
#define PEDIGREE_SERVER_STORAGE_INTERNAL_ARRAY_LITERAL_H_

// PostgreSQL array literals for array parameters (server/storage/ only): a
// list travels as one text parameter and is cast in SQL ($1::text[],
// $2::bigint[]). Every text element is quoted and escaped, so no element can
// change the array's shape; absent elements are NULL.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace pedigree::server::storage::internal {

std::string ArrayLiteral(const std::vector<std::optional<std::string>>& values);
std::string ArrayLiteral(const std::vector<std::string>& values);

// Integers (any integral type, optionally nullable), e.g. "{1,NULL,3}".
template <typename Int>
std::string ArrayLiteral(const std::vector<Int>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ",", values[i]);
  }
  out += '}';
  return out;
}
template <typename Int>
std::string ArrayLiteral(const std::vector<std::optional<Int>>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (values[i].has_value()) {
      absl::StrAppend(&out, *values[i]);
    } else {
      out += "NULL";
    }
  }
  out += '}';
  return out;
}

}  // namespace pedigree::server::storage::internal

#endif  // PEDIGREE_SERVER_STORAGE_INTERNAL_ARRAY_LITERAL_H_
