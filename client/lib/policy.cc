#include "client/lib/policy.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/dsse/envelope.h"
#include "core/encoding/json_object_reader.h"
#include "core/encoding/strict_json.h"
#include "core/license/license_expression.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/status_macros.h"

namespace pedigree::client {
namespace {

using ::pedigree::core::JsonIndexPath;
using ::pedigree::core::JsonObjectReader;
using ::pedigree::core::judgment::FlagKind;
using ::pedigree::core::judgment::MofClass;
using ::pedigree::core::judgment::OpennessLabel;
using Json = nlohmann::json;

// The relation through which nothing (weights, outputs or terms) flows.
constexpr absl::string_view kArchitectureReuse = "architecture_reuse";

absl::Status AtPath(const absl::Status& status, absl::string_view path) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.message()));
}

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

// --- parsing

// Reads a non-empty array of single license ids, canonically spelled,
// sorted and unique; nullopt if `key` is absent.
absl::StatusOr<std::optional<std::vector<std::string>>> ReadLicenseIds(
    const JsonObjectReader& reader, absl::string_view key) {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* array, reader.Get(key, false));
  if (array == nullptr) return std::optional<std::vector<std::string>>();
  const std::string path = reader.Path(key);
  if (!array->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected an array of license ids"));
  }
  if (array->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": must not be empty (it would allow no license at all)"));
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < array->size(); ++i) {
    const Json& item = (*array)[i];
    const std::string item_path = JsonIndexPath(path, i);
    if (!item.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(item_path, ": expected a string"));
    }
    const std::string& text = item.get_ref<const Json::string_t&>();
    absl::StatusOr<core::license::LicenseExpression> expression =
        core::license::ParseLicenseExpression(text);
    if (!expression.ok()) return AtPath(expression.status(), item_path);
    if (!expression->is_leaf() || expression->or_later() ||
        !expression->exception().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          item_path, ": ", Quoted(text),
          " is not one license id (list each id on its own, without "
          "AND, OR, WITH or \"+\")"));
    }
    ids.push_back(expression->id());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return std::optional<std::vector<std::string>>(std::move(ids));
}

absl::Status ReadForbidFlags(const JsonObjectReader& reader, Policy* policy) {
  PEDIGREE_ASSIGN_OR_RETURN(const Json* value,
                            reader.Get(kRuleForbidFlags, false));
  if (value == nullptr) return absl::OkStatus();
  const std::string path = reader.Path(kRuleForbidFlags);
  if (value->is_boolean()) {
    policy->forbid_any_flag = value->get<bool>();
    return absl::OkStatus();
  }
  if (!value->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected a boolean or an array of flag kinds"));
  }
  if (value->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": must not be empty (use true to forbid every flag)"));
  }
  for (size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    const std::string item_path = JsonIndexPath(path, i);
    if (!item.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(item_path, ": expected a string"));
    }
    absl::StatusOr<FlagKind> kind =
        core::judgment::ParseFlagKind(item.get_ref<const Json::string_t&>());
    if (!kind.ok()) return AtPath(kind.status(), item_path);
    if (std::find(policy->forbidden_flags.begin(),
                  policy->forbidden_flags.end(),
                  *kind) == policy->forbidden_flags.end()) {
      policy->forbidden_flags.push_back(*kind);
    }
  }
  return absl::OkStatus();
}

bool HasRule(const Policy& policy) {
  return policy.allowed_declared_licenses.has_value() ||
         policy.allowed_effective_licenses.has_value() ||
         policy.min_openness.has_value() || policy.min_mof_class.has_value() ||
         policy.forbid_any_flag || !policy.forbidden_flags.empty() ||
         policy.forbid_restricted_ancestors ||
         policy.forbid_non_commercial_ancestors ||
         policy.max_lineage_depth.has_value();
}

// --- evaluation

