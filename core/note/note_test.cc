#include "core/note/note.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/crypto/keys.h"
#include "core/crypto/sha256.h"
#include "core/encoding/base64.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::note {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Known answers from Go's golang.org/x/mod/sumdb/note (note_test.go,
// TestSign and TestOpen, and the package documentation).
constexpr char kPeterSignerKey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+"
    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kPeterVerifierKey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kEnochVerifierKey[] =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr char kText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kPeterSignatureLine[] =
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngot"
    "pRZb6KE6RyyBwJnAM=\n";
constexpr char kEnochSignatureLine[] =
    "\xe2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwn"
    "WLox33WWd1RvMc+QQ=\n";
constexpr uint32_t kPeterKeyHash = 0xc74f20a3;

// Two Ed25519 keys whose key hashes under "example.com/log" collide, found by
// a birthday search over seeds SHA-256("pedigree note collision <i>")
// (i = 23394 and 54214) with Python's cryptography package.
constexpr char kCollidingSeedInput1[] = "pedigree note collision 23394";
constexpr char kCollidingVerifierKey1[] =
    "example.com/log+324e22ac+AYh/xnuRupEfTxRj5UYvYdDlzZ19/hpa6Ea4gy0invbz";
constexpr char kCollidingVerifierKey2[] =
    "example.com/log+324e22ac+AfspkOZ6jPqRIXemJGMdhGu7XuIy2TttVA1NCN1aB/7B";
constexpr uint32_t kEnochKeyHash = 0xaf0cfe78;

std::string PeterNote() {
  return absl::StrCat(kText, "\n", kPeterSignatureLine);
}

std::string Decode(absl::string_view base64) {
  absl::StatusOr<std::string> bytes = Base64Decode(base64);
  EXPECT_THAT(bytes, IsOk());
  return bytes.ok() ? *bytes : std::string();
}

// The Ed25519 seed inside kPeterSignerKey (Go's "PRIVATE+KEY+<name>+<hash>+
// base64(0x01 || seed)").
absl::StatusOr<crypto::PrivateKey> PeterKey() {
  const std::string key = Decode(absl::string_view(kPeterSignerKey).substr(34));
  EXPECT_EQ(key.size(), 33u);
  return crypto::PrivateKey::FromEd25519Seed(key.substr(1));
}

absl::StatusOr<NoteSigner> PeterSigner() {
  absl::StatusOr<crypto::PrivateKey> key = PeterKey();
  if (!key.ok()) return key.status();
  return NoteSigner::Create("PeterNeumann", *key);
}

NoteVerifier MustVerifier(absl::string_view vkey) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(vkey);
  EXPECT_THAT(verifier, IsOk()) << vkey;
  return *std::move(verifier);
}

std::string FlipBit(std::string bytes, size_t index) {
  bytes[index] = static_cast<char>(bytes[index] ^ 1);
  return bytes;
}

// --- Ed25519KeyHash ---

TEST(Ed25519KeyHashTest, MatchesGoVectors) {
  const std::string peter =
      Decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").substr(1);
  const std::string enoch =
      Decode("ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop").substr(1);

  ASSERT_OK_AND_ASSIGN(uint32_t peter_hash,
                       Ed25519KeyHash("PeterNeumann", peter));
  EXPECT_EQ(peter_hash, kPeterKeyHash);
  ASSERT_OK_AND_ASSIGN(uint32_t enoch_hash, Ed25519KeyHash("EnochRoot", enoch));
  EXPECT_EQ(enoch_hash, kEnochKeyHash);
}

