#include "core/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <climits>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/crypto/internal/ed25519.h"
#include "core/crypto/internal/openssl_ptr.h"
#include "core/crypto/internal/pem.h"
#include "core/crypto/sha256.h"
#include "core/encoding/hex.h"
#include "core/status_macros.h"

namespace pedigree::core::crypto {
namespace internal {

// One parsed key, shared by every copy of a PublicKey or PrivateKey. Never
// mutated after construction. OpenSSL 3 allows one EVP_PKEY to be used by
// many threads at once for signing and verifying (its internal caches are
// locked), which is what makes the key classes thread-safe.
struct KeyMaterial {
  KeyType type;
  OpensslPtr<EVP_PKEY> pkey;
  std::string spki_der;  // canonical, see keys.h
  std::string key_id;    // lowercase hex SHA-256 of spki_der
  // A verification context initialized for pkey, which Verify copies:
  // EVP_DigestVerifyInit looks the algorithm up in OpenSSL's provider store
  // on every call (about 9% of an Ed25519 verification's time in pedigreed
  // under the registry bench, 1.3% of its instructions); a copy does not.
  // Copies are made under the lock (OpenSSL does not promise that copying
  // one context from many threads at once is safe). Null if OpenSSL could
  // not make one; Verify then initializes its own.
  mutable absl::Mutex verify_mu;
  OpensslPtr<EVP_MD_CTX> verify_template ABSL_PT_GUARDED_BY(verify_mu);
  // For an Ed25519 key whose point decodes: verifies without OpenSSL, in
  // about half the time, accepting exactly what OpenSSL accepts (see
  // internal/ed25519.h). Otherwise OpenSSL verifies (and for such a key
  // refuses every signature).
  std::optional<Ed25519Verifier> ed25519;
};

}  // namespace internal

namespace {

using internal::Ed25519Verifier;
using internal::KeyMaterial;
using internal::OpensslError;
using internal::OpensslPtr;

constexpr absl::string_view kEd25519Name = "ed25519";
constexpr absl::string_view kEcdsaP256Name = "ecdsa-p256";
constexpr absl::string_view kPublicKeyLabel = "PUBLIC KEY";
constexpr absl::string_view kPrivateKeyLabel = "PRIVATE KEY";
constexpr absl::string_view kEncryptedPrivateKeyLabel = "ENCRYPTED PRIVATE KEY";
constexpr absl::string_view kSupported =
    "supported key types are ed25519 and ecdsa-p256";
constexpr size_t kEd25519SignatureSize = 64;
constexpr size_t kEd25519RawKeySize = 32;
// SEQUENCE { INTEGER r, INTEGER s } with 33-byte integers at most.
constexpr size_t kMaxP256SignatureSize = 72;
constexpr size_t kMaxDerSize = size_t{64} * 1024;

// A std::string holding secret bytes, wiped when it goes out of scope.
class SecretBytes {
 public:
  explicit SecretBytes(std::string value) : value_(std::move(value)) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() { OPENSSL_cleanse(value_.data(), value_.size()); }
  std::string& value() { return value_; }

 private:
  std::string value_;
};

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Returns the utf8 string parameter `name` of `pkey`, or an empty string if
// the key has none.
std::string Utf8Param(const EVP_PKEY* pkey, const char* name) {
  char buffer[80] = {};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, name, buffer, sizeof(buffer),
                                     &length) != 1) {
    ERR_clear_error();
    return "";
  }
  return std::string(buffer, length);
}

// Returns the KeyType of `pkey`, or InvalidArgument naming what it is instead.
absl::StatusOr<KeyType> ClassifyKey(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    // Explicit curve parameters would give the same key a second SPKI (and
    // key id) and are a known source of parser bugs; only named curves pass.
    const std::string encoding = Utf8Param(pkey, OSSL_PKEY_PARAM_EC_ENCODING);
    if (encoding != OSSL_PKEY_EC_ENCODING_GROUP) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unsupported ec key with explicit curve parameters; ", kSupported));
    }
    const std::string group = Utf8Param(pkey, OSSL_PKEY_PARAM_GROUP_NAME);
    if (group != "prime256v1" && group != "P-256") {
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported ec curve \"", group, "\"; ", kSupported));
    }
    return KeyType::kEcdsaP256;
  }
  const char* name = EVP_PKEY_get0_type_name(pkey);
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported key type \"",
                   name == nullptr ? "unknown" : name, "\"; ", kSupported));
}

