#include "client/lib/meta_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/hex.h"
#include "core/encoding/json_object_reader.h"
#include "core/encoding/strict_json.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::client {
namespace {

using core::record::ArtifactFile;
using core::record::Dataset;
using core::record::LicenseRefDeclaration;
using core::record::LineageEdge;
using core::record::OpennessComponent;
using core::record::Record;
using Json = nlohmann::json;
using core::JsonIndexPath;
using core::JsonMemberPath;
using core::JsonObjectReader;

constexpr char kRoot[] = "meta";

absl::Status FieldError(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

absl::Status WithPath(absl::string_view path, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

// Parses an enumeration value with `parse` (a core::record::Parse*), naming
// the field on error.
template <typename Parse>
auto ParseEnum(const JsonObjectReader& reader, absl::string_view key,
               Parse parse) -> decltype(parse(absl::string_view())) {
  PEDIGREE_ASSIGN_OR_RETURN(std::string name, reader.String(key));
  auto value = parse(name);
  if (!value.ok()) return WithPath(reader.Path(key), value.status());
  return value;
}

absl::StatusOr<core::record::ModelLocator> ParseLocator(
    const JsonObjectReader& reader, absl::string_view key, std::string text) {
  absl::StatusOr<core::record::ModelLocator> locator =
      core::record::ParseModelLocator(text);
  if (!locator.ok()) return WithPath(reader.Path(key), locator.status());
  return locator;
}

absl::Status ParsePublisher(const JsonObjectReader& root, MetaFile* meta) {
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader publisher,
      root.Object("publisher", {"organization", "jurisdiction"}));
  PEDIGREE_ASSIGN_OR_RETURN(meta->publisher.organization,
                            publisher.String("organization"));
  PEDIGREE_ASSIGN_OR_RETURN(meta->publisher.jurisdiction,
                            publisher.OptionalString("jurisdiction"));
  return absl::OkStatus();
}

absl::Status ParseLicenses(const JsonObjectReader& root, MetaFile* meta) {
  PEDIGREE_ASSIGN_OR_RETURN(JsonObjectReader licenses,
                            root.Object("licenses", {"weights", "code"}));
  PEDIGREE_ASSIGN_OR_RETURN(meta->licenses.weights, licenses.String("weights"));
  PEDIGREE_ASSIGN_OR_RETURN(meta->licenses.code, licenses.String("code"));

  PEDIGREE_ASSIGN_OR_RETURN(std::vector<const Json*> refs,
                            root.OptionalArray("license_refs"));
  for (size_t i = 0; i < refs.size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader ref,
        JsonObjectReader::Create(*refs[i],
                                 JsonIndexPath("meta.license_refs", i),
                                 {"id", "name", "url"}));
    LicenseRefDeclaration declaration;
    PEDIGREE_ASSIGN_OR_RETURN(declaration.id, ref.String("id"));
    PEDIGREE_ASSIGN_OR_RETURN(declaration.name, ref.String("name"));
    PEDIGREE_ASSIGN_OR_RETURN(declaration.url, ref.String("url"));
    meta->license_refs.push_back(std::move(declaration));
  }
  return absl::OkStatus();
}

absl::Status ParseOpenness(const JsonObjectReader& root, MetaFile* meta) {
  PEDIGREE_ASSIGN_OR_RETURN(
      std::optional<JsonObjectReader> openness,
      root.OptionalObject("openness", {"claim", "components"}));
  if (!openness.has_value()) return absl::OkStatus();
  PEDIGREE_ASSIGN_OR_RETURN(
      meta->openness.claim,
      ParseEnum(*openness, "claim", core::record::ParseOpennessClaim));
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<const Json*> components,
                            openness->OptionalArray("components"));
  for (size_t i = 0; i < components.size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader reader,
        JsonObjectReader::Create(
            *components[i], JsonIndexPath("meta.openness.components", i),
            {"component", "status", "license", "location"}));
    OpennessComponent component;
    PEDIGREE_ASSIGN_OR_RETURN(
        component.component,
        ParseEnum(reader, "component", core::record::ParseMofComponent));
    PEDIGREE_ASSIGN_OR_RETURN(
        component.status,
        ParseEnum(reader, "status", core::record::ParseComponentStatus));
    PEDIGREE_ASSIGN_OR_RETURN(component.license,
                              reader.OptionalString("license"));
    PEDIGREE_ASSIGN_OR_RETURN(component.location,
                              reader.OptionalString("location"));
    meta->openness.components.push_back(std::move(component));
  }
  return absl::OkStatus();
}

