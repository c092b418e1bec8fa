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
// Verbs that need no registry: keygen, hash, publish --dry-run, import-hf.
// The others
// (namespace create, key add, publish, verify, show, history, search,
// lineage, datasets used-by) talk to the registry at CliConfig::server
// through PedigreeClient.
//
// `show` and `lineage` print the registry's judgment of each record
// (docs/judgment.md): label, MOF class, reasons, effective obligations and
// flags ("FLAG <kind>: ..."); a record the registry has not judged says so,
// never looking clean. `datasets used-by X` lists the records that declare
// dataset X (by name, or by SHA-256 with --sha256) and, with --downstream,
// their descendants; no user at all is not an error (exit 0).
// `verify` exits 1 when verification fails: a file mismatches, is missing or
// is unexpected, no record is known, no signature verifies with an active key
// of the record's namespace, the record is for another ref, or its log
// inclusion is not proven; and, with --policy, when the verified record
// breaks a rule of the policy (docs/policy.md).
//
// The transparency log (docs/bundle-format.md, client/lib/log_monitor.h):
// the log key is pinned by --log-key, PEDIGREE_LOG_KEY or the config file
// (`pedigree log key --pin`, trust on first use). Every contact with the log
// (verify, publish, bundle, log checkpoint) verifies the checkpoint with the
// pinned key, proves it consistent with the newest checkpoint remembered for
// the registry and remembers it. Any log failure (bad signature, a proof that
// does not verify, an inconsistent log) exits 1; an unreachable registry 3.
// `verify` with no pinned log key exits 2 unless --no-log is given; `publish`
// with no pinned key publishes without checking the log (and says so on
// stderr); `bundle` and `log checkpoint` need a pinned key (2 otherwise).

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace pedigree::client::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

// The detached signature file that hashing leaves out by default.
inline constexpr char kDefaultSignatureFile[] = "model.sig";

// The registry address used when neither --server nor PEDIGREE_SERVER is set.
inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

enum class Command {
  kKeygen,
  kHash,
  kPublish,
  kNamespaceCreate,
  kKeyAdd,
  kVerify,
  kShow,
  kHistory,
  kSearch,
  kLineage,
  kLogKey,
  kLogCheckpoint,
  kBundle,
  kExport,
  kImportHf,
  kDatasetsUsedBy,
};
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

struct NamespaceCreateConfig {
  std::string name;
};

struct KeyAddConfig {
  std::string namespace_name;
  std::string public_key;  // SPKI PEM file ("KEY.pub")
};

struct VerifyConfig {
  std::string directory;
  std::string model;  // optional "namespace/name@version"
  std::string signature_file = kDefaultSignatureFile;
  unsigned threads = 0;
  // Skip the log inclusion check (reported as "log inclusion NOT checked").
  bool no_log = false;
  // Offline: verify against this bundle file (docs/bundle-format.md) with no
  // registry; needs trusted_key and a log key.
  std::string bundle;
  // Offline: the publisher's public key PEM file the signature must verify
  // with (the bundle's own keys are never trusted).
  std::string trusted_key;
  // A policy file (docs/policy.md, client/lib/policy.h): after the record
  // verified, its judgment and its ancestors' must satisfy every rule, else
  // exit 1 listing each violation. Read before anything else (a bad file
  // exits 2); needs the registry (not with --bundle).
  std::string policy;
};

struct LogKeyConfig {
  // Pin the key (trust on first use) instead of only printing it.
  bool pin = false;
};

// `pedigree export`: the release as an SPDX 3.0.1 or CycloneDX 1.6 document
// (client/lib/export.h) with its ancestors, to `out` or to the file `out_file`.
// An unknown format is a usage error (2); a record the registry does not
// know is an operation failure (1).
struct ExportConfig {
  std::string model;     // "namespace/name@version" (or "namespace/name")
  std::string format;    // "spdx3" or "cyclonedx"
  std::string out_file;  // empty: write to `out`
};

