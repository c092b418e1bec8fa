#include "core/encoding/json_object_reader.h"

#include <limits>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace pedigree::core {
namespace {

absl::Status FieldError(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

}  // namespace

std::string JsonMemberPath(absl::string_view path, absl::string_view key) {
  bool plain = !key.empty();
  for (const char c : key) {
    plain = plain && (absl::ascii_isalnum(c) || c == '_');
  }
  if (plain) {
    return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
  }
  return absl::StrCat(path, "[\"", absl::CHexEscape(key), "\"]");
}

std::string JsonIndexPath(absl::string_view path, size_t index) {
  return absl::StrCat(path, "[", index, "]");
}

absl::StatusOr<JsonObjectReader> JsonObjectReader::Create(
    const Json& value, std::string path,
    std::initializer_list<absl::string_view> known_keys) {
  if (!value.is_object()) return FieldError(path, "expected an object");
  for (auto it = value.begin(); it != value.end(); ++it) {
    bool known = false;
    for (absl::string_view k : known_keys) known = known || k == it.key();
    if (!known)
      return FieldError(JsonMemberPath(path, it.key()), "unknown field");
  }
  return JsonObjectReader(&value, std::move(path));
}

std::string JsonObjectReader::Path(absl::string_view key) const {
  return JsonMemberPath(path_, key);
}

absl::StatusOr<const nlohmann::json*> JsonObjectReader::Get(
    absl::string_view key, bool required) const {
  // The object's map compares transparently: no key string is built.
  const auto it = value_->find(std::string_view(key.data(), key.size()));
  if (it == value_->end()) {
    if (required) return FieldError(Path(key), "missing required field");
    return nullptr;
  }
  return &*it;
}

absl::StatusOr<std::optional<std::string>> JsonObjectReader::OptionalString(
    absl::string_view key) const {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Get(key, false));
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return FieldError(Path(key), "expected a string");
  return std::optional<std::string>(value->get_ref<const Json::string_t&>());
}

absl::StatusOr<std::string> JsonObjectReader::String(
    absl::string_view key) const {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Get(key, true));
  if (!value->is_string()) return FieldError(Path(key), "expected a string");
  return value->get_ref<const Json::string_t&>();
}

absl::StatusOr<std::optional<uint64_t>> JsonObjectReader::OptionalUint(
    absl::string_view key, uint64_t max) const {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Get(key, false));
  if (value == nullptr) return std::optional<uint64_t>();
  if (!value->is_number_unsigned()) {
    return FieldError(Path(key), "expected a non-negative integer");
  }
  const uint64_t number = value->get<uint64_t>();
  if (number > max) {
    return FieldError(Path(key), absl::StrCat(number, " is larger than ", max));
  }
  return std::optional<uint64_t>(number);
}

absl::StatusOr<uint64_t> JsonObjectReader::Uint(absl::string_view key,
                                                uint64_t max) const {
  PEDIGREE_RETURN_IF_ERROR(Get(key, true).status());
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<uint64_t> value,
                            OptionalUint(key, max));
  return *value;
}

absl::StatusOr<std::optional<uint32_t>> JsonObjectReader::OptionalUint32(
    absl::string_view key) const {
  PEDIGREE_ASSIGN_OR_RETURN(
      std::optional<uint64_t> value,
      OptionalUint(key, std::numeric_limits<uint32_t>::max()));
  if (!value.has_value()) return std::optional<uint32_t>();
  return std::optional<uint32_t>(static_cast<uint32_t>(*value));
}

absl::StatusOr<uint32_t> JsonObjectReader::Uint32(absl::string_view key) const {
  PEDIGREE_ASSIGN_OR_RETURN(const uint64_t value,
                            Uint(key, std::numeric_limits<uint32_t>::max()));
  return static_cast<uint32_t>(value);
}

absl::StatusOr<std::optional<bool>> JsonObjectReader::OptionalBool(
    absl::string_view key) const {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Get(key, false));
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return FieldError(Path(key), "expected a boolean");
  return std::optional<bool>(value->get<bool>());
}

absl::StatusOr<bool> JsonObjectReader::Bool(absl::string_view key) const {
  PEDIGREE_RETURN_IF_ERROR(Get(key, true).status());
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<bool> value, OptionalBool(key));
  return *value;
}

absl::StatusOr<const nlohmann::json*> JsonObjectReader::Array(
    absl::string_view key) const {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Get(key, true));
  if (!value->is_array()) return FieldError(Path(key), "expected an array");
  return value;
}

absl::StatusOr<std::vector<const nlohmann::json*>>
JsonObjectReader::OptionalArray(absl::string_view key) const {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Get(key, false));
  std::vector<const Json*> elements;
  if (value == nullptr) return elements;
  if (!value->is_array()) return FieldError(Path(key), "expected an array");
  for (const Json& element : *value) elements.push_back(&element);
  return elements;
}

absl::StatusOr<JsonObjectReader> JsonObjectReader::Object(
    absl::string_view key,
    std::initializer_list<absl::string_view> known_keys) const {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Get(key, true));
  return Create(*value, Path(key), known_keys);
}

absl::StatusOr<std::optional<JsonObjectReader>>
JsonObjectReader::OptionalObject(
    absl::string_view key,
    std::initializer_list<absl::string_view> known_keys) const {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value, Get(key, false));
  if (value == nullptr) return std::optional<JsonObjectReader>();
  PEDIGREE_ASSIGN_OR_RETURN(JsonObjectReader reader,
                            Create(*value, Path(key), known_keys));
  return std::optional<JsonObjectReader>(std::move(reader));
}

}  // namespace pedigree::core
