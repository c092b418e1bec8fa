#include "client/cli/commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "client/cli/lineage_render.h"
#include "client/lib/bundle.h"
#include "client/lib/convert.h"
#include "client/lib/directory_hasher.h"
#include "client/lib/export.h"
#include "client/lib/hf_card.h"
#include "client/lib/log_monitor.h"
#include "client/lib/log_state.h"
#include "client/lib/log_verifier.h"
#include "client/lib/meta_file.h"
#include "client/lib/pedigree_client.h"
#include "client/lib/policy.h"
#include "client/lib/verify.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "openssl/crypto.h"
#include "pedigree/v1/registry.pb.h"

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

// Returns "1 file" or "N files".
std::string FileCount(size_t count) {
  return absl::StrCat(count, count == 1 ? " file" : " files");
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

PedigreeClient MakeClient(const CliConfig& config) {
  ClientOptions options;
  options.target = config.server.empty() ? kDefaultServer : config.server;
  options.deadline = config.timeout;
  options.admin_token = config.admin_token;
  return PedigreeClient(std::move(options));
}

// Returns `status` from a registry call with `context` prepended; says
// plainly when the registry could not be reached.
absl::Status RegistryError(const CliConfig& config, absl::string_view context,
                           const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnavailable ||
      status.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::Status(
        status.code(),
        absl::StrCat(context, "cannot reach the registry at ",
                     config.server.empty() ? kDefaultServer : config.server,
                     ": ", status.message()));
  }
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    return absl::Status(
        status.code(),
        absl::StrCat(context, "the registry refused the admin token: ",
                     status.message()));
  }
  return absl::Status(status.code(), absl::StrCat(context, status.message()));
}

// Returns a JSON object for a proto message (field names as in the proto).
Json ProtoJson(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options)
           .ok()) {
    return Json::object();
  }
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? Json::object() : json;
}

Json SummaryJson(const v1::RecordSummary& summary) {
  Json signers = Json::array();
  for (const std::string& id : summary.signer_key_ids()) signers.push_back(id);
  return Json{{"ref", summary.ref()},
              {"record_digest", summary.record_digest()},
              {"root_digest", summary.root_digest()},
              {"published_at", FormatTimestamp(summary.published_at())},
              {"release_date", summary.release_date()},
              {"weights_license", summary.weights_license()},
              {"code_license", summary.code_license()},
              {"declared_openness", summary.declared_openness()},
              {"signer_key_ids", std::move(signers)}};
}

absl::Status RequireAdminToken(const CliConfig& config) {
  if (config.admin_token.empty()) {
    return absl::FailedPreconditionError(
        "PEDIGREE_ADMIN_TOKEN is not set: admin commands (namespace create, "
        "key add) need the registry's admin token");
  }
  return absl::OkStatus();
}

// --- the transparency log: pinned key, remembered checkpoint
// ------------------------------------------------

std::string ServerAddress(const CliConfig& config) {
  return config.server.empty() ? kDefaultServer : config.server;
}

// A pinned log key and where it came from.
struct PinnedLogKey {
  std::string key;
  std::string source;
};

// Returns the log key pinned for config.server: --log-key or
// PEDIGREE_LOG_KEY first, then the config file; nullopt if none.
absl::StatusOr<std::optional<PinnedLogKey>> FindLogKey(
    const CliConfig& config) {
  if (!config.log_key.empty()) {
    return std::optional<PinnedLogKey>(
        PinnedLogKey{config.log_key, "--log-key or PEDIGREE_LOG_KEY"});
  }
  absl::StatusOr<std::string> dir =
      ResolveConfigDir(config.xdg_config_home, config.home);
  if (!dir.ok()) return std::optional<PinnedLogKey>();
  const std::string config_file = ConfigFilePath(*dir);
  PEDIGREE_ASSIGN_OR_RETURN(
      std::optional<std::string> pinned,
      ReadPinnedLogKey(config_file, ServerAddress(config)));
  if (!pinned.has_value()) return std::optional<PinnedLogKey>();
  return std::optional<PinnedLogKey>(
      PinnedLogKey{*std::move(pinned), config_file});
}

absl::Status NoLogKeyError(const CliConfig& config, absl::string_view verb) {
  return absl::FailedPreconditionError(absl::StrCat(
      verb, ": no log key is pinned for the registry at ",
      ServerAddress(config),
      ": pin the registry's key with `pedigree log key --pin` (trust on first "
      "use) or give one with --log-key or PEDIGREE_LOG_KEY",
      verb == "verify" ? ", or pass --no-log to skip the log check" : ""));
}

absl::StatusOr<LogVerifier> MakeLogVerifier(const PinnedLogKey& pinned) {
  absl::StatusOr<LogVerifier> verifier = LogVerifier::Create(pinned.key);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("pinned log key (from ", pinned.source,
                     "): ", verifier.status().message()));
  }
  return verifier;
}

// The log state of one CLI run: the pinned key's verifier, the state file of
// config.server and a monitor over them.
class LogSession {
 public:
  static absl::StatusOr<std::unique_ptr<LogSession>> Open(
      const CliConfig& config, PedigreeClient& client,
      const PinnedLogKey& pinned) {
    PEDIGREE_ASSIGN_OR_RETURN(LogVerifier verifier, MakeLogVerifier(pinned));
    PEDIGREE_ASSIGN_OR_RETURN(
        const std::string dir,
        ResolveConfigDir(config.xdg_config_home, config.home));
    const std::string registry = ServerAddress(config);
    auto session = std::unique_ptr<LogSession>(
        new LogSession(StateFilePath(dir, registry), registry, pinned.key,
                       client, std::move(verifier)));
    return session;
  }

  LogMonitor& monitor() { return monitor_; }

 private:
  LogSession(std::string path, std::string registry, std::string key,
             PedigreeClient& client, LogVerifier verifier)
      : store_(std::move(path), std::move(registry), std::move(key)),
        monitor_(client, std::move(verifier), store_) {}

  FileCheckpointStore store_;
  LogMonitor monitor_;
};

// Returns a failure of the log stage: exit 3 when the registry could not be
// reached, else DataLoss (exit 1): a log that does not verify is a failed
// operation, never a usage error.
absl::Status LogError(const CliConfig& config, absl::string_view context,
                      const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnavailable ||
      status.code() == absl::StatusCode::kDeadlineExceeded) {
    return RegistryError(config, context, status);
  }
  return absl::DataLossError(absl::StrCat(context, status.message()));
}

// What a command reports about the log.
struct LogReport {
  bool checked = false;
  std::string reason;  // when not checked
  uint64_t log_index = 0;
  uint64_t tree_size = 0;
  std::string root_hash;  // lowercase hex
  std::string origin;
};

LogReport ReportFor(const RecordInclusion& inclusion) {
  LogReport report;
  report.checked = true;
  report.log_index = inclusion.proof.log_index;
  report.tree_size = inclusion.checkpoint.size;
  report.root_hash = core::HexEncode(inclusion.checkpoint.root_hash);
  report.origin = inclusion.checkpoint.origin;
  return report;
}

Json LogReportJson(const LogReport& report) {
  if (!report.checked) {
    return Json{{"checked", false}, {"reason", report.reason}};
  }
  return Json{{"checked", true},
              {"included", true},
              {"log_index", report.log_index},
              {"tree_size", report.tree_size},
              {"root_hash", report.root_hash},
              {"origin", report.origin}};
}

std::string LogReportLine(const LogReport& report) {
  if (!report.checked) {
    return absl::StrCat("log inclusion NOT checked (", report.reason, ")\n");
  }
  return absl::StrCat("log: included at index ", report.log_index,
                      " in checkpoint of size ", report.tree_size, "\n");
}

