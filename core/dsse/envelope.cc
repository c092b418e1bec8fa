#include "core/dsse/envelope.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/encoding/base64.h"
#include "core/encoding/strict_json.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::core::dsse {
namespace {

using Json = nlohmann::json;

// Returns true if `text` is well-formed UTF-8 (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t code_point = 0;
    uint32_t minimum = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code_point = c & 0x1F;
      minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code_point = c & 0x0F;
      minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code_point = c & 0x07;
      minimum = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

absl::StatusOr<const Json*> RequiredField(const Json& object,
                                          absl::string_view path,
                                          const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) {
    return absl::InvalidArgumentError(absl::StrCat(path, name, ": missing"));
  }
  return &*it;
}

absl::Status WrongType(absl::string_view field, absl::string_view want,
                       const Json& value) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be ", want, ", got ", value.type_name()));
}

absl::StatusOr<std::string> RequiredString(const Json& object,
                                           absl::string_view path,
                                           const char* name) {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value,
                            RequiredField(object, path, name));
  const std::string* text = value->get_ptr<const std::string*>();
  if (text == nullptr) {
    return WrongType(absl::StrCat(path, name), "a string", *value);
  }
  return *text;
}

absl::StatusOr<std::string> RequiredBase64(const Json& object,
                                           absl::string_view path,
                                           const char* name) {
  PEDIGREE_ASSIGN_OR_RETURN(const std::string text,
                            RequiredString(object, path, name));
  absl::StatusOr<std::string> bytes = Base64DecodeAnyAlphabet(text);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, name, ": invalid base64: ", bytes.status().message()));
  }
  return *std::move(bytes);
}

absl::Status CheckSize(absl::string_view field, size_t size, size_t limit) {
  if (size > limit) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", size, " bytes, more than the limit of ", limit));
  }
  return absl::OkStatus();
}

absl::StatusOr<Signature> ParseSignature(const Json& value,
                                         absl::string_view path) {
  if (!value.is_object()) return WrongType(path, "an object", value);
  const std::string prefix = absl::StrCat(path, ".");
  Signature signature;
  // DSSE makes keyid optional; sigstore-python writes null or "".
  const auto keyid = value.find("keyid");
  if (keyid != value.end() && !keyid->is_null()) {
    const std::string* text = keyid->get_ptr<const std::string*>();
    if (text == nullptr) {
      return WrongType(absl::StrCat(prefix, "keyid"), "a string or null",
                       *keyid);
    }
    PEDIGREE_RETURN_IF_ERROR(
        CheckSize(absl::StrCat(prefix, "keyid"), text->size(), kMaxKeyIdSize));
    signature.keyid = *text;
  }
  PEDIGREE_ASSIGN_OR_RETURN(signature.sig,
                            RequiredBase64(value, prefix, "sig"));
  if (signature.sig.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "sig: empty signature"));
  }
  PEDIGREE_RETURN_IF_ERROR(CheckSize(absl::StrCat(prefix, "sig"),
                                     signature.sig.size(), kMaxSignatureSize));
  return signature;
}

absl::Status CheckSignatureCount(size_t count) {
  if (count == 0) {
    return absl::InvalidArgumentError("signatures: no signatures");
  }
  if (count > kMaxSignatures) {
    return absl::InvalidArgumentError(
        absl::StrCat("signatures: ", count,
                     " signatures, more than the limit of ", kMaxSignatures));
  }
  return absl::OkStatus();
}

}  // namespace

std::string PreAuthEncoding(absl::string_view payload_type,
                            absl::string_view payload) {
  return absl::StrCat("DSSEv1 ", payload_type.size(), " ", payload_type, " ",
                      payload.size(), " ", payload);
}

absl::StatusOr<Envelope> ParseEnvelope(absl::string_view json) {
  PEDIGREE_RETURN_IF_ERROR(
      CheckSize("envelope", json.size(), kMaxEnvelopeJsonSize));
  // A repeated key is refused: nlohmann keeps the last value, other DSSE
  // consumers may keep the first, and an attacker could exploit the mismatch.
  StrictJsonOptions json_options;
  json_options.not_json_message = "envelope: not valid json";
  PEDIGREE_ASSIGN_OR_RETURN(const Json root,
                            ParseStrictJson(json, json_options));
  if (!root.is_object()) return WrongType("envelope", "an object", root);

  Envelope envelope;
  PEDIGREE_ASSIGN_OR_RETURN(envelope.payload_type,
                            RequiredString(root, "", "payloadType"));
  PEDIGREE_RETURN_IF_ERROR(CheckSize(
      "payloadType", envelope.payload_type.size(), kMaxPayloadTypeSize));
  PEDIGREE_ASSIGN_OR_RETURN(envelope.payload,
                            RequiredBase64(root, "", "payload"));
  PEDIGREE_ASSIGN_OR_RETURN(const Json* signatures,
                            RequiredField(root, "", "signatures"));
  if (!signatures->is_array()) {
    return WrongType("signatures", "an array", *signatures);
  }
  PEDIGREE_RETURN_IF_ERROR(CheckSignatureCount(signatures->size()));
  for (size_t i = 0; i < signatures->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        Signature signature,
        ParseSignature((*signatures)[i], absl::StrCat("signatures[", i, "]")));
    envelope.signatures.push_back(std::move(signature));
  }
  return envelope;
}

