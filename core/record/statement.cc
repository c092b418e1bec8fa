#include "core/record/statement.h"

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/compact_json.h"
#include "core/encoding/hex.h"
#include "core/encoding/json_object_reader.h"
#include "core/encoding/strict_json.h"
#include "core/record/internal/text.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::core::record {
namespace {

using internal::FieldError;
using internal::WithPath;
using Json = nlohmann::json;

// ---------------------------------------------------------------------------
// Serialization, written directly in canonical form: each object's keys in
// byte order (RFC 8785 order for our ASCII keys). statement_test.cc checks
// every shape is canonical.

void WriteArtifactFile(const ArtifactFile& file, CompactJsonWriter* json) {
  json->BeginObject();
  if (file.dtype.has_value()) json->Key("dtype").String(*file.dtype);
  if (file.format.has_value())
    json->Key("format").String(ToString(*file.format));
  json->Key("name").String(file.name);
  if (file.quantization.has_value()) {
    json->Key("quantization").BeginObject();
    json->Key("bits").Uint(file.quantization->bits);
    json->Key("method").String(file.quantization->method);
    json->EndObject();
  }
  json->Key("sha256").String(HexEncode(file.sha256));
  if (file.shard.has_value()) {
    json->Key("shard").BeginObject();
    json->Key("end").Uint(file.shard->end);
    json->Key("start").Uint(file.shard->start);
    json->EndObject();
  }
  json->Key("size").Uint(file.size);
  json->EndObject();
}

void WriteDataset(const Dataset& dataset, CompactJsonWriter* json) {
  json->BeginObject();
  json->Key("disclosure").String(ToString(dataset.disclosure));
  if (dataset.generated_by.has_value()) {
    json->Key("generated_by").String(ToString(*dataset.generated_by));
  }
  if (dataset.license.has_value())
    json->Key("license").String(*dataset.license);
  json->Key("name").String(dataset.name);
  json->Key("role").String(ToString(dataset.role));
  if (dataset.sha256.has_value()) {
    json->Key("sha256").String(HexEncode(*dataset.sha256));
  }
  json->Key("synthetic").Bool(dataset.synthetic);
  if (dataset.uri.has_value()) json->Key("uri").String(*dataset.uri);
  json->EndObject();
}

void WriteLineageEdge(const LineageEdge& edge, CompactJsonWriter* json) {
  const LineageDetail& detail = edge.detail;
  json->BeginObject();
  // An edge without detail has no "detail" member (not an empty object).
  if (detail.bits.has_value() || detail.lora_rank.has_value() ||
      detail.merge_weight_permille.has_value() || detail.method.has_value()) {
    json->Key("detail").BeginObject();
    if (detail.bits.has_value()) json->Key("bits").Uint(*detail.bits);
    if (detail.lora_rank.has_value()) {
      json->Key("lora_rank").Uint(*detail.lora_rank);
    }
    if (detail.merge_weight_permille.has_value()) {
      json->Key("merge_weight_permille").Uint(*detail.merge_weight_permille);
    }
    if (detail.method.has_value()) json->Key("method").String(*detail.method);
    json->EndObject();
  }
  json->Key("ref").String(ToString(edge.ref));
  json->Key("relation").String(ToString(edge.relation));
  json->EndObject();
}

void WriteModel(const ModelInfo& model, CompactJsonWriter* json) {
  json->BeginObject();
  json->Key("description").String(model.description);
  json->Key("name").String(model.ref.name);
  json->Key("namespace").String(model.ref.namespace_name);
  json->Key("publisher").BeginObject();
  if (model.publisher.jurisdiction.has_value()) {
    json->Key("jurisdiction").String(*model.publisher.jurisdiction);
  }
  json->Key("organization").String(model.publisher.organization);
  json->EndObject();
  json->Key("release_date").String(model.release_date);
  json->Key("version").String(model.ref.version);
  json->EndObject();
}

void WriteOpenness(const Openness& openness, CompactJsonWriter* json) {
  json->BeginObject();
  json->Key("claim").String(ToString(openness.claim));
  json->Key("components").BeginArray();
  for (const OpennessComponent& component : openness.components) {
    json->BeginObject();
    json->Key("component").String(ToString(component.component));
    if (component.license.has_value()) {
      json->Key("license").String(*component.license);
    }
    if (component.location.has_value()) {
      json->Key("location").String(*component.location);
    }
    json->Key("status").String(ToString(component.status));
    json->EndObject();
  }
  json->EndArray();
  json->EndObject();
}

void WritePredicate(const Record& record, CompactJsonWriter* json) {
  json->BeginObject();

  json->Key("artifacts").BeginObject();
  json->Key("files").BeginArray();
  for (const ArtifactFile& file : record.artifacts.files) {
    WriteArtifactFile(file, json);
  }
  json->EndArray();
  json->Key("root_digest").String(HexEncode(record.artifacts.root_digest));
  json->EndObject();

  json->Key("datasets").BeginArray();
  for (const Dataset& dataset : record.datasets) WriteDataset(dataset, json);
  json->EndArray();

  json->Key("license_refs").BeginArray();
  for (const LicenseRefDeclaration& declaration : record.license_refs) {
    json->BeginObject();
    json->Key("id").String(declaration.id);
    json->Key("name").String(declaration.name);
    json->Key("url").String(declaration.url);
    json->EndObject();
  }
  json->EndArray();

  json->Key("licenses").BeginObject();
  json->Key("code").String(record.licenses.code);
  json->Key("weights").String(record.licenses.weights);
  json->EndObject();

  json->Key("lineage").BeginArray();
  for (const LineageEdge& edge : record.lineage) WriteLineageEdge(edge, json);
  json->EndArray();

  json->Key("model");
  WriteModel(record.model, json);
  json->Key("openness");
  WriteOpenness(record.openness, json);
  json->EndObject();
}

// ---------------------------------------------------------------------------
// Parsing.

// The helpers below take the reader and key of the member they read, not
// its path: a path is spelled out only for an error message.

// Parses member `key` of `reader`, a 32-byte digest spelled as 64 lowercase
// hex characters `hex`.
absl::StatusOr<std::string> ParseDigestHex(const JsonObjectReader& reader,
                                           absl::string_view key,
                                           absl::string_view hex) {
  if (!IsLowerHex(hex, 32)) {
    return FieldError(reader.Path(key), "must be 64 lowercase hex characters");
  }
  absl::StatusOr<std::string> digest = HexDecode(hex);
  if (!digest.ok()) return WithPath(reader.Path(key), digest.status());
  return digest;
}

// Adds the path of member `key` of `reader` to errors from the enum and
// locator parsers.
template <typename T>
absl::StatusOr<T> AtPath(const JsonObjectReader& reader, absl::string_view key,
                         absl::StatusOr<T> value) {
  if (!value.ok()) return WithPath(reader.Path(key), value.status());
  return value;
}

absl::Status ParseModel(const JsonObjectReader& predicate, ModelInfo* model) {
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader reader,
      predicate.Object("model", {"namespace", "name", "version", "description",
                                 "release_date", "publisher"}));
  PEDIGREE_ASSIGN_OR_RETURN(model->ref.namespace_name,
                            reader.String("namespace"));
  PEDIGREE_ASSIGN_OR_RETURN(model->ref.name, reader.String("name"));
  PEDIGREE_ASSIGN_OR_RETURN(model->ref.version, reader.String("version"));
  PEDIGREE_ASSIGN_OR_RETURN(model->description, reader.String("description"));
  PEDIGREE_ASSIGN_OR_RETURN(model->release_date, reader.String("release_date"));
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader publisher,
      reader.Object("publisher", {"organization", "jurisdiction"}));
  PEDIGREE_ASSIGN_OR_RETURN(model->publisher.organization,
                            publisher.String("organization"));
  PEDIGREE_ASSIGN_OR_RETURN(model->publisher.jurisdiction,
                            publisher.OptionalString("jurisdiction"));
  return absl::OkStatus();
}