// Returns a problem line for a log failure.
std::string LogProblem(absl::string_view message) {
  if (absl::StartsWith(message, "LOG ")) return std::string(message);
  return absl::StrCat("LOG ", message);
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

  if (!publish.dry_run) {
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<PinnedLogKey> pinned,
                              FindLogKey(config));
    PedigreeClient client = MakeClient(config);
    std::unique_ptr<LogSession> log;
    if (pinned.has_value()) {
      PEDIGREE_ASSIGN_OR_RETURN(log, LogSession::Open(config, client, *pinned));
    }
    absl::StatusOr<v1::PublishRecordResponse> published =
        client.PublishRecord(envelope_json);
    if (!published.ok()) {
      return RegistryError(
          config, absl::StrCat("publish ", core::record::ToString(*ref), ": "),
          published.status());
    }
    LogReport report;
    if (log == nullptr) {
      report.reason = "no log key pinned";
      err << "pedigree: note: the log inclusion of "
          << published->record().record_digest()
          << " was NOT checked: no log key is pinned for "
          << ServerAddress(config) << " (see `pedigree log key --pin`)\n";
    } else {
      absl::StatusOr<RecordInclusion> inclusion =
          log->monitor().CheckPublished(published->inclusion(), envelope_json);
      if (!inclusion.ok()) {
        return LogError(
            config,
            absl::StrCat("publish ", core::record::ToString(*ref),
                         ": the registry accepted record ",
                         published->record().record_digest(),
                         ", but its log inclusion does not verify: "),
            inclusion.status());
      }
      report = ReportFor(*inclusion);
    }
    if (config.output == OutputFormat::kJson) {
      Json result = {{"record_digest", published->record().record_digest()},
                     {"ref", published->record().ref()},
                     {"root_digest", published->record().root_digest()},
                     {"key_id", key->key_id()},
                     {"already_existed", published->already_existed()},
                     {"log", LogReportJson(report)}};
      out << DumpJson(result) << "\n";
    } else {
      out << published->record().record_digest() << "\n";
      if (report.checked) out << LogReportLine(report);
    }
    return absl::OkStatus();
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
        << FileCount(hashed.manifest.entries().size())
        << ", root sha256:" << root << ") written to " << publish.envelope_out
        << "\n";
  }
  return absl::OkStatus();
}

// --- namespace create, key add
// -----------------------------------------------------

absl::Status RunNamespaceCreate(const CliConfig& config, std::ostream& out) {
  const std::string& name = config.namespace_create.name;
  PEDIGREE_RETURN_IF_ERROR(RequireAdminToken(config));
  absl::Status valid = core::record::ValidateModelNamespace(name);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("namespace ", Quoted(name), ": ", valid.message()));
  }
  PedigreeClient client = MakeClient(config);
  absl::StatusOr<v1::Namespace> created = client.CreateNamespace(name);
  if (!created.ok()) {
    return RegistryError(config, absl::StrCat("namespace create ", name, ": "),
                         created.status());
  }
  if (config.output == OutputFormat::kJson) {
    out << DumpJson({{"name", created->name()},
                     {"created_at", FormatTimestamp(created->created_at())}})
        << "\n";
  } else {
    out << "created namespace " << created->name() << "\n";
  }
  return absl::OkStatus();
}

absl::Status RunKeyAdd(const CliConfig& config, std::ostream& out) {
  const KeyAddConfig& key_add = config.key_add;
  PEDIGREE_RETURN_IF_ERROR(RequireAdminToken(config));
  std::string pem;
  PEDIGREE_RETURN_IF_ERROR(ReadSmallFile(key_add.public_key, "public key file",
                                         kMaxKeyFileSize, &pem));
  // Refuse a bad file here, with its name, rather than after a round trip.
  absl::StatusOr<core::crypto::PublicKey> key =
      core::crypto::PublicKey::FromPem(pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("public key file ", Quoted(key_add.public_key), ": ",
                     key.status().message()));
  }
  PedigreeClient client = MakeClient(config);
  absl::StatusOr<v1::Key> added = client.AddKey(key_add.namespace_name, pem);
  if (!added.ok()) {
    return RegistryError(config,
                         absl::StrCat("key add ", key_add.namespace_name, ": "),
                         added.status());
  }
  if (config.output == OutputFormat::kJson) {
    out << DumpJson({{"key_id", added->key_id()},
                     {"namespace", added->namespace_name()},
                     {"type", added->key_type()},
                     {"added_at", FormatTimestamp(added->added_at())}})
        << "\n";
  } else {
    out << added->key_id() << "\n";
  }
  return absl::OkStatus();
}

// --- verify
// --------------------------------------------------------------------

// What `verify --policy` found.
struct PolicyReport {
  std::string file;
  // False when the record did not verify (nothing to judge).
  bool evaluated = false;
  std::vector<PolicyViolation> violations;
};

Json PolicyReportJson(const PolicyReport& report) {
  Json violations = Json::array();
  for (const PolicyViolation& violation : report.violations) {
    violations.push_back(
        {{"rule", violation.rule}, {"message", violation.message}});
  }
  return {{"file", report.file},
          {"evaluated", report.evaluated},
          {"passed", report.evaluated && report.violations.empty()},
          {"violations", std::move(violations)}};
}

void PrintPolicyReport(const PolicyReport& report, std::ostream& out) {
  if (!report.evaluated) {
    out << "policy " << report.file
        << " NOT evaluated: the record did not verify\n";
  } else if (report.violations.empty()) {
    out << "policy " << report.file << " passed\n";
  }
  for (const PolicyViolation& violation : report.violations) {
    out << "POLICY " << violation.rule << ": " << violation.message << "\n";
  }
}

void PrintVerification(const CliConfig& config, const Verification& result,
                       const LogReport& log, std::ostream& out,
                       const PolicyReport* policy = nullptr) {
  if (config.output == OutputFormat::kJson) {
    Json files = Json::array();
    for (const FileCheck& file : result.files) {
      files.push_back({{"path", file.path},
                       {"verdict", FileVerdictName(file.verdict)},
                       {"expected", file.expected_sha256},
                       {"actual", file.actual_sha256}});
    }
    Json problems = Json::array();
    for (const std::string& problem : result.problems) {
      problems.push_back(problem);
    }
    Json json = {{"verified", result.verified},
                 {"ref", result.ref},
                 {"record_digest", result.record_digest},
                 {"root_digest", result.root_digest},
                 {"local_root_digest", result.local_root_digest},
                 {"signer", result.signer_key_id},
                 {"files", std::move(files)},
                 {"problems", std::move(problems)},
                 {"log", LogReportJson(log)}};
    if (policy != nullptr) json["policy"] = PolicyReportJson(*policy);
    out << DumpJson(json) << "\n";
    return;
  }
  if (result.verified) {
    out << "verified " << result.ref << " (" << FileCount(result.files.size())
        << ", root sha256:" << result.root_digest << ") signed by "
        << result.signer_key_id << "\n"
        << LogReportLine(log);
  } else {
    for (const std::string& problem : result.problems) {
      out << problem << "\n";
    }
  }
  if (policy != nullptr) PrintPolicyReport(*policy, out);
}

// Reports `result` and sets *verified; loud on stderr when it failed.
void FinishVerify(const CliConfig& config, const Verification& result,
                  const LogReport& log, std::ostream& out, std::ostream& err,
                  bool* verified, const PolicyReport* policy = nullptr) {
  PrintVerification(config, result, log, out, policy);
  *verified = result.verified;
  if (policy != nullptr && !policy->violations.empty()) {
    *verified = false;
    err << "pedigree: policy " << policy->file
        << " failed: " << policy->violations.size()
        << (policy->violations.size() == 1 ? " violation" : " violations")
        << "\n";
  }
  if (!result.verified) {
    for (const std::string& problem : result.problems) {
      if (absl::StartsWith(problem, "LOG "))
        err << "pedigree: " << problem << "\n";
    }
    err << "pedigree: verification failed: " << result.problems.size()
        << (result.problems.size() == 1 ? " problem" : " problems") << "\n";
  }
}

