#include "client/lib/export.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

// The test data (client/lib/testdata/export/):
// - legal-7b.record.json, legal-7b.lineage.json: the registry's GetRecord
//   and GetLineage answers (proto JSON) for a realistic release: a fine-tune
//   (sft) of acme/Acme-7B-Instruct@v1, itself a fine-tune of acme/Acme-7B@v1,
//   with a distillation teacher under a LicenseRef- license, three datasets
//   (fine-tuning, synthetic alignment data, evaluation) and a compound
//   weights license with a declared LicenseRef-.
// - legal-7b.spdx3.json, legal-7b.cyclonedx.json: the expected exports
//   (golden files). Regenerate with PEDIGREE_UPDATE_GOLDEN=1 after an
//   intended change, and review the diff.
// - bom-1.6.subset.schema.json: the parts of the CycloneDX 1.6 JSON schema
//   the exporter's output touches (source and abridgements in its $comment).
// - spdx-3.0.1-shape.json: required members and vocabularies of SPDX 3.0.1
//   (hand-written from the model; sources in its $comment).

namespace pedigree::client {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Json = nlohmann::json;

std::string TestdataPath(const std::string& name) {
  return absl::StrCat(PEDIGREE_SOURCE_DIR, "/client/lib/testdata/export/",
                      name);
}

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(TestdataPath(name), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

Json ParseJson(const std::string& text) {
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

template <typename Message>
Message ReadProto(const std::string& name) {
  Message message;
  const auto status =
      google::protobuf::util::JsonStringToMessage(ReadTestdata(name), &message);
  EXPECT_TRUE(status.ok()) << name << ": " << status.ToString();
  return message;
}

v1::GetRecordResponse LegalRecord() {
  return ReadProto<v1::GetRecordResponse>("legal-7b.record.json");
}

v1::GetLineageResponse LegalLineage() {
  return ReadProto<v1::GetLineageResponse>("legal-7b.lineage.json");
}

// Compares `actual` with the golden file `name`, or rewrites the file when
// PEDIGREE_UPDATE_GOLDEN is set.
void ExpectGolden(const std::string& actual, const std::string& name) {
  if (std::getenv("PEDIGREE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(TestdataPath(name), std::ios::binary | std::ios::trunc)
        << actual;
    return;
  }
  EXPECT_EQ(actual, ReadTestdata(name)) << "golden file " << name;
}

// --- a small JSON schema (draft-07) checker, for the keywords the CycloneDX
// schema subset uses: $ref (local), type, enum, pattern, minLength, minimum,
// required, properties, additionalProperties (false), items (schema or
// tuple), additionalItems (false), minItems, maxItems, uniqueItems, oneOf,
// anyOf. "format" is not checked.
class SchemaChecker {
 public:
  explicit SchemaChecker(const Json& root) : root_(root) {}

  std::vector<std::string> Check(const Json& value) {
    errors_.clear();
    CheckAt(root_, value, "$");
    return errors_;
  }

 private:
  bool Matches(const Json& schema, const Json& value) const {
    SchemaChecker nested(root_);
    nested.CheckAt(schema, value, "$");
    return nested.errors_.empty();
  }

  void Fail(const std::string& path, const std::string& what) {
    errors_.push_back(absl::StrCat(path, ": ", what));
  }

  static bool HasType(const Json& value, const std::string& type) {
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    if (type == "null") return value.is_null();
    return false;
  }

  void CheckAt(const Json& schema, const Json& value, const std::string& path) {
    if (!schema.is_object()) return;
    const auto ref = schema.find("$ref");
    if (ref != schema.end()) {
      const std::string target = ref->get<std::string>();
      const std::string prefix = "#/definitions/";
      const auto definitions = root_.find("definitions");
      if (target.rfind(prefix, 0) != 0 || definitions == root_.end() ||
          definitions->find(target.substr(prefix.size())) ==
              definitions->end()) {
        Fail(path, "unresolved $ref " + target);
        return;
      }
      CheckAt(*definitions->find(target.substr(prefix.size())), value, path);
      return;
    }
    const auto type = schema.find("type");
    if (type != schema.end() && !HasType(value, type->get<std::string>())) {
      Fail(path, "expected type " + type->get<std::string>());
      return;
    }
    const auto values = schema.find("enum");
    if (values != schema.end() &&
        std::find(values->begin(), values->end(), value) == values->end()) {
      Fail(path, "value " + value.dump() + " not in enum");
    }
    if (value.is_string()) {
      const std::string text = value.get<std::string>();
      const auto pattern = schema.find("pattern");
      if (pattern != schema.end() &&
          !std::regex_search(text, std::regex(pattern->get<std::string>()))) {
        Fail(path,
             "\"" + text + "\" does not match " + pattern->get<std::string>());
      }
      const auto min_length = schema.find("minLength");
      if (min_length != schema.end() &&
          text.size() < min_length->get<size_t>()) {
        Fail(path, "shorter than minLength");
      }
    }
    const auto minimum = schema.find("minimum");
    if (minimum != schema.end() && value.is_number() &&
        value.get<double>() < minimum->get<double>()) {
      Fail(path, "below minimum");
    }
    if (value.is_object()) CheckObject(schema, value, path);
    if (value.is_array()) CheckArray(schema, value, path);
    const auto one_of = schema.find("oneOf");
    if (one_of != schema.end()) {
      int matches = 0;
      for (const Json& option : *one_of) matches += Matches(option, value);
      if (matches != 1) {
        Fail(path, absl::StrCat("matches ", matches, " oneOf options"));
      }
    }
    const auto any_of = schema.find("anyOf");
    if (any_of != schema.end()) {
      bool matched = false;
      for (const Json& option : *any_of) matched |= Matches(option, value);
      if (!matched) Fail(path, "matches no anyOf option");
    }
  }

  void CheckObject(const Json& schema, const Json& value,
                   const std::string& path) {
    const auto required = schema.find("required");
    if (required != schema.end()) {
      for (const Json& name : *required) {
        if (!value.contains(name.get<std::string>())) {
          Fail(path, "missing required " + name.get<std::string>());
        }
      }
    }
    const auto properties = schema.find("properties");
    const auto additional = schema.find("additionalProperties");
    for (const auto& [key, member] : value.items()) {
      if (properties != schema.end() && properties->contains(key)) {
        CheckAt(*properties->find(key), member, path + "." + key);
      } else if (additional != schema.end() && *additional == false) {
        Fail(path, "additional property " + key);
      }
    }
  }

  void CheckArray(const Json& schema, const Json& value,
                  const std::string& path) {
    const auto min_items = schema.find("minItems");
    if (min_items != schema.end() && value.size() < min_items->get<size_t>()) {
      Fail(path, "fewer than minItems");
    }
    const auto max_items = schema.find("maxItems");
    if (max_items != schema.end() && value.size() > max_items->get<size_t>()) {
      Fail(path, "more than maxItems");
    }
    const auto unique = schema.find("uniqueItems");
    if (unique != schema.end() && *unique == true) {
      std::set<std::string> seen;
      for (const Json& item : value) {
        if (!seen.insert(item.dump()).second) Fail(path, "duplicate item");
      }
    }
    const auto items = schema.find("items");
    if (items == schema.end()) return;
    if (items->is_object()) {
      for (size_t i = 0; i < value.size(); ++i) {
        CheckAt(*items, value[i], absl::StrCat(path, "[", i, "]"));
      }
      return;
    }
    for (size_t i = 0; i < value.size() && i < items->size(); ++i) {
      CheckAt((*items)[i], value[i], absl::StrCat(path, "[", i, "]"));
    }
    const auto additional = schema.find("additionalItems");
    if (additional != schema.end() && *additional == false &&
        value.size() > items->size()) {
      Fail(path, "additional items");
    }
  }

  const Json& root_;
  std::vector<std::string> errors_;
};

// --- the SPDX 3.0.1 shape checker (spdx-3.0.1-shape.json).
class SpdxShapeChecker {
 public:
  explicit SpdxShapeChecker(const Json& shape) : shape_(shape) {}

  std::vector<std::string> Check(const Json& document) {
    errors_.clear();
    if (!document.is_object() ||
        document.value("@context", "") != shape_.value("context", "")) {
      Fail("$", "@context is not the SPDX 3.0.1 context");
    }
    const auto graph = document.find("@graph");
    if (graph == document.end() || !graph->is_array() || graph->empty()) {
      Fail("$", "missing @graph");
      return errors_;
    }
    std::map<std::string, const Json*> by_id;
    for (const Json& element : *graph) {
      const std::string id = element.contains("spdxId")
                                 ? element.value("spdxId", "")
                                 : element.value("@id", "");
      if (id.empty() || !by_id.emplace(id, &element).second) {
        Fail("@graph", "element without a unique spdxId or @id: " + id);
      }
    }
    std::string creation_info;
    for (const Json& element : *graph) {
      if (element.value("type", "") == "CreationInfo") {
        creation_info = element.value("@id", "");
      }
    }
    std::map<std::pair<std::string, std::string>, int> license_relations;
    for (const Json& element : *graph) {
      const std::string type = element.value("type", "");
      const std::string where =
          absl::StrCat(type, " ", element.value("spdxId", ""));
      CheckRequired(element, type, where);
      CheckEnums(element, where);
      if (type != "CreationInfo" &&
          element.value("creationInfo", "") != creation_info) {
        Fail(where, "creationInfo is not the document's CreationInfo");
      }
      if (type == "CreationInfo") {
        CheckCreationInfo(element, by_id, where);
      } else if (type == "Relationship") {
        CheckReference(element.value("from", ""), by_id, where + ".from");
        const auto to = element.find("to");
        if (to == element.end() || !to->is_array() || to->empty()) {
          Fail(where, "to is not a non-empty array");
        } else {
          for (const Json& target : *to) {
            CheckReference(target.is_string() ? target.get<std::string>() : "",
                           by_id, where + ".to");
          }
        }
        const std::string relation = element.value("relationshipType", "");
        if (relation == "hasDeclaredLicense" ||
            relation == "hasConcludedLicense") {
          ++license_relations[{element.value("from", ""), relation}];
        }
      } else if (type == "SpdxDocument") {
        CheckDocument(element, *graph, by_id, where);
      }
      for (const char* agent : {"suppliedBy"}) {
        if (element.contains(agent)) {
          CheckAgent(element.value(agent, ""), by_id, where + "." + agent);
        }
      }
      if (element.contains("releaseTime"))
        CheckDateTime(element, "releaseTime", where);
    }
    // AI and Dataset profile conformance: exactly one declared and one
    // concluded license per package.
    for (const Json& element : *graph) {
      const std::string type = element.value("type", "");
      const Json& licensed = shape_["licensedClasses"];
      if (std::find(licensed.begin(), licensed.end(), type) == licensed.end()) {
        continue;
      }
      const std::string id = element.value("spdxId", "");
      for (const char* relation :
           {"hasDeclaredLicense", "hasConcludedLicense"}) {
        const auto count = license_relations.find({id, relation});
        if (count == license_relations.end() || count->second != 1) {
          Fail(type + " " + id, std::string("not exactly one ") + relation);
        }
      }
    }
    return errors_;
  }

 private:
  void Fail(const std::string& where, const std::string& what) {
    errors_.push_back(absl::StrCat(where, ": ", what));
  }

  void CheckRequired(const Json& object, const std::string& type,
                     const std::string& where) {
    const Json& required = shape_["required"];
    const auto members = required.find(type);
    if (members == required.end()) {
      Fail(where, "type not in the SPDX 3.0.1 classes this exporter emits");
      return;
    }
    for (const Json& member : *members) {
      if (!object.contains(member.get<std::string>())) {
        Fail(where, "missing required " + member.get<std::string>());
      }
    }
  }

  // Enumerated members, also inside nested objects (Hash, ExternalRef, ...),
  // whose required members are checked too.
  void CheckEnums(const Json& value, const std::string& where) {
    if (value.is_array()) {
      for (const Json& item : value) CheckEnums(item, where);
      return;
    }
    if (!value.is_object()) return;
    const Json& enums = shape_["enums"];
    for (const auto& [key, member] : value.items()) {
      const auto allowed = enums.find(key);
      if (allowed != enums.end()) {
        const std::vector<Json> values = member.is_array()
                                             ? member.get<std::vector<Json>>()
                                             : std::vector<Json>{member};
        if (values.empty()) Fail(where, key + " is empty");
        for (const Json& v : values) {
          if (std::find(allowed->begin(), allowed->end(), v) ==
              allowed->end()) {
            Fail(where, key + " value " + v.dump() + " not in vocabulary");
          }
        }
      }
      if (member.is_object() || member.is_array()) {
        for (const Json& nested :
             member.is_array() ? member : Json::array({member})) {
          if (nested.is_object() && nested.contains("type")) {
            CheckRequired(nested, nested.value("type", ""), where + "." + key);
          }
        }
        CheckEnums(member, where);
      }
    }
  }

  void CheckDateTime(const Json& object, const std::string& member,
                     const std::string& where) {
    if (!std::regex_match(object.value(member, ""),
                          std::regex(shape_.value("dateTimePattern", "")))) {
      Fail(where, member + " is not an SPDX DateTime");
    }
  }

  void CheckReference(const std::string& id,
                      const std::map<std::string, const Json*>& by_id,
                      const std::string& where) {
    const Json& individuals = shape_["individuals"];
    if (by_id.count(id) == 0 &&
        std::find(individuals.begin(), individuals.end(), id) ==
            individuals.end()) {
      Fail(where, "reference \"" + id + "\" resolves to no element");
    }
  }

  void CheckAgent(const std::string& id,
                  const std::map<std::string, const Json*>& by_id,
                  const std::string& where) {
    const auto element = by_id.find(id);
    const Json& agents = shape_["agents"];
    if (element == by_id.end() ||
        std::find(agents.begin(), agents.end(),
                  element->second->value("type", "")) == agents.end()) {
      Fail(where, "\"" + id + "\" is not an Agent of the graph");
    }
  }

  void CheckCreationInfo(const Json& info,
                         const std::map<std::string, const Json*>& by_id,
                         const std::string& where) {
    if (info.value("@id", "").rfind("_:", 0) != 0) {
      Fail(where, "@id is not a blank node");
    }
    if (!std::regex_match(info.value("specVersion", ""),
                          std::regex(shape_.value("specVersionPattern", "")))) {
      Fail(where, "specVersion is not 3.0.x");
    }
    CheckDateTime(info, "created", where);
    const auto created_by = info.find("createdBy");
    if (created_by == info.end() || !created_by->is_array() ||
        created_by->empty()) {
      Fail(where, "createdBy is not a non-empty array");
      return;
    }
    for (const Json& agent : *created_by) {
      CheckAgent(agent.is_string() ? agent.get<std::string>() : "", by_id,
                 where + ".createdBy");
    }
  }

  void CheckDocument(const Json& document, const Json& graph,
                     const std::map<std::string, const Json*>& by_id,
                     const std::string& where) {
    std::set<std::string> listed;
    for (const Json& id : document.value("element", Json::array())) {
      listed.insert(id.is_string() ? id.get<std::string>() : "");
    }
    std::set<std::string> expected;
    for (const Json& element : graph) {
      const std::string type = element.value("type", "");
      if (type != "CreationInfo" && type != "SpdxDocument") {
        expected.insert(element.value("spdxId", ""));
      }
    }
    if (listed != expected) Fail(where, "element does not list the graph");
    const Json roots = document.value("rootElement", Json::array());
    if (roots.empty()) Fail(where, "rootElement is empty");
    for (const Json& root : roots) {
      CheckReference(root.is_string() ? root.get<std::string>() : "", by_id,
                     where + ".rootElement");
    }
  }

  const Json& shape_;
  std::vector<std::string> errors_;
};

Json CycloneDxSchema() {
  return ParseJson(ReadTestdata("bom-1.6.subset.schema.json"));
}
Json SpdxShape() { return ParseJson(ReadTestdata("spdx-3.0.1-shape.json")); }

Json ExportedSpdx(const v1::GetRecordResponse& record,
                  const v1::GetLineageResponse& lineage) {
  absl::StatusOr<std::string> text = ExportSpdx3(record, lineage);
  EXPECT_THAT(text, IsOk());
  return text.ok() ? ParseJson(*text) : Json();
}

Json ExportedCycloneDx(const v1::GetRecordResponse& record,
                       const v1::GetLineageResponse& lineage) {
  absl::StatusOr<std::string> text = ExportCycloneDx(record, lineage);
  EXPECT_THAT(text, IsOk());
  return text.ok() ? ParseJson(*text) : Json();
}

std::vector<Json> GraphOfType(const Json& document, const std::string& type) {
  std::vector<Json> found;
  for (const Json& element : document.value("@graph", Json::array())) {
    if (element.value("type", "") == type) found.push_back(element);
  }
  return found;
}

// --- formats

TEST(ExportFormatTest, ParsesBothFormatNames) {
  EXPECT_THAT(ParseExportFormat("spdx3"), IsOk());
  EXPECT_EQ(*ParseExportFormat("spdx3"), ExportFormat::kSpdx3);
  EXPECT_EQ(*ParseExportFormat("cyclonedx"), ExportFormat::kCycloneDx);
}

TEST(ExportFormatTest, RejectsAnUnknownFormatNamingIt) {
  EXPECT_THAT(ParseExportFormat("spdx"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown export format \"spdx\"")));
  EXPECT_THAT(ParseExportFormat("CycloneDX"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseExportFormat(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- golden files

TEST(ExportSpdx3Test, MatchesGoldenFile) {
  absl::StatusOr<std::string> text = ExportSpdx3(LegalRecord(), LegalLineage());

  ASSERT_THAT(text, IsOk());
  ExpectGolden(*text, "legal-7b.spdx3.json");
}

TEST(ExportCycloneDxTest, MatchesGoldenFile) {
  absl::StatusOr<std::string> text =
      ExportCycloneDx(LegalRecord(), LegalLineage());

  ASSERT_THAT(text, IsOk());
  ExpectGolden(*text, "legal-7b.cyclonedx.json");
}

TEST(ExportTest, DispatchesToTheNamedFormat) {
  EXPECT_EQ(*Export(ExportFormat::kSpdx3, LegalRecord(), LegalLineage()),
            *ExportSpdx3(LegalRecord(), LegalLineage()));
  EXPECT_EQ(*Export(ExportFormat::kCycloneDx, LegalRecord(), LegalLineage()),
            *ExportCycloneDx(LegalRecord(), LegalLineage()));
}

TEST(ExportTest, IgnoresTheOrderOfTheLineageAnswer) {
  v1::GetLineageResponse shuffled = LegalLineage();
  shuffled.mutable_nodes()->SwapElements(1, 3);
  shuffled.mutable_edges()->SwapElements(0, 2);

  EXPECT_EQ(*ExportSpdx3(LegalRecord(), shuffled),
            *ExportSpdx3(LegalRecord(), LegalLineage()));
  EXPECT_EQ(*ExportCycloneDx(LegalRecord(), shuffled),
            *ExportCycloneDx(LegalRecord(), LegalLineage()));
}

// --- schema shape

TEST(ExportCycloneDxTest, ValidatesAgainstTheBom16Schema) {
  const Json schema = CycloneDxSchema();
  ASSERT_TRUE(schema.is_object());
  SchemaChecker checker(schema);

  const Json bom = ExportedCycloneDx(LegalRecord(), LegalLineage());

  EXPECT_THAT(checker.Check(bom), IsEmpty());
}

TEST(ExportCycloneDxTest, ValidatesWithoutLineageOrDatasets) {
  const Json schema = CycloneDxSchema();
  SchemaChecker checker(schema);
  v1::GetRecordResponse record = LegalRecord();
  record.mutable_record()->clear_datasets();

  const Json bom = ExportedCycloneDx(record, v1::GetLineageResponse());

  EXPECT_THAT(checker.Check(bom), IsEmpty());
  EXPECT_FALSE(bom.contains("components") && !bom["components"].empty());
}

TEST(ExportCycloneDxTest, SchemaCheckerRejectsBrokenBoms) {
  const Json schema = CycloneDxSchema();
  SchemaChecker checker(schema);
  const Json good = ExportedCycloneDx(LegalRecord(), LegalLineage());
  Json no_format = good;
  no_format.erase("bomFormat");
  Json bad_type = good;
  bad_type["metadata"]["component"]["type"] = "model";
  Json extra = good;
  extra["metadata"]["component"]["weights"] = "x";
  Json bad_serial = good;
  bad_serial["serialNumber"] = "urn:uuid:XYZ";
  Json id_and_name = good;
  id_and_name["components"][0]["licenses"] =
      Json::parse(R"([{"license": {"id": "MIT", "name": "MIT"}}])");
  Json two_expressions = good;
  two_expressions["components"][0]["licenses"] =
      Json::parse(R"([{"expression": "MIT"}, {"expression": "MIT"}])");
  Json bad_hash = good;
  bad_hash["metadata"]["component"]["hashes"][0]["alg"] = "SHA256";

  EXPECT_THAT(checker.Check(no_format), Not(IsEmpty()));
  EXPECT_THAT(checker.Check(bad_type), Not(IsEmpty()));
  EXPECT_THAT(checker.Check(extra), Not(IsEmpty()));
  EXPECT_THAT(checker.Check(bad_serial), Not(IsEmpty()));
  EXPECT_THAT(checker.Check(id_and_name), Not(IsEmpty()));
  EXPECT_THAT(checker.Check(two_expressions), Not(IsEmpty()));
  EXPECT_THAT(checker.Check(bad_hash), Not(IsEmpty()));
}

TEST(ExportSpdx3Test, HasTheSpdx301Shape) {
  const Json shape = SpdxShape();
  ASSERT_TRUE(shape.is_object());
  SpdxShapeChecker checker(shape);

  const Json document = ExportedSpdx(LegalRecord(), LegalLineage());

  EXPECT_THAT(checker.Check(document), IsEmpty());
}

TEST(ExportSpdx3Test, HasTheSpdx301ShapeWithoutLineageOrFiles) {
  const Json shape = SpdxShape();
  SpdxShapeChecker checker(shape);
  v1::GetRecordResponse record = LegalRecord();
  record.mutable_record()->clear_files();
  record.mutable_record()->clear_datasets();

  const Json document = ExportedSpdx(record, v1::GetLineageResponse());

  EXPECT_THAT(checker.Check(document), IsEmpty());
  EXPECT_EQ(GraphOfType(document, "ai_AIPackage").size(), 1u);
}

TEST(ExportSpdx3Test, ShapeCheckerRejectsBrokenDocuments) {
  const Json shape = SpdxShape();
  SpdxShapeChecker checker(shape);
  const Json good = ExportedSpdx(LegalRecord(), LegalLineage());
  auto with = [&good](const std::string& type, const std::string& key,
                      const Json& value) {
    Json copy = good;
    for (Json& element : copy["@graph"]) {
      if (element.value("type", "") == type) {
        if (value.is_null()) {
          element.erase(key);
        } else {
          element[key] = value;
        }
        break;
      }
    }
    return copy;
  };
  Json dangling = with("Relationship", "to", Json::array({"urn:nowhere"}));
  Json no_supplier = with("ai_AIPackage", "suppliedBy", nullptr);
  Json bad_relation = with("Relationship", "relationshipType", "variantOf");
  Json bad_purpose = with("ai_AIPackage", "software_primaryPurpose", "weights");
  Json no_dataset_type =
      with("dataset_DatasetPackage", "dataset_datasetType", nullptr);
  Json bad_time = with("CreationInfo", "created", "2025-03-14");
  Json bad_hash = with("software_File", "verifiedUsing",
                       Json::parse(R"([{"type": "Hash", "algorithm": "SHA-256",
                                        "hashValue": "00"}])"));
  Json extra_license = good;
  extra_license["@graph"].push_back(
      {{"type", "Relationship"},
       {"spdxId", "urn:x#extra"},
       {"creationInfo", "_:creationinfo"},
       {"from",
        "urn:pedigree:record:" + LegalRecord().summary().record_digest()},
       {"relationshipType", "hasDeclaredLicense"},
       {"to", Json::array({"expandedlicensing_NoAssertionLicense"})}});

  for (const Json* broken :
       {&dangling, &no_supplier, &bad_relation, &bad_purpose, &no_dataset_type,
        &bad_time, &bad_hash, &extra_license}) {
    EXPECT_THAT(checker.Check(*broken), Not(IsEmpty())) << broken->dump();
  }
}

// --- mappings

TEST(ExportSpdx3Test, MapsLineageRelationsToSpdxRelationshipTypes) {
  const Json document = ExportedSpdx(LegalRecord(), LegalLineage());
  std::vector<std::string> lineage;

  for (const Json& relationship : GraphOfType(document, "Relationship")) {
    const std::string comment = relationship.value("comment", "");
    if (comment.rfind("pedigree relation ", 0) == 0) {
      lineage.push_back(relationship.value("relationshipType", "") + " " +
                        comment.substr(0, comment.find(':')));
    }
  }

  EXPECT_THAT(lineage,
              ElementsAre("descendantOf pedigree relation finetune",
                          "descendantOf pedigree relation finetune",
                          "descendantOf pedigree relation distillation"));
}

TEST(ExportSpdx3Test, MapsArchitectureReuseToOther) {
  v1::GetLineageResponse lineage = LegalLineage();
  lineage.mutable_edges(1)->set_relation("architecture_reuse");

  const Json document = ExportedSpdx(LegalRecord(), lineage);

  bool found = false;
  for (const Json& relationship : GraphOfType(document, "Relationship")) {
    if (relationship.value("comment", "").find("architecture_reuse") !=
        std::string::npos) {
      found = true;
      EXPECT_EQ(relationship.value("relationshipType", ""), "other");
    }
  }
  EXPECT_TRUE(found);
}

TEST(ExportSpdx3Test, RelatesDatasetsByRole) {
  const Json document = ExportedSpdx(LegalRecord(), LegalLineage());
  std::vector<std::string> roles;

  for (const Json& relationship : GraphOfType(document, "Relationship")) {
    const std::string type = relationship.value("relationshipType", "");
    if (type == "trainedOn" || type == "testedOn") {
      roles.push_back(type + " " + relationship.value("comment", ""));
    }
  }

  EXPECT_THAT(roles, ElementsAre("trainedOn dataset role fine_tuning",
                                 "trainedOn dataset role alignment",
                                 "testedOn dataset role evaluation"));
}

TEST(ExportSpdx3Test, DeclaresLicenseRefUrlsInTheExpression) {
  const Json document = ExportedSpdx(LegalRecord(), LegalLineage());

  bool found = false;
  for (const Json& license :
       GraphOfType(document, "simplelicensing_LicenseExpression")) {
    if (license.value("simplelicensing_licenseExpression", "") ==
        "Apache-2.0 AND LicenseRef-lawco-aup") {
      found = true;
      EXPECT_EQ(license["simplelicensing_customIdToUri"],
                Json::parse(R"([{"type": "DictionaryEntry",
                    "key": "LicenseRef-lawco-aup",
                    "value": "https://lawco.example/legal-7b/aup"}])"));
    }
  }
  EXPECT_TRUE(found);
}

TEST(ExportSpdx3Test, TakesTimestampsFromTheRecordNotTheClock) {
  const Json document = ExportedSpdx(LegalRecord(), LegalLineage());

  const std::vector<Json> info = GraphOfType(document, "CreationInfo");

  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].value("created", ""), "2025-03-14T16:45:07Z");
}

// CycloneDX license.id accepts SPDX-listed ids only.
TEST(ExportCycloneDxTest, NeverPutsALicenseRefInLicenseId) {
  const Json bom = ExportedCycloneDx(LegalRecord(), LegalLineage());
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::vector<std::string> expressions;

  std::function<void(const Json&)> walk = [&](const Json& value) {
    if (value.is_array()) {
      for (const Json& item : value) walk(item);
    } else if (value.is_object()) {
      const auto license = value.find("license");
      if (license != value.end() && license->is_object()) {
        if (license->contains("id")) ids.push_back(license->value("id", ""));
        if (license->contains("name")) {
          names.push_back(license->value("name", ""));
        }
      }
      if (value.contains("expression")) {
        expressions.push_back(value.value("expression", ""));
      }
      for (const auto& [key, member] : value.items()) walk(member);
    }
  };
  walk(bom);

  for (const std::string& id : ids) {
    EXPECT_EQ(id.find("LicenseRef-"), std::string::npos) << id;
  }
  EXPECT_THAT(names, ::testing::Contains("LicenseRef-bigco-model"));
  EXPECT_THAT(expressions,
              ::testing::Contains("Apache-2.0 AND LicenseRef-lawco-aup"));
}

TEST(ExportCycloneDxTest, ListsEachAncestorOnceWithTypedPedigree) {
  const Json bom = ExportedCycloneDx(LegalRecord(), LegalLineage());
  std::vector<std::string> models;
  for (const Json& component : bom["components"]) {
    if (component.value("type", "") == "machine-learning-model") {
      models.push_back(component.value("group", "") + "/" +
                       component.value("name", ""));
    }
  }
  std::vector<std::string> relations;
  for (const Json& ancestor :
       bom["metadata"]["component"]["pedigree"]["ancestors"]) {
    for (const Json& property : ancestor["properties"]) {
      if (property.value("name", "") == "pedigree:relation") {
        relations.push_back(ancestor.value("name", "") + " " +
                            property.value("value", ""));
      }
    }
  }

  EXPECT_THAT(models, ElementsAre("acme/Acme-7B-Instruct", "acme/Acme-7B",
                                  "bigco/Big-70B"));
  EXPECT_THAT(relations,
              ElementsAre("Acme-7B-Instruct finetune", "Big-70B distillation"));
}

TEST(ExportCycloneDxTest, DerivesTheSerialNumberFromTheRecordDigest) {
  // Known answer: computed independently (Python hashlib) from the
  // definition in export.h.
  EXPECT_EQ(*CycloneDxSerialNumber(
                "a309249272ec8f0643c3014c68dcf8867475a1077ac84ab16faf34374dd"
                "f22ba"),
            "urn:uuid:dacde59a-baa0-88bb-9e26-8b732e1fd294");
  EXPECT_EQ(ExportedCycloneDx(LegalRecord(), LegalLineage())
                .value("serialNumber", ""),
            "urn:uuid:dacde59a-baa0-88bb-9e26-8b732e1fd294");
}

// --- errors

TEST(ExportTest, RejectsAMalformedRecordDigest) {
  v1::GetRecordResponse record = LegalRecord();
  record.mutable_summary()->set_record_digest("ABC");

  EXPECT_THAT(ExportSpdx3(record, v1::GetLineageResponse()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("record.summary.record_digest")));
  EXPECT_THAT(ExportCycloneDx(record, v1::GetLineageResponse()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ExportTest, RejectsARecordWithoutPublicationTime) {
  v1::GetRecordResponse record = LegalRecord();
  record.mutable_summary()->clear_published_at();

  EXPECT_THAT(
      ExportSpdx3(record, LegalLineage()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("published_at")));
}

TEST(ExportTest, RejectsALineageThatDoesNotStartAtTheRecord) {
  v1::GetLineageResponse lineage = LegalLineage();
  lineage.mutable_nodes()->SwapElements(0, 1);

  EXPECT_THAT(ExportCycloneDx(LegalRecord(), lineage),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not start at lawco/Legal-7B@v1.2")));
}

TEST(ExportTest, RejectsAnEdgeToAnUnknownNode) {
  v1::GetLineageResponse lineage = LegalLineage();
  lineage.mutable_edges(2)->set_parent_record_digest(std::string(64, 'e'));

  EXPECT_THAT(ExportSpdx3(LegalRecord(), lineage),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lineage.edges[2]")));
}

TEST(ExportTest, RejectsARepeatedNode) {
  v1::GetLineageResponse lineage = LegalLineage();
  *lineage.add_nodes() = lineage.nodes(1);

  EXPECT_THAT(
      ExportSpdx3(LegalRecord(), lineage),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("appears twice")));
}

TEST(ExportTest, RejectsAnAncestorWithAMalformedRootDigest) {
  v1::GetLineageResponse lineage = LegalLineage();
  lineage.mutable_nodes(2)->mutable_record()->set_root_digest("00");

  EXPECT_THAT(ExportCycloneDx(LegalRecord(), lineage),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lineage.nodes[2].record.root_digest")));
}

}  // namespace
}  // namespace pedigree::client
