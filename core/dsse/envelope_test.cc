#include "core/dsse/envelope.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/crypto/internal/openssl_ptr.h"
#include "core/crypto/keys.h"
#include "core/encoding/base64.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::dsse {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using crypto::KeyType;
using crypto::PrivateKey;
using crypto::Signer;
using crypto::Verifier;

constexpr char kInToto[] = "application/vnd.in-toto+json";

// The dsseEnvelope objects of two OpenSSF model-signing bundles
// (data/oms/v1.0.0-elliptic-key/model.sig and v1.1.0-elliptic-key/model.sig),
// verbatim. Signed with ECDSA P-384 / SHA-384 by kOmsP384PublicPem; the first
// has "keyid": null, the second "keyid": "".
constexpr char kOmsV100Envelope[] =
    R"({"payload": "ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAic2lnbm1lLTEiLAogICAgICAiZGlnZXN0IjogewogICAgICAgICJzaGEyNTYiOiAiYWZhNDhjODY3NGFmZTMzNGI4YTdkZWEzNGY3YjQ2YWIyNTZlOTI1NWVkZjhkYTIxMzI3OTIzNDFiNjY3YTQ1YiIKICAgICAgfQogICAgfQogIF0sCiAgInByZWRpY2F0ZVR5cGUiOiAiaHR0cHM6Ly9tb2RlbF9zaWduaW5nL3NpZ25hdHVyZS92MS4wIiwKICAicHJlZGljYXRlIjogewogICAgInNlcmlhbGl6YXRpb24iOiB7CiAgICAgICJtZXRob2QiOiAiZmlsZXMiLAogICAgICAiaGFzaF90eXBlIjogInNoYTI1NiIsCiAgICAgICJhbGxvd19zeW1saW5rcyI6IGZhbHNlCiAgICB9LAogICAgInJlc291cmNlcyI6IFsKICAgICAgewogICAgICAgICJuYW1lIjogIi4iLAogICAgICAgICJkaWdlc3QiOiAiYmM5YTcxN2RiNjA2NGEzMmNiZTllYWU2ZmM0MDY1MWRkNmQzNmVmMTc1NzE4M2Y1OTBlZmYyYjE3NjVkN2ViYyIsCiAgICAgICAgImFsZ29yaXRobSI6ICJzaGEyNTYiCiAgICAgIH0KICAgIF0KICB9Cn0=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "MGQCMEobKzpAzukyAIQcDH8llYFrWCTFw6HCr1hbYUL5GqQfp3qfI6FKz+sShKTBwhXSOAIwPqpZvbcAV9xyn7Arqfx9bytQ1nLb+wS/Wec0uGECiFJlStdpBjxYocvnTXUAnFRi", "keyid": null}]})";
constexpr char kOmsV110Envelope[] =
    R"({"payload":"ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAidjEuMS4wLWVsbGlwdGljLWtleSIsCiAgICAgICJkaWdlc3QiOiB7CiAgICAgICAgInNoYTI1NiI6ICI5Mjc0NTExMGIxYWI0MzY4NDcxY2JlMzE2NjRlMTAxNzRlOTU0YjExM2EzZGYzMzNkYjg2MDMxN2IyYzZkZWM0IgogICAgICB9CiAgICB9CiAgXSwKICAicHJlZGljYXRlVHlwZSI6ICJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLAogICJwcmVkaWNhdGUiOiB7CiAgICAicmVzb3VyY2VzIjogWwogICAgICB7CiAgICAgICAgImFsZ29yaXRobSI6ICJzaGEyNTYiLAogICAgICAgICJuYW1lIjogInNpZ25tZS0xIiwKICAgICAgICAiZGlnZXN0IjogImJjOWE3MTdkYjYwNjRhMzJjYmU5ZWFlNmZjNDA2NTFkZDZkMzZlZjE3NTcxODNmNTkwZWZmMmIxNzY1ZDdlYmMiCiAgICAgIH0sCiAgICAgIHsKICAgICAgICAiYWxnb3JpdGhtIjogInNoYTI1NiIsCiAgICAgICAgIm5hbWUiOiAic2lnbm1lLTIiLAogICAgICAgICJkaWdlc3QiOiAiMzJkY2IxZjhlMWFlNTJkNTk2M2U1NmE2YmEwNmFiNThiNDI0YzE1ZWQyYTZiNzBkMmZlY2ExZDA4OTM3MDAyOCIKICAgICAgfQogICAgXSwKICAgICJzZXJpYWxpemF0aW9uIjogewogICAgICAiYWxsb3dfc3ltbGlua3MiOiBmYWxzZSwKICAgICAgIm1ldGhvZCI6ICJmaWxlcyIsCiAgICAgICJoYXNoX3R5cGUiOiAic2hhMjU2IiwKICAgICAgImlnbm9yZV9wYXRocyI6IFsKICAgICAgICAiLmdpdCIsCiAgICAgICAgIm1vZGVsLnNpZyIsCiAgICAgICAgImlnbm9yZS1tZSIsCiAgICAgICAgIi5naXRhdHRyaWJ1dGVzIiwKICAgICAgICAiLmdpdGlnbm9yZSIsCiAgICAgICAgIi5naXRodWIiCiAgICAgIF0KICAgIH0KICB9Cn0=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"MGUCMQCVqSw64cBnPHqbyadq+OIgwQSg7WW8Mztp3dJ++atQsxzbtwafJJ164u7WEXmx5hECMBSiShuN7OTLec6wLXpHUjFIQA/hhiBCjSzM9Q2cIUZpDmv+tWs1AkNxstJDbNl0lQ==","keyid":""}]})";
