#include "core/crypto/internal/openssl_ptr.h"

#include <openssl/err.h>

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

}  // namespace pedigree::core::crypto::internal