bool IsAllowed(const std::vector<std::string>& allowed, absl::string_view id) {
  // SPDX ids, LicenseRef ids included, match case-insensitively.
  return std::any_of(allowed.begin(), allowed.end(),
                     [id](const std::string& allowed_id) {
                       return absl::EqualsIgnoreCase(allowed_id, id);
                     });
}

std::string RefOf(const v1::RecordSummary& summary) {
  if (!summary.ref().empty()) return summary.ref();
  if (!summary.record_digest().empty()) {
    return absl::StrCat("record ", summary.record_digest());
  }
  return "the record";
}

std::string ReasonsText(
    const google::protobuf::RepeatedPtrField<v1::JudgmentReason>& reasons) {
  std::vector<std::string> messages;
  for (const v1::JudgmentReason& reason : reasons) {
    messages.push_back(reason.message());
  }
  return absl::StrJoin(messages, "; ");
}

std::string LicensesText(const v1::Obligations& obligations) {
  std::vector<std::string> ids;
  for (const v1::BindingLicense& license : obligations.licenses()) {
    ids.push_back(license.license_id());
  }
  return absl::StrJoin(ids, ", ");
}

// Returns why `judgment` (of `ref`) cannot be evaluated, or "" if it can:
// an empty label means the registry has no judgment to give.
std::string JudgmentProblem(const v1::Judgment& judgment,
                            absl::string_view ref) {
  if (judgment.label().empty()) {
    return absl::StrCat("the registry returned no judgment of ", ref,
                        ": cannot evaluate");
  }
  return "";
}

class Evaluator {
 public:
  Evaluator(const Policy& policy, const v1::GetRecordResponse& record,
            const v1::GetLineageResponse& lineage)
      : policy_(policy),
        record_(record),
        lineage_(lineage),
        ref_(RefOf(record.summary())) {}

  std::vector<PolicyViolation> Run() && {
    if (PolicyNeedsLineage(policy_)) ReadLineage();
    if (policy_.allowed_declared_licenses.has_value()) CheckDeclared();
    if (policy_.allowed_effective_licenses.has_value()) CheckEffective();
    if (policy_.min_openness.has_value()) CheckOpenness();
    if (policy_.min_mof_class.has_value()) CheckMofClass();
    if (policy_.forbid_any_flag || !policy_.forbidden_flags.empty()) {
      CheckFlags();
    }
    if (policy_.forbid_restricted_ancestors) CheckRestrictedAncestors();
    if (policy_.forbid_non_commercial_ancestors) CheckNonCommercial();
    if (policy_.max_lineage_depth.has_value()) CheckDepth();
    return std::move(violations_);
  }

 private:
  void Add(absl::string_view rule, std::string message) {
    violations_.push_back(
        PolicyViolation{std::string(rule), std::move(message)});
  }

  // Adds a violation of `rule` and returns false if the record's judgment
  // cannot be evaluated.
  bool RecordJudgmentUsable(absl::string_view rule) {
    std::string problem = JudgmentProblem(record_.judgment(), ref_);
    if (problem.empty()) return true;
    Add(rule, std::move(problem));
    return false;
  }

  // Adds a violation of `rule` and returns false if the lineage answer
  // cannot be evaluated.
  bool LineageUsable(absl::string_view rule) {
    if (lineage_problem_.empty()) return true;
    Add(rule, lineage_problem_);
    return false;
  }

