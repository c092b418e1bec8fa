#ifndef PEDIGREE_CLIENT_LIB_META_FILE_H_
#define PEDIGREE_CLIENT_LIB_META_FILE_H_

// The publish meta file: the part of a provenance record that a publisher
// writes by hand (licenses, datasets, parents, openness, publisher, ...), as
// JSON. `pedigree publish` merges it with the hashed model directory and the
// model reference given on the command line into a core::record::Record.
// docs/meta-file.md documents the format with a complete example.
//
//   PEDIGREE_ASSIGN_OR_RETURN(MetaFile meta, ReadMetaFile("meta.json"));
//   PEDIGREE_ASSIGN_OR_RETURN(DirectoryManifest hashed,
//                             HashDirectory(dir, options));
//   PEDIGREE_ASSIGN_OR_RETURN(core::record::Record record,
//                             BuildRecord(meta, ref, hashed));
//
// Strict: a meta file with an unknown field (at any level), a duplicate key,
// a wrong JSON type (null included), an unknown enumeration value or a
// malformed model locator or digest is refused, so a typo never silently
// drops a statement the publisher meant to sign. Every error is
// InvalidArgument and starts with the field path in the meta file, e.g.
// `meta.datasets[1].role: unknown role "pretrain"`.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/lib/directory_hasher.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"

namespace pedigree::client {

// Meta files larger than this are refused before parsing.
inline constexpr size_t kMaxMetaFileSize = size_t{4} << 20;

// Optional description of one artifact file, keyed by its manifest name.
struct FileMeta {
  std::optional<core::record::ArtifactFormat> format;
  std::optional<std::string> dtype;
  std::optional<core::record::Quantization> quantization;
};

// A parsed meta file. Plain value; copyable. Parsing checks structure, types
// and enumerations only; BuildRecord checks every record rule.
struct MetaFile {
  std::string description;
  std::string release_date;  // YYYY-MM-DD
  core::record::Publisher publisher;
  core::record::Licenses licenses;
  std::vector<core::record::LicenseRefDeclaration> license_refs;
  // Claim kUnspecified and no components when the meta file omits it.
  core::record::Openness openness;
  std::vector<core::record::Dataset> datasets;
  // The record's lineage; named "parents" in the meta file.
  std::vector<core::record::LineageEdge> parents;
  // Per-file details, by manifest entry name (relative path).
  std::map<std::string, FileMeta> files;
};

// Parses meta file JSON (see the file comment for what is refused). Pure;
// thread-safe.
absl::StatusOr<MetaFile> ParseMetaFile(absl::string_view json);

// Reads the file at `path` and parses it. Returns NotFound or
// PermissionDenied naming `path` if it cannot be read, InvalidArgument
// naming it if it is larger than kMaxMetaFileSize, and the ParseMetaFile
// errors (which name the field, not the file) otherwise.
absl::StatusOr<MetaFile> ReadMetaFile(const std::string& path);

// Returns the record for release `ref` of the model whose files are
// `hashed`, described by `meta`, after ValidateRecord has accepted it.
// Returns InvalidArgument if `ref` has no version, if meta.files names a
// file that is not in `hashed` (`meta.files["x.bin"]: no such file in the
// model directory`), or if the record breaks a rule of
// docs/record-format.md. Record field paths in messages are translated to
// where the value came from: `meta.<field>` for the meta file (its
// `parents` are the record's `lineage`), `--model` for the model reference,
// `meta.files["<name>"]` for per-file details and `model file "<name>"` for
// a hashed file. Pure; thread-safe.
absl::StatusOr<core::record::Record> BuildRecord(
    const MetaFile& meta, const core::record::ModelRef& ref,
    const DirectoryManifest& hashed);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_META_FILE_H_
