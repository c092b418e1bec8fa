#include "core/encoding/base64.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace pedigree::core {
namespace {

constexpr char kStandard[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr uint8_t kInvalid = 0xff;

// The value of each byte in `alphabet`, or kInvalid.
struct DecodeTable {
  uint8_t value[256];
};

constexpr DecodeTable MakeDecodeTable(char char62, char char63) {
  DecodeTable table{};
  for (uint8_t& value : table.value) value = kInvalid;
  for (int i = 0; i < 26; ++i) {
    table.value['A' + i] = static_cast<uint8_t>(i);
    table.value['a' + i] = static_cast<uint8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) {
    table.value['0' + i] = static_cast<uint8_t>(52 + i);
  }
  table.value[static_cast<unsigned char>(char62)] = 62;
  table.value[static_cast<unsigned char>(char63)] = 63;
  return table;
}

constexpr DecodeTable kStandardTable = MakeDecodeTable('+', '/');
constexpr DecodeTable kUrlSafeTable = MakeDecodeTable('-', '_');

}  // namespace

std::string Base64Encode(absl::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n =
        (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
        (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
        uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out.push_back(kStandard[(n >> 18) & 63]);
    out.push_back(kStandard[(n >> 12) & 63]);
    out.push_back(kStandard[(n >> 6) & 63]);
    out.push_back(kStandard[n & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out.push_back(kStandard[(n >> 18) & 63]);
    out.push_back(kStandard[(n >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    const uint32_t n =
        (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
        (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out.push_back(kStandard[(n >> 18) & 63]);
    out.push_back(kStandard[(n >> 12) & 63]);
    out.push_back(kStandard[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text,
                                         Base64Alphabet alphabet) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("base64 length ", text.size(), " is not a multiple of 4"));
  }
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  const size_t data_chars = text.size() - padding;

  const DecodeTable& table =
      alphabet == Base64Alphabet::kStandard ? kStandardTable : kUrlSafeTable;
  // Every 4 characters are 24 bits, 3 bytes; 2 or 3 characters before the
  // padding are 8 or 16 bits and 4 or 2 bits that must be zero.
  std::string out(data_chars / 4 * 3 + (data_chars % 4) * 3 / 4, '\0');
  char* next = out.data();
  uint32_t accumulator = 0;
  int bits = 0;
  size_t i = 0;
  for (; i + 4 <= data_chars; i += 4) {
    const uint8_t a = table.value[static_cast<unsigned char>(text[i])];
    const uint8_t b = table.value[static_cast<unsigned char>(text[i + 1])];
    const uint8_t c = table.value[static_cast<unsigned char>(text[i + 2])];
    const uint8_t d = table.value[static_cast<unsigned char>(text[i + 3])];
    if ((a | b | c | d) == kInvalid) break;  // the loop below names it
    const uint32_t n =
        uint32_t{a} << 18 | uint32_t{b} << 12 | uint32_t{c} << 6 | uint32_t{d};
    *next++ = static_cast<char>(n >> 16);
    *next++ = static_cast<char>(n >> 8 & 0xff);
    *next++ = static_cast<char>(n & 0xff);
  }
  for (; i < data_chars; ++i) {
    const uint8_t value = table.value[static_cast<unsigned char>(text[i])];
    if (value == kInvalid) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid base64 character at offset ", i));
    }
    accumulator = (accumulator << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *next++ = static_cast<char>((accumulator >> bits) & 0xff);
    }
  }
  // Whatever bits are left over must be zero, or two texts would decode to
  // the same bytes.
  if (bits > 0 && (accumulator & ((1u << bits) - 1)) != 0) {
    return absl::InvalidArgumentError("base64 has non-zero trailing bits");
  }
  return out;
}

absl::StatusOr<std::string> Base64DecodeAnyAlphabet(absl::string_view text) {
  // Text with a '-' or '_' is URL-safe; any other text is standard. Trying
  // the standard alphabet first decides the same (the standard alphabet
  // refuses '-' and '_') without a scan for them in the common case.
  absl::StatusOr<std::string> standard =
      Base64Decode(text, Base64Alphabet::kStandard);
  if (standard.ok() || text.find_first_of("-_") == absl::string_view::npos) {
    return standard;
  }
  return Base64Decode(text, Base64Alphabet::kUrlSafe);
}

}  // namespace pedigree::core
