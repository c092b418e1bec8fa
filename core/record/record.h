#ifndef PEDIGREE_CORE_RECORD_RECORD_H_
#define PEDIGREE_CORE_RECORD_RECORD_H_

// The provenance record of a model release: who published which weight files
// (an artifact manifest), under which licenses, trained on which disclosed
// data, how open it is (Model Openness Framework components) and what it
// descends from. A Record is a plain value; its wire form is an in-toto
// Statement (core/record/statement.h) in a DSSE envelope
// (core/record/envelope.h). docs/record-format.md documents every field and
// rule.
//
//   Record record = ...;
//   PEDIGREE_RETURN_IF_ERROR(ValidateRecord(record));

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/manifest/manifest.h"
#include "core/record/model_ref.h"

namespace pedigree::core::record {

// Bounds enforced by ValidateRecord (bytes of UTF-8 unless noted).
inline constexpr size_t kMaxDescriptionLength = 4096;
inline constexpr size_t kMaxTextLength = 256;  // organisation, names
inline constexpr size_t kMaxUriLength = 2048;
inline constexpr size_t kMaxLicenseRefIdLength = 128;
inline constexpr size_t kMaxDtypeLength = 32;
inline constexpr size_t kMaxMethodLength = 64;
inline constexpr size_t kMaxLicenseRefs = 64;
inline constexpr size_t kMaxDatasets = 1024;
inline constexpr size_t kMaxLineageEdges = 64;
// Sizes and shard bounds stay exactly representable as IEEE doubles so that
// every JSON implementation reads them back unchanged (RFC 7493 I-JSON).
inline constexpr uint64_t kMaxJsonInteger = (uint64_t{1} << 53) - 1;

// Serialisation format of one artifact file.
enum class ArtifactFormat {
  kSafetensors,
  kGguf,
  kPytorch,
  kOnnx,
  kTensorflow,
  kFlax,
  kMlx,
  kOther,
};

// The 17 components of the Model Openness Framework (White et al., 2024).
enum class MofComponent {
  kModelArchitecture,
  kFinalParameters,
  kIntermediateParameters,
  kTrainingCode,
  kInferenceCode,
  kEvaluationCode,
  kDataPreprocessingCode,
  kSupportingLibraries,
  kTrainingDatasets,
  kEvaluationData,
  kEvaluationResults,
  kModelCard,
  kDataCard,
  kTechnicalReport,
  kResearchPaper,
  kSampleOutputs,
  kModelMetadata,
};
inline constexpr size_t kMofComponentCount = 17;

enum class ComponentStatus { kPublished, kPartial, kNotPublished };

enum class DatasetRole {
  kPretraining,
  kFineTuning,
  kAlignment,
  kEvaluation,
  kDistillation,
};

enum class DatasetDisclosure {
  kFullRelease,
  kDescribedWithSources,
  kSummary,
  kUndisclosed,
};

// How a record's model derives from a parent. kDistillation (the parent is a
// teacher) and kArchitectureReuse carry no weights from the parent; all other
// relations do.
enum class Relation {
  kFinetune,
  kAdapter,
  kQuantized,
  kMerge,
  kDistillation,
  kContinuedPretraining,
  kConversion,
  kArchitectureReuse,
};

// The publisher's own claim about the openness of the release.
enum class OpennessClaim { kOpenSource, kOpenWeight, kClosed, kUnspecified };

// Each enum has a wire name (snake_case, as in docs/record-format.md).
// ToString returns "" for a value outside the enum; Parse* returns
// InvalidArgument `unknown <what> "<name>"` for an unknown name.
absl::string_view ToString(ArtifactFormat value);
absl::string_view ToString(MofComponent value);
absl::string_view ToString(ComponentStatus value);
absl::string_view ToString(DatasetRole value);
absl::string_view ToString(DatasetDisclosure value);
absl::string_view ToString(Relation value);
absl::string_view ToString(OpennessClaim value);
absl::StatusOr<ArtifactFormat> ParseArtifactFormat(absl::string_view name);
absl::StatusOr<MofComponent> ParseMofComponent(absl::string_view name);
absl::StatusOr<ComponentStatus> ParseComponentStatus(absl::string_view name);
absl::StatusOr<DatasetRole> ParseDatasetRole(absl::string_view name);
absl::StatusOr<DatasetDisclosure> ParseDatasetDisclosure(
    absl::string_view name);
absl::StatusOr<Relation> ParseRelation(absl::string_view name);
absl::StatusOr<OpennessClaim> ParseOpennessClaim(absl::string_view name);

// Returns true for relations through which weights flow from the parent
// (everything except kDistillation and kArchitectureReuse).
bool IsWeightFlowing(Relation relation);

struct Publisher {
  std::string organization;                 // non-empty text
  std::optional<std::string> jurisdiction;  // ISO 3166-1 alpha-2
};

struct ModelInfo {
  ModelRef ref;              // namespace, name and (required) version
  std::string description;   // non-empty text, newlines allowed
  std::string release_date;  // YYYY-MM-DD
  Publisher publisher;
};

struct Quantization {
  std::string method;  // lower-case token, e.g. "gptq", "awq", "gguf_q4_k_m"
  uint32_t bits = 0;   // 1..16
};

struct ArtifactFile {
  std::string name;    // manifest entry name (relative path)
  std::string sha256;  // raw 32-byte digest
  uint64_t size = 0;   // bytes, <= kMaxJsonInteger
  std::optional<manifest::Shard> shard;
  std::optional<ArtifactFormat> format;
  std::optional<std::string> dtype;  // lower-case token, e.g. "bf16"
  std::optional<Quantization> quantization;
};

struct Artifacts {
  std::vector<ArtifactFile> files;  // the manifest, in manifest order
  std::string root_digest;          // raw 32 bytes, the OMS root digest
};

struct Licenses {
  std::string weights;  // SPDX license expression
  std::string code;     // SPDX license expression
};

// Declares a "LicenseRef-<id>" used in any license expression of the record.
struct LicenseRefDeclaration {
  std::string id;    // "LicenseRef-" followed by [A-Za-z0-9.-]+
  std::string name;  // human-readable name, non-empty text
  std::string url;   // absolute URI of the license text
};

struct OpennessComponent {
  MofComponent component = MofComponent::kModelArchitecture;
  ComponentStatus status = ComponentStatus::kNotPublished;
  std::optional<std::string> license;   // SPDX; required unless not published
  std::optional<std::string> location;  // URI; required when published
};

struct Openness {
  OpennessClaim claim = OpennessClaim::kUnspecified;
  std::vector<OpennessComponent> components;  // each MofComponent once
};

struct Dataset {
  std::string name;  // non-empty text
  std::optional<std::string> uri;
  DatasetRole role = DatasetRole::kPretraining;
  DatasetDisclosure disclosure = DatasetDisclosure::kUndisclosed;
  std::optional<std::string> license;  // SPDX; required unless undisclosed
  std::optional<std::string> sha256;   // raw 32-byte digest of the data
  bool synthetic = false;
  std::optional<ModelLocator> generated_by;  // only when synthetic
};

struct LineageDetail {
  std::optional<std::string> method;  // lower-case token, e.g. "lora", "ties"
  std::optional<uint32_t> bits;       // quantized only, 1..16
  std::optional<uint32_t> lora_rank;  // adapter only, 1..65536
  // merge only, in thousandths (500 = 0.5), 1..1000; all or none of the
  // merge parents carry one. Integers keep floats out of signed bytes.
  std::optional<uint32_t> merge_weight_permille;
};

struct LineageEdge {
  ModelLocator ref;
  Relation relation = Relation::kFinetune;
  LineageDetail detail;
};

// The full provenance record. A plain value; copyable, no invariants until
// ValidateRecord has accepted it.
struct Record {
  ModelInfo model;
  Artifacts artifacts;
  Licenses licenses;
  std::vector<LicenseRefDeclaration> license_refs;
  Openness openness;
  std::vector<Dataset> datasets;
  std::vector<LineageEdge> lineage;
};

// Field-by-field equality (digests compare as bytes; this is not a
// constant-time comparison).
bool operator==(const Publisher& a, const Publisher& b);
bool operator==(const ModelInfo& a, const ModelInfo& b);
bool operator==(const Quantization& a, const Quantization& b);
bool operator==(const ArtifactFile& a, const ArtifactFile& b);
bool operator==(const Artifacts& a, const Artifacts& b);
bool operator==(const Licenses& a, const Licenses& b);
bool operator==(const LicenseRefDeclaration& a, const LicenseRefDeclaration& b);
bool operator==(const OpennessComponent& a, const OpennessComponent& b);
bool operator==(const Openness& a, const Openness& b);
bool operator==(const Dataset& a, const Dataset& b);
bool operator==(const LineageDetail& a, const LineageDetail& b);
bool operator==(const LineageEdge& a, const LineageEdge& b);
bool operator==(const Record& a, const Record& b);
bool operator!=(const Record& a, const Record& b);

// Returns OK if `record` satisfies every rule in docs/record-format.md.
// Otherwise returns InvalidArgument for the first problem found, prefixed
// with its JSON field path in the statement, e.g.
// `predicate.datasets[2].license: missing (required unless undisclosed)`.
// Pure; thread-safe.
absl::Status ValidateRecord(const Record& record);

// Returns the artifact manifest of `record` (its files as manifest entries).
// Returns InvalidArgument, with the field path, if the files do not form a
// valid manifest. Does not check the rest of the record.
absl::StatusOr<manifest::Manifest> ArtifactManifest(const Record& record);

}  // namespace pedigree::core::record

#endif  // PEDIGREE_CORE_RECORD_RECORD_H_
