#ifndef PEDIGREE_CORE_NOTE_NOTE_H_
#define PEDIGREE_CORE_NOTE_NOTE_H_

// C2SP signed notes (https://c2sp.org/signed-note), the envelope of
// transparency-log checkpoints, with Ed25519 keys (signature type 0x01) as in
// Go's golang.org/x/mod/sumdb/note. A signed note is
//
//   <text, ending in "\n">
//   "\n"
//   "— <key name> <base64(4-byte big-endian key hash || signature)>\n" ...
//
// with an em dash (U+2014) and a space before each key name. The whole note is
// valid UTF-8 without ASCII control characters other than '\n'; the text may
// hold empty lines, and the signatures start after the last empty line.
//
// A key is named by its key name and key hash; a verifier key spells both
// with the public key as "<name>+<8 lowercase hex digits>+<base64(0x01 ||
// 32-byte Ed25519 key)>", e.g.
//   "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW".
//
//   PEDIGREE_ASSIGN_OR_RETURN(NoteSigner signer,
//                             NoteSigner::Create("example.com/log", key));
//   PEDIGREE_ASSIGN_OR_RETURN(std::string signed_note, signer.Sign(text));
//   PEDIGREE_ASSIGN_OR_RETURN(NoteVerifier verifier,
//                             NoteVerifier::FromVerifierKey(pinned_vkey));
//   PEDIGREE_ASSIGN_OR_RETURN(VerifiedNote note,
//                             OpenNote(signed_note, {verifier}));
//
// Error codes: InvalidArgument for anything malformed (note, signature line,
// key name, verifier key, text to sign) or an unusable key; PermissionDenied
// when a signature by a known key does not verify or no known key signed.
// Base64 is the standard alphabet with padding, decoded canonically (unused
// trailing bits must be zero).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/crypto/keys.h"

namespace pedigree::core::note {

// The signature type byte of Ed25519 in key hashes and verifier keys.
inline constexpr uint8_t kEd25519SignatureType = 0x01;

// OpenNote refuses notes larger than this many bytes, and Sign refuses to
// produce them.
inline constexpr size_t kMaxNoteSize = size_t{1} << 20;

// OpenNote refuses notes with more signature lines than this (the spec asks
// verifiers to accept at least 16; Go's implementation allows 100).
inline constexpr size_t kMaxSignatures = 100;

// One signature line of a note.
struct NoteSignature {
  std::string name;
  uint32_t key_hash = 0;
  std::string signature;  // raw signature bytes, without the key hash

  friend bool operator==(const NoteSignature& a, const NoteSignature& b) {
    return a.name == b.name && a.key_hash == b.key_hash &&
           a.signature == b.signature;
  }
};

// Returns OK if `name` is a valid key name: non-empty, well-formed UTF-8, and
// free of '+', Unicode white space (as Go's unicode.IsSpace) and ASCII control
// characters. Otherwise InvalidArgument naming the problem.
absl::Status ValidateKeyName(absl::string_view name);

// Returns the C2SP key hash of an Ed25519 key: the first four bytes, read
// big-endian, of SHA-256(name || 0x0A || 0x01 || raw_public_key). Returns
// InvalidArgument if `raw_public_key` is not 32 bytes, Internal if SHA-256
// fails. (`name` is not validated.)
absl::StatusOr<uint32_t> Ed25519KeyHash(absl::string_view name,
                                        absl::string_view raw_public_key);

// Signs note texts with one Ed25519 key under one key name. Immutable,
// cheap to copy, thread-safe.
class NoteSigner {
 public:
  // Returns a signer for `key` under `name`. Returns InvalidArgument if `name`
  // fails ValidateKeyName or `key` is not Ed25519; Internal if OpenSSL fails.
  static absl::StatusOr<NoteSigner> Create(absl::string_view name,
                                           crypto::PrivateKey key);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }

  // Returns the verifier key of the public half, "<name>+<hash>+<key>".
  const std::string& VerifierKey() const { return verifier_key_; }

  // Returns the signed note: `text`, a blank line, and one signature line by
  // this key. Returns InvalidArgument if `text` is empty, does not end in
  // "\n", is not valid UTF-8 or holds an ASCII control character other than
  // "\n", or if the note would exceed kMaxNoteSize; Internal if signing fails.
  absl::StatusOr<std::string> Sign(absl::string_view text) const;

 private:
  NoteSigner(std::string name, uint32_t key_hash, std::string verifier_key,
             crypto::PrivateKey key);

  std::string name_;
  uint32_t key_hash_;
  std::string verifier_key_;
  crypto::PrivateKey key_;
};

// Checks note signatures by one Ed25519 key with one key name. Immutable,
// cheap to copy, thread-safe.
class NoteVerifier {
 public:
  // Parses a verifier key "<name>+<hash>+<base64 key>", strictly: the name
  // must pass ValidateKeyName; the hash must be exactly 8 lowercase hex
  // digits equal to Ed25519KeyHash(name, key); the key must be canonical
  // standard base64 of 33 bytes, the type byte 0x01 followed by a 32-byte
  // Ed25519 key. (The base64 part may itself contain '+'.) Returns
  // InvalidArgument naming the first problem.
  static absl::StatusOr<NoteVerifier> FromVerifierKey(absl::string_view vkey);

  // Returns the verifier for `key` under `name`. Returns InvalidArgument if
  // `name` fails ValidateKeyName or `key` is not Ed25519.
  static absl::StatusOr<NoteVerifier> Create(absl::string_view name,
                                             const crypto::PublicKey& key);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  const crypto::PublicKey& public_key() const { return public_key_; }

  // Returns the verifier key "<name>+<hash>+<key>" (FromVerifierKey's input).
  std::string VerifierKey() const;

  // Returns OK if `signature` (raw, without the key hash) is this key's
  // signature of `text`. Returns PermissionDenied otherwise (including for a
  // signature of the wrong length), Internal if OpenSSL fails.
  absl::Status Verify(absl::string_view text,
                      absl::string_view signature) const;

 private:
  NoteVerifier(std::string name, uint32_t key_hash, std::string raw_key,
               crypto::PublicKey public_key);

  std::string name_;
  uint32_t key_hash_;
  std::string raw_key_;  // 32-byte Ed25519 public key
  crypto::PublicKey public_key_;
};

// A note whose signatures have been checked.
struct VerifiedNote {
  std::string text;  // includes its final "\n", not the blank line
  // Signatures by known keys, all verified; one per key, in note order.
  std::vector<NoteSignature> verified;
  // Signatures by keys not in `known` (not checked), identical lines once.
  std::vector<NoteSignature> unverified;
};

// Parses the signed note `note` and checks its signatures against `known`.
//
// A signature line whose key name and key hash both match a known verifier is
// verified (every such line, duplicates included); all other lines are
// recorded in `unverified` and otherwise ignored, as the spec requires, even
// if they share a name or a hash with a known key.
//
// Returns InvalidArgument if `known` is empty or holds two different keys
// with the same name and hash; if `note` is larger than kMaxNoteSize, is not
// valid UTF-8, holds an ASCII control character other than "\n", has no blank
// line, has no signature line, does not end in "\n", has more than
// kMaxSignatures signature lines, or has a malformed signature line (not
// "— ", an invalid key name, no space, bad base64, fewer than 5 decoded
// bytes). Returns PermissionDenied if a signature by a known key does not
// verify, or if no signature is by a known key.
absl::StatusOr<VerifiedNote> OpenNote(absl::string_view note,
                                      const std::vector<NoteVerifier>& known);

}  // namespace pedigree::core::note

#endif  // PEDIGREE_CORE_NOTE_NOTE_H_
