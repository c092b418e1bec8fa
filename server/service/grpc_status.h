#ifndef PEDIGREE_SERVER_SERVICE_GRPC_STATUS_H_
#define PEDIGREE_SERVER_SERVICE_GRPC_STATUS_H_

// The one place where an absl::Status becomes the grpc::Status a client sees
// (STYLE rule 4). Nothing else in the server constructs a non-OK
// grpc::Status.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace pedigree::server::service {

// Returns the gRPC status for `status`, code for code (an explicit table, so
// every decision is visible). The message is passed through unchanged,
// except for Internal, Unknown, DataLoss and Unavailable: their messages may
// describe server internals (database hosts, sockets, users), so the client
// gets a generic message naming `request_id` instead (for Unavailable: that
// the database is unavailable); the caller logs the full status under that
// id.
// Pure; thread-safe.
grpc::Status ToGrpcStatus(const absl::Status& status,
                          absl::string_view request_id);

// Returns true if ToGrpcStatus hides the message of `code` from clients.
bool IsHiddenFromClients(absl::StatusCode code);

}  // namespace pedigree::server::service

#endif  // PEDIGREE_SERVER_SERVICE_GRPC_STATUS_H_
