#ifndef PEDIGREE_CLIENT_LIB_GRPC_STATUS_H_
#define PEDIGREE_CLIENT_LIB_GRPC_STATUS_H_

// The one place on the client where a grpc::Status becomes an absl::Status
// (STYLE rule 4, the mirror of server/service/grpc_status.h). Callers of
// PedigreeClient never see grpc::Status.

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace pedigree::client {

// Returns the absl::Status for `status`, code for code (an explicit table).
// The message is kept; a transport failure (UNAVAILABLE) or an expired
// deadline (DEADLINE_EXCEEDED) keeps its code so that callers can tell "the
// registry is unreachable" apart from "the registry said no". A code outside
// the canonical range becomes Unknown. Pure; thread-safe.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_GRPC_STATUS_H_
