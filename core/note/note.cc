#include "core/note/note.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/crypto/sha256.h"
#include "core/encoding/base64.h"
#include "core/encoding/hex.h"
#include "core/note/internal/text.h"
#include "core/status_macros.h"

namespace pedigree::core::note {
namespace {

using internal::Quote;

constexpr absl::string_view kSignaturePrefix = "\xe2\x80\x94 ";  // "— "
constexpr size_t kEd25519KeySize = 32;
constexpr size_t kEd25519SignatureSize = 64;
constexpr size_t kKeyHashSize = 4;

std::string EncodeKeyHash(uint32_t hash) {
  std::string bytes(kKeyHashSize, '\0');
  for (size_t i = 0; i < kKeyHashSize; ++i) {
    bytes[i] = static_cast<char>((hash >> (8 * (kKeyHashSize - 1 - i))) & 0xff);
  }
  return bytes;
}

uint32_t DecodeKeyHash(absl::string_view bytes) {
  uint32_t hash = 0;
  for (size_t i = 0; i < kKeyHashSize; ++i) {
    hash = (hash << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return hash;
}

std::string KeyHashHex(uint32_t hash) { return HexEncode(EncodeKeyHash(hash)); }

std::string FormatVerifierKey(absl::string_view name, uint32_t hash,
                              absl::string_view raw_key) {
  std::string key(1, static_cast<char>(kEd25519SignatureType));
  key.append(raw_key.data(), raw_key.size());
  return absl::StrCat(name, "+", KeyHashHex(hash), "+", Base64Encode(key));
}

absl::Status ValidateText(absl::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("note text is empty");
  }
  if (text.back() != '\n') {
    return absl::InvalidArgumentError("note text does not end in a newline");
  }
  return internal::CheckCharacters("note text", text, /*allow_newline=*/true);
}

// Parses signature line `number` (1-based), without its newline.
absl::StatusOr<NoteSignature> ParseSignatureLine(size_t number,
                                                 absl::string_view line) {
  const std::string what = absl::StrCat("signature line ", number);
  if (!absl::ConsumePrefix(&line, kSignaturePrefix)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " does not start with an em dash (U+2014) and a space"));
  }
  const size_t space = line.find(' ');
  if (space == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " has no space between key name and signature"));
  }
  const absl::string_view name = line.substr(0, space);
  PEDIGREE_RETURN_IF_ERROR(internal::CheckKeyName(what, name));
  const absl::string_view encoded = line.substr(space + 1);
  absl::StatusOr<std::string> decoded = Base64Decode(encoded);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": signature: ", decoded.status().message()));
  }
  if (decoded->size() <= kKeyHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": signature is ", decoded->size(),
                     " bytes, want a 4-byte key hash and a signature"));
  }
  NoteSignature signature;
  signature.name = std::string(name);
  signature.key_hash = DecodeKeyHash(*decoded);
  signature.signature = decoded->substr(kKeyHashSize);
  return signature;
}

}  // namespace

absl::Status ValidateKeyName(absl::string_view name) {
  return internal::CheckKeyName("invalid key name", name);
}

absl::StatusOr<uint32_t> Ed25519KeyHash(absl::string_view name,
                                        absl::string_view raw_public_key) {
  if (raw_public_key.size() != kEd25519KeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("ed25519 public key is ", raw_public_key.size(),
                     " bytes, want ", kEd25519KeySize));
  }
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kEd25519SignatureType));
  input.append(raw_public_key.data(), raw_public_key.size());
  PEDIGREE_ASSIGN_OR_RETURN(const std::string digest,
                            crypto::Sha256Digest(input));
  return DecodeKeyHash(digest);
}

// --- NoteSigner ---

NoteSigner::NoteSigner(std::string name, uint32_t key_hash,
                       std::string verifier_key, crypto::PrivateKey key)
    : name_(std::move(name)),
      key_hash_(key_hash),
      verifier_key_(std::move(verifier_key)),
      key_(std::move(key)) {}

