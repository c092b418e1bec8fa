#include "server/storage/internal/array_literal.h"

#include <optional>
#include <string>
#include <vector>

namespace pedigree::server::storage::internal {

std::string ArrayLiteral(
    const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (!values[i].has_value()) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string ArrayLiteral(const std::vector<std::string>& values) {
  return ArrayLiteral(
      std::vector<std::optional<std::string>>(values.begin(), values.end()));
}

}  // namespace pedigree::server::storage::internal