absl::StatusOr<std::optional<core::record::ModelRef>> ExpectedRef(
    const VerifyConfig& verify) {
  if (verify.model.empty()) return std::optional<core::record::ModelRef>();
  absl::StatusOr<core::record::ModelRef> ref =
      core::record::ParseModelRef(verify.model);
  if (!ref.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--model: ", ref.status().message()));
  }
  return std::optional<core::record::ModelRef>(*std::move(ref));
}

// verify DIR --bundle FILE --trusted-key PEM: no registry at all.
absl::Status RunVerifyBundle(const CliConfig& config, std::ostream& out,
                             std::ostream& err, bool* verified) {
  const VerifyConfig& verify = config.verify;
  if (verify.trusted_key.empty()) {
    return absl::InvalidArgumentError(
        "--bundle needs --trusted-key: the publisher's public key file (the "
        "bundle's own keys are never trusted)");
  }
  if (verify.no_log) {
    return absl::InvalidArgumentError(
        "--no-log cannot be used with --bundle: a bundle is verified against "
        "the log");
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<core::record::ModelRef> expected,
                            ExpectedRef(verify));
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<PinnedLogKey> pinned,
                            FindLogKey(config));
  if (!pinned.has_value()) {
    return absl::FailedPreconditionError(
        "verify --bundle: no log key: give the log's verifier key with "
        "--log-key or PEDIGREE_LOG_KEY");
  }
  PEDIGREE_ASSIGN_OR_RETURN(LogVerifier log, MakeLogVerifier(*pinned));
  std::string pem;
  PEDIGREE_RETURN_IF_ERROR(ReadSmallFile(verify.trusted_key, "trusted key file",
                                         kMaxKeyFileSize, &pem));
  absl::StatusOr<core::crypto::PublicKey> trusted =
      core::crypto::PublicKey::FromPem(pem);
  if (!trusted.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("trusted key file ", Quoted(verify.trusted_key), ": ",
                     trusted.status().message()));
  }
  std::string text;
  PEDIGREE_RETURN_IF_ERROR(
      ReadSmallFile(verify.bundle, "bundle file", kMaxBundleSize, &text));
  absl::StatusOr<Bundle> bundle = ParseBundle(text);
  if (!bundle.ok()) {
    return absl::DataLossError(absl::StrCat("bundle ", Quoted(verify.bundle),
                                            ": ", bundle.status().message()));
  }
  PEDIGREE_ASSIGN_OR_RETURN(DirectoryManifest hashed,
                            Hash(verify.directory, verify.signature_file,
                                 verify.threads, config.progress, err));
  PEDIGREE_ASSIGN_OR_RETURN(BundleVerification result,
                            VerifyBundle(*bundle, hashed.manifest,
                                         {*std::move(trusted)}, log, expected));
  LogReport report;
  if (result.log_verified) {
    report.checked = true;
    report.log_index = result.log_index;
    report.tree_size = result.checkpoint.size;
    report.root_hash = core::HexEncode(result.checkpoint.root_hash);
    report.origin = result.checkpoint.origin;
  } else {
    report.reason = "the bundle's log proof does not verify";
  }
  FinishVerify(config, result.verification, report, out, err, verified);
  return absl::OkStatus();
}

absl::Status RunVerify(const CliConfig& config, std::ostream& out,
                       std::ostream& err, bool* verified) {
  const VerifyConfig& verify = config.verify;
  // The policy first: a bad policy file fails before any work.
  std::optional<Policy> policy;
  if (!verify.policy.empty()) {
    if (!verify.bundle.empty()) {
      return absl::InvalidArgumentError(
          "--policy cannot be used with --bundle: the policy reads the "
          "registry's judgment");
    }
    PEDIGREE_ASSIGN_OR_RETURN(policy, ReadPolicyFile(verify.policy));
  }
  if (!verify.bundle.empty()) {
    return RunVerifyBundle(config, out, err, verified);
  }
  if (!verify.trusted_key.empty()) {
    return absl::InvalidArgumentError("--trusted-key needs --bundle");
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<core::record::ModelRef> expected,
                            ExpectedRef(verify));
  std::optional<PinnedLogKey> pinned;
  if (!verify.no_log) {
    PEDIGREE_ASSIGN_OR_RETURN(pinned, FindLogKey(config));
    if (!pinned.has_value()) return NoLogKeyError(config, "verify");
    PEDIGREE_RETURN_IF_ERROR(MakeLogVerifier(*pinned).status());
  }
  PEDIGREE_ASSIGN_OR_RETURN(DirectoryManifest hashed,
                            Hash(verify.directory, verify.signature_file,
                                 verify.threads, config.progress, err));
  const core::manifest::Manifest& local = hashed.manifest;
  const std::string local_root = core::HexEncode(local.RootDigest());

  PedigreeClient client = MakeClient(config);
  const std::string ref_text =
      expected.has_value() ? core::record::ToString(*expected) : "";
  absl::StatusOr<v1::VerifyArtifactsResponse> response =
      client.VerifyArtifacts(VerifyRequestFor(local, ref_text));
  const v1::RecordMatch* chosen = nullptr;
  if (response.ok()) {
    // Prefer the record whose root digest is the local one; otherwise the
    // registry's best candidate, whose differences are then reported.
    for (const v1::RecordMatch& match : response->matches()) {
      if (match.record().root_digest() == local_root) {
        chosen = &match;
        break;
      }
    }
    if (chosen == nullptr && response->matches_size() > 0) {
      chosen = &response->matches(0);
    }
  } else if (response.status().code() != absl::StatusCode::kNotFound) {
    return RegistryError(config, "verify: ", response.status());
  }

  Verification result;
  if (chosen == nullptr) {
    result.local_root_digest = local_root;
    result.problems.push_back(
        expected.has_value()
            ? absl::StrCat("UNKNOWN ", ref_text, " is not in the registry")
            : absl::StrCat("UNKNOWN no record in the registry holds these "
                           "files (root sha256:",
                           local_root, ")"));
  } else {
    PEDIGREE_ASSIGN_OR_RETURN(
        result, VerifyAgainstRecord(local, AnswerFromProto(*chosen), expected));
  }

  LogReport report;
  if (verify.no_log) {
    report.reason = "--no-log";
  } else if (!result.verified) {
    report.reason = "the record did not verify";
  } else {
    // The record digest and envelope are authenticated by now; prove that
    // this very envelope is in the log the pinned key signs.
    PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<LogSession> log,
                              LogSession::Open(config, client, *pinned));
    absl::StatusOr<RecordInclusion> inclusion =
        log->monitor().ProveRecord(result.record_digest, chosen->envelope());
    if (inclusion.ok()) {
      report = ReportFor(*inclusion);
    } else if (inclusion.status().code() == absl::StatusCode::kUnavailable ||
               inclusion.status().code() ==
                   absl::StatusCode::kDeadlineExceeded) {
      return RegistryError(config, "verify: ", inclusion.status());
    } else {
      report.reason = "the log inclusion does not verify";
      result.problems.push_back(LogProblem(inclusion.status().message()));
      result.verified = false;
    }
  }
  // The policy judges only a record that verified.
  std::optional<PolicyReport> policy_report;
  if (policy.has_value()) {
    policy_report.emplace();
    policy_report->file = verify.policy;
    if (result.verified) {
      absl::StatusOr<PolicyInputs> inputs = FetchPolicyInputs(
          client, *policy, result.record_digest, chosen->envelope());
      if (!inputs.ok()) {
        const absl::StatusCode code = inputs.status().code();
        if (code == absl::StatusCode::kUnavailable ||
            code == absl::StatusCode::kDeadlineExceeded) {
          return RegistryError(config, "verify --policy: ", inputs.status());
        }
        // The record verified, so any other failure is the registry's.
        return absl::DataLossError(
            absl::StrCat("verify --policy: cannot read the registry's "
                         "judgment: ",
                         inputs.status().message()));
      }
      policy_report->evaluated = true;
      policy_report->violations =
          EvaluatePolicy(*policy, inputs->record, inputs->lineage);
    }
  }
  FinishVerify(config, result, report, out, err, verified,
               policy_report.has_value() ? &*policy_report : nullptr);
  return absl::OkStatus();
}

