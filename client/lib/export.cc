#include "client/lib/export.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/lib/convert.h"
#include "core/crypto/sha256.h"
#include "core/encoding/hex.h"
#include "core/record/record.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::client {
namespace {

using Json = nlohmann::json;

constexpr char kSpdxContext[] =
    "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
constexpr char kCreationInfoId[] = "_:creationinfo";
constexpr char kNoAssertionLicense[] = "expandedlicensing_NoAssertionLicense";
constexpr char kToolName[] = "pedigree";

// --- the registry's answers, checked and put in a stable order

struct Edge {
  const v1::RecordSummary* child;
  const v1::RecordSummary* parent;
  std::string relation;
  // The parent entry of the exported record for this edge (method, bits,
  // ...); null for edges between ancestors, whose records we do not have.
  const v1::Parent* detail;
};

struct Release {
  const v1::RecordSummary* start = nullptr;
  const v1::Record* record = nullptr;
  // Ancestors by (distance, ref).
  std::vector<const v1::RecordSummary*> ancestors;
  // Edges among start and ancestors by (child ref, parent ref, relation).
  std::vector<Edge> edges;
  // Every exported LicenseRef- declaration of the record, by id.
  std::map<std::string, const v1::LicenseRefDeclaration*> license_refs;
};

absl::Status CheckSummary(const v1::RecordSummary& summary,
                          const std::string& field) {
  if (!core::IsLowerHex(summary.record_digest(), 32)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".record_digest: expected 64 lowercase hex characters, got \"",
        summary.record_digest(), "\""));
  }
  if (!core::IsLowerHex(summary.root_digest(), 32)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".root_digest: expected 64 lowercase hex characters, got \"",
        summary.root_digest(), "\""));
  }
  if (summary.ref().empty() || summary.namespace_name().empty() ||
      summary.model_name().empty() || summary.version().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": missing ref, namespace_name, model_name or version"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Release> Prepare(const v1::GetRecordResponse& response,
                                const v1::GetLineageResponse& lineage) {
  Release release;
  release.start = &response.summary();
  release.record = &response.record();
  PEDIGREE_RETURN_IF_ERROR(CheckSummary(*release.start, "record.summary"));
  if (FormatTimestamp(release.start->published_at()).empty()) {
    return absl::InvalidArgumentError("record.summary.published_at: missing");
  }
  for (const v1::LicenseRefDeclaration& declaration :
       release.record->license_refs()) {
    release.license_refs.emplace(declaration.id(), &declaration);
  }

  // Nodes: all digests (for checking edges) and the exported ones.
  std::map<std::string, const v1::RecordSummary*> exported;
  std::set<std::string> all;
  exported.emplace(release.start->record_digest(), release.start);
  for (int i = 0; i < lineage.nodes_size(); ++i) {
    const v1::LineageNode& node = lineage.nodes(i);
    const std::string field = absl::StrCat("lineage.nodes[", i, "].record");
    if (i == 0) {
      if (node.record().record_digest() != release.start->record_digest()) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ".record_digest: the lineage does not start at ",
            release.start->ref()));
      }
      all.insert(node.record().record_digest());
      continue;
    }
    PEDIGREE_RETURN_IF_ERROR(CheckSummary(node.record(), field));
    if (!all.insert(node.record().record_digest()).second ||
        node.record().record_digest() == release.start->record_digest()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".record_digest: node ", node.record().ref(),
                       " appears twice"));
    }
    if (node.side() == v1::LINEAGE_SIDE_ANCESTOR) {
      release.ancestors.push_back(&node.record());
      exported.emplace(node.record().record_digest(), &node.record());
    }
  }
  if (lineage.nodes_size() == 0 && lineage.edges_size() > 0) {
    return absl::InvalidArgumentError("lineage.edges: edges without nodes");
  }
  std::sort(release.ancestors.begin(), release.ancestors.end(),
            [](const v1::RecordSummary* a, const v1::RecordSummary* b) {
              return a->ref() < b->ref();
            });
  for (int i = 0; i < lineage.edges_size(); ++i) {
    const v1::LineageEdge& edge = lineage.edges(i);
    for (const std::string* end :
         {&edge.child_record_digest(), &edge.parent_record_digest()}) {
      if (all.count(*end) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("lineage.edges[", i, "]: record digest \"", *end,
                         "\" is not a node of the lineage"));
      }
    }
    const auto child = exported.find(edge.child_record_digest());
    const auto parent = exported.find(edge.parent_record_digest());
    if (child == exported.end() || parent == exported.end()) continue;
    Edge view{child->second, parent->second, edge.relation(), nullptr};
    if (child->second == release.start) {
      for (const v1::Parent& entry : release.record->parents()) {
        if (entry.record_digest() == edge.parent_record_digest() &&
            entry.relation() == edge.relation()) {
          view.detail = &entry;
        }
      }
    }
    release.edges.push_back(view);
  }
  std::sort(release.edges.begin(), release.edges.end(),
            [](const Edge& a, const Edge& b) {
              return std::tie(a.child->ref(), a.parent->ref(), a.relation) <
                     std::tie(b.child->ref(), b.parent->ref(), b.relation);
            });
  return release;
}

