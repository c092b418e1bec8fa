#include "server/storage/internal/log_batch.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/encoding/hex.h"
#include "core/merkle/proof.h"
#include "core/merkle/tree.h"
#include "core/record/log_entry.h"
#include "core/status_macros.h"
#include "pqxx/pqxx"
#include "server/storage/internal/array_literal.h"
#include "server/storage/internal/prepared.h"

namespace pedigree::server::storage::internal {
namespace {

using core::merkle::NodeId;

// The one state row, locked for the rest of the transaction. After waiting
// for the lock, PostgreSQL returns the row's newest version but keeps the
// statement's older snapshot for anything else the statement reads, so
// nothing else is read here.
const Statement kLockState{
    "log_lock_state",
    "SELECT tree_size, root_hash, origin, verifier_key FROM log_state "
    "WHERE singleton FOR UPDATE"};
// How far entries are sequenced (only migration 0002 leaves entries beyond
// the integrated size). Read after the lock, in a fresh snapshot.
const Statement kSequencedSize{
    "log_sequenced_size", "SELECT coalesce(max(idx) + 1, 0) FROM log_entries"};
const Statement kCreateState{
    "log_create_state",
    "INSERT INTO log_state (origin, verifier_key, tree_size, root_hash) "
    "VALUES ($1, $2, 0, $3) ON CONFLICT (singleton) DO NOTHING"};
// $1 levels, $2 indexes; one row per requested node, in request order, a
// NULL hash for a node that is not stored.
const Statement kFetchNodes{
    "log_fetch_nodes",
    "SELECT n.hash FROM unnest($1::int[], $2::bigint[]) WITH ORDINALITY "
    "AS w(level, idx, ord) LEFT JOIN log_nodes n "
    "ON n.level = w.level AND n.idx = w.idx ORDER BY w.ord"};
const Statement kPendingLeaves{
    "log_pending_leaves",
    "SELECT idx, leaf_hash FROM log_entries WHERE idx >= $1 AND idx < $2 "
    "ORDER BY idx"};
// What a batch writes, in one statement: its entries ($1 indexes, $2 record
// ids, $3 key row ids, $4 leaf hashes as one bytea of 32-byte slices), the
// nodes it completed ($5 levels, $6 indexes, $7 hashes, likewise), and the
// new head ($8 size, $9 root) with its checkpoint note ($10). Empty arrays
// write no entries or nodes. Answers how many head rows were updated and
// checkpoints inserted: anything but 1 and 1 fails the batch (a checkpoint
// already stored at a size the head has not reached yet is not the log's
// own: the log key signs one root per size).
const Statement kWriteBatch{
    "log_write_batch",
    "WITH entries AS (INSERT INTO log_entries (idx, record_id, key_id, "
    "leaf_hash) SELECT t.idx, t.record_id, t.key_id, "
    "substring($4::bytea FROM ((t.ord - 1) * 32 + 1)::int FOR 32) "
    "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY "
    "AS t(idx, record_id, key_id, ord)), "
    "nodes AS (INSERT INTO log_nodes (level, idx, hash) "
    "SELECT t.level, t.idx, "
    "substring($7::bytea FROM ((t.ord - 1) * 32 + 1)::int FOR 32) "
    "FROM unnest($5::int[], $6::bigint[]) WITH ORDINALITY "
    "AS t(level, idx, ord)), "
    "head AS (UPDATE log_state SET tree_size = $8, root_hash = $9 "
    "WHERE singleton RETURNING 1), "
    "checkpoint AS (INSERT INTO log_checkpoints (tree_size, root_hash, note) "
    "VALUES ($8, $9, $10) ON CONFLICT (tree_size) DO NOTHING RETURNING 1) "
    "SELECT (SELECT count(*) FROM head), (SELECT count(*) FROM checkpoint)"};
const Statement kCheckpointNote{
    "log_checkpoint_note",
    "SELECT note FROM log_checkpoints WHERE tree_size = $1"};

std::string Bytes(const pqxx::field& field) {
  return pqxx::binarystring(field).str();
}

// Reads the requested nodes from log_nodes in one statement.
absl::StatusOr<std::vector<std::string>> FetchNodes(
    pqxx::transaction_base& tx, const std::vector<NodeId>& ids) {
  std::vector<int> levels;
  std::vector<uint64_t> indexes;
  for (const NodeId& id : ids) {
    levels.push_back(id.level);
    indexes.push_back(id.index);
  }
  const pqxx::result rows =
      Exec(tx, kFetchNodes, ArrayLiteral(levels), ArrayLiteral(indexes));
  if (rows.size() != ids.size()) {
    return absl::InternalError(absl::StrCat(
        "read ", rows.size(), " log nodes, asked for ", ids.size()));
  }
  std::vector<std::string> hashes;
  hashes.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (rows[i][0].is_null()) {
      return absl::DataLossError(absl::StrCat("log node (level ", ids[i].level,
                                              ", index ", ids[i].index,
                                              ") is missing"));
    }
    hashes.push_back(Bytes(rows[i][0]));
  }
  return hashes;
}

}  // namespace