TEST(Ed25519KeyHashTest, RefusesKeyOfWrongLength) {
  EXPECT_THAT(Ed25519KeyHash("a", std::string(31, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32")));
  EXPECT_THAT(Ed25519KeyHash("a", std::string(33, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- ValidateKeyName ---

TEST(ValidateKeyNameTest, AcceptsUrlsAndUnicode) {
  for (absl::string_view name : {"PeterNeumann", "example.com/log", "a",
                                 "\xc3\xa9t\xc3\xa9", "x\x7fy"}) {
    EXPECT_OK(ValidateKeyName(name)) << name;
  }
}

TEST(ValidateKeyNameTest, RefusesEmptyName) {
  EXPECT_THAT(ValidateKeyName(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(ValidateKeyNameTest, RefusesPlus) {
  EXPECT_THAT(ValidateKeyName("a+b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'+'")));
}

TEST(ValidateKeyNameTest, RefusesAsciiAndUnicodeSpaces) {
  for (absl::string_view name : {"a b", "a\tb", "a\nb", "a\rb", "a\vb", "a\fb",
                                 "a\xc2\x85"
                                 "b",
                                 "a\xc2\xa0"
                                 "b",
                                 "a\xe1\x9a\x80"
                                 "b",
                                 "a\xe2\x80\x80"
                                 "b",
                                 "a\xe2\x80\x8a"
                                 "b",
                                 "a\xe2\x80\xa8"
                                 "b",
                                 "a\xe2\x80\xa9"
                                 "b",
                                 "a\xe2\x80\xaf"
                                 "b",
                                 "a\xe2\x81\x9f"
                                 "b",
                                 "a\xe3\x80\x80"
                                 "b",
                                 " "}) {
    EXPECT_THAT(
        ValidateKeyName(name),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("white space")))
        << name;
  }
}

TEST(ValidateKeyNameTest, RefusesControlCharacters) {
  for (absl::string_view name :
       std::vector<absl::string_view>{absl::string_view("a\0b", 3),
                                      absl::string_view("a\x01"), "\x1b[31m"}) {
    EXPECT_THAT(ValidateKeyName(name),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("control character")));
  }
}

TEST(ValidateKeyNameTest, RefusesInvalidUtf8) {
  for (absl::string_view name :
       {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"}) {
    EXPECT_THAT(
        ValidateKeyName(name),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("utf-8")));
  }
}

TEST(ValidateKeyNameTest, AcceptsEveryUtf8Length) {
  for (absl::string_view name :
       {"\xc2\x80", "\xe0\xa0\x80", "\xef\xbf\xbf", "\xf0\x9f\x98\x80",
        "\xf4\x8f\xbf\xbf", "\xee\x80\x80"}) {
    EXPECT_OK(ValidateKeyName(name)) << name;
  }
}

TEST(ValidateKeyNameTest, RefusesOverlongTruncatedAndStrayUtf8) {
  for (absl::string_view name :
       {"\x80", "\xbf", "\xc1\xbf", "\xc3\x28", "\xe0\x80\xaf", "\xe2\x80",
        "\xf0\x80\x80\xaf", "\xf0\x9f\x98", "\xf5\x80\x80\x80",
        "\xf8\x88\x80\x80\x80", "\xfe",
        "a\xed\xbf\xbf"
        "b"}) {
    EXPECT_THAT(
        ValidateKeyName(name),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("utf-8")))
        << name;
  }
}

// --- NoteSigner ---

TEST(NoteSignerTest, SignReproducesGoSignedNote) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, PeterSigner());

  ASSERT_OK_AND_ASSIGN(std::string note, signer.Sign(kText));

  EXPECT_EQ(note, PeterNote());
}

TEST(NoteSignerTest, VerifierKeyMatchesGoVerifierKey) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, PeterSigner());

  EXPECT_EQ(signer.VerifierKey(), kPeterVerifierKey);
  EXPECT_EQ(signer.name(), "PeterNeumann");
  EXPECT_EQ(signer.key_hash(), kPeterKeyHash);
}

TEST(NoteSignerTest, GeneratedKeyRoundTripsThroughOpenNote) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey key,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  ASSERT_OK_AND_ASSIGN(NoteSigner signer,
                       NoteSigner::Create("example.com/log", key));
  ASSERT_OK_AND_ASSIGN(NoteVerifier verifier,
                       NoteVerifier::FromVerifierKey(signer.VerifierKey()));
  const std::string text = "line one\n\nline three after a blank line\n";

  ASSERT_OK_AND_ASSIGN(std::string note, signer.Sign(text));
  ASSERT_OK_AND_ASSIGN(VerifiedNote opened, OpenNote(note, {verifier}));

  EXPECT_EQ(opened.text, text);
  ASSERT_EQ(opened.verified.size(), 1u);
  EXPECT_EQ(opened.verified[0].name, "example.com/log");
  EXPECT_EQ(opened.verified[0].key_hash, signer.key_hash());
}

TEST(NoteSignerTest, CreateRefusesEcdsaKey) {
  ASSERT_OK_AND_ASSIGN(
      crypto::PrivateKey key,
      crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256));

  EXPECT_THAT(
      NoteSigner::Create("example.com/log", key),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only ed25519")));
}

TEST(NoteSignerTest, CreateRefusesInvalidNames) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey key, PeterKey());

  for (absl::string_view name : {"", "a+b", "a b",
                                 "a\xe2\x80\x83"
                                 "b",
                                 "a\x01", "\xff"}) {
    EXPECT_THAT(NoteSigner::Create(name, key),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << name;
  }
}

