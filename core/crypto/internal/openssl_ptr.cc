#include "core/crypto/internal/openssl_ptr.h"

#include <openssl/err.h>

#include <atomic>

#include "absl/strings/str_cat.h"

namespace pedigree::core::crypto::internal {

std::string OpensslError(absl::string_view operation) {
  std::string message = absl::StrCat(operation, " failed");
  const char* separator = ": ";
  for (unsigned long code = ERR_get_error(); code != 0;
       code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&message, separator, buffer);
    separator = "; ";
  }
  return message;
}

namespace {

const EVP_MD* FetchOnce(std::atomic<EVP_MD*>& kept, const char* name) {
  if (EVP_MD* md = kept.load(std::memory_order_acquire)) return md;
  EVP_MD* fetched = EVP_MD_fetch(nullptr, name, nullptr);
  if (fetched == nullptr) return nullptr;
  EVP_MD* expected = nullptr;
  if (!kept.compare_exchange_strong(expected, fetched,
                                    std::memory_order_acq_rel)) {
    EVP_MD_free(fetched);  // another thread kept its fetch first
    return expected;
  }
  return fetched;
}

}  // namespace

const EVP_MD* FetchedSha256() {
  static std::atomic<EVP_MD*> kept{nullptr};
  return FetchOnce(kept, "SHA256");
}

const EVP_MD* FetchedSha512() {
  static std::atomic<EVP_MD*> kept{nullptr};
  return FetchOnce(kept, "SHA512");
}

}  // namespace pedigree::core::crypto::internal
