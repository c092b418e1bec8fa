#ifndef PEDIGREE_CLIENT_LIB_LOG_TEST_UTIL_H_
#define PEDIGREE_CLIENT_LIB_LOG_TEST_UTIL_H_

// Test helpers for the client's log code: a signed record envelope, a log
// key, and a reference tree holding that envelope's leaf among test leaves.
// For tests only.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "client/lib/log_verifier.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/manifest/manifest.h"
#include "core/merkle/merkle_test_util.h"
#include "core/note/checkpoint.h"
#include "core/note/note.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/record/record_test_util.h"
#include "gtest/gtest.h"

namespace pedigree::client::testing_util {

inline constexpr char kLogName[] = "example.com/pedigree-log";

inline core::manifest::Manifest TestManifest() {
  std::vector<core::manifest::ManifestEntry> entries;
  for (const char fill : {'a', 'b'}) {
    core::manifest::ManifestEntry entry;
    entry.name = std::string(1, fill) + ".bin";
    entry.digest = core::record::FilledBytes(fill);
    entry.size = 10;
    entries.push_back(std::move(entry));
  }
  absl::StatusOr<core::manifest::Manifest> manifest =
      core::manifest::Manifest::Create(std::move(entries));
  EXPECT_TRUE(manifest.ok());
  return *std::move(manifest);
}

// Returns the DSSE envelope JSON of a record of `manifest` for acme/base@v1
// signed by `key`.
inline std::string SignedEnvelope(const core::manifest::Manifest& manifest,
                                  const core::crypto::PrivateKey& key) {
  core::record::Record record = core::record::MinimalRecordForTest();
  record.model.ref = core::record::ModelRef{"acme", "base", "v1"};
  record.artifacts.files.clear();
  for (const core::manifest::ManifestEntry& entry : manifest.entries()) {
    core::record::ArtifactFile file;
    file.name = entry.name;
    file.sha256 = entry.digest;
    file.size = entry.size;
    record.artifacts.files.push_back(std::move(file));
  }
  record.artifacts.root_digest = manifest.RootDigest();
  absl::StatusOr<core::dsse::Envelope> envelope =
      core::record::SignRecord(record, {&key});
  EXPECT_TRUE(envelope.ok()) << envelope.status();
  return core::dsse::SerializeEnvelope(*envelope);
}

inline core::crypto::PrivateKey NewKey() {
  absl::StatusOr<core::crypto::PrivateKey> key =
      core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519);
  EXPECT_TRUE(key.ok());
  return *std::move(key);
}

inline core::note::NoteSigner NewLogSigner(const std::string& name = kLogName) {
  absl::StatusOr<core::note::NoteSigner> signer =
      core::note::NoteSigner::Create(name, NewKey());
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

// Returns the signed checkpoint of the first `size` leaves of `tree`.
inline std::string SignedCheckpoint(const core::merkle::ReferenceTree& tree,
                                    uint64_t size,
                                    const core::note::NoteSigner& signer) {
  core::note::Checkpoint checkpoint;
  checkpoint.origin = signer.name();
  checkpoint.size = size;
  checkpoint.root_hash = tree.RootHash(size);
  absl::StatusOr<std::string> note =
      core::note::SignCheckpoint(checkpoint, signer);
  EXPECT_TRUE(note.ok()) << note.status();
  return *std::move(note);
}

// Returns `size` test leaves with the leaf of `envelope` at `index`.
inline core::merkle::ReferenceTree TreeWithEnvelope(
    uint64_t size, uint64_t index, const std::string& envelope) {
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < size; ++i) {
    leaves.push_back(core::merkle::TestLeafHash(i));
  }
  absl::StatusOr<std::string> leaf = RecordLeafHash(envelope);
  EXPECT_TRUE(leaf.ok());
  leaves[index] = *leaf;
  return core::merkle::ReferenceTree(std::move(leaves));
}

}  // namespace pedigree::client::testing_util

#endif  // PEDIGREE_CLIENT_LIB_LOG_TEST_UTIL_H_