// --- show, history, search
// ------------------------------------------------------

absl::StatusOr<v1::GetRecordResponse> FetchRecord(const CliConfig& config,
                                                  PedigreeClient& client,
                                                  const std::string& model,
                                                  absl::string_view verb) {
  absl::StatusOr<v1::GetRecordResponse> record;
  if (absl::StrContains(model, '@')) {
    absl::StatusOr<core::record::ModelRef> ref =
        core::record::ParseModelRef(model);
    if (!ref.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(verb, ": ", ref.status().message()));
    }
    record = client.GetRecordByRef(model);
  } else {
    absl::StatusOr<core::record::ModelRef> id =
        core::record::ParseModelId(model);
    if (!id.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(verb, ": ", id.status().message()));
    }
    record = client.GetLatestRecord(model);
  }
  if (!record.ok()) {
    return RegistryError(config, absl::StrCat(verb, " ", model, ": "),
                         record.status());
  }
  return record;
}

// --- the registry's judgment (docs/judgment.md), shown by show and lineage

// `text` from the registry on one terminal line: control characters
// (including newlines) become '?'.
std::string OneLine(absl::string_view text) {
  std::string line(text);
  for (char& c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return line;
}

// The judgment of a GetRecord answer, or nullptr when the registry has none
// (a judgment without a label counts as none: it cannot be read).
const v1::Judgment* JudgmentOf(const v1::GetRecordResponse& response) {
  if (!response.has_judgment() || response.judgment().label().empty()) {
    return nullptr;
  }
  return &response.judgment();
}

Json ReasonsJson(
    const google::protobuf::RepeatedPtrField<v1::JudgmentReason>& reasons) {
  Json list = Json::array();
  for (const v1::JudgmentReason& reason : reasons) {
    list.push_back({{"rule", reason.rule()}, {"message", reason.message()}});
  }
  return list;
}

// The judgment as JSON, mirroring pedigree.v1.Judgment field by field (proto
// field names, every field present); null when there is none.
// monthly_active_users_limit is null when there is no limit (the proto's 0).
Json JudgmentJson(const v1::Judgment* judgment) {
  if (judgment == nullptr) return Json(nullptr);
  const v1::Obligations& obligations = judgment->obligations();
  Json licenses = Json::array();
  for (const v1::BindingLicense& license : obligations.licenses()) {
    licenses.push_back({{"license_id", license.license_id()},
                        {"from_ref", license.from_ref()},
                        {"via", license.via()},
                        {"traced_to_licensor", license.traced_to_licensor()}});
  }
  Json flags = Json::array();
  for (const v1::JudgmentFlag& flag : judgment->flags()) {
    flags.push_back({{"kind", flag.kind()},
                     {"message", flag.message()},
                     {"ancestor", flag.ancestor()}});
  }
  Json limit = obligations.monthly_active_users_limit() == 0
                   ? Json(nullptr)
                   : Json(obligations.monthly_active_users_limit());
  return Json{
      {"rule_set_version", judgment->rule_set_version()},
      {"declared_weights_license", judgment->declared_weights_license()},
      {"label", judgment->label()},
      {"label_reasons", ReasonsJson(judgment->label_reasons())},
      {"mof_class", judgment->mof_class()},
      {"mof_reasons", ReasonsJson(judgment->mof_reasons())},
      {"mof_warnings", ReasonsJson(judgment->mof_warnings())},
      {"obligations",
       {{"licenses", std::move(licenses)},
        {"commercial_use", obligations.commercial_use()},
        {"monthly_active_users_limit", std::move(limit)},
        {"use_restrictions", obligations.use_restrictions()},
        {"attribution_texts",
         std::vector<std::string>(obligations.attribution_texts().begin(),
                                  obligations.attribution_texts().end())},
        {"name_prefixes",
         std::vector<std::string>(obligations.name_prefixes().begin(),
                                  obligations.name_prefixes().end())}}},
      {"flags", std::move(flags)}};
}

void PrintReasons(
    const google::protobuf::RepeatedPtrField<v1::JudgmentReason>& reasons,
    absl::string_view prefix, std::ostream& out) {
  for (const v1::JudgmentReason& reason : reasons) {
    out << "    " << prefix << OneLine(reason.rule()) << ": "
        << OneLine(reason.message()) << "\n";
  }
}

// Prints the judgment section of `pedigree show`:
//
//   judgment (pedigree-rules/3)
//     label        open_weight_restricted
//       label.weights_license_restricted: ...
//     mof class    none
//       mof.class_iii.model_architecture_not_stated: ...
//       warning mof.final_parameters_license_wrong_type: ...
//     obligations
//       license    MIT (declared by this record)
//       license    LicenseRef-Llama-3.1-Community (from acme/base@v1 via
//                  finetune)
//       commercial use     allowed | NOT allowed
//       user limit         700000000 monthly active users | none
//       use restrictions   yes | no
//       attribution        "Built with Llama"
//       name prefix        "Llama"
//     flags        2 | none
//   FLAG declared_license_differs_from_inherited: ... (ancestor acme/base@v1)
void PrintJudgment(const v1::Judgment* judgment, std::ostream& out) {
  if (judgment == nullptr) {
    out << "judgment: none (the registry has not judged this record)\n";
    return;
  }
  out << "judgment (" << OneLine(judgment->rule_set_version()) << ")\n";
  out << "  label        " << OneLine(judgment->label()) << "\n";
  PrintReasons(judgment->label_reasons(), "", out);
  out << "  mof class    " << OneLine(judgment->mof_class()) << "\n";
  PrintReasons(judgment->mof_reasons(), "", out);
  PrintReasons(judgment->mof_warnings(), "warning ", out);
  const v1::Obligations& obligations = judgment->obligations();
  out << "  obligations\n";
  for (const v1::BindingLicense& license : obligations.licenses()) {
    out << "    license            " << OneLine(license.license_id());
    if (license.from_ref().empty()) {
      out << " (declared by this record)\n";
    } else {
      out << " (from " << OneLine(license.from_ref());
      if (!license.via().empty()) out << " via " << OneLine(license.via());
      out << ")\n";
    }
  }
  if (obligations.licenses_size() == 0) {
    out << "    license            none binding\n";
  }
  out << "    commercial use     "
      << (obligations.commercial_use() ? "allowed" : "NOT allowed") << "\n";
  out << "    user limit         ";
  if (obligations.monthly_active_users_limit() == 0) {
    out << "none\n";
  } else {
    out << obligations.monthly_active_users_limit()
        << " monthly active users\n";
  }
  out << "    use restrictions   "
      << (obligations.use_restrictions() ? "yes" : "no") << "\n";
  for (const std::string& text : obligations.attribution_texts()) {
    out << "    attribution        " << Quoted(text) << "\n";
  }
  for (const std::string& prefix : obligations.name_prefixes()) {
    out << "    name prefix        " << Quoted(prefix) << "\n";
  }
  if (judgment->flags_size() == 0) {
    out << "  flags        none\n";
    return;
  }
  out << "  flags        " << judgment->flags_size() << "\n";
  for (const v1::JudgmentFlag& flag : judgment->flags()) {
    out << "FLAG " << OneLine(flag.kind()) << ": " << OneLine(flag.message());
    if (!flag.ancestor().empty()) {
      out << " (ancestor " << OneLine(flag.ancestor()) << ")";
    }
    out << "\n";
  }
}

absl::Status RunShow(const CliConfig& config, std::ostream& out) {
  PedigreeClient client = MakeClient(config);
  PEDIGREE_ASSIGN_OR_RETURN(
      v1::GetRecordResponse response,
      FetchRecord(config, client, config.show.model, "show"));
  const v1::RecordSummary& summary = response.summary();
  const v1::Record& record = response.record();
  if (config.output == OutputFormat::kJson) {
    Json signers = Json::array();
    for (const v1::Key& key : response.signers()) {
      Json signer = ProtoJson(key);
      signer.erase("public_key_pem");
      signers.push_back(std::move(signer));
    }
    out << DumpJson({{"summary", SummaryJson(summary)},
                     {"record", ProtoJson(record)},
                     {"signers", std::move(signers)},
                     {"judgment", JudgmentJson(JudgmentOf(response))}})
        << "\n";
    return absl::OkStatus();
  }
  uint64_t total_size = 0;
  for (const v1::ArtifactFile& file : record.files()) total_size += file.size();
  out << summary.ref() << "\n";
  if (!record.description().empty()) {
    out << "  " << absl::StrReplaceAll(record.description(), {{"\n", " "}})
        << "\n";
  }
  out << "  record     " << summary.record_digest() << "\n"
      << "  root       sha256:" << summary.root_digest() << " ("
      << FileCount(static_cast<size_t>(record.files_size())) << ", "
      << HumanBytes(total_size) << ")\n"
      << "  published  " << FormatTimestamp(summary.published_at()) << "\n"
      << "  released   " << record.release_date() << "\n"
      << "  publisher  " << record.publisher_organization();
  if (!record.publisher_jurisdiction().empty()) {
    out << " (" << record.publisher_jurisdiction() << ")";
  }
  out << "\n"
      << "  licenses   weights " << record.weights_license() << ", code "
      << record.code_license() << "\n";
  int published = 0;
  int partial = 0;
  for (const v1::OpennessComponent& component : record.openness_components()) {
    if (component.status() == "published") ++published;
    if (component.status() == "partial") ++partial;
  }
  out << "  openness   " << record.openness_claim() << " (declared); "
      << published << " of " << record.openness_components_size()
      << " components published, " << partial << " partial\n";
  if (record.datasets_size() > 0) {
    out << "  datasets\n";
    for (const v1::Dataset& dataset : record.datasets()) {
      out << "    " << dataset.name() << " (" << dataset.role() << ", "
          << dataset.disclosure();
      if (!dataset.license().empty()) out << ", " << dataset.license();
      if (dataset.synthetic()) out << ", synthetic";
      out << ")\n";
    }
  }
  if (record.parents_size() > 0) {
    out << "  parents\n";
    for (const v1::Parent& parent : record.parents()) {
      out << "    [" << parent.relation() << "] " << parent.ref();
      if (!parent.method().empty()) out << " method " << parent.method();
      out << "\n";
    }
  }
  for (const v1::Key& key : response.signers()) {
    out << "  signed by  " << key.key_id() << " ("
        << (key.status() == v1::KEY_STATUS_ACTIVE ? "active" : "revoked")
        << ")\n";
  }
  PrintJudgment(JudgmentOf(response), out);
  return absl::OkStatus();
}

absl::Status RunHistory(const CliConfig& config, std::ostream& out) {
  const std::string& model = config.history.model;
  absl::StatusOr<core::record::ModelRef> id = core::record::ParseModelId(model);
  if (!id.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("history: ", id.status().message()));
  }
  PedigreeClient client = MakeClient(config);
  absl::StatusOr<std::vector<v1::VersionEntry>> versions =
      client.ListAllVersions(model);
  if (!versions.ok()) {
    return RegistryError(config, absl::StrCat("history ", model, ": "),
                         versions.status());
  }
  if (config.output == OutputFormat::kJson) {
    Json entries = Json::array();
    for (const v1::VersionEntry& version : *versions) {
      entries.push_back(
          {{"version", version.version()},
           {"record_digest", version.record_digest()},
           {"published_at", FormatTimestamp(version.published_at())},
           {"release_date", version.release_date()}});
    }
    out << DumpJson({{"model", model}, {"versions", std::move(entries)}})
        << "\n";
    return absl::OkStatus();
  }
  for (const v1::VersionEntry& version : *versions) {
    out << version.version() << "  published "
        << FormatTimestamp(version.published_at()) << "  released "
        << version.release_date() << "  " << version.record_digest() << "\n";
  }
  return absl::OkStatus();
}

