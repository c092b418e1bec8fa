#include "core/judgment/judgment.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/encoding/compact_json.h"
#include "core/encoding/json_object_reader.h"
#include "core/encoding/strict_json.h"
#include "core/judgment/obligations.h"
#include "core/judgment/openness.h"
#include "core/judgment/synthetic_data.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::core::judgment {
namespace {

using Json = nlohmann::json;

template <typename Enum, size_t N>
absl::string_view NameOf(const absl::string_view (&names)[N], Enum value) {
  const auto index = static_cast<size_t>(value);
  return index < N ? names[index] : absl::string_view();
}

template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseName(const absl::string_view (&names)[N],
                               absl::string_view what, absl::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " \"", name, "\""));
}

// In enumerator order.
constexpr absl::string_view kLabelNames[] = {"closed", "open_weight_restricted",
                                             "open_weight_permissive",
                                             "open_source"};
constexpr absl::string_view kMofClassNames[] = {"none", "class_iii", "class_ii",
                                                "class_i"};
constexpr absl::string_view kFlagNames[] = {
    "openness_claim_exceeds_computed",
    "declared_license_differs_from_inherited",
    "naming_duty_unmet",
    "non_commercial_ancestor",
    "derivative_license_differs_from_base",
    "incompatible_merge_parents",
    "teacher_forbids_distillation",
    "synthetic_data_generator_not_judged",
    "unknown_license",
};

void WriteReasons(const std::vector<Reason>& reasons, CompactJsonWriter* json) {
  json->BeginArray();
  for (const Reason& reason : reasons) {
    json->BeginObject();
    json->Key("message").String(reason.message);
    json->Key("rule").String(reason.rule);
    json->EndObject();
  }
  json->EndArray();
}

void WriteStrings(const std::vector<std::string>& strings,
                  CompactJsonWriter* json) {
  json->BeginArray();
  for (const std::string& s : strings) json->String(s);
  json->EndArray();
}

void WriteObligations(const Obligations& obligations, CompactJsonWriter* json) {
  json->BeginObject();
  json->Key("attribution_texts");
  WriteStrings(obligations.attribution_texts, json);
  json->Key("commercial_use").Bool(obligations.commercial_use);
  json->Key("licenses").BeginArray();
  for (const BindingLicense& license : obligations.licenses) {
    json->BeginObject();
    json->Key("from").String(license.from);
    json->Key("license_id").String(license.license_id);
    json->Key("traced_to_licensor").Bool(license.traced_to_licensor);
    json->Key("via").String(license.via);
    json->EndObject();
  }
  json->EndArray();
  if (obligations.monthly_active_users_limit.has_value()) {
    json->Key("monthly_active_users_limit")
        .Uint(*obligations.monthly_active_users_limit);
  }
  json->Key("name_prefixes");
  WriteStrings(obligations.name_prefixes, json);
  json->Key("use_restrictions").Bool(obligations.use_restrictions);
  json->EndObject();
}

absl::StatusOr<std::vector<Reason>> ReadReasons(const JsonObjectReader& parent,
                                                absl::string_view key) {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* array, parent.Array(key));
  std::vector<Reason> reasons;
  for (size_t i = 0; i < array->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader item,
        JsonObjectReader::Create((*array)[i],
                                 JsonIndexPath(parent.Path(key), i),
                                 {"rule", "message"}));
    Reason reason;
    PEDIGREE_ASSIGN_OR_RETURN(reason.rule, item.String("rule"));
    PEDIGREE_ASSIGN_OR_RETURN(reason.message, item.String("message"));
    reasons.push_back(std::move(reason));
  }
  return reasons;
}

absl::StatusOr<std::vector<std::string>> ReadStrings(
    const JsonObjectReader& parent, absl::string_view key) {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* array, parent.Array(key));
  std::vector<std::string> strings;
  for (size_t i = 0; i < array->size(); ++i) {
    if (!(*array)[i].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(
          JsonIndexPath(parent.Path(key), i), ": expected a string"));
    }
    strings.push_back((*array)[i].get<std::string>());
  }
  return strings;
}

// Prefixes an enum-name error with the member's path.
absl::Status AtPath(const absl::Status& status, absl::string_view path) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.message()));
}