absl::StatusOr<ArtifactFile> ParseArtifactFile(const Json& value,
                                               const std::string& path) {
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader reader,
      JsonObjectReader::Create(value, path,
                               {"name", "sha256", "size", "shard", "format",
                                "dtype", "quantization"}));
  ArtifactFile file;
  PEDIGREE_ASSIGN_OR_RETURN(file.name, reader.String("name"));
  PEDIGREE_ASSIGN_OR_RETURN(std::string sha256, reader.String("sha256"));
  PEDIGREE_ASSIGN_OR_RETURN(file.sha256,
                            ParseDigestHex(reader, "sha256", sha256));
  PEDIGREE_ASSIGN_OR_RETURN(file.size, reader.Uint("size", kMaxJsonInteger));
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<JsonObjectReader> shard,
                            reader.OptionalObject("shard", {"start", "end"}));
  if (shard.has_value()) {
    manifest::Shard value;
    PEDIGREE_ASSIGN_OR_RETURN(value.start,
                              shard->Uint("start", kMaxJsonInteger));
    PEDIGREE_ASSIGN_OR_RETURN(value.end, shard->Uint("end", kMaxJsonInteger));
    file.shard = value;
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> format,
                            reader.OptionalString("format"));
  if (format.has_value()) {
    PEDIGREE_ASSIGN_OR_RETURN(
        file.format, AtPath(reader, "format", ParseArtifactFormat(*format)));
  }
  PEDIGREE_ASSIGN_OR_RETURN(file.dtype, reader.OptionalString("dtype"));
  PEDIGREE_ASSIGN_OR_RETURN(
      std::optional<JsonObjectReader> quantization,
      reader.OptionalObject("quantization", {"method", "bits"}));
  if (quantization.has_value()) {
    Quantization value;
    PEDIGREE_ASSIGN_OR_RETURN(value.method, quantization->String("method"));
    PEDIGREE_ASSIGN_OR_RETURN(
        uint64_t bits,
        quantization->Uint("bits", std::numeric_limits<uint32_t>::max()));
    value.bits = static_cast<uint32_t>(bits);
    file.quantization = std::move(value);
  }
  return file;
}

