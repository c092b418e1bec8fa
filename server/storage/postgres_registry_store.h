#ifndef PEDIGREE_SERVER_STORAGE_POSTGRES_REGISTRY_STORE_H_
#define PEDIGREE_SERVER_STORAGE_POSTGRES_REGISTRY_STORE_H_

// RegistryStore on PostgreSQL (schema: migrations/0001_create_registry.sql),
// through libpqxx 6.4 and a ConnectionPool.
//
//   PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<ConnectionPool> pool,
//                             ConnectionPool::Create({dsn, 8}));
//   PostgresRegistryStore store(*pool, {});
//   PEDIGREE_ASSIGN_OR_RETURN(PublishResult published,
//                             store.PublishRecord(new_record));

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/record/model_ref.h"
#include "server/storage/connection_pool.h"
#include "server/storage/registry_store.h"

namespace pedigree::server::storage {

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
// Thread-safe: holds only the borrowed pool and constants; each call uses
// its own leased connection. Not copyable or movable.
class PostgresRegistryStore : public RegistryStore {
 public:
  struct Options {
    // How long a call waits for an idle pooled connection.
    absl::Duration acquire_timeout = absl::Seconds(5);
  };

  // `pool` is borrowed and must outlive the store.
  PostgresRegistryStore(ConnectionPool& pool, Options options);

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

 private:
  // Leases a connection, runs `fn(pqxx::transaction_base&)` (returning
  // absl::Status) in a transaction of type `Tx` and commits it if `fn`
  // returned OK; maps anything libpqxx throws to a Status (`context` names
  // the operation). Defined in the .cc, the only place that uses it.
  template <typename Tx, typename Fn>
  absl::Status Run(absl::string_view context, Fn&& fn);

  // One publish transaction.
  absl::StatusOr<PublishResult> TryPublish(const NewRecord& record);
  // Answers a publish that lost a uniqueness race (`conflict`) from what is
  // stored now.
  absl::StatusOr<PublishResult> ResolvePublishConflict(
      const NewRecord& record, const absl::Status& conflict);

  ConnectionPool& pool_;
  const Options options_;
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_POSTGRES_REGISTRY_STORE_H_