  void CheckDeclared() {
    const std::vector<std::string>& allowed =
        *policy_.allowed_declared_licenses;
    const struct {
      const char* what;
      const std::string& expression;
      bool required;
    } declared[] = {
        {"weights", record_.record().weights_license(), true},
        {"code", record_.record().code_license(), false},
    };
    for (const auto& [what, expression, required] : declared) {
      if (expression.empty()) {
        if (required) {
          Add(kRuleAllowedDeclaredLicenses,
              absl::StrCat(ref_, " declares no ", what,
                           " license: cannot evaluate"));
        }
        continue;
      }
      absl::StatusOr<core::license::LicenseExpression> parsed =
          core::license::ParseLicenseExpression(expression);
      if (!parsed.ok()) {
        Add(kRuleAllowedDeclaredLicenses,
            absl::StrCat("the declared ", what, " license ", Quoted(expression),
                         " of ", ref_, " does not parse (",
                         parsed.status().message(), "): cannot evaluate"));
        continue;
      }
      std::vector<std::string> ids = core::license::SpdxIds(*parsed);
      for (std::string& id : core::license::LicenseRefIds(*parsed)) {
        ids.push_back(std::move(id));
      }
      std::sort(ids.begin(), ids.end());
      for (const std::string& id : ids) {
        if (IsAllowed(allowed, id)) continue;
        std::string message =
            absl::StrCat("declared ", what, " license ", id, " of ", ref_);
        if (id != expression) {
          absl::StrAppend(&message, " (in ", Quoted(expression), ")");
        }
        absl::StrAppend(&message, " is not in allowed_licenses.declared");
        Add(kRuleAllowedDeclaredLicenses, std::move(message));
      }
    }
  }

  void CheckEffective() {
    if (!RecordJudgmentUsable(kRuleAllowedEffectiveLicenses)) return;
    const v1::Obligations& obligations = record_.judgment().obligations();
    if (obligations.licenses().empty()) {
      Add(kRuleAllowedEffectiveLicenses,
          absl::StrCat("the registry's judgment of ", ref_,
                       " names no binding license: cannot evaluate"));
      return;
    }
    for (const v1::BindingLicense& license : obligations.licenses()) {
      if (IsAllowed(*policy_.allowed_effective_licenses,
                    license.license_id())) {
        continue;
      }
      const std::string source =
          license.from_ref().empty()
              ? absl::StrCat("declared by ", ref_, " itself")
              : absl::StrCat("inherited from ", license.from_ref(),
                             license.via().empty() ? "" : " via ",
                             license.via());
      Add(kRuleAllowedEffectiveLicenses,
          absl::StrCat("binding license ", license.license_id(), " (", source,
                       ") is not in allowed_licenses.effective"));
    }
  }

  void CheckOpenness() {
    if (!RecordJudgmentUsable(kRuleMinOpenness)) return;
    const std::string& name = record_.judgment().label();
    absl::StatusOr<OpennessLabel> label =
        core::judgment::ParseOpennessLabel(name);
    if (!label.ok()) {
      Add(kRuleMinOpenness,
          absl::StrCat("the registry's openness label ", Quoted(name), " of ",
                       ref_, " is unknown to this client: cannot evaluate"));
      return;
    }
    if (*label >= *policy_.min_openness) return;
    std::string message =
        absl::StrCat(ref_, " is labelled ", name, ", below ",
                     core::judgment::ToString(*policy_.min_openness));
    const std::string reasons = ReasonsText(record_.judgment().label_reasons());
    if (!reasons.empty()) absl::StrAppend(&message, ": ", reasons);
    Add(kRuleMinOpenness, std::move(message));
  }

  void CheckMofClass() {
    if (!RecordJudgmentUsable(kRuleMinMofClass)) return;
    const std::string& name = record_.judgment().mof_class();
    absl::StatusOr<MofClass> mof_class = core::judgment::ParseMofClass(name);
    if (!mof_class.ok()) {
      Add(kRuleMinMofClass,
          absl::StrCat("the registry's mof class ", Quoted(name), " of ", ref_,
                       " is unknown to this client: cannot evaluate"));
      return;
    }
    if (*mof_class >= *policy_.min_mof_class) return;
    std::string message =
        absl::StrCat(ref_, " has mof class ", name, ", below ",
                     core::judgment::ToString(*policy_.min_mof_class));
    const std::string reasons = ReasonsText(record_.judgment().mof_reasons());
    if (!reasons.empty()) absl::StrAppend(&message, ": ", reasons);
    Add(kRuleMinMofClass, std::move(message));
  }