absl::Status RunSearch(const CliConfig& config, std::ostream& out) {
  const SearchConfig& search = config.search;
  if (!search.relation.empty() && search.parent.empty()) {
    return absl::InvalidArgumentError("--relation: needs --parent");
  }
  v1::SearchRecordsRequest request;
  request.set_namespace_name(search.namespace_name);
  request.set_name_prefix(search.name_prefix);
  request.set_license(search.license);
  request.set_declared_openness(search.openness);
  request.set_dataset_name(search.dataset);
  request.set_parent_ref(search.parent);
  request.set_relation(search.relation);
  PedigreeClient client = MakeClient(config);
  absl::StatusOr<std::vector<v1::RecordSummary>> records =
      client.SearchAllRecords(request);
  if (!records.ok()) {
    return RegistryError(config, "search: ", records.status());
  }
  if (config.output == OutputFormat::kJson) {
    Json entries = Json::array();
    for (const v1::RecordSummary& record : *records) {
      entries.push_back(SummaryJson(record));
    }
    out << DumpJson({{"records", std::move(entries)}}) << "\n";
    return absl::OkStatus();
  }
  for (const v1::RecordSummary& record : *records) {
    out << record.ref() << "  " << record.declared_openness() << "  "
        << record.weights_license() << "  published "
        << FormatTimestamp(record.published_at()) << "\n";
  }
  return absl::OkStatus();
}

// --- lineage
// -------------------------------------------------------------------

LineageSide SideFromProto(v1::LineageSide side) {
  switch (side) {
    case v1::LINEAGE_SIDE_ANCESTOR:
      return LineageSide::kAncestor;
    case v1::LINEAGE_SIDE_DESCENDANT:
      return LineageSide::kDescendant;
    default:
      return LineageSide::kStart;
  }
}