core::merkle::NodeFetcher DatabaseNodeFetcher(pqxx::transaction_base& tx) {
  return [&tx](const std::vector<NodeId>& ids) { return FetchNodes(tx, ids); };
}

LogBatch::LogBatch(uint64_t start_size, core::merkle::TreeAppender appender,
                   std::vector<NodeId> frontier_ids,
                   std::vector<std::string> frontier)
    : start_size_(start_size), appender_(std::move(appender)) {
  for (size_t i = 0; i < frontier_ids.size(); ++i) {
    nodes_.emplace(frontier_ids[i], std::move(frontier[i]));
  }
}

absl::StatusOr<LogBatch> LogBatch::Begin(pqxx::transaction_base& tx,
                                         const std::optional<LogHead>& cached) {
  const pqxx::result state = Exec(tx, kLockState);
  if (state.empty()) {
    return absl::FailedPreconditionError("the transparency log is not set up");
  }
  const uint64_t size = state[0][0].as<uint64_t>();
  const std::string root = Bytes(state[0][1]);
  const uint64_t sequenced = Exec(tx, kSequencedSize)[0][0].as<uint64_t>();
  if (sequenced < size) {
    return absl::DataLossError(absl::StrCat("the log has ", size,
                                            " integrated leaves but only ",
                                            sequenced, " entries"));
  }

  const std::vector<NodeId> frontier_ids = core::merkle::RangeNodes(0, size);
  std::vector<std::string> frontier;
  if (cached.has_value() && cached->tree_size == size &&
      cached->root_hash == root) {
    frontier = cached->frontier;
  } else {
    PEDIGREE_ASSIGN_OR_RETURN(frontier, FetchNodes(tx, frontier_ids));
  }
  PEDIGREE_ASSIGN_OR_RETURN(core::merkle::TreeAppender appender,
                            core::merkle::TreeAppender::Resume(size, frontier));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string computed_root,
                            appender.RootHash());
  if (computed_root != root) {
    return absl::DataLossError(absl::StrCat(
        "the stored log nodes do not hash to the stored root of tree size ",
        size));
  }
  LogBatch batch(size, std::move(appender), frontier_ids, std::move(frontier));
  if (sequenced > size) {
    PEDIGREE_RETURN_IF_ERROR(batch.IntegratePending(tx, sequenced));
  }
  return batch;
}

