#include "core/note/checkpoint.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/crypto/keys.h"
#include "core/encoding/base64.h"
#include "core/encoding/hex.h"
#include "core/note/note.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::note {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A real checkpoint of the Go checksum database (tree size 15368405), quoted
// in the Sigsum proposal to adopt checkpoints, and the database's verifier key
// as pinned in Go (cmd/go/internal/modfetch/key.go). The signature verifies
// under that key, which authenticates the vector.
constexpr char kSumdbVerifierKey[] =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
constexpr char kSumdbText[] =
    "go.sum database tree\n"
    "15368405\n"
    "/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY=\n";
constexpr char kSumdbSignatureLine[] =
    "\xe2\x80\x94 sum.golang.org "
    "Az3grqJGUaSGukG9p8nI2vKgiFn7qGHxn0W+mrwyI6Gz3F0t1J3LzmWk/p96Ybf295EjwdSwlz"
    "gijq5WA9d1Ded7owM=\n";
constexpr char kSumdbRootHex[] =
    "fe0f5a9b723a61634a6995ff8e49ded5fa9df731328ecb3e257c8f5c6d167e46";

// The example of c2sp.org/tlog-checkpoint (its key is not published).
constexpr char kSpecExample[] =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\xe2\x80\x94 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nT"
    "o+zyWE+xeMcTOAYQ8=\n";

// Pedigree's own known answer, computed independently with Python's
// cryptography package: the RFC 8032 TEST 1 seed as log key
// "example.com/log", signing the 8-leaf transparency-dev reference tree.
constexpr char kRfc8032Seed[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kLogOrigin[] = "example.com/log";
constexpr char kLogVerifierKey[] =
    "example.com/log+cc714670+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";
constexpr char kRoot8Hex[] =
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
constexpr char kLogCheckpointText[] =
    "example.com/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
constexpr char kLogSignedCheckpoint[] =
    "example.com/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
    "\xe2\x80\x94 example.com/log "
    "zHFGcFgWv11lWNcaencFBAIP2jaYDmzzTqQYktcWjHonYVMYj1dpRwXFs7qAp9G9NVl6Q4L2TI"
    "ziuY0FeM1j5xOVYQ0=\n";

std::string Unhex(absl::string_view hex) {
  absl::StatusOr<std::string> bytes = HexDecode(hex);
  EXPECT_THAT(bytes, IsOk());
  return bytes.ok() ? *bytes : std::string();
}

absl::StatusOr<NoteSigner> LogSigner() {
  absl::StatusOr<crypto::PrivateKey> key =
      crypto::PrivateKey::FromEd25519Seed(Unhex(kRfc8032Seed));
  if (!key.ok()) return key.status();
  return NoteSigner::Create(kLogOrigin, *key);
}

NoteVerifier MustVerifier(absl::string_view vkey) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(vkey);
  EXPECT_THAT(verifier, IsOk()) << vkey;
  return *std::move(verifier);
}

Checkpoint Root8() {
  Checkpoint checkpoint;
  checkpoint.origin = kLogOrigin;
  checkpoint.size = 8;
  checkpoint.root_hash = Unhex(kRoot8Hex);
  return checkpoint;
}

// Returns kLogCheckpointText with `line` (0-based) replaced by `value`.
std::string WithLine(size_t line, absl::string_view value) {
  std::vector<std::string> lines = {kLogOrigin, "8",
                                    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/"
                                    "RgQyg="};
  lines[line] = std::string(value);
  return absl::StrCat(lines[0], "\n", lines[1], "\n", lines[2], "\n");
}

// --- FormatCheckpoint ---

TEST(FormatCheckpointTest, FormatsKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(std::string text, FormatCheckpoint(Root8()));

  EXPECT_EQ(text, kLogCheckpointText);
}

