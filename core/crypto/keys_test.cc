#include "core/crypto/keys.h"

#include <openssl/sha.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/crypto/internal/ed25519.h"
#include "core/crypto/internal/pem.h"
#include "core/encoding/base64.h"
#include "core/encoding/hex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::crypto {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// RFC 8032 section 7.1, TEST 1 (empty message).
constexpr char kRfc8032Secret[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kRfc8032Public[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kRfc8032Signature[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590"
    "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
// DER prefixes that wrap a raw Ed25519 key (RFC 8410).
constexpr char kEd25519SpkiPrefix[] = "302a300506032b6570032100";
constexpr char kEd25519Pkcs8Prefix[] = "302e020100300506032b657004220420";
// sha256(kEd25519SpkiPrefix || kRfc8032Public), computed with sha256sum.
constexpr char kRfc8032KeyId[] =
    "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9";

// A P-256 key made with `openssl genpkey`, its public key, the same public key
// in compressed and explicit-parameter form, and a signature of
// kInteropMessage made with `openssl dgst -sha256 -sign`.
constexpr char kP256PrivatePem[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZ6NDuc50ttIsooBz
96qza95rWwLhFRBcats7TSOTA9OhRANCAARDshBAQ2APovOSM5sRyQykVEqrBw27
jCiK7OFeGj0WNp6mxdIxuaU51RmWB+waTpm2f0R5RakoeAMJmIuMkT9+
-----END PRIVATE KEY-----
)";
constexpr char kP256PublicPem[] = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ7IQQENgD6LzkjObEckMpFRKqwcN
u4woiuzhXho9FjaepsXSMbmlOdUZlgfsGk6Ztn9EeUWpKHgDCZiLjJE/fg==
-----END PUBLIC KEY-----
)";
// sha256 of the DER of kP256PublicPem (`openssl pkey -outform DER |
// sha256sum`).
constexpr char kP256KeyId[] =
    "32083666a16a626ce388da9670b15762b0185bb49e9d264e992680c4edb685f5";
constexpr char kP256CompressedPublicPem[] = R"(-----BEGIN PUBLIC KEY-----
MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgACQ7IQQENgD6LzkjObEckMpFRKqwcN
u4woiuzhXho9FjY=
-----END PUBLIC KEY-----
)";
constexpr char kP256ExplicitPublicPem[] = R"(-----BEGIN PUBLIC KEY-----
MIIBSzCCAQMGByqGSM49AgEwgfcCAQEwLAYHKoZIzj0BAQIhAP////8AAAABAAAA
AAAAAAAAAAAA////////////////MFsEIP////8AAAABAAAAAAAAAAAAAAAA////
///////////8BCBaxjXYqjqT57PrvVV2mIa8ZR0GsMxTsPY7zjw+J9JgSwMVAMSd
NgiG5wSTamZ44ROdJreBn36QBEEEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5
RdiYwpZP40Li/hp/m47n60p8D54WK84zV2sxXs7LtkBoN79R9QIhAP////8AAAAA
//////////+85vqtpxeehPO5ysL8YyVRAgEBA0IABEOyEEBDYA+i85IzmxHJDKRU
SqsHDbuMKIrs4V4aPRY2nqbF0jG5pTnVGZYH7BpOmbZ/RHlFqSh4AwmYi4yRP34=
-----END PUBLIC KEY-----
)";
constexpr char kInteropMessage[] = "pedigree interop";
constexpr char kP256InteropSignature[] =
    "304602210095d97a51378bda8b0463c1738fd1de1529be228f847671cfdc0e151ac110fbb8"
    "022100dc96e8f2288213751371c6c5ce2fbaba5148774e0e17d366b6e561454b570ef6";

