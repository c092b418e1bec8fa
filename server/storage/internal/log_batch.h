#ifndef PEDIGREE_SERVER_STORAGE_INTERNAL_LOG_BATCH_H_
#define PEDIGREE_SERVER_STORAGE_INTERNAL_LOG_BATCH_H_

// The transparency log inside one write transaction (server/storage/ only).
//
// A batch locks the log_state row, so batches of all server processes on one
// database are sequenced one after the other; appends entries at the next
// indexes; and on Finish writes the entries, every perfect subtree they
// complete, the new tree head and a checkpoint signed over it. All of it
// commits or rolls back with the caller's transaction, together with the
// records and keys the entries describe: an entry is either in the log with
// its index, its nodes and a signed checkpoint covering it, or absent.
//
//   PEDIGREE_ASSIGN_OR_RETURN(LogBatch batch, LogBatch::Begin(tx, cached));
//   const uint64_t index = batch.AppendRecord(record_id, envelope);
//   PEDIGREE_ASSIGN_OR_RETURN(LogCheckpointRow checkpoint,
//                             batch.Finish(tx, signer));
//   PEDIGREE_ASSIGN_OR_RETURN(InclusionProofRow proof,
//                             batch.InclusionProof(tx, index));
//   ... commit, then remember batch.head() for the next batch.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/merkle/proof.h"
#include "core/merkle/tree.h"
#include "pqxx/pqxx"
#include "server/storage/registry_store.h"

namespace pedigree::server::storage::internal {

// The integrated tree as of a committed batch: what the next batch needs to
// extend it without reading it back, if nobody else extended it meanwhile.
struct LogHead {
  uint64_t tree_size = 0;
  std::string root_hash;              // raw 32 bytes
  std::vector<std::string> frontier;  // hashes of RangeNodes(0, tree_size)
};

// Reads log nodes in `tx`, one statement per call. DataLoss for a node that
// is not stored. `tx` must outlive the fetcher.
core::merkle::NodeFetcher DatabaseNodeFetcher(pqxx::transaction_base& tx);

class LogBatch {
 public:
  // Locks the log state in `tx` and loads the tree head: from `cached` when
  // it matches the stored size and root (the common case: this process
  // wrote the last batch), else from log_nodes. Entries sequenced but not
  // yet integrated (those migration 0002 created) are integrated first.
  // FailedPrecondition if the log was not initialized (Initialize).
  static absl::StatusOr<LogBatch> Begin(pqxx::transaction_base& tx,
                                        const std::optional<LogHead>& cached);

  // Creates the log state row for `signer` if there is none, refuses a
  // database whose log has another origin or key (FailedPrecondition naming
  // both), integrates pending entries and makes sure a checkpoint exists for
  // the current size. Idempotent; run once at start-up.
  static absl::Status Initialize(pqxx::transaction_base& tx,
                                 const CheckpointSigner& signer);

  // Appends the entry of record `record_id` whose envelope is `envelope`;
  // returns its log index.
  absl::StatusOr<uint64_t> AppendRecord(int64_t record_id,
                                        absl::string_view envelope);

  // Appends the entry of key row `key_row_id`; returns its log index.
  absl::StatusOr<uint64_t> AppendKey(int64_t key_row_id,
                                     absl::string_view entry);

  // Writes what was appended or integrated and, if the tree grew (or no
  // checkpoint exists at its size), a checkpoint signed by `signer`; returns
  // the checkpoint of the new size.
  absl::StatusOr<LogCheckpointRow> Finish(pqxx::transaction_base& tx,
                                          const CheckpointSigner& signer);

  // After Finish: the inclusion proof of `log_index` in the new tree.
  // Entries of this batch are proven from memory; older ones read their
  // nodes in `tx`.
  absl::StatusOr<InclusionProofRow> InclusionProof(pqxx::transaction_base& tx,
                                                   uint64_t log_index) const;

  // The tree head after Finish (nullopt only if hashing failed; the next
  // batch then reads the head from the database).
  std::optional<LogHead> head() const;

 private:
  LogBatch(uint64_t start_size, core::merkle::TreeAppender appender,
           std::vector<core::merkle::NodeId> frontier_ids,
           std::vector<std::string> frontier);

  // Extends the tree with the entries migration 0002 sequenced.
  absl::Status IntegratePending(pqxx::transaction_base& tx,
                                uint64_t sequenced_size);

  absl::Status AddLeaf(absl::string_view leaf_hash);

  uint64_t start_size_;  // the stored tree size when the batch began
  core::merkle::TreeAppender appender_;
  // Every node known without reading: the frontier at start and each node
  // completed in this batch.
  std::map<core::merkle::NodeId, std::string> nodes_;
  std::vector<core::merkle::NodeHash> new_nodes_;

  struct NewEntry {
    uint64_t index;
    std::optional<int64_t> record_id;
    std::optional<int64_t> key_row_id;
    std::string leaf_hash;
  };
  std::vector<NewEntry> new_entries_;
  bool finished_ = false;
};

}  // namespace pedigree::server::storage::internal

#endif  // PEDIGREE_SERVER_STORAGE_INTERNAL_LOG_BATCH_H_