absl::Status ParseArtifacts(const JsonObjectReader& predicate,
                            Artifacts* artifacts) {
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader reader,
      predicate.Object("artifacts", {"files", "root_digest"}));
  PEDIGREE_ASSIGN_OR_RETURN(const Json* files, reader.Array("files"));
  const std::string files_path = reader.Path("files");
  for (size_t i = 0; i < files->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        ArtifactFile file,
        ParseArtifactFile((*files)[i], JsonIndexPath(files_path, i)));
    artifacts->files.push_back(std::move(file));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::string root, reader.String("root_digest"));
  PEDIGREE_ASSIGN_OR_RETURN(artifacts->root_digest,
                            ParseDigestHex(reader, "root_digest", root));
  return absl::OkStatus();
}

absl::Status ParseLicenses(const JsonObjectReader& predicate, Record* record) {
  PEDIGREE_ASSIGN_OR_RETURN(JsonObjectReader licenses,
                            predicate.Object("licenses", {"weights", "code"}));
  PEDIGREE_ASSIGN_OR_RETURN(record->licenses.weights,
                            licenses.String("weights"));
  PEDIGREE_ASSIGN_OR_RETURN(record->licenses.code, licenses.String("code"));

  PEDIGREE_ASSIGN_OR_RETURN(const Json* refs, predicate.Array("license_refs"));
  const std::string refs_path = predicate.Path("license_refs");
  for (size_t i = 0; i < refs->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader reader,
        JsonObjectReader::Create((*refs)[i], JsonIndexPath(refs_path, i),
                                 {"id", "name", "url"}));
    LicenseRefDeclaration declaration;
    PEDIGREE_ASSIGN_OR_RETURN(declaration.id, reader.String("id"));
    PEDIGREE_ASSIGN_OR_RETURN(declaration.name, reader.String("name"));
    PEDIGREE_ASSIGN_OR_RETURN(declaration.url, reader.String("url"));
    record->license_refs.push_back(std::move(declaration));
  }
  return absl::OkStatus();
}