constexpr char kOmsP384PublicPem[] = R"(-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEsu6rZGBTjxtvRWPMixT+3HyndV0J0Ybt
aHZUcO4DEK+OJHO/4e32bb/fbJKSpRgcBsIpKLcVijUomyFOERbd7u+BTPSUjGZD
Qq6J7lTvp/EAXQGOKxW9RP0MGX3qAkvi
-----END PUBLIC KEY-----
)";

// A Verifier for ECDSA P-384 / SHA-384, which core/crypto deliberately does
// not support; used only to check our PAE bytes against real OMS signatures.
class TestP384Verifier : public Verifier {
 public:
  absl::Status Load(absl::string_view pem) {
    crypto::internal::OpensslPtr<BIO> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (bio == nullptr) return absl::InternalError("BIO_new_mem_buf");
    key_.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (key_ == nullptr) return absl::InternalError("PEM_read_bio_PUBKEY");
    return absl::OkStatus();
  }

  absl::Status Verify(absl::string_view signature,
                      absl::string_view data) const override {
    crypto::internal::OpensslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(),
                                               nullptr, key_.get()) != 1) {
      return absl::InternalError("EVP_DigestVerifyInit");
    }
    if (EVP_DigestVerify(
            ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
            signature.size(),
            reinterpret_cast<const unsigned char*>(data.data()),
            data.size()) != 1) {
      return absl::InvalidArgumentError("p384 signature does not verify");
    }
    return absl::OkStatus();
  }

  std::string key_id() const override { return "oms-p384"; }

 private:
  crypto::internal::OpensslPtr<EVP_PKEY> key_;
};

// A Verifier that fails the way a broken crypto library would.
class BrokenVerifier : public Verifier {
 public:
  absl::Status Verify(absl::string_view, absl::string_view) const override {
    return absl::InternalError("broken");
  }
  std::string key_id() const override { return "broken"; }
};

PrivateKey MustGenerate(KeyType type) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(type);
  EXPECT_THAT(key, IsOk());
  return *std::move(key);
}

std::string EnvelopeJson(absl::string_view signatures_json) {
  return absl::StrCat(R"({"payloadType":"t","payload":"aGk=","signatures":)",
                      signatures_json, "}");
}

absl::StatusOr<Envelope> SignOne(const Signer& signer,
                                 absl::string_view payload = "{\"a\":1}") {
  return SignEnvelope(kInToto, payload, {&signer});
}

// --- PreAuthEncoding ---

