#include "core/crypto/internal/ed25519.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/crypto/internal/openssl_ptr.h"
#include "core/encoding/hex.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::crypto::internal {
namespace {

using ::pedigree::testing::IsOk;

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr char kOrderHex[] =
    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
// p = 2^255 - 19, little-endian.
constexpr char kPrimeHex[] =
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
// The base point and the identity, encoded.
constexpr char kBaseHex[] =
    "5866666666666666666666666666666666666666666666666666666666666666";
constexpr char kIdentityHex[] =
    "0100000000000000000000000000000000000000000000000000000000000000";

std::string Unhex(absl::string_view hex) {
  absl::StatusOr<std::string> bytes = HexDecode(hex);
  EXPECT_THAT(bytes, IsOk());
  return bytes.ok() ? *bytes : std::string();
}

const uint8_t* U8(const std::string& s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

std::string Str(const std::array<uint8_t, 32>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string RandomBytes(std::mt19937_64& rng, size_t size) {
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

// A uniformly random scalar below 2^252 (so below L).
std::string RandomScalar(std::mt19937_64& rng) {
  std::string s = RandomBytes(rng, 32);
  s[31] = static_cast<char>(s[31] & 0x0f);
  return s;
}

// 32-byte little-endian `a` + `b`, mod 2^256.
std::string AddLittleEndian(const std::string& a, const std::string& b) {
  std::string sum(32, '\0');
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    carry += U8(a)[i] + U8(b)[i];
    sum[i] = static_cast<char>(carry & 0xff);
    carry >>= 8;
  }
  return sum;
}

// The reference: OpenSSL's own Ed25519 verification of `signature` of
// `message` under the raw 32-byte `public_key`.
bool OpensslVerifies(const std::string& public_key,
                     const std::string& signature, const std::string& message) {
  OpensslPtr<EVP_PKEY> key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, U8(public_key), public_key.size()));
  OpensslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  const bool verified =
      key != nullptr && ctx != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) ==
          1 &&
      EVP_DigestVerify(ctx.get(), U8(signature), signature.size(), U8(message),
                       message.size()) == 1;
  ERR_clear_error();
  return verified;
}

bool OursVerifies(const std::string& public_key, const std::string& signature,
                  const std::string& message) {
  const std::optional<Ed25519Verifier> verifier =
      Ed25519Verifier::Create(public_key);
  if (!verifier.has_value()) return false;
  const absl::StatusOr<bool> verified = verifier->Verify(signature, message);
  EXPECT_THAT(verified, IsOk());
  return verified.ok() && *verified;
}

// A fresh OpenSSL Ed25519 key pair: signs, and gives its raw public key.
class OpensslSigner {
 public:
  OpensslSigner() : key_(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")) {
    EXPECT_NE(key_, nullptr);
  }

  std::string PublicKey() const {
    std::string raw(32, '\0');
    size_t size = raw.size();
    EXPECT_EQ(
        EVP_PKEY_get_raw_public_key(
            key_.get(), reinterpret_cast<unsigned char*>(raw.data()), &size),
        1);
    return raw;
  }

  std::string Sign(const std::string& message) const {
    OpensslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    std::string signature(64, '\0');
    size_t size = signature.size();
    EXPECT_EQ(
        EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()),
        1);
    EXPECT_EQ(EVP_DigestSign(ctx.get(),
                             reinterpret_cast<unsigned char*>(signature.data()),
                             &size, U8(message), message.size()),
              1);
    return signature;
  }

 private:
  OpensslPtr<EVP_PKEY> key_;
};

// --- the curve and the scalars ---------------------------------------------

TEST(Ed25519CurveTest, BaseMultiplesEncodeAsKnown) {
  std::string scalar(32, '\0');
  EXPECT_EQ(HexEncode(Str(EncodeBaseMultiple(U8(scalar)))), kIdentityHex);
  scalar[0] = 1;
  EXPECT_EQ(HexEncode(Str(EncodeBaseMultiple(U8(scalar)))), kBaseHex);
  // B has order L: [L]B is the identity and [L + 1]B is B.
  const std::string order = Unhex(kOrderHex);
  EXPECT_EQ(HexEncode(Str(EncodeBaseMultiple(U8(order)))), kIdentityHex);
  EXPECT_EQ(
      HexEncode(Str(EncodeBaseMultiple(U8(AddLittleEndian(order, scalar))))),
      kBaseHex);
}