TEST(FormatCheckpointTest, FormatsExtensionLinesAndZeroSize) {
  Checkpoint checkpoint = Root8();
  checkpoint.size = 0;
  checkpoint.extensions = {"ext one", "\xc3\xa9"};

  ASSERT_OK_AND_ASSIGN(std::string text, FormatCheckpoint(checkpoint));

  EXPECT_EQ(text, absl::StrCat(kLogOrigin,
                               "\n0\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/"
                               "RgQyg=\next one\n\xc3\xa9\n"));
}

TEST(FormatCheckpointTest, FormatsMaximumSize) {
  Checkpoint checkpoint = Root8();
  checkpoint.size = UINT64_MAX;

  ASSERT_OK_AND_ASSIGN(std::string text, FormatCheckpoint(checkpoint));

  EXPECT_THAT(text, HasSubstr("\n18446744073709551615\n"));
}

TEST(FormatCheckpointTest, RefusesEmptyOrigin) {
  Checkpoint checkpoint = Root8();
  checkpoint.origin = "";

  EXPECT_THAT(
      FormatCheckpoint(checkpoint),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("origin")));
}

TEST(FormatCheckpointTest, RefusesOriginWithControlCharacters) {
  for (absl::string_view origin : {"a\nb", "a\r", "\ta", "a\x7f\x01"}) {
    Checkpoint checkpoint = Root8();
    checkpoint.origin = std::string(origin);

    EXPECT_THAT(FormatCheckpoint(checkpoint),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("control character")))
        << origin;
  }
}

TEST(FormatCheckpointTest, RefusesOriginWithInvalidUtf8) {
  Checkpoint checkpoint = Root8();
  checkpoint.origin = "log\xc3";

  EXPECT_THAT(FormatCheckpoint(checkpoint),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("utf-8")));
}

TEST(FormatCheckpointTest, RefusesRootHashOfWrongLength) {
  for (size_t length : {0, 31, 33}) {
    Checkpoint checkpoint = Root8();
    checkpoint.root_hash = std::string(length, 'x');

    EXPECT_THAT(
        FormatCheckpoint(checkpoint),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("want 32")))
        << length;
  }
}

TEST(FormatCheckpointTest, RefusesEmptyOrMultilineExtension) {
  Checkpoint empty = Root8();
  empty.extensions = {"ok", ""};
  Checkpoint multiline = Root8();
  multiline.extensions = {"a\nb"};

  EXPECT_THAT(FormatCheckpoint(empty),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("extension line 2")));
  EXPECT_THAT(FormatCheckpoint(multiline),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("extension line 1")));
}

// --- ParseCheckpoint ---

TEST(ParseCheckpointTest, ParsesKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint,
                       ParseCheckpoint(kLogCheckpointText));

  EXPECT_EQ(checkpoint, Root8());
}

TEST(ParseCheckpointTest, ParsesSumdbCheckpoint) {
  ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint, ParseCheckpoint(kSumdbText));

  EXPECT_EQ(checkpoint.origin, "go.sum database tree");
  EXPECT_EQ(checkpoint.size, 15368405u);
  EXPECT_EQ(HexEncode(checkpoint.root_hash), kSumdbRootHex);
  EXPECT_THAT(checkpoint.extensions, IsEmpty());
}

TEST(ParseCheckpointTest, ParsesExtensionLines) {
  const std::string text = absl::StrCat(kLogCheckpointText, "a b\nc\n");

  ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint, ParseCheckpoint(text));

  EXPECT_THAT(checkpoint.extensions, ElementsAre("a b", "c"));
}

TEST(ParseCheckpointTest, RoundTripsThroughFormat) {
  for (const std::string& text :
       {std::string(kLogCheckpointText), std::string(kSumdbText),
        absl::StrCat(kLogCheckpointText, "x\n"), WithLine(1, "0"),
        WithLine(1, "18446744073709551615")}) {
    ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint, ParseCheckpoint(text));

    ASSERT_OK_AND_ASSIGN(std::string formatted, FormatCheckpoint(checkpoint));

    EXPECT_EQ(formatted, text);
  }
}