  void CheckFlags() {
    if (!RecordJudgmentUsable(kRuleForbidFlags)) return;
    for (const v1::JudgmentFlag& flag : record_.judgment().flags()) {
      std::string facts = flag.message();
      if (!flag.ancestor().empty()) {
        absl::StrAppend(&facts, " (ancestor ", flag.ancestor(), ")");
      }
      if (policy_.forbid_any_flag) {
        Add(kRuleForbidFlags,
            absl::StrCat(ref_, " is flagged ", flag.kind(), ": ", facts));
        continue;
      }
      absl::StatusOr<FlagKind> kind =
          core::judgment::ParseFlagKind(flag.kind());
      if (!kind.ok()) {
        Add(kRuleForbidFlags,
            absl::StrCat("the registry's flag ", Quoted(flag.kind()), " on ",
                         ref_, " is unknown to this client: cannot evaluate (",
                         facts, ")"));
        continue;
      }
      if (std::find(policy_.forbidden_flags.begin(),
                    policy_.forbidden_flags.end(),
                    *kind) != policy_.forbidden_flags.end()) {
        Add(kRuleForbidFlags,
            absl::StrCat(ref_, " is flagged ", flag.kind(), ": ", facts));
      }
    }
  }

  void CheckRestrictedAncestors() {
    if (!LineageUsable(kRuleForbidRestrictedAncestors)) return;
    for (const v1::LineageNode* node : ancestors_) {
      const std::string& ref = node->record().ref();
      std::string problem = JudgmentProblem(node->judgment(), ref);
      if (!problem.empty()) {
        Add(kRuleForbidRestrictedAncestors,
            absl::StrCat("ancestor ", ref, ": ", problem));
        continue;
      }
      const std::string& name = node->judgment().label();
      absl::StatusOr<OpennessLabel> label =
          core::judgment::ParseOpennessLabel(name);
      if (!label.ok()) {
        Add(kRuleForbidRestrictedAncestors,
            absl::StrCat("the registry's openness label ", Quoted(name),
                         " of ancestor ", ref,
                         " is unknown to this client: cannot evaluate"));
        continue;
      }
      if (*label > OpennessLabel::kOpenWeightRestricted) continue;
      std::string message =
          absl::StrCat("ancestor ", ref, " is labelled ", name);
      const std::string reasons = ReasonsText(node->judgment().label_reasons());
      if (!reasons.empty()) absl::StrAppend(&message, ": ", reasons);
      Add(kRuleForbidRestrictedAncestors, std::move(message));
    }
  }

  void CheckNonCommercial() {
    if (RecordJudgmentUsable(kRuleForbidNonCommercialAncestors) &&
        !record_.judgment().obligations().commercial_use()) {
      Add(kRuleForbidNonCommercialAncestors,
          absl::StrCat(ref_,
                       "'s effective obligations forbid commercial use "
                       "(binding licenses: ",
                       LicensesText(record_.judgment().obligations()), ")"));
    }
    if (!LineageUsable(kRuleForbidNonCommercialAncestors)) return;
    for (const v1::LineageNode* node : ancestors_) {
      const std::string& ref = node->record().ref();
      std::string problem = JudgmentProblem(node->judgment(), ref);
      if (!problem.empty()) {
        Add(kRuleForbidNonCommercialAncestors,
            absl::StrCat("ancestor ", ref, ": ", problem));
        continue;
      }
      if (node->judgment().obligations().commercial_use()) continue;
      Add(kRuleForbidNonCommercialAncestors,
          absl::StrCat("ancestor ", ref,
                       " forbids commercial use (binding licenses: ",
                       LicensesText(node->judgment().obligations()), ")"));
    }
  }

