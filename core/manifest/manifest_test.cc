#include "core/manifest/manifest.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto/sha256.h"
#include "core/encoding/hex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::manifest {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A distinct valid 32-byte digest per seed.
std::string FakeDigest(char seed) {
  return std::string(kEntryDigestSize, seed);
}

ManifestEntry File(std::string name, uint64_t size = 1) {
  return ManifestEntry{std::move(name), FakeDigest('f'), size, std::nullopt};
}

ManifestEntry ShardOf(const std::string& path, uint64_t start, uint64_t end) {
  const Shard shard{start, end};
  return ManifestEntry{ShardEntryName(path, shard), FakeDigest('s'),
                       end - start, shard};
}

std::vector<std::string> Names(const Manifest& manifest) {
  std::vector<std::string> names;
  for (const ManifestEntry& entry : manifest.entries()) {
    names.push_back(entry.name);
  }
  return names;
}

std::string Unhex(absl::string_view hex) {
  absl::StatusOr<std::string> bytes = HexDecode(hex);
  return bytes.ok() ? *bytes : std::string();
}

// Known answer from the OMS v1.1.0 bundle in sigstore/model-transparency
// scripts/tests/v1.1.0-elliptic-key (model.sig, DSSE payload): the model is a
// directory holding signme-1 ("signme-1\n") and signme-2 ("signme-2"); the
// predicate lists
//   {"name": "signme-1", "digest": "bc9a717d...5d7ebc"},
//   {"name": "signme-2", "digest": "32dcb1f8...370028"}
// and the subject digest is 92745110...c6dec4.
constexpr absl::string_view kOmsSignme1 = "signme-1\n";
constexpr absl::string_view kOmsSignme2 = "signme-2";
constexpr absl::string_view kOmsSignme1Digest =
    "bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc";
constexpr absl::string_view kOmsSignme2Digest =
    "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028";
constexpr absl::string_view kOmsRootDigest =
    "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4";

TEST(ManifestTest, OmsResourceDigestsAreSha256OfTheFiles) {
  ASSERT_OK_AND_ASSIGN(std::string digest1, crypto::Sha256Digest(kOmsSignme1));
  ASSERT_OK_AND_ASSIGN(std::string digest2, crypto::Sha256Digest(kOmsSignme2));

  EXPECT_EQ(HexEncode(digest1), kOmsSignme1Digest);
  EXPECT_EQ(HexEncode(digest2), kOmsSignme2Digest);
}

TEST(ManifestTest, RootDigestMatchesOmsV110KnownAnswer) {
  // Given in reverse order: Create sorts.
  std::vector<ManifestEntry> entries = {
      {"signme-2", Unhex(kOmsSignme2Digest), kOmsSignme2.size(), std::nullopt},
      {"signme-1", Unhex(kOmsSignme1Digest), kOmsSignme1.size(), std::nullopt},
  };

  ASSERT_OK_AND_ASSIGN(Manifest manifest, Manifest::Create(std::move(entries)));

  EXPECT_THAT(Names(manifest), ElementsAre("signme-1", "signme-2"));
  EXPECT_EQ(HexEncode(manifest.RootDigest()), kOmsRootDigest);
  EXPECT_EQ(manifest.TotalSize(), 17u);
  EXPECT_FALSE(manifest.sharded());
}

TEST(ManifestTest, RootDigestOfOneEntryIsSha256OfItsDigest) {
  const std::string digest = FakeDigest('a');
  ASSERT_OK_AND_ASSIGN(std::string expected, crypto::Sha256Digest(digest));

  ASSERT_OK_AND_ASSIGN(Manifest manifest,
                       Manifest::Create({{"model.bin", digest, 5, {}}}));

  EXPECT_EQ(manifest.RootDigest(), expected);
}

