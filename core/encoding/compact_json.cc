#include "core/encoding/compact_json.h"

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/encoding/internal/json_string_run.h"
#include "nlohmann/json.hpp"

namespace pedigree::core {
namespace {

using Json = nlohmann::json;

// Appends the escape of byte `c`, which is not plain.
void AppendEscape(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      out->append("\\\"");
      break;
    case '\\':
      out->append("\\\\");
      break;
    case '\b':
      out->append("\\b");
      break;
    case '\f':
      out->append("\\f");
      break;
    case '\n':
      out->append("\\n");
      break;
    case '\r':
      out->append("\\r");
      break;
    case '\t':
      out->append("\\t");
      break;
    default: {
      constexpr char kHex[] = "0123456789abcdef";
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xf]);
    }
  }
}

// Appends `text` as a JSON string. Plain runs are copied whole; a string
// with any byte above 0x7F is left to nlohmann (which validates its UTF-8
// and replaces what is invalid): records' strings are mostly ASCII.
void AppendString(absl::string_view text, std::string* out) {
  const size_t start = out->size();
  out->push_back('"');
  const char* p = text.data();
  const char* const end = p + text.size();
  while (true) {
    const size_t plain = internal::PlainJsonStringRun(p, end);
    out->append(p, plain);
    p += plain;
    if (p == end) break;
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      out->resize(start);
      out->append(Json(std::string(text))
                      .dump(-1, ' ', /*ensure_ascii=*/false,
                            Json::error_handler_t::replace));
      return;
    }
    AppendEscape(c, out);
    ++p;
  }
  out->push_back('"');
}

}  // namespace

void CompactJsonWriter::BeginValue() {
  if (after_value_) out_.push_back(',');
  after_value_ = true;
}

CompactJsonWriter& CompactJsonWriter::BeginObject() {
  BeginValue();
  out_.push_back('{');
  after_value_ = false;
  return *this;
}

CompactJsonWriter& CompactJsonWriter::EndObject() {
  out_.push_back('}');
  after_value_ = true;
  return *this;
}

CompactJsonWriter& CompactJsonWriter::BeginArray() {
  BeginValue();
  out_.push_back('[');
  after_value_ = false;
  return *this;
}

CompactJsonWriter& CompactJsonWriter::EndArray() {
  out_.push_back(']');
  after_value_ = true;
  return *this;
}

CompactJsonWriter& CompactJsonWriter::Key(absl::string_view key) {
  BeginValue();
  AppendString(key, &out_);
  out_.push_back(':');
  // The member's value follows the colon, not a comma.
  after_value_ = false;
  return *this;
}

CompactJsonWriter& CompactJsonWriter::String(absl::string_view value) {
  BeginValue();
  AppendString(value, &out_);
  return *this;
}

CompactJsonWriter& CompactJsonWriter::Int(int64_t value) {
  BeginValue();
  absl::StrAppend(&out_, value);
  return *this;
}

CompactJsonWriter& CompactJsonWriter::Uint(uint64_t value) {
  BeginValue();
  absl::StrAppend(&out_, value);
  return *this;
}

CompactJsonWriter& CompactJsonWriter::Bool(bool value) {
  BeginValue();
  out_.append(value ? "true" : "false");
  return *this;
}

}  // namespace pedigree::core
