#ifndef PEDIGREE_SERVER_STORAGE_TESTING_MOCK_REGISTRY_STORE_H_
#define PEDIGREE_SERVER_STORAGE_TESTING_MOCK_REGISTRY_STORE_H_

// A gMock RegistryStore for unit tests of code above the storage layer (the
// gRPC service), mainly to force error paths that a real database cannot
// produce on demand.
//
//   testing::StrictMock<MockRegistryStore> store;
//   EXPECT_CALL(store, GetRecordByDigest(testing::_))
//       .WillOnce(testing::Return(absl::UnavailableError("db down")));

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "server/storage/registry_store.h"

namespace pedigree::server::storage {

// Every RegistryStore method as a mock method. As thread-safe as gMock
// (expectations set before use; calls from several threads are fine).
class MockRegistryStore : public RegistryStore {
 public:
  MOCK_METHOD(absl::StatusOr<NamespaceRow>, CreateNamespace,
              (absl::string_view name), (override));
  MOCK_METHOD(absl::StatusOr<KeyRow>, AddKey, (const KeyRow& key), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<KeyRow>>, ListKeys,
              (absl::string_view namespace_name), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<KeyRow>>, GetKeys,
              (const std::vector<std::string>& key_ids), (override));
  MOCK_METHOD(absl::StatusOr<PublishResult>, PublishRecord,
              (const NewRecord& record), (override));
  MOCK_METHOD(absl::StatusOr<StoredRecord>, GetRecordByRef,
              (const core::record::ModelRef& ref), (override));
  MOCK_METHOD(absl::StatusOr<StoredRecord>, GetRecordByDigest,
              (absl::string_view record_digest), (override));
  MOCK_METHOD(absl::StatusOr<StoredRecord>, GetLatestRecord,
              (const core::record::ModelRef& model), (override));
  MOCK_METHOD(absl::StatusOr<VersionPage>, ListVersions,
              (const core::record::ModelRef& model, const PageRequest& page),
              (override));
  MOCK_METHOD(absl::StatusOr<RecordPage>, SearchRecords,
              (const SearchFilter& filter, const PageRequest& page),
              (override));
  MOCK_METHOD(absl::StatusOr<std::vector<StoredRecord>>, FindRecordsByArtifacts,
              (const std::vector<std::string>& digests, int limit), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<StoredRecord>>,
              FindRecordsByRootDigest,
              (absl::string_view root_digest, int limit), (override));
  MOCK_METHOD(absl::StatusOr<LineageGraph>, GetLineage,
              (const LineageQuery& query), (override));
  MOCK_METHOD((absl::StatusOr<std::map<int64_t, core::judgment::Judgment>>),
              GetJudgments, (const std::vector<int64_t>& record_ids),
              (override));
  MOCK_METHOD(absl::StatusOr<DatasetUserPage>, ListDatasetUsers,
              (const DatasetQuery& query, const PageRequest& page), (override));
  MOCK_METHOD(absl::StatusOr<LogCheckpointRow>, GetLatestCheckpoint, (),
              (override));
  MOCK_METHOD(absl::StatusOr<LogCheckpointRow>, GetCheckpoint,
              (uint64_t tree_size), (override));
  MOCK_METHOD(absl::StatusOr<InclusionProofRow>, GetInclusionProof,
              (uint64_t log_index, uint64_t tree_size), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<std::string>>, GetConsistencyProof,
              (uint64_t old_size, uint64_t new_size), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<LogEntryRow>>, GetLogEntries,
              (uint64_t start, int count), (override));
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_TESTING_MOCK_REGISTRY_STORE_H_