TEST(ManifestTest, SortsNonAsciiNamesInCodePointOrder) {
  // U+00E9 (c3 a9) > 'z' (7a); U+10000 (f0 90 80 80) > U+FFFD (ef bf bd).
  ASSERT_OK_AND_ASSIGN(
      Manifest manifest,
      Manifest::Create({File("\xc3\xa9"), File("\xf0\x90\x80\x80"), File("z"),
                        File("\xef\xbf\xbd"), File("Z"), File("a")}));

  EXPECT_THAT(Names(manifest), ElementsAre("Z", "a", "z", "\xc3\xa9",
                                           "\xef\xbf\xbd", "\xf0\x90\x80\x80"));
}

TEST(ManifestTest, SortsByPathSegmentsLikeOms) {
  // pathlib order: "a" < "a/b" < "a-c" (segment "a" is a prefix of "a-c"),
  // although "a-c" < "a/b" byte-wise.
  ASSERT_OK_AND_ASSIGN(
      Manifest manifest,
      Manifest::Create({File("a-c"), File("a/b"), File("a.txt"), File("b")}));

  EXPECT_THAT(Names(manifest), ElementsAre("a/b", "a-c", "a.txt", "b"));
}

TEST(ManifestTest, SortsShardsByNumericRange) {
  ASSERT_OK_AND_ASSIGN(
      Manifest manifest,
      Manifest::Create({ShardOf("f", 10, 20), ShardOf("f", 2, 10),
                        ShardOf("e", 100, 200), ShardOf("f", 0, 2)}));

  EXPECT_THAT(Names(manifest),
              ElementsAre("e:100:200", "f:0:2", "f:2:10", "f:10:20"));
  EXPECT_TRUE(manifest.sharded());
  EXPECT_EQ(manifest.TotalSize(), 120u);
}

TEST(ManifestTest, FindReturnsEntryByExactName) {
  ASSERT_OK_AND_ASSIGN(Manifest manifest,
                       Manifest::Create({File("b", 2), File("a/x", 1)}));

  const ManifestEntry* found = manifest.Find("b");

  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->size, 2u);
  EXPECT_EQ(manifest.Find("a"), nullptr);
  EXPECT_EQ(manifest.Find("B"), nullptr);
}

TEST(ManifestTest, AcceptsAdjacentShardsOfOneFile) {
  EXPECT_THAT(
      Manifest::Create({ShardOf("w.bin", 0, 8), ShardOf("w.bin", 8, 16)}),
      IsOk());
}

TEST(ManifestTest, AcceptsWholeFileNamesWithColons) {
  ASSERT_OK_AND_ASSIGN(Manifest manifest, Manifest::Create({File("a:0:10")}));

  EXPECT_FALSE(manifest.entries()[0].shard.has_value());
}

