#ifndef PEDIGREE_CLIENT_LIB_EXPORT_H_
#define PEDIGREE_CLIENT_LIB_EXPORT_H_

// Converters from the registry's answers about one release to the two
// interchange formats of AI bills of materials (docs/export.md gives every
// mapping and what is left out):
//
// - SPDX 3.0.1 (JSON-LD as SPDX 3.0.1 serializes it: "@context" and
//   "@graph"), with the Core, Software, SimpleLicensing, AI and Dataset
//   profiles: an ai_AIPackage for the release and for each ancestor,
//   dataset_DatasetPackage for each dataset, software_File for each
//   artifact file, typed lineage as Relationships.
// - CycloneDX 1.6 (JSON): an ML-BOM whose metadata.component is the release
//   (type machine-learning-model, with a model card), with every ancestor
//   model and every dataset as a component, the lineage in each model's
//   pedigree.ancestors and in the dependency graph.
//
// The converters are pure: they read only their arguments (no clock, no
// files), so the same answers always give the same bytes. Timestamps come
// from the record's published_at, element ids from record digests and
// positions, and JSON keys are sorted. The output is pretty-printed (two
// spaces) and ends with a newline.
//
// Input: `record` is the registry's GetRecord answer for the release;
// `lineage` its GetLineage answer from that release (ancestors; descendant
// nodes are ignored). An empty lineage (no nodes) exports the release
// without ancestors.
//
// Errors: InvalidArgument, naming the field, when the answers are not
// usable: the summary's record digest or root digest is not 64 lowercase hex
// characters, the ref or model name is missing, the lineage does not start at
// the record, a lineage node repeats or lacks a valid digest, or an edge
// names a node that is not in the lineage.
//
// Thread-safe (no shared state).

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pedigree/v1/registry.pb.h"

namespace pedigree::client {

enum class ExportFormat { kSpdx3, kCycloneDx };

// Parses an export format name: "spdx3" or "cyclonedx". InvalidArgument
// `unknown export format "<name>" (expected spdx3 or cyclonedx)` otherwise.
absl::StatusOr<ExportFormat> ParseExportFormat(absl::string_view name);

// Returns the SPDX 3.0.1 JSON-LD document of the release.
absl::StatusOr<std::string> ExportSpdx3(const v1::GetRecordResponse& record,
                                        const v1::GetLineageResponse& lineage);

// Returns the CycloneDX 1.6 JSON BOM of the release.
absl::StatusOr<std::string> ExportCycloneDx(
    const v1::GetRecordResponse& record, const v1::GetLineageResponse& lineage);

// Dispatches to ExportSpdx3 or ExportCycloneDx.
absl::StatusOr<std::string> Export(ExportFormat format,
                                   const v1::GetRecordResponse& record,
                                   const v1::GetLineageResponse& lineage);

// Returns the CycloneDX serialNumber of the BOM of the record with lowercase
// hex digest `record_digest`: "urn:uuid:" and the first 16 bytes of
// SHA-256("pedigree-export-cyclonedx-v1:" + record_digest) with the RFC 9562
// version 8 (custom) and variant bits set. Internal only if hashing fails.
absl::StatusOr<std::string> CycloneDxSerialNumber(
    absl::string_view record_digest);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_EXPORT_H_