absl::StatusOr<NoteSigner> NoteSigner::Create(absl::string_view name,
                                              crypto::PrivateKey key) {
  PEDIGREE_RETURN_IF_ERROR(ValidateKeyName(name));
  if (key.type() != crypto::KeyType::kEd25519) {
    return absl::InvalidArgumentError(
        absl::StrCat("note signing key ", key.key_id(), " is ",
                     crypto::FormatKeyType(key.type()),
                     "; only ed25519 is "
                     "supported"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(const std::string raw,
                            key.public_key().Ed25519Raw());
  PEDIGREE_ASSIGN_OR_RETURN(const uint32_t hash, Ed25519KeyHash(name, raw));
  std::string verifier_key = FormatVerifierKey(name, hash, raw);
  return NoteSigner(std::string(name), hash, std::move(verifier_key),
                    std::move(key));
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view text) const {
  PEDIGREE_RETURN_IF_ERROR(ValidateText(text));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string signature, key_.Sign(text));
  if (signature.size() != kEd25519SignatureSize) {
    return absl::InternalError(
        absl::StrCat("ed25519 signature is ", signature.size(), " bytes"));
  }
  std::string note = absl::StrCat(
      text, "\n", kSignaturePrefix, name_, " ",
      Base64Encode(absl::StrCat(EncodeKeyHash(key_hash_), signature)), "\n");
  if (note.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("signed note would be ", note.size(),
                     " bytes, more than the limit of ", kMaxNoteSize));
  }
  return note;
}

// --- NoteVerifier ---

NoteVerifier::NoteVerifier(std::string name, uint32_t key_hash,
                           std::string raw_key, crypto::PublicKey public_key)
    : name_(std::move(name)),
      key_hash_(key_hash),
      raw_key_(std::move(raw_key)),
      public_key_(std::move(public_key)) {}

absl::StatusOr<NoteVerifier> NoteVerifier::FromVerifierKey(
    absl::string_view vkey) {
  const size_t first = vkey.find('+');
  const size_t second = first == absl::string_view::npos
                            ? absl::string_view::npos
                            : vkey.find('+', first + 1);
  if (second == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "verifier key is not <name>+<hash>+<key>");
  }
  const absl::string_view name = vkey.substr(0, first);
  const absl::string_view hash_hex = vkey.substr(first + 1, second - first - 1);
  const absl::string_view key_base64 = vkey.substr(second + 1);
  PEDIGREE_RETURN_IF_ERROR(internal::CheckKeyName("verifier key", name));
  if (!IsLowerHex(hash_hex, kKeyHashSize)) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key ", Quote(name), ": key hash ",
                     Quote(hash_hex), " is not 8 lowercase hex digits"));
  }
  absl::StatusOr<std::string> key = Base64Decode(key_base64);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "verifier key ", Quote(name), ": key: ", key.status().message()));
  }
  if (key->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key ", Quote(name), ": key is empty"));
  }
  const auto type = static_cast<unsigned char>((*key)[0]);
  if (type != kEd25519SignatureType) {
    return absl::InvalidArgumentError(absl::StrCat(
        "verifier key ", Quote(name), ": unsupported signature type 0x",
        absl::Hex(type, absl::kZeroPad2),
        "; only 0x01 (ed25519) is supported"));
  }
  const std::string raw = key->substr(1);
  if (raw.size() != kEd25519KeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key ", Quote(name), ": ed25519 key is ",
                     raw.size(), " bytes, want ", kEd25519KeySize));
  }
  PEDIGREE_ASSIGN_OR_RETURN(crypto::PublicKey public_key,
                            crypto::PublicKey::FromEd25519Raw(raw));
  PEDIGREE_ASSIGN_OR_RETURN(const uint32_t hash, Ed25519KeyHash(name, raw));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string hash_bytes, HexDecode(hash_hex));
  if (DecodeKeyHash(hash_bytes) != hash) {
    return absl::InvalidArgumentError(absl::StrCat(
        "verifier key ", Quote(name), ": key hash ", hash_hex,
        " does not match the name and key (want ", KeyHashHex(hash), ")"));
  }
  return NoteVerifier(std::string(name), hash, raw, std::move(public_key));
}

