#ifndef PEDIGREE_SERVER_STORAGE_POSTGRES_REGISTRY_STORE_H_
#define PEDIGREE_SERVER_STORAGE_POSTGRES_REGISTRY_STORE_H_

// RegistryStore on PostgreSQL (schema: migrations/), through libpqxx 6.4 and
// a ConnectionPool.
//
//   PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<ConnectionPool> pool,
//                             ConnectionPool::Create({dsn, 8}));
//   PEDIGREE_ASSIGN_OR_RETURN(
//       std::unique_ptr<PostgresRegistryStore> store,
//       PostgresRegistryStore::Open(*pool, {.log_signer = &signer}));
//   PEDIGREE_ASSIGN_OR_RETURN(PublishResult published,
//                             store->PublishRecord(new_record));

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/record/model_ref.h"
#include "pqxx/pqxx"
#include "server/storage/connection_pool.h"
#include "server/storage/group_commit.h"
#include "server/storage/internal/log_batch.h"
#include "server/storage/registry_store.h"

namespace pedigree::server::storage {

namespace internal {
struct JudgmentColumns;  // postgres_registry_store.cc
struct PublishRows;  // the index rows of a record; postgres_registry_store.cc
}  // namespace internal

// Implements every RegistryStore contract with SQL only: each statement is a
// named constant with $n parameters, prepared once per connection; reads
// are indexed lookups or recursive CTEs (lineage), never scans of envelopes.
//
// Beyond the RegistryStore contract:
// - Every method first leases a connection from the pool and returns
//   Unavailable if none is idle within Options::acquire_timeout.
// - Arguments that break an interface precondition (page_size < 1,
//   max_depth < 1, a relation filter without parent_record_id, a ref without
//   a version where one is required, an empty signer list, an invalid
//   namespace, key id or key size, a license expression that does not
//   parse) give InvalidArgument.
// - Page tokens are base64 of "v1:<record id>"; the page continues after
//   that record in (published_at, id) order.
// - Stored values that cannot be read back (an unknown key status or
//   relation) give DataLoss.
//
// Writes that enter the transparency log (PublishRecord, AddKey) go through
// group commit (server/storage/group_commit.h): concurrent ones share one
// transaction, which sequences them into the log, writes the tree nodes
// they complete and one signed checkpoint, and commits once. A write that
// a check refuses (unknown parent, name@version taken, ...) gets its error
// without affecting the others in its batch; a write that breaks the
// transaction makes the batch re-run one write at a time.
//
// Thread-safe: each call uses its own leased connection. Not copyable or
// movable.
class PostgresRegistryStore : public RegistryStore {
 public:
  struct Options {
    // Signs the log's checkpoints. Required; borrowed, must outlive the
    // store.
    const CheckpointSigner* log_signer = nullptr;
    // How long a call waits for an idle pooled connection.
    absl::Duration acquire_timeout = absl::Seconds(5);
    // The most writes one log batch (one transaction) takes.
    int max_log_batch = 256;
  };

  // Returns a store on `pool` (borrowed, must outlive the store) whose log
  // is set up: on a database without a log it creates one for
  // `options.log_signer`, integrates the records and keys stored before the
  // log existed and signs the first checkpoint. Then judges every record
  // without a current judgment that parses (JudgeStoredRecords; a record
  // that cannot be judged does not stop it; startup_judgments() says what
  // it did). FailedPrecondition if the
  // database's log has another origin or key; InvalidArgument without a
  // signer; Unavailable if the database cannot be reached.
  static absl::StatusOr<std::unique_ptr<PostgresRegistryStore>> Open(
      ConnectionPool& pool, Options options);

  PostgresRegistryStore(const PostgresRegistryStore&) = delete;
  PostgresRegistryStore& operator=(const PostgresRegistryStore&) = delete;

  absl::StatusOr<NamespaceRow> CreateNamespace(absl::string_view name) override;
  absl::StatusOr<KeyRow> AddKey(const KeyRow& key) override;
  absl::StatusOr<std::vector<KeyRow>> ListKeys(
      absl::string_view namespace_name) override;
  absl::StatusOr<std::vector<KeyRow>> GetKeys(
      const std::vector<std::string>& key_ids) override;
  absl::StatusOr<PublishResult> PublishRecord(const NewRecord& record) override;
  absl::StatusOr<StoredRecord> GetRecordByRef(
      const core::record::ModelRef& ref) override;
  absl::StatusOr<StoredRecord> GetRecordByDigest(
      absl::string_view record_digest) override;
  absl::StatusOr<StoredRecord> GetLatestRecord(
      const core::record::ModelRef& model) override;
  absl::StatusOr<VersionPage> ListVersions(const core::record::ModelRef& model,
                                           const PageRequest& page) override;
  absl::StatusOr<RecordPage> SearchRecords(const SearchFilter& filter,
                                           const PageRequest& page) override;
  // Digests that are not 32 bytes match nothing; duplicates count once. Ties
  // in the number matched are broken newest published first. A `limit`
  // below 1 gives an empty result.
  absl::StatusOr<std::vector<StoredRecord>> FindRecordsByArtifacts(
      const std::vector<std::string>& digests, int limit) override;
  absl::StatusOr<std::vector<StoredRecord>> FindRecordsByRootDigest(
      absl::string_view root_digest, int limit) override;
  // Nodes are ordered by |distance| (so the start comes first), ancestors
  // before descendants at equal |distance|, then by record id; edges by
  // (child, parent, relation). Only edges whose parent resolved to a stored
  // record are walked (all of them: PublishRecord requires it).
  absl::StatusOr<LineageGraph> GetLineage(const LineageQuery& query) override;

