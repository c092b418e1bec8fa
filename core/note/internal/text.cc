#include "core/note/internal/text.h"

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace pedigree::core::note::internal {
namespace {

constexpr size_t kMaxQuoted = 64;

// Decodes the UTF-8 sequence at the start of `text` into `*code_point` and
// returns its length, or returns 0 if it is malformed (RFC 3629 table).
size_t DecodeUtf8(absl::string_view text, uint32_t* code_point) {
  const auto byte = [&text](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(text[i]));
  };
  const uint32_t b0 = byte(0);
  if (b0 < 0x80) {
    *code_point = b0;
    return 1;
  }
  size_t length = 0;
  uint32_t low = 0x80;  // bounds of the second byte
  uint32_t high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) low = 0xa0;   // overlong
    if (b0 == 0xed) high = 0x9f;  // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) low = 0x90;   // overlong
    if (b0 == 0xf4) high = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  uint32_t value = b0 & (0xff >> (length + 1));
  for (size_t i = 1; i < length; ++i) {
    const uint32_t b = byte(i);
    const uint32_t min = i == 1 ? low : 0x80;
    const uint32_t max = i == 1 ? high : 0xbf;
    if (b < min || b > max) return 0;
    value = (value << 6) | (b & 0x3f);
  }
  *code_point = value;
  return length;
}

// Go's unicode.IsSpace: the Unicode White_Space property.
bool IsUnicodeSpace(uint32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200a;
  }
}

}  // namespace

absl::Status CheckCharacters(absl::string_view what, absl::string_view text,
                             bool allow_newline) {
  for (size_t i = 0; i < text.size();) {
    uint32_t c = 0;
    const size_t length = DecodeUtf8(text.substr(i), &c);
    if (length == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": invalid utf-8 at byte ", i));
    }
    if (c < 0x20 && !(allow_newline && c == '\n')) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": control character 0x",
                       absl::Hex(c, absl::kZeroPad2), " at byte ", i));
    }
    i += length;
  }
  return absl::OkStatus();
}

absl::Status CheckKeyName(absl::string_view what, absl::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": empty key name"));
  }
  for (size_t i = 0; i < name.size();) {
    uint32_t c = 0;
    const size_t length = DecodeUtf8(name.substr(i), &c);
    if (length == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": key name ", Quote(name), " is not valid utf-8"));
    }
    if (c == '+') {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": key name ", Quote(name), " contains '+'"));
    }
    if (IsUnicodeSpace(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": key name ", Quote(name), " contains white space"));
    }
    if (c < 0x20) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": key name ", Quote(name), " contains a control character"));
    }
    i += length;
  }
  return absl::OkStatus();
}

std::string Quote(absl::string_view text) {
  if (text.size() <= kMaxQuoted) {
    return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  }
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxQuoted)),
                      "\"...");
}

}  // namespace pedigree::core::note::internal
