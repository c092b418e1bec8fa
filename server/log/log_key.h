#ifndef PEDIGREE_SERVER_LOG_LOG_KEY_H_
#define PEDIGREE_SERVER_LOG_LOG_KEY_H_

// The transparency log's signing key: kept in a PEM file beside the server
// (separate from every publisher key), created on first start, and the
// checkpoint signer built from it.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/crypto/keys.h"
#include "core/note/note.h"
#include "server/storage/registry_store.h"

namespace pedigree::server::log {

// Returns the Ed25519 log key in PKCS#8 PEM file `path`. If the file does
// not exist, generates a key and writes it there first (parent directories
// created, mode 0600, never overwriting a file that appears meanwhile).
// FailedPrecondition for a file that is not an Ed25519 private key, is
// accessible by others or writable by its group (group read is allowed, for
// secret mounts); Internal for an I/O error (naming the path).
absl::StatusOr<core::crypto::PrivateKey> LoadOrCreateLogKey(
    const std::string& path);

// The default origin of the log signed by `key`:
// "localhost/pedigree/<first 16 hex digits of the key id>", unique per key.
std::string DefaultLogOrigin(const core::crypto::PublicKey& key);

// Signs C2SP tlog-checkpoints with a signed-note key named after the origin.
// Immutable; thread-safe.
class NoteCheckpointSigner final : public storage::CheckpointSigner {
 public:
  // InvalidArgument if `origin` is not a valid note key name or `key` is not
  // Ed25519.
  static absl::StatusOr<std::unique_ptr<NoteCheckpointSigner>> Create(
      absl::string_view origin, core::crypto::PrivateKey key);

  const std::string& origin() const override { return origin_; }
  const std::string& verifier_key() const override {
    return signer_.VerifierKey();
  }
  absl::StatusOr<std::string> Sign(uint64_t tree_size,
                                   absl::string_view root_hash) const override;

 private:
  NoteCheckpointSigner(std::string origin, core::note::NoteSigner signer)
      : origin_(std::move(origin)), signer_(std::move(signer)) {}

  const std::string origin_;
  const core::note::NoteSigner signer_;
};

}  // namespace pedigree::server::log

#endif  // PEDIGREE_SERVER_LOG_LOG_KEY_H_
