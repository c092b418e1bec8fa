#include "core/record/internal/text.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/record/record.h"

namespace pedigree::core::record::internal {
namespace {

// Decodes the code point starting at `text[*pos]`, advancing `*pos`. Returns
// -1 for an ill-formed sequence (RFC 3629 section 4).
int32_t DecodeUtf8(absl::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(*pos);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  size_t length;
  int32_t code_point;
  int32_t minimum;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    code_point = lead & 0x1f;
    minimum = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    code_point = lead & 0x0f;
    minimum = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    code_point = lead & 0x07;
    minimum = 0x10000;
  } else {
    return -1;
  }
  if (text.size() - *pos < length) return -1;
  for (size_t i = 1; i < length; ++i) {
    const uint8_t continuation = byte(*pos + i);
    if ((continuation & 0xc0) != 0x80) return -1;
    code_point = (code_point << 6) | (continuation & 0x3f);
  }
  if (code_point < minimum || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff)) {
    return -1;
  }
  *pos += length;
  return code_point;
}

}  // namespace

absl::Status FieldError(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

absl::Status WithPath(absl::string_view path, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

bool IsValidUtf8(absl::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (DecodeUtf8(text, &pos) < 0) return false;
  }
  return true;
}

absl::Status CheckText(absl::string_view path, absl::string_view text,
                       size_t max_length, bool allow_newline) {
  if (text.empty()) return FieldError(path, "is empty");
  if (text.size() > max_length) {
    return FieldError(path,
                      absl::StrCat("is longer than ", max_length, " bytes"));
  }
  size_t pos = 0;
  while (pos < text.size()) {
    const int32_t code_point = DecodeUtf8(text, &pos);
    if (code_point < 0) return FieldError(path, "is not valid utf-8");
    const bool control =
        code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f);
    if (control && !(allow_newline && code_point == '\n')) {
      return FieldError(path,
                        absl::StrCat("contains control character U+",
                                     absl::Hex(code_point, absl::kZeroPad4)));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckToken(absl::string_view path, absl::string_view token,
                        size_t max_length) {
  if (token.empty()) return FieldError(path, "is empty");
  if (token.size() > max_length) {
    return FieldError(
        path, absl::StrCat("is longer than ", max_length, " characters"));
  }
  for (size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    const bool ok = absl::ascii_islower(c) || absl::ascii_isdigit(c) ||
                    (i > 0 && (c == '_' || c == '.' || c == '-'));
    if (!ok) {
      return FieldError(
          path,
          absl::StrCat("\"", absl::CHexEscape(token),
                       "\" is not a lower-case token [a-z0-9][a-z0-9_.-]*"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckUri(absl::string_view path, absl::string_view uri) {
  if (uri.empty()) return FieldError(path, "is empty");
  if (uri.size() > kMaxUriLength) {
    return FieldError(path,
                      absl::StrCat("is longer than ", kMaxUriLength, " bytes"));
  }
  const absl::Status not_uri = FieldError(
      path,
      absl::StrCat("\"", absl::CHexEscape(uri), "\" is not an absolute uri"));
  const size_t colon = uri.find(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      colon + 1 == uri.size()) {
    return not_uri;
  }
  for (size_t i = 0; i < colon; ++i) {
    const char c = uri[i];
    const bool ok =
        absl::ascii_islower(c) ||
        (i > 0 && (absl::ascii_isdigit(c) || c == '+' || c == '.' || c == '-'));
    if (!ok) return not_uri;
  }
  for (char c : uri.substr(colon + 1)) {
    if (c < 0x21 || c > 0x7e ||
        absl::string_view("\"<>\\^`{|}").find(c) != absl::string_view::npos) {
      return not_uri;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLicenseRefId(absl::string_view path, absl::string_view id) {
  constexpr absl::string_view kPrefix = "LicenseRef-";
  const absl::Status malformed = FieldError(
      path, absl::StrCat("\"", absl::CHexEscape(id),
                         "\" is not LicenseRef- followed by [A-Za-z0-9.-]+"));
  if (id.size() > kMaxLicenseRefIdLength) {
    return FieldError(path, absl::StrCat("is longer than ",
                                         kMaxLicenseRefIdLength, " bytes"));
  }
  if (!absl::StartsWith(id, kPrefix) || id.size() == kPrefix.size()) {
    return malformed;
  }
  for (char c : id.substr(kPrefix.size())) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-') return malformed;
  }
  return absl::OkStatus();
}

}  // namespace pedigree::core::record::internal
