#ifndef PEDIGREE_CLIENT_LIB_DIRECTORY_HASHER_H_
#define PEDIGREE_CLIENT_LIB_DIRECTORY_HASHER_H_

// Hashes a model directory into a core artifact manifest (OMS "files"
// method): every regular file under the directory, named by its path
// relative to it ('/'-separated), with its SHA-256 and size, plus the root
// digest. Files are hashed in parallel by a fixed pool of threads that one
// call owns and joins before it returns.
//
//   HashOptions options;
//   options.skip_file = "model.sig";
//   options.progress = [](uint64_t done, uint64_t total) { ... };
//   PEDIGREE_ASSIGN_OR_RETURN(DirectoryManifest hashed,
//                             HashDirectory("/models/acme-7b", options));
//   // hashed.manifest.RootDigest() is the 32-byte OMS root digest.
//
// What is hashed:
// - Regular files, at any depth. Empty directories leave no trace.
// - Every entry named ".git" (the repository directory, or the ".git" file of
//   a submodule or worktree) is skipped with everything under it.
// - The file whose relative path equals HashOptions::skip_file (the detached
//   signature of the model, which cannot sign itself) is skipped.
// - Symbolic links: a link whose target, fully resolved, is a regular file
//   inside the directory is hashed under the LINK's name with the target's
//   bytes (so a model that links one file to another verifies the same way
//   after a copy that dereferences links). Refused with FailedPrecondition
//   naming the link: a link that resolves outside the directory (it would
//   let a directory's manifest cover files the publisher did not ship),
//   a link to a directory (avoids cycles and double counting), a dangling
//   link. The directory argument itself may be a link.
// - Special files (FIFOs, sockets, devices) are refused with
//   FailedPrecondition naming the file.
// - Every relative name must pass manifest::ValidateEntryName (valid UTF-8,
//   no control characters, ...); otherwise InvalidArgument naming it.
//
// The directory is assumed not to change while it is hashed. A file whose
// size changes between the walk and the end of its read is reported as
// Aborted; this is a consistency check, not a defence against an attacker
// who controls the directory.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "core/manifest/manifest.h"

namespace pedigree::client {

struct HashOptions {
  // Relative path ('/'-separated) of a file to leave out, e.g. "model.sig".
  // Empty: leave nothing out (besides ".git").
  std::string skip_file;

  // Number of hashing threads; 0 means std::thread::hardware_concurrency()
  // (at least 1). Never more threads than files. One file is always read by
  // one thread, so a single huge file is hashed at single-core speed.
  unsigned threads = 0;

  // Size of each thread's read buffer in bytes; values below 4096 are
  // raised to 4096.
  size_t buffer_size = size_t{4} << 20;

  // Called with (bytes hashed so far, total bytes) on the thread that called
  // HashDirectory, never concurrently: once with (0, total) when the walk is
  // done, then about every progress_interval while hashing, and with
  // (total, total) on success. May be empty.
  std::function<void(uint64_t done, uint64_t total)> progress;
  // How often `progress` is called while hashing, in milliseconds.
  unsigned progress_interval_ms = 100;
};

// The hashed contents of a model directory.
struct DirectoryManifest {
  // The directory as given to HashDirectory.
  std::string directory;
  // Whole-file entries (no shards) with digests and sizes, in manifest order.
  core::manifest::Manifest manifest;
};

// Walks and hashes `directory` (see the file comment). Returns:
// - NotFound if `directory` does not exist, InvalidArgument if it is not a
//   directory or contains no file to hash;
// - FailedPrecondition naming the entry for a refused symlink or special
//   file; InvalidArgument naming it for a name the manifest refuses;
// - PermissionDenied naming the file or directory that cannot be read;
// - Aborted naming a file whose size changed while it was hashed;
// - Internal (naming the file) for other I/O or OpenSSL failures.
// When several files fail, one of the errors is returned. Thread-safe:
// concurrent calls share nothing.
absl::StatusOr<DirectoryManifest> HashDirectory(const std::string& directory,
                                                const HashOptions& options);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_DIRECTORY_HASHER_H_
