#ifndef PEDIGREE_CORE_CRYPTO_SHA256_H_
#define PEDIGREE_CORE_CRYPTO_SHA256_H_

// SHA-256 over OpenSSL's EVP interface, one-shot or streaming. Digests are raw
// 32-byte strings; use HexEncode (core/encoding/hex.h) to print them.
//
//   PEDIGREE_ASSIGN_OR_RETURN(Sha256 hasher, Sha256::Create());
//   PEDIGREE_RETURN_IF_ERROR(hasher.Update(chunk1));
//   PEDIGREE_RETURN_IF_ERROR(hasher.Update(chunk2));
//   PEDIGREE_ASSIGN_OR_RETURN(std::string digest, hasher.Finish());

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::crypto {

inline constexpr size_t kSha256Size = 32;

// A streaming SHA-256 computation. Movable, not copyable, not thread-safe.
// After Finish() the object is spent: further calls return
// FailedPrecondition.
class Sha256 {
 public:
  // Returns a fresh hasher, or Internal if OpenSSL cannot provide SHA-256.
  static absl::StatusOr<Sha256> Create();

  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();

  // Feeds `data` into the digest. Returns FailedPrecondition after Finish(),
  // Internal on an OpenSSL failure.
  absl::Status Update(absl::string_view data);

  // Returns the 32-byte digest of everything fed so far.
  absl::StatusOr<std::string> Finish();

 private:
  struct State;
  explicit Sha256(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Returns the 32-byte SHA-256 digest of `data`. Internal on OpenSSL failure.
absl::StatusOr<std::string> Sha256Digest(absl::string_view data);

}  // namespace pedigree::core::crypto

#endif  // PEDIGREE_CORE_CRYPTO_SHA256_H_
