#ifndef PEDIGREE_CORE_RECORD_MODEL_REF_H_
#define PEDIGREE_CORE_RECORD_MODEL_REF_H_

// Names of models: Hugging Face style ids ("namespace/name"), versioned
// references ("namespace/name@version"), and locators that name a model either
// by versioned reference or by the root digest of its artifact manifest
// ("sha256:<64 lowercase hex>"). Used by the record, the server and the CLI.

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::record {

inline constexpr size_t kMaxNamespaceLength = 96;
inline constexpr size_t kMaxModelNameLength = 96;
inline constexpr size_t kMaxVersionLength = 128;

// A model id with an optional version label. A plain value; copyable.
struct ModelRef {
  // Owner of the model (user or organisation), e.g. "deepseek-ai".
  std::string namespace_name;
  // Repository name, e.g. "DeepSeek-R1-Distill-Llama-8B".
  std::string name;
  // Version label, e.g. "v1.0" or a commit hash. Empty for a bare model id.
  std::string version;
};

bool operator==(const ModelRef& a, const ModelRef& b);
bool operator!=(const ModelRef& a, const ModelRef& b);

// Returns OK if `namespace_name` follows the Hugging Face rules: 1 to
// kMaxNamespaceLength characters from [A-Za-z0-9._-], starting and ending with
// a letter, digit or '_', and without "--" or "..". InvalidArgument otherwise.
absl::Status ValidateModelNamespace(absl::string_view namespace_name);

// Returns OK if `name` follows the same rules as a namespace, is at most
// kMaxModelNameLength characters and does not end in ".git". InvalidArgument
// otherwise.
absl::Status ValidateModelName(absl::string_view name);

// Returns OK if `version` is 1 to kMaxVersionLength printable ASCII characters
// (0x21-0x7e: no whitespace) other than '@' and '/'. InvalidArgument
// otherwise.
absl::Status ValidateVersionLabel(absl::string_view version);

// Parses "namespace/name". The result has an empty version. Returns
// InvalidArgument naming the offending part if `id` is malformed (including
// when it carries an "@version").
absl::StatusOr<ModelRef> ParseModelId(absl::string_view id);

// Parses "namespace/name@version"; the version is required. Returns
// InvalidArgument naming the offending part if `ref` is malformed.
absl::StatusOr<ModelRef> ParseModelRef(absl::string_view ref);

// Returns "namespace/name" (the version is ignored).
std::string ModelId(const ModelRef& ref);

// Returns "namespace/name@version", or "namespace/name" if the version is
// empty. Does not validate.
std::string ToString(const ModelRef& ref);

// Returns true if `a` and `b` name the same model and version. Namespaces and
// names compare ASCII case-insensitively (Hugging Face resolves ids that way);
// versions compare exactly.
bool SameModelVersion(const ModelRef& a, const ModelRef& b);

// Names a model either by versioned reference or by the root digest of its
// artifact manifest. A plain value; copyable.
struct ModelLocator {
  enum class Kind { kModelRef, kRootDigest };
  Kind kind = Kind::kModelRef;
  // Set when kind == kModelRef; the version is required.
  ModelRef model;
  // Set when kind == kRootDigest: the raw 32-byte SHA-256 root digest.
  std::string root_digest;
};

bool operator==(const ModelLocator& a, const ModelLocator& b);
bool operator!=(const ModelLocator& a, const ModelLocator& b);

// Prefix of the digest form of a locator.
inline constexpr char kRootDigestPrefix[] = "sha256:";

// Parses "namespace/name@version" or "sha256:<64 lowercase hex>". Returns
// InvalidArgument if `text` is neither.
absl::StatusOr<ModelLocator> ParseModelLocator(absl::string_view text);

// Returns OK if `locator` is well formed: a valid versioned model reference
// with an empty root digest, or a 32-byte root digest with an empty model.
// InvalidArgument otherwise.
absl::Status ValidateModelLocator(const ModelLocator& locator);

// Returns the text form accepted by ParseModelLocator. Does not validate.
std::string ToString(const ModelLocator& locator);

}  // namespace pedigree::core::record

#endif  // PEDIGREE_CORE_RECORD_MODEL_REF_H_