// --- shared helpers

std::string ModelId(const v1::RecordSummary& summary) {
  return absl::StrCat(summary.namespace_name(), "/", summary.model_name());
}

// The IRI (SPDX) and bom-ref (CycloneDX) of a record's model: the same in
// every export, so documents can be linked.
std::string RecordIri(const v1::RecordSummary& summary) {
  return absl::StrCat("urn:pedigree:record:", summary.record_digest());
}

std::string ReleaseTime(const std::string& date) {
  return date.size() == 10 ? absl::StrCat(date, "T00:00:00Z") : "";
}

std::string Dump(const Json& json) {
  return json.dump(2, ' ', /*ensure_ascii=*/false,
                   Json::error_handler_t::replace) +
         "\n";
}

bool IsLicenseIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '-';
}

bool IsSingleToken(const std::string& expression) {
  return !expression.empty() &&
         std::all_of(expression.begin(), expression.end(), IsLicenseIdChar);
}

bool IsLicenseRef(const std::string& id) {
  return absl::StartsWith(id, "LicenseRef-");
}

// The license ids of an SPDX expression (operators and parentheses left out).
std::vector<std::string> LicenseIds(const std::string& expression) {
  std::vector<std::string> ids;
  for (absl::string_view token :
       absl::StrSplit(expression, absl::ByAnyChar(" ()"), absl::SkipEmpty())) {
    if (token != "AND" && token != "OR" && token != "WITH") {
      ids.emplace_back(token);
    }
  }
  return ids;
}

// How a lineage relation maps to SPDX: the relationship type, and what the
// comment says about it. See docs/export.md.
struct RelationMapping {
  std::string spdx_type;
  std::string meaning;
};

RelationMapping MapRelation(const std::string& relation) {
  absl::StatusOr<core::record::Relation> parsed =
      core::record::ParseRelation(relation);
  if (!parsed.ok()) {
    return {"other", "a relation this exporter does not know"};
  }
  switch (*parsed) {
    case core::record::Relation::kDistillation:
      return {"descendantOf",
              "the parent is a distillation teacher; no weights flow from it"};
    case core::record::Relation::kArchitectureReuse:
      return {"other",
              "same architecture, trained from scratch; no weights flow from "
              "the parent"};
    default:
      return {"descendantOf", "weights flow from the parent"};
  }
}

// "method sft, bits 4, lora rank 16, merge weight 600/1000", or "".
std::string DetailText(const v1::Parent* detail) {
  if (detail == nullptr) return "";
  std::vector<std::string> parts;
  if (!detail->method().empty()) parts.push_back("method " + detail->method());
  if (detail->bits() != 0)
    parts.push_back(absl::StrCat("bits ", detail->bits()));
  if (detail->lora_rank() != 0) {
    parts.push_back(absl::StrCat("lora rank ", detail->lora_rank()));
  }
  if (detail->merge_weight_permille() != 0) {
    parts.push_back(absl::StrCat("merge weight ",
                                 detail->merge_weight_permille(), "/1000"));
  }
  return absl::StrJoin(parts, ", ");
}

// "finetune of acme/base@v1 (method sft)".
std::string EdgeText(const Edge& edge) {
  std::string text = absl::StrCat(edge.relation, " of ", edge.parent->ref());
  const std::string detail = DetailText(edge.detail);
  if (!detail.empty()) absl::StrAppend(&text, " (", detail, ")");
  return text;
}

std::vector<const Edge*> ParentEdges(const Release& release,
                                     const v1::RecordSummary* child) {
  std::vector<const Edge*> edges;
  for (const Edge& edge : release.edges) {
    if (edge.child == child) edges.push_back(&edge);
  }
  return edges;
}

std::string LineageText(const Release& release,
                        const v1::RecordSummary* child) {
  std::vector<std::string> parts;
  for (const Edge* edge : ParentEdges(release, child)) {
    parts.push_back(EdgeText(*edge));
  }
  return absl::StrJoin(parts, "; ");
}

