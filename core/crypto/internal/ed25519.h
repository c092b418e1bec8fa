#ifndef PEDIGREE_CORE_CRYPTO_INTERNAL_ED25519_H_
#define PEDIGREE_CORE_CRYPTO_INTERNAL_ED25519_H_

// Ed25519 signature verification (RFC 8032 section 5.1.7) for a public key
// that verifies many signatures: the key's curve point is decoded, and its
// small multiples computed, once.
//
// Why not OpenSSL: OpenSSL 3.0 decodes the public key's point on every
// verification and has no API to keep a decoded key. Under the registry
// bench its Ed25519 verification was about a fifth of the machine's CPU
// time. This verifier decodes each key once, keeps its odd multiples, and
// uses width-5 and width-8 NAFs with 51-bit limbs: it takes about half of
// OpenSSL's time per verification (ed25519_test.cc and the publish CPU
// bench measure it).
//
// It accepts exactly the signatures OpenSSL 3.0's ossl_ed25519_verify
// accepts (differential tests in ed25519_test.cc pin this down, for random
// keys, mutated signatures, messages and keys, out-of-range S, small-order
// and non-canonical key encodings):
//  - S must be below the group order L (no malleable S + L);
//  - the key's y coordinate is read modulo p with the top bit as the sign of
//    x, as OpenSSL reads it (a y >= p is not refused, and neither is the
//    sign bit on x = 0);
//  - the check is cofactorless: the encoding of [S]B - [k]A must equal the
//    signature's R bytes, so a non-canonical R never verifies;
//  - k = SHA-512(R || A || message) mod L, with A the key's 32 bytes as
//    given.
// Everything here works on public data only (keys, signatures, messages),
// so nothing needs to run in constant time, and nothing does.

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::crypto::internal {

// An element of GF(2^255 - 19) as five 51-bit limbs: the value is
// v[0] + v[1] 2^51 + v[2] 2^102 + v[3] 2^153 + v[4] 2^204. Limbs may exceed
// 51 bits a little between operations; only the canonical byte encoding
// compares elements.
struct FieldElement {
  uint64_t v[5];
};

// A point as a table entry: Y + X, Y - X, 2 Z and 2 d T of its extended
// coordinates.
struct CachedPoint {
  FieldElement y_plus_x, y_minus_x, z2, t2d;
};

class Ed25519Verifier {
 public:
  static constexpr size_t kPublicKeySize = 32;
  static constexpr size_t kSignatureSize = 64;

  // Returns the verifier of the 32-byte `public_key`, or nullopt if its
  // bytes are not a point of the curve (or not 32 bytes).
  static std::optional<Ed25519Verifier> Create(absl::string_view public_key);

  // Whether `signature` (64 bytes: R then S) is a valid signature of
  // `message` under this key. Internal only if OpenSSL's SHA-512 fails.
  absl::StatusOr<bool> Verify(absl::string_view signature,
                              absl::string_view message) const;

 private:
  Ed25519Verifier() = default;

  std::array<uint8_t, kPublicKeySize> public_key_{};
  // [1]A, [3]A, ... [15]A, A the key's point.
  std::array<CachedPoint, 8> odd_multiples_{};
};

// Exposed for tests.

// Writes `x` mod L to `out` (32 bytes, little-endian), for `x` 64 bytes
// little-endian; L = 2^252 + 27742317777372353535851937790883648493.
void ReduceModOrder(const uint8_t x[64], uint8_t out[32]);

// Whether the 32-byte little-endian `s` is below L.
bool IsBelowOrder(const uint8_t s[32]);

// The canonical encoding of `[scalar]B` (scalar 32 bytes little-endian, any
// value below 2^256), B the base point.
std::array<uint8_t, 32> EncodeBaseMultiple(const uint8_t scalar[32]);

}  // namespace pedigree::core::crypto::internal

#endif  // PEDIGREE_CORE_CRYPTO_INTERNAL_ED25519_H_
