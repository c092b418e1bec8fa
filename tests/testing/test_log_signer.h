#ifndef PEDIGREE_TESTS_TESTING_TEST_LOG_SIGNER_H_
#define PEDIGREE_TESTS_TESTING_TEST_LOG_SIGNER_H_

// A fixed transparency-log signer for tests: origin "test.pedigree.dev/log",
// Ed25519 key from a constant seed, so runs are reproducible.

#include <memory>
#include <string>

#include "core/crypto/keys.h"
#include "server/log/log_key.h"
#include "server/storage/registry_store.h"

namespace pedigree::testing {

inline constexpr char kTestLogOrigin[] = "test.pedigree.dev/log";

// Returns the test log signer; never null (aborts the test binary if the
// constant key cannot be built, which would be a bug in core).
inline std::unique_ptr<server::storage::CheckpointSigner> TestLogSigner(
    char seed_byte = 'L') {
  absl::StatusOr<core::crypto::PrivateKey> key =
      core::crypto::PrivateKey::FromEd25519Seed(std::string(32, seed_byte));
  if (!key.ok()) std::abort();
  absl::StatusOr<std::unique_ptr<server::log::NoteCheckpointSigner>> signer =
      server::log::NoteCheckpointSigner::Create(kTestLogOrigin,
                                                *std::move(key));
  if (!signer.ok()) std::abort();
  return *std::move(signer);
}

}  // namespace pedigree::testing

#endif  // PEDIGREE_TESTS_TESTING_TEST_LOG_SIGNER_H_