// Returns the DER SubjectPublicKeyInfo of `pkey`.
absl::StatusOr<std::string> EncodeSpki(EVP_PKEY* pkey) {
  const int length = i2d_PUBKEY(pkey, nullptr);
  if (length <= 0) return absl::InternalError(OpensslError("i2d_PUBKEY"));
  std::string der(static_cast<size_t>(length), '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(pkey, &out) != length) {
    return absl::InternalError(OpensslError("i2d_PUBKEY"));
  }
  return der;
}

// The digest EVP_DigestVerifyInit takes for a key of `type`: none for
// Ed25519 (it hashes the message itself), SHA-256 for ECDSA P-256.
const EVP_MD* VerifyDigest(KeyType type) {
  return type == KeyType::kEd25519 ? nullptr : EVP_sha256();
}

// Checks the type of the freshly parsed or generated `pkey`, normalizes its
// public encoding, and wraps it with its SPKI and key id.
absl::StatusOr<std::shared_ptr<const KeyMaterial>> MakeMaterial(
    OpensslPtr<EVP_PKEY> pkey) {
  PEDIGREE_ASSIGN_OR_RETURN(const KeyType type, ClassifyKey(pkey.get()));
  if (type == KeyType::kEcdsaP256 &&
      EVP_PKEY_set_utf8_string_param(
          pkey.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
          OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1) {
    return absl::InternalError(OpensslError("EVP_PKEY_set_utf8_string_param"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::string spki_der, EncodeSpki(pkey.get()));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string digest, Sha256Digest(spki_der));
  auto material = std::make_shared<KeyMaterial>();
  material->type = type;
  material->spki_der = std::move(spki_der);
  material->key_id = HexEncode(digest);
  OpensslPtr<EVP_MD_CTX> verify_template(EVP_MD_CTX_new());
  if (verify_template != nullptr &&
      EVP_DigestVerifyInit(verify_template.get(), nullptr, VerifyDigest(type),
                           nullptr, pkey.get()) == 1) {
    material->verify_template = std::move(verify_template);
  } else {
    ERR_clear_error();
  }
  if (type == KeyType::kEd25519) {
    unsigned char raw[Ed25519Verifier::kPublicKeySize];
    size_t length = sizeof(raw);
    if (EVP_PKEY_get_raw_public_key(pkey.get(), raw, &length) != 1 ||
        length != sizeof(raw)) {
      return absl::InternalError(OpensslError("EVP_PKEY_get_raw_public_key"));
    }
    material->ed25519 = Ed25519Verifier::Create(
        absl::string_view(reinterpret_cast<const char*>(raw), length));
  }
  material->pkey = std::move(pkey);
  return std::shared_ptr<const KeyMaterial>(std::move(material));
}

absl::StatusOr<OpensslPtr<EVP_PKEY>> DecodeSpki(absl::string_view der) {
  if (der.size() > kMaxDerSize || der.size() > LONG_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("public key der is ", der.size(), " bytes, too large"));
  }
  const unsigned char* in = Bytes(der);
  OpensslPtr<EVP_PKEY> pkey(
      d2i_PUBKEY(nullptr, &in, static_cast<long>(der.size())));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("public key is not a valid subjectpublickeyinfo: ",
                     OpensslError("d2i_PUBKEY")));
  }
  if (in != Bytes(der) + der.size()) {
    return absl::InvalidArgumentError(absl::StrCat("public key der has ",
                                                   Bytes(der) + der.size() - in,
                                                   " trailing bytes"));
  }
  return pkey;
}

