#ifndef PEDIGREE_SERVER_SERVICE_CONVERT_H_
#define PEDIGREE_SERVER_SERVICE_CONVERT_H_

// Conversions between the wire types of pedigree.v1 and the core / storage
// types (STYLE rule 2: the only place in the server that knows both). Digests
// are raw bytes inside the server and lowercase hex on the wire; enumerated
// record values travel as their wire names.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/judgment/judgment.h"
#include "core/record/record.h"
#include "google/protobuf/timestamp.pb.h"
#include "pedigree/v1/registry.pb.h"
#include "server/storage/registry_store.h"

namespace pedigree::server::service {

// Returns `time` as a protobuf Timestamp (whole nanoseconds, truncated).
google::protobuf::Timestamp TimeToProto(absl::Time time);

// Returns the wire form of `key`, with its SPKI as "PUBLIC KEY" PEM. Returns
// DataLoss naming the key id if the stored SPKI does not parse.
absl::StatusOr<v1::Key> KeyToProto(const storage::KeyRow& key);

// Returns the summary of `record` ("ref" is namespace/name@version as
// published; digests in hex).
v1::RecordSummary SummaryToProto(const storage::StoredRecord& record);

v1::VersionEntry VersionToProto(const storage::VersionEntry& version);

// Returns the proto mirror of `record`. Parent.record_digest is left empty:
// only the store knows which record a parent ref resolved to.
v1::Record RecordToProto(const core::record::Record& record);

// The registry's judgment of a record, as the API returns it.
v1::Judgment JudgmentToProto(const core::judgment::Judgment& judgment);

// Returns the storage direction for `direction`; UNSPECIFIED means
// ancestors. InvalidArgument for a value outside the enum.
absl::StatusOr<storage::LineageDirection> LineageDirectionFromProto(
    v1::LineageDirection direction);

// Returns the checkpoint message of `checkpoint` of the log `origin`.
// DataLoss for a stored root hash that is not 32 bytes.
absl::StatusOr<v1::Checkpoint> CheckpointToProto(
    const storage::LogCheckpointRow& checkpoint, absl::string_view origin);

// Returns `proof` with its hashes in lowercase hex.
v1::InclusionProof InclusionProofToProto(
    const storage::InclusionProofRow& proof);

}  // namespace pedigree::server::service

#endif  // PEDIGREE_SERVER_SERVICE_CONVERT_H_