TEST(NoteSignerTest, SignRefusesEmptyText) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, PeterSigner());

  EXPECT_THAT(signer.Sign(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(NoteSignerTest, SignRefusesTextWithoutFinalNewline) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, PeterSigner());

  EXPECT_THAT(signer.Sign("abc"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not end in a newline")));
}

TEST(NoteSignerTest, SignRefusesControlCharacters) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, PeterSigner());

  for (absl::string_view text :
       std::vector<absl::string_view>{"a\rb\n", "a\r\n", "\tx\n", "a\x1b\n",
                                      absl::string_view("a\0\n", 3)}) {
    EXPECT_THAT(signer.Sign(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("control character")));
  }
}

TEST(NoteSignerTest, SignRefusesInvalidUtf8) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, PeterSigner());

  EXPECT_THAT(signer.Sign("\xff\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("utf-8")));
}

TEST(NoteSignerTest, SignRefusesOversizedNote) {
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, PeterSigner());

  EXPECT_THAT(signer.Sign(std::string(kMaxNoteSize, '\n')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
}

// --- NoteVerifier ---

TEST(NoteVerifierTest, ParsesGoVerifierKey) {
  ASSERT_OK_AND_ASSIGN(NoteVerifier verifier,
                       NoteVerifier::FromVerifierKey(kPeterVerifierKey));

  EXPECT_EQ(verifier.name(), "PeterNeumann");
  EXPECT_EQ(verifier.key_hash(), kPeterKeyHash);
  EXPECT_EQ(verifier.VerifierKey(), kPeterVerifierKey);
}

TEST(NoteVerifierTest, ParsesKeyWhoseBase64ContainsPlus) {
  constexpr char kSumdb[] =
      "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

  ASSERT_OK_AND_ASSIGN(NoteVerifier verifier,
                       NoteVerifier::FromVerifierKey(kSumdb));

  EXPECT_EQ(verifier.name(), "sum.golang.org");
  EXPECT_EQ(verifier.key_hash(), 0x033de0aeu);
  EXPECT_EQ(verifier.VerifierKey(), kSumdb);
}

TEST(NoteVerifierTest, CreateFromPublicKeyGivesSameVerifierKey) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey key, PeterKey());

  ASSERT_OK_AND_ASSIGN(NoteVerifier verifier,
                       NoteVerifier::Create("PeterNeumann", key.public_key()));

  EXPECT_EQ(verifier.VerifierKey(), kPeterVerifierKey);
}