TEST(PreAuthEncodingTest, MatchesSpecVector) {
  EXPECT_EQ(PreAuthEncoding("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(PreAuthEncodingTest, EmptyTypeAndBodyHaveZeroLengths) {
  EXPECT_EQ(PreAuthEncoding("", ""), "DSSEv1 0  0 ");
}

TEST(PreAuthEncodingTest, LengthsCountUtf8BytesNotCharacters) {
  // "é" is 2 bytes, "日本" is 6.
  EXPECT_EQ(PreAuthEncoding("\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac"),
            "DSSEv1 2 \xc3\xa9 6 \xe6\x97\xa5\xe6\x9c\xac");
}

TEST(PreAuthEncodingTest, BinaryBodyIsCopiedVerbatim) {
  const std::string body("a\0 b", 4);

  EXPECT_EQ(PreAuthEncoding("x", body), std::string("DSSEv1 1 x 4 a\0 b", 17));
}

// --- ParseEnvelope: accepted forms ---

TEST(ParseEnvelopeTest, ReadsEveryField) {
  ASSERT_OK_AND_ASSIGN(
      Envelope envelope,
      ParseEnvelope(R"({"payloadType":"text/plain","payload":"aGVsbG8=",)"
                    R"("signatures":[{"keyid":"k1","sig":"AQID"},)"
                    R"({"keyid":"k2","sig":"BAU="}]})"));

  EXPECT_EQ(envelope.payload_type, "text/plain");
  EXPECT_EQ(envelope.payload, "hello");
  ASSERT_EQ(envelope.signatures.size(), 2u);
  EXPECT_EQ(envelope.signatures[0].keyid, "k1");
  EXPECT_EQ(envelope.signatures[0].sig, "\x01\x02\x03");
  EXPECT_EQ(envelope.signatures[1].keyid, "k2");
  EXPECT_EQ(envelope.signatures[1].sig, "\x04\x05");
}

TEST(ParseEnvelopeTest, AcceptsUrlSafeBase64) {
  ASSERT_OK_AND_ASSIGN(Envelope envelope,
                       ParseEnvelope(R"({"payloadType":"t","payload":"-_8=",)"
                                     R"("signatures":[{"sig":"__--"}]})"));

  EXPECT_EQ(envelope.payload, "\xfb\xff");
  EXPECT_EQ(envelope.signatures[0].sig, "\xff\xff\xbe");
}

TEST(ParseEnvelopeTest, MissingOrNullKeyidReadsAsEmpty) {
  ASSERT_OK_AND_ASSIGN(Envelope envelope,
                       ParseEnvelope(EnvelopeJson(
                           R"([{"sig":"AQ=="},{"keyid":null,"sig":"Ag=="}])")));

  ASSERT_EQ(envelope.signatures.size(), 2u);
  EXPECT_EQ(envelope.signatures[0].keyid, "");
  EXPECT_EQ(envelope.signatures[1].keyid, "");
}

TEST(ParseEnvelopeTest, IgnoresUnknownFields) {
  ASSERT_OK_AND_ASSIGN(
      Envelope envelope,
      ParseEnvelope(R"({"payloadType":"t","payload":"aGk=","extra":{"x":[1]},)"
                    R"("signatures":[{"sig":"AQ==","cert":"abc"}]})"));

  EXPECT_EQ(envelope.payload, "hi");
  EXPECT_EQ(envelope.signatures[0].sig, "\x01");
}

TEST(ParseEnvelopeTest, AcceptsEmptyPayload) {
  ASSERT_OK_AND_ASSIGN(
      Envelope envelope,
      ParseEnvelope(
          R"({"payloadType":"t","payload":"","signatures":[{"sig":"AQ=="}]})"));

  EXPECT_EQ(envelope.payload, "");
}

// --- ParseEnvelope: refusals, one per rule ---

TEST(ParseEnvelopeTest, RefusesTextThatIsNotJson) {
  EXPECT_THAT(ParseEnvelope("{\"payloadType\":"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid json")));
  EXPECT_THAT(ParseEnvelope(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseEnvelopeTest, RefusesTrailingTextAfterObject) {
  EXPECT_THAT(ParseEnvelope(EnvelopeJson(R"([{"sig":"AQ=="}])") + " {}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid json")));
}

TEST(ParseEnvelopeTest, RefusesJsonThatIsNotAnObject) {
  EXPECT_THAT(ParseEnvelope("[]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("envelope: must be an object, got array")));
  EXPECT_THAT(ParseEnvelope("\"x\""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseEnvelopeTest, RefusesMissingPayloadType) {
  EXPECT_THAT(
      ParseEnvelope(R"({"payload":"aGk=","signatures":[{"sig":"AQ=="}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payloadType: missing")));
}

TEST(ParseEnvelopeTest, RefusesNonStringPayloadType) {
  EXPECT_THAT(
      ParseEnvelope(
          R"({"payloadType":7,"payload":"aGk=","signatures":[{"sig":"AQ=="}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payloadType: must be a string, got number")));
}

TEST(ParseEnvelopeTest, RefusesOversizedPayloadType) {
  const std::string json = absl::StrCat(
      R"({"payloadType":")", std::string(kMaxPayloadTypeSize + 1, 'a'),
      R"(","payload":"aGk=","signatures":[{"sig":"AQ=="}]})");

  EXPECT_THAT(ParseEnvelope(json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payloadType: 1025 bytes")));
}

TEST(ParseEnvelopeTest, RefusesMissingPayload) {
  EXPECT_THAT(
      ParseEnvelope(R"({"payloadType":"t","signatures":[{"sig":"AQ=="}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload: missing")));
}

TEST(ParseEnvelopeTest, RefusesNonStringPayload) {
  EXPECT_THAT(
      ParseEnvelope(
          R"({"payloadType":"t","payload":{},"signatures":[{"sig":"AQ=="}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload: must be a string, got object")));
}

TEST(ParseEnvelopeTest, RefusesPayloadWithBadBase64) {
  EXPECT_THAT(
      ParseEnvelope(
          R"({"payloadType":"t","payload":"aGk","signatures":[{"sig":"AQ=="}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload: invalid base64")));
}

TEST(ParseEnvelopeTest, RefusesPayloadMixingBase64Alphabets) {
  EXPECT_THAT(
      ParseEnvelope(
          R"({"payloadType":"t","payload":"+_8=","signatures":[{"sig":"AQ=="}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload: invalid base64")));
}

TEST(ParseEnvelopeTest, RefusesMissingSignatures) {
  EXPECT_THAT(ParseEnvelope(R"({"payloadType":"t","payload":"aGk="})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signatures: missing")));
}

TEST(ParseEnvelopeTest, RefusesSignaturesThatAreNotAnArray) {
  EXPECT_THAT(ParseEnvelope(EnvelopeJson(R"({"sig":"AQ=="})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signatures: must be an array, got object")));
}

TEST(ParseEnvelopeTest, RefusesEmptySignatures) {
  EXPECT_THAT(ParseEnvelope(EnvelopeJson("[]")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signatures: no signatures")));
}

TEST(ParseEnvelopeTest, RefusesMoreThanMaxSignatures) {
  std::string list = "[";
  for (size_t i = 0; i <= kMaxSignatures; ++i) {
    absl::StrAppend(&list, i == 0 ? "" : ",", R"({"sig":"AQ=="})");
  }
  list += "]";

  EXPECT_THAT(ParseEnvelope(EnvelopeJson(list)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than the limit of 16")));
}

TEST(ParseEnvelopeTest, RefusesSignatureThatIsNotAnObject) {
  EXPECT_THAT(
      ParseEnvelope(EnvelopeJson(R"([{"sig":"AQ=="},"AQ=="])")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("signatures[1]: must be an object, got string")));
}

TEST(ParseEnvelopeTest, RefusesSignatureWithoutSig) {
  EXPECT_THAT(ParseEnvelope(EnvelopeJson(R"([{"keyid":"k"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signatures[0].sig: missing")));
}

TEST(ParseEnvelopeTest, RefusesNonStringSig) {
  EXPECT_THAT(
      ParseEnvelope(EnvelopeJson(R"([{"sig":null}])")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("signatures[0].sig: must be a string, got null")));
}

TEST(ParseEnvelopeTest, RefusesSigWithBadBase64NamingItsIndex) {
  EXPECT_THAT(
      ParseEnvelope(EnvelopeJson(R"([{"sig":"AQ=="},{"sig":"A Q=="}])")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("signatures[1].sig: invalid base64")));
}

TEST(ParseEnvelopeTest, RefusesEmptySig) {
  EXPECT_THAT(ParseEnvelope(EnvelopeJson(R"([{"sig":""}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signatures[0].sig: empty signature")));
}

TEST(ParseEnvelopeTest, RefusesOversizedSig) {
  const std::string sig = Base64Encode(std::string(kMaxSignatureSize + 1, 'x'));

  EXPECT_THAT(
      ParseEnvelope(EnvelopeJson(absl::StrCat(R"([{"sig":")", sig, R"("}])"))),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("signatures[0].sig: 1025 bytes")));
}

TEST(ParseEnvelopeTest, RefusesNonStringKeyid) {
  EXPECT_THAT(ParseEnvelope(EnvelopeJson(R"([{"keyid":1,"sig":"AQ=="}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signatures[0].keyid: must be a string or "
                                 "null, got number")));
}

TEST(ParseEnvelopeTest, RefusesOversizedKeyid) {
  const std::string json = EnvelopeJson(
      absl::StrCat(R"([{"keyid":")", std::string(kMaxKeyIdSize + 1, 'k'),
                   R"(","sig":"AQ=="}])"));

  EXPECT_THAT(ParseEnvelope(json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signatures[0].keyid: 1025 bytes")));
}

TEST(ParseEnvelopeTest, RefusesDuplicateTopLevelKey) {
  EXPECT_THAT(
      ParseEnvelope(R"({"payloadType":"t","payload":"aGk=","payload":"aG8=",)"
                    R"("signatures":[{"sig":"AQ=="}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("payload: duplicate key")));
}

TEST(ParseEnvelopeTest, RefusesDuplicateKeyInSignature) {
  EXPECT_THAT(ParseEnvelope(
                  EnvelopeJson(R"([{"keyid":"a","sig":"AQ==","keyid":"b"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signatures[0].keyid: duplicate key")));
}

TEST(ParseEnvelopeTest, RefusesDuplicateKeyInIgnoredExtension) {
  EXPECT_THAT(
      ParseEnvelope(R"({"payloadType":"t","payload":"aGk=","x":{"y":1,"y":2},)"
                    R"("signatures":[{"sig":"AQ=="}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("x.y: duplicate key")));
}

TEST(ParseEnvelopeTest, SameKeyInSiblingObjectsIsNotADuplicate) {
  EXPECT_THAT(
      ParseEnvelope(EnvelopeJson(
          R"([{"keyid":"a","sig":"AQ=="},{"keyid":"b","sig":"AQ=="}])")),
      IsOk());
}

TEST(ParseEnvelopeTest, RefusesInvalidUtf8InJsonString) {
  EXPECT_THAT(ParseEnvelope("{\"payloadType\":\"\xff\",\"payload\":\"aGk=\","
                            "\"signatures\":[{\"sig\":\"AQ==\"}]}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid json")));
}

TEST(ParseEnvelopeTest, DeeplyNestedExtensionDoesNotExhaustStack) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');

  EXPECT_THAT(ParseEnvelope(absl::StrCat(R"({"x":)", deep,
                                         R"(,"payloadType":"t","payload":"",)"
                                         R"("signatures":[{"sig":"AQ=="}]})")),
              IsOk());
}

// --- SerializeEnvelope ---

TEST(SerializeEnvelopeTest, WritesCompactJsonInFixedKeyOrder) {
  Envelope envelope;
  envelope.payload_type = "text/plain";
  envelope.payload = "hello";
  envelope.signatures = {{"k1", "\x01\x02\x03"}, {"", "\xff\xff\xbe"}};

  EXPECT_EQ(SerializeEnvelope(envelope),
            R"({"payloadType":"text/plain","payload":"aGVsbG8=",)"
            R"("signatures":[{"keyid":"k1","sig":"AQID"},)"
            R"({"keyid":"","sig":"//++"}]})");
}

TEST(SerializeEnvelopeTest, ParseOfSerializeRoundTrips) {
  Envelope envelope;
  envelope.payload_type = "application/\xe2\x9c\x93\"quoted\"";
  envelope.payload = std::string("\0\x01{\"a\": 1}\n\xff", 12);
  envelope.signatures = {{"id-1", std::string("\0sig", 4)}, {"id-2", "s"}};

  ASSERT_OK_AND_ASSIGN(Envelope parsed,
                       ParseEnvelope(SerializeEnvelope(envelope)));

  EXPECT_EQ(parsed.payload_type, envelope.payload_type);
  EXPECT_EQ(parsed.payload, envelope.payload);
  ASSERT_EQ(parsed.signatures.size(), 2u);
  EXPECT_EQ(parsed.signatures[0].keyid, "id-1");
  EXPECT_EQ(parsed.signatures[0].sig, std::string("\0sig", 4));
  EXPECT_EQ(parsed.signatures[1].keyid, "id-2");
  EXPECT_EQ(parsed.signatures[1].sig, "s");
}

TEST(SerializeEnvelopeTest, InvalidUtf8IsReplacedNotThrown) {
  Envelope envelope;
  envelope.payload_type = "\xff";
  envelope.signatures = {{"k", "s"}};

  const std::string json = SerializeEnvelope(envelope);

  EXPECT_THAT(json, HasSubstr("\"payloadType\":\"\xef\xbf\xbd\""));
}

// --- SignEnvelope / VerifyEnvelope ---

class DsseSignVerifyTest : public ::testing::TestWithParam<KeyType> {};

INSTANTIATE_TEST_SUITE_P(BothTypes, DsseSignVerifyTest,
                         ::testing::Values(KeyType::kEd25519,
                                           KeyType::kEcdsaP256),
                         [](const ::testing::TestParamInfo<KeyType>& info) {
                           return info.param == KeyType::kEd25519 ? "Ed25519"
                                                                  : "EcdsaP256";
                         });

TEST_P(DsseSignVerifyTest, SignedEnvelopeVerifiesWithSignerKey) {
  const PrivateKey key = MustGenerate(GetParam());
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));

  ASSERT_OK_AND_ASSIGN(std::vector<std::string> key_ids,
                       VerifyEnvelope(envelope, {&key.public_key()}));

  EXPECT_THAT(key_ids, ElementsAre(key.key_id()));
}

TEST_P(DsseSignVerifyTest, SignatureIsOverPreAuthEncoding) {
  const PrivateKey key = MustGenerate(GetParam());

  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key, "body"));

  ASSERT_EQ(envelope.signatures.size(), 1u);
  EXPECT_EQ(envelope.signatures[0].keyid, key.key_id());
  EXPECT_EQ(envelope.payload_type, kInToto);
  EXPECT_EQ(envelope.payload, "body");
  EXPECT_OK(key.public_key().Verify(envelope.signatures[0].sig,
                                    PreAuthEncoding(kInToto, "body")));
}

TEST_P(DsseSignVerifyTest, SerializedEnvelopeStillVerifiesAfterParse) {
  const PrivateKey key = MustGenerate(GetParam());
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));

  ASSERT_OK_AND_ASSIGN(Envelope parsed,
                       ParseEnvelope(SerializeEnvelope(envelope)));

  EXPECT_THAT(VerifyEnvelope(parsed, {&key.public_key()}), IsOk());
}

TEST_P(DsseSignVerifyTest, TamperedPayloadFails) {
  const PrivateKey key = MustGenerate(GetParam());
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));

  envelope.payload = "{\"a\":2}";

  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no signature verifies with a trusted key")));
}