// The same P-256 key as SEC1 "EC PRIVATE KEY" and as encrypted PKCS#8
// (password "secret").
constexpr char kP256Sec1Pem[] = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIGejQ7nOdLbSLKKAc/eqs2vea1sC4RUQXGrbO00jkwPToAoGCCqGSM49
AwEHoUQDQgAEQ7IQQENgD6LzkjObEckMpFRKqwcNu4woiuzhXho9FjaepsXSMbml
OdUZlgfsGk6Ztn9EeUWpKHgDCZiLjJE/fg==
-----END EC PRIVATE KEY-----
)";
constexpr char kP256EncryptedPem[] = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAi0Sq/7fmksJwICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEHThGBhz6BgynV+EnRLQAToEgZD/
JZVvi6JIeLlMZc/tcF+zvP1TlmSFzpP+wLteYIJgVa5RAxcVj/NX0NT137VzHn2O
ptks7VuiZTTsf2jlnCsdDqNIIcFW4K/hA3DFpzCs2QcLEiq6wHoq1yLt7XdMeRXD
/UxhuLMC7hJHHZkE7aFRPcDICUD4qSQjHE0IiR/zjTxRh9ZPtkQ8z7Nqt8th9oU=
-----END ENCRYPTED PRIVATE KEY-----
)";

// Keys of types we refuse, made with `openssl genpkey`.
constexpr char kRsaPrivatePem[] = R"(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAL68+DHkLrT3amgE
S+o1VjcRfv2uBputMHCchN0Z+RMAXBGSgTfMN6PJSEEEERodwVCNsUk0Rn5tWA3h
yJsTxvDKVED217vKQnYD02XsCunOSfIU6mMrLVIsyZPJyLt1qL0ZoVsiqRH2dgAO
ErYPnBMcgRsEJPcsAThyDPhL/GEhAgMBAAECgYBEfvomeIopZLxqlDhq6DKI3hib
oxYua7h8iEjSWdRvdW6axODwl77Xa54t8vbtSQg2FFw5LLOwDTZU7eMrhaOoEAM4
2hbWl1oZHJlHW16xhYuxlzTMATNn5yNQu4jl90hRF45xidaaufNgX+WO9ZErxc1V
5TgFtitYyV+8ECfuLQJBAOv+0Se6hDyETbxagEXyFNH2XN/Tct7mrTOBThV/Glv0
M+Ct28bNeXTY0eHJdVhBjhI+W4qkRr5oPT+T+QaFzBMCQQDO6A4PqgHDRiGBf8AV
AKndbqqHOIPUEK4xH+WPdfA+FkxVAlKHqNt49x9HYeyh5uOZBpEFoykUDdZ6YKjc
wdx7AkBNuCKLceqAv5WWNTvPTTU8HGVjtRA8hj1+G9RqUeyNYfP/x2H8q8iXCZy9
PgpuIVC3g1/EXeuKY2vgV0wIsOGPAkEAmVy193RbBCP6d+N6O9cXEXOS4NHKHSkU
BIORA2o23b5na+dhxv4pV5tMyvtRi5v5fZa5bcVHkH7FSEZXQ/JJ+wJAQtu0hY3h
KFLy0kDipn7WF5AvsJUgMDVOfJZ0auwnMk2E7iBYe4bRkOo4S/Ekjxjk5TVqDRRq
uehBf++BOY8iew==
-----END PRIVATE KEY-----
)";
constexpr char kRsaPublicPem[] = R"(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC+vPgx5C6092poBEvqNVY3EX79
rgabrTBwnITdGfkTAFwRkoE3zDejyUhBBBEaHcFQjbFJNEZ+bVgN4cibE8bwylRA
9te7ykJ2A9Nl7ArpzknyFOpjKy1SLMmTyci7dai9GaFbIqkR9nYADhK2D5wTHIEb
BCT3LAE4cgz4S/xhIQIDAQAB
-----END PUBLIC KEY-----
)";
constexpr char kP384PrivatePem[] = R"(-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAGlbpl2uI/YzHh6l5w
+Phg6CdPyGIx2gE8tg1JozXM+IIVhStolgXFtSmrmjAefBehZANiAAT8kKOzw+zn
Y5gM3ZrEygu4cnR3UfoofYy/p89J+OnSojHslG3PFYlzo2vDaQVn+/79YB6uHUzX
PibKbh/ADmaO06IMJMk8M+irv5yiPwRdRoBbTnwh9882ObowwZmnNVE=
-----END PRIVATE KEY-----
)";
// The OpenSSF model-signing test key (data/oms/signing-key-pub.pem): P-384.
constexpr char kOmsP384PublicPem[] = R"(-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEsu6rZGBTjxtvRWPMixT+3HyndV0J0Ybt
aHZUcO4DEK+OJHO/4e32bb/fbJKSpRgcBsIpKLcVijUomyFOERbd7u+BTPSUjGZD
Qq6J7lTvp/EAXQGOKxW9RP0MGX3qAkvi
-----END PUBLIC KEY-----
)";
constexpr char kSecp256k1PrivatePem[] = R"(-----BEGIN PRIVATE KEY-----
MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQg5UB+vcEOe4UjQXd5kQG8
j4L4fVBhrfmlzQtz3GMSxRihRANCAARWPYkH3osVEBUaF/I34nrfnQ8ClpKG2f3i
CI2OUCOgeWERDVV+FRp30usN2UhV+e5I+1SuyigtwlW4MXZgyu0B
-----END PRIVATE KEY-----
)";
constexpr char kEd448PrivatePem[] = R"(-----BEGIN PRIVATE KEY-----
MEcCAQAwBQYDK2VxBDsEOTW66g9DwVLinxbURlSv+ewjvo8Gzm//AOonY0DsfYSZ
Nlx1AOXpdcxjZ3zLPkoQN4e8cRwxoUeF8Q==
-----END PRIVATE KEY-----
)";
constexpr char kX25519PrivatePem[] = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VuBCIEILBmCapfdrBCXZrKxGUAWgMkyrD7QEAygIcD1nuGElFe
-----END PRIVATE KEY-----
)";

