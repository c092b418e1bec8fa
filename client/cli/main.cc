// pedigree: the Pedigree command-line client. The composition root: flags
// and environment become a CliConfig, then RunCommand does the work.
//
// Exit codes (client/cli/commands.h): 0 ok, 1 operation or verification
// failed, 2 usage or input error, 3 registry unreachable.

#include <unistd.h>

#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "client/cli/commands.h"

namespace {

using pedigree::client::cli::CliConfig;
using pedigree::client::cli::Command;
using pedigree::client::cli::OutputFormat;

}  // namespace

int main(int argc, char** argv) {
  CliConfig config;
  std::string output = "text";

  CLI::App app{"pedigree: sign, publish and verify AI model provenance"};
  app.add_option("--server", config.server,
                 "registry address host:port (not used by offline commands)")
      ->envname("PEDIGREE_SERVER");
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
      "publish", "build and sign the provenance record of a model release");
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? pedigree::client::cli::kExitOk
                     : pedigree::client::cli::kExitUsage;
  }

  config.output = output == "json" ? OutputFormat::kJson : OutputFormat::kText;
  config.progress = isatty(STDERR_FILENO) == 1;
  if (keygen->parsed()) {
    config.command = Command::kKeygen;
  } else if (hash->parsed()) {
    config.command = Command::kHash;
  } else {
    config.command = Command::kPublish;
  }
  return pedigree::client::cli::RunCommand(config, std::cout, std::cerr);
}