TEST_P(DsseSignVerifyTest, TamperedPayloadTypeFails) {
  const PrivateKey key = MustGenerate(GetParam());
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));

  envelope.payload_type = "application/json";

  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(DsseSignVerifyTest, LengthPrefixesPreventFieldBoundaryShifts) {
  // Moving bytes between payloadType and payload keeps their concatenation
  // but changes PAE.
  const PrivateKey key = MustGenerate(GetParam());
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignEnvelope("ab", "cd", {&key}));

  envelope.payload_type = "a";
  envelope.payload = "bcd";

  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(DsseSignVerifyTest, TamperedSignatureFails) {
  const PrivateKey key = MustGenerate(GetParam());
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));

  envelope.signatures[0].sig.back() ^= 1;

  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(DsseSignVerifyTest, UntrustedSignerFails) {
  const PrivateKey signer = MustGenerate(GetParam());
  const PrivateKey trusted = MustGenerate(GetParam());
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(signer));

  EXPECT_THAT(VerifyEnvelope(envelope, {&trusted.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no signature verifies with a trusted key")));
}

TEST(DsseVerifyTest, OneTrustedOfTwoSignaturesReturnsThatKey) {
  const PrivateKey trusted = MustGenerate(KeyType::kEd25519);
  const PrivateKey untrusted = MustGenerate(KeyType::kEcdsaP256);
  ASSERT_OK_AND_ASSIGN(Envelope envelope,
                       SignEnvelope(kInToto, "x", {&untrusted, &trusted}));

  ASSERT_OK_AND_ASSIGN(std::vector<std::string> key_ids,
                       VerifyEnvelope(envelope, {&trusted.public_key()}));

  EXPECT_THAT(key_ids, ElementsAre(trusted.key_id()));
}

TEST(DsseVerifyTest, ReturnsEveryVerifyingTrustedKeyInTrustedOrder) {
  const PrivateKey a = MustGenerate(KeyType::kEd25519);
  const PrivateKey b = MustGenerate(KeyType::kEcdsaP256);
  const PrivateKey c = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignEnvelope(kInToto, "x", {&a, &b}));

  ASSERT_OK_AND_ASSIGN(
      std::vector<std::string> key_ids,
      VerifyEnvelope(envelope,
                     {&c.public_key(), &b.public_key(), &a.public_key()}));

  EXPECT_THAT(key_ids, ElementsAre(b.key_id(), a.key_id()));
}

TEST(DsseVerifyTest, SameKeySigningTwiceIsCountedOnce) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope,
                       SignEnvelope(kInToto, "x", {&key, &key}));

  ASSERT_OK_AND_ASSIGN(std::vector<std::string> key_ids,
                       VerifyEnvelope(envelope, {&key.public_key()}));

  EXPECT_THAT(key_ids, ElementsAre(key.key_id()));
}

