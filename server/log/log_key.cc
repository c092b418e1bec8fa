#include "server/log/log_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/note/checkpoint.h"
#include "core/status_macros.h"

namespace pedigree::server::log {
namespace {

absl::Status IoError(absl::string_view what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

// Writes `contents` to a new file `path` (mode 0600); AlreadyExists if the
// file exists.
absl::Status WriteNewSecretFile(const std::string& path,
                                const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                        S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(path, " exists"));
    }
    return IoError("create", path);
  }
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n =
        ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const absl::Status error = IoError("write", path);
      ::close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const absl::Status error = IoError("sync", path);
    ::close(fd);
    return error;
  }
  if (::close(fd) != 0) return IoError("close", path);
  return absl::OkStatus();
}

absl::StatusOr<core::crypto::PrivateKey> ReadLogKey(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return IoError("stat", path);
  // Group read is allowed for secret mounts (Kubernetes: root-owned, group
  // fsGroup); write by group and any access by others are not.
  if ((info.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "log key file ", path,
        " is accessible by others or writable by its "
        "group (mode ",
        absl::StrFormat("%03o", info.st_mode & 0777),
        "); make it readable by its owner only: chmod 600 ", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("open", path);
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<core::crypto::PrivateKey> key =
      core::crypto::PrivateKey::FromPem(text.str());
  if (!key.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("log key file ", path,
                     " holds no usable key: ", key.status().message()));
  }
  if (key->type() != core::crypto::KeyType::kEd25519) {
    return absl::FailedPreconditionError(
        absl::StrCat("log key file ", path, " holds a ",
                     core::crypto::FormatKeyType(key->type()),
                     " key; the log signs with Ed25519"));
  }
  return key;
}

}  // namespace

absl::StatusOr<core::crypto::PrivateKey> LoadOrCreateLogKey(
    const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    const std::filesystem::path parent =
        std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return absl::InternalError(absl::StrCat(
            "cannot create directory ", parent.string(), ": ", ec.message()));
      }
    }
    PEDIGREE_ASSIGN_OR_RETURN(
        const core::crypto::PrivateKey key,
        core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519));
    PEDIGREE_ASSIGN_OR_RETURN(const std::string pem, key.ExportPemForStorage());
    const absl::Status written = WriteNewSecretFile(path, pem);
    // Lost a race with another process creating it: use theirs.
    if (!written.ok() && !absl::IsAlreadyExists(written)) return written;
  }
  return ReadLogKey(path);
}

std::string DefaultLogOrigin(const core::crypto::PublicKey& key) {
  return absl::StrCat("localhost/pedigree/", key.key_id().substr(0, 16));
}

absl::StatusOr<std::unique_ptr<NoteCheckpointSigner>>
NoteCheckpointSigner::Create(absl::string_view origin,
                             core::crypto::PrivateKey key) {
  PEDIGREE_ASSIGN_OR_RETURN(
      core::note::NoteSigner signer,
      core::note::NoteSigner::Create(origin, std::move(key)));
  return std::unique_ptr<NoteCheckpointSigner>(
      new NoteCheckpointSigner(std::string(origin), std::move(signer)));
}

absl::StatusOr<std::string> NoteCheckpointSigner::Sign(
    uint64_t tree_size, absl::string_view root_hash) const {
  core::note::Checkpoint checkpoint;
  checkpoint.origin = origin_;
  checkpoint.size = tree_size;
  checkpoint.root_hash = std::string(root_hash);
  return core::note::SignCheckpoint(checkpoint, signer_);
}

}  // namespace pedigree::server::log