absl::StatusOr<OpensslPtr<EVP_PKEY>> DecodePkcs8(absl::string_view der) {
  if (der.size() > kMaxDerSize || der.size() > LONG_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("private key der is ", der.size(), " bytes, too large"));
  }
  const unsigned char* in = Bytes(der);
  OpensslPtr<PKCS8_PRIV_KEY_INFO> info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &in, static_cast<long>(der.size())));
  if (info == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("private key is not valid pkcs#8: ",
                     OpensslError("d2i_PKCS8_PRIV_KEY_INFO")));
  }
  if (in != Bytes(der) + der.size()) {
    return absl::InvalidArgumentError(absl::StrCat("private key der has ",
                                                   Bytes(der) + der.size() - in,
                                                   " trailing bytes"));
  }
  OpensslPtr<EVP_PKEY> pkey(EVP_PKCS82PKEY_ex(info.get(), nullptr, nullptr));
  if (pkey == nullptr) {
    // An unknown algorithm also lands here; name it if OpenSSL can.
    const ASN1_OBJECT* algorithm = nullptr;
    std::string oid = "unknown";
    if (PKCS8_pkey_get0(&algorithm, nullptr, nullptr, nullptr, info.get()) ==
            1 &&
        algorithm != nullptr) {
      char buffer[80] = {};
      if (OBJ_obj2txt(buffer, sizeof(buffer), algorithm, 0) > 0) {
        oid = buffer;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "private key of algorithm \"", oid, "\" cannot be decoded (",
        kSupported, "): ", OpensslError("EVP_PKCS82PKEY_ex")));
  }
  return pkey;
}

// Returns InvalidArgument unless the public half of `pkey` matches its
// private half (PKCS#8 v2 may carry both).
absl::Status CheckKeyPair(EVP_PKEY* pkey) {
  OpensslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (ctx == nullptr) {
    return absl::InternalError(OpensslError("EVP_PKEY_CTX_new_from_pkey"));
  }
  if (EVP_PKEY_pairwise_check(ctx.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("private key fails its consistency check: ",
                     OpensslError("EVP_PKEY_pairwise_check")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view FormatKeyType(KeyType type) {
  switch (type) {
    case KeyType::kEd25519:
      return kEd25519Name;
    case KeyType::kEcdsaP256:
      return kEcdsaP256Name;
  }
  return "unknown";
}

absl::StatusOr<KeyType> ParseKeyType(absl::string_view name) {
  if (name == kEd25519Name) return KeyType::kEd25519;
  if (name == kEcdsaP256Name) return KeyType::kEcdsaP256;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown key type \"", name, "\"; want \"", kEd25519Name,
                   "\" or \"", kEcdsaP256Name, "\""));
}

// --- PublicKey ---

PublicKey::PublicKey(std::shared_ptr<const internal::KeyMaterial> material)
    : material_(std::move(material)) {}

absl::StatusOr<PublicKey> PublicKey::FromPem(absl::string_view pem) {
  PEDIGREE_ASSIGN_OR_RETURN(internal::PemBlock block, internal::ParsePem(pem));
  if (block.label != kPublicKeyLabel) {
    OPENSSL_cleanse(block.der.data(), block.der.size());
    return absl::InvalidArgumentError(
        absl::StrCat("expected a pem block labelled \"", kPublicKeyLabel,
                     "\", found \"", block.label, "\""));
  }
  return FromSpkiDer(block.der);
}

absl::StatusOr<PublicKey> PublicKey::FromSpkiDer(absl::string_view der) {
  PEDIGREE_ASSIGN_OR_RETURN(OpensslPtr<EVP_PKEY> pkey, DecodeSpki(der));
  PEDIGREE_ASSIGN_OR_RETURN(std::shared_ptr<const KeyMaterial> material,
                            MakeMaterial(std::move(pkey)));
  return PublicKey(std::move(material));
}

absl::StatusOr<PublicKey> PublicKey::FromEd25519Raw(absl::string_view raw) {
  if (raw.size() != kEd25519RawKeySize) {
    return absl::InvalidArgumentError(absl::StrCat("ed25519 public key is ",
                                                   raw.size(), " bytes, want ",
                                                   kEd25519RawKeySize));
  }
  OpensslPtr<EVP_PKEY> pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, Bytes(raw), raw.size()));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("ed25519 public key is refused: ",
                     OpensslError("EVP_PKEY_new_raw_public_key")));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::shared_ptr<const KeyMaterial> material,
                            MakeMaterial(std::move(pkey)));
  return PublicKey(std::move(material));
}

