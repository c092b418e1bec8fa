// pedigree: the Pedigree command-line client. The composition root: flags
// and environment become a CliConfig, then RunCommand does the work.
//
// Exit codes (client/cli/commands.h): 0 ok, 1 operation or verification
// failed, 2 usage or input error, 3 registry unreachable.
//
// Environment: PEDIGREE_SERVER (default for --server), PEDIGREE_ADMIN_TOKEN
// (for namespace create and key add), PEDIGREE_LOG_KEY (default for
// --log-key), XDG_CONFIG_HOME and HOME (the config directory
// ${XDG_CONFIG_HOME:-$HOME/.config}/pedigree, holding the pinned log keys and
// the remembered checkpoints; client/lib/log_state.h).

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "client/cli/commands.h"

namespace {

using pedigree::client::cli::CliConfig;
using pedigree::client::cli::Command;
using pedigree::client::cli::ImportHfConfig;
using pedigree::client::cli::LineageDirection;
using pedigree::client::cli::LineageFormat;
using pedigree::client::cli::OutputFormat;

}  // namespace

int main(int argc, char** argv) {
  CliConfig config;
  std::string output = "text";
  double timeout_seconds = 30;

  CLI::App app{"pedigree: sign, publish and verify AI model provenance"};
  app.add_option("--server", config.server,
                 "registry address host:port (default 127.0.0.1:50051; not "
                 "used by offline commands)")
      ->envname("PEDIGREE_SERVER");
  app.add_option("--timeout", timeout_seconds,
                 "deadline of each registry call, in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--log-key", config.log_key,
                 "the registry's pinned transparency-log key (C2SP verifier "
                 "key name+hash+base64); default: the one pinned in the "
                 "config file for --server")
      ->envname("PEDIGREE_LOG_KEY");
  app.add_option("--output", output, "output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.require_subcommand(1);

  CLI::App* keygen =
      app.add_subcommand("keygen", "generate a signing key pair");
  keygen->fallthrough();
  keygen
      ->add_option("--out", config.keygen.out,
                   "private key file to create (mode 0600); the public key "
                   "goes to <out>.pub; existing files are never overwritten")
      ->required();
  keygen->add_option("--type", config.keygen.type, "key type")
      ->check(CLI::IsMember({"ed25519", "ecdsa-p256"}))
      ->capture_default_str();

  CLI::App* hash = app.add_subcommand(
      "hash", "print the manifest and root digest of a model directory");
  hash->fallthrough();
  hash->add_option("dir", config.hash.directory, "model directory")->required();
  hash->add_option("--signature-file", config.hash.signature_file,
                   "relative path of the signature file to leave out")
      ->capture_default_str();
  hash->add_option("--threads", config.hash.threads,
                   "hashing threads (0: all cores)")
      ->capture_default_str();

  CLI::App* publish = app.add_subcommand(
      "publish",
      "build, sign and publish the provenance record of a model release");
  publish->fallthrough();
  publish->add_option("dir", config.publish.directory, "model directory")
      ->required();
  publish
      ->add_option("--model", config.publish.model,
                   "release to publish: namespace/name@version")
      ->required();
  publish->add_option("--key", config.publish.key, "private key PEM file")
      ->required();
  publish
      ->add_option("--meta", config.publish.meta,
                   "meta file (JSON, see docs/meta-file.md)")
      ->required();
  publish->add_flag("--dry-run", config.publish.dry_run,
                    "sign locally and print the envelope; do not upload");
  publish->add_option("--envelope-out", config.publish.envelope_out,
                      "write the signed envelope to this file");
  publish
      ->add_option("--signature-file", config.publish.signature_file,
                   "relative path of the signature file to leave out")
      ->capture_default_str();
  publish
      ->add_option("--threads", config.publish.threads,
                   "hashing threads (0: all cores)")
      ->capture_default_str();

  CLI::App* namespace_command =
      app.add_subcommand("namespace", "manage namespaces (admin)");
  namespace_command->fallthrough();
  namespace_command->require_subcommand(1);
  CLI::App* namespace_create = namespace_command->add_subcommand(
      "create", "create a namespace (needs PEDIGREE_ADMIN_TOKEN)");
  namespace_create->fallthrough();
  namespace_create
      ->add_option("name", config.namespace_create.name, "namespace name")
      ->required();

  CLI::App* key_command = app.add_subcommand("key", "manage keys (admin)");
  key_command->fallthrough();
  key_command->require_subcommand(1);
  CLI::App* key_add = key_command->add_subcommand(
      "add",
      "register a public key for a namespace (needs "
      "PEDIGREE_ADMIN_TOKEN)");
  key_add->fallthrough();
  key_add->add_option("namespace", config.key_add.namespace_name, "namespace")
      ->required();
  key_add
      ->add_option("public_key", config.key_add.public_key,
                   "public key PEM file (KEY.pub)")
      ->required();

  CLI::App* verify = app.add_subcommand(
      "verify", "verify a model directory against the registry");
  verify->fallthrough();
  verify->add_option("dir", config.verify.directory, "model directory")
      ->required();
  verify->add_option("--model", config.verify.model,
                     "expected release: namespace/name@version (default: "
                     "find the record by the files)");
  verify
      ->add_option("--signature-file", config.verify.signature_file,
                   "relative path of the signature file to leave out")
      ->capture_default_str();
  verify
      ->add_option("--threads", config.verify.threads,
                   "hashing threads (0: all cores)")
      ->capture_default_str();
  verify->add_flag("--no-log", config.verify.no_log,
                   "do not check the record's inclusion in the transparency "
                   "log (reported as NOT checked)");
  verify->add_option("--bundle", config.verify.bundle,
                     "verify offline against this bundle file (no registry); "
                     "needs --trusted-key and a log key");
  verify->add_option("--trusted-key", config.verify.trusted_key,
                     "with --bundle: the publisher's public key PEM file");
  verify->add_option("--policy", config.verify.policy,
                     "after verifying, check the registry's judgment of the "
                     "record and its ancestors against this policy file "
                     "(docs/policy.md); exit 1 listing every violation");

  CLI::App* bundle = app.add_subcommand(
      "bundle", "write an offline verification bundle of a release");
  bundle->fallthrough();
  bundle->add_option("model", config.bundle.model, "namespace/name@version")
      ->required();
  bundle->add_option("-o,--out", config.bundle.out, "bundle file to write")
      ->required();

  CLI::App* log_command =
      app.add_subcommand("log", "the registry's transparency log");
  log_command->fallthrough();
  log_command->require_subcommand(1);
  CLI::App* log_key = log_command->add_subcommand(
      "key", "print the registry's log key (unverified), or pin it");
  log_key->fallthrough();
  log_key->add_flag("--pin", config.log_key_command.pin,
                    "pin the key for --server in the config file (trust on "
                    "first use; with --log-key, pin that key instead)");
  CLI::App* log_checkpoint = log_command->add_subcommand(
      "checkpoint",
      "print the newest checkpoint, verified and proven consistent");
  log_checkpoint->fallthrough();

  CLI::App* show = app.add_subcommand(
      "show", "show a record (the latest version if none is given)");
  show->fallthrough();
  show->add_option("model", config.show.model,
                   "namespace/name or namespace/name@version")
      ->required();

  CLI::App* history = app.add_subcommand(
      "history", "list the versions of a model, newest first");
  history->fallthrough();
  history->add_option("model", config.history.model, "namespace/name")
      ->required();

  CLI::App* search = app.add_subcommand("search", "find records");
  search->fallthrough();
  search->add_option("--namespace", config.search.namespace_name, "namespace");
  search->add_option("--name-prefix", config.search.name_prefix,
                     "model name prefix (ignoring case)");
  search->add_option("--license", config.search.license,
                     "SPDX license id in the weights or code license");
  search->add_option("--openness", config.search.openness,
                     "declared openness: open_source, open_weight, closed, "
                     "unspecified");
  search->add_option("--dataset", config.search.dataset, "exact dataset name");
  CLI::Option* parent =
      search->add_option("--parent", config.search.parent,
                         "parent namespace/name@version (direct children)");
  search
      ->add_option("--relation", config.search.relation,
                   "with --parent: only this relation")
      ->needs(parent);

  CLI::App* lineage =
      app.add_subcommand("lineage", "draw the lineage of a model release");
  lineage->fallthrough();
  lineage
      ->add_option("model", config.lineage.model,
                   "namespace/name@version (or namespace/name: latest)")
      ->required();
  bool up = false;
  bool down = false;
  bool both = false;
  CLI::Option* up_flag = lineage->add_flag("--up", up, "ancestors (default)");
  CLI::Option* down_flag = lineage->add_flag("--down", down, "descendants");
  CLI::Option* both_flag =
      lineage->add_flag("--both", both, "ancestors and descendants");
  up_flag->excludes(down_flag)->excludes(both_flag);
  down_flag->excludes(both_flag);
  lineage
      ->add_option("--depth", config.lineage.depth,
                   "maximum number of edges to follow (0: server default)")
      ->check(CLI::NonNegativeNumber);
  lineage
      ->add_option("--relation", config.lineage.relations,
                   "only follow edges of this relation (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  std::string format = "tree";
  lineage->add_option("--format", format, "tree, json or dot")
      ->check(CLI::IsMember({"tree", "json", "dot"}))
      ->capture_default_str();

  CLI::App* export_command = app.add_subcommand(
      "export",
      "write a release with its lineage and datasets as an SPDX 3.0.1 or "
      "CycloneDX 1.6 (ML-BOM) document");
  export_command->fallthrough();
  export_command
      ->add_option("model", config.export_command.model,
                   "namespace/name@version (or namespace/name: latest)")
      ->required();
  export_command
      ->add_option("--format", config.export_command.format,
                   "spdx3 or cyclonedx")
      ->required();
  export_command->add_option("-o,--out", config.export_command.out_file,
                             "write to this file instead of stdout");

  CLI::App* import_hf = app.add_subcommand(
      "import-hf",
      "turn a Hugging Face model card's front matter into a publish meta "
      "file (docs/import-hf.md)");
  import_hf->fallthrough();
  ImportHfConfig& hf = config.import_hf;
  import_hf->add_option("card", hf.card, "model card (README.md)")->required();
  import_hf->add_option("-o,--out", hf.out_file,
                        "meta file to write (default: stdout)");
  import_hf->add_flag("--force", hf.force, "overwrite an existing meta file");
  import_hf->add_option("--model", hf.model,
                        "the release namespace/name@version (only for the "
                        "printed publish command)");
  import_hf
      ->add_option("--base-version", hf.base_versions,
                   "ORG/NAME=VERSION (or =sha256:<root digest>): the "
                   "registered version of a base_model (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  import_hf->add_option("--relation", hf.relation,
                        "relation to the base model(s), replacing or "
                        "supplying base_model_relation");
  import_hf->add_option("--license", hf.license,
                        "weights license (hub, SPDX or catalog id), "
                        "replacing the card's");
  import_hf->add_option("--license-url", hf.license_url,
                        "license text URL for a license the catalog lacks");
  import_hf->add_option("--code-license", hf.code_license,
                        "code license (SPDX expression)");
  import_hf->add_option("--description", hf.description, "description");
  import_hf->add_option("--release-date", hf.release_date,
                        "release date YYYY-MM-DD");
  import_hf->add_option("--publisher", hf.publisher, "publisher organization");
  import_hf->add_option("--jurisdiction", hf.jurisdiction,
                        "publisher jurisdiction (ISO 3166-1 alpha-2)");
  import_hf->add_option("--dataset-role", hf.dataset_role,
                        "role of every dataset of the card");
  import_hf->add_option("--dataset-disclosure", hf.dataset_disclosure,
                        "disclosure of every dataset of the card");
  import_hf->add_option("--openness-claim", hf.openness_claim,
                        "open_source, open_weight, closed or unspecified");

  CLI::App* datasets =
      app.add_subcommand("datasets", "dataset provenance questions");
  datasets->fallthrough();
  datasets->require_subcommand(1);
  CLI::App* datasets_used_by = datasets->add_subcommand(
      "used-by",
      "list the records that declare a dataset (exit 0 even when none does)");
  datasets_used_by->fallthrough();
  datasets_used_by
      ->add_option("dataset", config.datasets_used_by.dataset,
                   "dataset name as records declare it (with --sha256: the "
                   "data's SHA-256, 64 hex digits)")
      ->required();
  datasets_used_by->add_flag("--sha256", config.datasets_used_by.by_sha256,
                             "the argument is the data's SHA-256 digest");
  datasets_used_by->add_flag("--downstream", config.datasets_used_by.downstream,
                             "also every descendant of those records (all "
                             "relations but architecture_reuse)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? pedigree::client::cli::kExitOk
                     : pedigree::client::cli::kExitUsage;
  }

  config.output = output == "json" ? OutputFormat::kJson : OutputFormat::kText;
  config.progress = isatty(STDERR_FILENO) == 1;
  config.timeout = absl::Seconds(timeout_seconds);
  if (const char* token = std::getenv("PEDIGREE_ADMIN_TOKEN")) {
    config.admin_token = token;
  }
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME")) {
    config.xdg_config_home = xdg;
  }
  if (const char* home = std::getenv("HOME")) config.home = home;
  config.lineage.direction = down   ? LineageDirection::kDown
                             : both ? LineageDirection::kBoth
                                    : LineageDirection::kUp;
  config.lineage.format = format == "json"  ? LineageFormat::kJson
                          : format == "dot" ? LineageFormat::kDot
                                            : LineageFormat::kTree;
  if (keygen->parsed()) {
    config.command = Command::kKeygen;
  } else if (hash->parsed()) {
    config.command = Command::kHash;
  } else if (publish->parsed()) {
    config.command = Command::kPublish;
  } else if (namespace_create->parsed()) {
    config.command = Command::kNamespaceCreate;
  } else if (key_add->parsed()) {
    config.command = Command::kKeyAdd;
  } else if (verify->parsed()) {
    config.command = Command::kVerify;
  } else if (show->parsed()) {
    config.command = Command::kShow;
  } else if (history->parsed()) {
    config.command = Command::kHistory;
  } else if (search->parsed()) {
    config.command = Command::kSearch;
  } else if (bundle->parsed()) {
    config.command = Command::kBundle;
  } else if (log_key->parsed()) {
    config.command = Command::kLogKey;
  } else if (log_checkpoint->parsed()) {
    config.command = Command::kLogCheckpoint;
  } else if (export_command->parsed()) {
    config.command = Command::kExport;
  } else if (import_hf->parsed()) {
    config.command = Command::kImportHf;
  } else if (datasets_used_by->parsed()) {
    config.command = Command::kDatasetsUsedBy;
  } else {
    config.command = Command::kLineage;
  }
  return pedigree::client::cli::RunCommand(config, std::cout, std::cerr);
}
