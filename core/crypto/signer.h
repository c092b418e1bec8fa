#ifndef PEDIGREE_CORE_CRYPTO_SIGNER_H_
#define PEDIGREE_CORE_CRYPTO_SIGNER_H_

// The two interfaces through which everything in Pedigree signs and verifies.
// PrivateKey and PublicKey (core/crypto/keys.h) implement them; tests and
// other key stores may provide their own.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::crypto {

// Produces signatures with one private key. Implementations are thread-safe:
// Sign() may be called concurrently on one object.
class Signer {
 public:
  virtual ~Signer() = default;

  // Returns the signature of `data` (the message itself, not a digest; the
  // implementation hashes as its algorithm requires). Returns Internal if the
  // underlying library fails.
  virtual absl::StatusOr<std::string> Sign(absl::string_view data) const = 0;

  // Returns the identifier of the key: lowercase hex SHA-256 of the DER
  // SubjectPublicKeyInfo of its public key.
  virtual std::string key_id() const = 0;
};

// Checks signatures made by one public key. Implementations are thread-safe:
// Verify() may be called concurrently on one object.
class Verifier {
 public:
  virtual ~Verifier() = default;

  // Returns OK only if `signature` is a valid signature of `data` by this key.
  // Returns InvalidArgument ("signature does not verify with key <id>") for
  // any signature that does not verify, including malformed ones; Internal
  // only if the underlying library fails.
  virtual absl::Status Verify(absl::string_view signature,
                              absl::string_view data) const = 0;

  // Returns the identifier of the key, as Signer::key_id().
  virtual std::string key_id() const = 0;
};

}  // namespace pedigree::core::crypto

#endif  // PEDIGREE_CORE_CRYPTO_SIGNER_H_