TEST(ParseCheckpointTest, ParsesZeroAndMaximumSize) {
  ASSERT_OK_AND_ASSIGN(Checkpoint zero, ParseCheckpoint(WithLine(1, "0")));
  ASSERT_OK_AND_ASSIGN(Checkpoint max,
                       ParseCheckpoint(WithLine(1, "18446744073709551615")));

  EXPECT_EQ(zero.size, 0u);
  EXPECT_EQ(max.size, UINT64_MAX);
}

TEST(ParseCheckpointTest, RefusesLeadingZero) {
  for (absl::string_view size : {"01", "00", "08", "0x10"}) {
    EXPECT_THAT(
        ParseCheckpoint(WithLine(1, size)),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leading zero")))
        << size;
  }
}

TEST(ParseCheckpointTest, RefusesSizeThatIsNotPlainDecimal) {
  for (absl::string_view size :
       {"-1", "+1", " 1", "1 ", "1.0", "8x", "1e3", "\xd9\xa1", "eight"}) {
    EXPECT_THAT(ParseCheckpoint(WithLine(1, size)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("not a decimal number")))
        << size;
  }
}

TEST(ParseCheckpointTest, RefusesEmptySize) {
  EXPECT_THAT(ParseCheckpoint(WithLine(1, "")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tree size is empty")));
}

TEST(ParseCheckpointTest, RefusesSizeAbove64Bits) {
  for (absl::string_view size :
       {"18446744073709551616", "18446744073709551620", "99999999999999999999",
        "100000000000000000000"}) {
    EXPECT_THAT(
        ParseCheckpoint(WithLine(1, size)),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("64 bits")))
        << size;
  }
}

TEST(ParseCheckpointTest, RefusesRootHashOfWrongLength) {
  const std::string root = Unhex(kRoot8Hex);

  for (const std::string& hash :
       {root.substr(1), root + "x", std::string(), root + root}) {
    EXPECT_THAT(ParseCheckpoint(WithLine(2, Base64Encode(hash))),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << Base64Encode(hash);
  }
  EXPECT_THAT(ParseCheckpoint(WithLine(2, Base64Encode(root.substr(1)))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("31 bytes, want 32")));
  EXPECT_THAT(ParseCheckpoint(WithLine(2, Base64Encode(root + "x"))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("33 bytes, want 32")));
}

TEST(ParseCheckpointTest, RefusesNonCanonicalOrNonStandardBase64) {
  for (absl::string_view root :
       {"XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=",   // trailing bits
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=",   // url alphabet
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg",    // no padding
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg==",  // extra padding
        " XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"}) {
    EXPECT_THAT(
        ParseCheckpoint(WithLine(2, root)),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("root hash")))
        << root;
  }
}

TEST(ParseCheckpointTest, RefusesEmptyOrigin) {
  EXPECT_THAT(ParseCheckpoint(WithLine(0, "")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("origin is empty")));
}

TEST(ParseCheckpointTest, RefusesEmptyExtensionLine) {
  for (const std::string& text : {absl::StrCat(kLogCheckpointText, "\n"),
                                  absl::StrCat(kLogCheckpointText, "a\n\nb\n"),
                                  absl::StrCat(kLogCheckpointText, "a\n\n")}) {
    EXPECT_THAT(
        ParseCheckpoint(text),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is empty")))
        << text;
  }
}

TEST(ParseCheckpointTest, RefusesMissingFinalNewline) {
  std::string text = kLogCheckpointText;
  text.pop_back();

  EXPECT_THAT(ParseCheckpoint(text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not end in a newline")));
  EXPECT_THAT(ParseCheckpoint(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseCheckpointTest, RefusesFewerThanThreeLines) {
  for (absl::string_view text : {"\n", "example.com/log\n", "a\n8\n"}) {
    EXPECT_THAT(ParseCheckpoint(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("want at least 3")))
        << text;
  }
}

TEST(ParseCheckpointTest, RefusesCarriageReturns) {
  const std::string crlf =
      absl::StrReplaceAll(kLogCheckpointText, {{"\n", "\r\n"}});

  EXPECT_THAT(ParseCheckpoint(crlf),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("control character 0x0d")));
  EXPECT_THAT(ParseCheckpoint(WithLine(1, "8\r")),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseCheckpointTest, RefusesInvalidUtf8) {
  EXPECT_THAT(ParseCheckpoint(WithLine(0, "log\xff")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("utf-8")));
}

TEST(ParseCheckpointTest, RefusesOversizedText) {
  const std::string text =
      absl::StrCat(kLogCheckpointText, std::string(kMaxNoteSize, 'x'), "\n");

  EXPECT_THAT(ParseCheckpoint(text),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
}

// --- SignCheckpoint ---

TEST(SignCheckpointTest, ReproducesIndependentKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, LogSigner());

  ASSERT_OK_AND_ASSIGN(std::string note, SignCheckpoint(Root8(), signer));

  EXPECT_EQ(note, kLogSignedCheckpoint);
  EXPECT_EQ(signer.VerifierKey(), kLogVerifierKey);
}

TEST(SignCheckpointTest, RefusesSignerNamedOtherThanOrigin) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, LogSigner());
  Checkpoint checkpoint = Root8();
  checkpoint.origin = "example.com/other";

  EXPECT_THAT(
      SignCheckpoint(checkpoint, signer),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("log key name")));
}

TEST(SignCheckpointTest, RefusesInvalidCheckpoint) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, LogSigner());
  Checkpoint checkpoint = Root8();
  checkpoint.root_hash.pop_back();

  EXPECT_THAT(
      SignCheckpoint(checkpoint, signer),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("root hash")));
}

// --- OpenCheckpoint ---

TEST(OpenCheckpointTest, OpensKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(
      Checkpoint checkpoint,
      OpenCheckpoint(kLogSignedCheckpoint, MustVerifier(kLogVerifierKey),
                     kLogOrigin));

  EXPECT_EQ(checkpoint, Root8());
}

TEST(OpenCheckpointTest, RoundTripsWithExtensionsAndWitnessSignature) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, LogSigner());
  Checkpoint checkpoint = Root8();
  checkpoint.extensions = {"opaque extension"};
  ASSERT_OK_AND_ASSIGN(std::string note, SignCheckpoint(checkpoint, signer));
  // A cosignature by a key the client does not know is ignored.
  const std::string cosigned = absl::StrCat(
      note,
      "\xe2\x80\x94 witness.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");

  ASSERT_OK_AND_ASSIGN(
      Checkpoint opened,
      OpenCheckpoint(cosigned, MustVerifier(signer.VerifierKey()), kLogOrigin));

  EXPECT_EQ(opened, checkpoint);
}

