#ifndef PEDIGREE_CORE_CRYPTO_KEYS_H_
#define PEDIGREE_CORE_CRYPTO_KEYS_H_

// Typed signing keys: Ed25519 (RFC 8032) and ECDSA over NIST P-256 with
// SHA-256, the two key types OpenSSF model signing and cosign use. Keys are
// read and written as PEM: PKCS#8 "PRIVATE KEY" and SPKI "PUBLIC KEY". Every
// other key type or curve is refused.
//
//   PEDIGREE_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::FromPem(pem_text));
//   PEDIGREE_ASSIGN_OR_RETURN(std::string sig, key.Sign(message));
//   PEDIGREE_RETURN_IF_ERROR(key.public_key().Verify(sig, message));
//
// Signature formats: Ed25519 signatures are the 64 raw bytes of RFC 8032;
// ECDSA signatures are DER-encoded ECDSA-Sig-Value (as cosign and DSSE tools
// emit), at most 72 bytes.
//
// Key ids: the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo of the
// public key. P-256 SPKIs are normalized to the named-curve, uncompressed
// point form first, so that one key has one id.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/crypto/signer.h"

namespace pedigree::core::crypto {

enum class KeyType {
  kEd25519,    // "ed25519"
  kEcdsaP256,  // "ecdsa-p256": ECDSA, curve P-256 (prime256v1), SHA-256
};

// Returns the stable string form of `type`: "ed25519" or "ecdsa-p256".
absl::string_view FormatKeyType(KeyType type);

// Returns the KeyType spelled `name` (exactly as FormatKeyType writes it).
// Returns InvalidArgument for any other string.
absl::StatusOr<KeyType> ParseKeyType(absl::string_view name);

namespace internal {
struct KeyMaterial;  // the parsed OpenSSL key; defined in keys.cc
}  // namespace internal

// A validated public key. Immutable and cheap to copy (copies share one parsed
// key); thread-safe.
class PublicKey final : public Verifier {
 public:
  // Returns the key in a PEM "PUBLIC KEY" (SPKI) block. Returns
  // InvalidArgument for a malformed PEM, another PEM label, a key of an
  // unsupported type or curve (the message names what was found), an EC key
  // with explicit curve parameters, or an invalid point.
  static absl::StatusOr<PublicKey> FromPem(absl::string_view pem);

  // Returns the key encoded by the DER SubjectPublicKeyInfo `der`. Same
  // errors as FromPem, plus InvalidArgument for trailing bytes.
  static absl::StatusOr<PublicKey> FromSpkiDer(absl::string_view der);

  // Returns the Ed25519 key whose RFC 8032 encoding is the 32 bytes `raw`
  // (the form C2SP signed notes use). Returns InvalidArgument if `raw` is not
  // 32 bytes or OpenSSL refuses it.
  static absl::StatusOr<PublicKey> FromEd25519Raw(absl::string_view raw);

  // Returns spki_der() as a PEM "PUBLIC KEY" block ending in a newline.
  std::string ToPem() const;

  // Returns the 32-byte RFC 8032 encoding of an Ed25519 key (the inverse of
  // FromEd25519Raw). Returns InvalidArgument for a key of another type,
  // Internal if OpenSSL fails.
  absl::StatusOr<std::string> Ed25519Raw() const;

  // Returns the canonical DER SubjectPublicKeyInfo of the key.
  const std::string& spki_der() const;

  KeyType type() const;

  // Verifier: see core/crypto/signer.h. An Ed25519 signature that is not
  // exactly 64 bytes, or an ECDSA signature that is not strict DER, fails
  // with InvalidArgument like any other bad signature.
  absl::Status Verify(absl::string_view signature,
                      absl::string_view data) const override;
  std::string key_id() const override;

 private:
  explicit PublicKey(std::shared_ptr<const internal::KeyMaterial> material);

  std::shared_ptr<const internal::KeyMaterial> material_;
};

// A validated private key and its public key. Immutable and cheap to copy
// (copies share one parsed key); thread-safe. The secret is reachable only
// through ExportPemForStorage(); OpenSSL wipes it when the last copy goes.
class PrivateKey final : public Signer {
 public:
  // Returns a fresh random key of `type`. Internal if OpenSSL fails.
  static absl::StatusOr<PrivateKey> Generate(KeyType type);

  // Returns the key in a PEM "PRIVATE KEY" (unencrypted PKCS#8) block.
  // Returns InvalidArgument for an "ENCRYPTED PRIVATE KEY" block or one with
  // encryption headers (OpenSSL is never asked for a passphrase), for other
  // labels such as "EC PRIVATE KEY", for malformed PEM or DER, for a key of an
  // unsupported type or curve (the message names what was found), and for a
  // key whose public part is inconsistent with its private part. Error
  // messages never contain key material.
  static absl::StatusOr<PrivateKey> FromPem(absl::string_view pem);

  // Returns the Ed25519 key whose RFC 8032 private key (the 32-byte seed) is
  // `seed`; one seed always gives the same key. The caller keeps and wipes
  // `seed`. Returns InvalidArgument if `seed` is not 32 bytes (the message
  // never contains key material), Internal if OpenSSL fails.
  static absl::StatusOr<PrivateKey> FromEd25519Seed(absl::string_view seed);

  // Returns the secret key as an unencrypted PKCS#8 "PRIVATE KEY" PEM block,
  // readable by FromPem and by `openssl pkey`. The result is a secret: the
  // caller stores it with care and wipes it. Internal if OpenSSL fails.
  absl::StatusOr<std::string> ExportPemForStorage() const;

  const PublicKey& public_key() const { return public_key_; }
  KeyType type() const { return public_key_.type(); }

  // Signer: see core/crypto/signer.h. Ed25519 signatures are 64 bytes; ECDSA
  // P-256 signatures are DER and randomized (two calls give different bytes).
  absl::StatusOr<std::string> Sign(absl::string_view data) const override;
  std::string key_id() const override { return public_key_.key_id(); }

 private:
  PrivateKey(std::shared_ptr<const internal::KeyMaterial> material,
             PublicKey public_key);

  std::shared_ptr<const internal::KeyMaterial> material_;
  PublicKey public_key_;
};

}  // namespace pedigree::core::crypto

#endif  // PEDIGREE_CORE_CRYPTO_KEYS_H_
