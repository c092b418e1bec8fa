#ifndef PEDIGREE_CORE_CRYPTO_INTERNAL_OPENSSL_PTR_H_
#define PEDIGREE_CORE_CRYPTO_INTERNAL_OPENSSL_PTR_H_

// RAII ownership of OpenSSL handles, and the helper that turns OpenSSL's error
// queue into a message. Only core/crypto .cc files include this: OpenSSL types
// never appear in a public core header.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace pedigree::core::crypto::internal {

template <typename T>
struct OpensslDeleter;

template <>
struct OpensslDeleter<EVP_PKEY> {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
template <>
struct OpensslDeleter<EVP_PKEY_CTX> {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
template <>
struct OpensslDeleter<EVP_MD_CTX> {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
template <>
struct OpensslDeleter<BIO> {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
template <>
struct OpensslDeleter<BIGNUM> {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

template <>
struct OpensslDeleter<PKCS8_PRIV_KEY_INFO> {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};

template <typename T>
using OpensslPtr = std::unique_ptr<T, OpensslDeleter<T>>;

// Returns "<operation> failed: <drained error queue>". Drains the calling
// thread's OpenSSL error queue so a later failure reports only its own cause.
std::string OpensslError(absl::string_view operation);

// SHA-256 and SHA-512, fetched from OpenSSL's providers once. EVP_sha256()
// and the like leave the fetch to every EVP_DigestInit_ex, which took more
// time than hashing a Merkle node (a lookup in the provider store under a
// lock). A successful fetch is kept for the life of the process; a failed
// one is tried again next time (null, with OpenSSL's error queued on this
// thread).
const EVP_MD* FetchedSha256();
const EVP_MD* FetchedSha512();

}  // namespace pedigree::core::crypto::internal

#endif  // PEDIGREE_CORE_CRYPTO_INTERNAL_OPENSSL_PTR_H_