absl::Status ParseDatasets(const JsonObjectReader& root, MetaFile* meta) {
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<const Json*> datasets,
                            root.OptionalArray("datasets"));
  for (size_t i = 0; i < datasets.size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader reader,
        JsonObjectReader::Create(
            *datasets[i], JsonIndexPath("meta.datasets", i),
            {"name", "uri", "role", "disclosure", "license", "sha256",
             "synthetic", "generated_by"}));
    Dataset dataset;
    PEDIGREE_ASSIGN_OR_RETURN(dataset.name, reader.String("name"));
    PEDIGREE_ASSIGN_OR_RETURN(dataset.uri, reader.OptionalString("uri"));
    PEDIGREE_ASSIGN_OR_RETURN(
        dataset.role,
        ParseEnum(reader, "role", core::record::ParseDatasetRole));
    PEDIGREE_ASSIGN_OR_RETURN(
        dataset.disclosure,
        ParseEnum(reader, "disclosure", core::record::ParseDatasetDisclosure));
    PEDIGREE_ASSIGN_OR_RETURN(dataset.license,
                              reader.OptionalString("license"));
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> sha256,
                              reader.OptionalString("sha256"));
    if (sha256.has_value()) {
      if (!core::IsLowerHex(*sha256, 32)) {
        return FieldError(reader.Path("sha256"),
                          "must be 64 lowercase hex characters");
      }
      PEDIGREE_ASSIGN_OR_RETURN(dataset.sha256, core::HexDecode(*sha256));
    }
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<bool> synthetic,
                              reader.OptionalBool("synthetic"));
    dataset.synthetic = synthetic.value_or(false);
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> generated_by,
                              reader.OptionalString("generated_by"));
    if (generated_by.has_value()) {
      PEDIGREE_ASSIGN_OR_RETURN(
          dataset.generated_by,
          ParseLocator(reader, "generated_by", *std::move(generated_by)));
    }
    meta->datasets.push_back(std::move(dataset));
  }
  return absl::OkStatus();
}

absl::Status ParseParents(const JsonObjectReader& root, MetaFile* meta) {
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<const Json*> parents,
                            root.OptionalArray("parents"));
  for (size_t i = 0; i < parents.size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader reader,
        JsonObjectReader::Create(*parents[i], JsonIndexPath("meta.parents", i),
                                 {"ref", "relation", "detail"}));
    LineageEdge edge;
    PEDIGREE_ASSIGN_OR_RETURN(std::string ref, reader.String("ref"));
    PEDIGREE_ASSIGN_OR_RETURN(edge.ref,
                              ParseLocator(reader, "ref", std::move(ref)));
    PEDIGREE_ASSIGN_OR_RETURN(
        edge.relation,
        ParseEnum(reader, "relation", core::record::ParseRelation));
    PEDIGREE_ASSIGN_OR_RETURN(
        std::optional<JsonObjectReader> detail,
        reader.OptionalObject("detail", {"method", "bits", "lora_rank",
                                         "merge_weight_permille"}));
    if (detail.has_value()) {
      PEDIGREE_ASSIGN_OR_RETURN(edge.detail.method,
                                detail->OptionalString("method"));
      PEDIGREE_ASSIGN_OR_RETURN(edge.detail.bits,
                                detail->OptionalUint32("bits"));
      PEDIGREE_ASSIGN_OR_RETURN(edge.detail.lora_rank,
                                detail->OptionalUint32("lora_rank"));
      PEDIGREE_ASSIGN_OR_RETURN(
          edge.detail.merge_weight_permille,
          detail->OptionalUint32("merge_weight_permille"));
    }
    meta->parents.push_back(std::move(edge));
  }
  return absl::OkStatus();
}

