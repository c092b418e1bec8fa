#ifndef PEDIGREE_SERVER_SERVICE_ADMIN_AUTH_H_
#define PEDIGREE_SERVER_SERVICE_ADMIN_AUTH_H_

// Authentication of administrative RPCs (CreateNamespace, AddKey): the
// caller sends the metadata "authorization: Bearer <admin token>", and the
// token is compared in constant time with the one the server was started
// with.

#include <map>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/string_ref.h"

namespace pedigree::server::service {

// Checks admin tokens. Holds only the SHA-256 of the configured token, not
// the token. Immutable after construction; thread-safe; copyable.
class AdminAuthenticator {
 public:
  // `admin_token` is the secret admin calls must present; empty disables
  // admin calls altogether.
  explicit AdminAuthenticator(const std::string& admin_token);

  // Returns OK if `metadata` (a call's client metadata) carries exactly one
  // "authorization" entry of the form "Bearer <token>" (scheme ignoring
  // case) whose token equals the configured one. Returns Unauthenticated,
  // without echoing any token, if no token is configured (admin calls are
  // disabled), the entry is missing, repeated or not a Bearer credential, or
  // the token is wrong. The comparison is constant-time over SHA-256
  // digests, so neither the token's content nor its length leaks.
  absl::Status Check(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const;

 private:
  bool enabled_;
  std::string token_digest_;  // raw SHA-256 of the token; empty if disabled
};

}  // namespace pedigree::server::service

#endif  // PEDIGREE_SERVER_SERVICE_ADMIN_AUTH_H_