absl::StatusOr<std::string> PublicKey::Ed25519Raw() const {
  if (material_->type != KeyType::kEd25519) {
    return absl::InvalidArgumentError(
        absl::StrCat("key ", material_->key_id, " is ",
                     FormatKeyType(material_->type), ", not ed25519"));
  }
  std::string raw(kEd25519RawKeySize, '\0');
  size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(material_->pkey.get(),
                                  reinterpret_cast<unsigned char*>(raw.data()),
                                  &length) != 1 ||
      length != kEd25519RawKeySize) {
    return absl::InternalError(OpensslError("EVP_PKEY_get_raw_public_key"));
  }
  return raw;
}

std::string PublicKey::ToPem() const {
  return internal::EncodePem(kPublicKeyLabel, material_->spki_der);
}

const std::string& PublicKey::spki_der() const { return material_->spki_der; }

KeyType PublicKey::type() const { return material_->type; }

std::string PublicKey::key_id() const { return material_->key_id; }

absl::Status PublicKey::Verify(absl::string_view signature,
                               absl::string_view data) const {
  const bool ed25519 = material_->type == KeyType::kEd25519;
  // Cheap shape checks first; OpenSSL makes the real decision. ECDSA DER is
  // parsed strictly by OpenSSL (non-canonical encodings are refused).
  if ((ed25519 && signature.size() != kEd25519SignatureSize) ||
      (!ed25519 &&
       (signature.empty() || signature.size() > kMaxP256SignatureSize))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signature does not verify with key ", material_->key_id, ": ",
        signature.size(), "-byte signature is malformed for ",
        FormatKeyType(material_->type)));
  }
  if (material_->ed25519.has_value()) {
    PEDIGREE_ASSIGN_OR_RETURN(const bool verified,
                              material_->ed25519->Verify(signature, data));
    if (!verified) {
      return absl::InvalidArgumentError(absl::StrCat(
          "signature does not verify with key ", material_->key_id));
    }
    return absl::OkStatus();
  }
  OpensslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) {
    return absl::InternalError(OpensslError("EVP_MD_CTX_new"));
  }
  bool copied = false;
  {
    absl::MutexLock lock(&material_->verify_mu);
    copied =
        material_->verify_template != nullptr &&
        EVP_MD_CTX_copy_ex(ctx.get(), material_->verify_template.get()) == 1;
  }
  if (!copied) {
    ERR_clear_error();
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, VerifyDigest(material_->type),
                             nullptr, material_->pkey.get()) != 1) {
      return absl::InternalError(OpensslError("EVP_DigestVerifyInit"));
    }
  }
  // 1 is success; 0 is a bad signature and negative values include malformed
  // DER, which for the caller is also just a bad signature.
  if (EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(),
                       Bytes(data), data.size()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat("signature does not verify with key ", material_->key_id));
  }
  return absl::OkStatus();
}

// --- PrivateKey ---

PrivateKey::PrivateKey(std::shared_ptr<const internal::KeyMaterial> material,
                       PublicKey public_key)
    : material_(std::move(material)), public_key_(std::move(public_key)) {}

namespace {

// Builds the PrivateKey parts from a parsed or generated `pkey`. The public
// key gets its own EVP_PKEY parsed from the SPKI, so that verification never
// touches the secret.
absl::StatusOr<std::pair<std::shared_ptr<const KeyMaterial>, PublicKey>>
MakePrivateParts(OpensslPtr<EVP_PKEY> pkey) {
  PEDIGREE_ASSIGN_OR_RETURN(std::shared_ptr<const KeyMaterial> material,
                            MakeMaterial(std::move(pkey)));
  PEDIGREE_ASSIGN_OR_RETURN(PublicKey public_key,
                            PublicKey::FromSpkiDer(material->spki_der));
  return std::make_pair(std::move(material), std::move(public_key));
}

}  // namespace