absl::Status RunLineage(const CliConfig& config, std::ostream& out) {
  const LineageConfig& lineage = config.lineage;
  if (lineage.depth < 0) {
    return absl::InvalidArgumentError("--depth: must not be negative");
  }
  for (const std::string& relation : lineage.relations) {
    absl::StatusOr<core::record::Relation> parsed =
        core::record::ParseRelation(relation);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--relation: ", parsed.status().message()));
    }
  }
  PedigreeClient client = MakeClient(config);
  std::string ref = lineage.model;
  if (!absl::StrContains(ref, '@')) {
    PEDIGREE_ASSIGN_OR_RETURN(v1::GetRecordResponse latest,
                              FetchRecord(config, client, ref, "lineage"));
    ref = latest.summary().ref();
  } else {
    absl::StatusOr<core::record::ModelRef> parsed =
        core::record::ParseModelRef(ref);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("lineage: ", parsed.status().message()));
    }
  }
  v1::GetLineageRequest request;
  request.set_ref(ref);
  switch (lineage.direction) {
    case LineageDirection::kUp:
      request.set_direction(v1::LINEAGE_DIRECTION_ANCESTORS);
      break;
    case LineageDirection::kDown:
      request.set_direction(v1::LINEAGE_DIRECTION_DESCENDANTS);
      break;
    case LineageDirection::kBoth:
      request.set_direction(v1::LINEAGE_DIRECTION_BOTH);
      break;
  }
  request.set_max_depth(lineage.depth);
  for (const std::string& relation : lineage.relations) {
    request.add_relations(relation);
  }
  absl::StatusOr<v1::GetLineageResponse> response = client.GetLineage(request);
  if (!response.ok()) {
    return RegistryError(config, absl::StrCat("lineage ", ref, ": "),
                         response.status());
  }
  LineageView view;
  for (const v1::LineageNode& node : response->nodes()) {
    LineageNodeView node_view;
    node_view.id = node.record().record_digest();
    node_view.label = node.record().ref();
    node_view.side = SideFromProto(node.side());
    node_view.distance = node.distance();
    if (!node.record().weights_license().empty()) {
      node_view.notes.push_back(node.record().weights_license());
    }
    if (node.has_judgment() && !node.judgment().label().empty()) {
      NodeJudgmentView judgment;
      judgment.label = node.judgment().label();
      judgment.mof_class = node.judgment().mof_class();
      for (const v1::JudgmentFlag& flag : node.judgment().flags()) {
        judgment.flags.push_back(flag.kind());
      }
      node_view.judgment = std::move(judgment);
    } else {
      // Never clean-looking: say that the registry has no judgment.
      node_view.notes.push_back("not judged");
    }
    view.nodes.push_back(std::move(node_view));
  }
  for (const v1::LineageEdge& edge : response->edges()) {
    view.edges.push_back(LineageEdgeView{edge.child_record_digest(),
                                         edge.parent_record_digest(),
                                         edge.relation()});
  }
  LineageFormat format = lineage.format;
  if (config.output == OutputFormat::kJson) format = LineageFormat::kJson;
  switch (format) {
    case LineageFormat::kTree:
      out << RenderTree(view);
      break;
    case LineageFormat::kJson:
      out << RenderJson(view);
      break;
    case LineageFormat::kDot:
      out << RenderDot(view);
      break;
  }
  return absl::OkStatus();
}

// --- datasets used-by
// ---------------------------------------------------------

// The lowercase hex digest of a --sha256 argument: 64 hex digits, any case,
// optionally prefixed "sha256:".
absl::StatusOr<std::string> DatasetDigest(absl::string_view text) {
  absl::string_view hex = text;
  absl::ConsumePrefix(&hex, "sha256:");
  std::string digest = absl::AsciiStrToLower(hex);
  if (!core::IsLowerHex(digest, 32)) {
    return absl::InvalidArgumentError(
        absl::StrCat("datasets used-by --sha256: ", Quoted(text),
                     " is not a SHA-256 digest (64 hex digits)"));
  }
  return digest;
}

absl::Status RunDatasetsUsedBy(const CliConfig& config, std::ostream& out) {
  const DatasetsUsedByConfig& used_by = config.datasets_used_by;
  v1::ListDatasetUsersRequest request;
  std::string described;  // "dataset NAME" or "a dataset with sha256 HEX"
  if (used_by.by_sha256) {
    PEDIGREE_ASSIGN_OR_RETURN(std::string digest,
                              DatasetDigest(used_by.dataset));
    described = absl::StrCat("a dataset with sha256 ", digest);
    request.set_sha256(std::move(digest));
  } else {
    if (used_by.dataset.empty()) {
      return absl::InvalidArgumentError(
          "datasets used-by: the dataset name must not be empty");
    }
    described = absl::StrCat("dataset ", OneLine(used_by.dataset));
    request.set_name(used_by.dataset);
  }
  request.set_downstream(used_by.downstream);
  PedigreeClient client = MakeClient(config);
  absl::StatusOr<std::vector<v1::DatasetUser>> users =
      client.ListAllDatasetUsers(request, kMaxDatasetUsers);
  if (!users.ok()) {
    if (users.status().code() == absl::StatusCode::kOutOfRange) {
      // Too many to list: an operation failure, not a usage error.
      return absl::ResourceExhaustedError(
          absl::StrCat("datasets used-by: ", users.status().message(),
                       "; refusing to print a partial list"));
    }
    return RegistryError(config, "datasets used-by: ", users.status());
  }
  if (config.output == OutputFormat::kJson) {
    Json entries = Json::array();
    for (const v1::DatasetUser& user : *users) {
      Json uses = Json::array();
      for (const v1::DatasetUse& use : user.uses()) {
        uses.push_back({{"name", use.name()},
                        {"role", use.role()},
                        {"disclosure", use.disclosure()}});
      }
      const bool direct = user.distance() == 0;
      entries.push_back(
          {{"record", SummaryJson(user.record())},
           {"uses", std::move(uses)},
           {"distance", user.distance()},
           {"via_record_digest",
            direct ? Json(nullptr) : Json(user.via_record_digest())},
           {"via_ref", direct ? Json(nullptr) : Json(user.via_ref())}});
    }
    Json dataset = used_by.by_sha256 ? Json{{"sha256", request.sha256()}}
                                     : Json{{"name", request.name()}};
    out << DumpJson({{"dataset", std::move(dataset)},
                     {"downstream", used_by.downstream},
                     {"users", std::move(entries)}})
        << "\n";
    return absl::OkStatus();
  }
  if (users->empty()) {
    out << "no record declares " << described << "\n";
    return absl::OkStatus();
  }
  size_t direct = 0;
  for (const v1::DatasetUser& user : *users) {
    if (user.distance() == 0) ++direct;
  }
  out << "trained on " << described << ": " << direct
      << (direct == 1 ? " record" : " records") << "\n";
  bool downstream_heading = false;
  for (const v1::DatasetUser& user : *users) {
    if (user.distance() == 0) {
      out << "  " << OneLine(user.record().ref());
      for (int i = 0; i < user.uses_size(); ++i) {
        const v1::DatasetUse& use = user.uses(i);
        out << (i == 0 ? "  " : "; ") << OneLine(use.name()) << " ("
            << OneLine(use.role()) << ", " << OneLine(use.disclosure()) << ")";
      }
      out << "\n";
      continue;
    }
    if (!downstream_heading) {
      out << "downstream: " << users->size() - direct
          << (users->size() - direct == 1 ? " record" : " records") << "\n";
      downstream_heading = true;
    }
    out << "  " << OneLine(user.record().ref()) << "  via "
        << OneLine(user.via_ref()) << " (distance " << user.distance() << ")\n";
  }
  if (used_by.downstream && !downstream_heading) {
    out << "downstream: none\n";
  }
  return absl::OkStatus();
}

// --- log key, log checkpoint, bundle
// ------------------------------------------------