absl::Status ParseOpenness(const JsonObjectReader& predicate,
                           Openness* openness) {
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader reader,
      predicate.Object("openness", {"claim", "components"}));
  PEDIGREE_ASSIGN_OR_RETURN(std::string claim, reader.String("claim"));
  PEDIGREE_ASSIGN_OR_RETURN(openness->claim,
                            AtPath(reader, "claim", ParseOpennessClaim(claim)));
  PEDIGREE_ASSIGN_OR_RETURN(const Json* components, reader.Array("components"));
  const std::string components_path = reader.Path("components");
  for (size_t i = 0; i < components->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader entry,
        JsonObjectReader::Create(
            (*components)[i], JsonIndexPath(components_path, i),
            {"component", "status", "license", "location"}));
    OpennessComponent component;
    PEDIGREE_ASSIGN_OR_RETURN(std::string name, entry.String("component"));
    PEDIGREE_ASSIGN_OR_RETURN(
        component.component,
        AtPath(entry, "component", ParseMofComponent(name)));
    PEDIGREE_ASSIGN_OR_RETURN(std::string status, entry.String("status"));
    PEDIGREE_ASSIGN_OR_RETURN(
        component.status,
        AtPath(entry, "status", ParseComponentStatus(status)));
    PEDIGREE_ASSIGN_OR_RETURN(component.license,
                              entry.OptionalString("license"));
    PEDIGREE_ASSIGN_OR_RETURN(component.location,
                              entry.OptionalString("location"));
    openness->components.push_back(std::move(component));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<ModelLocator>> OptionalLocator(
    const JsonObjectReader& reader, absl::string_view key) {
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> text,
                            reader.OptionalString(key));
  if (!text.has_value()) return std::optional<ModelLocator>();
  PEDIGREE_ASSIGN_OR_RETURN(ModelLocator locator,
                            AtPath(reader, key, ParseModelLocator(*text)));
  return std::optional<ModelLocator>(std::move(locator));
}

absl::Status ParseDatasets(const JsonObjectReader& predicate,
                           std::vector<Dataset>* datasets) {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* array, predicate.Array("datasets"));
  const std::string datasets_path = predicate.Path("datasets");
  for (size_t i = 0; i < array->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader reader,
        JsonObjectReader::Create(
            (*array)[i], JsonIndexPath(datasets_path, i),
            {"name", "uri", "role", "disclosure", "license", "sha256",
             "synthetic", "generated_by"}));
    Dataset dataset;
    PEDIGREE_ASSIGN_OR_RETURN(dataset.name, reader.String("name"));
    PEDIGREE_ASSIGN_OR_RETURN(dataset.uri, reader.OptionalString("uri"));
    PEDIGREE_ASSIGN_OR_RETURN(std::string role, reader.String("role"));
    PEDIGREE_ASSIGN_OR_RETURN(dataset.role,
                              AtPath(reader, "role", ParseDatasetRole(role)));
    PEDIGREE_ASSIGN_OR_RETURN(std::string disclosure,
                              reader.String("disclosure"));
    PEDIGREE_ASSIGN_OR_RETURN(
        dataset.disclosure,
        AtPath(reader, "disclosure", ParseDatasetDisclosure(disclosure)));
    PEDIGREE_ASSIGN_OR_RETURN(dataset.license,
                              reader.OptionalString("license"));
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> sha256,
                              reader.OptionalString("sha256"));
    if (sha256.has_value()) {
      PEDIGREE_ASSIGN_OR_RETURN(dataset.sha256,
                                ParseDigestHex(reader, "sha256", *sha256));
    }
    PEDIGREE_ASSIGN_OR_RETURN(dataset.synthetic, reader.Bool("synthetic"));
    PEDIGREE_ASSIGN_OR_RETURN(dataset.generated_by,
                              OptionalLocator(reader, "generated_by"));
    datasets->push_back(std::move(dataset));
  }
  return absl::OkStatus();
}

