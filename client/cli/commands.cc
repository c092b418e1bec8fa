#include "client/cli/commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "client/lib/directory_hasher.h"
#include "client/lib/meta_file.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"
#include "openssl/crypto.h"

namespace pedigree::client::cli {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxKeyFileSize = 64 * 1024;

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

std::string ErrnoText(int error) {
  return absl::AsciiStrToLower(std::strerror(error));
}

std::string DumpJson(const Json& json) {
  return json.dump(-1, ' ', /*ensure_ascii=*/false,
                   Json::error_handler_t::replace);
}

// Wipes a secret held in a string.
class SecretString {
 public:
  SecretString() = default;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString() {
    if (!value.empty()) OPENSSL_cleanse(value.data(), value.size());
  }
  std::string value;
};

// An owned file descriptor.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() { Close().IgnoreError(); }
  int get() const { return fd_; }
  absl::Status Close() {
    if (fd_ < 0) return absl::OkStatus();
    const int fd = fd_;
    fd_ = -1;
    if (close(fd) != 0) return absl::InternalError(ErrnoText(errno));
    return absl::OkStatus();
  }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, absl::string_view data, absl::string_view path) {
  while (!data.empty()) {
    const ssize_t written = write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(
          absl::StrCat("cannot write ", Quoted(path), ": ", ErrnoText(errno)));
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

// Creates `path` with `mode`, failing with AlreadyExists if anything (a
// dangling symlink included) is already there.
absl::StatusOr<int> CreateExclusive(const std::string& path, mode_t mode) {
  const int fd = open(
      path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd >= 0) return fd;
  const int error = errno;
  if (error == EEXIST) {
    return absl::AlreadyExistsError(
        absl::StrCat(Quoted(path), " already exists; refusing to overwrite"));
  }
  const std::string message =
      absl::StrCat("cannot create ", Quoted(path), ": ", ErrnoText(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InternalError(message);
}

// Writes `data` to the new file `fd` (named `path`), sets its mode, syncs
// and closes it.
absl::Status FinishFile(ScopedFd* fd, const std::string& path,
                        absl::string_view data, mode_t mode) {
  PEDIGREE_RETURN_IF_ERROR(WriteAll(fd->get(), data, path));
  // The umask may have removed bits; set exactly `mode`.
  if (fchmod(fd->get(), mode) != 0 || fsync(fd->get()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot write ", Quoted(path), ": ", ErrnoText(errno)));
  }
  absl::Status closed = fd->Close();
  if (!closed.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot write ", Quoted(path), ": ", closed.message()));
  }
  return absl::OkStatus();
}

// Reads a small file whole (at most `limit` bytes) into `*text`.
absl::Status ReadSmallFile(const std::string& path, absl::string_view what,
                           size_t limit, std::string* text) {
  const ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    const std::string message = absl::StrCat(
        "cannot open ", what, " ", Quoted(path), ": ", ErrnoText(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES || error == EPERM) {
      return absl::PermissionDeniedError(message);
    }
    return absl::InvalidArgumentError(message);
  }
  text->clear();
  text->reserve(limit + 1);
  char buffer[4096];
  while (true) {
    const ssize_t count = read(fd.get(), buffer, sizeof(buffer));
    if (count < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      OPENSSL_cleanse(buffer, sizeof(buffer));
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot read ", what, " ", Quoted(path), ": ", ErrnoText(error)));
    }
    if (count == 0) break;
    text->append(buffer, static_cast<size_t>(count));
    if (text->size() > limit) {
      OPENSSL_cleanse(buffer, sizeof(buffer));
      return absl::InvalidArgumentError(absl::StrCat(
          what, " ", Quoted(path), " is larger than ", limit, " bytes"));
    }
  }
  OPENSSL_cleanse(buffer, sizeof(buffer));
  return absl::OkStatus();
}

std::string HumanBytes(uint64_t bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < sizeof(kUnits) / sizeof(kUnits[0])) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return absl::StrCat(bytes, " B");
  return absl::StrFormat("%.1f %s", value, kUnits[unit]);
}

// A one-line progress bar on a terminal stream, redrawn in place and erased
// when done. Not thread-safe (HashDirectory calls it from one thread).
class ProgressBar {
 public:
  explicit ProgressBar(std::ostream& err) : err_(err) {}
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() {
    if (drawn_) err_ << "\r\033[K" << std::flush;
  }

  void Update(uint64_t done, uint64_t total) {
    constexpr int kWidth = 30;
    const double fraction =
        total == 0 ? 1.0
                   : static_cast<double>(done) / static_cast<double>(total);
    const int filled = static_cast<int>(fraction * kWidth);
    err_ << "\rhashing [" << std::string(filled, '#')
         << std::string(kWidth - filled, ' ') << "] "
         << absl::StrFormat("%3d%%", static_cast<int>(fraction * 100)) << "  "
         << HumanBytes(done) << " / " << HumanBytes(total) << "\033[K"
         << std::flush;
    drawn_ = true;
  }

 private:
  std::ostream& err_;
  bool drawn_ = false;
};

absl::StatusOr<DirectoryManifest> Hash(const std::string& directory,
                                       const std::string& signature_file,
                                       unsigned threads, bool progress,
                                       std::ostream& err) {
  HashOptions options;
  options.skip_file = signature_file;
  options.threads = threads;
  ProgressBar bar(err);
  if (progress) {
    options.progress = [&bar](uint64_t done, uint64_t total) {
      bar.Update(done, total);
    };
  }
  return HashDirectory(directory, options);
}

// --- keygen
// --------------------------------------------------------------------

absl::Status RunKeygen(const CliConfig& config, std::ostream& out) {
  const KeygenConfig& keygen = config.keygen;
  if (keygen.out.empty()) {
    return absl::InvalidArgumentError("--out: missing key path");
  }
  absl::StatusOr<core::crypto::KeyType> type =
      core::crypto::ParseKeyType(keygen.type);
  if (!type.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--type: ", type.status().message(),
                     " (expected ed25519 or ecdsa-p256)"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(core::crypto::PrivateKey key,
                            core::crypto::PrivateKey::Generate(*type));
  SecretString pem;
  PEDIGREE_ASSIGN_OR_RETURN(pem.value, key.ExportPemForStorage());
  const std::string public_path = absl::StrCat(keygen.out, ".pub");

  // Claim both names before writing anything, so that neither an existing
  // private nor an existing public key is ever overwritten.
  PEDIGREE_ASSIGN_OR_RETURN(const int private_fd,
                            CreateExclusive(keygen.out, 0600));
  ScopedFd private_file(private_fd);
  absl::StatusOr<int> public_fd = CreateExclusive(public_path, 0644);
  if (!public_fd.ok()) {
    unlink(keygen.out.c_str());
    return public_fd.status();
  }
  ScopedFd public_file(*public_fd);
  absl::Status written = FinishFile(&private_file, keygen.out, pem.value, 0600);
  if (written.ok()) {
    written =
        FinishFile(&public_file, public_path, key.public_key().ToPem(), 0644);
  }
  if (!written.ok()) {
    unlink(keygen.out.c_str());
    unlink(public_path.c_str());
    return written;
  }

  if (config.output == OutputFormat::kJson) {
    Json result = {{"key_id", key.key_id()},
                   {"type", std::string(core::crypto::FormatKeyType(*type))},
                   {"private_key", keygen.out},
                   {"public_key", public_path}};
    out << DumpJson(result) << "\n";
  } else {
    out << key.key_id() << "\n";
  }
  return absl::OkStatus();
}

// --- hash
// ----------------------------------------------------------------------

absl::Status RunHash(const CliConfig& config, std::ostream& out,
                     std::ostream& err) {
  PEDIGREE_ASSIGN_OR_RETURN(
      DirectoryManifest hashed,
      Hash(config.hash.directory, config.hash.signature_file,
           config.hash.threads, config.progress, err));
  const core::manifest::Manifest& manifest = hashed.manifest;
  const std::string root = core::HexEncode(manifest.RootDigest());
  if (config.output == OutputFormat::kJson) {
    Json files = Json::array();
    for (const core::manifest::ManifestEntry& entry : manifest.entries()) {
      Json file = Json::object();
      file["name"] = entry.name;
      file["sha256"] = core::HexEncode(entry.digest);
      file["size"] = entry.size;
      files.push_back(std::move(file));
    }
    Json result = {{"files", std::move(files)},
                   {"root_digest", root},
                   {"total_size", manifest.TotalSize()}};
    out << DumpJson(result) << "\n";
    return absl::OkStatus();
  }
  // sha256sum-compatible lines, then the root digest as a model locator.
  for (const core::manifest::ManifestEntry& entry : manifest.entries()) {
    out << core::HexEncode(entry.digest) << "  " << entry.name << "\n";
  }
  out << "root sha256:" << root << "\n";
  return absl::OkStatus();
}

// --- publish
// -------------------------------------------------------------------

absl::Status RunPublish(const CliConfig& config, std::ostream& out,
                        std::ostream& err) {
  const PublishConfig& publish = config.publish;
  // TODO(#4): upload through PedigreeClient once the registry client exists;
  // until then only --dry-run is available.
  if (!publish.dry_run) {
    return absl::InvalidArgumentError(
        "publish: uploading to the registry is not available in this build; "
        "use --dry-run to build and sign the record locally");
  }
  absl::StatusOr<core::record::ModelRef> ref =
      core::record::ParseModelRef(publish.model);
  if (!ref.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--model: ", ref.status().message()));
  }

  SecretString pem;
  PEDIGREE_RETURN_IF_ERROR(
      ReadSmallFile(publish.key, "key file", kMaxKeyFileSize, &pem.value));
  absl::StatusOr<core::crypto::PrivateKey> key =
      core::crypto::PrivateKey::FromPem(pem.value);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key file ", Quoted(publish.key), ": ", key.status().message()));
  }

  PEDIGREE_ASSIGN_OR_RETURN(MetaFile meta, ReadMetaFile(publish.meta));
  PEDIGREE_ASSIGN_OR_RETURN(DirectoryManifest hashed,
                            Hash(publish.directory, publish.signature_file,
                                 publish.threads, config.progress, err));
  PEDIGREE_ASSIGN_OR_RETURN(core::record::Record record,
                            BuildRecord(meta, *ref, hashed));
  PEDIGREE_ASSIGN_OR_RETURN(core::dsse::Envelope envelope,
                            core::record::SignRecord(record, {&*key}));
  const std::string envelope_json = core::dsse::SerializeEnvelope(envelope);
  PEDIGREE_ASSIGN_OR_RETURN(std::string record_digest,
                            core::record::RecordDigest(envelope));
  const std::string root = core::HexEncode(hashed.manifest.RootDigest());

  if (!publish.envelope_out.empty()) {
    const ScopedFd fd(open(publish.envelope_out.c_str(),
                           O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--envelope-out: cannot create ",
                       Quoted(publish.envelope_out), ": ", ErrnoText(errno)));
    }
    PEDIGREE_RETURN_IF_ERROR(WriteAll(
        fd.get(), absl::StrCat(envelope_json, "\n"), publish.envelope_out));
  }

  if (config.output == OutputFormat::kJson) {
    Json result = {{"dry_run", true},
                   {"model", core::record::ToString(*ref)},
                   {"record_digest", record_digest},
                   {"root_digest", root},
                   {"key_id", key->key_id()}};
    if (publish.envelope_out.empty()) {
      result["envelope"] = Json::parse(envelope_json, nullptr,
                                       /*allow_exceptions=*/false);
    } else {
      result["envelope_file"] = publish.envelope_out;
    }
    out << DumpJson(result) << "\n";
  } else if (publish.envelope_out.empty()) {
    out << envelope_json << "\n";
  } else {
    out << "dry run: signed record " << record_digest << " for "
        << core::record::ToString(*ref) << " ("
        << hashed.manifest.entries().size() << " files, root sha256:" << root
        << ") written to " << publish.envelope_out << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kOutOfRange:
      return kExitUsage;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnreachable;
    default:
      return kExitFailed;
  }
}

int RunCommand(const CliConfig& config, std::ostream& out, std::ostream& err) {
  absl::Status status;
  switch (config.command) {
    case Command::kKeygen:
      status = RunKeygen(config, out);
      break;
    case Command::kHash:
      status = RunHash(config, out, err);
      break;
    case Command::kPublish:
      status = RunPublish(config, out, err);
      break;
  }
  out.flush();
  if (!status.ok()) {
    // One line, whatever the message holds.
    err << "pedigree: "
        << absl::StrReplaceAll(status.message(), {{"\n", "\\n"}, {"\r", "\\r"}})
        << std::endl;
  }
  return ExitCodeFor(status);
}

}  // namespace pedigree::client::cli