std::string Unhex(absl::string_view hex) {
  absl::StatusOr<std::string> bytes = HexDecode(hex);
  EXPECT_THAT(bytes, IsOk());
  return bytes.ok() ? *bytes : std::string();
}

// Wraps raw DER in a PEM block; the tests build keys from RFC bytes this way.
std::string Pem(absl::string_view label, absl::string_view der) {
  return internal::EncodePem(label, der);
}

absl::StatusOr<PrivateKey> Rfc8032Key() {
  return PrivateKey::FromPem(Pem(
      "PRIVATE KEY", Unhex(absl::StrCat(kEd25519Pkcs8Prefix, kRfc8032Secret))));
}

std::string IndependentSha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest);
  return HexEncode(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string FlipLastBit(std::string bytes) {
  bytes.back() = static_cast<char>(bytes.back() ^ 1);
  return bytes;
}

// --- KeyType ---

TEST(KeyTypeTest, FormatAndParseRoundTrip) {
  for (KeyType type : {KeyType::kEd25519, KeyType::kEcdsaP256}) {
    ASSERT_OK_AND_ASSIGN(KeyType parsed, ParseKeyType(FormatKeyType(type)));

    EXPECT_EQ(parsed, type);
  }
}

TEST(KeyTypeTest, FormatUsesStableNames) {
  EXPECT_EQ(FormatKeyType(KeyType::kEd25519), "ed25519");
  EXPECT_EQ(FormatKeyType(KeyType::kEcdsaP256), "ecdsa-p256");
}

TEST(KeyTypeTest, ParseRefusesOtherSpellings) {
  for (absl::string_view name : {"", "Ed25519", "ecdsa", "p256", "rsa"}) {
    EXPECT_THAT(ParseKeyType(name), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("unknown key type")))
        << name;
  }
}

// --- RFC 8032 known answers ---

TEST(Ed25519Test, Rfc8032Test1SignatureOfEmptyMessageMatches) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, Rfc8032Key());

  ASSERT_OK_AND_ASSIGN(std::string signature, key.Sign(""));

  EXPECT_EQ(HexEncode(signature), kRfc8032Signature);
}

TEST(Ed25519Test, Rfc8032Test1PublicKeyIsDerivedFromSecret) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, Rfc8032Key());

  const std::string& spki = key.public_key().spki_der();

  EXPECT_EQ(HexEncode(spki), absl::StrCat(kEd25519SpkiPrefix, kRfc8032Public));
  EXPECT_EQ(key.type(), KeyType::kEd25519);
}

