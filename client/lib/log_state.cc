#include "client/lib/log_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/note/checkpoint.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::client {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxStateFileSize = 2 * 1024 * 1024;

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

absl::Status IoError(absl::string_view action, const std::string& path,
                     int error) {
  return absl::InternalError(
      absl::StrCat("cannot ", action, " ", Quoted(path), ": ",
                   absl::AsciiStrToLower(std::strerror(error))));
}

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Returns the content of `path`, or nullopt if it does not exist.
absl::StatusOr<std::optional<std::string>> ReadIfExists(
    const std::string& path) {
  const Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return IoError("open", path, errno);
  }
  std::string content;
  char buffer[8192];
  while (true) {
    const ssize_t count = read(fd.get(), buffer, sizeof(buffer));
    if (count < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (count == 0) break;
    content.append(buffer, static_cast<size_t>(count));
    if (content.size() > kMaxStateFileSize) {
      return absl::InvalidArgumentError(absl::StrCat(
          Quoted(path), " is larger than ", kMaxStateFileSize, " bytes"));
    }
  }
  return std::optional<std::string>(std::move(content));
}

absl::Status MakeDirectories(const std::string& directory) {
  if (directory.empty()) return absl::OkStatus();
  struct stat info;
  if (stat(directory.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return absl::OkStatus();
    return absl::InternalError(
        absl::StrCat(Quoted(directory), " is not a directory"));
  }
  const size_t slash = directory.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    PEDIGREE_RETURN_IF_ERROR(MakeDirectories(directory.substr(0, slash)));
  }
  if (mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("create directory", directory, errno);
  }
  return absl::OkStatus();
}

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Parses `text` as a JSON object whose keys are all in `allowed`.
absl::StatusOr<Json> ParseObject(const std::string& path,
                                 absl::string_view text,
                                 const std::vector<std::string>& allowed) {
  Json json = Json::parse(text.begin(), text.end(), nullptr,
                          /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Quoted(path), " is not a JSON object"));
  }
  for (auto it = json.begin(); it != json.end(); ++it) {
    bool known = false;
    for (const std::string& name : allowed) known = known || name == it.key();
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat(Quoted(path), ": unknown field ", Quoted(it.key())));
    }
  }
  return json;
}

// Returns the string member `name` of `object`; InvalidArgument if it is
// absent or not a string.
absl::StatusOr<std::string> StringField(const std::string& path,
                                        const Json& object,
                                        absl::string_view name) {
  const auto it = object.find(std::string(name));
  if (it == object.end() || !it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Quoted(path), ": field ", Quoted(name), " is missing or not a string"));
  }
  return it->get<std::string>();
}

std::string Dump(const Json& json) {
  return absl::StrCat(
      json.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace),
      "\n");
}

// Reads and checks the config file; an absent file is an empty config.
absl::StatusOr<Json> ReadConfig(const std::string& config_file) {
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> text,
                            ReadIfExists(config_file));
  if (!text.has_value()) return Json{{"registries", Json::object()}};
  PEDIGREE_ASSIGN_OR_RETURN(Json config,
                            ParseObject(config_file, *text, {"registries"}));
  auto registries = config.find("registries");
  if (registries == config.end()) {
    config["registries"] = Json::object();
    return config;
  }
  if (!registries->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Quoted(config_file), ": field \"registries\" is not an object"));
  }
  for (auto it = registries->begin(); it != registries->end(); ++it) {
    const std::string where =
        absl::StrCat(config_file, " (registry ", it.key(), ")");
    if (!it->is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Quoted(where), " is not an object"));
    }
    PEDIGREE_ASSIGN_OR_RETURN(const Json entry,
                              ParseObject(where, it->dump(), {"log_key"}));
    PEDIGREE_RETURN_IF_ERROR(StringField(where, entry, "log_key").status());
  }
  return config;
}

// Holds an exclusive flock on a lock file while alive.
class FileLock {
 public:
  static absl::StatusOr<FileLock> Acquire(const std::string& path) {
    PEDIGREE_RETURN_IF_ERROR(MakeDirectories(Parent(path)));
    Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0) return IoError("open", path, errno);
    while (flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) return IoError("lock", path, errno);
    }
    return FileLock(fd.release());
  }
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) close(fd_);  // releases the lock
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> ResolveConfigDir(absl::string_view xdg_config_home,
                                             absl::string_view home) {
  if (absl::StartsWith(xdg_config_home, "/")) {
    return absl::StrCat(xdg_config_home, "/pedigree");
  }
  if (absl::StartsWith(home, "/")) {
    return absl::StrCat(home, "/.config/pedigree");
  }
  return absl::FailedPreconditionError(
      "cannot find the config directory: neither XDG_CONFIG_HOME nor HOME is "
      "an absolute path");
}

std::string ConfigFilePath(absl::string_view config_dir) {
  return absl::StrCat(config_dir, "/config.json");
}

