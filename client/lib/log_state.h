#ifndef PEDIGREE_CLIENT_LIB_LOG_STATE_H_
#define PEDIGREE_CLIENT_LIB_LOG_STATE_H_

// What the client keeps between runs about each registry's transparency log,
// under the user's config directory (${XDG_CONFIG_HOME:-$HOME/.config}/
// pedigree/, which the caller resolves):
//
//   config.json    the pinned log keys, by registry address:
//                  {"registries": {"127.0.0.1:50051":
//                                   {"log_key": "<C2SP verifier key>"}}}
//   log-state/<address, percent-encoded>.json
//                  the newest checkpoint verified for that registry:
//                  {"registry": "127.0.0.1:50051",
//                   "log_key": "<the key it verified with>",
//                   "checkpoint": "<the signed note, verbatim>"}
//
// Registry addresses are used exactly as given (--server), not normalized.
// Every file is written atomically (a temporary file in the same directory,
// fsync, rename) with mode 0600; directories are created with mode 0700.
// Unknown fields in these files are refused (InvalidArgument), so a typo is
// never silently ignored.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/lib/log_verifier.h"

namespace pedigree::client {

// Returns the client's config directory, "<xdg_config_home>/pedigree" when
// `xdg_config_home` is an absolute path, else "<home>/.config/pedigree" (as
// the XDG base directory spec says). FailedPrecondition if neither is set to
// an absolute path. Pure: the caller reads the environment.
absl::StatusOr<std::string> ResolveConfigDir(absl::string_view xdg_config_home,
                                             absl::string_view home);

// Returns "<config_dir>/config.json".
std::string ConfigFilePath(absl::string_view config_dir);

// Returns "<config_dir>/log-state/<encoded registry>.json", where every byte
// of `registry` outside [A-Za-z0-9._-] is written %XX (uppercase hex), so
// distinct addresses get distinct files.
std::string StateFilePath(absl::string_view config_dir,
                          absl::string_view registry);

// Returns the log key pinned for `registry` in the config file at
// `config_file`, or nullopt if the file or the entry does not exist.
// InvalidArgument if the file is not the JSON above; Internal for an I/O
// error. The key itself is not parsed here.
absl::StatusOr<std::optional<std::string>> ReadPinnedLogKey(
    const std::string& config_file, absl::string_view registry);

// Pins `log_key` for `registry` in the config file at `config_file`, creating
// the file and its directory as needed and keeping the other entries.
// AlreadyExists if another key is pinned for `registry` (a changed log key is
// never replaced silently; the user edits the file); OK without a write if
// the same key is pinned. InvalidArgument for a malformed existing file,
// Internal for an I/O error.
absl::Status PinLogKey(const std::string& config_file,
                       absl::string_view registry, absl::string_view log_key);

// Remembers the newest verified checkpoint of one log. Implementations decide
// where; they never move backwards.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;

  // Returns the remembered signed note, or nullopt when nothing is
  // remembered yet. The note is not verified here.
  virtual absl::StatusOr<std::optional<std::string>> Load() = 0;

  // Remembers `checkpoint` (already verified and proven consistent by the
  // caller) unless a checkpoint of a larger tree is remembered by now.
  virtual absl::Status Save(const VerifiedCheckpoint& checkpoint) = 0;

  // Names the storage in messages, e.g. the file path.
  virtual std::string Describe() const = 0;
};

// A CheckpointStore in the state file of one registry (StateFilePath).
// Load and Save hold an exclusive flock on "<path>.lock", so concurrent CLI
// runs do not move the state backwards. Thread-compatible.
class FileCheckpointStore : public CheckpointStore {
 public:
  // `path` is the state file; `registry` and `log_key` are recorded in it.
  // Load refuses (FailedPrecondition) a file written for another registry or
  // another log key, naming the file to remove if the key was rotated.
  FileCheckpointStore(std::string path, std::string registry,
                      std::string log_key);

  absl::StatusOr<std::optional<std::string>> Load() override;
  absl::Status Save(const VerifiedCheckpoint& checkpoint) override;
  std::string Describe() const override { return path_; }

 private:
  std::string path_;
  std::string registry_;
  std::string log_key_;
};

// Writes `content` to `path` atomically: a temporary file beside it with
// `mode`, fsync, rename over `path`. Creates missing parent directories with
// mode 0700. Internal naming the path on failure.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content, unsigned mode);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_LOG_STATE_H_
