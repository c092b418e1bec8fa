#ifndef PEDIGREE_CLIENT_LIB_CONVERT_H_
#define PEDIGREE_CLIENT_LIB_CONVERT_H_

// Conversions between the wire types of pedigree.v1 and the client's core
// types (STYLE rule 2: the only place in the client that knows both).
// Digests are raw bytes in core and lowercase hex on the wire.

#include <string>

#include "absl/strings/string_view.h"
#include "client/lib/verify.h"
#include "core/manifest/manifest.h"
#include "pedigree/v1/registry.pb.h"

namespace pedigree::client {

// Returns a VerifyArtifacts request for the files of `local` (each entry's
// name and hex SHA-256), restricted to `ref` when it is not empty.
v1::VerifyArtifactsRequest VerifyRequestFor(
    const core::manifest::Manifest& local, absl::string_view ref);

// Returns the parts of `match` that VerifyAgainstRecord needs: the envelope,
// the signer keys with their claimed ids, namespaces and status (only
// KEY_STATUS_ACTIVE counts as active) and the registry's own verdict.
RegistryAnswer AnswerFromProto(const v1::RecordMatch& match);

// Returns "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds) for `timestamp`, or ""
// when it is unset (zero).
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_CONVERT_H_
