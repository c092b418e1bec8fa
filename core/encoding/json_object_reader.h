#ifndef PEDIGREE_CORE_ENCODING_JSON_OBJECT_READER_H_
#define PEDIGREE_CORE_ENCODING_JSON_OBJECT_READER_H_

// Typed, strict access to the members of one JSON object, for the documents
// Pedigree reads field by field (in-toto statements, publish meta files).
// Every error is InvalidArgument "<path>: <what>", with the member's JSON path
// spelled as ParseStrictJson spells it (core/encoding/strict_json.h).
//
//   PEDIGREE_ASSIGN_OR_RETURN(
//       JsonObjectReader model,
//       JsonObjectReader::Create(json, "predicate.model", {"name", "size"}));
//   PEDIGREE_ASSIGN_OR_RETURN(std::string name, model.String("name"));
//   PEDIGREE_ASSIGN_OR_RETURN(uint64_t size, model.Uint("size", kMax));

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace pedigree::core {

// Returns the path of member `key` of the object at `path`: "path.key" for
// keys of letters, digits and '_' ("key" when `path` is empty), and
// `path["key"]` with C hex escapes otherwise, so a key cannot forge the rest
// of a message.
std::string JsonMemberPath(absl::string_view path, absl::string_view key);

// Returns "path[index]".
std::string JsonIndexPath(absl::string_view path, size_t index);

// Reads the members of one JSON object. Creating a reader refuses every
// member not named as known, so nothing in a document is silently ignored.
// Borrows the JSON value, which must outlive the reader (and every reader
// made from it). Copyable; thread-compatible.
class JsonObjectReader {
 public:
  using Json = nlohmann::json;

  // Returns a reader of `value`, whose JSON path is `path`. Returns
  // InvalidArgument "<path>: expected an object" if `value` is not an
  // object, and "<member path>: unknown field" for a member not in
  // `known_keys`.
  static absl::StatusOr<JsonObjectReader> Create(
      const Json& value, std::string path,
      std::initializer_list<absl::string_view> known_keys);

  // The JSON path of member `key`.
  std::string Path(absl::string_view key) const;

  // Number of members.
  size_t size() const { return value_->size(); }

  // Returns the member `key`, nullptr if it is absent and not `required`,
  // or "missing required field" if it is absent and `required`.
  absl::StatusOr<const Json*> Get(absl::string_view key, bool required) const;

  // Typed members. The Optional forms return nullopt (or an empty vector)
  // for an absent member; the others require it. A member of the wrong type
  // is "expected a string" (a boolean, an array, a non-negative integer...);
  // an integer above `max` is "<n> is larger than <max>".
  absl::StatusOr<std::optional<std::string>> OptionalString(
      absl::string_view key) const;
  absl::StatusOr<std::string> String(absl::string_view key) const;
  absl::StatusOr<std::optional<uint64_t>> OptionalUint(absl::string_view key,
                                                       uint64_t max) const;
  absl::StatusOr<uint64_t> Uint(absl::string_view key, uint64_t max) const;
  absl::StatusOr<std::optional<uint32_t>> OptionalUint32(
      absl::string_view key) const;
  absl::StatusOr<uint32_t> Uint32(absl::string_view key) const;
  absl::StatusOr<std::optional<bool>> OptionalBool(absl::string_view key) const;
  absl::StatusOr<bool> Bool(absl::string_view key) const;
  // Returns the array member `key`.
  absl::StatusOr<const Json*> Array(absl::string_view key) const;
  // Returns the elements of array member `key`; empty if absent.
  absl::StatusOr<std::vector<const Json*>> OptionalArray(
      absl::string_view key) const;
  // Returns a reader of object member `key` (see Create).
  absl::StatusOr<JsonObjectReader> Object(
      absl::string_view key,
      std::initializer_list<absl::string_view> known_keys) const;
  absl::StatusOr<std::optional<JsonObjectReader>> OptionalObject(
      absl::string_view key,
      std::initializer_list<absl::string_view> known_keys) const;

 private:
  JsonObjectReader(const Json* value, std::string path)
      : value_(value), path_(std::move(path)) {}

  const Json* value_;
  std::string path_;
};

}  // namespace pedigree::core

#endif  // PEDIGREE_CORE_ENCODING_JSON_OBJECT_READER_H_
