#include "core/record/model_ref.h"

#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/hex.h"
#include "core/status_macros.h"

namespace pedigree::core::record {
namespace {

bool IsWordChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

bool IsRepoChar(char c) { return IsWordChar(c) || c == '-' || c == '.'; }

// Shared rules for both halves of a Hugging Face repo id (huggingface_hub's
// validate_repo_id): \b[\w\-.]+\b, no "--" and no "..".
absl::Status ValidateRepoPart(absl::string_view what, absl::string_view part,
                              size_t max_length) {
  if (part.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  }
  if (part.size() > max_length) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " \"", part, "\" is longer than ", max_length, " characters"));
  }
  for (char c : part) {
    if (!IsRepoChar(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " \"", part, "\" has a character outside [A-Za-z0-9._-]"));
    }
  }
  if (!IsWordChar(part.front()) || !IsWordChar(part.back())) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " \"", part,
                     "\" must start and end with a letter, digit or '_'"));
  }
  if (absl::StrContains(part, "--") || absl::StrContains(part, "..")) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " \"", part, "\" contains \"--\" or \"..\""));
  }
  return absl::OkStatus();
}

}  // namespace

bool operator==(const ModelRef& a, const ModelRef& b) {
  return std::tie(a.namespace_name, a.name, a.version) ==
         std::tie(b.namespace_name, b.name, b.version);
}

bool operator!=(const ModelRef& a, const ModelRef& b) { return !(a == b); }

absl::Status ValidateModelNamespace(absl::string_view namespace_name) {
  return ValidateRepoPart("model namespace", namespace_name,
                          kMaxNamespaceLength);
}

absl::Status ValidateModelName(absl::string_view name) {
  PEDIGREE_RETURN_IF_ERROR(
      ValidateRepoPart("model name", name, kMaxModelNameLength));
  if (absl::EndsWith(name, ".git")) {
    return absl::InvalidArgumentError(
        absl::StrCat("model name \"", name, "\" must not end with \".git\""));
  }
  return absl::OkStatus();
}

absl::Status ValidateVersionLabel(absl::string_view version) {
  if (version.empty()) {
    return absl::InvalidArgumentError("version label is empty");
  }
  if (version.size() > kMaxVersionLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "version label is longer than ", kMaxVersionLength, " characters"));
  }
  for (char c : version) {
    if (c < 0x21 || c > 0x7e || c == '@' || c == '/') {
      return absl::InvalidArgumentError(absl::StrCat(
          "version label \"", absl::CHexEscape(version),
          "\" must be printable ascii without whitespace, '@' or '/'"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ModelRef> ParseModelId(absl::string_view id) {
  const size_t slash = id.find('/');
  if (slash == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model id \"", absl::CHexEscape(id), "\" is not namespace/name"));
  }
  ModelRef ref;
  ref.namespace_name = std::string(id.substr(0, slash));
  ref.name = std::string(id.substr(slash + 1));
  PEDIGREE_RETURN_IF_ERROR(ValidateModelNamespace(ref.namespace_name));
  PEDIGREE_RETURN_IF_ERROR(ValidateModelName(ref.name));
  return ref;
}

absl::StatusOr<ModelRef> ParseModelRef(absl::string_view ref) {
  const size_t at = ref.find('@');
  if (at == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("model reference \"", absl::CHexEscape(ref),
                     "\" is not namespace/name@version"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(ModelRef result, ParseModelId(ref.substr(0, at)));
  result.version = std::string(ref.substr(at + 1));
  PEDIGREE_RETURN_IF_ERROR(ValidateVersionLabel(result.version));
  return result;
}

std::string ModelId(const ModelRef& ref) {
  return absl::StrCat(ref.namespace_name, "/", ref.name);
}

std::string ToString(const ModelRef& ref) {
  if (ref.version.empty()) return ModelId(ref);
  return absl::StrCat(ref.namespace_name, "/", ref.name, "@", ref.version);
}

bool SameModelVersion(const ModelRef& a, const ModelRef& b) {
  return absl::EqualsIgnoreCase(a.namespace_name, b.namespace_name) &&
         absl::EqualsIgnoreCase(a.name, b.name) && a.version == b.version;
}

bool operator==(const ModelLocator& a, const ModelLocator& b) {
  return a.kind == b.kind && a.model == b.model &&
         a.root_digest == b.root_digest;
}

bool operator!=(const ModelLocator& a, const ModelLocator& b) {
  return !(a == b);
}

absl::StatusOr<ModelLocator> ParseModelLocator(absl::string_view text) {
  ModelLocator locator;
  if (absl::StartsWith(text, kRootDigestPrefix)) {
    const absl::string_view hex = text.substr(sizeof(kRootDigestPrefix) - 1);
    if (!IsLowerHex(hex, 32)) {
      return absl::InvalidArgumentError(
          absl::StrCat("model locator \"", absl::CHexEscape(text),
                       "\" must be sha256: followed by 64 lowercase hex "
                       "characters"));
    }
    locator.kind = ModelLocator::Kind::kRootDigest;
    PEDIGREE_ASSIGN_OR_RETURN(locator.root_digest, HexDecode(hex));
    return locator;
  }
  locator.kind = ModelLocator::Kind::kModelRef;
  PEDIGREE_ASSIGN_OR_RETURN(locator.model, ParseModelRef(text));
  return locator;
}

absl::Status ValidateModelLocator(const ModelLocator& locator) {
  switch (locator.kind) {
    case ModelLocator::Kind::kModelRef:
      if (!locator.root_digest.empty()) {
        return absl::InvalidArgumentError(
            "model locator names both a model and a root digest");
      }
      PEDIGREE_RETURN_IF_ERROR(
          ValidateModelNamespace(locator.model.namespace_name));
      PEDIGREE_RETURN_IF_ERROR(ValidateModelName(locator.model.name));
      return ValidateVersionLabel(locator.model.version);
    case ModelLocator::Kind::kRootDigest:
      if (locator.model != ModelRef{}) {
        return absl::InvalidArgumentError(
            "model locator names both a model and a root digest");
      }
      if (locator.root_digest.size() != 32) {
        return absl::InvalidArgumentError(
            absl::StrCat("model locator root digest has ",
                         locator.root_digest.size(), " bytes, expected 32"));
      }
      return absl::OkStatus();
  }
  return absl::InvalidArgumentError("model locator has an unknown kind");
}

std::string ToString(const ModelLocator& locator) {
  if (locator.kind == ModelLocator::Kind::kRootDigest) {
    return absl::StrCat(kRootDigestPrefix, HexEncode(locator.root_digest));
  }
  return ToString(locator.model);
}

}  // namespace pedigree::core::record