absl::StatusOr<Obligations> ReadObligations(const JsonObjectReader& parent) {
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader reader,
      parent.Object(
          "obligations",
          {"licenses", "commercial_use", "monthly_active_users_limit",
           "use_restrictions", "attribution_texts", "name_prefixes"}));
  Obligations out;
  PEDIGREE_ASSIGN_OR_RETURN(const Json* licenses, reader.Array("licenses"));
  for (size_t i = 0; i < licenses->size(); ++i) {
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader item,
        JsonObjectReader::Create(
            (*licenses)[i], JsonIndexPath(reader.Path("licenses"), i),
            {"license_id", "from", "via", "traced_to_licensor"}));
    BindingLicense license;
    PEDIGREE_ASSIGN_OR_RETURN(license.license_id, item.String("license_id"));
    PEDIGREE_ASSIGN_OR_RETURN(license.from, item.String("from"));
    PEDIGREE_ASSIGN_OR_RETURN(license.via, item.String("via"));
    PEDIGREE_ASSIGN_OR_RETURN(license.traced_to_licensor,
                              item.Bool("traced_to_licensor"));
    out.licenses.push_back(std::move(license));
  }
  PEDIGREE_ASSIGN_OR_RETURN(out.commercial_use, reader.Bool("commercial_use"));
  PEDIGREE_ASSIGN_OR_RETURN(out.monthly_active_users_limit,
                            reader.OptionalUint("monthly_active_users_limit",
                                                record::kMaxJsonInteger));
  PEDIGREE_ASSIGN_OR_RETURN(out.use_restrictions,
                            reader.Bool("use_restrictions"));
  PEDIGREE_ASSIGN_OR_RETURN(out.attribution_texts,
                            ReadStrings(reader, "attribution_texts"));
  PEDIGREE_ASSIGN_OR_RETURN(out.name_prefixes,
                            ReadStrings(reader, "name_prefixes"));
  return out;
}

}  // namespace

absl::string_view ToString(OpennessLabel label) {
  return NameOf(kLabelNames, label);
}
absl::string_view ToString(MofClass mof_class) {
  return NameOf(kMofClassNames, mof_class);
}
absl::string_view ToString(FlagKind kind) { return NameOf(kFlagNames, kind); }

absl::StatusOr<OpennessLabel> ParseOpennessLabel(absl::string_view name) {
  return ParseName<OpennessLabel>(kLabelNames, "openness label", name);
}
absl::StatusOr<MofClass> ParseMofClass(absl::string_view name) {
  return ParseName<MofClass>(kMofClassNames, "mof class", name);
}
absl::StatusOr<FlagKind> ParseFlagKind(absl::string_view name) {
  return ParseName<FlagKind>(kFlagNames, "flag", name);
}

bool operator==(const Reason& a, const Reason& b) {
  return a.rule == b.rule && a.message == b.message;
}
bool operator==(const Flag& a, const Flag& b) {
  return a.kind == b.kind && a.message == b.message && a.ancestor == b.ancestor;
}
bool operator==(const BindingLicense& a, const BindingLicense& b) {
  return a.license_id == b.license_id && a.from == b.from && a.via == b.via &&
         a.traced_to_licensor == b.traced_to_licensor;
}
bool operator==(const Obligations& a, const Obligations& b) {
  return a.licenses == b.licenses && a.commercial_use == b.commercial_use &&
         a.monthly_active_users_limit == b.monthly_active_users_limit &&
         a.use_restrictions == b.use_restrictions &&
         a.attribution_texts == b.attribution_texts &&
         a.name_prefixes == b.name_prefixes;
}
bool operator==(const Judgment& a, const Judgment& b) {
  return a.rule_set_version == b.rule_set_version &&
         a.declared_weights_license == b.declared_weights_license &&
         a.label == b.label && a.label_reasons == b.label_reasons &&
         a.mof_class == b.mof_class && a.mof_reasons == b.mof_reasons &&
         a.mof_warnings == b.mof_warnings && a.obligations == b.obligations &&
         a.flags == b.flags;
}

absl::StatusOr<Judgment> Judge(const record::Record& record,
                               absl::Span<const ParentJudgment> parents) {
  std::vector<bool> seen(record.lineage.size(), false);
  for (size_t i = 0; i < parents.size(); ++i) {
    const ParentJudgment& parent = parents[i];
    if (parent.edge == nullptr || parent.judgment == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("parent ", i, " has no edge or no judgment"));
    }
    const record::LineageEdge* first = record.lineage.data();
    const auto position = std::find_if(
        record.lineage.begin(), record.lineage.end(),
        [&](const record::LineageEdge& edge) { return &edge == parent.edge; });
    if (position == record.lineage.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parent ", i, " (", parent.ref, ") is not an edge of the record"));
    }
    const auto index = static_cast<size_t>(parent.edge - first);
    if (seen[index]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "lineage edge ", index, " (", parent.ref, ") is given twice"));
    }
    seen[index] = true;
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "lineage edge ", i, " (", record::ToString(record.lineage[i].ref),
          ") has no parent judgment"));
    }
  }

  OpennessJudgment openness = JudgeOpenness(record, parents);
  ObligationsJudgment obligations = JudgeObligations(record, parents);

  Judgment judgment;
  judgment.rule_set_version = std::string(kRuleSetVersion);
  judgment.declared_weights_license = record.licenses.weights;
  judgment.label = openness.label;
  judgment.label_reasons = std::move(openness.label_reasons);
  judgment.mof_class = openness.mof_class;
  judgment.mof_reasons = std::move(openness.mof_reasons);
  judgment.mof_warnings = std::move(openness.mof_warnings);
  judgment.obligations = std::move(obligations.obligations);
  if (openness.claim_mismatch.has_value()) {
    judgment.flags.push_back(std::move(*openness.claim_mismatch));
  }
  for (Flag& flag : obligations.flags) {
    judgment.flags.push_back(std::move(flag));
  }
  for (Flag& flag :
       SyntheticDataFlags(FindUnjudgedDataGenerators(record, parents))) {
    judgment.flags.push_back(std::move(flag));
  }
  for (Flag& flag : InheritedSyntheticDataFlags(parents)) {
    judgment.flags.push_back(std::move(flag));
  }
  std::stable_sort(
      judgment.flags.begin(), judgment.flags.end(),
      [](const Flag& a, const Flag& b) { return a.kind < b.kind; });
  return judgment;
}