absl::StatusOr<PrivateKey> PrivateKey::Generate(KeyType type) {
  OpensslPtr<EVP_PKEY> pkey;
  switch (type) {
    case KeyType::kEd25519:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      break;
    case KeyType::kEcdsaP256:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      break;
  }
  if (pkey == nullptr) {
    return absl::InternalError(OpensslError("EVP_PKEY_Q_keygen"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(auto parts, MakePrivateParts(std::move(pkey)));
  return PrivateKey(std::move(parts.first), std::move(parts.second));
}

absl::StatusOr<PrivateKey> PrivateKey::FromPem(absl::string_view pem) {
  PEDIGREE_ASSIGN_OR_RETURN(internal::PemBlock block, internal::ParsePem(pem));
  SecretBytes der(std::move(block.der));
  if (block.label == kEncryptedPrivateKeyLabel) {
    return absl::InvalidArgumentError(
        "private key pem is encrypted (\"ENCRYPTED PRIVATE KEY\"); only "
        "unencrypted pkcs#8 \"PRIVATE KEY\" is supported");
  }
  if (block.label != kPrivateKeyLabel) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a pem block labelled \"", kPrivateKeyLabel,
                     "\" (pkcs#8), found \"", block.label, "\""));
  }
  PEDIGREE_ASSIGN_OR_RETURN(OpensslPtr<EVP_PKEY> pkey,
                            DecodePkcs8(der.value()));
  // Classify before the pair check, so an unsupported key is reported as such.
  PEDIGREE_RETURN_IF_ERROR(ClassifyKey(pkey.get()).status());
  PEDIGREE_RETURN_IF_ERROR(CheckKeyPair(pkey.get()));
  PEDIGREE_ASSIGN_OR_RETURN(auto parts, MakePrivateParts(std::move(pkey)));
  return PrivateKey(std::move(parts.first), std::move(parts.second));
}

absl::StatusOr<PrivateKey> PrivateKey::FromEd25519Seed(absl::string_view seed) {
  if (seed.size() != kEd25519RawKeySize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ed25519 seed is ", seed.size(), " bytes, want ", kEd25519RawKeySize));
  }
  OpensslPtr<EVP_PKEY> pkey(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, Bytes(seed), seed.size()));
  if (pkey == nullptr) {
    return absl::InternalError(OpensslError("EVP_PKEY_new_raw_private_key"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(auto parts, MakePrivateParts(std::move(pkey)));
  return PrivateKey(std::move(parts.first), std::move(parts.second));
}

absl::StatusOr<std::string> PrivateKey::ExportPemForStorage() const {
  OpensslPtr<PKCS8_PRIV_KEY_INFO> info(EVP_PKEY2PKCS8(material_->pkey.get()));
  if (info == nullptr) {
    return absl::InternalError(OpensslError("EVP_PKEY2PKCS8"));
  }
  const int length = i2d_PKCS8_PRIV_KEY_INFO(info.get(), nullptr);
  if (length <= 0) {
    return absl::InternalError(OpensslError("i2d_PKCS8_PRIV_KEY_INFO"));
  }
  SecretBytes der(std::string(static_cast<size_t>(length), '\0'));
  unsigned char* out = reinterpret_cast<unsigned char*>(der.value().data());
  if (i2d_PKCS8_PRIV_KEY_INFO(info.get(), &out) != length) {
    return absl::InternalError(OpensslError("i2d_PKCS8_PRIV_KEY_INFO"));
  }
  return internal::EncodePem(kPrivateKeyLabel, der.value());
}

absl::StatusOr<std::string> PrivateKey::Sign(absl::string_view data) const {
  EVP_PKEY* pkey = material_->pkey.get();
  OpensslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) {
    return absl::InternalError(OpensslError("EVP_MD_CTX_new"));
  }
  // Ed25519 hashes internally (PureEdDSA) and takes no digest.
  const EVP_MD* md =
      material_->type == KeyType::kEd25519 ? nullptr : EVP_sha256();
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey) != 1) {
    return absl::InternalError(OpensslError("EVP_DigestSignInit"));
  }
  const int max_size = EVP_PKEY_get_size(pkey);
  if (max_size <= 0) {
    return absl::InternalError(OpensslError("EVP_PKEY_get_size"));
  }
  std::string signature(static_cast<size_t>(max_size), '\0');
  size_t length = signature.size();
  if (EVP_DigestSign(ctx.get(),
                     reinterpret_cast<unsigned char*>(signature.data()),
                     &length, Bytes(data), data.size()) != 1) {
    return absl::InternalError(OpensslError("EVP_DigestSign"));
  }
  signature.resize(length);
  return signature;
}

}  // namespace pedigree::core::crypto
