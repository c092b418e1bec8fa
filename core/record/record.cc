#include "core/record/record.h"

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/hex.h"
#include "core/license/license_expression.h"
#include "core/record/country_code.h"
#include "core/record/internal/text.h"
#include "core/status_macros.h"

namespace pedigree::core::record {
namespace {

using internal::CheckText;
using internal::CheckToken;
using internal::CheckUri;
using internal::FieldError;
using internal::WithPath;

template <typename E>
struct EnumName {
  E value;
  absl::string_view name;
};

constexpr EnumName<ArtifactFormat> kFormatNames[] = {
    {ArtifactFormat::kSafetensors, "safetensors"},
    {ArtifactFormat::kGguf, "gguf"},
    {ArtifactFormat::kPytorch, "pytorch"},
    {ArtifactFormat::kOnnx, "onnx"},
    {ArtifactFormat::kTensorflow, "tensorflow"},
    {ArtifactFormat::kFlax, "flax"},
    {ArtifactFormat::kMlx, "mlx"},
    {ArtifactFormat::kOther, "other"},
};

constexpr EnumName<MofComponent> kComponentNames[] = {
    {MofComponent::kModelArchitecture, "model_architecture"},
    {MofComponent::kFinalParameters, "final_parameters"},
    {MofComponent::kIntermediateParameters, "intermediate_parameters"},
    {MofComponent::kTrainingCode, "training_code"},
    {MofComponent::kInferenceCode, "inference_code"},
    {MofComponent::kEvaluationCode, "evaluation_code"},
    {MofComponent::kDataPreprocessingCode, "data_preprocessing_code"},
    {MofComponent::kSupportingLibraries, "supporting_libraries"},
    {MofComponent::kTrainingDatasets, "training_datasets"},
    {MofComponent::kEvaluationData, "evaluation_data"},
    {MofComponent::kEvaluationResults, "evaluation_results"},
    {MofComponent::kModelCard, "model_card"},
    {MofComponent::kDataCard, "data_card"},
    {MofComponent::kTechnicalReport, "technical_report"},
    {MofComponent::kResearchPaper, "research_paper"},
    {MofComponent::kSampleOutputs, "sample_outputs"},
    {MofComponent::kModelMetadata, "model_metadata"},
};
static_assert(sizeof(kComponentNames) / sizeof(kComponentNames[0]) ==
                  kMofComponentCount,
              "one name per MOF component");

constexpr EnumName<ComponentStatus> kStatusNames[] = {
    {ComponentStatus::kPublished, "published"},
    {ComponentStatus::kPartial, "partial"},
    {ComponentStatus::kNotPublished, "not_published"},
};

constexpr EnumName<DatasetRole> kRoleNames[] = {
    {DatasetRole::kPretraining, "pretraining"},
    {DatasetRole::kFineTuning, "fine_tuning"},
    {DatasetRole::kAlignment, "alignment"},
    {DatasetRole::kEvaluation, "evaluation"},
    {DatasetRole::kDistillation, "distillation"},
};

constexpr EnumName<DatasetDisclosure> kDisclosureNames[] = {
    {DatasetDisclosure::kFullRelease, "full_release"},
    {DatasetDisclosure::kDescribedWithSources, "described_with_sources"},
    {DatasetDisclosure::kSummary, "summary"},
    {DatasetDisclosure::kUndisclosed, "undisclosed"},
};

constexpr EnumName<Relation> kRelationNames[] = {
    {Relation::kFinetune, "finetune"},
    {Relation::kAdapter, "adapter"},
    {Relation::kQuantized, "quantized"},
    {Relation::kMerge, "merge"},
    {Relation::kDistillation, "distillation"},
    {Relation::kContinuedPretraining, "continued_pretraining"},
    {Relation::kConversion, "conversion"},
    {Relation::kArchitectureReuse, "architecture_reuse"},
};

constexpr EnumName<OpennessClaim> kClaimNames[] = {
    {OpennessClaim::kOpenSource, "open_source"},
    {OpennessClaim::kOpenWeight, "open_weight"},
    {OpennessClaim::kClosed, "closed"},
    {OpennessClaim::kUnspecified, "unspecified"},
};

template <typename E, size_t N>
absl::string_view NameOf(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return absl::string_view();
}

template <typename E, size_t N>
absl::StatusOr<E> ValueOf(const EnumName<E> (&table)[N], absl::string_view what,
                          absl::string_view name) {
  for (const EnumName<E>& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " \"", absl::CHexEscape(name), "\""));
}

// Checks that an enum field holds a declared value (a struct built in C++
// may hold any integer).
template <typename E, size_t N>
absl::Status CheckEnum(const EnumName<E> (&table)[N], absl::string_view path,
                       E value) {
  if (NameOf(table, value).empty()) {
    return FieldError(
        path, absl::StrCat("unknown value ", static_cast<int64_t>(value)));
  }
  return absl::OkStatus();
}

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

absl::Status CheckDate(absl::string_view path, absl::string_view date) {
  const absl::Status malformed =
      FieldError(path, absl::StrCat("\"", absl::CHexEscape(date),
                                    "\" is not a calendar date YYYY-MM-DD"));
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return malformed;
  int fields[3] = {0, 0, 0};
  const std::pair<size_t, size_t> spans[3] = {{0, 4}, {5, 2}, {8, 2}};
  for (int f = 0; f < 3; ++f) {
    for (size_t i = spans[f].first; i < spans[f].first + spans[f].second; ++i) {
      if (!absl::ascii_isdigit(date[i])) return malformed;
      fields[f] = fields[f] * 10 + (date[i] - '0');
    }
  }
  const int year = fields[0];
  const int month = fields[1];
  const int day = fields[2];
  constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1) return malformed;
  const int days =
      kDaysInMonth[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  if (day > days) return malformed;
  return absl::OkStatus();
}

// Validates an SPDX expression field, requires its canonical spelling (so
// that one license has one spelling in signed bytes) and collects the
// LicenseRef ids it uses into `used_refs` (id -> first path using it).
absl::Status CheckLicense(const std::string& path, absl::string_view text,
                          std::map<std::string, std::string>* used_refs) {
  absl::StatusOr<license::LicenseExpression> expression =
      license::ParseLicenseExpression(text);
  if (!expression.ok()) return WithPath(path, expression.status());
  const std::string canonical = license::ToString(*expression);
  if (canonical != text) {
    return FieldError(
        path, absl::StrCat("license expression \"", absl::CHexEscape(text),
                           "\" is not in canonical form \"", canonical, "\""));
  }
  for (std::string& id : license::LicenseRefIds(*expression)) {
    used_refs->emplace(std::move(id), path);
  }
  return absl::OkStatus();
}

absl::Status CheckDigest(absl::string_view path, absl::string_view digest) {
  if (digest.size() != 32) {
    return FieldError(path, absl::StrCat("digest has ", digest.size(),
                                         " bytes, expected 32"));
  }
  return absl::OkStatus();
}

absl::Status CheckModel(const ModelInfo& model) {
  absl::Status status = ValidateModelNamespace(model.ref.namespace_name);
  if (!status.ok()) return WithPath("predicate.model.namespace", status);
  status = ValidateModelName(model.ref.name);
  if (!status.ok()) return WithPath("predicate.model.name", status);
  status = ValidateVersionLabel(model.ref.version);
  if (!status.ok()) return WithPath("predicate.model.version", status);
  PEDIGREE_RETURN_IF_ERROR(CheckText("predicate.model.description",
                                     model.description, kMaxDescriptionLength,
                                     /*allow_newline=*/true));
  PEDIGREE_RETURN_IF_ERROR(
      CheckDate("predicate.model.release_date", model.release_date));
  PEDIGREE_RETURN_IF_ERROR(CheckText("predicate.model.publisher.organization",
                                     model.publisher.organization,
                                     kMaxTextLength,
                                     /*allow_newline=*/false));
  if (model.publisher.jurisdiction.has_value() &&
      !IsAssignedCountryCode(*model.publisher.jurisdiction)) {
    return FieldError(
        "predicate.model.publisher.jurisdiction",
        absl::StrCat("\"", absl::CHexEscape(*model.publisher.jurisdiction),
                     "\" is not an assigned iso 3166-1 alpha-2 code"));
  }
  return absl::OkStatus();
}

absl::Status CheckArtifacts(const Record& record) {
  const Artifacts& artifacts = record.artifacts;
  if (artifacts.files.empty()) {
    return FieldError("predicate.artifacts.files", "has no files");
  }
  for (size_t i = 0; i < artifacts.files.size(); ++i) {
    const ArtifactFile& file = artifacts.files[i];
    const std::string path = absl::StrCat("predicate.artifacts.files[", i, "]");
    absl::Status status = manifest::ValidateEntryName(file.name);
    if (!status.ok()) return WithPath(absl::StrCat(path, ".name"), status);
    PEDIGREE_RETURN_IF_ERROR(
        CheckDigest(absl::StrCat(path, ".sha256"), file.sha256));
    if (file.size > kMaxJsonInteger) {
      return FieldError(absl::StrCat(path, ".size"),
                        absl::StrCat(file.size, " exceeds 2^53-1"));
    }
    if (file.shard.has_value() && (file.shard->start > kMaxJsonInteger ||
                                   file.shard->end > kMaxJsonInteger)) {
      return FieldError(absl::StrCat(path, ".shard"), "bound exceeds 2^53-1");
    }
    if (file.format.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(
          CheckEnum(kFormatNames, absl::StrCat(path, ".format"), *file.format));
    }
    if (file.dtype.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(CheckToken(absl::StrCat(path, ".dtype"),
                                          *file.dtype, kMaxDtypeLength));
    }
    if (file.quantization.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(
          CheckToken(absl::StrCat(path, ".quantization.method"),
                     file.quantization->method, kMaxMethodLength));
      if (file.quantization->bits < 1 || file.quantization->bits > 16) {
        return FieldError(
            absl::StrCat(path, ".quantization.bits"),
            absl::StrCat(file.quantization->bits, " is outside 1..16"));
      }
    }
  }
  PEDIGREE_RETURN_IF_ERROR(
      CheckDigest("predicate.artifacts.root_digest", artifacts.root_digest));
  PEDIGREE_ASSIGN_OR_RETURN(manifest::Manifest manifest,
                            ArtifactManifest(record));
  // Subjects, and so the signed bytes, follow the files; one manifest has
  // one order.
  for (size_t i = 0; i < artifacts.files.size(); ++i) {
    if (manifest.entries()[i].name != artifacts.files[i].name) {
      return FieldError(
          absl::StrCat("predicate.artifacts.files[", i, "].name"),
          absl::StrCat("files are not in manifest order (expected \"",
                       absl::CHexEscape(manifest.entries()[i].name),
                       "\" here)"));
    }
  }
  const std::string computed = manifest.RootDigest();
  if (computed != artifacts.root_digest) {
    return FieldError("predicate.artifacts.root_digest",
                      absl::StrCat("does not match the digest computed from "
                                   "predicate.artifacts.files (",
                                   HexEncode(computed), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckOpennessComponents(
    const Openness& openness, std::map<std::string, std::string>* used_refs) {
  std::map<MofComponent, size_t> seen;
  for (size_t i = 0; i < openness.components.size(); ++i) {
    const OpennessComponent& component = openness.components[i];
    const std::string path =
        absl::StrCat("predicate.openness.components[", i, "]");
    PEDIGREE_RETURN_IF_ERROR(CheckEnum(kComponentNames,
                                       absl::StrCat(path, ".component"),
                                       component.component));
    PEDIGREE_RETURN_IF_ERROR(CheckEnum(
        kStatusNames, absl::StrCat(path, ".status"), component.status));
    const auto [it, inserted] = seen.emplace(component.component, i);
    if (!inserted) {
      return FieldError(
          absl::StrCat(path, ".component"),
          absl::StrCat("duplicate component \"", ToString(component.component),
                       "\" (also predicate.openness.components[", it->second,
                       "])"));
    }
    const bool not_published =
        component.status == ComponentStatus::kNotPublished;
    if (component.license.has_value()) {
      if (not_published) {
        return FieldError(absl::StrCat(path, ".license"),
                          "must be absent when status is not_published");
      }
      PEDIGREE_RETURN_IF_ERROR(CheckLicense(absl::StrCat(path, ".license"),
                                            *component.license, used_refs));
    } else if (!not_published) {
      return FieldError(absl::StrCat(path, ".license"),
                        absl::StrCat("missing (required when status is ",
                                     ToString(component.status), ")"));
    }
    if (component.location.has_value()) {
      if (not_published) {
        return FieldError(absl::StrCat(path, ".location"),
                          "must be absent when status is not_published");
      }
      PEDIGREE_RETURN_IF_ERROR(
          CheckUri(absl::StrCat(path, ".location"), *component.location));
    } else if (component.status == ComponentStatus::kPublished) {
      return FieldError(absl::StrCat(path, ".location"),
                        "missing (required when status is published)");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDatasets(const std::vector<Dataset>& datasets,
                           std::map<std::string, std::string>* used_refs) {
  if (datasets.size() > kMaxDatasets) {
    return FieldError("predicate.datasets",
                      absl::StrCat("has more than ", kMaxDatasets, " entries"));
  }
  std::map<std::pair<std::string, DatasetRole>, size_t> seen;
  for (size_t i = 0; i < datasets.size(); ++i) {
    const Dataset& dataset = datasets[i];
    const std::string path = absl::StrCat("predicate.datasets[", i, "]");
    PEDIGREE_RETURN_IF_ERROR(CheckText(absl::StrCat(path, ".name"),
                                       dataset.name, kMaxTextLength,
                                       /*allow_newline=*/false));
    PEDIGREE_RETURN_IF_ERROR(
        CheckEnum(kRoleNames, absl::StrCat(path, ".role"), dataset.role));
    PEDIGREE_RETURN_IF_ERROR(CheckEnum(kDisclosureNames,
                                       absl::StrCat(path, ".disclosure"),
                                       dataset.disclosure));
    const auto [it, inserted] =
        seen.emplace(std::make_pair(dataset.name, dataset.role), i);
    if (!inserted) {
      return FieldError(
          path,
          absl::StrCat("duplicate dataset \"", absl::CHexEscape(dataset.name),
                       "\" with role ", ToString(dataset.role),
                       " (also predicate.datasets[", it->second, "])"));
    }
    const bool undisclosed =
        dataset.disclosure == DatasetDisclosure::kUndisclosed;
    if (dataset.uri.has_value()) {
      if (undisclosed) {
        return FieldError(absl::StrCat(path, ".uri"),
                          "must be absent when disclosure is undisclosed");
      }
      PEDIGREE_RETURN_IF_ERROR(
          CheckUri(absl::StrCat(path, ".uri"), *dataset.uri));
    } else if (dataset.disclosure == DatasetDisclosure::kFullRelease) {
      return FieldError(absl::StrCat(path, ".uri"),
                        "missing (required when disclosure is full_release)");
    }
    if (dataset.license.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(CheckLicense(absl::StrCat(path, ".license"),
                                            *dataset.license, used_refs));
    } else if (!undisclosed) {
      return FieldError(absl::StrCat(path, ".license"),
                        "missing (required unless disclosure is undisclosed)");
    }
    if (dataset.sha256.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(
          CheckDigest(absl::StrCat(path, ".sha256"), *dataset.sha256));
    }
    if (dataset.generated_by.has_value()) {
      if (!dataset.synthetic) {
        return FieldError(absl::StrCat(path, ".generated_by"),
                          "only allowed when synthetic is true");
      }
      absl::Status status = ValidateModelLocator(*dataset.generated_by);
      if (!status.ok()) {
        return WithPath(absl::StrCat(path, ".generated_by"), status);
      }
    }
  }
  return absl::OkStatus();
}

// Lineage rules; see "lineage" in docs/record-format.md.
absl::Status CheckLineage(const Record& record) {
  const std::vector<LineageEdge>& lineage = record.lineage;
  if (lineage.size() > kMaxLineageEdges) {
    return FieldError(
        "predicate.lineage",
        absl::StrCat("has more than ", kMaxLineageEdges, " parents"));
  }
  std::vector<std::string> refs;
  std::vector<size_t> merges;
  std::vector<size_t> merge_weighted;
  std::optional<size_t> single_weight_parent;
  std::optional<size_t> architecture_parent;
  for (size_t i = 0; i < lineage.size(); ++i) {
    const LineageEdge& edge = lineage[i];
    const std::string path = absl::StrCat("predicate.lineage[", i, "]");
    absl::Status status = ValidateModelLocator(edge.ref);
    if (!status.ok()) return WithPath(absl::StrCat(path, ".ref"), status);
    PEDIGREE_RETURN_IF_ERROR(CheckEnum(
        kRelationNames, absl::StrCat(path, ".relation"), edge.relation));

    const bool self =
        edge.ref.kind == ModelLocator::Kind::kModelRef
            ? SameModelVersion(edge.ref.model, record.model.ref)
            : edge.ref.root_digest == record.artifacts.root_digest;
    if (self) {
      return FieldError(absl::StrCat(path, ".ref"),
                        "a record cannot name itself as its parent");
    }
    // Model ids compare case-insensitively, as on Hugging Face.
    std::string key = ToString(edge.ref);
    if (edge.ref.kind == ModelLocator::Kind::kModelRef) {
      key = absl::StrCat(absl::AsciiStrToLower(ModelId(edge.ref.model)), "@",
                         edge.ref.model.version);
    }
    for (size_t j = 0; j < refs.size(); ++j) {
      if (refs[j] == key) {
        return FieldError(absl::StrCat(path, ".ref"),
                          absl::StrCat("duplicate parent (also "
                                       "predicate.lineage[",
                                       j, "])"));
      }
    }
    refs.push_back(std::move(key));

    const std::string relation_path = absl::StrCat(path, ".relation");
    if (edge.relation == Relation::kMerge) {
      if (single_weight_parent.has_value()) {
        return FieldError(
            relation_path,
            absl::StrCat("merge cannot be combined with a ",
                         ToString(lineage[*single_weight_parent].relation),
                         " parent (predicate.lineage[", *single_weight_parent,
                         "])"));
      }
      merges.push_back(i);
      if (edge.detail.merge_weight_permille.has_value()) {
        merge_weighted.push_back(i);
      }
    } else if (IsWeightFlowing(edge.relation)) {
      if (!merges.empty()) {
        return FieldError(relation_path,
                          absl::StrCat(ToString(edge.relation),
                                       " cannot be combined with merge parents "
                                       "(predicate.lineage[",
                                       merges.front(), "])"));
      }
      if (single_weight_parent.has_value()) {
        return FieldError(
            relation_path,
            absl::StrCat("a second weight-flowing parent (",
                         ToString(edge.relation), "; predicate.lineage[",
                         *single_weight_parent, "] is ",
                         ToString(lineage[*single_weight_parent].relation),
                         "); only merge may have several"));
      }
      single_weight_parent = i;
    } else if (edge.relation == Relation::kArchitectureReuse) {
      if (architecture_parent.has_value()) {
        return FieldError(relation_path,
                          absl::StrCat("a second architecture_reuse parent "
                                       "(also predicate.lineage[",
                                       *architecture_parent, "])"));
      }
      architecture_parent = i;
    }

    const LineageDetail& detail = edge.detail;
    const std::string detail_path = absl::StrCat(path, ".detail");
    if (detail.method.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(CheckToken(absl::StrCat(detail_path, ".method"),
                                          *detail.method, kMaxMethodLength));
    }
    if (detail.bits.has_value()) {
      if (edge.relation != Relation::kQuantized) {
        return FieldError(absl::StrCat(detail_path, ".bits"),
                          "only allowed for relation quantized");
      }
      if (*detail.bits < 1 || *detail.bits > 16) {
        return FieldError(absl::StrCat(detail_path, ".bits"),
                          absl::StrCat(*detail.bits, " is outside 1..16"));
      }
    }
    if (detail.lora_rank.has_value()) {
      if (edge.relation != Relation::kAdapter) {
        return FieldError(absl::StrCat(detail_path, ".lora_rank"),
                          "only allowed for relation adapter");
      }
      if (*detail.lora_rank < 1 || *detail.lora_rank > 65536) {
        return FieldError(
            absl::StrCat(detail_path, ".lora_rank"),
            absl::StrCat(*detail.lora_rank, " is outside 1..65536"));
      }
    }
    if (detail.merge_weight_permille.has_value()) {
      if (edge.relation != Relation::kMerge) {
        return FieldError(absl::StrCat(detail_path, ".merge_weight_permille"),
                          "only allowed for relation merge");
      }
      if (*detail.merge_weight_permille < 1 ||
          *detail.merge_weight_permille > 1000) {
        return FieldError(
            absl::StrCat(detail_path, ".merge_weight_permille"),
            absl::StrCat(*detail.merge_weight_permille, " is outside 1..1000"));
      }
    }
  }
  if (merges.size() == 1) {
    return FieldError(
        absl::StrCat("predicate.lineage[", merges.front(), "].relation"),
        "merge needs two or more merge parents");
  }
  if (!merge_weighted.empty() && merge_weighted.size() != merges.size()) {
    for (size_t index : merges) {
      if (!lineage[index].detail.merge_weight_permille.has_value()) {
        return FieldError(
            absl::StrCat("predicate.lineage[", index,
                         "].detail.merge_weight_permille"),
            "missing (all merge parents need a weight when any has one)");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLicenseRefs(
    const std::vector<LicenseRefDeclaration>& declarations,
    const std::map<std::string, std::string>& used_refs) {
  if (declarations.size() > kMaxLicenseRefs) {
    return FieldError(
        "predicate.license_refs",
        absl::StrCat("has more than ", kMaxLicenseRefs, " entries"));
  }
  std::map<std::string, size_t> declared;
  for (size_t i = 0; i < declarations.size(); ++i) {
    const LicenseRefDeclaration& declaration = declarations[i];
    const std::string path = absl::StrCat("predicate.license_refs[", i, "]");
    PEDIGREE_RETURN_IF_ERROR(
        internal::CheckLicenseRefId(absl::StrCat(path, ".id"), declaration.id));
    const auto [it, inserted] = declared.emplace(declaration.id, i);
    if (!inserted) {
      return FieldError(
          absl::StrCat(path, ".id"),
          absl::StrCat("duplicate declaration of ", declaration.id,
                       " (also predicate.license_refs[", it->second, "])"));
    }
    if (used_refs.count(declaration.id) == 0) {
      return FieldError(absl::StrCat(path, ".id"),
                        absl::StrCat(declaration.id,
                                     " is declared but not used by any "
                                     "license expression"));
    }
    PEDIGREE_RETURN_IF_ERROR(CheckText(absl::StrCat(path, ".name"),
                                       declaration.name, kMaxTextLength,
                                       /*allow_newline=*/false));
    PEDIGREE_RETURN_IF_ERROR(
        CheckUri(absl::StrCat(path, ".url"), declaration.url));
  }
  for (const auto& [id, path] : used_refs) {
    if (declared.count(id) == 0) {
      return FieldError(path, absl::StrCat(id,
                                           " is not declared in "
                                           "predicate.license_refs"));
    }
  }
  return absl::OkStatus();
}

// The claim is the publisher's word and is only checked for being a known
// value: judging it against the components, licenses and ancestors is the
// registry's computed openness, which flags an over-claim instead of refusing
// the record.
absl::Status CheckClaim(const Record& record) {
  return CheckEnum(kClaimNames, "predicate.openness.claim",
                   record.openness.claim);
}

}  // namespace

absl::string_view ToString(ArtifactFormat value) {
  return NameOf(kFormatNames, value);
}
absl::string_view ToString(MofComponent value) {
  return NameOf(kComponentNames, value);
}
absl::string_view ToString(ComponentStatus value) {
  return NameOf(kStatusNames, value);
}
absl::string_view ToString(DatasetRole value) {
  return NameOf(kRoleNames, value);
}
absl::string_view ToString(DatasetDisclosure value) {
  return NameOf(kDisclosureNames, value);
}
absl::string_view ToString(Relation value) {
  return NameOf(kRelationNames, value);
}
absl::string_view ToString(OpennessClaim value) {
  return NameOf(kClaimNames, value);
}

absl::StatusOr<ArtifactFormat> ParseArtifactFormat(absl::string_view name) {
  return ValueOf(kFormatNames, "format", name);
}
absl::StatusOr<MofComponent> ParseMofComponent(absl::string_view name) {
  return ValueOf(kComponentNames, "component", name);
}
absl::StatusOr<ComponentStatus> ParseComponentStatus(absl::string_view name) {
  return ValueOf(kStatusNames, "status", name);
}
absl::StatusOr<DatasetRole> ParseDatasetRole(absl::string_view name) {
  return ValueOf(kRoleNames, "role", name);
}
absl::StatusOr<DatasetDisclosure> ParseDatasetDisclosure(
    absl::string_view name) {
  return ValueOf(kDisclosureNames, "disclosure", name);
}
absl::StatusOr<Relation> ParseRelation(absl::string_view name) {
  return ValueOf(kRelationNames, "relation", name);
}
absl::StatusOr<OpennessClaim> ParseOpennessClaim(absl::string_view name) {
  return ValueOf(kClaimNames, "claim", name);
}

bool IsWeightFlowing(Relation relation) {
  return relation != Relation::kDistillation &&
         relation != Relation::kArchitectureReuse;
}

bool operator==(const Publisher& a, const Publisher& b) {
  return std::tie(a.organization, a.jurisdiction) ==
         std::tie(b.organization, b.jurisdiction);
}

bool operator==(const ModelInfo& a, const ModelInfo& b) {
  return std::tie(a.ref, a.description, a.release_date, a.publisher) ==
         std::tie(b.ref, b.description, b.release_date, b.publisher);
}

bool operator==(const Quantization& a, const Quantization& b) {
  return std::tie(a.method, a.bits) == std::tie(b.method, b.bits);
}

bool operator==(const ArtifactFile& a, const ArtifactFile& b) {
  if (a.shard.has_value() != b.shard.has_value()) return false;
  if (a.shard.has_value() &&
      (a.shard->start != b.shard->start || a.shard->end != b.shard->end)) {
    return false;
  }
  return std::tie(a.name, a.sha256, a.size, a.format, a.dtype,
                  a.quantization) ==
         std::tie(b.name, b.sha256, b.size, b.format, b.dtype, b.quantization);
}

bool operator==(const Artifacts& a, const Artifacts& b) {
  return std::tie(a.files, a.root_digest) == std::tie(b.files, b.root_digest);
}

bool operator==(const Licenses& a, const Licenses& b) {
  return std::tie(a.weights, a.code) == std::tie(b.weights, b.code);
}

bool operator==(const LicenseRefDeclaration& a,
                const LicenseRefDeclaration& b) {
  return std::tie(a.id, a.name, a.url) == std::tie(b.id, b.name, b.url);
}

bool operator==(const OpennessComponent& a, const OpennessComponent& b) {
  return std::tie(a.component, a.status, a.license, a.location) ==
         std::tie(b.component, b.status, b.license, b.location);
}

bool operator==(const Openness& a, const Openness& b) {
  return std::tie(a.claim, a.components) == std::tie(b.claim, b.components);
}

bool operator==(const Dataset& a, const Dataset& b) {
  return std::tie(a.name, a.uri, a.role, a.disclosure, a.license, a.sha256,
                  a.synthetic, a.generated_by) ==
         std::tie(b.name, b.uri, b.role, b.disclosure, b.license, b.sha256,
                  b.synthetic, b.generated_by);
}

bool operator==(const LineageDetail& a, const LineageDetail& b) {
  return std::tie(a.method, a.bits, a.lora_rank, a.merge_weight_permille) ==
         std::tie(b.method, b.bits, b.lora_rank, b.merge_weight_permille);
}

bool operator==(const LineageEdge& a, const LineageEdge& b) {
  return std::tie(a.ref, a.relation, a.detail) ==
         std::tie(b.ref, b.relation, b.detail);
}

bool operator==(const Record& a, const Record& b) {
  return std::tie(a.model, a.artifacts, a.licenses, a.license_refs, a.openness,
                  a.datasets, a.lineage) ==
         std::tie(b.model, b.artifacts, b.licenses, b.license_refs, b.openness,
                  b.datasets, b.lineage);
}

bool operator!=(const Record& a, const Record& b) { return !(a == b); }

absl::StatusOr<manifest::Manifest> ArtifactManifest(const Record& record) {
  std::vector<manifest::ManifestEntry> entries;
  entries.reserve(record.artifacts.files.size());
  for (const ArtifactFile& file : record.artifacts.files) {
    manifest::ManifestEntry entry;
    entry.name = file.name;
    entry.digest = file.sha256;
    entry.size = file.size;
    entry.shard = file.shard;
    entries.push_back(std::move(entry));
  }
  absl::StatusOr<manifest::Manifest> manifest =
      manifest::Manifest::Create(std::move(entries));
  if (!manifest.ok()) {
    return WithPath("predicate.artifacts.files", manifest.status());
  }
  return manifest;
}

absl::Status ValidateRecord(const Record& record) {
  PEDIGREE_RETURN_IF_ERROR(CheckModel(record.model));
  PEDIGREE_RETURN_IF_ERROR(CheckArtifacts(record));
  std::map<std::string, std::string> used_refs;
  PEDIGREE_RETURN_IF_ERROR(CheckLicense("predicate.licenses.weights",
                                        record.licenses.weights, &used_refs));
  PEDIGREE_RETURN_IF_ERROR(CheckLicense("predicate.licenses.code",
                                        record.licenses.code, &used_refs));
  PEDIGREE_RETURN_IF_ERROR(
      CheckOpennessComponents(record.openness, &used_refs));
  PEDIGREE_RETURN_IF_ERROR(CheckDatasets(record.datasets, &used_refs));
  PEDIGREE_RETURN_IF_ERROR(CheckLicenseRefs(record.license_refs, used_refs));
  PEDIGREE_RETURN_IF_ERROR(CheckClaim(record));
  PEDIGREE_RETURN_IF_ERROR(CheckLineage(record));
  return absl::OkStatus();
}

}  // namespace pedigree::core::record