TEST(ManifestTest, RejectsEmptyManifest) {
  EXPECT_THAT(Manifest::Create({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("no entries")));
}

TEST(ManifestTest, RejectsDuplicateNamesNamingBothEntries) {
  EXPECT_THAT(Manifest::Create({File("a"), File("b"), File("a")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("manifest entry 2 ('a'): duplicates entry "
                                 "0")));
}

TEST(ManifestTest, RejectsDuplicateShards) {
  EXPECT_THAT(
      Manifest::Create({ShardOf("a", 0, 4), ShardOf("a", 0, 4)}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicates")));
}

TEST(ManifestTest, RejectsOverlappingShards) {
  EXPECT_THAT(Manifest::Create({ShardOf("w", 0, 10), ShardOf("w", 9, 20)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("manifest entry 1 ('w:9:20'): overlaps the "
                                 "shard of entry 0")));
}

TEST(ManifestTest, RejectsShardContainedInAnother) {
  EXPECT_THAT(
      Manifest::Create({ShardOf("w", 0, 100), ShardOf("w", 0, 10)}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overlaps")));
}

TEST(ManifestTest, RejectsShardWithStartNotBelowEnd) {
  ManifestEntry empty{"w:5:5", FakeDigest('s'), 0, Shard{5, 5}};
  ManifestEntry reversed{"w:6:5", FakeDigest('s'), 0, Shard{6, 5}};

  EXPECT_THAT(Manifest::Create({empty}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty or reversed shard [5, 5)")));
  EXPECT_THAT(Manifest::Create({reversed}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty or reversed shard [6, 5)")));
}

TEST(ManifestTest, RejectsShardNameNotMatchingShardField) {
  ManifestEntry entry{"w:0:10", FakeDigest('s'), 10, Shard{0, 11}};

  EXPECT_THAT(Manifest::Create({entry}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not match the shard [0, 11)")));
}

TEST(ManifestTest, RejectsShardEntryWithPlainName) {
  ManifestEntry entry{"w", FakeDigest('s'), 10, Shard{0, 10}};

  EXPECT_THAT(
      Manifest::Create({entry}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("shard form")));
}

TEST(ManifestTest, RejectsShardSizeDifferentFromRange) {
  ManifestEntry entry = ShardOf("w", 0, 10);
  entry.size = 9;

  EXPECT_THAT(Manifest::Create({entry}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("size 9 differs from the shard length 10")));
}

TEST(ManifestTest, RejectsMixOfFilesAndShards) {
  EXPECT_THAT(Manifest::Create({File("a"), ShardOf("b", 0, 1)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("manifest entry 1 ('b:0:1'): is a shard")));
}

TEST(ManifestTest, RejectsDigestNot32Bytes) {
  ManifestEntry short_digest = File("a");
  short_digest.digest.pop_back();
  ManifestEntry long_digest = File("b");
  long_digest.digest.push_back('x');

  EXPECT_THAT(Manifest::Create({short_digest}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("digest is 31 bytes; want 32")));
  EXPECT_THAT(Manifest::Create({long_digest}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("digest is 33 bytes")));
}

TEST(ManifestTest, RejectsTotalSizeOverflow) {
  EXPECT_THAT(
      Manifest::Create({File("a", UINT64_MAX), File("b", 1)}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflows")));
}

TEST(ManifestTest, RejectsInvalidNameNamingIndex) {
  EXPECT_THAT(Manifest::Create({File("ok"), File("a//b")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("manifest entry 1 ('a//b')")));
}

TEST(ValidateEntryNameTest, AcceptsRelativePaths) {
  EXPECT_THAT(ValidateEntryName("model.safetensors"), IsOk());
  EXPECT_THAT(ValidateEntryName("a/b/c.bin"), IsOk());
  EXPECT_THAT(ValidateEntryName(".gitattributes"), IsOk());
  EXPECT_THAT(ValidateEntryName("a/...b/c"), IsOk());
  EXPECT_THAT(ValidateEntryName("caf\xc3\xa9 x/\xe4\xb8\xad.bin"), IsOk());
  EXPECT_THAT(ValidateEntryName("a:b"), IsOk());
}

TEST(ValidateEntryNameTest, RejectsEmptyName) {
  EXPECT_THAT(ValidateEntryName(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(ValidateEntryNameTest, RejectsAbsolutePath) {
  EXPECT_THAT(
      ValidateEntryName("/etc/passwd"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("absolute")));
}

TEST(ValidateEntryNameTest, RejectsBackslash) {
  EXPECT_THAT(ValidateEntryName("a\\b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'\\'")));
}

TEST(ValidateEntryNameTest, RejectsEmptySegment) {
  EXPECT_THAT(
      ValidateEntryName("a//b"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty segment")));
}

TEST(ValidateEntryNameTest, RejectsDotSegments) {
  EXPECT_THAT(
      ValidateEntryName("."),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'.' segment")));
  EXPECT_THAT(
      ValidateEntryName("a/./b"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'.' segment")));
  EXPECT_THAT(
      ValidateEntryName("../x"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'..' segment")));
  EXPECT_THAT(
      ValidateEntryName("a/.."),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'..' segment")));
}

TEST(ValidateEntryNameTest, RejectsTrailingSlash) {
  EXPECT_THAT(
      ValidateEntryName("a/"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ends with '/'")));
}

TEST(ValidateEntryNameTest, RejectsOverlongName) {
  EXPECT_THAT(ValidateEntryName(std::string(kMaxEntryNameLength, 'a')), IsOk());
  EXPECT_THAT(ValidateEntryName(std::string(kMaxEntryNameLength + 1, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the limit is 4096")));
}

TEST(ValidateEntryNameTest, RejectsControlCharacters) {
  EXPECT_THAT(ValidateEntryName(std::string("a\0b", 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'a\\x00b' has invalid UTF-8 or a control "
                                 "character at byte 1")));
  EXPECT_THAT(ValidateEntryName("a\nb"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateEntryName("a\x7f"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateEntryName("a\xc2\x85"),  // U+0085 NEL
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ValidateEntryNameTest, RejectsInvalidUtf8) {
  EXPECT_THAT(ValidateEntryName("\xff"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateEntryName("\xc3"),  // truncated
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateEntryName("\xc0\xaf"),  // overlong '/'
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateEntryName("\xed\xa0\x80"),  // surrogate U+D800
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateEntryName("\xf4\x90\x80\x80"),  // U+110000
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateEntryName("\xc3\x28"),  // bad continuation
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseEntryNameTest, ParsesShardSplittingAtLastTwoColons) {
  ASSERT_OK_AND_ASSIGN(auto parsed, ParseEntryName("a:b:0:10"));

  EXPECT_EQ(parsed.first, "a:b");
  ASSERT_TRUE(parsed.second.has_value());
  EXPECT_EQ(parsed.second->start, 0u);
  EXPECT_EQ(parsed.second->end, 10u);
}

TEST(ParseEntryNameTest, ParsesMaximalShardEnd) {
  ASSERT_OK_AND_ASSIGN(auto parsed, ParseEntryName("w:0:18446744073709551615"));

  EXPECT_EQ(parsed.second->end, UINT64_MAX);
}

TEST(ParseEntryNameTest, ReturnsPlainPathWithoutShard) {
  ASSERT_OK_AND_ASSIGN(auto plain, ParseEntryName("dir/model.bin"));
  ASSERT_OK_AND_ASSIGN(auto one_colon, ParseEntryName("a:b"));

  EXPECT_EQ(plain.first, "dir/model.bin");
  EXPECT_FALSE(plain.second.has_value());
  EXPECT_EQ(one_colon.first, "a:b");
  EXPECT_FALSE(one_colon.second.has_value());
}

TEST(ParseEntryNameTest, RoundTripsShardEntryName) {
  const std::string name = ShardEntryName("x/y:z", Shard{7, 9});

  ASSERT_OK_AND_ASSIGN(auto parsed, ParseEntryName(name));

  EXPECT_EQ(name, "x/y:z:7:9");
  EXPECT_EQ(parsed.first, "x/y:z");
  EXPECT_EQ(parsed.second, (Shard{7, 9}));
}

TEST(ParseEntryNameTest, RejectsNonNumericRange) {
  EXPECT_THAT(ParseEntryName("a:x:10"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("shard start 'x'")));
  EXPECT_THAT(ParseEntryName("a:0:1x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("shard end '1x'")));
  EXPECT_THAT(ParseEntryName("a:-1:10"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseEntryName("a:+1:10"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseEntryName("a: 1:10"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseEntryName("a::10"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseEntryName("a:0:"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseEntryNameTest, RejectsNonCanonicalNumbers) {
  EXPECT_THAT(ParseEntryName("a:00:10"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseEntryName("a:0:010"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseEntryNameTest, RejectsOverflowingNumbers) {
  EXPECT_THAT(
      ParseEntryName("a:0:18446744073709551616"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("uint64")));
  EXPECT_THAT(ParseEntryName("a:99999999999999999999:100000000000000000000"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseEntryNameTest, RejectsStartNotBelowEnd) {
  EXPECT_THAT(
      ParseEntryName("a:10:10"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[10, 10)")));
  EXPECT_THAT(ParseEntryName("a:11:10"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseEntryNameTest, RejectsInvalidShardPath) {
  EXPECT_THAT(ParseEntryName(":0:10"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(
      ParseEntryName("../w:0:10"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'..' segment")));
}

TEST(ParseEntryNameTest, RejectsInvalidPlainPath) {
  EXPECT_THAT(
      ParseEntryName("/abs"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("absolute")));
}

}  // namespace
}  // namespace pedigree::core::manifest