TEST(DsseVerifyTest, SignatureMovedToAnotherTrustedKeyIdFails) {
  const PrivateKey a = MustGenerate(KeyType::kEd25519);
  const PrivateKey b = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(a));

  envelope.signatures[0].keyid = b.key_id();

  EXPECT_THAT(VerifyEnvelope(envelope, {&a.public_key(), &b.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DsseVerifyTest, EmptyKeyIdIsTriedAgainstEveryTrustedKey) {
  const PrivateKey a = MustGenerate(KeyType::kEd25519);
  const PrivateKey b = MustGenerate(KeyType::kEcdsaP256);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(b));
  envelope.signatures[0].keyid.clear();

  ASSERT_OK_AND_ASSIGN(
      std::vector<std::string> key_ids,
      VerifyEnvelope(envelope, {&a.public_key(), &b.public_key()}));

  EXPECT_THAT(key_ids, ElementsAre(b.key_id()));
}

TEST(DsseVerifyTest, UnknownKeyIdIsTriedAgainstEveryTrustedKey) {
  const PrivateKey a = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(a));
  envelope.signatures[0].keyid = "some-other-name";

  ASSERT_OK_AND_ASSIGN(std::vector<std::string> key_ids,
                       VerifyEnvelope(envelope, {&a.public_key()}));

  EXPECT_THAT(key_ids, ElementsAre(a.key_id()));
}

