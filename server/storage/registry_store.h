#ifndef PEDIGREE_SERVER_STORAGE_REGISTRY_STORE_H_
#define PEDIGREE_SERVER_STORAGE_REGISTRY_STORE_H_

// The registry's durable state behind one interface: namespaces, their
// publisher keys, published records (verbatim envelopes plus the index rows
// extracted from them) and the lineage graph. The gRPC service talks only to
// this interface; PostgresRegistryStore implements it, and unit tests of the
// service use a gMock MockRegistryStore to force error paths.
//
// The store trusts its caller for everything that needs cryptography or
// record parsing: the service validates the record and verifies signatures
// before calling PublishRecord. The store enforces everything that needs the
// database to be consistent: uniqueness, key status at commit time, parent
// resolution, idempotence.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/judgment/judgment.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"

namespace pedigree::server::storage {

struct NamespaceRow {
  std::string name;  // as created
  absl::Time created_at;
};

enum class KeyStatus { kActive, kRevoked };

struct KeyRow {
  std::string key_id;  // lowercase hex SHA-256 of spki_der
  std::string namespace_name;
  core::crypto::KeyType type = core::crypto::KeyType::kEd25519;
  std::string spki_der;
  KeyStatus status = KeyStatus::kActive;
  absl::Time added_at;
  std::optional<absl::Time> revoked_at;
  // The index of the key's transparency-log entry (set on rows the store
  // returns).
  std::optional<uint64_t> log_index;
};

// A record the service has parsed, validated and whose signatures it has
// verified, ready to be stored.
struct NewRecord {
  core::record::Record record;
  // The DSSE envelope JSON exactly as received.
  std::string envelope;
  // Raw 32-byte SHA-256 of the verbatim DSSE payload.
  std::string record_digest;
  // Key ids (lowercase hex) whose signatures verified; non-empty.
  std::vector<std::string> signer_key_ids;
};

// A stored record as lists and lookups return it.
struct StoredRecord {
  int64_t id = 0;
  std::string record_digest;   // raw 32 bytes
  core::record::ModelRef ref;  // spelling as published
  std::string root_digest;     // raw 32 bytes
  std::string envelope;        // verbatim
  absl::Time published_at;
  std::string release_date;     // YYYY-MM-DD
  std::string weights_license;  // SPDX expression as declared
  std::string code_license;
  std::string declared_openness;            // wire name, e.g. "open_weight"
  std::vector<std::string> signer_key_ids;  // sorted
  // The current rows of the signer keys (status as of the read), when the
  // store read them in the same query as the record; then one row per id in
  // signer_key_ids, in that order. Absent when the caller must use GetKeys.
  std::optional<std::vector<KeyRow>> signer_keys;
  // The index of the record's transparency-log entry.
  std::optional<uint64_t> log_index;
};

// --- the transparency log (migrations/0002_create_transparency_log.sql)

// A signed checkpoint: a C2SP tlog-checkpoint note.
struct LogCheckpointRow {
  uint64_t tree_size = 0;
  std::string root_hash;  // raw 32 bytes
  std::string note;       // the signed note, verbatim
};

// An RFC 9162 inclusion proof of entry `log_index` in the tree of
// `tree_size` leaves.
struct InclusionProofRow {
  uint64_t log_index = 0;
  uint64_t tree_size = 0;
  std::string leaf_hash;            // raw 32 bytes
  std::vector<std::string> hashes;  // raw 32 bytes each, leaf to root
};

// One log entry: the bytes its leaf hash covers (core/record/log_entry.h).
struct LogEntryRow {
  uint64_t log_index = 0;
  std::string data;
};

// Signs the log's checkpoints. The store calls it inside the transaction
// that integrates a batch, so a stored checkpoint is always signed.
class CheckpointSigner {
 public:
  virtual ~CheckpointSigner() = default;
  // The checkpoint origin (also the key name).
  virtual const std::string& origin() const = 0;
  // The C2SP verifier key "<name>+<hash>+<base64 key>".
  virtual const std::string& verifier_key() const = 0;
  // Returns the signed note of the checkpoint of a tree of `tree_size`
  // leaves with raw 32-byte `root_hash`.
  virtual absl::StatusOr<std::string> Sign(
      uint64_t tree_size, absl::string_view root_hash) const = 0;
};

struct PublishResult {
  StoredRecord record;
  // True when a record with the same record digest was already stored and
  // nothing was written.
  bool already_existed = false;
  // The record's entry proven included in a signed checkpoint (for a record
  // already stored, the newest checkpoint).
  InclusionProofRow inclusion;
  LogCheckpointRow checkpoint;
};

// Pagination: `page_size` is at least 1 (the service clamps it); a page
// token is opaque, produced by the store and passed back unchanged.
struct PageRequest {
  int page_size = 50;
  std::string page_token;  // empty for the first page
};

struct VersionEntry {
  std::string version;
  std::string record_digest;  // raw
  absl::Time published_at;
  std::string release_date;
};

struct VersionPage {
  std::vector<VersionEntry> versions;  // newest first
  std::string next_page_token;         // empty on the last page
};

// Filters combine with AND; an unset filter matches everything.
struct SearchFilter {
  std::optional<std::string> namespace_name;  // exact, ignoring case
  std::optional<std::string> name_prefix;     // ignoring case
  // An SPDX id (canonical spelling) or "LicenseRef-..." referenced by the
  // declared weights or code license.
  std::optional<std::string> license_id;
  std::optional<core::record::OpennessClaim> declared_openness;
  std::optional<std::string> dataset_name;  // exact
  // Records with a lineage edge to this stored parent record...
  std::optional<int64_t> parent_record_id;
  // ...of this relation (only together with parent_record_id).
  std::optional<core::record::Relation> relation;
};

struct RecordPage {
  std::vector<StoredRecord> records;  // newest published first
  std::string next_page_token;
};

enum class LineageDirection { kAncestors, kDescendants, kBoth };

struct LineageQuery {
  int64_t start_record_id = 0;
  LineageDirection direction = LineageDirection::kAncestors;
  int max_depth = 16;  // >= 1
  // Only edges of these relations are followed; empty means all.
  std::vector<core::record::Relation> relations;
};

struct LineageNodeRow {
  StoredRecord record;
  // 0 for the start, > 0 for ancestors, < 0 for descendants; the shortest
  // distance along followed edges.
  int distance = 0;
};

struct LineageEdgeRow {
  int64_t child_record_id = 0;
  int64_t parent_record_id = 0;
  core::record::Relation relation = core::record::Relation::kFinetune;
};

struct LineageGraph {
  // Each reached record once, the start first. A diamond's shared ancestor
  // appears once, with every edge that reaches it.
  std::vector<LineageNodeRow> nodes;
  std::vector<LineageEdgeRow> edges;  // between nodes only
};

// "Which models were trained on this data": a dataset by exact name or by
// its raw 32-byte SHA-256 (exactly one of the two is set).
struct DatasetQuery {
  std::optional<std::string> name;
  std::optional<std::string> sha256;
  // Also every descendant of the direct users, along every relation except
  // architecture_reuse.
  bool downstream = false;
};

// How a record declares the dataset (wire names).
struct DatasetUseRow {
  std::string name;
  std::string role;
  std::string disclosure;
};

struct DatasetUserRow {
  StoredRecord record;
  // The record's own declarations of the dataset; empty for a descendant.
  std::vector<DatasetUseRow> uses;
  // 0 for a direct user; else the fewest edges up to a direct user...
  int distance = 0;
  // ...and that user (for a descendant only).
  std::string via_record_digest;  // raw
  core::record::ModelRef via_ref;
};

struct DatasetUserPage {
  // Direct users first, then descendants by distance; each record once.
  std::vector<DatasetUserRow> users;
  std::string next_page_token;
};

// What re-judging stored records did (PostgresRegistryStore::
// JudgeStoredRecords).
struct JudgeSummary {
  int64_t judged = 0;
  // "<ref>: <why>" for each record left without a judgment.
  std::vector<std::string> unjudged;
  // "<ref>: <why>" for each record whose stored judgment of the current
  // rule set no longer parsed: it was dropped and the record judged again
  // (counted in `judged`, or named in `unjudged` if that failed too).
  std::vector<std::string> unreadable;
};

// Implementations are thread-safe. Every method may also return Unavailable
// when the database cannot be reached (without having written anything) and
// Internal for an unexpected database error.
class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Creates namespace `name` (already validated). Returns AlreadyExists if a
  // namespace of that name, ignoring ASCII case, exists.
  virtual absl::StatusOr<NamespaceRow> CreateNamespace(
      absl::string_view name) = 0;

