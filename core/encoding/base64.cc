#include "core/encoding/base64.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace pedigree::core {
namespace {

constexpr char kStandard[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int DecodeChar(char c, Base64Alphabet alphabet) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (alphabet == Base64Alphabet::kStandard) {
    if (c == '+') return 62;
    if (c == '/') return 63;
  } else {
    if (c == '-') return 62;
    if (c == '_') return 63;
  }
  return -1;
}

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

  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t accumulator = 0;
  int bits = 0;
  for (size_t i = 0; i < data_chars; ++i) {
    const int value = DecodeChar(text[i], alphabet);
    if (value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid base64 character at offset ", i));
    }
    accumulator = (accumulator << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xff));
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
  const bool url_safe = text.find_first_of("-_") != absl::string_view::npos;
  return Base64Decode(
      text, url_safe ? Base64Alphabet::kUrlSafe : Base64Alphabet::kStandard);
}

}  // namespace pedigree::core