  absl::StatusOr<std::map<int64_t, core::judgment::Judgment>> GetJudgments(
      const std::vector<int64_t>& record_ids) override;
  absl::StatusOr<DatasetUserPage> ListDatasetUsers(
      const DatasetQuery& query, const PageRequest& page) override;

  // Judges every stored record whose judgment is missing, was made by
  // another rule set (core::judgment::kRuleSetVersion) or no longer parses
  // (such a judgment is dropped first and named in summary.unreadable),
  // parents before children, in transactions of up to 256 records. A record
  // that cannot be judged (its envelope no longer parses, a stored lineage
  // edge names a parent ref that does not parse, a parent has no judgment)
  // is left without one and named, with why, in summary.unjudged;
  // GetJudgments then omits it, and a publish under it is refused with that
  // cause (a restart would not judge it either). Errors only if the
  // database fails. The daemon calls it once at start-up, before serving.
  absl::StatusOr<JudgeSummary> JudgeStoredRecords();
  // What the JudgeStoredRecords run of Open did.
  const JudgeSummary& startup_judgments() const { return startup_judgments_; }

  absl::StatusOr<LogCheckpointRow> GetLatestCheckpoint() override;
  absl::StatusOr<LogCheckpointRow> GetCheckpoint(uint64_t tree_size) override;
  absl::StatusOr<InclusionProofRow> GetInclusionProof(
      uint64_t log_index, uint64_t tree_size) override;
  absl::StatusOr<std::vector<std::string>> GetConsistencyProof(
      uint64_t old_size, uint64_t new_size) override;
  // `count` is clamped to [0, 1024].
  absl::StatusOr<std::vector<LogEntryRow>> GetLogEntries(uint64_t start,
                                                         int count) override;

 private:
  // Leases a connection, runs `fn(pqxx::transaction_base&)` (returning
  // absl::Status) in a transaction of type `Tx` and commits it if `fn`
  // returned OK; maps anything libpqxx throws to a Status (`context` names
  // the operation). Defined in the .cc, the only place that uses it.
  template <typename Tx, typename Fn>
  absl::Status Run(absl::string_view context, Fn&& fn);

  // A write that enters the log: a publish (record and rows set) or a key
  // addition (key set). The batch writes its outcome.
  struct LogJob {
    const NewRecord* record = nullptr;
    const internal::PublishRows* rows = nullptr;
    const KeyRow* key = nullptr;

    absl::Status status;
    PublishResult published;
    KeyRow added_key;
  };

  PostgresRegistryStore(ConnectionPool& pool, Options options);

  // Runs `jobs` in one transaction, or one by one if that fails.
  void RunLogBatch(absl::Span<LogJob* const> jobs);
  absl::Status TryLogBatch(absl::Span<LogJob* const> jobs);
  // Decides and stores `jobs` (publishes) with a fixed number of
  // statements, appending the stored ones to `batch`. A refused job gets its
  // status and writes nothing; a job that must wait for another of the
  // batch (a duplicate digest or name@version, a parent published
  // alongside) goes to `deferred` for the next round. A returned error
  // fails the batch.
  absl::Status PublishRound(pqxx::transaction_base& tx,
                            internal::LogBatch& batch,
                            const std::vector<LogJob*>& jobs,
                            std::vector<LogJob*>* deferred);
  // A key addition in a batch; refused like a publish.
  absl::Status AddKeyInBatch(pqxx::transaction_base& tx,
                             internal::LogBatch& batch, LogJob& job);

  // Drops every judgment of the current rule set that no longer parses
  // (derived data: JudgeStoredRecords then judges its record again), naming
  // each in summary.unreadable.
  absl::Status DropUnreadableJudgments(JudgeSummary& summary);

  // Returns the newest checkpoint, read in `tx`.
  absl::StatusOr<LogCheckpointRow> LatestCheckpoint(pqxx::transaction_base& tx);

  ConnectionPool& pool_;
  const Options options_;
  // The tree head the last committed batch left, so the next one needs not
  // read it back. Touched only by batches, which run one after the other on
  // the committer's thread.
  std::optional<internal::LogHead> head_;
  JudgeSummary startup_judgments_;
  // The records the last JudgeStoredRecords could not judge, by id, with
  // why: a publish under one names the cause instead of suggesting a
  // restart that would not help.
  absl::Mutex mu_;
  std::map<int64_t, std::string> unjudgeable_ ABSL_GUARDED_BY(mu_);
  // Last: its thread runs batches, which use the members above, so it is
  // constructed after them and stopped before they are destroyed.
  GroupCommitter<LogJob> committer_;
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_POSTGRES_REGISTRY_STORE_H_
