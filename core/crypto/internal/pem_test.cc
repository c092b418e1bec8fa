#include "core/crypto/internal/pem.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::crypto::internal {
namespace {

using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kPublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";
// The DER inside kPublicPem: the RFC 8032 TEST 1 public key as an SPKI.
constexpr char kPublicDerPrefix[] =
    "\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00";

TEST(PemTest, ParseReturnsLabelAndDecodedBody) {
  ASSERT_OK_AND_ASSIGN(PemBlock block, ParsePem(kPublicPem));

  EXPECT_EQ(block.label, "PUBLIC KEY");
  ASSERT_EQ(block.der.size(), 44u);
  EXPECT_EQ(block.der.substr(0, 12), std::string(kPublicDerPrefix, 12));
}

TEST(PemTest, ParseAcceptsCrlfShortLinesAndSurroundingWhitespace) {
  const std::string pem =
      "\r\n  -----BEGIN PUBLIC KEY-----\r\n"
      "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7T\r\n"
      "yWQHOg7hcvPapiMlrwIaaPcHURo=\r\n"
      "-----END PUBLIC KEY-----\r\n\n";

  ASSERT_OK_AND_ASSIGN(PemBlock block, ParsePem(pem));

  ASSERT_OK_AND_ASSIGN(PemBlock expected, ParsePem(kPublicPem));
  EXPECT_EQ(block.der, expected.der);
}

TEST(PemTest, EncodeThenParseRoundTrips) {
  const std::string der(100, '\x5a');

  const std::string pem = EncodePem("PRIVATE KEY", der);

  ASSERT_OK_AND_ASSIGN(PemBlock block, ParsePem(pem));
  EXPECT_EQ(block.label, "PRIVATE KEY");
  EXPECT_EQ(block.der, der);
}

TEST(PemTest, EncodeWrapsBodyAt64Characters) {
  const std::string pem = EncodePem("PUBLIC KEY", std::string(60, '\0'));

  EXPECT_EQ(pem, "-----BEGIN PUBLIC KEY-----\n" + std::string(64, 'A') + "\n" +
                     std::string(16, 'A') + "\n-----END PUBLIC KEY-----\n");
}

TEST(PemTest, ParseRefusesTextWithoutBeginLine) {
  EXPECT_THAT(ParsePem("hello\nworld\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("BEGIN")));
}

TEST(PemTest, ParseRefusesEmptyText) {
  EXPECT_THAT(ParsePem(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PemTest, ParseRefusesMissingEndLine) {
  EXPECT_THAT(ParsePem("-----BEGIN PUBLIC KEY-----\nAAAA\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("END")));
}

TEST(PemTest, ParseRefusesMismatchedLabels) {
  EXPECT_THAT(
      ParsePem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("ends with \"PRIVATE KEY\"")));
}

TEST(PemTest, ParseRefusesTwoBlocks) {
  const std::string two = std::string(kPublicPem) + kPublicPem;

  EXPECT_THAT(ParsePem(two), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("more than one block")));
}

TEST(PemTest, ParseRefusesEncapsulatedHeaders) {
  const std::string pem =
      "-----BEGIN EC PRIVATE KEY-----\n"
      "Proc-Type: 4,ENCRYPTED\n"
      "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n"
      "\n"
      "AAAA\n"
      "-----END EC PRIVATE KEY-----\n";

  EXPECT_THAT(ParsePem(pem), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("encrypted")));
}

TEST(PemTest, ParseRefusesEmptyBody) {
  EXPECT_THAT(
      ParsePem("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty body")));
}

TEST(PemTest, ParseRefusesBadBase64Body) {
  EXPECT_THAT(
      ParsePem("-----BEGIN PUBLIC KEY-----\nAA*A\n-----END PUBLIC KEY-----\n"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad body")));
}

TEST(PemTest, ParseRefusesOversizedText) {
  const std::string huge = "-----BEGIN PUBLIC KEY-----\n" +
                           std::string(kMaxPemSize, 'A') +
                           "\n-----END PUBLIC KEY-----\n";

  EXPECT_THAT(ParsePem(huge),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
}

}  // namespace
}  // namespace pedigree::core::crypto::internal