absl::StatusOr<NoteVerifier> NoteVerifier::Create(
    absl::string_view name, const crypto::PublicKey& key) {
  PEDIGREE_RETURN_IF_ERROR(ValidateKeyName(name));
  if (key.type() != crypto::KeyType::kEd25519) {
    return absl::InvalidArgumentError(
        absl::StrCat("note verifying key ", key.key_id(), " is ",
                     crypto::FormatKeyType(key.type()),
                     "; only ed25519 is "
                     "supported"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::string raw, key.Ed25519Raw());
  PEDIGREE_ASSIGN_OR_RETURN(const uint32_t hash, Ed25519KeyHash(name, raw));
  return NoteVerifier(std::string(name), hash, std::move(raw), key);
}

std::string NoteVerifier::VerifierKey() const {
  return FormatVerifierKey(name_, key_hash_, raw_key_);
}

absl::Status NoteVerifier::Verify(absl::string_view text,
                                  absl::string_view signature) const {
  const absl::Status status = public_key_.Verify(signature, text);
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return absl::PermissionDeniedError(
        absl::StrCat("signature by key ", Quote(name_), "+",
                     KeyHashHex(key_hash_), " does not verify"));
  }
  return status;
}

// --- OpenNote ---

absl::StatusOr<VerifiedNote> OpenNote(absl::string_view note,
                                      const std::vector<NoteVerifier>& known) {
  if (known.empty()) {
    return absl::InvalidArgumentError("open note: no known keys");
  }
  for (size_t i = 0; i < known.size(); ++i) {
    for (size_t j = i + 1; j < known.size(); ++j) {
      if (known[i].name() == known[j].name() &&
          known[i].key_hash() == known[j].key_hash() &&
          known[i].VerifierKey() != known[j].VerifierKey()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "open note: two different known keys are named ",
            Quote(known[i].name()), "+", KeyHashHex(known[i].key_hash())));
      }
    }
  }
  if (note.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("note is ", note.size(), " bytes, more than the limit of ",
                     kMaxNoteSize));
  }
  PEDIGREE_RETURN_IF_ERROR(
      internal::CheckCharacters("note", note, /*allow_newline=*/true));

  // The text ends at the last blank line; what follows are signature lines.
  const size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "note has no blank line between text and signatures");
  }
  absl::string_view signatures = note.substr(split + 2);
  if (signatures.empty()) {
    return absl::InvalidArgumentError("note has no signature lines");
  }
  if (signatures.back() != '\n') {
    return absl::InvalidArgumentError("note does not end in a newline");
  }
  signatures.remove_suffix(1);
  // No line is empty: an empty one would have been the last blank line.
  const std::vector<absl::string_view> lines = absl::StrSplit(signatures, '\n');
  if (lines.size() > kMaxSignatures) {
    return absl::InvalidArgumentError(absl::StrCat(
        "note has ", lines.size(), " signature lines, more than the limit of ",
        kMaxSignatures));
  }

  VerifiedNote result;
  result.text = std::string(note.substr(0, split + 1));
  for (size_t i = 0; i < lines.size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(NoteSignature signature,
                              ParseSignatureLine(i + 1, lines[i]));
    const NoteVerifier* verifier = nullptr;
    for (const NoteVerifier& candidate : known) {
      if (candidate.name() == signature.name &&
          candidate.key_hash() == signature.key_hash) {
        verifier = &candidate;
        break;
      }
    }
    if (verifier == nullptr) {
      bool seen = false;
      for (const NoteSignature& other : result.unverified) {
        seen = seen || other == signature;
      }
      if (!seen) result.unverified.push_back(std::move(signature));
      continue;
    }
    PEDIGREE_RETURN_IF_ERROR(
        verifier->Verify(result.text, signature.signature));
    bool seen = false;
    for (const NoteSignature& other : result.verified) {
      seen = seen || (other.name == signature.name &&
                      other.key_hash == signature.key_hash);
    }
    if (!seen) result.verified.push_back(std::move(signature));
  }
  if (result.verified.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("note is not signed by any known key (",
                     result.unverified.size(), " signatures by unknown keys)"));
  }
  return result;
}

}  // namespace pedigree::core::note