TEST(Ed25519Test, Rfc8032Test1SignatureVerifiesWithPublicKey) {
  ASSERT_OK_AND_ASSIGN(PublicKey key,
                       PublicKey::FromSpkiDer(Unhex(
                           absl::StrCat(kEd25519SpkiPrefix, kRfc8032Public))));

  EXPECT_OK(key.Verify(Unhex(kRfc8032Signature), ""));
}

TEST(Ed25519Test, Rfc8032Test1SignatureFailsForOtherMessage) {
  ASSERT_OK_AND_ASSIGN(PublicKey key,
                       PublicKey::FromSpkiDer(Unhex(
                           absl::StrCat(kEd25519SpkiPrefix, kRfc8032Public))));

  EXPECT_THAT(key.Verify(Unhex(kRfc8032Signature), "x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not verify with key")));
}

TEST(Ed25519Test, KeyIdIsSha256OfSpkiDer) {
  const std::string spki =
      Unhex(absl::StrCat(kEd25519SpkiPrefix, kRfc8032Public));
  ASSERT_OK_AND_ASSIGN(PrivateKey key, Rfc8032Key());

  const std::string key_id = key.key_id();

  EXPECT_EQ(key_id, kRfc8032KeyId);
  EXPECT_EQ(key_id, IndependentSha256Hex(spki));
  EXPECT_EQ(key.public_key().key_id(), key_id);
}