std::string JudgmentToJson(const Judgment& judgment) {
  // Keys in byte order (the tests check the output is canonical). Invalid UTF-8
  // would be replaced, not thrown on: messages quote record text, which
  // ValidateRecord has already checked, so that never happens in practice.
  CompactJsonWriter json(/*expected_size=*/1024);
  json.BeginObject();
  json.Key("declared_weights_license")
      .String(judgment.declared_weights_license);
  json.Key("flags").BeginArray();
  for (const Flag& flag : judgment.flags) {
    json.BeginObject();
    json.Key("ancestor").String(flag.ancestor);
    json.Key("kind").String(ToString(flag.kind));
    json.Key("message").String(flag.message);
    json.EndObject();
  }
  json.EndArray();
  json.Key("label").String(ToString(judgment.label));
  json.Key("label_reasons");
  WriteReasons(judgment.label_reasons, &json);
  json.Key("mof_class").String(ToString(judgment.mof_class));
  json.Key("mof_reasons");
  WriteReasons(judgment.mof_reasons, &json);
  json.Key("mof_warnings");
  WriteReasons(judgment.mof_warnings, &json);
  json.Key("obligations");
  WriteObligations(judgment.obligations, &json);
  json.Key("rule_set_version").String(judgment.rule_set_version);
  json.EndObject();
  return std::move(json).Finish();
}

absl::StatusOr<Judgment> JudgmentFromJson(absl::string_view json) {
  StrictJsonOptions options;
  options.root_path = "judgment";
  options.not_json_message = "judgment is not valid json";
  PEDIGREE_ASSIGN_OR_RETURN(const Json document,
                            ParseStrictJson(json, options));
  PEDIGREE_ASSIGN_OR_RETURN(
      JsonObjectReader reader,
      JsonObjectReader::Create(
          document, "judgment",
          {"rule_set_version", "declared_weights_license", "label",
           "label_reasons", "mof_class", "mof_reasons", "mof_warnings",
           "obligations", "flags"}));
  Judgment judgment;
  PEDIGREE_ASSIGN_OR_RETURN(judgment.rule_set_version,
                            reader.String("rule_set_version"));
  PEDIGREE_ASSIGN_OR_RETURN(judgment.declared_weights_license,
                            reader.String("declared_weights_license"));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string label, reader.String("label"));
  absl::StatusOr<OpennessLabel> parsed_label = ParseOpennessLabel(label);
  if (!parsed_label.ok()) {
    return AtPath(parsed_label.status(), reader.Path("label"));
  }
  judgment.label = *parsed_label;
  PEDIGREE_ASSIGN_OR_RETURN(judgment.label_reasons,
                            ReadReasons(reader, "label_reasons"));
  PEDIGREE_ASSIGN_OR_RETURN(const std::string mof_class,
                            reader.String("mof_class"));
  absl::StatusOr<MofClass> parsed_class = ParseMofClass(mof_class);
  if (!parsed_class.ok()) {
    return AtPath(parsed_class.status(), reader.Path("mof_class"));
  }
  judgment.mof_class = *parsed_class;
  PEDIGREE_ASSIGN_OR_RETURN(judgment.mof_reasons,
                            ReadReasons(reader, "mof_reasons"));
  PEDIGREE_ASSIGN_OR_RETURN(judgment.mof_warnings,
                            ReadReasons(reader, "mof_warnings"));
  PEDIGREE_ASSIGN_OR_RETURN(judgment.obligations, ReadObligations(reader));
  PEDIGREE_ASSIGN_OR_RETURN(const Json* flags, reader.Array("flags"));
  for (size_t i = 0; i < flags->size(); ++i) {
    const std::string path = JsonIndexPath(reader.Path("flags"), i);
    PEDIGREE_ASSIGN_OR_RETURN(
        JsonObjectReader item,
        JsonObjectReader::Create((*flags)[i], path,
                                 {"kind", "message", "ancestor"}));
    Flag flag;
    PEDIGREE_ASSIGN_OR_RETURN(const std::string kind, item.String("kind"));
    absl::StatusOr<FlagKind> parsed_kind = ParseFlagKind(kind);
    if (!parsed_kind.ok()) {
      return AtPath(parsed_kind.status(), item.Path("kind"));
    }
    flag.kind = *parsed_kind;
    PEDIGREE_ASSIGN_OR_RETURN(flag.message, item.String("message"));
    PEDIGREE_ASSIGN_OR_RETURN(flag.ancestor, item.String("ancestor"));
    judgment.flags.push_back(std::move(flag));
  }
  return judgment;
}

}  // namespace pedigree::core::judgment