absl::Status RunLogKey(const CliConfig& config, std::ostream& out) {
  const std::string registry = ServerAddress(config);
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<PinnedLogKey> pinned,
                            FindLogKey(config));
  PedigreeClient client = MakeClient(config);
  absl::StatusOr<v1::GetCheckpointResponse> response = client.GetCheckpoint();
  if (!response.ok()) {
    return RegistryError(config, "log key: ", response.status());
  }
  const std::string& stated = response->log_verifier_key();
  // The stated key must at least sign the registry's own checkpoint.
  absl::StatusOr<LogVerifier> stated_verifier = LogVerifier::Create(stated);
  if (!stated_verifier.ok()) {
    return absl::DataLossError(
        absl::StrCat("log key: the registry states a malformed log key: ",
                     stated_verifier.status().message()));
  }
  absl::Status signs =
      stated_verifier->OpenCheckpoint(response->checkpoint().note()).status();
  if (!signs.ok()) {
    return absl::DataLossError(absl::StrCat(
        "log key: the registry's checkpoint does not verify with the key it "
        "states: ",
        signs.message()));
  }

  if (!config.log_key_command.pin) {
    const bool same = pinned.has_value() && pinned->key == stated;
    if (config.output == OutputFormat::kJson) {
      out << DumpJson({{"registry", registry},
                       {"log_key", stated},
                       {"verified", false},
                       {"pinned_key", pinned.has_value() ? pinned->key : ""},
                       {"matches_pinned", same}})
          << "\n";
      return absl::OkStatus();
    }
    out << stated << "\n"
        << "(UNVERIFIED: the key the registry at " << registry
        << " states; compare it with one obtained out of band before pinning "
           "it with `pedigree log key --pin`)\n";
    if (pinned.has_value()) {
      out << (same ? "pinned: the same key (from "
                   : "pinned: a DIFFERENT key (from ")
          << pinned->source << ")"
          << (same ? "" : absl::StrCat(": ", pinned->key)) << "\n";
    }
    return absl::OkStatus();
  }

  // --pin: the key given by --log-key (checked against the registry's
  // checkpoint), else the registry's own (trust on first use).
  const bool from_flag = !config.log_key.empty();
  const std::string key = from_flag ? config.log_key : stated;
  PEDIGREE_ASSIGN_OR_RETURN(
      LogVerifier verifier,
      MakeLogVerifier(PinnedLogKey{key, from_flag ? "--log-key" : "registry"}));
  PEDIGREE_ASSIGN_OR_RETURN(
      const std::string dir,
      ResolveConfigDir(config.xdg_config_home, config.home));
  const std::string config_file = ConfigFilePath(dir);
  absl::StatusOr<std::optional<std::string>> existing =
      ReadPinnedLogKey(config_file, registry);
  if (!existing.ok()) return existing.status();
  if (existing->has_value() && **existing != key) {
    return absl::DataLossError(absl::StrCat(
        "log key --pin: ", config_file, " already pins another log key for ",
        registry, ": ", **existing, "; the registry now states ", stated,
        ". Refusing to replace it: if the registry really changed its log "
        "key, edit that file"));
  }
  std::unique_ptr<LogSession> log;
  PEDIGREE_ASSIGN_OR_RETURN(
      log, LogSession::Open(config, client, PinnedLogKey{key, config_file}));
  absl::StatusOr<VerifiedCheckpoint> checkpoint =
      log->monitor().Accept(response->checkpoint().note());
  if (!checkpoint.ok()) {
    return LogError(config, "log key --pin: ", checkpoint.status());
  }
  PEDIGREE_RETURN_IF_ERROR(PinLogKey(config_file, registry, key));
  if (config.output == OutputFormat::kJson) {
    out << DumpJson({{"registry", registry},
                     {"log_key", key},
                     {"pinned", true},
                     {"trust_on_first_use", !from_flag},
                     {"config_file", config_file},
                     {"tree_size", checkpoint->size}})
        << "\n";
    return absl::OkStatus();
  }
  out << "pinned log key " << key << " for " << registry << " in "
      << config_file << "\n";
  if (!from_flag) {
    out << "(trust on first use: this is the key the registry stated; it is "
           "not verified by anyone else)\n";
  }
  return absl::OkStatus();
}

absl::Status RunLogCheckpoint(const CliConfig& config, std::ostream& out) {
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<PinnedLogKey> pinned,
                            FindLogKey(config));
  if (!pinned.has_value()) return NoLogKeyError(config, "log checkpoint");
  PedigreeClient client = MakeClient(config);
  PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<LogSession> log,
                            LogSession::Open(config, client, *pinned));
  absl::StatusOr<VerifiedCheckpoint> checkpoint = log->monitor().CheckNewest();
  if (!checkpoint.ok()) {
    return LogError(config, "log checkpoint: ", checkpoint.status());
  }
  const std::string root = core::HexEncode(checkpoint->root_hash);
  if (config.output == OutputFormat::kJson) {
    out << DumpJson({{"origin", checkpoint->origin},
                     {"tree_size", checkpoint->size},
                     {"root_hash", root},
                     {"note", checkpoint->note},
                     {"verified", true}})
        << "\n";
    return absl::OkStatus();
  }
  out << "verified checkpoint of " << checkpoint->origin << ": size "
      << checkpoint->size << ", root " << root << "\n"
      << checkpoint->note;
  return absl::OkStatus();
}

absl::Status RunBundle(const CliConfig& config, std::ostream& out) {
  const BundleConfig& bundle_config = config.bundle;
  if (bundle_config.out.empty()) {
    return absl::InvalidArgumentError("-o: missing bundle file");
  }
  absl::StatusOr<core::record::ModelRef> ref =
      core::record::ParseModelRef(bundle_config.model);
  if (!ref.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bundle: ", ref.status().message()));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<PinnedLogKey> pinned,
                            FindLogKey(config));
  if (!pinned.has_value()) return NoLogKeyError(config, "bundle");
  PedigreeClient client = MakeClient(config);
  PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<LogSession> log,
                            LogSession::Open(config, client, *pinned));
  PEDIGREE_ASSIGN_OR_RETURN(
      v1::GetRecordResponse record,
      FetchRecord(config, client, bundle_config.model, "bundle"));

  // Never write what the registry merely claims: the envelope must hold the
  // record asked for, and its digest is computed here.
  absl::StatusOr<core::dsse::Envelope> envelope =
      core::dsse::ParseEnvelope(record.envelope());
  if (!envelope.ok()) {
    return absl::DataLossError(
        absl::StrCat("bundle: the registry's envelope does not parse: ",
                     envelope.status().message()));
  }
  absl::StatusOr<core::record::Record> parsed =
      core::record::RecordFromEnvelope(*envelope);
  if (!parsed.ok() ||
      !core::record::SameModelVersion(parsed->model.ref, *ref)) {
    return absl::DataLossError(
        absl::StrCat("bundle: the registry's envelope is not a record of ",
                     core::record::ToString(*ref)));
  }
  PEDIGREE_ASSIGN_OR_RETURN(const std::string record_digest,
                            core::record::RecordDigest(*envelope));
  absl::StatusOr<RecordInclusion> inclusion =
      log->monitor().ProveRecord(record_digest, record.envelope());
  if (!inclusion.ok()) {
    return LogError(config, absl::StrCat("bundle ", bundle_config.model, ": "),
                    inclusion.status());
  }

  Bundle bundle;
  bundle.ref = core::record::ToString(parsed->model.ref);
  bundle.record_digest = record_digest;
  bundle.envelope = record.envelope();
  for (const v1::Key& key : record.signers()) {
    bundle.signer_public_keys.push_back(key.public_key_pem());
  }
  bundle.proof = inclusion->proof;
  bundle.checkpoint = inclusion->checkpoint.note;
  absl::Status written =
      WriteFileAtomically(bundle_config.out, SerializeBundle(bundle), 0644);
  if (!written.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("-o: ", written.message()));
  }
  const LogReport report = ReportFor(*inclusion);
  if (config.output == OutputFormat::kJson) {
    out << DumpJson({{"ref", bundle.ref},
                     {"record_digest", record_digest},
                     {"bundle", bundle_config.out},
                     {"log", LogReportJson(report)}})
        << "\n";
    return absl::OkStatus();
  }
  out << "wrote bundle of " << bundle.ref << " (record " << record_digest
      << ") to " << bundle_config.out << "\n"
      << LogReportLine(report);
  return absl::OkStatus();
}

// --- export
// ------------------------------------------------------------------

// The deepest lineage the registry walks (it clamps larger requests).
constexpr int kExportLineageDepth = 64;