std::string FileText(const v1::ArtifactFile& file) {
  std::vector<std::string> parts = {
      absl::StrCat("size ", file.size(), " bytes")};
  if (file.shard_end() != 0) {
    parts.push_back(absl::StrCat("shard bytes [", file.shard_start(), ", ",
                                 file.shard_end(), ")"));
  }
  if (!file.format().empty()) parts.push_back("format " + file.format());
  if (!file.dtype().empty()) parts.push_back("dtype " + file.dtype());
  if (!file.quantization_method().empty()) {
    parts.push_back(absl::StrCat("quantization ", file.quantization_method(),
                                 " ", file.quantization_bits(), "-bit"));
  }
  return absl::StrJoin(parts, "; ");
}

std::string DatasetText(const v1::Dataset& dataset) {
  std::string text = absl::StrCat("role ", dataset.role(), "; disclosure ",
                                  dataset.disclosure());
  if (dataset.synthetic()) {
    absl::StrAppend(&text, "; synthetic");
    if (!dataset.generated_by().empty()) {
      absl::StrAppend(&text, ", generated by ", dataset.generated_by());
    }
  }
  return text;
}

std::string OpennessText(const v1::Record& record) {
  std::string text =
      absl::StrCat("declared openness ", record.openness_claim());
  if (!record.code_license().empty()) {
    absl::StrAppend(&text, "; code license (declared) ", record.code_license());
  }
  std::vector<std::string> components;
  for (const v1::OpennessComponent& component : record.openness_components()) {
    std::string part =
        absl::StrCat(component.component(), " ", component.status());
    if (!component.license().empty()) {
      absl::StrAppend(&part, " (", component.license(), ")");
    }
    components.push_back(std::move(part));
  }
  if (!components.empty()) {
    absl::StrAppend(&text,
                    "; MOF components: ", absl::StrJoin(components, ", "));
  }
  return text;
}

// The location of the published (or partially published) final parameters.
std::string WeightsLocation(const v1::Record& record) {
  for (const v1::OpennessComponent& component : record.openness_components()) {
    if (component.component() == "final_parameters" &&
        component.status() != "not_published") {
      return component.location();
    }
  }
  return "";
}

bool IsCodeComponent(const std::string& component) {
  return component == "training_code" || component == "inference_code" ||
         component == "evaluation_code" ||
         component == "data_preprocessing_code" ||
         component == "supporting_libraries" ||
         component == "model_architecture";
}

bool IsDocumentComponent(const std::string& component) {
  return component == "model_card" || component == "data_card" ||
         component == "technical_report" || component == "research_paper";
}

std::string ComponentRefText(const v1::OpennessComponent& component) {
  std::string text = absl::StrCat("MOF component ", component.component(), ": ",
                                  component.status());
  if (!component.license().empty()) {
    absl::StrAppend(&text, ", license ", component.license());
  }
  return text;
}

// --- SPDX 3.0.1

class SpdxGraph {
 public:
  explicit SpdxGraph(std::string base) : base_(std::move(base)) {}

  std::string Id(absl::string_view local) const {
    return absl::StrCat(base_, "#", local);
  }

  // Adds an element with its spdxId and the shared creation info.
  void Add(const std::string& id, Json element) {
    element["spdxId"] = id;
    element["creationInfo"] = kCreationInfoId;
    ids_.push_back(id);
    elements_.push_back(std::move(element));
  }

  void Relate(const std::string& from, const std::string& type,
              std::vector<std::string> to, const std::string& comment) {
    Json relationship = {{"type", "Relationship"},
                         {"from", from},
                         {"relationshipType", type},
                         {"to", std::move(to)}};
    if (!comment.empty()) relationship["comment"] = comment;
    relationships_.push_back(std::move(relationship));
  }

  // Returns the id of a simplelicensing_LicenseExpression for `expression`,
  // adding it on first use; `refs` gives the URLs of LicenseRef- ids.
  std::string License(
      const std::string& expression,
      const std::map<std::string, const v1::LicenseRefDeclaration*>& refs) {
    const auto known = licenses_.find(expression);
    if (known != licenses_.end()) return known->second;
    const std::string id = Id(absl::StrCat("license-", licenses_.size() + 1));
    Json license = {{"type", "simplelicensing_LicenseExpression"},
                    {"simplelicensing_licenseExpression", expression}};
    Json custom = Json::array();
    std::set<std::string> seen;
    for (const std::string& license_id : LicenseIds(expression)) {
      const auto declared = refs.find(license_id);
      if (declared == refs.end() || declared->second->url().empty() ||
          !seen.insert(license_id).second) {
        continue;
      }
      custom.push_back({{"type", "DictionaryEntry"},
                        {"key", license_id},
                        {"value", declared->second->url()}});
    }
    if (!custom.empty()) {
      license["simplelicensing_customIdToUri"] = std::move(custom);
    }
    licenses_.emplace(expression, id);
    license_elements_.emplace_back(id, std::move(license));
    return id;
  }

