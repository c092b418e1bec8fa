#include "core/encoding/strict_json.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/internal/json_string_run.h"
#include "core/encoding/json_object_reader.h"

namespace pedigree::core {
namespace {

using Json = nlohmann::json;

// A parser of exactly the JSON that nlohmann's own parser accepts (RFC 8259,
// a leading UTF-8 byte order mark skipped, numbers typed as nlohmann types
// them), building the same document, but refusing repeated keys and reading
// strings a run of plain bytes at a time rather than a byte per call: the
// signed documents a publish parses are mostly long base64 and hex strings.
// Iterative: open containers are kept on a stack, never recursed into.
class StrictParser {
 public:
  StrictParser(absl::string_view text, absl::string_view root_path)
      : p_(text.data()),
        end_(text.data() + text.size()),
        root_path_(root_path) {}

  // Parses the whole text into `*root`. False if the text is not exactly one
  // JSON document. A repeated key does not stop parsing (text that is not
  // JSON at all is reported as such); it is kept in duplicate_key().
  bool Parse(Json* root);

  const std::optional<absl::Status>& duplicate_key() const {
    return duplicate_key_;
  }

 private:
  struct Frame {
    Json* container;
    std::string key;  // objects: the key of the member being parsed
  };

  void SkipWhitespace() {
    while (p_ != end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
      ++p_;
    }
  }
  bool Consume(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool ConsumeLiteral(absl::string_view literal) {
    if (static_cast<size_t>(end_ - p_) < literal.size() ||
        absl::string_view(p_, literal.size()) != literal) {
      return false;
    }
    p_ += literal.size();
    return true;
  }

  bool ParseScalar(Json* out);
  bool ParseString(std::string* out);
  bool ParseEscape(std::string* out);
  bool ParseHex4(uint32_t* code);
  bool ParseNumber(Json* out);
  // Reads the key of an object member and the ':' after it, and returns
  // where the member's value goes (nullptr: not JSON).
  Json* BeginMember();
  // Reads a UTF-8 sequence of 2 to 4 bytes starting at p_ (a byte >= 0x80)
  // into `out`. False if it is not well-formed UTF-8 (RFC 3629).
  bool CopyMultibyte(std::string* out);

  // The path of the member or element being parsed, as strict_json.h says.
  std::string Path() const {
    std::string path(root_path_);
    for (const Frame& frame : open_) {
      path = frame.container->is_object()
                 ? JsonMemberPath(path, frame.key)
                 : JsonIndexPath(path, frame.container->size() - 1);
    }
    return path;
  }

  const char* p_;
  const char* const end_;
  const absl::string_view root_path_;
  std::vector<Frame> open_;
  std::optional<absl::Status> duplicate_key_;
};

bool StrictParser::Parse(Json* root) {
  if (end_ - p_ >= 3 && static_cast<unsigned char>(p_[0]) == 0xEF &&
      static_cast<unsigned char>(p_[1]) == 0xBB &&
      static_cast<unsigned char>(p_[2]) == 0xBF) {
    p_ += 3;
  }
  Json* slot = root;  // where the next value goes
  while (true) {
    // A value into *slot; a container is opened and its first member or
    // element (if any) becomes the next slot.
    SkipWhitespace();
    if (p_ == end_) return false;
    bool value_done = true;
    if (*p_ == '{') {
      ++p_;
      *slot = Json::object();
      open_.push_back(Frame{slot, {}});
      SkipWhitespace();
      if (!Consume('}')) {
        slot = BeginMember();
        if (slot == nullptr) return false;
        value_done = false;
      } else {
        open_.pop_back();
      }
    } else if (*p_ == '[') {
      ++p_;
      *slot = Json::array();
      open_.push_back(Frame{slot, {}});
      SkipWhitespace();
      if (!Consume(']')) {
        Json::array_t& array = slot->get_ref<Json::array_t&>();
        slot = &array.emplace_back();
        value_done = false;
      } else {
        open_.pop_back();
      }
    } else if (!ParseScalar(slot)) {
      return false;
    }
    if (!value_done) continue;

    // The value is complete: close the containers it completes, and find
    // the next slot.
    while (true) {
      SkipWhitespace();
      if (open_.empty()) return p_ == end_;
      Frame& frame = open_.back();
      if (frame.container->is_object()) {
        if (Consume(',')) {
          SkipWhitespace();
          slot = BeginMember();
          if (slot == nullptr) return false;
          break;
        }
        if (!Consume('}')) return false;
      } else {
        if (Consume(',')) {
          slot = &frame.container->get_ref<Json::array_t&>().emplace_back();
          break;
        }
        if (!Consume(']')) return false;
      }
      open_.pop_back();
    }
  }
}

Json* StrictParser::BeginMember() {
  Frame& frame = open_.back();
  if (!Consume('"')) return nullptr;
  frame.key.clear();
  if (!ParseString(&frame.key)) return nullptr;
  SkipWhitespace();
  if (!Consume(':')) return nullptr;
  Json::object_t& object = frame.container->get_ref<Json::object_t&>();
  const auto [member, inserted] = object.try_emplace(frame.key);
  if (!inserted && !duplicate_key_.has_value()) {
    duplicate_key_ =
        absl::InvalidArgumentError(absl::StrCat(Path(), ": duplicate key"));
  }
  return &member->second;  // a repeat overwrites: the document is refused
}

bool StrictParser::ParseScalar(Json* out) {
  switch (*p_) {
    case '"': {
      ++p_;
      std::string text;
      if (!ParseString(&text)) return false;
      *out = std::move(text);
      return true;
    }
    case 't':
      *out = true;
      return ConsumeLiteral("true");
    case 'f':
      *out = false;
      return ConsumeLiteral("false");
    case 'n':
      *out = nullptr;
      return ConsumeLiteral("null");
    default:
      return ParseNumber(out);
  }
}

// After the opening quote; consumes the closing one.
bool StrictParser::ParseString(std::string* out) {
  while (true) {
    const size_t plain = internal::PlainJsonStringRun(p_, end_);
    out->append(p_, plain);
    p_ += plain;
    if (p_ == end_) return false;
    const unsigned char c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c == '\\') {
      ++p_;
      if (!ParseEscape(out)) return false;
    } else if (c >= 0x80) {
      if (!CopyMultibyte(out)) return false;
    } else {
      return false;  // a control character must be escaped
    }
  }
}

bool StrictParser::ParseHex4(uint32_t* code) {
  if (end_ - p_ < 4) return false;
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = *p_++;
    uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    value = value << 4 | digit;
  }
  *code = value;
  return true;
}

// After the backslash.
bool StrictParser::ParseEscape(std::string* out) {
  if (p_ == end_) return false;
  const char c = *p_++;
  switch (c) {
    case '"':
    case '\\':
    case '/':
      out->push_back(c);
      return true;
    case 'b':
      out->push_back('\b');
      return true;
    case 'f':
      out->push_back('\f');
      return true;
    case 'n':
      out->push_back('\n');
      return true;
    case 'r':
      out->push_back('\r');
      return true;
    case 't':
      out->push_back('\t');
      return true;
    case 'u':
      break;
    default:
      return false;
  }
  uint32_t code;
  if (!ParseHex4(&code)) return false;
  if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a lone low half
  if (code >= 0xD800 && code <= 0xDBFF) {
    // A high surrogate must be followed by an escaped low one.
    uint32_t low;
    if (!ConsumeLiteral("\\u") || !ParseHex4(&low) || low < 0xDC00 ||
        low > 0xDFFF) {
      return false;
    }
    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
  }
  // UTF-8 of `code`.
  if (code < 0x80) {
    out->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code >> 6)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
  return true;
}

bool StrictParser::CopyMultibyte(std::string* out) {
  const auto byte = [this](int i) { return static_cast<unsigned char>(p_[i]); };
  const unsigned char lead = byte(0);
  // The allowed range of the second byte (RFC 3629 section 4), and the
  // length of the sequence.
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  int length;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead == 0xE0) {
    length = 3;
    low = 0xA0;
  } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
    length = 3;
  } else if (lead == 0xED) {
    length = 3;
    high = 0x9F;  // no UTF-16 surrogates
  } else if (lead == 0xF0) {
    length = 4;
    low = 0x90;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    length = 4;
  } else if (lead == 0xF4) {
    length = 4;
    high = 0x8F;  // nothing above U+10FFFF
  } else {
    return false;
  }
  if (end_ - p_ < length) return false;
  if (byte(1) < low || byte(1) > high) return false;
  for (int i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return false;
  }
  out->append(p_, length);
  p_ += length;
  return true;
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, typed as nlohmann types
// it: an integer that fits is unsigned (or, when negative, signed); anything
// else is a double, and a double that overflows is refused.
bool StrictParser::ParseNumber(Json* out) {
  const auto is_digit = [this] {
    return p_ != end_ && *p_ >= '0' && *p_ <= '9';
  };
  const char* const start = p_;
  const bool negative = Consume('-');
  if (!is_digit()) return false;
  if (*p_ == '0') {
    ++p_;
  } else {
    while (is_digit()) ++p_;
  }
  const char* const integer_end = p_;
  bool is_integer = true;
  if (Consume('.')) {
    is_integer = false;
    if (!is_digit()) return false;
    while (is_digit()) ++p_;
  }
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    is_integer = false;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (!is_digit()) return false;
    while (is_digit()) ++p_;
  }
  if (is_integer) {
    uint64_t magnitude = 0;
    bool overflow = false;
    for (const char* d = start + (negative ? 1 : 0); d != integer_end; ++d) {
      const uint64_t digit = static_cast<uint64_t>(*d - '0');
      if (magnitude > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
        overflow = true;
        break;
      }
      magnitude = magnitude * 10 + digit;
    }
    if (!overflow && !negative) {
      *out = Json::number_unsigned_t{magnitude};
      return true;
    }
    const uint64_t most_negative = uint64_t{1}
                                   << (std::numeric_limits<int64_t>::digits);
    if (!overflow && magnitude <= most_negative) {
      *out = magnitude == most_negative
                 ? std::numeric_limits<int64_t>::min()
                 : -static_cast<Json::number_integer_t>(magnitude);
      return true;
    }
    // Too large for a 64-bit integer: a double, as nlohmann reads it.
  }
  // strtod reads exactly the text matched above: it needs a terminated
  // copy, and the "C" locale's '.' (pedigree never calls setlocale).
  const std::string number(start, p_);
  const double value = std::strtod(number.c_str(), nullptr);
  if (!std::isfinite(value)) return false;
  *out = value;
  return true;
}

}  // namespace

absl::StatusOr<Json> ParseStrictJson(absl::string_view text,
                                     const StrictJsonOptions& options) {
  Json document;
  StrictParser parser(text, options.root_path);
  if (!parser.Parse(&document)) {
    return absl::InvalidArgumentError(options.not_json_message);
  }
  if (parser.duplicate_key().has_value()) return *parser.duplicate_key();
  return document;
}

}  // namespace pedigree::core