// Prints the export of config.export_command.model to `out` or writes it to
// the -o file. A record the registry does not know is reported on `err` and
// sets *found to false (exit 1), as the export failed rather than its usage.
absl::Status RunExport(const CliConfig& config, std::ostream& out,
                       std::ostream& err, bool* found) {
  const ExportConfig& export_config = config.export_command;
  absl::StatusOr<ExportFormat> format = ParseExportFormat(export_config.format);
  if (!format.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--format: ", format.status().message()));
  }
  PedigreeClient client = MakeClient(config);
  absl::StatusOr<v1::GetRecordResponse> record =
      FetchRecord(config, client, export_config.model, "export");
  if (record.status().code() == absl::StatusCode::kNotFound) {
    err << "pedigree: " << record.status().message() << std::endl;
    *found = false;
    return absl::OkStatus();
  }
  if (!record.ok()) return record.status();
  const std::string& ref = record->summary().ref();
  v1::GetLineageRequest request;
  request.set_ref(ref);
  request.set_direction(v1::LINEAGE_DIRECTION_ANCESTORS);
  request.set_max_depth(kExportLineageDepth);
  absl::StatusOr<v1::GetLineageResponse> lineage = client.GetLineage(request);
  if (!lineage.ok()) {
    return RegistryError(config, absl::StrCat("export ", ref, ": "),
                         lineage.status());
  }
  absl::StatusOr<std::string> document = Export(*format, *record, *lineage);
  if (!document.ok()) {
    return absl::DataLossError(
        absl::StrCat("export ", ref, ": the registry's answer cannot be ",
                     "exported: ", document.status().message()));
  }
  if (export_config.out_file.empty()) {
    out << *document;
    return absl::OkStatus();
  }
  absl::Status written =
      WriteFileAtomically(export_config.out_file, *document, 0644);
  if (!written.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("-o: ", written.message()));
  }
  return absl::OkStatus();
}

// --- import-hf
// ------------------------------------------------------------------

// Returns `value` unless it is empty (a flag not given).
std::optional<std::string> Given(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

absl::StatusOr<HfImportOptions> ImportHfOptions(const ImportHfConfig& flags) {
  HfImportOptions options;
  for (const std::string& flag : flags.base_versions) {
    const size_t equals = flag.find('=');
    if (equals == std::string::npos || equals == 0 ||
        equals + 1 == flag.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--base-version ", Quoted(flag), ": expected ORG/NAME=VERSION"));
    }
    const std::string id = flag.substr(0, equals);
    for (const auto& [known, version] : options.base_versions) {
      if (absl::EqualsIgnoreCase(known, id)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--base-version ", Quoted(id), ": given twice"));
      }
    }
    options.base_versions[id] = flag.substr(equals + 1);
  }
  options.relation = Given(flags.relation);
  options.license = Given(flags.license);
  options.license_url = Given(flags.license_url);
  options.code_license = Given(flags.code_license);
  options.description = Given(flags.description);
  options.release_date = Given(flags.release_date);
  options.publisher = Given(flags.publisher);
  options.jurisdiction = Given(flags.jurisdiction);
  options.dataset_role = Given(flags.dataset_role);
  options.dataset_disclosure = Given(flags.dataset_disclosure);
  options.openness_claim = Given(flags.openness_claim);
  return options;
}

absl::Status RunImportHf(const CliConfig& config, std::ostream& out,
                         std::ostream& err) {
  const ImportHfConfig& flags = config.import_hf;
  std::string model = "NAMESPACE/NAME@VERSION";
  if (!flags.model.empty()) {
    absl::StatusOr<core::record::ModelRef> ref =
        core::record::ParseModelRef(flags.model);
    if (!ref.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--model: ", ref.status().message()));
    }
    model = flags.model;
  }
  PEDIGREE_ASSIGN_OR_RETURN(HfImportOptions options, ImportHfOptions(flags));
  std::string card;
  PEDIGREE_RETURN_IF_ERROR(
      ReadSmallFile(flags.card, "model card", kMaxModelCardSize, &card));
  absl::StatusOr<HfImport> imported = ImportHfCard(card, options);
  if (!imported.ok()) {
    // Problems in the card name the card; problems with flags name the flag.
    const absl::string_view message = imported.status().message();
    if (absl::StartsWith(message, "line ") ||
        absl::StartsWith(message, "the model card") ||
        absl::StartsWith(message, "front matter") ||
        absl::StartsWith(message, "model card")) {
      return absl::Status(imported.status().code(),
                          absl::StrCat(flags.card, ": ", message));
    }
    return imported.status();
  }

  const bool to_stdout = flags.out_file.empty() || flags.out_file == "-";
  if (!to_stdout) {
    if (flags.force) {
      PEDIGREE_RETURN_IF_ERROR(
          WriteFileAtomically(flags.out_file, imported->meta_json, 0644));
    } else {
      PEDIGREE_ASSIGN_OR_RETURN(const int fd,
                                CreateExclusive(flags.out_file, 0644));
      ScopedFd file(fd);
      absl::Status written =
          FinishFile(&file, flags.out_file, imported->meta_json, 0644);
      if (!written.ok()) {
        unlink(flags.out_file.c_str());
        return written;
      }
    }
  }
  for (const std::string& note : imported->notes) {
    err << "pedigree: note: " << note << "\n";
  }
  const std::string meta_path = to_stdout ? "meta.json" : flags.out_file;
  if (config.output == OutputFormat::kJson) {
    Json missing = Json::array();
    for (const HfMissingField& field : imported->missing) {
      missing.push_back({{"field", field.field}, {"hint", field.hint}});
    }
    Json result = {
        {"meta_file", to_stdout ? Json(nullptr) : Json(flags.out_file)},
        {"complete", imported->missing.empty()},
        {"missing", std::move(missing)},
        {"notes", imported->notes},
        {"languages", imported->languages},
        {"meta", Json::parse(imported->meta_json, nullptr,
                             /*allow_exceptions=*/false)}};
    out << DumpJson(result) << "\n";
    return absl::OkStatus();
  }
  std::ostream& report = to_stdout ? err : out;
  if (to_stdout) {
    out << imported->meta_json;
  } else {
    report << "wrote " << flags.out_file << "\n";
  }
  if (imported->missing.empty()) {
    report << "complete: nothing left to fill in\n";
  } else {
    report << "to fill in (null in the meta file): " << imported->missing.size()
           << "\n";
    for (const HfMissingField& field : imported->missing) {
      report << "  " << field.field << "  <- " << field.hint << "\n";
    }
  }
  report << "next: pedigree publish MODEL_DIR --model " << model
         << " --key KEY --meta " << meta_path << " --dry-run\n";
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
  bool verified = true;
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
    case Command::kNamespaceCreate:
      status = RunNamespaceCreate(config, out);
      break;
    case Command::kKeyAdd:
      status = RunKeyAdd(config, out);
      break;
    case Command::kVerify:
      status = RunVerify(config, out, err, &verified);
      break;
    case Command::kShow:
      status = RunShow(config, out);
      break;
    case Command::kHistory:
      status = RunHistory(config, out);
      break;
    case Command::kSearch:
      status = RunSearch(config, out);
      break;
    case Command::kLineage:
      status = RunLineage(config, out);
      break;
    case Command::kLogKey:
      status = RunLogKey(config, out);
      break;
    case Command::kLogCheckpoint:
      status = RunLogCheckpoint(config, out);
      break;
    case Command::kBundle:
      status = RunBundle(config, out);
      break;
    case Command::kExport:
      status = RunExport(config, out, err, &verified);
      break;
    case Command::kImportHf:
      status = RunImportHf(config, out, err);
      break;
    case Command::kDatasetsUsedBy:
      status = RunDatasetsUsedBy(config, out);
      break;
  }
  out.flush();
  if (!status.ok()) {
    // One line, whatever the message holds.
    err << "pedigree: "
        << absl::StrReplaceAll(status.message(), {{"\n", "\\n"}, {"\r", "\\r"}})
        << std::endl;
  }
  if (status.ok() && !verified) return kExitFailed;
  return ExitCodeFor(status);
}

}  // namespace pedigree::client::cli