TEST(Ed25519Test, VerifyRefusesSignatureOfWrongLength) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, Rfc8032Key());
  const std::string signature = Unhex(kRfc8032Signature);

  EXPECT_THAT(key.public_key().Verify(signature + "x", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not verify")));
  EXPECT_THAT(key.public_key().Verify("", ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// A key whose bytes are no curve point is verified by OpenSSL rather than
// internal/ed25519 (which refuses to decode it), and nothing verifies.
TEST(Ed25519Test, KeyOffTheCurveVerifiesNothing) {
  std::string raw(32, '\0');
  for (raw[0] = 2; internal::Ed25519Verifier::Create(raw).has_value();) {
    raw[0] = static_cast<char>(raw[0] + 1);
  }
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromEd25519Raw(raw));

  // R = the identity's encoding and S = 0 would verify under a key whose
  // multiples all vanish; it must not verify here.
  const std::string identity_r =
      Unhex("0100000000000000000000000000000000000000000000000000000000000000");
  EXPECT_THAT(key.Verify(identity_r + std::string(32, '\0'), "message"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not verify")));
  EXPECT_THAT(key.Verify(Unhex(kRfc8032Signature), ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not verify")));
}

// --- Raw Ed25519 encodings (RFC 8032 TEST 1) ---

TEST(Ed25519RawTest, SeedGivesRfc8032PublicKeyAndSignature) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key,
                       PrivateKey::FromEd25519Seed(Unhex(kRfc8032Secret)));

  ASSERT_OK_AND_ASSIGN(std::string signature, key.Sign(""));

  EXPECT_EQ(HexEncode(signature), kRfc8032Signature);
  EXPECT_EQ(key.type(), KeyType::kEd25519);
  EXPECT_EQ(key.key_id(), kRfc8032KeyId);
}

TEST(Ed25519RawTest, SeedKeyEqualsPkcs8Key) {
  ASSERT_OK_AND_ASSIGN(PrivateKey from_seed,
                       PrivateKey::FromEd25519Seed(Unhex(kRfc8032Secret)));
  ASSERT_OK_AND_ASSIGN(PrivateKey from_pem, Rfc8032Key());

  ASSERT_OK_AND_ASSIGN(std::string exported, from_seed.ExportPemForStorage());
  ASSERT_OK_AND_ASSIGN(std::string expected, from_pem.ExportPemForStorage());

  EXPECT_EQ(exported, expected);
}

TEST(Ed25519RawTest, SeedOfWrongLengthIsRefusedWithoutEcho) {
  const std::string seed = Unhex(kRfc8032Secret);

  for (const std::string& bad :
       {seed.substr(0, 31), seed + "x", std::string()}) {
    absl::StatusOr<PrivateKey> key = PrivateKey::FromEd25519Seed(bad);

    ASSERT_THAT(key, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr("want 32")));
    EXPECT_THAT(std::string(key.status().message()), Not(HasSubstr("9d61b1")));
  }
}

TEST(Ed25519RawTest, PublicRawGivesRfc8032Spki) {
  ASSERT_OK_AND_ASSIGN(PublicKey key,
                       PublicKey::FromEd25519Raw(Unhex(kRfc8032Public)));

  EXPECT_EQ(HexEncode(key.spki_der()),
            absl::StrCat(kEd25519SpkiPrefix, kRfc8032Public));
  EXPECT_EQ(key.key_id(), kRfc8032KeyId);
  EXPECT_OK(key.Verify(Unhex(kRfc8032Signature), ""));
}

TEST(Ed25519RawTest, PublicRawOfWrongLengthIsRefused) {
  const std::string raw = Unhex(kRfc8032Public);

  EXPECT_THAT(
      PublicKey::FromEd25519Raw(raw.substr(1)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("want 32")));
  EXPECT_THAT(PublicKey::FromEd25519Raw(raw + "x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PublicKey::FromEd25519Raw(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Ed25519RawTest, Ed25519RawReturnsRfc8032Encoding) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, Rfc8032Key());

  ASSERT_OK_AND_ASSIGN(std::string raw, key.public_key().Ed25519Raw());

  EXPECT_EQ(HexEncode(raw), kRfc8032Public);
}

TEST(Ed25519RawTest, Ed25519RawRefusesP256Key) {
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromPem(kP256PublicPem));

  EXPECT_THAT(key.Ed25519Raw(), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("not ed25519")));
}

// --- P-256 interoperability with the openssl CLI ---

TEST(EcdsaP256Test, OpensslCliSignatureVerifies) {
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromPem(kP256PublicPem));

  EXPECT_OK(key.Verify(Unhex(kP256InteropSignature), kInteropMessage));
}

TEST(EcdsaP256Test, OpensslCliSignatureFailsForOtherMessage) {
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromPem(kP256PublicPem));

  EXPECT_THAT(key.Verify(Unhex(kP256InteropSignature), "pedigree interoP"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not verify with key")));
}

TEST(EcdsaP256Test, KeyIdMatchesSha256OfOpensslDer) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::FromPem(kP256PrivatePem));

  EXPECT_EQ(key.key_id(), kP256KeyId);
  EXPECT_EQ(key.type(), KeyType::kEcdsaP256);
}

TEST(EcdsaP256Test, PublicKeyOfPrivatePemEqualsPublicPem) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::FromPem(kP256PrivatePem));

  EXPECT_EQ(key.public_key().ToPem(), kP256PublicPem);
}

TEST(EcdsaP256Test, CompressedPointGetsSameKeyIdAsUncompressed) {
  ASSERT_OK_AND_ASSIGN(PublicKey key,
                       PublicKey::FromPem(kP256CompressedPublicPem));

  EXPECT_EQ(key.key_id(), kP256KeyId);
  EXPECT_EQ(key.ToPem(), kP256PublicPem);
}

TEST(EcdsaP256Test, ExplicitCurveParametersAreRefused) {
  EXPECT_THAT(PublicKey::FromPem(kP256ExplicitPublicPem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("explicit curve parameters")));
}

TEST(EcdsaP256Test, VerifyRefusesSignatureWithTrailingByte) {
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromPem(kP256PublicPem));

  EXPECT_THAT(key.Verify(Unhex(kP256InteropSignature) + std::string(1, '\0'),
                         kInteropMessage),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not verify")));
}

TEST(EcdsaP256Test, VerifyRefusesMalformedDerAsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromPem(kP256PublicPem));

  for (const std::string& bad :
       {std::string("\x30\x00", 2), std::string("\x30\x81\x44", 3),
        std::string(64, '\x01'), std::string(1, '\x30')}) {
    EXPECT_THAT(key.Verify(bad, kInteropMessage),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("does not verify")));
  }
}