  void CheckDepth() {
    if (!LineageUsable(kRuleMaxLineageDepth)) return;
    const int limit = *policy_.max_lineage_depth;
    const int depth = static_cast<int>(longest_chain_.size()) - 1;
    if (depth <= limit) return;
    Add(kRuleMaxLineageDepth,
        absl::StrCat("the lineage of ", ref_, " is ", depth,
                     depth == 1 ? " edge" : " edges", " deep (",
                     absl::StrJoin(longest_chain_, " -> "),
                     "), more than max_lineage_depth ", limit));
  }

  // Reads lineage_ into ancestors_ and longest_chain_, or sets
  // lineage_problem_.
  void ReadLineage() {
    const auto& nodes = lineage_.nodes();
    const std::string& digest = record_.summary().record_digest();
    if (nodes.empty() || digest.empty() ||
        nodes[0].record().record_digest() != digest) {
      lineage_problem_ = absl::StrCat(
          "the registry's lineage answer does not "
          "start at ",
          ref_, ": cannot evaluate");
      return;
    }
    std::map<std::string, int> index;
    for (int i = 0; i < nodes.size(); ++i) {
      const v1::LineageNode& node = nodes[i];
      if (!index.emplace(node.record().record_digest(), i).second) {
        lineage_problem_ = absl::StrCat(
            "the registry's lineage answer for ", ref_, " repeats record ",
            node.record().record_digest(), ": cannot evaluate");
        return;
      }
      if (node.distance() >= kPolicyLineageDepth) {
        lineage_problem_ =
            absl::StrCat("the lineage of ", ref_, " reaches ",
                         node.record().ref(), " at ", node.distance(),
                         " edges, as deep as the registry walks: "
                         "ancestors beyond cannot be checked");
        return;
      }
    }
    // parents[i]: (parent index, weight or outputs flow) for node i.
    std::vector<std::vector<std::pair<int, bool>>> parents(nodes.size());
    for (const v1::LineageEdge& edge : lineage_.edges()) {
      const auto child = index.find(edge.child_record_digest());
      const auto parent = index.find(edge.parent_record_digest());
      if (child == index.end() || parent == index.end()) {
        lineage_problem_ = absl::StrCat(
            "the registry's lineage answer for ", ref_,
            " has an edge to a record it does not list: cannot evaluate");
        return;
      }
      // Only architecture reuse carries nothing; an unknown relation counts.
      parents[child->second].emplace_back(
          parent->second, edge.relation() != kArchitectureReuse);
    }

    // Ancestors: reachable from the start along edges that carry something.
    std::vector<bool> reached(nodes.size(), false);
    std::vector<int> stack = {0};
    reached[0] = true;
    while (!stack.empty()) {
      const int node = stack.back();
      stack.pop_back();
      for (const auto& [parent, carries] : parents[node]) {
        if (carries && !reached[parent]) {
          reached[parent] = true;
          stack.push_back(parent);
        }
      }
    }
    for (int i = 1; i < nodes.size(); ++i) {
      if (reached[i]) ancestors_.push_back(&nodes[i]);
    }

    // The longest chain up from the start along every edge: an iterative
    // depth-first search (a hostile answer may be long), refusing cycles.
    enum class State { kNew, kOpen, kDone };
    std::vector<State> state(nodes.size(), State::kNew);
    std::vector<int> length(nodes.size(), 0);
    std::vector<int> next(nodes.size(), -1);
    std::vector<std::pair<int, size_t>> path = {{0, 0}};
    state[0] = State::kOpen;
    while (!path.empty()) {
      auto& [node, edge] = path.back();
      if (edge < parents[node].size()) {
        const int parent = parents[node][edge++].first;
        if (state[parent] == State::kOpen) {
          lineage_problem_ =
              absl::StrCat("the registry's lineage answer for ", ref_,
                           " has a cycle: cannot evaluate");
          return;
        }
        if (state[parent] == State::kNew) {
          state[parent] = State::kOpen;
          path.emplace_back(parent, 0);
        }
        continue;
      }
      for (const auto& [parent, carries] : parents[node]) {
        if (length[parent] + 1 > length[node]) {
          length[node] = length[parent] + 1;
          next[node] = parent;
        }
      }
      state[node] = State::kDone;
      path.pop_back();
    }
    for (int node = 0; node >= 0; node = next[node]) {
      longest_chain_.push_back(RefOf(nodes[node].record()));
    }
  }