TEST(OpenCheckpointTest, RefusesWrongExpectedOrigin) {
  EXPECT_THAT(
      OpenCheckpoint(kLogSignedCheckpoint, MustVerifier(kLogVerifierKey),
                     "example.com/other"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("differs from the expected origin")));
}

TEST(OpenCheckpointTest, RefusesCheckpointOfOtherOriginSignedByLogKey) {
  // The log key signed a note whose origin line is not its own name.
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, LogSigner());
  Checkpoint other = Root8();
  other.origin = "example.com/other";
  ASSERT_OK_AND_ASSIGN(std::string text, FormatCheckpoint(other));
  ASSERT_OK_AND_ASSIGN(std::string note, signer.Sign(text));

  EXPECT_THAT(OpenCheckpoint(note, MustVerifier(kLogVerifierKey), kLogOrigin),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is not the expected")));
}

TEST(OpenCheckpointTest, RefusesCheckpointSignedByOtherKey) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey other,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  ASSERT_OK_AND_ASSIGN(NoteSigner impostor,
                       NoteSigner::Create(kLogOrigin, other));
  ASSERT_OK_AND_ASSIGN(std::string note, SignCheckpoint(Root8(), impostor));

  EXPECT_THAT(OpenCheckpoint(note, MustVerifier(kLogVerifierKey), kLogOrigin),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(OpenCheckpointTest, RefusesTamperedSizeOrRoot) {
  const NoteVerifier log_key = MustVerifier(kLogVerifierKey);

  EXPECT_THAT(OpenCheckpoint(absl::StrReplaceAll(kLogSignedCheckpoint,
                                                 {{"log\n8\n", "log\n9\n"}}),
                             log_key, kLogOrigin),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(OpenCheckpoint(
                  absl::StrReplaceAll(kLogSignedCheckpoint, {{"Xcna", "Ycna"}}),
                  log_key, kLogOrigin),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(OpenCheckpointTest, RefusesSignedNoteThatIsNotACheckpoint) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, LogSigner());
  ASSERT_OK_AND_ASSIGN(std::string note,
                       signer.Sign("example.com/log\n08\nAAAA\n"));

  EXPECT_THAT(
      OpenCheckpoint(note, MustVerifier(kLogVerifierKey), kLogOrigin),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leading zero")));
}

TEST(OpenCheckpointTest, RefusesUnsignedSpecExample) {
  EXPECT_THAT(
      OpenCheckpoint(kSpecExample, MustVerifier(kLogVerifierKey), kLogOrigin),
      StatusIs(absl::StatusCode::kPermissionDenied));
}

// --- Real checkpoints from public logs ---

TEST(PublicCheckpointTest, SumdbCheckpointVerifiesWithPinnedGoKey) {
  const std::string note = absl::StrCat(kSumdbText, "\n", kSumdbSignatureLine);

  ASSERT_OK_AND_ASSIGN(VerifiedNote verified,
                       OpenNote(note, {MustVerifier(kSumdbVerifierKey)}));
  ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint, ParseCheckpoint(verified.text));

  EXPECT_EQ(checkpoint.size, 15368405u);
  EXPECT_EQ(HexEncode(checkpoint.root_hash), kSumdbRootHex);
}

TEST(PublicCheckpointTest, SumdbCheckpointFailsWithChangedSize) {
  const std::string note =
      absl::StrCat(absl::StrReplaceAll(kSumdbText, {{"15368405", "15368406"}}),
                   "\n", kSumdbSignatureLine);

  EXPECT_THAT(OpenNote(note, {MustVerifier(kSumdbVerifierKey)}),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(PublicCheckpointTest, OpenCheckpointRefusesSumdbKeyNameMismatch) {
  // Go's checksum database names its key "sum.golang.org" but its origin
  // "go.sum database tree"; Pedigree's OpenCheckpoint requires them equal.
  const std::string note = absl::StrCat(kSumdbText, "\n", kSumdbSignatureLine);

  EXPECT_THAT(
      OpenCheckpoint(note, MustVerifier(kSumdbVerifierKey),
                     "go.sum database tree"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("log key name")));
}

TEST(PublicCheckpointTest, SpecExampleParses) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey other,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  ASSERT_OK_AND_ASSIGN(NoteVerifier stranger,
                       NoteVerifier::Create("stranger", other.public_key()));

  const absl::string_view example = kSpecExample;

  absl::StatusOr<VerifiedNote> opened = OpenNote(example, {stranger});
  ASSERT_OK_AND_ASSIGN(
      Checkpoint checkpoint,
      ParseCheckpoint(example.substr(0, example.find("\n\n") + 1)));

  EXPECT_THAT(opened, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(checkpoint.origin, "example.com/behind-the-sofa");
  EXPECT_EQ(checkpoint.size, 20852163u);
  EXPECT_EQ(HexEncode(checkpoint.root_hash),
            "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
}

}  // namespace
}  // namespace pedigree::core::note