TEST(EcdsaP256Test, VerifyRefusesEmptySignature) {
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromPem(kP256PublicPem));

  EXPECT_THAT(key.Verify("", kInteropMessage),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(EcdsaP256Test, NonMinimalDerLengthIsRefused) {
  // The interop signature re-encoded with a long-form length (0x81 0x46):
  // same r and s, but not DER.
  const std::string der = Unhex(kP256InteropSignature);
  const std::string ber = absl::StrCat("\x30\x81", der.substr(1));
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromPem(kP256PublicPem));

  EXPECT_THAT(key.Verify(ber, kInteropMessage),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(EcdsaP256Test, PrivateKeyWithMismatchedPublicPointIsRefused) {
  // PKCS#8 from OpenSSL ends with the 65-byte uncompressed public point.
  ASSERT_OK_AND_ASSIGN(internal::PemBlock mine,
                       internal::ParsePem(kP256PrivatePem));
  ASSERT_OK_AND_ASSIGN(PrivateKey other,
                       PrivateKey::Generate(KeyType::kEcdsaP256));
  const std::string& other_spki = other.public_key().spki_der();
  std::string der = mine.der;
  der.replace(der.size() - 65, 65, other_spki.substr(other_spki.size() - 65));

  EXPECT_THAT(PrivateKey::FromPem(Pem("PRIVATE KEY", der)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Behaviour common to both key types ---

class KeyTypeParamTest : public ::testing::TestWithParam<KeyType> {};

INSTANTIATE_TEST_SUITE_P(BothTypes, KeyTypeParamTest,
                         ::testing::Values(KeyType::kEd25519,
                                           KeyType::kEcdsaP256),
                         [](const ::testing::TestParamInfo<KeyType>& info) {
                           return info.param == KeyType::kEd25519 ? "Ed25519"
                                                                  : "EcdsaP256";
                         });

TEST_P(KeyTypeParamTest, GenerateMakesKeyOfRequestedType) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));

  EXPECT_EQ(key.type(), GetParam());
  EXPECT_EQ(key.public_key().type(), GetParam());
  EXPECT_TRUE(IsLowerHex(key.key_id(), 32));
  EXPECT_EQ(key.key_id(), IndependentSha256Hex(key.public_key().spki_der()));
}

TEST_P(KeyTypeParamTest, SignedDataVerifies) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));

  ASSERT_OK_AND_ASSIGN(std::string signature, key.Sign("some data"));

  EXPECT_OK(key.public_key().Verify(signature, "some data"));
}

TEST_P(KeyTypeParamTest, TamperedDataFails) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));
  ASSERT_OK_AND_ASSIGN(std::string signature, key.Sign("some data"));

  EXPECT_THAT(key.public_key().Verify(signature, "some datb"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat("does not verify with key ",
                                              key.key_id()))));
}

TEST_P(KeyTypeParamTest, TamperedSignatureFails) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));
  ASSERT_OK_AND_ASSIGN(std::string signature, key.Sign("some data"));

  EXPECT_THAT(key.public_key().Verify(FlipLastBit(signature), "some data"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(KeyTypeParamTest, TruncatedSignatureFails) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));
  ASSERT_OK_AND_ASSIGN(std::string signature, key.Sign("some data"));

  signature.pop_back();

  EXPECT_THAT(key.public_key().Verify(signature, "some data"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(KeyTypeParamTest, SignatureFromOtherKeyFails) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));
  ASSERT_OK_AND_ASSIGN(PrivateKey other, PrivateKey::Generate(GetParam()));
  ASSERT_OK_AND_ASSIGN(std::string signature, other.Sign("some data"));

  EXPECT_THAT(key.public_key().Verify(signature, "some data"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(KeyTypeParamTest, SignatureFromOtherKeyTypeFails) {
  const KeyType other_type =
      GetParam() == KeyType::kEd25519 ? KeyType::kEcdsaP256 : KeyType::kEd25519;
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));
  ASSERT_OK_AND_ASSIGN(PrivateKey other, PrivateKey::Generate(other_type));
  ASSERT_OK_AND_ASSIGN(std::string signature, other.Sign("some data"));

  EXPECT_THAT(key.public_key().Verify(signature, "some data"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(KeyTypeParamTest, PrivatePemRoundTripKeepsKey) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));

  ASSERT_OK_AND_ASSIGN(std::string pem, key.ExportPemForStorage());
  ASSERT_OK_AND_ASSIGN(PrivateKey parsed, PrivateKey::FromPem(pem));

  EXPECT_THAT(pem, HasSubstr("-----BEGIN PRIVATE KEY-----\n"));
  EXPECT_EQ(parsed.key_id(), key.key_id());
  EXPECT_EQ(parsed.type(), key.type());
  ASSERT_OK_AND_ASSIGN(std::string signature, parsed.Sign("m"));
  EXPECT_OK(key.public_key().Verify(signature, "m"));
}