  const Policy& policy_;
  const v1::GetRecordResponse& record_;
  const v1::GetLineageResponse& lineage_;
  const std::string ref_;
  std::string lineage_problem_;
  std::vector<const v1::LineageNode*> ancestors_;
  // Refs from the record up the longest chain of edges.
  std::vector<std::string> longest_chain_;
  std::vector<PolicyViolation> violations_;
};

}  // namespace

bool PolicyNeedsLineage(const Policy& policy) {
  return policy.forbid_restricted_ancestors ||
         policy.forbid_non_commercial_ancestors ||
         policy.max_lineage_depth.has_value();
}

bool operator==(const PolicyViolation& a, const PolicyViolation& b) {
  return a.rule == b.rule && a.message == b.message;
}

absl::StatusOr<Policy> ParsePolicy(absl::string_view json) {
  core::StrictJsonOptions options;
  options.not_json_message = "policy is not valid json";
  PEDIGREE_ASSIGN_OR_RETURN(const Json root,
                            core::ParseStrictJson(json, options));
  if (!root.is_object()) {
    return absl::InvalidArgumentError("policy: expected a json object");
  }
  PEDIGREE_ASSIGN_OR_RETURN(
      const JsonObjectReader reader,
      JsonObjectReader::Create(
          root, "",
          {"description", "allowed_licenses", "min_openness", "min_mof_class",
           kRuleForbidFlags, kRuleForbidRestrictedAncestors,
           kRuleForbidNonCommercialAncestors, kRuleMaxLineageDepth}));
  Policy policy;
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> description,
                            reader.OptionalString("description"));
  policy.description = description.value_or("");

  PEDIGREE_ASSIGN_OR_RETURN(
      std::optional<JsonObjectReader> licenses,
      reader.OptionalObject("allowed_licenses", {"declared", "effective"}));
  if (licenses.has_value()) {
    PEDIGREE_ASSIGN_OR_RETURN(policy.allowed_declared_licenses,
                              ReadLicenseIds(*licenses, "declared"));
    PEDIGREE_ASSIGN_OR_RETURN(policy.allowed_effective_licenses,
                              ReadLicenseIds(*licenses, "effective"));
    if (!policy.allowed_declared_licenses.has_value() &&
        !policy.allowed_effective_licenses.has_value()) {
      return absl::InvalidArgumentError(
          "allowed_licenses: give declared, effective or both");
    }
  }

  PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> min_openness,
                            reader.OptionalString(kRuleMinOpenness));
  if (min_openness.has_value()) {
    absl::StatusOr<OpennessLabel> label =
        core::judgment::ParseOpennessLabel(*min_openness);
    if (!label.ok()) return AtPath(label.status(), kRuleMinOpenness);
    policy.min_openness = *label;
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> min_mof_class,
                            reader.OptionalString(kRuleMinMofClass));
  if (min_mof_class.has_value()) {
    absl::StatusOr<MofClass> mof_class =
        core::judgment::ParseMofClass(*min_mof_class);
    if (!mof_class.ok()) return AtPath(mof_class.status(), kRuleMinMofClass);
    policy.min_mof_class = *mof_class;
  }

  PEDIGREE_RETURN_IF_ERROR(ReadForbidFlags(reader, &policy));
  PEDIGREE_ASSIGN_OR_RETURN(
      std::optional<bool> forbid_restricted,
      reader.OptionalBool(kRuleForbidRestrictedAncestors));
  policy.forbid_restricted_ancestors = forbid_restricted.value_or(false);
  PEDIGREE_ASSIGN_OR_RETURN(
      std::optional<bool> forbid_non_commercial,
      reader.OptionalBool(kRuleForbidNonCommercialAncestors));
  policy.forbid_non_commercial_ancestors =
      forbid_non_commercial.value_or(false);
  PEDIGREE_ASSIGN_OR_RETURN(
      std::optional<uint64_t> depth,
      reader.OptionalUint(kRuleMaxLineageDepth, kMaxPolicyLineageDepth));
  if (depth.has_value()) policy.max_lineage_depth = static_cast<int>(*depth);

  if (!HasRule(policy)) {
    return absl::InvalidArgumentError(
        "policy sets no rule: give at least one of allowed_licenses, "
        "min_openness, min_mof_class, forbid_flags, "
        "forbid_restricted_ancestors, forbid_non_commercial_ancestors, "
        "max_lineage_depth");
  }
  return policy;
}

