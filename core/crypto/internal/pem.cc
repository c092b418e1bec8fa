#include "core/crypto/internal/pem.h"

#include <openssl/crypto.h>

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/encoding/base64.h"

namespace pedigree::core::crypto::internal {
namespace {

constexpr absl::string_view kDashes = "-----";
constexpr absl::string_view kBegin = "-----BEGIN ";
constexpr absl::string_view kEnd = "-----END ";

// Returns the label of a "-----BEGIN <label>-----" style line, or an empty
// view if `line` does not have that shape.
absl::string_view LabelOf(absl::string_view line, absl::string_view prefix) {
  if (!absl::ConsumePrefix(&line, prefix)) return {};
  if (!absl::ConsumeSuffix(&line, kDashes)) return {};
  for (char c : line) {
    // RFC 7468 labels are printable ASCII without '-' at either end; we only
    // need the ones OpenSSL writes for keys.
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c) && c != ' ') {
      return {};
    }
  }
  return line;
}

// Holds base64 of possibly secret bytes; wiped when it goes out of scope.
class WipedString {
 public:
  WipedString() = default;
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
  ~WipedString() { OPENSSL_cleanse(value_.data(), value_.size()); }
  std::string& value() { return value_; }

 private:
  std::string value_;
};

}  // namespace

absl::StatusOr<PemBlock> ParsePem(absl::string_view text) {
  if (text.size() > kMaxPemSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("pem is ", text.size(), " bytes, more than the limit of ",
                     kMaxPemSize));
  }
  std::vector<absl::string_view> lines =
      absl::StrSplit(absl::StripAsciiWhitespace(text), '\n');
  for (absl::string_view& line : lines) line = absl::StripAsciiWhitespace(line);
  if (lines.size() < 2) {
    return absl::InvalidArgumentError("not a pem block: too few lines");
  }
  const absl::string_view label = LabelOf(lines.front(), kBegin);
  if (label.empty()) {
    return absl::InvalidArgumentError(
        "not a pem block: first line is not \"-----BEGIN <label>-----\"");
  }
  const absl::string_view end_label = LabelOf(lines.back(), kEnd);
  if (end_label.empty()) {
    return absl::InvalidArgumentError(
        "not a pem block: last line is not \"-----END <label>-----\"");
  }
  if (end_label != label) {
    return absl::InvalidArgumentError(absl::StrCat("pem begins with label \"",
                                                   label, "\" but ends with \"",
                                                   end_label, "\""));
  }
  WipedString body;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    const absl::string_view line = lines[i];
    if (absl::StartsWith(line, kDashes)) {
      return absl::InvalidArgumentError(
          "pem contains more than one block; expected exactly one");
    }
    if (absl::StrContains(line, ':')) {
      // RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED" mark legacy
      // encrypted keys.
      return absl::InvalidArgumentError(
          "pem has encapsulated headers (a legacy encrypted key?); not "
          "supported");
    }
    body.value().append(line.data(), line.size());
  }
  if (body.value().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("pem block \"", label, "\" has an empty body"));
  }
  absl::StatusOr<std::string> der = Base64Decode(body.value());
  if (!der.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pem block \"", label, "\" has a bad body: ", der.status().message()));
  }
  return PemBlock{std::string(label), *std::move(der)};
}

std::string EncodePem(absl::string_view label, absl::string_view der) {
  WipedString body;
  body.value() = Base64Encode(der);
  const absl::string_view encoded = body.value();
  std::string out = absl::StrCat(kBegin, label, kDashes, "\n");
  for (size_t i = 0; i < encoded.size(); i += 64) {
    absl::StrAppend(&out, encoded.substr(i, 64), "\n");
  }
  absl::StrAppend(&out, kEnd, label, kDashes, "\n");
  return out;
}

}  // namespace pedigree::core::crypto::internal