TEST(Ed25519CurveTest, PublicKeyIsSecretScalarTimesBase) {
  // RFC 8032 section 7.1 TEST 1: the clamped scalar of the secret key
  // 9d61b1... is the first half of its SHA-512, clamped; its public key is
  // [scalar]B.
  const std::string secret =
      Unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  uint8_t hash[64];
  unsigned int size = 0;
  ASSERT_EQ(EVP_Digest(secret.data(), secret.size(), hash, &size, EVP_sha512(),
                       nullptr),
            1);
  hash[0] &= 248;
  hash[31] &= 127;
  hash[31] |= 64;

  EXPECT_EQ(HexEncode(Str(EncodeBaseMultiple(hash))),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

// x mod L by OpenSSL's bignums, for 64-byte little-endian x.
std::string BignumModOrder(const std::string& x) {
  std::string big_endian(x.rbegin(), x.rend());
  const std::string order = Unhex(kOrderHex);
  std::string order_big_endian(order.rbegin(), order.rend());
  OpensslPtr<BIGNUM> value(
      BN_bin2bn(U8(big_endian), static_cast<int>(big_endian.size()), nullptr));
  OpensslPtr<BIGNUM> modulus(BN_bin2bn(U8(order_big_endian), 32, nullptr));
  OpensslPtr<BIGNUM> remainder(BN_new());
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(),
                                                      &BN_CTX_free);
  EXPECT_EQ(BN_mod(remainder.get(), value.get(), modulus.get(), ctx.get()), 1);
  std::string out(32, '\0');
  EXPECT_EQ(BN_bn2lebinpad(remainder.get(),
                           reinterpret_cast<unsigned char*>(out.data()), 32),
            32);
  return out;
}

TEST(Ed25519ScalarTest, ReduceModOrderMatchesBignums) {
  std::mt19937_64 rng(8032);
  std::vector<std::string> inputs = {std::string(64, '\0'),
                                     std::string(64, '\xff')};
  const std::string order = Unhex(kOrderHex);
  const std::string zeros(32, '\0');
  inputs.push_back(order + zeros);                          // L
  inputs.push_back(AddLittleEndian(order, order) + zeros);  // 2L
  std::string order_minus_one = order;
  order_minus_one[0] = static_cast<char>(order_minus_one[0] - 1);
  inputs.push_back(order_minus_one + zeros);  // L - 1
  inputs.push_back(zeros + order);            // L 2^256
  for (int i = 0; i < 2000; ++i) inputs.push_back(RandomBytes(rng, 64));

  for (const std::string& x : inputs) {
    uint8_t reduced[32];
    ReduceModOrder(U8(x), reduced);

    EXPECT_EQ(HexEncode(std::string(reinterpret_cast<char*>(reduced), 32)),
              HexEncode(BignumModOrder(x)))
        << HexEncode(x);
  }
}

TEST(Ed25519ScalarTest, IsBelowOrderAtTheBoundary) {
  const std::string order = Unhex(kOrderHex);
  std::string one(32, '\0');
  one[0] = 1;
  std::string below = order;
  below[0] = static_cast<char>(below[0] - 1);
  std::string two_to_252(32, '\0');
  two_to_252[31] = 0x10;

  EXPECT_TRUE(IsBelowOrder(U8(std::string(32, '\0'))));
  EXPECT_TRUE(IsBelowOrder(U8(below)));
  EXPECT_TRUE(IsBelowOrder(U8(two_to_252)));
  EXPECT_FALSE(IsBelowOrder(U8(order)));
  EXPECT_FALSE(IsBelowOrder(U8(AddLittleEndian(order, one))));
  EXPECT_FALSE(IsBelowOrder(U8(std::string(32, '\xff'))));
}

// --- verification: known answers --------------------------------------------

struct KnownAnswer {
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1, TESTS 1 to 3.
constexpr KnownAnswer kRfc8032[] = {
    {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519VerifyTest, Rfc8032KnownAnswersVerify) {
  for (const KnownAnswer& answer : kRfc8032) {
    const std::string key = Unhex(answer.public_key);
    const std::string message = Unhex(answer.message);
    const std::string signature = Unhex(answer.signature);

    EXPECT_TRUE(OursVerifies(key, signature, message)) << answer.public_key;
    EXPECT_TRUE(OpensslVerifies(key, signature, message)) << answer.public_key;
    std::string other_message = message + "x";
    EXPECT_FALSE(OursVerifies(key, signature, other_message));
  }
}

TEST(Ed25519VerifyTest, RefusesWrongSizes) {
  const KnownAnswer& answer = kRfc8032[0];
  const std::string key = Unhex(answer.public_key);
  const std::string signature = Unhex(answer.signature);

  EXPECT_FALSE(Ed25519Verifier::Create(key.substr(1)).has_value());
  EXPECT_FALSE(Ed25519Verifier::Create(key + "x").has_value());
  const std::optional<Ed25519Verifier> verifier = Ed25519Verifier::Create(key);
  ASSERT_TRUE(verifier.has_value());
  for (const std::string& bad :
       {signature.substr(0, 63), signature + "x", std::string()}) {
    absl::StatusOr<bool> verified = verifier->Verify(bad, "");
    ASSERT_THAT(verified, IsOk());
    EXPECT_FALSE(*verified) << bad.size();
  }
}

// --- verification: the same answers as OpenSSL
// --------------------------------

TEST(Ed25519VerifyTest, AgreesWithOpensslOnSignaturesAndTheirMutations) {
  std::mt19937_64 rng(25519);
  int checked = 0;
  for (int k = 0; k < 24; ++k) {
    const OpensslSigner signer;
    const std::string key = signer.PublicKey();
    for (int m = 0; m < 4; ++m) {
      const std::string message = RandomBytes(rng, rng() % 600);
      const std::string signature = signer.Sign(message);
      ASSERT_TRUE(OpensslVerifies(key, signature, message));
      EXPECT_TRUE(OursVerifies(key, signature, message));

      // One flipped bit anywhere: in R, in S, in the message, in the key.
      for (int trial = 0; trial < 8; ++trial) {
        std::string bad_signature = signature;
        bad_signature[rng() % 64] ^= static_cast<char>(1 << (rng() % 8));
        std::string bad_message = message.empty() ? "x" : message;
        bad_message[rng() % bad_message.size()] ^=
            static_cast<char>(1 << (rng() % 8));
        std::string bad_key = key;
        bad_key[rng() % 32] ^= static_cast<char>(1 << (rng() % 8));

        EXPECT_FALSE(OursVerifies(key, bad_signature, message));
        EXPECT_FALSE(OpensslVerifies(key, bad_signature, message));
        EXPECT_FALSE(OursVerifies(key, signature, bad_message));
        EXPECT_FALSE(OursVerifies(bad_key, signature, message));
        EXPECT_FALSE(OpensslVerifies(bad_key, signature, message));
        checked += 3;
      }
    }
  }
  EXPECT_GT(checked, 2000);
}

TEST(Ed25519VerifyTest, EveryOneBitChangeOfASignatureIsRefused) {
  const OpensslSigner signer;
  const std::string key = signer.PublicKey();
  const std::string message = "in-toto statement";
  const std::string signature = signer.Sign(message);
  ASSERT_TRUE(OursVerifies(key, signature, message));

  for (int bit = 0; bit < 512; ++bit) {
    std::string bad = signature;
    bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));

    EXPECT_FALSE(OursVerifies(key, bad, message)) << "bit " << bit;
  }
}

TEST(Ed25519VerifyTest, RefusesSPlusOrderLikeOpenssl) {
  // S and S + L give the same point, so only the range check refuses the
  // second signature (signature malleability).
  std::mt19937_64 rng(7);
  const std::string order = Unhex(kOrderHex);
  for (int i = 0; i < 16; ++i) {
    const OpensslSigner signer;
    const std::string key = signer.PublicKey();
    const std::string message = RandomBytes(rng, 40);
    const std::string signature = signer.Sign(message);
    const std::string malleated =
        signature.substr(0, 32) + AddLittleEndian(signature.substr(32), order);

    EXPECT_TRUE(OursVerifies(key, signature, message));
    EXPECT_FALSE(OursVerifies(key, malleated, message));
    EXPECT_FALSE(OpensslVerifies(key, malleated, message));
  }
}

// Public keys at the edges of the encoding: y from 0 to 31, from p - 32 to
// 2^255 - 1 (p and above are non-canonical), and the points of order 8,
// each with both sign bits. Signatures R = [S]B with a random S verify
// under a key A exactly when [k]A is the identity, which happens for the
// small-order keys among these; both verifiers must agree on every one.
TEST(Ed25519VerifyTest, AgreesWithOpensslOnEdgeCaseKeys) {
  std::vector<std::string> ys;
  for (int i = 0; i < 32; ++i) {
    std::string y(32, '\0');
    y[0] = static_cast<char>(i);
    ys.push_back(y);
  }
  const std::string prime = Unhex(kPrimeHex);
  for (int i = -32; i < 19; ++i) {  // p - 32 .. p + 18 = 2^255 - 1
    std::string y = prime;
    y[0] = static_cast<char>(static_cast<uint8_t>(y[0]) + i);
    ys.push_back(y);
  }
  // The points of order 8 (y and p - y of them).
  ys.push_back(Unhex(
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"));
  ys.push_back(Unhex(
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"));

  std::mt19937_64 rng(19);
  int keys_decoded = 0, accepted = 0, compared = 0;
  for (const std::string& y : ys) {
    for (const bool sign : {false, true}) {
      std::string key = y;
      if (sign) key[31] = static_cast<char>(key[31] | 0x80);
      if (Ed25519Verifier::Create(key).has_value()) ++keys_decoded;
      for (int m = 0; m < 12; ++m) {
        const std::string s = RandomScalar(rng);
        const std::string signature = Str(EncodeBaseMultiple(U8(s))) + s;
        const std::string message = absl::StrCat("message ", m);

        const bool ours = OursVerifies(key, signature, message);
        EXPECT_EQ(ours, OpensslVerifies(key, signature, message))
            << "key " << HexEncode(key) << " message " << m;
        accepted += ours ? 1 : 0;
        ++compared;
      }
    }
  }
  // The test means something only if some keys decode and some of these
  // forgeries against small-order keys verify (in both).
  EXPECT_GT(keys_decoded, 10);
  EXPECT_GT(accepted, 20);
  EXPECT_EQ(compared, static_cast<int>(ys.size()) * 2 * 12);
}

}  // namespace
}  // namespace pedigree::core::crypto::internal
