#ifndef PEDIGREE_SERVER_STORAGE_INTERNAL_PQXX_STATUS_H_
#define PEDIGREE_SERVER_STORAGE_INTERNAL_PQXX_STATUS_H_

// The one place where libpqxx's exceptions become absl::Status (STYLE rule
// 5), and where connections are opened. For server/storage/ only.

#include <exception>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pqxx/connection"

namespace pedigree::server::storage::internal {

// Returns the status for the exception currently being handled; call it only
// inside a `catch` block. `context` names the operation ("apply migration
// 0002_add_x") and prefixes the message. Any occurrence of `secret` (a
// password) in the driver's message is replaced by "****".
//
//   unique_violation                         -> AlreadyExists
//   serialization_failure, deadlock_detected -> Aborted
//   broken_connection                        -> Unavailable
//   in_doubt_error                           -> Unknown
//   other sql_error                          -> Internal, with its SQLSTATE
//   std::exception, anything else            -> Internal
absl::Status StatusFromCurrentException(absl::string_view context,
                                        absl::string_view secret = "");

// Runs `fn` (returning absl::Status) and converts anything it throws with
// StatusFromCurrentException(`context`).
template <typename Fn>
absl::Status RunGuarded(absl::string_view context, Fn&& fn) {
  try {
    return fn();
  } catch (...) {
    return StatusFromCurrentException(context);
  }
}

// Opens a connection to `dsn`. Returns InvalidArgument if `dsn` is malformed
// and Unavailable if the server cannot be reached or refuses the login; the
// message names the redacted DSN and never contains the password.
absl::StatusOr<std::unique_ptr<pqxx::connection>> Connect(
    const std::string& dsn);

}  // namespace pedigree::server::storage::internal

#endif  // PEDIGREE_SERVER_STORAGE_INTERNAL_PQXX_STATUS_H_
