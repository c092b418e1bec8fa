#include "core/record/record_envelope.h"

#include <string>

#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/record/record_test_util.h"
#include "core/record/statement.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::record {
namespace {

using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(RecordEnvelopeTest, SignedRecordVerifiesAndReadsBack) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey key,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  const Record record = ValidRecordForTest();
  ASSERT_OK_AND_ASSIGN(dsse::Envelope envelope, SignRecord(record, {&key}));

  ASSERT_OK_AND_ASSIGN(std::vector<std::string> key_ids,
                       dsse::VerifyEnvelope(envelope, {&key.public_key()}));
  ASSERT_OK_AND_ASSIGN(Record parsed, RecordFromEnvelope(envelope));

  EXPECT_THAT(key_ids, SizeIs(1));
  EXPECT_EQ(parsed, record);
}

TEST(RecordEnvelopeTest, SignedPayloadIsTheCanonicalStatement) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey key,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  const Record record = MinimalRecordForTest();
  ASSERT_OK_AND_ASSIGN(std::string canonical, SerializeStatement(record));

  ASSERT_OK_AND_ASSIGN(dsse::Envelope envelope, SignRecord(record, {&key}));

  EXPECT_EQ(envelope.payload_type, kPayloadType);
  EXPECT_EQ(envelope.payload, canonical);
  ASSERT_THAT(envelope.signatures, SizeIs(1));
  EXPECT_EQ(envelope.signatures[0].keyid, key.key_id());
}

TEST(RecordEnvelopeTest, EnvelopeJsonRoundTripKeepsRecord) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey key,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  const Record record = ValidRecordForTest();
  ASSERT_OK_AND_ASSIGN(dsse::Envelope envelope, SignRecord(record, {&key}));

  ASSERT_OK_AND_ASSIGN(dsse::Envelope reread,
                       dsse::ParseEnvelope(dsse::SerializeEnvelope(envelope)));
  ASSERT_OK_AND_ASSIGN(Record parsed, RecordFromEnvelope(reread));

  EXPECT_EQ(parsed, record);
}

TEST(RecordEnvelopeTest, SignRecordRefusesInvalidRecord) {
  ASSERT_OK_AND_ASSIGN(crypto::PrivateKey key,
                       crypto::PrivateKey::Generate(crypto::KeyType::kEd25519));
  Record record = MinimalRecordForTest();
  record.licenses.code = "NOT-A-LICENSE";

  EXPECT_THAT(SignRecord(record, {&key}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("predicate.licenses.code")));
}

TEST(RecordEnvelopeTest, SignRecordRefusesNoSigners) {
  EXPECT_THAT(SignRecord(MinimalRecordForTest(), {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecordEnvelopeTest, RecordFromEnvelopeRefusesOtherPayloadType) {
  ASSERT_OK_AND_ASSIGN(std::string payload,
                       SerializeStatement(MinimalRecordForTest()));
  dsse::Envelope envelope;
  envelope.payload_type = "application/json";
  envelope.payload = payload;

  EXPECT_THAT(
      RecordFromEnvelope(envelope),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payloadType")));
}

TEST(RecordEnvelopeTest, RecordFromEnvelopeRefusesBadStatement) {
  dsse::Envelope envelope;
  envelope.payload_type = kPayloadType;
  envelope.payload = "{}";

  EXPECT_THAT(RecordFromEnvelope(envelope),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("_type: missing required field")));
}

TEST(RecordEnvelopeTest, RecordFromEnvelopeReadsNonCanonicalPayload) {
  ASSERT_OK_AND_ASSIGN(std::string canonical,
                       SerializeStatement(MinimalRecordForTest()));
  dsse::Envelope envelope;
  envelope.payload_type = kPayloadType;
  envelope.payload = "  " + canonical + "\n";

  ASSERT_OK_AND_ASSIGN(Record parsed, RecordFromEnvelope(envelope));

  EXPECT_EQ(parsed, MinimalRecordForTest());
}

TEST(RecordEnvelopeTest, RecordDigestIsSha256OfPayloadBytes) {
  // FIPS 180-2 appendix B.1.
  ASSERT_OK_AND_ASSIGN(std::string digest, RecordDigest("abc"));

  EXPECT_EQ(digest,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RecordEnvelopeTest, RecordDigestOfCompleteExampleIsKnownAnswer) {
  // sha256sum of core/record/testdata/valid_record.canonical.json.
  ASSERT_OK_AND_ASSIGN(std::string payload,
                       SerializeStatement(ValidRecordForTest()));

  ASSERT_OK_AND_ASSIGN(std::string digest, RecordDigest(payload));

  EXPECT_EQ(digest,
            "cee4abe6fe785e1752163e8ba6fd97a36844a92024e720aff135ec174a17c3a8");
}

TEST(RecordEnvelopeTest, RecordDigestOfEnvelopeCoversVerbatimPayload) {
  ASSERT_OK_AND_ASSIGN(std::string canonical,
                       SerializeStatement(MinimalRecordForTest()));
  dsse::Envelope canonical_envelope;
  canonical_envelope.payload_type = kPayloadType;
  canonical_envelope.payload = canonical;
  dsse::Envelope padded_envelope = canonical_envelope;
  padded_envelope.payload += "\n";

  ASSERT_OK_AND_ASSIGN(std::string canonical_digest,
                       RecordDigest(canonical_envelope));
  ASSERT_OK_AND_ASSIGN(std::string padded_digest,
                       RecordDigest(padded_envelope));
  ASSERT_OK_AND_ASSIGN(std::string expected, RecordDigest(canonical));

  EXPECT_EQ(canonical_digest, expected);
  EXPECT_NE(padded_digest, canonical_digest);
}

}  // namespace
}  // namespace pedigree::core::record
