#include "core/encoding/base64.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core {
namespace {

using ::pedigree::testing::StatusIs;
using ::testing::Eq;

// RFC 4648 section 10 test vectors.
TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  for (const char* plain : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    ASSERT_OK_AND_ASSIGN(std::string decoded,
                         Base64Decode(Base64Encode(plain)));
    EXPECT_EQ(decoded, plain);
  }
}

TEST(Base64Test, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));

  ASSERT_OK_AND_ASSIGN(std::string decoded, Base64Decode(Base64Encode(all)));

  EXPECT_EQ(decoded, all);
}

TEST(Base64Test, DecodeRefusesMissingPadding) {
  EXPECT_THAT(Base64Decode("Zg"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, DecodeRefusesWhitespace) {
  EXPECT_THAT(Base64Decode("Zm9v\nYmFy"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, DecodeRefusesPaddingInTheMiddle) {
  EXPECT_THAT(Base64Decode("Zg==Zm9v"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, DecodeRefusesTooMuchPadding) {
  EXPECT_THAT(Base64Decode("Z==="),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, DecodeRefusesNonZeroTrailingBits) {
  // "Zh==" decodes to the same byte as "Zg==" if trailing bits are ignored.
  EXPECT_THAT(Base64Decode("Zh=="),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("trailing bits")));
}

TEST(Base64Test, DecodeRefusesUrlSafeCharactersInStandardAlphabet) {
  EXPECT_THAT(Base64Decode("-_-_"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, DecodesUrlSafeAlphabet) {
  ASSERT_OK_AND_ASSIGN(std::string decoded,
                       Base64Decode("-_-_", Base64Alphabet::kUrlSafe));

  EXPECT_EQ(decoded, Base64Decode("+/+/").value());
}

TEST(Base64Test, AnyAlphabetRefusesMixedAlphabets) {
  EXPECT_THAT(Base64DecodeAnyAlphabet("+_+_"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, AnyAlphabetNamesTheFirstCharacterOutsideTheAlphabetItChose) {
  // A '-' or '_' anywhere makes the text URL-safe: the '+' is the offender.
  EXPECT_THAT(Base64DecodeAnyAlphabet("AAAA+AAAAAA_"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("invalid base64 character at offset 4")));
  EXPECT_THAT(Base64DecodeAnyAlphabet("AAAA*AAA"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("invalid base64 character at offset 4")));
}

TEST(Base64Test, AnyAlphabetDecodesEveryLengthInBothAlphabets) {
  std::string bytes;
  for (int length = 0; length < 40; ++length) {
    const std::string standard = Base64Encode(bytes);
    std::string url_safe = standard;
    for (char& c : url_safe) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
    ASSERT_OK_AND_ASSIGN(const std::string from_standard,
                         Base64DecodeAnyAlphabet(standard));
    ASSERT_OK_AND_ASSIGN(const std::string from_url_safe,
                         Base64DecodeAnyAlphabet(url_safe));
    EXPECT_EQ(from_standard, bytes);
    EXPECT_EQ(from_url_safe, bytes);
    bytes.push_back(static_cast<char>(0xfb - 37 * length));  // '+' and '/'
  }
}

TEST(Base64Test, DecodeNamesTheOffsetOfABadCharacterInEveryPosition) {
  const std::string valid = "QUJDREVGR0hJSktM";  // 16 characters
  for (size_t at = 0; at < valid.size(); ++at) {
    std::string text = valid;
    text[at] = '.';
    EXPECT_THAT(
        Base64Decode(text),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 Eq(absl::StrCat("invalid base64 character at offset ", at))));
  }
}

}  // namespace
}  // namespace pedigree::core