absl::Status LogBatch::Initialize(pqxx::transaction_base& tx,
                                  const CheckpointSigner& signer) {
  Exec(tx, kCreateState, signer.origin(), signer.verifier_key(),
       pqxx::binarystring(core::merkle::EmptyTreeRoot()));
  const pqxx::result state = Exec(tx, kLockState);
  if (state.empty()) {
    return absl::InternalError("the log state row is missing after insert");
  }
  const std::string origin = state[0][2].as<std::string>();
  const std::string verifier_key = state[0][3].as<std::string>();
  if (origin != signer.origin() || verifier_key != signer.verifier_key()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this database holds the transparency log \"", origin,
        "\" signed by key ", verifier_key, "; this server's log key is ",
        signer.verifier_key(), " (origin \"", signer.origin(),
        "\"); start it with that log's key file"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(LogBatch batch, Begin(tx, std::nullopt));
  return batch.Finish(tx, signer).status();
}

absl::Status LogBatch::IntegratePending(pqxx::transaction_base& tx,
                                        uint64_t sequenced_size) {
  const pqxx::result rows =
      Exec(tx, kPendingLeaves, appender_.size(), sequenced_size);
  for (const pqxx::row& row : rows) {
    if (row[0].as<uint64_t>() != appender_.size()) {
      return absl::DataLossError(absl::StrCat(
          "log entry ", appender_.size(), " is missing: the log has a gap"));
    }
    PEDIGREE_RETURN_IF_ERROR(AddLeaf(Bytes(row[1])));
  }
  if (appender_.size() != sequenced_size) {
    return absl::DataLossError(absl::StrCat("log entry ", appender_.size(),
                                            " is missing: the log has a gap"));
  }
  return absl::OkStatus();
}

absl::Status LogBatch::AddLeaf(absl::string_view leaf_hash) {
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<core::merkle::NodeHash> completed,
                            appender_.Append(leaf_hash));
  for (core::merkle::NodeHash& node : completed) {
    nodes_.emplace(node.id, node.hash);
    new_nodes_.push_back(std::move(node));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> LogBatch::AppendRecord(int64_t record_id,
                                                absl::string_view envelope) {
  const uint64_t index = appender_.size();
  PEDIGREE_ASSIGN_OR_RETURN(
      std::string leaf,
      core::merkle::HashLeaf(core::record::RecordLogEntry(envelope)));
  PEDIGREE_RETURN_IF_ERROR(AddLeaf(leaf));
  new_entries_.push_back(
      NewEntry{index, record_id, std::nullopt, std::move(leaf)});
  return index;
}

absl::StatusOr<uint64_t> LogBatch::AppendKey(int64_t key_row_id,
                                             absl::string_view entry) {
  const uint64_t index = appender_.size();
  PEDIGREE_ASSIGN_OR_RETURN(std::string leaf, core::merkle::HashLeaf(entry));
  PEDIGREE_RETURN_IF_ERROR(AddLeaf(leaf));
  new_entries_.push_back(
      NewEntry{index, std::nullopt, key_row_id, std::move(leaf)});
  return index;
}

absl::StatusOr<LogCheckpointRow> LogBatch::Finish(
    pqxx::transaction_base& tx, const CheckpointSigner& signer) {
  finished_ = true;
  LogCheckpointRow checkpoint;
  checkpoint.tree_size = appender_.size();
  PEDIGREE_ASSIGN_OR_RETURN(checkpoint.root_hash, appender_.RootHash());
  if (checkpoint.tree_size == start_size_) {
    // Nothing was appended: keep the stored note of this head if there is
    // one (one note per size keeps GetCheckpoint deterministic).
    const pqxx::result stored = Exec(tx, kCheckpointNote, checkpoint.tree_size);
    if (!stored.empty()) {
      checkpoint.note = stored[0][0].as<std::string>();
      return checkpoint;
    }
  }
  PEDIGREE_ASSIGN_OR_RETURN(
      checkpoint.note, signer.Sign(checkpoint.tree_size, checkpoint.root_hash));

  std::vector<uint64_t> entry_indexes;
  std::vector<std::optional<int64_t>> record_ids, key_ids;
  std::string leaves;
  for (const NewEntry& entry : new_entries_) {
    entry_indexes.push_back(entry.index);
    record_ids.push_back(entry.record_id);
    key_ids.push_back(entry.key_row_id);
    leaves += entry.leaf_hash;
  }
  std::vector<int> levels;
  std::vector<uint64_t> node_indexes;
  std::string hashes;
  for (const core::merkle::NodeHash& node : new_nodes_) {
    levels.push_back(node.id.level);
    node_indexes.push_back(node.id.index);
    hashes += node.hash;
  }
  const pqxx::row written =
      Exec(tx, kWriteBatch, ArrayLiteral(entry_indexes),
           ArrayLiteral(record_ids), ArrayLiteral(key_ids),
           pqxx::binarystring(leaves), ArrayLiteral(levels),
           ArrayLiteral(node_indexes), pqxx::binarystring(hashes),
           checkpoint.tree_size, pqxx::binarystring(checkpoint.root_hash),
           checkpoint.note)
          .at(0);
  if (written[0].as<int64_t>() != 1) {
    return absl::DataLossError("log_state has no head row to move");
  }
  if (written[1].as<int64_t>() != 1) {
    return absl::DataLossError(
        absl::StrCat("log_checkpoints already holds a checkpoint of size ",
                     checkpoint.tree_size, ", beyond the log's head of size ",
                     start_size_, "; not publishing a second root for it"));
  }
  return checkpoint;
}

absl::StatusOr<InclusionProofRow> LogBatch::InclusionProof(
    pqxx::transaction_base& tx, uint64_t log_index) const {
  InclusionProofRow proof;
  proof.log_index = log_index;
  proof.tree_size = appender_.size();
  if (log_index >= start_size_) {
    // Every node a proof of a new leaf needs is in memory: siblings left of
    // the batch are frontier nodes, the rest were completed in the batch.
    const core::merkle::NodeFetcher from_memory =
        [this](const std::vector<NodeId>& ids)
        -> absl::StatusOr<std::vector<std::string>> {
      std::vector<std::string> hashes;
      for (const NodeId& id : ids) {
        const auto found = nodes_.find(id);
        if (found == nodes_.end()) {
          return absl::InternalError(absl::StrCat("log node (level ", id.level,
                                                  ", index ", id.index,
                                                  ") is not in the batch"));
        }
        hashes.push_back(found->second);
      }
      return hashes;
    };
    PEDIGREE_ASSIGN_OR_RETURN(
        proof.hashes,
        core::merkle::InclusionProof(log_index, proof.tree_size, from_memory));
    PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> leaf,
                              from_memory({NodeId{0, log_index}}));
    proof.leaf_hash = std::move(leaf[0]);
    return proof;
  }
  PEDIGREE_ASSIGN_OR_RETURN(
      proof.hashes, core::merkle::InclusionProof(log_index, proof.tree_size,
                                                 DatabaseNodeFetcher(tx)));
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> leaf,
                            FetchNodes(tx, {NodeId{0, log_index}}));
  proof.leaf_hash = std::move(leaf[0]);
  return proof;
}

std::optional<LogHead> LogBatch::head() const {
  absl::StatusOr<std::string> root = appender_.RootHash();
  if (!root.ok()) return std::nullopt;
  return LogHead{appender_.size(), *std::move(root), appender_.frontier()};
}

}  // namespace pedigree::server::storage::internal