TEST(DsseVerifyTest, BadSignatureDoesNotMaskAGoodOne) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));
  envelope.signatures.insert(envelope.signatures.begin(),
                             Signature{key.key_id(), std::string(64, 'x')});

  ASSERT_OK_AND_ASSIGN(std::vector<std::string> key_ids,
                       VerifyEnvelope(envelope, {&key.public_key()}));

  EXPECT_THAT(key_ids, ElementsAre(key.key_id()));
}

TEST(DsseVerifyTest, PayloadIsVerifiedAsExactDecodedBytes) {
  // Non-canonical JSON whitespace in the signed payload must survive: the
  // verifier hashes the decoded bytes, never a re-serialization.
  const std::string payload = "{ \"b\" :2,\n  \"a\":1 }";
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(std::string sig,
                       key.Sign(PreAuthEncoding(kInToto, payload)));
  const std::string json = absl::StrCat(
      R"({"signatures":[{"sig":")", Base64Encode(sig), R"(","keyid":")",
      key.key_id(), R"("}],"payload":")", Base64Encode(payload),
      R"(","payloadType":")", kInToto, R"("})");

  ASSERT_OK_AND_ASSIGN(Envelope envelope, ParseEnvelope(json));

  EXPECT_EQ(envelope.payload, payload);
  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key()}), IsOk());
}

