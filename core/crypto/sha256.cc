#include "core/crypto/sha256.h"

#include <openssl/evp.h>

#include <utility>

#include "core/crypto/internal/openssl_ptr.h"

namespace pedigree::core::crypto {

using internal::FetchedSha256;
using internal::OpensslError;
using internal::OpensslPtr;

struct Sha256::State {
  OpensslPtr<EVP_MD_CTX> ctx;
  bool finished = false;
};

Sha256::Sha256(std::unique_ptr<State> state) : state_(std::move(state)) {}
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

absl::StatusOr<Sha256> Sha256::Create() {
  const EVP_MD* md = FetchedSha256();
  if (md == nullptr) {
    return absl::InternalError(OpensslError("EVP_MD_fetch SHA256"));
  }
  auto state = std::make_unique<State>();
  state->ctx.reset(EVP_MD_CTX_new());
  if (state->ctx == nullptr) {
    return absl::InternalError(OpensslError("EVP_MD_CTX_new"));
  }
  if (EVP_DigestInit_ex(state->ctx.get(), md, nullptr) != 1) {
    return absl::InternalError(OpensslError("EVP_DigestInit_ex"));
  }
  return Sha256(std::move(state));
}

absl::Status Sha256::Update(absl::string_view data) {
  if (state_ == nullptr || state_->finished) {
    return absl::FailedPreconditionError("sha256: update after finish");
  }
  if (EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()) != 1) {
    return absl::InternalError(OpensslError("EVP_DigestUpdate"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Sha256::Finish() {
  if (state_ == nullptr || state_->finished) {
    return absl::FailedPreconditionError("sha256: finish called twice");
  }
  state_->finished = true;
  std::string digest(kSha256Size, '\0');
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->ctx.get(),
                         reinterpret_cast<unsigned char*>(digest.data()),
                         &length) != 1 ||
      length != kSha256Size) {
    return absl::InternalError(OpensslError("EVP_DigestFinal_ex"));
  }
  return digest;
}

absl::StatusOr<std::string> Sha256Digest(absl::string_view data) {
  auto hasher = Sha256::Create();
  if (!hasher.ok()) return hasher.status();
  if (absl::Status s = hasher->Update(data); !s.ok()) return s;
  return hasher->Finish();
}

}  // namespace pedigree::core::crypto