  // Declared license (or NoAssertion when `expression` is empty) and the
  // concluded license, always NoAssertion: Pedigree concludes nothing.
  void Licenses(
      const std::string& element, const std::string& expression,
      const std::map<std::string, const v1::LicenseRefDeclaration*>& refs) {
    Relate(
        element, "hasDeclaredLicense",
        {expression.empty() ? kNoAssertionLicense : License(expression, refs)},
        "");
    Relate(element, "hasConcludedLicense", {kNoAssertionLicense}, "");
  }

  Json Finish(const std::string& document_name, const std::string& root,
              const std::string& created) {
    for (auto& [id, license] : license_elements_) Add(id, std::move(license));
    for (size_t i = 0; i < relationships_.size(); ++i) {
      Add(Id(absl::StrCat("relationship-", i + 1)),
          std::move(relationships_[i]));
    }
    Json graph = Json::array();
    graph.push_back({{"type", "CreationInfo"},
                     {"@id", kCreationInfoId},
                     {"specVersion", "3.0.1"},
                     {"created", created},
                     {"createdBy", Json::array({Id("agent-pedigree")})},
                     {"createdUsing", Json::array({Id("tool-pedigree")})},
                     {"comment",
                      "generated by pedigree export from the registry's "
                      "answers; created is the record's publication time"}});
    Json document = {{"type", "SpdxDocument"},
                     {"spdxId", base_},
                     {"creationInfo", kCreationInfoId},
                     {"name", document_name},
                     {"profileConformance",
                      {"core", "software", "simpleLicensing", "ai", "dataset"}},
                     {"rootElement", Json::array({root})},
                     {"element", ids_}};
    graph.push_back(std::move(document));
    for (Json& element : elements_) graph.push_back(std::move(element));
    return Json{{"@context", kSpdxContext}, {"@graph", std::move(graph)}};
  }

 private:
  const std::string base_;
  std::vector<std::string> ids_;
  std::vector<Json> elements_;
  std::vector<Json> relationships_;
  std::map<std::string, std::string> licenses_;
  std::vector<std::pair<std::string, Json>> license_elements_;
};

Json SpdxHash(const std::string& hex, const std::string& comment) {
  Json hash = {{"type", "Hash"}, {"algorithm", "sha256"}, {"hashValue", hex}};
  if (!comment.empty()) hash["comment"] = comment;
  return hash;
}

constexpr char kRootDigestComment[] =
    "OMS manifest root digest: SHA-256 over the SHA-256 digests of the "
    "artifact files in manifest order, not the hash of one file";

Json SpdxModel(const v1::RecordSummary& summary, const std::string& supplier) {
  Json model = {
      {"type", "ai_AIPackage"},
      {"name", ModelId(summary)},
      {"software_packageVersion", summary.version()},
      {"software_primaryPurpose", "model"},
      {"suppliedBy", supplier},
      {"verifiedUsing",
       Json::array({SpdxHash(summary.root_digest(), kRootDigestComment)})},
      {"externalIdentifier",
       Json::array(
           {Json{{"type", "ExternalIdentifier"},
                 {"externalIdentifierType", "other"},
                 {"identifier", "sha256:" + summary.record_digest()},
                 {"comment",
                  absl::StrCat("pedigree record digest of ", summary.ref(),
                               " (SHA-256 of the signed DSSE payload)")}}})}};
  const std::string released = ReleaseTime(summary.release_date());
  if (!released.empty()) model["releaseTime"] = released;
  return model;
}

std::string SpdxRefType(const std::string& component) {
  if (component == "final_parameters") return "binaryArtifact";
  if (IsCodeComponent(component)) return "sourceArtifact";
  if (IsDocumentComponent(component)) return "documentation";
  if (component == "evaluation_results") return "metrics";
  return "other";
}

}  // namespace

absl::StatusOr<ExportFormat> ParseExportFormat(absl::string_view name) {
  if (name == "spdx3") return ExportFormat::kSpdx3;
  if (name == "cyclonedx") return ExportFormat::kCycloneDx;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown export format \"", name, "\" (expected spdx3 or cyclonedx)"));
}