TEST(NoteVerifierTest, CreateRefusesEcdsaKeyAndBadName) {
  ASSERT_OK_AND_ASSIGN(
      crypto::PrivateKey ecdsa,
      crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256));
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey ed25519, PeterKey());

  EXPECT_THAT(
      NoteVerifier::Create("a", ecdsa.public_key()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only ed25519")));
  EXPECT_THAT(NoteVerifier::Create("a b", ed25519.public_key()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(NoteVerifierTest, RefusesWrongKeyHash) {
  EXPECT_THAT(
      NoteVerifier::FromVerifierKey(
          "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("does not match")));
}

TEST(NoteVerifierTest, RefusesKeyHashOfOtherName) {
  EXPECT_THAT(
      NoteVerifier::FromVerifierKey(
          "PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("does not match")));
}

TEST(NoteVerifierTest, RefusesUppercaseOrShortHash) {
  for (absl::string_view vkey :
       {"PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a30+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+0xc74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"}) {
    EXPECT_THAT(NoteVerifier::FromVerifierKey(vkey),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("8 lowercase hex")))
        << vkey;
  }
}

TEST(NoteVerifierTest, RefusesWrongSignatureType) {
  // Go's TestNewVerifier: unknown algorithm, with adjusted key hash.
  EXPECT_THAT(
      NoteVerifier::FromVerifierKey(
          "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("unsupported signature type 0x65")));
}

TEST(NoteVerifierTest, RefusesKeyOfWrongLength) {
  // 33 and 31 key bytes after the type byte, each with its matching hash.
  for (absl::string_view vkey :
       {"PeterNeumann+5bdbe860+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
        "LDE4izWy10TWAA==",
        "PeterNeumann+a3fe51bc+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q=",
        "PeterNeumann+c74f20a3+AQ=="}) {
    EXPECT_THAT(
        NoteVerifier::FromVerifierKey(vkey),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("want 32")))
        << vkey;
  }
}

TEST(NoteVerifierTest, RefusesEmptyKey) {
  EXPECT_THAT(NoteVerifier::FromVerifierKey("PeterNeumann+c74f20a3+"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(NoteVerifierTest, RefusesGoWrongLengthVector) {
  // Go's TestNewVerifier: wrong length key, with adjusted key hash. Its
  // base64 also has non-zero trailing bits, which is refused first here.
  EXPECT_THAT(NoteVerifier::FromVerifierKey(
                  "PeterNeumann+cc469956+"
                  "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(NoteVerifierTest, RefusesMissingOrExtraParts) {
  for (absl::string_view vkey :
       {"", "PeterNeumann", "PeterNeumann+c74f20a3",
        "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
        "LDE4izWy10TW+AAAA",
        "x+PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        " PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
        "LDE4izWy10TW\n"}) {
    EXPECT_THAT(NoteVerifier::FromVerifierKey(vkey),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << vkey;
  }
}

TEST(NoteVerifierTest, RefusesNonStandardBase64) {
  for (absl::string_view vkey :
       {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
        "LDE4izWy10TW====",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVk mqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"}) {
    EXPECT_THAT(NoteVerifier::FromVerifierKey(vkey),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key:")))
        << vkey;
  }
}

TEST(NoteVerifierTest, RefusesEverySubstringAndEveryByteChange) {
  // As Go's TestNewVerifier: no proper substring and no single-byte change of
  // a valid key is accepted.
  const std::string vkey = kPeterVerifierKey;

  for (size_t i = 0; i <= vkey.size(); ++i) {
    for (size_t j = i; j <= vkey.size(); ++j) {
      if (i == 0 && j == vkey.size()) continue;
      EXPECT_THAT(NoteVerifier::FromVerifierKey(vkey.substr(i, j - i)),
                  StatusIs(absl::StatusCode::kInvalidArgument))
          << vkey.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < vkey.size(); ++i) {
    std::string changed = vkey;
    ++changed[i];
    EXPECT_THAT(NoteVerifier::FromVerifierKey(changed),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << changed;
  }
}

TEST(NoteVerifierTest, VerifyRefusesOtherTextAsPermissionDenied) {
  const NoteVerifier verifier = MustVerifier(kPeterVerifierKey);
  const std::string signature =
      Decode(
          "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqf"
          "qdngotpRZb6KE6RyyBwJnAM=")
          .substr(4);

  EXPECT_OK(verifier.Verify(kText, signature));
  EXPECT_THAT(
      verifier.Verify("other\n", signature),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("PeterNeumann")));
  EXPECT_THAT(verifier.Verify(kText, signature.substr(1)),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// --- OpenNote: known answers ---

TEST(OpenNoteTest, OpensGoSignedNote) {
  ASSERT_OK_AND_ASSIGN(
      VerifiedNote note,
      OpenNote(PeterNote(), {MustVerifier(kPeterVerifierKey)}));

  EXPECT_EQ(note.text, kText);
  ASSERT_EQ(note.verified.size(), 1u);
  EXPECT_EQ(note.verified[0].name, "PeterNeumann");
  EXPECT_EQ(note.verified[0].key_hash, kPeterKeyHash);
  EXPECT_EQ(note.verified[0].signature.size(), 64u);
  EXPECT_THAT(note.unverified, IsEmpty());
}

TEST(OpenNoteTest, RecordsUnknownSignerAsUnverified) {
  const std::string msg =
      absl::StrCat(kText, "\n", kPeterSignatureLine, kEnochSignatureLine);

  ASSERT_OK_AND_ASSIGN(VerifiedNote note,
                       OpenNote(msg, {MustVerifier(kPeterVerifierKey)}));

  ASSERT_EQ(note.verified.size(), 1u);
  EXPECT_EQ(note.verified[0].name, "PeterNeumann");
  ASSERT_EQ(note.unverified.size(), 1u);
  EXPECT_EQ(note.unverified[0].name, "EnochRoot");
  EXPECT_EQ(note.unverified[0].key_hash, kEnochKeyHash);
}

TEST(OpenNoteTest, VerifiesBothGoSignatures) {
  const std::string msg =
      absl::StrCat(kText, "\n", kPeterSignatureLine, kEnochSignatureLine);

  ASSERT_OK_AND_ASSIGN(VerifiedNote note,
                       OpenNote(msg, {MustVerifier(kPeterVerifierKey),
                                      MustVerifier(kEnochVerifierKey)}));

  ASSERT_EQ(note.verified.size(), 2u);
  EXPECT_EQ(note.verified[0].name, "PeterNeumann");
  EXPECT_EQ(note.verified[1].name, "EnochRoot");
  EXPECT_THAT(note.unverified, IsEmpty());
}

TEST(OpenNoteTest, ListsDuplicateSignaturesOnce) {
  const std::string msg =
      absl::StrCat(kText, "\n", kPeterSignatureLine, kPeterSignatureLine,
                   kEnochSignatureLine, kEnochSignatureLine);

  ASSERT_OK_AND_ASSIGN(VerifiedNote note,
                       OpenNote(msg, {MustVerifier(kPeterVerifierKey)}));

  EXPECT_EQ(note.verified.size(), 1u);
  EXPECT_EQ(note.unverified.size(), 1u);
}

TEST(OpenNoteTest, AcceptsSignaturesUpToTheLimit) {
  std::string msg = absl::StrCat(kText, "\n");
  for (size_t i = 0; i < kMaxSignatures; ++i) {
    absl::StrAppend(&msg, kPeterSignatureLine);
  }

  EXPECT_THAT(OpenNote(msg, {MustVerifier(kPeterVerifierKey)}), IsOk());
}

TEST(OpenNoteTest, SplitsAtLastBlankLine) {
  // The text may hold blank lines and even signature-like lines.
  const std::string text = absl::StrCat("a\n\n", kEnochSignatureLine, "\nb\n");
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, PeterSigner());
  ASSERT_OK_AND_ASSIGN(std::string msg, signer.Sign(text));

  ASSERT_OK_AND_ASSIGN(VerifiedNote note,
                       OpenNote(msg, {MustVerifier(kPeterVerifierKey),
                                      MustVerifier(kEnochVerifierKey)}));

  EXPECT_EQ(note.text, text);
  EXPECT_EQ(note.verified.size(), 1u);
}

TEST(OpenNoteTest, AcceptsDuplicateIdenticalKnownKeys) {
  EXPECT_THAT(OpenNote(PeterNote(), {MustVerifier(kPeterVerifierKey),
                                     MustVerifier(kPeterVerifierKey)}),
              IsOk());
}

TEST(OpenNoteTest, ParsesSpecExampleWithBlankLineAndUnicodeText) {
  // The example of c2sp.org/signed-note; its key is not published, so it
  // parses but has no known signer.
  constexpr char kQuasimodo[] =
      "Ognuno sta solo sul cuor della terra\n"
      "trafitto da un raggio di sole:\n"
      "\n"
      "ed \xc3\xa8 subito sera.\n"
      "\n"
      "\xe2\x80\x94 quasimodo.example/salvatore "
      "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj9"
      "9ihAQwaqP3ZekRwNtIc=\n";

  EXPECT_THAT(OpenNote(kQuasimodo, {MustVerifier(kPeterVerifierKey)}),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("1 signatures by unknown keys")));
}

// --- OpenNote: signature failures ---

TEST(OpenNoteTest, RefusesNoteWithOnlyUnknownSigners) {
  const std::string msg =
      absl::StrCat(kText, "\n", kPeterSignatureLine, kEnochSignatureLine);
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey other,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  ASSERT_OK_AND_ASSIGN(NoteVerifier stranger,
                       NoteVerifier::Create("Stranger", other.public_key()));

  EXPECT_THAT(OpenNote(msg, {stranger}),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("not signed by any known key")));
}

TEST(OpenNoteTest, RefusesEmptyKnownList) {
  EXPECT_THAT(
      OpenNote(PeterNote(), {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no known keys")));
}

TEST(OpenNoteTest, RefusesEveryOneBitChangeOfText) {
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);
  const std::string note = PeterNote();
  const size_t text_size = sizeof(kText) - 1;

  for (size_t i = 0; i < text_size; ++i) {
    if (kText[i] == '\n' || kText[i] == ' ') continue;  // keep the framing
    EXPECT_THAT(OpenNote(FlipBit(note, i), {peter}),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         HasSubstr("does not verify")))
        << i;
  }
}

TEST(OpenNoteTest, RefusesAppendedOrRemovedTextLine) {
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);

  EXPECT_THAT(
      OpenNote(absl::StrCat(kText, "extra\n\n", kPeterSignatureLine), {peter}),
      StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(
      OpenNote(absl::StrCat("x\n", kText, "\n", kPeterSignatureLine), {peter}),
      StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(OpenNoteTest, RefusesTamperedSignature) {
  // Go's TestOpen "invalid signature": "ABCD" spliced into the base64.
  const std::string line = kPeterSignatureLine;
  const std::string msg =
      absl::StrCat(kText, "\n", line.substr(0, 60), "ABCD", line.substr(60));

  EXPECT_THAT(
      OpenNote(msg, {MustVerifier(kPeterVerifierKey)}),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("PeterNeumann")));
}

TEST(OpenNoteTest, RefusesSignatureMovedToOtherText) {
  const std::string msg =
      absl::StrCat("go.sum database tree\n1\nAAAA\n\n", kPeterSignatureLine);

  EXPECT_THAT(OpenNote(msg, {MustVerifier(kPeterVerifierKey)}),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(OpenNoteTest, RefusesShortSignatureByKnownKey) {
  // A well-formed line with the right key hash and a 1-byte signature.
  const std::string line = absl::StrCat(
      "\xe2\x80\x94 PeterNeumann ", Base64Encode("\xc7\x4f\x20\xa3x"), "\n");

  EXPECT_THAT(OpenNote(absl::StrCat(kText, "\n", line),
                       {MustVerifier(kPeterVerifierKey)}),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(OpenNoteTest, RefusesInvalidKnownSignatureEvenIfAnotherVerifies) {
  const std::string line = kPeterSignatureLine;
  const std::string bad =
      absl::StrCat(line.substr(0, 60), "ABCD", line.substr(60));
  const std::string msg = absl::StrCat(kText, "\n", line, bad);

  EXPECT_THAT(OpenNote(msg, {MustVerifier(kPeterVerifierKey)}),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(OpenNoteTest, IgnoresSameNameWithOtherKeyHash) {
  // A key with the known name but another key: its hash differs, so the
  // signature is unknown and the note has no known signature.
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey other,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  ASSERT_OK_AND_ASSIGN(NoteSigner impostor,
                       NoteSigner::Create("PeterNeumann", other));
  ASSERT_OK_AND_ASSIGN(std::string msg, impostor.Sign(kText));

  absl::StatusOr<VerifiedNote> note =
      OpenNote(msg, {MustVerifier(kPeterVerifierKey)});

  EXPECT_THAT(note, StatusIs(absl::StatusCode::kPermissionDenied,
                             HasSubstr("not signed by any known key")));
}

TEST(OpenNoteTest, RefusesOtherKeyClaimingKnownNameAndHash) {
  // Another key's signature, relabelled with the known name and key hash.
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey other,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  ASSERT_OK_AND_ASSIGN(std::string signature, other.Sign(kText));
  const std::string line = absl::StrCat(
      "\xe2\x80\x94 PeterNeumann ",
      Base64Encode(absl::StrCat("\xc7\x4f\x20\xa3", signature)), "\n");

  EXPECT_THAT(OpenNote(absl::StrCat(kText, "\n", line),
                       {MustVerifier(kPeterVerifierKey)}),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("does not verify")));
}

TEST(OpenNoteTest, RefusesAmbiguousKnownKeys) {
  // Two different keys under one name and key hash can only come from a
  // broken configuration.
  const NoteVerifier first = MustVerifier(kCollidingVerifierKey1);
  const NoteVerifier second = MustVerifier(kCollidingVerifierKey2);
  ASSERT_EQ(first.key_hash(), second.key_hash());

  EXPECT_THAT(
      OpenNote(PeterNote(), {MustVerifier(kPeterVerifierKey), first, second}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("two different known keys")));
}

TEST(OpenNoteTest, RefusesSignatureByKeyWithCollidingHash) {
  // The spec's attack: a key hash is only 32 bits, so an attacker can make a
  // key whose name and hash equal the pinned key's. Its signature must fail
  // verification, not be ignored.
  ASSERT_OK_AND_ASSIGN(std::string seed,
                       crypto::Sha256Digest(kCollidingSeedInput1));
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey key,
                       crypto::PrivateKey::FromEd25519Seed(seed));
  ASSERT_OK_AND_ASSIGN(NoteSigner attacker,
                       NoteSigner::Create("example.com/log", key));
  ASSERT_EQ(attacker.VerifierKey(), kCollidingVerifierKey1);
  ASSERT_OK_AND_ASSIGN(std::string msg, attacker.Sign(kText));

  EXPECT_THAT(OpenNote(msg, {MustVerifier(kCollidingVerifierKey2)}),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("does not verify")));
}

// --- OpenNote: malformed notes ---

TEST(OpenNoteTest, RefusesGoMalformedNotes) {
  // Go's TestOpen "invalid encoded message syntax".
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);
  const std::string sig = kPeterSignatureLine;
  const std::vector<std::string> bad = {
      kText,
      absl::StrCat(kText, "\n"),
      absl::StrCat(kText, "\n", sig.substr(0, sig.size() - 1)),
      absl::StrCat("\x01", kText, "\n", sig),
      absl::StrCat("\xff", kText, "\n", sig),
      absl::StrCat(kText, "\n",
                   "\xe2\x80\x94 Bad Name "
                   "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2p"
                   "ZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"),
      absl::StrCat(kText, "\n", sig, "Unexpected line.\n"),
  };

  for (const std::string& msg : bad) {
    EXPECT_THAT(OpenNote(msg, {peter}),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << msg;
  }
}

TEST(OpenNoteTest, RefusesMissingBlankLine) {
  EXPECT_THAT(
      OpenNote(absl::StrCat(kText, kPeterSignatureLine),
               {MustVerifier(kPeterVerifierKey)}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no blank line")));
}

TEST(OpenNoteTest, RefusesMissingFinalNewline) {
  std::string msg = PeterNote();
  msg.pop_back();

  EXPECT_THAT(OpenNote(msg, {MustVerifier(kPeterVerifierKey)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not end in a newline")));
}

TEST(OpenNoteTest, RefusesNoteWithoutSignatureLines) {
  EXPECT_THAT(
      OpenNote(absl::StrCat(kText, "\n"), {MustVerifier(kPeterVerifierKey)}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("no signature lines")));
}

TEST(OpenNoteTest, RefusesWrongDash) {
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);

  for (absl::string_view dash :
       {"-", "--", "\xe2\x80\x93" /* en dash */, "\xe2\x80\x95" /* bar */}) {
    const std::string msg =
        absl::StrReplaceAll(PeterNote(), {{"\xe2\x80\x94", dash}});

    EXPECT_THAT(
        OpenNote(msg, {peter}),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("em dash")))
        << dash;
  }
}

TEST(OpenNoteTest, RefusesDashWithoutSpaceOrExtraSpace) {
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);

  EXPECT_THAT(OpenNote(absl::StrReplaceAll(PeterNote(),
                                           {{"\xe2\x80\x94 ", "\xe2\x80\x94"}}),
                       {peter}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(OpenNote(absl::StrReplaceAll(
                           PeterNote(), {{"\xe2\x80\x94 ", "\xe2\x80\x94  "}}),
                       {peter}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      OpenNote(absl::StrReplaceAll(PeterNote(), {{"Neumann ", "Neumann  "}}),
               {peter}),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(OpenNoteTest, RefusesNameWithPlusOrSpace) {
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);

  for (absl::string_view name : {"Peter+Neumann", "Peter\xc2\xa0Neumann"}) {
    const std::string msg =
        absl::StrReplaceAll(PeterNote(), {{"PeterNeumann", name}});

    EXPECT_THAT(OpenNote(msg, {peter}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("signature line 1")))
        << name;
  }
}

TEST(OpenNoteTest, RefusesBadBase64) {
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);

  for (absl::string_view bad :
       {"x08go/Z", "x08go_ZJkuBS", "x08go/ZJ x08go/ZJ",
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZ"
        "InNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ryy"
        "BwJnAM",
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
        "ngotpRZb6KE6RyyBwJnAN=",
        ""}) {
    const std::string msg =
        absl::StrCat(kText, "\n", "\xe2\x80\x94 PeterNeumann ", bad, "\n");

    EXPECT_THAT(OpenNote(msg, {peter}),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(OpenNoteTest, RefusesSignatureOfFourBytesOrLess) {
  const std::string msg =
      absl::StrCat(kText, "\n", "\xe2\x80\x94 PeterNeumann ",
                   Base64Encode("\xc7\x4f\x20\xa3"), "\n");

  EXPECT_THAT(
      OpenNote(msg, {MustVerifier(kPeterVerifierKey)}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4 bytes")));
}

TEST(OpenNoteTest, RefusesCarriageReturns) {
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);
  const std::string crlf = absl::StrReplaceAll(PeterNote(), {{"\n", "\r\n"}});

  EXPECT_THAT(OpenNote(crlf, {peter}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("control character 0x0d")));
  EXPECT_THAT(OpenNote(absl::StrCat(PeterNote(), "\r"), {peter}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(OpenNoteTest, RefusesTooManySignatures) {
  std::string msg = absl::StrCat(kText, "\n");
  for (size_t i = 0; i <= kMaxSignatures; ++i) {
    absl::StrAppend(&msg, kPeterSignatureLine);
  }

  EXPECT_THAT(OpenNote(msg, {MustVerifier(kPeterVerifierKey)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signature lines, more than the limit")));
}

TEST(OpenNoteTest, RefusesOversizedNote) {
  const std::string msg =
      absl::StrCat(std::string(kMaxNoteSize, 'a'), "\n\n", kPeterSignatureLine);

  EXPECT_THAT(OpenNote(msg, {MustVerifier(kPeterVerifierKey)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than the limit")));
}

TEST(OpenNoteTest, ErrorsEscapeHostileNames) {
  const std::string msg =
      absl::StrCat(kText, "\n", "\xe2\x80\x94 a+\x7f\xc2\x9b[2J AAAAAAA=\n");

  absl::StatusOr<VerifiedNote> note =
      OpenNote(msg, {MustVerifier(kPeterVerifierKey)});

  ASSERT_THAT(note, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(note.status().message()),
              ::testing::Not(HasSubstr("\xc2\x9b")));
}

}  // namespace
}  // namespace pedigree::core::note
