#include "core/crypto/sha256.h"

#include <string>

#include "core/encoding/hex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::crypto {
namespace {

using ::pedigree::testing::StatusIs;

// FIPS 180-2 appendix B known answers.
constexpr char kAbcDigest[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kEmptyDigest[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kTwoBlockDigest[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

TEST(Sha256Test, DigestOfAbcMatchesFips180Vector) {
  ASSERT_OK_AND_ASSIGN(std::string digest, Sha256Digest("abc"));

  EXPECT_EQ(HexEncode(digest), kAbcDigest);
}

TEST(Sha256Test, DigestOfEmptyStringMatchesKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(std::string digest, Sha256Digest(""));

  EXPECT_EQ(HexEncode(digest), kEmptyDigest);
}

TEST(Sha256Test, StreamingInPiecesEqualsOneShot) {
  const std::string message =
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  ASSERT_OK_AND_ASSIGN(Sha256 hasher, Sha256::Create());

  for (char c : message) ASSERT_OK(hasher.Update(std::string(1, c)));
  ASSERT_OK_AND_ASSIGN(std::string digest, hasher.Finish());

  EXPECT_EQ(HexEncode(digest), kTwoBlockDigest);
}

TEST(Sha256Test, MillionAsMatchesFips180Vector) {
  ASSERT_OK_AND_ASSIGN(Sha256 hasher, Sha256::Create());
  const std::string thousand(1000, 'a');

  for (int i = 0; i < 1000; ++i) ASSERT_OK(hasher.Update(thousand));
  ASSERT_OK_AND_ASSIGN(std::string digest, hasher.Finish());

  EXPECT_EQ(HexEncode(digest),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, UpdateAfterFinishIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(Sha256 hasher, Sha256::Create());
  ASSERT_OK(hasher.Finish().status());

  EXPECT_THAT(hasher.Update("x"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(hasher.Finish(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace pedigree::core::crypto