absl::StatusOr<std::string> ExportSpdx3(const v1::GetRecordResponse& response,
                                        const v1::GetLineageResponse& lineage) {
  PEDIGREE_ASSIGN_OR_RETURN(const Release release, Prepare(response, lineage));
  const v1::RecordSummary& start = *release.start;
  const v1::Record& record = *release.record;
  SpdxGraph graph(
      absl::StrCat("urn:pedigree:export:spdx3:", start.record_digest()));

  graph.Add(graph.Id("agent-pedigree"),
            {{"type", "SoftwareAgent"}, {"name", kToolName}});
  graph.Add(graph.Id("tool-pedigree"),
            {{"type", "Tool"}, {"name", absl::StrCat(kToolName, " export")}});

  // One Organization per namespace; the record's own namespace is named by
  // its declared publisher.
  std::map<std::string, std::string> organizations;
  auto organization = [&](const v1::RecordSummary& summary) {
    const std::string key = absl::AsciiStrToLower(summary.namespace_name());
    const auto known = organizations.find(key);
    if (known != organizations.end()) return known->second;
    const std::string id = graph.Id("organization-" + key);
    Json element = {{"type", "Organization"}};
    if (key == absl::AsciiStrToLower(start.namespace_name()) &&
        !record.publisher_organization().empty()) {
      element["name"] = record.publisher_organization();
      std::string comment = absl::StrCat("publisher of registry namespace ",
                                         start.namespace_name());
      if (!record.publisher_jurisdiction().empty()) {
        absl::StrAppend(&comment, "; jurisdiction ",
                        record.publisher_jurisdiction());
      }
      element["comment"] = comment;
    } else {
      element["name"] = summary.namespace_name();
      element["comment"] =
          "registry namespace; the lineage answer does not name its "
          "publisher organization";
    }
    graph.Add(id, std::move(element));
    organizations.emplace(key, id);
    return id;
  };

  // The release.
  const std::string model_id = RecordIri(start);
  const std::string supplier = organization(start);
  Json model = SpdxModel(start, supplier);
  model["originatedBy"] = Json::array({supplier});
  if (!record.description().empty())
    model["description"] = record.description();
  const std::string location = WeightsLocation(record);
  if (!location.empty()) model["software_downloadLocation"] = location;
  model["comment"] = OpennessText(record);
  const std::string training = LineageText(release, release.start);
  if (!training.empty()) model["ai_informationAboutTraining"] = training;
  Json external_refs = Json::array();
  for (const v1::OpennessComponent& component : record.openness_components()) {
    if (component.location().empty()) continue;
    external_refs.push_back(
        {{"type", "ExternalRef"},
         {"externalRefType", SpdxRefType(component.component())},
         {"locator", Json::array({component.location()})},
         {"comment", ComponentRefText(component)}});
  }
  if (!external_refs.empty()) model["externalRef"] = std::move(external_refs);
  graph.Add(model_id, std::move(model));
  graph.Licenses(model_id, start.weights_license(), release.license_refs);

  // Its files.
  std::vector<std::string> files;
  for (int i = 0; i < record.files_size(); ++i) {
    const v1::ArtifactFile& file = record.files(i);
    const std::string id = graph.Id(absl::StrCat("file-", i + 1));
    graph.Add(id,
              {{"type", "software_File"},
               {"name", file.name()},
               {"software_fileKind", "file"},
               {"verifiedUsing", Json::array({SpdxHash(file.sha256(), "")})},
               {"comment", FileText(file)}});
    files.push_back(id);
  }
  if (!files.empty()) {
    graph.Relate(model_id, "hasDistributionArtifact", files, "");
  }

  // Its datasets, grouped by role in order of first appearance.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_role;
  for (int i = 0; i < record.datasets_size(); ++i) {
    const v1::Dataset& dataset = record.datasets(i);
    const std::string id = graph.Id(absl::StrCat("dataset-", i + 1));
    Json element = {{"type", "dataset_DatasetPackage"},
                    {"name", dataset.name()},
                    {"dataset_datasetType", Json::array({"noAssertion"})},
                    {"software_primaryPurpose", "data"},
                    {"comment", DatasetText(dataset)}};
    if (!dataset.uri().empty()) {
      element["software_downloadLocation"] = dataset.uri();
    }
    if (!dataset.sha256().empty()) {
      element["verifiedUsing"] = Json::array({SpdxHash(dataset.sha256(), "")});
    }
    graph.Add(id, std::move(element));
    graph.Licenses(id, dataset.license(), release.license_refs);
    auto role = std::find_if(by_role.begin(), by_role.end(),
                             [&dataset](const auto& entry) {
                               return entry.first == dataset.role();
                             });
    if (role == by_role.end()) {
      by_role.emplace_back(dataset.role(), std::vector<std::string>{});
      role = by_role.end() - 1;
    }
    role->second.push_back(id);
  }
  for (const auto& [role, datasets] : by_role) {
    graph.Relate(model_id, role == "evaluation" ? "testedOn" : "trainedOn",
                 datasets, "dataset role " + role);
  }

  // Its ancestors and the typed lineage.
  for (const v1::RecordSummary* ancestor : release.ancestors) {
    const std::string id = RecordIri(*ancestor);
    Json element = SpdxModel(*ancestor, organization(*ancestor));
    element["comment"] =
        absl::StrCat("declared openness ", ancestor->declared_openness());
    const std::string parents = LineageText(release, ancestor);
    if (!parents.empty()) element["ai_informationAboutTraining"] = parents;
    graph.Add(id, std::move(element));
    graph.Licenses(id, ancestor->weights_license(), release.license_refs);
  }
  for (const Edge& edge : release.edges) {
    const RelationMapping mapping = MapRelation(edge.relation);
    std::string comment = absl::StrCat("pedigree relation ", edge.relation,
                                       ": ", mapping.meaning);
    const std::string detail = DetailText(edge.detail);
    if (!detail.empty()) absl::StrAppend(&comment, "; ", detail);
    graph.Relate(RecordIri(*edge.child), mapping.spdx_type,
                 {RecordIri(*edge.parent)}, comment);
  }

  return Dump(graph.Finish(absl::StrCat(start.ref(), " (pedigree export)"),
                           model_id, FormatTimestamp(start.published_at())));
}