  // Registers `key` (its key_id, type and spki_der; status and times are
  // set by the store) for namespace `key.namespace_name` and appends it to
  // the log. Returns NotFound for an unknown namespace, AlreadyExists if the
  // key id is registered to any namespace.
  virtual absl::StatusOr<KeyRow> AddKey(const KeyRow& key) = 0;

  // Returns the keys of `namespace_name`, active and revoked, oldest first.
  // NotFound for an unknown namespace.
  virtual absl::StatusOr<std::vector<KeyRow>> ListKeys(
      absl::string_view namespace_name) = 0;

  // Returns the keys with these ids that exist (any namespace, any status),
  // in no particular order. Unknown ids are simply absent.
  virtual absl::StatusOr<std::vector<KeyRow>> GetKeys(
      const std::vector<std::string>& key_ids) = 0;

  // Stores `record` in one transaction, with all its index rows, and
  // appends it to the log in the same transaction, which also stores a
  // checkpoint covering it (so it returns only once the record is durable
  // and included in a signed checkpoint). Returns:
  // - the existing record with already_existed=true if a record with the
  //   same record digest is stored (nothing is written);
  // - FailedPrecondition if the namespace does not exist, or a parent ref
  //   does not resolve to a stored record (the message names the ref);
  // - PermissionDenied if, at commit time, no signer key is an active key of
  //   the record's namespace (e.g. all revoked concurrently); signers that
  //   are not are left out of the stored record's signer list;
  // - AlreadyExists if the name@version (name ignoring case) is stored with
  //   a different record digest, including when a concurrent publish of the
  //   same name@version won.
  virtual absl::StatusOr<PublishResult> PublishRecord(
      const NewRecord& record) = 0;

