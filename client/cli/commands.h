#ifndef PEDIGREE_CLIENT_CLI_COMMANDS_H_
#define PEDIGREE_CLIENT_CLI_COMMANDS_H_

// The verbs of the `pedigree` CLI, behind one entry point. main.cc parses the
// command line into a CliConfig; RunCommand does the work, writes results to
// `out` and errors (one line each, "pedigree: <message>") to `err`, and
// returns the process exit code:
//
//   0  success
//   1  the operation or a verification failed (I/O error, bad signature, ...)
//   2  usage or input error (bad flag, missing file, invalid meta file, a
//      key file that already exists, ...)
//   3  the registry is unreachable
//
// Verbs that need no registry: keygen, hash, publish --dry-run.

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace pedigree::client::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

// The detached signature file that hashing leaves out by default.
inline constexpr char kDefaultSignatureFile[] = "model.sig";

enum class Command { kKeygen, kHash, kPublish };
enum class OutputFormat { kText, kJson };

struct KeygenConfig {
  // Private key path; the public key goes to "<out>.pub".
  std::string out;
  // "ed25519" or "ecdsa-p256".
  std::string type = "ed25519";
};

struct HashConfig {
  std::string directory;
  std::string signature_file = kDefaultSignatureFile;
  unsigned threads = 0;  // 0: all cores
};

struct PublishConfig {
  std::string directory;
  std::string model;  // "namespace/name@version"
  std::string key;    // private key PEM file
  std::string meta;   // meta file (docs/meta-file.md)
  bool dry_run = false;
  std::string envelope_out;  // empty: print the envelope to `out`
  std::string signature_file = kDefaultSignatureFile;
  unsigned threads = 0;
};

struct CliConfig {
  Command command = Command::kHash;
  // Registry address host:port (--server or PEDIGREE_SERVER). Not used by
  // the offline verbs.
  std::string server;
  OutputFormat output = OutputFormat::kText;
  // Draw a progress bar on `err` while hashing (main sets it when stderr is
  // a terminal).
  bool progress = false;
  KeygenConfig keygen;
  HashConfig hash;
  PublishConfig publish;
};

// Runs config.command. See the file comment for streams and exit codes.
// Thread-compatible; touches only the files the command names.
int RunCommand(const CliConfig& config, std::ostream& out, std::ostream& err);

// Returns the exit code for a failed operation's status: 2 for input errors
// (InvalidArgument, NotFound, AlreadyExists, FailedPrecondition,
// PermissionDenied, OutOfRange), 3 for Unavailable and DeadlineExceeded,
// 1 otherwise; 0 for OK.
int ExitCodeFor(const absl::Status& status);

}  // namespace pedigree::client::cli

#endif  // PEDIGREE_CLIENT_CLI_COMMANDS_H_