// `pedigree import-hf`: a Hugging Face model card's front matter as a publish
// meta file (client/lib/hf_card.h, docs/import-hf.md). Empty strings mean
// "not given". Writes the meta file to `out_file` (refusing an existing file
// unless `force`) or, without it, to `out` with the report on `err`. Exit 0
// with the fields still to fill in listed; 2 for a card or flag that cannot
// be mapped.
struct ImportHfConfig {
  std::string card;      // README.md
  std::string out_file;  // empty or "-": the meta file goes to `out`
  bool force = false;
  // "namespace/name@version" of the release, to print the publish command.
  std::string model;
  std::vector<std::string> base_versions;  // "org/name=VERSION", repeatable
  std::string relation;
  std::string license;
  std::string license_url;
  std::string code_license;
  std::string description;
  std::string release_date;
  std::string publisher;
  std::string jurisdiction;
  std::string dataset_role;
  std::string dataset_disclosure;
  std::string openness_claim;
};

struct BundleConfig {
  std::string model;  // "namespace/name@version"
  std::string out;    // bundle file to write
};

struct ShowConfig {
  std::string model;  // "namespace/name" (latest) or "namespace/name@version"
};

struct HistoryConfig {
  std::string model;  // "namespace/name"
};

// Filters of `pedigree search`; empty means "any". Combine with AND.
struct SearchConfig {
  std::string namespace_name;
  std::string name_prefix;
  std::string license;
  std::string openness;  // declared claim, e.g. "open_weight"
  std::string dataset;
  std::string parent;    // "namespace/name@version"
  std::string relation;  // only with `parent`
};

enum class LineageDirection { kUp, kDown, kBoth };
enum class LineageFormat { kTree, kJson, kDot };

// `pedigree datasets used-by`: which records declare a dataset and, with
// `downstream`, every descendant of those records (docs/judgment.md). With
// `by_sha256`, `dataset` is the data's SHA-256 (64 hex digits, any case, an
// optional "sha256:" prefix); else the dataset name exactly as records
// declare it (a 64-hex name is still a name). More than
// kMaxDatasetUsers users is an error (exit 1), never a silent cut.
inline constexpr size_t kMaxDatasetUsers = 10000;
struct DatasetsUsedByConfig {
  std::string dataset;
  bool by_sha256 = false;
  bool downstream = false;
};

struct LineageConfig {
  std::string model;  // "namespace/name" (latest) or "namespace/name@version"
  LineageDirection direction = LineageDirection::kUp;
  int depth = 0;  // 0: the server default
  std::vector<std::string> relations;
  LineageFormat format = LineageFormat::kTree;
};

struct CliConfig {
  Command command = Command::kHash;
  // Registry address host:port (--server or PEDIGREE_SERVER; empty means
  // kDefaultServer). Not used by the offline verbs.
  std::string server;
  // PEDIGREE_ADMIN_TOKEN, for namespace create and key add.
  std::string admin_token;
  // The pinned log key given by --log-key or PEDIGREE_LOG_KEY (a C2SP
  // verifier key); empty: the one pinned in the config file for `server`.
  std::string log_key;
  // XDG_CONFIG_HOME and HOME, to find the config directory
  // (${XDG_CONFIG_HOME:-$HOME/.config}/pedigree, client/lib/log_state.h).
  std::string xdg_config_home;
  std::string home;
  // Deadline of each registry call.
  absl::Duration timeout = absl::Seconds(30);
  OutputFormat output = OutputFormat::kText;
  // Draw a progress bar on `err` while hashing (main sets it when stderr is
  // a terminal).
  bool progress = false;
  KeygenConfig keygen;
  HashConfig hash;
  PublishConfig publish;
  NamespaceCreateConfig namespace_create;
  KeyAddConfig key_add;
  VerifyConfig verify;
  ShowConfig show;
  HistoryConfig history;
  SearchConfig search;
  LineageConfig lineage;
  LogKeyConfig log_key_command;
  BundleConfig bundle;
  ExportConfig export_command;
  ImportHfConfig import_hf;
  DatasetsUsedByConfig datasets_used_by;
};

// Runs config.command. See the file comment for streams and exit codes.
// Thread-compatible; touches only the files the command names and, for the
// online verbs, the registry at config.server.
int RunCommand(const CliConfig& config, std::ostream& out, std::ostream& err);

// Returns the exit code for a failed operation's status: 2 for input errors
// (InvalidArgument, NotFound, AlreadyExists, FailedPrecondition,
// PermissionDenied, OutOfRange), 3 for Unavailable and DeadlineExceeded,
// 1 otherwise (Unauthenticated: a wrong admin token, Internal, ...); 0 for
// OK.
int ExitCodeFor(const absl::Status& status);

}  // namespace pedigree::client::cli

#endif  // PEDIGREE_CLIENT_CLI_COMMANDS_H_