std::string StateFilePath(absl::string_view config_dir,
                          absl::string_view registry) {
  std::string encoded;
  for (const char c : registry) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
        c == '_' || c == '-') {
      encoded.push_back(c);
    } else {
      absl::StrAppendFormat(&encoded, "%%%02X",
                            static_cast<unsigned>(static_cast<uint8_t>(c)));
    }
  }
  return absl::StrCat(config_dir, "/log-state/", encoded, ".json");
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content, unsigned mode) {
  const std::string directory = Parent(path);
  PEDIGREE_RETURN_IF_ERROR(MakeDirectories(directory));
  std::string temp = absl::StrCat(path, ".tmp.XXXXXX");
  Fd fd(mkstemp(temp.data()));
  if (fd.get() < 0) return IoError("create", temp, errno);
  absl::Status status = absl::OkStatus();
  absl::string_view rest = content;
  while (status.ok() && !rest.empty()) {
    const ssize_t written = write(fd.get(), rest.data(), rest.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      status = IoError("write", temp, errno);
    } else {
      rest.remove_prefix(static_cast<size_t>(written));
    }
  }
  if (status.ok() && (fchmod(fd.get(), static_cast<mode_t>(mode)) != 0 ||
                      fsync(fd.get()) != 0)) {
    status = IoError("write", temp, errno);
  }
  if (status.ok() && close(fd.release()) != 0) {
    status = IoError("write", temp, errno);
  }
  if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    status = IoError("rename to", path, errno);
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return status;
  }
  // Make the rename itself durable.
  const Fd dir(open(directory.empty() ? "." : directory.c_str(),
                    O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) fsync(dir.get());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ReadPinnedLogKey(
    const std::string& config_file, absl::string_view registry) {
  PEDIGREE_ASSIGN_OR_RETURN(const Json config, ReadConfig(config_file));
  const Json& registries = config["registries"];
  const auto entry = registries.find(std::string(registry));
  if (entry == registries.end()) return std::optional<std::string>();
  return std::optional<std::string>(entry->find("log_key")->get<std::string>());
}

absl::Status PinLogKey(const std::string& config_file,
                       absl::string_view registry, absl::string_view log_key) {
  PEDIGREE_ASSIGN_OR_RETURN(FileLock lock,
                            FileLock::Acquire(config_file + ".lock"));
  PEDIGREE_ASSIGN_OR_RETURN(Json config, ReadConfig(config_file));
  Json& registries = config["registries"];
  const auto entry = registries.find(std::string(registry));
  if (entry != registries.end()) {
    const std::string pinned = entry->find("log_key")->get<std::string>();
    if (pinned == log_key) return absl::OkStatus();
    return absl::AlreadyExistsError(absl::StrCat(
        "another log key is pinned for ", registry, " in ", config_file, ": ",
        pinned, "; refusing to replace it with ", log_key,
        " (edit the file if the registry really changed its log key)"));
  }
  registries[std::string(registry)] = Json{{"log_key", std::string(log_key)}};
  return WriteFileAtomically(config_file, Dump(config), 0600);
}

FileCheckpointStore::FileCheckpointStore(std::string path, std::string registry,
                                         std::string log_key)
    : path_(std::move(path)),
      registry_(std::move(registry)),
      log_key_(std::move(log_key)) {}

absl::StatusOr<std::optional<std::string>> FileCheckpointStore::Load() {
  PEDIGREE_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(path_ + ".lock"));
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> text,
                            ReadIfExists(path_));
  if (!text.has_value()) return std::optional<std::string>();
  PEDIGREE_ASSIGN_OR_RETURN(
      const Json state,
      ParseObject(path_, *text, {"registry", "log_key", "checkpoint"}));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string registry,
                            StringField(path_, state, "registry"));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string log_key,
                            StringField(path_, state, "log_key"));
  PEDIGREE_ASSIGN_OR_RETURN(std::string checkpoint,
                            StringField(path_, state, "checkpoint"));
  if (registry != registry_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the log state file ", path_, " is for registry ",
                     registry, ", not ", registry_));
  }
  if (log_key != log_key_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the remembered checkpoint in ", path_, " was verified with log key ",
        log_key, ", but the pinned log key is ", log_key_,
        "; if the registry's log key really changed, remove that file"));
  }
  return std::optional<std::string>(std::move(checkpoint));
}

absl::Status FileCheckpointStore::Save(const VerifiedCheckpoint& checkpoint) {
  PEDIGREE_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(path_ + ".lock"));
  // Another run may have advanced the state since our Load: keep the larger.
  absl::StatusOr<std::optional<std::string>> current = ReadIfExists(path_);
  if (current.ok() && current->has_value()) {
    const Json state = Json::parse(**current, nullptr, false);
    const auto note =
        state.is_object() ? state.find("checkpoint") : state.end();
    const auto key = state.is_object() ? state.find("log_key") : state.end();
    if (note != state.end() && note->is_string() && key != state.end() &&
        key->is_string() && key->get<std::string>() == log_key_) {
      const std::string text = note->get<std::string>();
      const size_t blank = text.find("\n\n");
      absl::StatusOr<core::note::Checkpoint> remembered =
          core::note::ParseCheckpoint(text.substr(
              0, blank == std::string::npos ? text.size() : blank + 1));
      if (remembered.ok() && remembered->size > checkpoint.size) {
        return absl::OkStatus();
      }
    }
  }
  const Json state = {{"registry", registry_},
                      {"log_key", log_key_},
                      {"checkpoint", checkpoint.note}};
  return WriteFileAtomically(path_, Dump(state), 0600);
}

}  // namespace pedigree::client