// --- CycloneDX 1.6

namespace {

Json Property(const std::string& name, const std::string& value) {
  return {{"name", name}, {"value", value}};
}

// A licenseChoice for a declared SPDX expression: a listed id as license.id,
// a single LicenseRef- as a named license (CycloneDX ids are SPDX-listed ids
// only), anything else as an expression.
Json LicenseChoice(
    const std::string& expression,
    const std::map<std::string, const v1::LicenseRefDeclaration*>& refs) {
  if (IsSingleToken(expression) && !IsLicenseRef(expression) &&
      !absl::StartsWith(expression, "DocumentRef-")) {
    return Json::array({Json{
        {"license", {{"id", expression}, {"acknowledgement", "declared"}}}}});
  }
  if (IsSingleToken(expression) && IsLicenseRef(expression)) {
    Json license = {
        {"name", expression},
        {"acknowledgement", "declared"},
        {"properties",
         Json::array({Property("pedigree:license_ref", expression)})}};
    const auto declared = refs.find(expression);
    if (declared != refs.end()) {
      license["name"] = declared->second->name();
      if (!declared->second->url().empty()) {
        license["url"] = declared->second->url();
      }
    }
    return Json::array({Json{{"license", std::move(license)}}});
  }
  return Json::array(
      {Json{{"expression", expression}, {"acknowledgement", "declared"}}});
}

Json CdxHash(const std::string& hex) {
  return {{"alg", "SHA-256"}, {"content", hex}};
}

std::string CdxRefType(const std::string& component) {
  if (component == "final_parameters") return "distribution";
  if (component == "model_card") return "model-card";
  if (IsCodeComponent(component)) return "source-distribution";
  if (IsDocumentComponent(component)) return "documentation";
  if (component == "evaluation_results") return "quality-metrics";
  return "other";
}

// The parts of a model component every model has.
Json CdxModel(const v1::RecordSummary& summary) {
  Json properties = {
      Property("pedigree:ref", summary.ref()),
      Property("pedigree:record_digest", summary.record_digest()),
      Property("pedigree:root_digest", summary.root_digest())};
  if (!summary.release_date().empty()) {
    properties.push_back(
        Property("pedigree:release_date", summary.release_date()));
  }
  if (!summary.declared_openness().empty()) {
    properties.push_back(
        Property("pedigree:declared_openness", summary.declared_openness()));
  }
  if (!summary.code_license().empty()) {
    properties.push_back(
        Property("pedigree:code_license", summary.code_license()));
  }
  return {{"type", "machine-learning-model"},
          {"bom-ref", RecordIri(summary)},
          {"group", summary.namespace_name()},
          {"name", summary.model_name()},
          {"version", summary.version()},
          {"hashes", Json::array({CdxHash(summary.root_digest())})},
          {"properties", std::move(properties)}};
}

// pedigree.ancestors (stubs of the direct parents, which are full components
// elsewhere in the BOM) and pedigree.notes.
Json CdxPedigree(const Release& release, const v1::RecordSummary* child) {
  Json ancestors = Json::array();
  for (const Edge* edge : ParentEdges(release, child)) {
    Json properties = {
        Property("pedigree:relation", edge->relation),
        Property("pedigree:record_digest", edge->parent->record_digest()),
        Property("pedigree:bom_ref", RecordIri(*edge->parent))};
    const std::string detail = DetailText(edge->detail);
    if (!detail.empty()) {
      properties.push_back(Property("pedigree:relation_detail", detail));
    }
    ancestors.push_back(
        {{"type", "machine-learning-model"},
         {"group", edge->parent->namespace_name()},
         {"name", edge->parent->model_name()},
         {"version", edge->parent->version()},
         {"hashes", Json::array({CdxHash(edge->parent->root_digest())})},
         {"properties", std::move(properties)}});
  }
  if (ancestors.empty()) return nullptr;
  return {{"ancestors", std::move(ancestors)},
          {"notes", LineageText(release, child)}};
}

}  // namespace

