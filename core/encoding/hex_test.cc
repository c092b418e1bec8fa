#include "core/encoding/hex.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core {
namespace {

using ::pedigree::testing::StatusIs;

TEST(HexTest, EncodesLowercase) {
  EXPECT_EQ(HexEncode(std::string("\x00\x1f\xab\xff", 4)), "001fabff");
}

TEST(HexTest, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));

  ASSERT_OK_AND_ASSIGN(std::string decoded, HexDecode(HexEncode(all)));

  EXPECT_EQ(decoded, all);
}

TEST(HexTest, DecodeRefusesOddLength) {
  EXPECT_THAT(HexDecode("abc"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HexTest, DecodeRefusesUppercase) {
  EXPECT_THAT(HexDecode("AB"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HexTest, DecodeRefusesNonHexCharacterAndNamesOffset) {
  EXPECT_THAT(HexDecode("00zz"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          ::testing::HasSubstr("offset 2")));
}

TEST(HexTest, IsLowerHexChecksLengthAndAlphabet) {
  EXPECT_TRUE(IsLowerHex("00ff", 2));
  EXPECT_FALSE(IsLowerHex("00ff", 3));
  EXPECT_FALSE(IsLowerHex("00FF", 2));
  EXPECT_FALSE(IsLowerHex("00fg", 2));
}

}  // namespace
}  // namespace pedigree::core
