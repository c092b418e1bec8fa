#ifndef PEDIGREE_CLIENT_LIB_LOG_MONITOR_H_
#define PEDIGREE_CLIENT_LIB_LOG_MONITOR_H_

// LogMonitor: one client's view of a registry's transparency log. It checks
// every checkpoint it is shown with the pinned key, proves it consistent with
// the newest checkpoint it remembers (CheckpointStore) and then remembers it,
// so a registry that rewrites or forks its log is caught on the next contact.
//
//   FileCheckpointStore store(StateFilePath(dir, address), address, vkey);
//   PEDIGREE_ASSIGN_OR_RETURN(LogVerifier verifier, LogVerifier::Create(vkey));
//   LogMonitor monitor(client, verifier, store);
//   PEDIGREE_ASSIGN_OR_RETURN(RecordInclusion inclusion,
//                             monitor.ProveRecord(record_digest, envelope));
//
// The rules, for a checkpoint C (size n) against the remembered R (size r):
// - nothing remembered: C is remembered (trust on first use of the log's
//   history; the key itself is pinned separately);
// - n > r: the registry's consistency proof r -> n must verify; then C is
//   remembered;
// - n == r: the roots must be equal;
// - n < r (an older checkpoint, e.g. a lagging replica): the consistency
//   proof n -> r must verify; R stays remembered (never moves backwards).
//
// Errors: the registry's own errors keep their codes when the registry could
// not be reached (Unavailable, DeadlineExceeded). Every other failure is
// DataLoss: a checkpoint that does not verify with the pinned key, a proof
// that does not verify, a forked log, a registry that refuses to prove
// consistency or inclusion, a remembered checkpoint that does not verify;
// plus FailedPrecondition and InvalidArgument from the store (a state file
// of another key, a malformed state file) and Internal for I/O errors.
// Messages name the sizes and hex roots involved.
//
// Not thread-safe; borrows the client and the store, which must outlive it.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/lib/log_state.h"
#include "client/lib/log_verifier.h"
#include "client/lib/pedigree_client.h"
#include "pedigree/v1/registry.pb.h"

namespace pedigree::client {

// A record's proven place in the log.
struct RecordInclusion {
  VerifiedCheckpoint checkpoint;
  InclusionProof proof;  // proof.tree_size == checkpoint.size
};

// Returns the inclusion proof in `proof` with its hashes decoded;
// InvalidArgument for a hash that is not lowercase hex of 32 bytes.
absl::StatusOr<InclusionProof> InclusionProofFromProto(
    const v1::InclusionProof& proof);

class LogMonitor {
 public:
  LogMonitor(PedigreeClient& client, LogVerifier verifier,
             CheckpointStore& store);

  LogMonitor(const LogMonitor&) = delete;
  LogMonitor& operator=(const LogMonitor&) = delete;

  const LogVerifier& verifier() const { return verifier_; }

  // Fetches the newest checkpoint, checks it (see the rules above) and
  // returns it.
  absl::StatusOr<VerifiedCheckpoint> CheckNewest();

  // Checks the signed checkpoint `note` obtained elsewhere (a publish
  // answer, an inclusion proof answer) by the rules above, and returns it.
  absl::StatusOr<VerifiedCheckpoint> Accept(absl::string_view note);

  // Proves that the record with lowercase hex digest `record_digest` and
  // DSSE envelope `envelope` (verbatim) is in the newest checkpoint's tree.
  // DataLoss if it is not proven, including the registry answering NotFound.
  absl::StatusOr<RecordInclusion> ProveRecord(absl::string_view record_digest,
                                              absl::string_view envelope);

  // Checks the log inclusion of a publish answer for `envelope`: the
  // checkpoint by the rules above, then the proof. DataLoss if the answer
  // carries no inclusion.
  absl::StatusOr<RecordInclusion> CheckPublished(
      const v1::LogInclusion& inclusion, absl::string_view envelope);

  // The newest checkpoint remembered after the last call (nullopt before
  // any).
  const std::optional<VerifiedCheckpoint>& remembered() const {
    return remembered_;
  }

 private:
  // Loads and verifies the remembered checkpoint once.
  absl::Status LoadRemembered();

  PedigreeClient& client_;
  const LogVerifier verifier_;
  CheckpointStore& store_;
  bool loaded_ = false;
  std::optional<VerifiedCheckpoint> remembered_;
};

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_LOG_MONITOR_H_