absl::Status ParseLineage(const JsonObjectReader& predicate,
                          std::vector<LineageEdge>* lineage) {
  constexpr uint64_t kMaxUint32 = std::numeric_limits<uint32_t>::max();
  PEDIGREE_ASSIGN_OR_RETURN(const Json* array, predicate.Array("lineage"));
  const std::string lineage_path = predicate.Path("lineage");
  for (size_t i = 0; i < array->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader reader,
        JsonObjectReader::Create((*array)[i], JsonIndexPath(lineage_path, i),
                                 {"ref", "relation", "detail"}));
    LineageEdge edge;
    PEDIGREE_ASSIGN_OR_RETURN(std::string ref, reader.String("ref"));
    PEDIGREE_ASSIGN_OR_RETURN(edge.ref,
                              AtPath(reader, "ref", ParseModelLocator(ref)));
    PEDIGREE_ASSIGN_OR_RETURN(std::string relation, reader.String("relation"));
    PEDIGREE_ASSIGN_OR_RETURN(
        edge.relation, AtPath(reader, "relation", ParseRelation(relation)));
    PEDIGREE_ASSIGN_OR_RETURN(
        std::optional<JsonObjectReader> detail,
        reader.OptionalObject("detail", {"method", "bits", "lora_rank",
                                         "merge_weight_permille"}));
    if (detail.has_value()) {
      // An empty detail would not survive a round trip; refuse it so that
      // one record has one canonical form.
      if (detail->size() == 0) {
        return FieldError(reader.Path("detail"), "is empty (omit it instead)");
      }
      PEDIGREE_ASSIGN_OR_RETURN(edge.detail.method,
                                detail->OptionalString("method"));
      PEDIGREE_ASSIGN_OR_RETURN(std::optional<uint64_t> bits,
                                detail->OptionalUint("bits", kMaxUint32));
      PEDIGREE_ASSIGN_OR_RETURN(std::optional<uint64_t> lora_rank,
                                detail->OptionalUint("lora_rank", kMaxUint32));
      PEDIGREE_ASSIGN_OR_RETURN(
          std::optional<uint64_t> weight,
          detail->OptionalUint("merge_weight_permille", kMaxUint32));
      if (bits.has_value()) edge.detail.bits = static_cast<uint32_t>(*bits);
      if (lora_rank.has_value()) {
        edge.detail.lora_rank = static_cast<uint32_t>(*lora_rank);
      }
      if (weight.has_value()) {
        edge.detail.merge_weight_permille = static_cast<uint32_t>(*weight);
      }
    }
    lineage->push_back(std::move(edge));
  }
  return absl::OkStatus();
}

struct Subject {
  std::string name;
  std::string sha256;  // raw
};

absl::StatusOr<std::vector<Subject>> ParseSubjects(
    const JsonObjectReader& root) {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* array, root.Array("subject"));
  std::vector<Subject> subjects;
  for (size_t i = 0; i < array->size(); ++i) {
    const std::string path = JsonIndexPath("subject", i);
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader reader,
        JsonObjectReader::Create((*array)[i], path, {"name", "digest"}));
    Subject subject;
    PEDIGREE_ASSIGN_OR_RETURN(subject.name, reader.String("name"));
    PEDIGREE_ASSIGN_OR_RETURN(JsonObjectReader digest,
                              reader.Object("digest", {"sha256"}));
    PEDIGREE_ASSIGN_OR_RETURN(std::string hex, digest.String("sha256"));
    PEDIGREE_ASSIGN_OR_RETURN(subject.sha256,
                              ParseDigestHex(digest, "sha256", hex));
    subjects.push_back(std::move(subject));
  }
  return subjects;
}