TEST_P(KeyTypeParamTest, PublicPemRoundTripKeepsKey) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));

  const std::string pem = key.public_key().ToPem();
  ASSERT_OK_AND_ASSIGN(PublicKey parsed, PublicKey::FromPem(pem));

  EXPECT_THAT(pem, HasSubstr("-----BEGIN PUBLIC KEY-----\n"));
  EXPECT_EQ(parsed.spki_der(), key.public_key().spki_der());
  EXPECT_EQ(parsed.key_id(), key.key_id());
  EXPECT_EQ(parsed.type(), GetParam());
}

TEST_P(KeyTypeParamTest, SpkiDerWithTrailingByteIsRefused) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));

  EXPECT_THAT(
      PublicKey::FromSpkiDer(key.public_key().spki_der() + "x"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trailing")));
}

TEST_P(KeyTypeParamTest, WorksThroughSignerAndVerifierInterfaces) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));
  const Signer& signer = key;
  const Verifier& verifier = key.public_key();

  ASSERT_OK_AND_ASSIGN(std::string signature, signer.Sign("m"));

  EXPECT_OK(verifier.Verify(signature, "m"));
  EXPECT_EQ(signer.key_id(), verifier.key_id());
}

TEST_P(KeyTypeParamTest, CopiesSignAndVerifyConcurrently) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(GetParam()));
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(4);

  for (size_t t = 0; t < results.size(); ++t) {
    // Half the threads use a copy: copies share one parsed key.
    threads.emplace_back([key_copy = key, &key, &results, t] {
      const PrivateKey& signer = t % 2 == 0 ? key : key_copy;
      for (int i = 0; i < 25 && results[t].ok(); ++i) {
        const std::string message = absl::StrCat("message ", t, " ", i);
        absl::StatusOr<std::string> signature = signer.Sign(message);
        if (!signature.ok()) {
          results[t] = signature.status();
        } else {
          results[t] = key.public_key().Verify(*signature, message);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (const absl::Status& result : results) EXPECT_OK(result);
}

// --- Refusals ---

TEST(PrivateKeyTest, RsaKeyIsRefusedByName) {
  EXPECT_THAT(PrivateKey::FromPem(kRsaPrivatePem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported key type \"RSA\"")));
}

TEST(PrivateKeyTest, P384KeyIsRefusedByCurve) {
  EXPECT_THAT(PrivateKey::FromPem(kP384PrivatePem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported ec curve \"secp384r1\"")));
}

TEST(PrivateKeyTest, Secp256k1KeyIsRefusedByCurve) {
  EXPECT_THAT(PrivateKey::FromPem(kSecp256k1PrivatePem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported ec curve \"secp256k1\"")));
}

TEST(PrivateKeyTest, Ed448KeyIsRefused) {
  EXPECT_THAT(PrivateKey::FromPem(kEd448PrivatePem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported key type \"ED448\"")));
}

TEST(PrivateKeyTest, X25519KeyIsRefused) {
  EXPECT_THAT(PrivateKey::FromPem(kX25519PrivatePem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported key type \"X25519\"")));
}

TEST(PrivateKeyTest, EncryptedPkcs8IsRefusedWithoutPrompt) {
  EXPECT_THAT(
      PrivateKey::FromPem(kP256EncryptedPem),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("encrypted")));
}

