#include "server/service/admin_auth.h"

#include <openssl/crypto.h>

#include <iterator>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "core/crypto/sha256.h"

namespace pedigree::server::service {
namespace {

constexpr char kAuthorizationKey[] = "authorization";
constexpr absl::string_view kBearerScheme = "bearer ";

// SHA-256 of `token`, or "" if hashing fails (then nothing compares equal,
// because a real digest is never empty).
std::string TokenDigest(absl::string_view token) {
  absl::StatusOr<std::string> digest = core::crypto::Sha256Digest(token);
  return digest.ok() ? *std::move(digest) : std::string();
}

}  // namespace

AdminAuthenticator::AdminAuthenticator(const std::string& admin_token)
    : enabled_(!admin_token.empty()),
      token_digest_(enabled_ ? TokenDigest(admin_token) : std::string()) {}

absl::Status AdminAuthenticator::Check(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const {
  if (!enabled_) {
    return absl::UnauthenticatedError(
        "admin calls are disabled: the server has no admin token configured "
        "(--admin-token or PEDIGREE_ADMIN_TOKEN)");
  }
  const auto range = metadata.equal_range(kAuthorizationKey);
  if (range.first == range.second) {
    return absl::UnauthenticatedError(
        "missing admin credentials: send metadata \"authorization: Bearer "
        "<admin token>\"");
  }
  if (std::next(range.first) != range.second) {
    return absl::UnauthenticatedError(
        "more than one authorization metadata entry");
  }
  const absl::string_view value(range.first->second.data(),
                                range.first->second.size());
  if (value.size() < kBearerScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kBearerScheme.size()),
                              kBearerScheme)) {
    return absl::UnauthenticatedError(
        "authorization metadata is not a Bearer credential");
  }
  const absl::string_view token =
      absl::StripAsciiWhitespace(value.substr(kBearerScheme.size()));
  // Hashing both sides first makes the comparison independent of the
  // presented token's length as well as its content.
  const std::string presented = TokenDigest(token);
  if (token.empty() || presented.empty() || token_digest_.empty() ||
      presented.size() != token_digest_.size() ||
      CRYPTO_memcmp(presented.data(), token_digest_.data(),
                    token_digest_.size()) != 0) {
    return absl::UnauthenticatedError("admin token is not valid");
  }
  return absl::OkStatus();
}

}  // namespace pedigree::server::service