  // Returns the record `ref` (a version is required). NotFound if absent.
  virtual absl::StatusOr<StoredRecord> GetRecordByRef(
      const core::record::ModelRef& ref) = 0;

  // Returns the record with raw 32-byte `record_digest`. NotFound if absent.
  virtual absl::StatusOr<StoredRecord> GetRecordByDigest(
      absl::string_view record_digest) = 0;

  // Returns the most recently published version of model `model` (its
  // version is ignored). NotFound if the model has no record.
  virtual absl::StatusOr<StoredRecord> GetLatestRecord(
      const core::record::ModelRef& model) = 0;

  // Lists the versions of `model` (version ignored), newest first. NotFound
  // if the model has no record; InvalidArgument for a malformed page token.
  virtual absl::StatusOr<VersionPage> ListVersions(
      const core::record::ModelRef& model, const PageRequest& page) = 0;

  // Returns records matching `filter`, newest published first.
  // InvalidArgument for a malformed page token.
  virtual absl::StatusOr<RecordPage> SearchRecords(const SearchFilter& filter,
                                                   const PageRequest& page) = 0;

  // Returns up to `limit` records that contain an artifact whose raw sha256
  // is one of `digests`, those containing the most of them first.
  virtual absl::StatusOr<std::vector<StoredRecord>> FindRecordsByArtifacts(
      const std::vector<std::string>& digests, int limit) = 0;

  // Returns up to `limit` records whose raw root digest is `root_digest`,
  // newest first.
  virtual absl::StatusOr<std::vector<StoredRecord>> FindRecordsByRootDigest(
      absl::string_view root_digest, int limit) = 0;

  // Walks the lineage graph as `query` says. NotFound if the start record
  // does not exist. Correct on diamonds (merges) and deep chains; bounded by
  // max_depth.
  virtual absl::StatusOr<LineageGraph> GetLineage(
      const LineageQuery& query) = 0;

  // Returns the stored judgments (core/judgment) of the records with these
  // ids, by id. A record without one is absent (the store judges every
  // record it accepts, so absence means a judgment could not be computed).
  // A stored judgment that no longer parses, or that another rule set made,
  // is never served: that record is absent too.
  virtual absl::StatusOr<std::map<int64_t, core::judgment::Judgment>>
  GetJudgments(const std::vector<int64_t>& record_ids) = 0;

  // Returns the records that declare the dataset `query` names and, with
  // query.downstream, their descendants. InvalidArgument for a malformed
  // page token.
  virtual absl::StatusOr<DatasetUserPage> ListDatasetUsers(
      const DatasetQuery& query, const PageRequest& page) = 0;

  // --- the transparency log

  // Returns the newest checkpoint. Every store has one once open (the empty
  // log's is of size 0).
  virtual absl::StatusOr<LogCheckpointRow> GetLatestCheckpoint() = 0;

  // Returns the checkpoint signed at exactly `tree_size`; NotFound if none
  // was (checkpoints are signed per integrated batch, not per entry).
  virtual absl::StatusOr<LogCheckpointRow> GetCheckpoint(
      uint64_t tree_size) = 0;

  // Returns the inclusion proof of entry `log_index` in the tree of
  // `tree_size` leaves. InvalidArgument if `tree_size` exceeds the newest
  // checkpoint's or `log_index` >= `tree_size`.
  virtual absl::StatusOr<InclusionProofRow> GetInclusionProof(
      uint64_t log_index, uint64_t tree_size) = 0;

  // Returns the RFC 9162 consistency proof (raw hashes) from the tree of
  // `old_size` to the tree of `new_size`. InvalidArgument unless
  // old_size <= new_size <= the newest checkpoint's size.
  virtual absl::StatusOr<std::vector<std::string>> GetConsistencyProof(
      uint64_t old_size, uint64_t new_size) = 0;

  // Returns entries [start, start + count) that are integrated (fewer at the
  // end of the log). DataLoss if a stored entry no longer hashes to its
  // leaf.
  virtual absl::StatusOr<std::vector<LogEntryRow>> GetLogEntries(uint64_t start,
                                                                 int count) = 0;
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_REGISTRY_STORE_H_
