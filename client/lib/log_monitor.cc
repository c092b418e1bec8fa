#include "client/lib/log_monitor.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace pedigree::client {
namespace {

bool Unreachable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

// Every log failure is DataLoss, whatever code the check gave, except a
// registry that could not be reached and internal errors.
absl::Status LogFailure(absl::string_view context, const absl::Status& status) {
  if (Unreachable(status) || status.code() == absl::StatusCode::kInternal) {
    return absl::Status(status.code(), absl::StrCat(context, status.message()));
  }
  return absl::DataLossError(absl::StrCat(context, status.message()));
}

}  // namespace

absl::StatusOr<InclusionProof> InclusionProofFromProto(
    const v1::InclusionProof& proof) {
  InclusionProof result;
  result.log_index = proof.log_index();
  result.tree_size = proof.tree_size();
  PEDIGREE_ASSIGN_OR_RETURN(result.hashes,
                            DecodeHexHashes(std::vector<std::string>(
                                proof.hashes().begin(), proof.hashes().end())));
  return result;
}

LogMonitor::LogMonitor(PedigreeClient& client, LogVerifier verifier,
                       CheckpointStore& store)
    : client_(client), verifier_(std::move(verifier)), store_(store) {}

absl::Status LogMonitor::LoadRemembered() {
  if (loaded_) return absl::OkStatus();
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> note, store_.Load());
  if (note.has_value()) {
    absl::StatusOr<VerifiedCheckpoint> checkpoint =
        verifier_.OpenCheckpoint(*note);
    if (!checkpoint.ok()) {
      return absl::DataLossError(
          absl::StrCat("the remembered checkpoint in ", store_.Describe(),
                       " does not verify: ", checkpoint.status().message()));
    }
    remembered_ = *std::move(checkpoint);
  }
  loaded_ = true;
  return absl::OkStatus();
}

absl::StatusOr<VerifiedCheckpoint> LogMonitor::CheckNewest() {
  absl::StatusOr<v1::GetCheckpointResponse> response = client_.GetCheckpoint();
  if (!response.ok()) {
    return LogFailure("cannot get the log's checkpoint: ", response.status());
  }
  return Accept(response->checkpoint().note());
}

absl::StatusOr<VerifiedCheckpoint> LogMonitor::Accept(absl::string_view note) {
  PEDIGREE_RETURN_IF_ERROR(LoadRemembered());
  absl::StatusOr<VerifiedCheckpoint> fresh = verifier_.OpenCheckpoint(note);
  if (!fresh.ok()) return LogFailure("", fresh.status());
  if (!remembered_.has_value()) {
    PEDIGREE_RETURN_IF_ERROR(store_.Save(*fresh));
    remembered_ = *fresh;
    return fresh;
  }
  const VerifiedCheckpoint& known = *remembered_;
  const bool newer = fresh->size >= known.size;
  const VerifiedCheckpoint& older = newer ? known : *fresh;
  const VerifiedCheckpoint& younger = newer ? *fresh : known;
  std::vector<std::string> proof;
  if (older.size != younger.size) {
    absl::StatusOr<v1::GetConsistencyProofResponse> response =
        client_.GetConsistencyProof(older.size, younger.size);
    if (!response.ok()) {
      return LogFailure(
          absl::StrCat("LOG INCONSISTENCY: the registry cannot prove that the "
                       "log of ",
                       DescribeCheckpoint(older), " is a prefix of the log of ",
                       DescribeCheckpoint(younger), ": it said: "),
          response.status());
    }
    if (response->old_size() != older.size ||
        response->new_size() != younger.size) {
      return absl::DataLossError(
          absl::StrCat("the registry answered a consistency proof from size ",
                       response->old_size(), " to ", response->new_size(),
                       " when asked for ", older.size, " to ", younger.size));
    }
    absl::StatusOr<std::vector<std::string>> hashes =
        DecodeHexHashes(std::vector<std::string>(response->hashes().begin(),
                                                 response->hashes().end()));
    if (!hashes.ok()) {
      return LogFailure("consistency proof: ", hashes.status());
    }
    proof = *std::move(hashes);
  }
  const absl::Status consistent =
      verifier_.VerifyConsistency(older, younger, proof);
  if (!consistent.ok()) {
    return LogFailure(
        absl::StrCat("LOG INCONSISTENCY: the registry's checkpoint (",
                     DescribeCheckpoint(*fresh),
                     ") is not consistent with the remembered checkpoint (",
                     DescribeCheckpoint(known), ") in ", store_.Describe(),
                     "; the log was rewritten or forked: "),
        consistent);
  }
  if (newer && fresh->size > known.size) {
    PEDIGREE_RETURN_IF_ERROR(store_.Save(*fresh));
    remembered_ = *fresh;
  }
  return fresh;
}

absl::StatusOr<RecordInclusion> LogMonitor::ProveRecord(
    absl::string_view record_digest, absl::string_view envelope) {
  absl::StatusOr<v1::GetInclusionProofResponse> response =
      client_.GetInclusionProofByDigest(record_digest, /*tree_size=*/0);
  if (!response.ok()) {
    return LogFailure(absl::StrCat("cannot prove that record ", record_digest,
                                   " is in the log: the registry said: "),
                      response.status());
  }
  if (!response->has_checkpoint()) {
    return absl::DataLossError(
        "the registry's inclusion proof carries no checkpoint");
  }
  PEDIGREE_ASSIGN_OR_RETURN(VerifiedCheckpoint checkpoint,
                            Accept(response->checkpoint().note()));
  absl::StatusOr<InclusionProof> proof =
      InclusionProofFromProto(response->proof());
  if (!proof.ok()) return LogFailure("inclusion proof: ", proof.status());
  const absl::Status included =
      verifier_.VerifyRecordInclusion(checkpoint, *proof, envelope);
  if (!included.ok()) {
    return LogFailure(
        absl::StrCat("record ", record_digest, " is not proven in the log: "),
        included);
  }
  return RecordInclusion{std::move(checkpoint), *std::move(proof)};
}

absl::StatusOr<RecordInclusion> LogMonitor::CheckPublished(
    const v1::LogInclusion& inclusion, absl::string_view envelope) {
  if (!inclusion.has_checkpoint() || !inclusion.has_proof()) {
    return absl::DataLossError(
        "the registry's publish answer carries no log inclusion proof");
  }
  PEDIGREE_ASSIGN_OR_RETURN(VerifiedCheckpoint checkpoint,
                            Accept(inclusion.checkpoint().note()));
  absl::StatusOr<InclusionProof> proof =
      InclusionProofFromProto(inclusion.proof());
  if (!proof.ok()) return LogFailure("inclusion proof: ", proof.status());
  const absl::Status included =
      verifier_.VerifyRecordInclusion(checkpoint, *proof, envelope);
  if (!included.ok()) {
    return LogFailure("the published record is not proven in the log: ",
                      included);
  }
  return RecordInclusion{std::move(checkpoint), *std::move(proof)};
}

}  // namespace pedigree::client