absl::Status ParseFiles(const Json& document, MetaFile* meta) {
  const auto files = document.find("files");
  if (files == document.end()) return absl::OkStatus();
  if (!files->is_object())
    return FieldError("meta.files", "expected an object");
  for (auto it = files->begin(); it != files->end(); ++it) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader reader,
        JsonObjectReader::Create(it.value(),
                                 JsonMemberPath("meta.files", it.key()),
                                 {"format", "dtype", "quantization"}));
    FileMeta file;
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> format,
                              reader.OptionalString("format"));
    if (format.has_value()) {
      absl::StatusOr<core::record::ArtifactFormat> parsed =
          core::record::ParseArtifactFormat(*format);
      if (!parsed.ok()) return WithPath(reader.Path("format"), parsed.status());
      file.format = *parsed;
    }
    PEDIGREE_ASSIGN_OR_RETURN(file.dtype, reader.OptionalString("dtype"));
    PEDIGREE_ASSIGN_OR_RETURN(
        std::optional<JsonObjectReader> quantization,
        reader.OptionalObject("quantization", {"method", "bits"}));
    if (quantization.has_value()) {
      core::record::Quantization value;
      PEDIGREE_ASSIGN_OR_RETURN(value.method, quantization->String("method"));
      PEDIGREE_ASSIGN_OR_RETURN(value.bits, quantization->Uint32("bits"));
      file.quantization = std::move(value);
    }
    meta->files.emplace(it.key(), std::move(file));
  }
  return absl::OkStatus();
}

// Translates record field paths ("predicate....") in a ValidateRecord
// message into where the value came from.
class PathTranslator {
 public:
  explicit PathTranslator(const Record& record) : record_(record) {}

  std::string Translate(absl::string_view message) const {
    constexpr absl::string_view kPrefix = "predicate.";
    std::string out;
    size_t pos = 0;
    while (true) {
      const size_t found = message.find(kPrefix, pos);
      if (found == absl::string_view::npos) break;
      size_t end = found;
      while (end < message.size() && IsPathChar(message[end])) ++end;
      // A sentence may end right after a path.
      while (end > found && message[end - 1] == '.') --end;
      absl::StrAppend(&out, message.substr(pos, found - pos),
                      TranslatePath(message.substr(found, end - found)));
      pos = end;
    }
    absl::StrAppend(&out, message.substr(pos));
    return out;
  }

 private:
  static bool IsPathChar(char c) {
    return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '[' ||
           c == ']';
  }

  std::string TranslatePath(absl::string_view path) const {
    struct Rename {
      absl::string_view from;
      absl::string_view to;
    };
    static constexpr Rename kRenames[] = {
        {"predicate.model.namespace", "--model"},
        {"predicate.model.name", "--model"},
        {"predicate.model.version", "--model"},
        {"predicate.model.description", "meta.description"},
        {"predicate.model.release_date", "meta.release_date"},
        {"predicate.model.publisher", "meta.publisher"},
        {"predicate.licenses", "meta.licenses"},
        {"predicate.license_refs", "meta.license_refs"},
        {"predicate.openness", "meta.openness"},
        {"predicate.datasets", "meta.datasets"},
        {"predicate.lineage", "meta.parents"},
    };
    for (const Rename& rename : kRenames) {
      if (absl::StartsWith(path, rename.from)) {
        absl::string_view rest = path.substr(rename.from.size());
        // "--model" stands for the whole reference; drop sub-paths.
        if (rename.to == "--model") rest = "";
        return absl::StrCat(rename.to, rest);
      }
    }
    constexpr absl::string_view kFiles = "predicate.artifacts.files[";
    if (absl::StartsWith(path, kFiles)) {
      const absl::string_view tail = path.substr(kFiles.size());
      const size_t close = tail.find(']');
      size_t index = 0;
      if (close != absl::string_view::npos &&
          absl::SimpleAtoi(tail.substr(0, close), &index) &&
          index < record_.artifacts.files.size()) {
        const std::string& name = record_.artifacts.files[index].name;
        const absl::string_view rest = tail.substr(close + 1);
        if (absl::StartsWith(rest, ".format") ||
            absl::StartsWith(rest, ".dtype") ||
            absl::StartsWith(rest, ".quantization")) {
          return absl::StrCat(JsonMemberPath("meta.files", name), rest);
        }
        return absl::StrCat("model file \"", absl::CHexEscape(name), "\"",
                            rest);
      }
    }
    if (absl::StartsWith(path, "predicate.artifacts")) {
      return absl::StrCat("model directory manifest (",
                          path.substr(absl::string_view("predicate.").size()),
                          ")");
    }
    return std::string(path);
  }

  const Record& record_;
};

}  // namespace