std::string SerializeEnvelope(const Envelope& envelope) {
  nlohmann::ordered_json signatures = nlohmann::ordered_json::array();
  for (const Signature& signature : envelope.signatures) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["keyid"] = signature.keyid;
    entry["sig"] = Base64Encode(signature.sig);
    signatures.push_back(std::move(entry));
  }
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  root["payloadType"] = envelope.payload_type;
  root["payload"] = Base64Encode(envelope.payload);
  root["signatures"] = std::move(signatures);
  // The replace handler makes dump() non-throwing on invalid UTF-8.
  return root.dump(-1, ' ', false,
                   nlohmann::ordered_json::error_handler_t::replace);
}

absl::StatusOr<Envelope> SignEnvelope(
    absl::string_view payload_type, absl::string_view payload,
    const std::vector<const crypto::Signer*>& signers) {
  if (signers.empty()) {
    return absl::InvalidArgumentError("sign envelope: no signers");
  }
  if (signers.size() > kMaxSignatures) {
    return absl::InvalidArgumentError(
        absl::StrCat("sign envelope: ", signers.size(),
                     " signers, more than the limit of ", kMaxSignatures));
  }
  PEDIGREE_RETURN_IF_ERROR(
      CheckSize("payloadType", payload_type.size(), kMaxPayloadTypeSize));
  if (!IsValidUtf8(payload_type)) {
    return absl::InvalidArgumentError("payloadType: not valid utf-8");
  }
  const std::string pae = PreAuthEncoding(payload_type, payload);
  Envelope envelope;
  envelope.payload_type = std::string(payload_type);
  envelope.payload = std::string(payload);
  for (size_t i = 0; i < signers.size(); ++i) {
    if (signers[i] == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("sign envelope: signer ", i, " is null"));
    }
    Signature signature;
    signature.keyid = signers[i]->key_id();
    if (signature.keyid.size() > kMaxKeyIdSize ||
        !IsValidUtf8(signature.keyid)) {
      return absl::InvalidArgumentError(
          absl::StrCat("sign envelope: signer ", i,
                       " has a key id that is too long or "
                       "not valid utf-8"));
    }
    PEDIGREE_ASSIGN_OR_RETURN(signature.sig, signers[i]->Sign(pae));
    envelope.signatures.push_back(std::move(signature));
  }
  return envelope;
}

absl::StatusOr<std::vector<std::string>> VerifyEnvelope(
    const Envelope& envelope,
    const std::vector<const crypto::Verifier*>& trusted) {
  if (trusted.empty()) {
    return absl::InvalidArgumentError("verify envelope: no trusted keys");
  }
  std::vector<std::string> trusted_ids;
  trusted_ids.reserve(trusted.size());
  for (size_t i = 0; i < trusted.size(); ++i) {
    if (trusted[i] == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("verify envelope: trusted key ", i, " is null"));
    }
    trusted_ids.push_back(trusted[i]->key_id());
  }
  PEDIGREE_RETURN_IF_ERROR(CheckSignatureCount(envelope.signatures.size()));

  // The payload is verified as the bytes we hold; it is never re-encoded.
  const std::string pae =
      PreAuthEncoding(envelope.payload_type, envelope.payload);
  std::vector<bool> accepted(trusted.size(), false);
  for (const Signature& signature : envelope.signatures) {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < trusted.size(); ++i) {
      if (!signature.keyid.empty() && trusted_ids[i] == signature.keyid) {
        candidates.push_back(i);
      }
    }
    if (candidates.empty()) {
      for (size_t i = 0; i < trusted.size(); ++i) candidates.push_back(i);
    }
    for (size_t i : candidates) {
      if (accepted[i]) continue;
      const absl::Status status = trusted[i]->Verify(signature.sig, pae);
      if (status.ok()) {
        accepted[i] = true;
        break;
      }
      // InvalidArgument is a signature that does not verify: skip it, per
      // the DSSE protocol. Anything else is a fault we must not hide.
      if (status.code() != absl::StatusCode::kInvalidArgument) return status;
    }
  }

  std::vector<std::string> key_ids;
  std::set<std::string> seen;
  for (size_t i = 0; i < trusted.size(); ++i) {
    if (accepted[i] && seen.insert(trusted_ids[i]).second) {
      key_ids.push_back(trusted_ids[i]);
    }
  }
  if (key_ids.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no signature verifies with a trusted key (",
                     envelope.signatures.size(), " signatures, ",
                     trusted.size(), " trusted keys)"));
  }
  return key_ids;
}

}  // namespace pedigree::core::dsse
