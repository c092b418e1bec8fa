#include "server/service/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace pedigree::server::service {
namespace {

grpc::StatusCode ToGrpcCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return grpc::StatusCode::OK;
    case absl::StatusCode::kCancelled:
      return grpc::StatusCode::CANCELLED;
    case absl::StatusCode::kUnknown:
      return grpc::StatusCode::UNKNOWN;
    case absl::StatusCode::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case absl::StatusCode::kDeadlineExceeded:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case absl::StatusCode::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case absl::StatusCode::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case absl::StatusCode::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case absl::StatusCode::kResourceExhausted:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case absl::StatusCode::kFailedPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case absl::StatusCode::kAborted:
      return grpc::StatusCode::ABORTED;
    case absl::StatusCode::kOutOfRange:
      return grpc::StatusCode::OUT_OF_RANGE;
    case absl::StatusCode::kUnimplemented:
      return grpc::StatusCode::UNIMPLEMENTED;
    case absl::StatusCode::kInternal:
      return grpc::StatusCode::INTERNAL;
    case absl::StatusCode::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case absl::StatusCode::kDataLoss:
      return grpc::StatusCode::DATA_LOSS;
    case absl::StatusCode::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    default:
      // A code abseil added after 20220623 (or a corrupt one): treat it as
      // a server fault rather than guess.
      return grpc::StatusCode::UNKNOWN;
  }
}

}  // namespace

bool IsHiddenFromClients(absl::StatusCode code) {
  return ToGrpcCode(code) == grpc::StatusCode::INTERNAL ||
         ToGrpcCode(code) == grpc::StatusCode::UNAVAILABLE ||
         ToGrpcCode(code) == grpc::StatusCode::UNKNOWN ||
         ToGrpcCode(code) == grpc::StatusCode::DATA_LOSS;
}

grpc::Status ToGrpcStatus(const absl::Status& status,
                          absl::string_view request_id) {
  if (status.ok()) return grpc::Status::OK;
  const grpc::StatusCode code = ToGrpcCode(status.code());
  if (code == grpc::StatusCode::UNAVAILABLE) {
    // The driver's message names database hosts, sockets and users.
    return grpc::Status(
        code, absl::StrCat("the registry's database is unavailable; retry "
                           "later (request id ",
                           request_id, "; the details are in the server log)"));
  }
  if (IsHiddenFromClients(status.code())) {
    return grpc::Status(
        code, absl::StrCat("internal server error (request id ", request_id,
                           "); the details are in the server log"));
  }
  return grpc::Status(code, std::string(status.message()));
}

}  // namespace pedigree::server::service