absl::StatusOr<MetaFile> ParseMetaFile(absl::string_view json) {
  if (json.size() > kMaxMetaFileSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("meta file is ", json.size(), " bytes, more than the ",
                     kMaxMetaFileSize, " byte limit"));
  }
  core::StrictJsonOptions json_options;
  json_options.root_path = kRoot;
  json_options.not_json_message = "meta file is not valid json";
  PEDIGREE_ASSIGN_OR_RETURN(const Json document,
                            core::ParseStrictJson(json, json_options));

  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader root,
      JsonObjectReader::Create(
          document, kRoot,
          {"description", "release_date", "publisher", "licenses",
           "license_refs", "openness", "datasets", "parents", "files"}));
  MetaFile meta;
  PEDIGREE_ASSIGN_OR_RETURN(meta.description, root.String("description"));
  PEDIGREE_ASSIGN_OR_RETURN(meta.release_date, root.String("release_date"));
  PEDIGREE_RETURN_IF_ERROR(ParsePublisher(root, &meta));
  PEDIGREE_RETURN_IF_ERROR(ParseLicenses(root, &meta));
  PEDIGREE_RETURN_IF_ERROR(ParseOpenness(root, &meta));
  PEDIGREE_RETURN_IF_ERROR(ParseDatasets(root, &meta));
  PEDIGREE_RETURN_IF_ERROR(ParseParents(root, &meta));
  PEDIGREE_RETURN_IF_ERROR(ParseFiles(document, &meta));
  return meta;
}

absl::StatusOr<MetaFile> ReadMetaFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    const std::string message =
        absl::StrCat("cannot open meta file \"", absl::CHexEscape(path),
                     "\": ", absl::AsciiStrToLower(std::strerror(error)));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES || error == EPERM) {
      return absl::PermissionDeniedError(message);
    }
    return absl::InvalidArgumentError(message);
  }
  std::string text;
  char buffer[65536];
  absl::Status status;
  while (true) {
    const ssize_t count = read(fd, buffer, sizeof(buffer));
    if (count < 0) {
      if (errno == EINTR) continue;
      status = absl::InvalidArgumentError(
          absl::StrCat("cannot read meta file \"", absl::CHexEscape(path),
                       "\": ", absl::AsciiStrToLower(std::strerror(errno))));
      break;
    }
    if (count == 0) break;
    text.append(buffer, static_cast<size_t>(count));
    if (text.size() > kMaxMetaFileSize) {
      status = absl::InvalidArgumentError(
          absl::StrCat("meta file \"", absl::CHexEscape(path),
                       "\" is larger than ", kMaxMetaFileSize, " bytes"));
      break;
    }
  }
  close(fd);
  PEDIGREE_RETURN_IF_ERROR(status);
  return ParseMetaFile(text);
}

absl::StatusOr<Record> BuildRecord(const MetaFile& meta,
                                   const core::record::ModelRef& ref,
                                   const DirectoryManifest& hashed) {
  if (ref.version.empty()) {
    return absl::InvalidArgumentError(
        "--model: a version is required (namespace/name@version)");
  }
  for (const auto& [name, file] : meta.files) {
    if (hashed.manifest.Find(name) == nullptr) {
      return FieldError(JsonMemberPath("meta.files", name),
                        "no such file in the model directory");
    }
  }
  Record record;
  record.model.ref = ref;
  record.model.description = meta.description;
  record.model.release_date = meta.release_date;
  record.model.publisher = meta.publisher;
  for (const core::manifest::ManifestEntry& entry : hashed.manifest.entries()) {
    ArtifactFile file;
    file.name = entry.name;
    file.sha256 = entry.digest;
    file.size = entry.size;
    file.shard = entry.shard;
    if (const auto it = meta.files.find(entry.name); it != meta.files.end()) {
      file.format = it->second.format;
      file.dtype = it->second.dtype;
      file.quantization = it->second.quantization;
    }
    record.artifacts.files.push_back(std::move(file));
  }
  record.artifacts.root_digest = hashed.manifest.RootDigest();
  record.licenses = meta.licenses;
  record.license_refs = meta.license_refs;
  record.openness = meta.openness;
  record.datasets = meta.datasets;
  record.lineage = meta.parents;

  if (absl::Status valid = core::record::ValidateRecord(record); !valid.ok()) {
    return absl::Status(valid.code(),
                        PathTranslator(record).Translate(valid.message()));
  }
  return record;
}

}  // namespace pedigree::client
