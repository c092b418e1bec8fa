#ifndef PEDIGREE_CORE_ENCODING_COMPACT_JSON_H_
#define PEDIGREE_CORE_ENCODING_COMPACT_JSON_H_

// Compact JSON text written value by value, as the canonical encodings of
// records and judgments are written, without building a document first.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace pedigree::core {

// Writes, value by value, exactly the bytes of
//   document.dump(-1, ' ', /*ensure_ascii=*/false,
//                 nlohmann::json::error_handler_t::replace)
// for the document the calls describe (no whitespace, control characters
// escaped, other characters as they are, invalid UTF-8 replaced by U+FFFD),
// for callers that know their document's shape (a record's statement, a
// judgment) and need not build it:
//
//   CompactJsonWriter json;
//   json.BeginObject();
//   json.Key("name").String(file.name);
//   json.Key("size").Uint(file.size);
//   json.EndObject();
//   std::string text = std::move(json).Finish();
//
// The writer does not sort: the caller writes each object's keys in byte
// order, as nlohmann's sorted objects would come out, and nests Begin/End
// correctly. Callers' tests check their output is canonical (equal to that
// dump of its own parse). Not thread-safe; cheap to create.
class CompactJsonWriter {
 public:
  // `expected_size`: bytes to reserve for the text up front (a guess; the
  // text grows past it as needed).
  explicit CompactJsonWriter(size_t expected_size = 0) {
    out_.reserve(expected_size);
  }

  CompactJsonWriter& BeginObject();
  CompactJsonWriter& EndObject();
  CompactJsonWriter& BeginArray();
  CompactJsonWriter& EndArray();
  // The key of the next member of the open object.
  CompactJsonWriter& Key(absl::string_view key);
  CompactJsonWriter& String(absl::string_view value);
  CompactJsonWriter& Int(int64_t value);
  CompactJsonWriter& Uint(uint64_t value);
  CompactJsonWriter& Bool(bool value);

  // The text written; the writer is spent.
  std::string Finish() && { return std::move(out_); }

 private:
  // Separates a value from the one before it in the same container.
  void BeginValue();

  std::string out_;
  // Whether the container being written already holds a value.
  bool after_value_ = false;
};

}  // namespace pedigree::core

#endif  // PEDIGREE_CORE_ENCODING_COMPACT_JSON_H_