TEST(DsseVerifyTest, CanonicallyReencodedPayloadFails) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope,
                       SignEnvelope(kInToto, "{ \"a\": 1 }", {&key}));

  envelope.payload = "{\"a\":1}";

  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DsseVerifyTest, RefusesEmptyTrustedList) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));

  EXPECT_THAT(VerifyEnvelope(envelope, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no trusted keys")));
}

TEST(DsseVerifyTest, RefusesNullTrustedKey) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));

  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key(), nullptr}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("null")));
}

TEST(DsseVerifyTest, RefusesEnvelopeWithoutSignatures) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  Envelope envelope{kInToto, "x", {}};

  EXPECT_THAT(
      VerifyEnvelope(envelope, {&key.public_key()}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no signatures")));
}

TEST(DsseVerifyTest, RefusesEnvelopeWithTooManySignatures) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));
  envelope.signatures.resize(kMaxSignatures + 1, envelope.signatures[0]);

  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than the limit")));
}

TEST(DsseVerifyTest, VerifierFaultIsReturnedNotSkipped) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  const BrokenVerifier broken;
  ASSERT_OK_AND_ASSIGN(Envelope envelope, SignOne(key));
  envelope.signatures[0].keyid.clear();  // so every trusted key is tried

  EXPECT_THAT(VerifyEnvelope(envelope, {&broken, &key.public_key()}),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(DsseSignTest, RefusesEmptySignerList) {
  EXPECT_THAT(
      SignEnvelope(kInToto, "x", {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no signers")));
}

TEST(DsseSignTest, RefusesNullSigner) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);

  EXPECT_THAT(SignEnvelope(kInToto, "x", {&key, nullptr}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signer 1 is null")));
}

TEST(DsseSignTest, RefusesTooManySigners) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);
  const std::vector<const Signer*> signers(kMaxSignatures + 1, &key);

  EXPECT_THAT(SignEnvelope(kInToto, "x", signers),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DsseSignTest, RefusesPayloadTypeThatIsNotUtf8) {
  const PrivateKey key = MustGenerate(KeyType::kEd25519);

  EXPECT_THAT(SignEnvelope("\xc0\xaf", "x", {&key}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payloadType: not valid utf-8")));
}

// --- Interoperability with OpenSSF model signing ---

TEST(DsseInteropTest, ParsesOmsV100Envelope) {
  ASSERT_OK_AND_ASSIGN(Envelope envelope, ParseEnvelope(kOmsV100Envelope));

  EXPECT_EQ(envelope.payload_type, kInToto);
  ASSERT_EQ(envelope.signatures.size(), 1u);
  EXPECT_EQ(envelope.signatures[0].keyid, "");
  const nlohmann::json statement =
      nlohmann::json::parse(envelope.payload, nullptr, false);
  ASSERT_TRUE(statement.is_object());
  const auto type = statement.find("_type");
  ASSERT_NE(type, statement.end());
  EXPECT_EQ(*type, "https://in-toto.io/Statement/v1");
}

TEST(DsseInteropTest, OmsEnvelopesVerifyOverOurPreAuthEncoding) {
  TestP384Verifier oms_key;
  ASSERT_OK(oms_key.Load(kOmsP384PublicPem));

  for (const char* json : {kOmsV100Envelope, kOmsV110Envelope}) {
    ASSERT_OK_AND_ASSIGN(Envelope envelope, ParseEnvelope(json));

    ASSERT_OK_AND_ASSIGN(std::vector<std::string> key_ids,
                         VerifyEnvelope(envelope, {&oms_key}));

    EXPECT_THAT(key_ids, ElementsAre("oms-p384"));
  }
}

TEST(DsseInteropTest, TamperedOmsPayloadFails) {
  TestP384Verifier oms_key;
  ASSERT_OK(oms_key.Load(kOmsP384PublicPem));
  ASSERT_OK_AND_ASSIGN(Envelope envelope, ParseEnvelope(kOmsV110Envelope));

  envelope.payload =
      absl::StrReplaceAll(envelope.payload, {{"signme-1", "signme-9"}});

  EXPECT_THAT(VerifyEnvelope(envelope, {&oms_key}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DsseInteropTest, OmsEnvelopeDoesNotVerifyWithOurKeyTypes) {
  const PrivateKey key = MustGenerate(KeyType::kEcdsaP256);
  ASSERT_OK_AND_ASSIGN(Envelope envelope, ParseEnvelope(kOmsV100Envelope));

  EXPECT_THAT(VerifyEnvelope(envelope, {&key.public_key()}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pedigree::core::dsse