absl::StatusOr<std::string> CycloneDxSerialNumber(
    absl::string_view record_digest) {
  PEDIGREE_ASSIGN_OR_RETURN(
      std::string digest, core::crypto::Sha256Digest(absl::StrCat(
                              "pedigree-export-cyclonedx-v1:", record_digest)));
  if (digest.size() < 16) {
    return absl::InternalError("sha256 digest shorter than 16 bytes");
  }
  digest.resize(16);
  digest[6] =
      static_cast<char>((static_cast<uint8_t>(digest[6]) & 0x0f) | 0x80);
  digest[8] =
      static_cast<char>((static_cast<uint8_t>(digest[8]) & 0x3f) | 0x80);
  const std::string hex = core::HexEncode(digest);
  return absl::StrCat("urn:uuid:", hex.substr(0, 8), "-", hex.substr(8, 4), "-",
                      hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20, 12));
}

absl::StatusOr<std::string> ExportCycloneDx(
    const v1::GetRecordResponse& response,
    const v1::GetLineageResponse& lineage) {
  PEDIGREE_ASSIGN_OR_RETURN(const Release release, Prepare(response, lineage));
  const v1::RecordSummary& start = *release.start;
  const v1::Record& record = *release.record;
  PEDIGREE_ASSIGN_OR_RETURN(const std::string serial,
                            CycloneDxSerialNumber(start.record_digest()));

  // The datasets.
  Json components = Json::array();
  Json dataset_refs = Json::array();
  std::vector<std::string> dataset_ids;
  for (int i = 0; i < record.datasets_size(); ++i) {
    const v1::Dataset& dataset = record.datasets(i);
    const std::string ref = absl::StrCat("dataset-", i + 1);
    Json data = {{"type", "dataset"},
                 {"name", dataset.name()},
                 {"description", DatasetText(dataset)}};
    if (!dataset.uri().empty()) data["contents"] = {{"url", dataset.uri()}};
    Json properties = {
        Property("pedigree:dataset_role", dataset.role()),
        Property("pedigree:dataset_disclosure", dataset.disclosure()),
        Property("pedigree:synthetic", dataset.synthetic() ? "true" : "false")};
    if (!dataset.generated_by().empty()) {
      properties.push_back(
          Property("pedigree:generated_by", dataset.generated_by()));
    }
    Json component = {{"type", "data"},
                      {"bom-ref", ref},
                      {"name", dataset.name()},
                      {"data", Json::array({std::move(data)})},
                      {"properties", std::move(properties)}};
    if (!dataset.license().empty()) {
      component["licenses"] =
          LicenseChoice(dataset.license(), release.license_refs);
    }
    if (!dataset.sha256().empty()) {
      component["hashes"] = Json::array({CdxHash(dataset.sha256())});
    }
    if (!dataset.uri().empty()) {
      component["externalReferences"] =
          Json::array({Json{{"type", "distribution"}, {"url", dataset.uri()}}});
    }
    components.push_back(std::move(component));
    dataset_refs.push_back({{"ref", ref}});
    dataset_ids.push_back(ref);
  }

  // The release.
  Json model = CdxModel(start);
  if (!record.description().empty()) {
    model["description"] = record.description();
  }
  if (!record.publisher_organization().empty()) {
    model["supplier"] = {{"name", record.publisher_organization()}};
  }
  if (!start.weights_license().empty()) {
    model["licenses"] =
        LicenseChoice(start.weights_license(), release.license_refs);
  }
  Json& properties = model["properties"];
  if (!record.publisher_jurisdiction().empty()) {
    properties.push_back(Property("pedigree:publisher_jurisdiction",
                                  record.publisher_jurisdiction()));
  }
  for (const v1::Key& signer : response.signers()) {
    properties.push_back(Property("pedigree:signer_key_id", signer.key_id()));
  }
  for (const v1::LicenseRefDeclaration& declaration : record.license_refs()) {
    properties.push_back(Property(
        "pedigree:license_ref:" + declaration.id(),
        declaration.url().empty()
            ? declaration.name()
            : absl::StrCat(declaration.name(), " <", declaration.url(), ">")));
  }
  Json external_refs = Json::array();
  for (const v1::OpennessComponent& component : record.openness_components()) {
    if (component.location().empty()) continue;
    external_refs.push_back({{"type", CdxRefType(component.component())},
                             {"url", component.location()},
                             {"comment", ComponentRefText(component)}});
  }
  if (!external_refs.empty()) {
    model["externalReferences"] = std::move(external_refs);
  }
  Json card_properties = Json::array(
      {Property("pedigree:openness_claim", record.openness_claim())});
  for (const v1::OpennessComponent& component : record.openness_components()) {
    std::string value = component.status();
    if (!component.license().empty()) {
      absl::StrAppend(&value, " (", component.license(), ")");
    }
    card_properties.push_back(
        Property("pedigree:mof:" + component.component(), value));
  }
  Json card = {{"properties", std::move(card_properties)}};
  if (!dataset_refs.empty()) {
    card["modelParameters"] = {{"datasets", std::move(dataset_refs)}};
  }
  model["modelCard"] = std::move(card);
  Json model_pedigree = CdxPedigree(release, release.start);
  if (!model_pedigree.is_null()) model["pedigree"] = std::move(model_pedigree);

  // The ancestors, each once, and the dependency graph.
  Json dependencies = Json::array();
  auto depends = [&release](const v1::RecordSummary* child,
                            const std::vector<std::string>& extra) {
    std::set<std::string> parents;
    for (const Edge* edge : ParentEdges(release, child)) {
      parents.insert(RecordIri(*edge->parent));
    }
    Json on = Json::array();
    for (const std::string& parent : parents) on.push_back(parent);
    for (const std::string& other : extra) on.push_back(other);
    return Json{{"ref", RecordIri(*child)}, {"dependsOn", std::move(on)}};
  };
  dependencies.push_back(depends(release.start, dataset_ids));
  Json ancestors = Json::array();
  for (const v1::RecordSummary* ancestor : release.ancestors) {
    Json component = CdxModel(*ancestor);
    if (!ancestor->weights_license().empty()) {
      component["licenses"] =
          LicenseChoice(ancestor->weights_license(), release.license_refs);
    }
    Json ancestor_pedigree = CdxPedigree(release, ancestor);
    if (!ancestor_pedigree.is_null()) {
      component["pedigree"] = std::move(ancestor_pedigree);
    }
    ancestors.push_back(std::move(component));
    dependencies.push_back(depends(ancestor, {}));
  }
  for (const std::string& dataset : dataset_ids) {
    dependencies.push_back({{"ref", dataset}, {"dependsOn", Json::array()}});
  }
  // Models first, then datasets.
  for (Json& component : components) ancestors.push_back(std::move(component));

  Json bom = {
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.6"},
      {"serialNumber", serial},
      {"version", 1},
      {"metadata",
       {{"timestamp", FormatTimestamp(start.published_at())},
        {"tools",
         {{"components",
           Json::array({Json{
               {"type", "application"},
               {"bom-ref", "tool-pedigree"},
               {"name", kToolName},
               {"description",
                "pedigree export from the registry's answers; the timestamp "
                "is the record's publication time"}}})}}},
        {"component", std::move(model)}}},
      {"components", std::move(ancestors)},
      {"dependencies", std::move(dependencies)}};
  return Dump(bom);
}

absl::StatusOr<std::string> Export(ExportFormat format,
                                   const v1::GetRecordResponse& record,
                                   const v1::GetLineageResponse& lineage) {
  switch (format) {
    case ExportFormat::kSpdx3:
      return ExportSpdx3(record, lineage);
    case ExportFormat::kCycloneDx:
      return ExportCycloneDx(record, lineage);
  }
  return absl::InvalidArgumentError("unknown export format");
}

}  // namespace pedigree::client