TEST(PrivateKeyTest, LegacyEncryptedPemIsRefused) {
  const std::string pem =
      "-----BEGIN PRIVATE KEY-----\n"
      "Proc-Type: 4,ENCRYPTED\n"
      "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n"
      "\n"
      "MC4CAQAwBQYDK2VuBCIEILBmCapfdrBCXZrKxGUAWgMkyrD7QEAygIcD1nuGElFe\n"
      "-----END PRIVATE KEY-----\n";

  EXPECT_THAT(
      PrivateKey::FromPem(pem),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("encrypted")));
}

TEST(PrivateKeyTest, Sec1EcPrivateKeyLabelIsRefused) {
  EXPECT_THAT(PrivateKey::FromPem(kP256Sec1Pem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("found \"EC PRIVATE KEY\"")));
}

TEST(PrivateKeyTest, PublicKeyPemIsRefused) {
  EXPECT_THAT(PrivateKey::FromPem(kP256PublicPem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("found \"PUBLIC KEY\"")));
}

TEST(PrivateKeyTest, GarbageIsRefused) {
  for (absl::string_view garbage :
       {"", "not a key",
        "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}) {
    EXPECT_THAT(PrivateKey::FromPem(garbage),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << garbage;
  }
}

TEST(PrivateKeyTest, Pkcs8WithTrailingBytesIsRefused) {
  ASSERT_OK_AND_ASSIGN(internal::PemBlock block,
                       internal::ParsePem(kP256PrivatePem));

  EXPECT_THAT(
      PrivateKey::FromPem(Pem("PRIVATE KEY", block.der + std::string(1, '\0'))),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PrivateKeyTest, Ed25519Pkcs8V2WithWrongPublicKeyIsRefused) {
  // RFC 8410 OneAsymmetricKey (version 1) carrying the RFC 8032 secret and
  // a public key that is not its own (the secret bytes again). OpenSSL 3.0
  // refuses the publicKey field outright; later versions parse it, and then
  // the pairwise check must refuse the mismatch.
  const std::string der =
      Unhex(absl::StrCat("3051020101300506032b657004220420", kRfc8032Secret,
                         "812100", kRfc8032Secret));

  EXPECT_THAT(PrivateKey::FromPem(Pem("PRIVATE KEY", der)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PrivateKeyTest, ErrorsDoNotEchoKeyMaterial) {
  const std::string pem = Pem(
      "PRIVATE KEY",
      Unhex(absl::StrCat("302e020100300506032b657104220420", kRfc8032Secret)));

  absl::StatusOr<PrivateKey> key = PrivateKey::FromPem(pem);

  ASSERT_THAT(key, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(key.status().message()),
              Not(HasSubstr("nWGx")));  // base64 of the secret's first bytes
  EXPECT_THAT(std::string(key.status().message()), Not(HasSubstr("9d61b1")));
}

TEST(PublicKeyTest, OmsP384PublicKeyIsRefusedByCurve) {
  EXPECT_THAT(PublicKey::FromPem(kOmsP384PublicPem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported ec curve \"secp384r1\"")));
}

TEST(PublicKeyTest, RsaPublicKeyIsRefusedByName) {
  EXPECT_THAT(PublicKey::FromPem(kRsaPublicPem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported key type \"RSA\"")));
}

TEST(PublicKeyTest, PrivateKeyPemIsRefused) {
  EXPECT_THAT(PublicKey::FromPem(kP256PrivatePem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("found \"PRIVATE KEY\"")));
}

TEST(PublicKeyTest, GarbageIsRefused) {
  for (absl::string_view garbage :
       {"", "not a key",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}) {
    EXPECT_THAT(PublicKey::FromPem(garbage),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << garbage;
  }
  EXPECT_THAT(PublicKey::FromSpkiDer(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PublicKeyTest, PointNotOnCurveIsRefused) {
  ASSERT_OK_AND_ASSIGN(PublicKey key, PublicKey::FromPem(kP256PublicPem));

  EXPECT_THAT(PublicKey::FromSpkiDer(FlipLastBit(key.spki_der())),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pedigree::core::crypto