// The statement's subjects must be exactly the manifest files, in order, so
// that what a verifier checks against the subjects is what the predicate
// describes.
absl::Status CheckSubjectsMatchFiles(const std::vector<Subject>& subjects,
                                     const std::vector<ArtifactFile>& files) {
  if (subjects.size() != files.size()) {
    return FieldError("subject",
                      absl::StrCat("has ", subjects.size(),
                                   " entries but predicate.artifacts.files "
                                   "has ",
                                   files.size()));
  }
  for (size_t i = 0; i < subjects.size(); ++i) {
    if (subjects[i].name != files[i].name) {
      return FieldError(
          JsonIndexPath("subject", i) + ".name",
          absl::StrCat("does not match predicate.artifacts.files[", i,
                       "].name"));
    }
    if (subjects[i].sha256 != files[i].sha256) {
      return FieldError(
          JsonIndexPath("subject", i) + ".digest.sha256",
          absl::StrCat("does not match predicate.artifacts.files[", i,
                       "].sha256"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> SerializeStatement(const Record& record) {
  PEDIGREE_RETURN_IF_ERROR(ValidateRecord(record));
  return SerializeValidStatement(record);
}

std::string SerializeValidStatement(const Record& record) {
  // ValidateRecord guarantees valid UTF-8 in every string, so the
  // writer's replacement of invalid UTF-8 never happens.
  // About 2 KiB plus 300 bytes a file, for one allocation in most cases.
  CompactJsonWriter json(/*expected_size=*/2048 +
                         300 * record.artifacts.files.size());
  json.BeginObject();
  json.Key("_type").String(kStatementType);
  json.Key("predicate");
  WritePredicate(record, &json);
  json.Key("predicateType").String(kPredicateType);
  json.Key("subject").BeginArray();
  for (const ArtifactFile& file : record.artifacts.files) {
    json.BeginObject();
    json.Key("digest").BeginObject();
    json.Key("sha256").String(HexEncode(file.sha256));
    json.EndObject();
    json.Key("name").String(file.name);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return std::move(json).Finish();
}

absl::StatusOr<Record> ParseStatement(absl::string_view json) {
  if (json.size() > kMaxStatementSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("statement is ", json.size(), " bytes, more than the ",
                     kMaxStatementSize, " byte limit"));
  }
  StrictJsonOptions json_options;
  json_options.not_json_message = "statement is not valid json";
  PEDIGREE_ASSIGN_OR_RETURN(const Json document,
                            ParseStrictJson(json, json_options));

  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader root,
      JsonObjectReader::Create(
          document, "", {"_type", "subject", "predicateType", "predicate"}));
  PEDIGREE_ASSIGN_OR_RETURN(std::string type, root.String("_type"));
  if (type != kStatementType) {
    return FieldError(
        "_type",
        absl::StrCat("unknown statement type \"", absl::CHexEscape(type),
                     "\" (expected ", kStatementType, ")"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<Subject> subjects, ParseSubjects(root));
  PEDIGREE_ASSIGN_OR_RETURN(std::string predicate_type,
                            root.String("predicateType"));
  if (predicate_type != kPredicateType) {
    return FieldError("predicateType",
                      absl::StrCat("unknown predicate type \"",
                                   absl::CHexEscape(predicate_type),
                                   "\" (expected ", kPredicateType, ")"));
  }
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader predicate,
      root.Object("predicate",
                  {"model", "artifacts", "licenses", "license_refs", "openness",
                   "datasets", "lineage"}));
  Record record;
  PEDIGREE_RETURN_IF_ERROR(ParseModel(predicate, &record.model));
  PEDIGREE_RETURN_IF_ERROR(ParseArtifacts(predicate, &record.artifacts));
  PEDIGREE_RETURN_IF_ERROR(ParseLicenses(predicate, &record));
  PEDIGREE_RETURN_IF_ERROR(ParseOpenness(predicate, &record.openness));
  PEDIGREE_RETURN_IF_ERROR(ParseDatasets(predicate, &record.datasets));
  PEDIGREE_RETURN_IF_ERROR(ParseLineage(predicate, &record.lineage));
  PEDIGREE_RETURN_IF_ERROR(
      CheckSubjectsMatchFiles(subjects, record.artifacts.files));
  PEDIGREE_RETURN_IF_ERROR(ValidateRecord(record));
  return record;
}

}  // namespace pedigree::core::record