absl::StatusOr<Policy> ReadPolicyFile(const std::string& path) {
  const std::string name = absl::StrCat("policy file ", Quoted(path));
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    const std::string message =
        absl::StrCat("cannot open ", name, ": ",
                     absl::AsciiStrToLower(std::strerror(error)));
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
          absl::StrCat("cannot read ", name, ": ",
                       absl::AsciiStrToLower(std::strerror(errno))));
      break;
    }
    if (count == 0) break;
    text.append(buffer, static_cast<size_t>(count));
    if (text.size() > kMaxPolicyFileSize) {
      status = absl::InvalidArgumentError(
          absl::StrCat(name, " is larger than ", kMaxPolicyFileSize, " bytes"));
      break;
    }
  }
  close(fd);
  PEDIGREE_RETURN_IF_ERROR(status);
  absl::StatusOr<Policy> policy = ParsePolicy(text);
  if (!policy.ok()) {
    return absl::Status(policy.status().code(),
                        absl::StrCat(name, ": ", policy.status().message()));
  }
  return policy;
}

std::vector<PolicyViolation> EvaluatePolicy(
    const Policy& policy, const v1::GetRecordResponse& record,
    const v1::GetLineageResponse& lineage) {
  return Evaluator(policy, record, lineage).Run();
}

absl::StatusOr<PolicyInputs> FetchPolicyInputs(PedigreeClient& client,
                                               const Policy& policy,
                                               absl::string_view record_digest,
                                               absl::string_view envelope) {
  PolicyInputs inputs;
  PEDIGREE_ASSIGN_OR_RETURN(inputs.record,
                            client.GetRecordByDigest(record_digest));
  if (inputs.record.summary().record_digest() != record_digest ||
      inputs.record.envelope() != envelope) {
    return absl::DataLossError(
        absl::StrCat("the registry's answer for record ", record_digest,
                     " is not the record that verified"));
  }
  // The declared licenses come from the authenticated statement.
  absl::StatusOr<core::dsse::Envelope> parsed =
      core::dsse::ParseEnvelope(envelope);
  if (!parsed.ok()) {
    return absl::InternalError(
        absl::StrCat("the verified envelope of ", record_digest,
                     " does not parse: ", parsed.status().message()));
  }
  absl::StatusOr<core::record::Record> statement =
      core::record::RecordFromEnvelope(*parsed);
  if (!statement.ok()) {
    return absl::InternalError(
        absl::StrCat("the verified record ", record_digest,
                     " does not parse: ", statement.status().message()));
  }
  inputs.record.mutable_record()->set_weights_license(
      statement->licenses.weights);
  inputs.record.mutable_record()->set_code_license(statement->licenses.code);
  if (PolicyNeedsLineage(policy)) {
    v1::GetLineageRequest request;
    request.set_ref(core::record::ToString(statement->model.ref));
    request.set_direction(v1::LINEAGE_DIRECTION_ANCESTORS);
    request.set_max_depth(kPolicyLineageDepth);
    PEDIGREE_ASSIGN_OR_RETURN(inputs.lineage, client.GetLineage(request));
  }
  return inputs;
}

}  // namespace pedigree::client
