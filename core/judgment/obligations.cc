#include "core/judgment/obligations.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "core/license/license_expression.h"
#include "core/license/license_terms.h"

namespace pedigree::core::judgment {
namespace {

using license::FindLicenseTerms;
using license::LicenseExpression;
using license::LicenseFamily;
using license::LicenseTerms;
using record::Relation;

// Open data and content licenses that, like permissive code licenses, let a
// derivative be published under other terms (no share-alike): a derivative
// of such a parent may declare any license without a flag.
constexpr absl::string_view kPermissiveOpenIds[] = {
    "CC0-1.0",    "CC-BY-4.0", "CDLA-Permissive-1.0", "CDLA-Permissive-2.0",
    "ODC-By-1.0", "PDDL-1.0",
};

// Share-alike data and content licenses (copyleft outside the code family).
constexpr absl::string_view kShareAlikeOpenIds[] = {
    "CC-BY-SA-4.0",
    "CDLA-Sharing-1.0",
    "ODbL-1.0",
};

// Copyleft licenses that forbid adding restrictions to the rights they grant:
// GPL-2.0 sec. 6 and LGPL-2.1 sec. 10 ("You may not impose any further
// restrictions on the recipients' exercise of the rights granted herein"),
// GPL-3.0 sec. 10 (incorporated by LGPL-3.0) and AGPL-3.0 sec. 10 ("You may
// not impose any further restrictions on the exercise of the rights granted
// or affirmed under this License"), CC-BY-SA-4.0 sec. 3(b)(3) ("You may not
// offer or impose any additional or different terms or conditions on ...
// Adapted Material that restrict exercise of the rights granted under the
// Adapter's License You apply"). docs/judgment.md gives the URLs.
constexpr absl::string_view kNoFurtherRestrictionsIds[] = {
    "AGPL-3.0",          "AGPL-3.0-only", "AGPL-3.0-or-later",
    "CC-BY-SA-4.0",      "GPL-2.0",       "GPL-2.0-only",
    "GPL-2.0-or-later",  "GPL-3.0",       "GPL-3.0-only",
    "GPL-3.0-or-later",  "LGPL-2.1",      "LGPL-2.1-only",
    "LGPL-2.1-or-later", "LGPL-3.0",      "LGPL-3.0-only",
    "LGPL-3.0-or-later",
};

template <size_t N>
bool InTable(const absl::string_view (&table)[N], absl::string_view id) {
  return std::find(std::begin(table), std::end(table), id) != std::end(table);
}

// License ids match ignoring ASCII case: SPDX list ids as SPDX 2.3 Annex
// D.2 says, catalog LicenseRef- ids by Pedigree's choice (docs/judgment.md,
// "License ids"): "LicenseRef-llama-3.1-community" is the catalog's
// "LicenseRef-Llama-3.1-Community".
bool ContainsId(const std::vector<std::string>& ids, absl::string_view id) {
  return std::any_of(ids.begin(), ids.end(), [id](const std::string& other) {
    return absl::EqualsIgnoreCase(other, id);
  });
}

// The catalog's spelling of `id` when the catalog knows it, so that
// obligations, flags and policies compare equal ids; otherwise `id` as
// written.
std::string CanonicalId(absl::string_view id) {
  const LicenseTerms* terms = FindLicenseTerms(id);
  return terms != nullptr ? terms->id : std::string(id);
}

void SortUnique(std::vector<std::string>* strings) {
  std::sort(strings->begin(), strings->end());
  strings->erase(std::unique(strings->begin(), strings->end()), strings->end());
}

// A derivative of a parent bound by this license may declare another one.
bool IsRelicensable(const LicenseTerms& terms) {
  return terms.family == LicenseFamily::kPermissiveCode ||
         InTable(kPermissiveOpenIds, terms.id);
}

bool IsCopyleft(const LicenseTerms& terms) {
  return terms.family == LicenseFamily::kCopyleftCode ||
         InTable(kShareAlikeOpenIds, terms.id);
}

// Restrictions a no-further-restrictions copyleft license cannot carry.
bool RestrictsUseOrCommerce(const LicenseTerms& terms) {
  return terms.use_restrictions || !terms.commercial_use;
}

// How demanding a set of license ids is; smaller is less demanding. Compared
// member by member: unknown licenses (cannot be judged, so assumed worst),
// then non-commercial, use restrictions, naming duties, user limits,
// copyleft, attribution texts, the number of licenses, and finally the ids
// themselves so that the choice is always deterministic.
struct Demand {
  int unknown = 0;
  int non_commercial = 0;
  int use_restrictions = 0;
  int name_prefixes = 0;
  int user_limits = 0;
  int copyleft = 0;
  int attribution_texts = 0;
  size_t licenses = 0;
  std::vector<std::string> ids;

  bool operator<(const Demand& other) const {
    return std::tie(unknown, non_commercial, use_restrictions, name_prefixes,
                    user_limits, copyleft, attribution_texts, licenses, ids) <
           std::tie(other.unknown, other.non_commercial, other.use_restrictions,
                    other.name_prefixes, other.user_limits, other.copyleft,
                    other.attribution_texts, other.licenses, other.ids);
  }
};

Demand DemandOf(const std::vector<std::string>& ids) {
  Demand demand;
  demand.licenses = ids.size();
  demand.ids = ids;
  for (const std::string& id : ids) {
    const LicenseTerms* terms = FindLicenseTerms(id);
    if (terms == nullptr) {
      ++demand.unknown;
      continue;
    }
    if (!terms->commercial_use) ++demand.non_commercial;
    if (terms->use_restrictions) ++demand.use_restrictions;
    if (terms->derivative_name_prefix.has_value()) ++demand.name_prefixes;
    if (terms->monthly_active_users_limit.has_value()) ++demand.user_limits;
    if (IsCopyleft(*terms)) ++demand.copyleft;
    if (terms->attribution_text.has_value()) ++demand.attribution_texts;
  }
  return demand;
}

// The license ids that bind a holder of `expression`, sorted and unique:
// every operand of AND, the least demanding operand of OR (the licensee
// chooses), and for "A WITH exception" A itself (an exception only adds
// permissions).
std::vector<std::string> BindingIds(const LicenseExpression& expression) {
  if (expression.is_leaf()) return {CanonicalId(expression.id())};
  std::vector<std::string> out;
  if (expression.kind() == LicenseExpression::Kind::kAnd) {
    for (const LicenseExpression& child : expression.children()) {
      std::vector<std::string> ids = BindingIds(child);
      out.insert(out.end(), ids.begin(), ids.end());
    }
    SortUnique(&out);
    return out;
  }
  std::optional<Demand> best;
  for (const LicenseExpression& child : expression.children()) {
    Demand demand = DemandOf(BindingIds(child));
    if (!best.has_value() || demand < *best) best = std::move(demand);
  }
  if (best.has_value()) out = std::move(best->ids);
  return out;
}

// Every license id the expression mentions, sorted and unique.
std::vector<std::string> AllIds(const LicenseExpression& expression) {
  std::vector<std::string> out = license::SpdxIds(expression);
  std::vector<std::string> refs = license::LicenseRefIds(expression);
  out.insert(out.end(), refs.begin(), refs.end());
  SortUnique(&out);
  return out;
}

// Canonical text with AND/OR operands sorted, so that "A AND B" and
// "B AND A" compare equal, and ids lower-cased, so that a difference in
// letter case only (the same license) compares equal too.
std::string SortedForm(const LicenseExpression& expression) {
  if (expression.is_leaf()) {
    return absl::AsciiStrToLower(license::ToString(expression));
  }
  std::vector<std::string> parts;
  for (const LicenseExpression& child : expression.children()) {
    parts.push_back(absl::StrCat("(", SortedForm(child), ")"));
  }
  std::sort(parts.begin(), parts.end());
  const bool is_and = expression.kind() == LicenseExpression::Kind::kAnd;
  return absl::StrJoin(parts, is_and ? " AND " : " OR ");
}

// Lower case without the separators ' ', '-', '_' and '.': Hugging Face
// names cannot contain spaces ("Llama 3" is written "Llama-3") and resolve
// case-insensitively.
std::string NameKey(absl::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ' || c == '-' || c == '_' || c == '.') continue;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool NameBeginsWith(absl::string_view name, absl::string_view prefix) {
  return absl::StartsWith(NameKey(name), NameKey(prefix));
}

// Two name prefixes one model name can satisfy at once.
bool PrefixesCompatible(absl::string_view a, absl::string_view b) {
  const std::string key_a = NameKey(a);
  const std::string key_b = NameKey(b);
  return absl::StartsWith(key_a, key_b) || absl::StartsWith(key_b, key_a);
}

// Order of preference when one license from one ancestor arrives through
// several edges: weight-flow edges (in Relation order) before distillation.
int RelationRank(Relation relation) {
  const int value = static_cast<int>(relation);
  return record::IsWeightFlowing(relation) ? value : 100 + value;
}

struct Entry {
  BindingLicense license;
  int rank = -1;  // -1 for the record's own licenses
  bool weight_flow = false;
};

// The parents sorted by ref then relation, so that output never depends on
// the caller's order. Parents without edge or judgment are skipped (Judge
// has refused them already).
std::vector<const ParentJudgment*> SortedParents(
    absl::Span<const ParentJudgment> parents) {
  std::vector<const ParentJudgment*> out;
  for (const ParentJudgment& parent : parents) {
    if (parent.edge != nullptr && parent.judgment != nullptr) {
      out.push_back(&parent);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ParentJudgment* a, const ParentJudgment* b) {
              return std::make_pair(a->ref, a->edge->relation) <
                     std::make_pair(b->ref, b->edge->relation);
            });
  return out;
}

// True when some entry of `licenses` for `id` (ignoring case) has the bit.
bool AnyTracedToLicensor(const std::vector<BindingLicense>& licenses,
                         absl::string_view id) {
  return std::any_of(licenses.begin(), licenses.end(),
                     [id](const BindingLicense& license) {
                       return license.traced_to_licensor &&
                              absl::EqualsIgnoreCase(license.license_id, id);
                     });
}

// What the parent's binding licenses become at the child: relabelled with
// the nearest ancestor that declared them and the edge's relation. An
// inherited entry is dropped when the parent itself declares the same
// license (the parent is then the nearest declarer); the parent's own entry
// then carries traced_to_licensor for all of them, so that resetting `from`
// loses no licensor descent. Nothing arriving through a non-weight-flow edge
// is traced to the licensor.
std::vector<Entry> InheritFrom(const ParentJudgment& parent, bool weight_flow) {
  const std::vector<BindingLicense>& licenses =
      parent.judgment->obligations.licenses;
  std::vector<std::string> own;
  for (const BindingLicense& license : licenses) {
    if (license.from.empty()) own.push_back(license.license_id);
  }
  const Relation relation = parent.edge->relation;
  std::vector<Entry> out;
  for (const BindingLicense& license : licenses) {
    const bool declared_by_parent = license.from.empty();
    if (!declared_by_parent && ContainsId(own, license.license_id)) continue;
    Entry entry;
    entry.license.license_id = CanonicalId(license.license_id);
    entry.license.from = declared_by_parent ? parent.ref : license.from;
    entry.license.via = std::string(record::ToString(relation));
    entry.license.traced_to_licensor =
        weight_flow &&
        (declared_by_parent ? AnyTracedToLicensor(licenses, license.license_id)
                            : license.traced_to_licensor);
    entry.rank = RelationRank(relation);
    entry.weight_flow = weight_flow;
    out.push_back(std::move(entry));
  }
  return out;
}

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", text, "\"");
}

// "inherited from X (R)": the nearest declarer and the relation of the edge
// the terms arrived through.
std::string Origin(const BindingLicense& license) {
  return absl::StrCat("inherited from ", license.from, " (", license.via, ")");
}

Flag MakeFlag(FlagKind kind, std::string message, std::string ancestor) {
  Flag flag;
  flag.kind = kind;
  flag.message = std::move(message);
  flag.ancestor = std::move(ancestor);
  return flag;
}

// The license-expression facts of the record itself.
struct OwnLicenses {
  bool weights_parsed = false;
  std::string weights_error;
  std::optional<LicenseExpression> weights;
  std::vector<std::string> binding;  // BindingIds(weights)
  bool code_parsed = false;
  std::string code_error;
  std::optional<LicenseExpression> code;
};

OwnLicenses ParseOwn(const record::Record& record) {
  OwnLicenses own;
  absl::StatusOr<LicenseExpression> weights =
      license::ParseLicenseExpression(record.licenses.weights);
  if (weights.ok()) {
    own.weights_parsed = true;
    own.binding = BindingIds(*weights);
    own.weights = std::move(*weights);
    // The final_parameters component's own license binds the weights too
    // when it says something else (both apply).
    for (const record::OpennessComponent& component :
         record.openness.components) {
      if (component.component != record::MofComponent::kFinalParameters ||
          !component.license.has_value() ||
          *component.license == record.licenses.weights) {
        continue;
      }
      absl::StatusOr<LicenseExpression> extra =
          license::ParseLicenseExpression(*component.license);
      if (!extra.ok()) continue;
      for (std::string& id : BindingIds(*extra)) {
        if (std::find(own.binding.begin(), own.binding.end(), id) ==
            own.binding.end()) {
          own.binding.push_back(std::move(id));
        }
      }
    }
  } else {
    own.weights_error = std::string(weights.status().message());
  }
  absl::StatusOr<LicenseExpression> code =
      license::ParseLicenseExpression(record.licenses.code);
  if (code.ok()) {
    own.code_parsed = true;
    own.code = std::move(*code);
  } else {
    own.code_error = std::string(code.status().message());
  }
  return own;
}

// One entry per (license id ignoring case, from): the one of lowest rank
// (the record's own, then weight flow before distillation) and, among
// those, the first in `entries`' order, keeping its spelling; it is traced
// to the licensor when any of the collapsed entries is. Then sorted by
// license_id, then from, byte-wise.
std::vector<Entry> Deduplicate(std::vector<Entry> entries) {
  std::vector<std::string> keys;
  for (const Entry& entry : entries) {
    keys.push_back(absl::AsciiStrToLower(entry.license.license_id));
  }
  std::vector<size_t> order(entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(keys[a], entries[a].license.from, entries[a].rank) <
           std::tie(keys[b], entries[b].license.from, entries[b].rank);
  });
  std::vector<Entry> out;
  const std::string* last_key = nullptr;
  for (const size_t i : order) {
    if (last_key != nullptr && *last_key == keys[i] &&
        out.back().license.from == entries[i].license.from) {
      out.back().license.traced_to_licensor =
          out.back().license.traced_to_licensor ||
          entries[i].license.traced_to_licensor;
      continue;
    }
    last_key = &keys[i];
    out.push_back(std::move(entries[i]));
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.license.license_id, a.license.from) <
           std::tie(b.license.license_id, b.license.from);
  });
  return out;
}

Obligations Derive(std::vector<Entry> entries) {
  entries = Deduplicate(std::move(entries));

  Obligations out;
  for (Entry& entry : entries) {
    const LicenseTerms* terms = FindLicenseTerms(entry.license.license_id);
    const bool inherited = !entry.license.from.empty();
    out.licenses.push_back(std::move(entry.license));
    // An unknown license adds no duty here; kUnknownLicense says so.
    if (terms == nullptr) continue;
    if (!terms->commercial_use) out.commercial_use = false;
    if (terms->monthly_active_users_limit.has_value() &&
        (!out.monthly_active_users_limit.has_value() ||
         *terms->monthly_active_users_limit <
             *out.monthly_active_users_limit)) {
      out.monthly_active_users_limit = terms->monthly_active_users_limit;
    }
    if (terms->use_restrictions &&
        (!inherited || terms->restrictions_flow_to_derivatives)) {
      out.use_restrictions = true;
    }
    if (terms->attribution_text.has_value()) {
      out.attribution_texts.push_back(*terms->attribution_text);
    }
    if (terms->derivative_name_prefix.has_value()) {
      out.name_prefixes.push_back(*terms->derivative_name_prefix);
    }
  }
  SortUnique(&out.attribution_texts);
  SortUnique(&out.name_prefixes);
  return out;
}

void FlagDeclaredLicenseDiffers(const record::Record& record,
                                const OwnLicenses& own,
                                const std::vector<BindingLicense>& licenses,
                                std::vector<Flag>* flags) {
  for (const BindingLicense& license : licenses) {
    if (license.from.empty() || ContainsId(own.binding, license.license_id)) {
      continue;
    }
    const LicenseTerms* terms = FindLicenseTerms(license.license_id);
    if (terms != nullptr && IsRelicensable(*terms)) continue;
    flags->push_back(MakeFlag(
        FlagKind::kDeclaredLicenseDiffersFromInherited,
        absl::StrCat("declared weights license ",
                     Quoted(record.licenses.weights), " does not carry ",
                     license.license_id, " ", Origin(license)),
        license.from));
  }
}

void FlagNamingDuties(const record::Record& record,
                      const std::vector<BindingLicense>& licenses,
                      std::vector<Flag>* flags) {
  const std::string& name = record.model.ref.name;
  for (const BindingLicense& license : licenses) {
    if (license.from.empty()) continue;
    const LicenseTerms* terms = FindLicenseTerms(license.license_id);
    // The duty binds licensees: the licensor's own derivatives (Meta's
    // meta-llama/Meta-Llama-3-8B-Instruct) are exempt, recognised by the
    // record's own namespace, which only the namespace's registered keys can
    // publish in. The parent's namespace would not do: anyone may re-upload
    // the licensed model.
    if (terms == nullptr || !terms->derivative_name_prefix.has_value() ||
        NameBeginsWith(name, *terms->derivative_name_prefix) ||
        license::IsLicensorNamespace(*terms, record.model.ref.namespace_name)) {
      continue;
    }
    flags->push_back(MakeFlag(
        FlagKind::kNamingDutyUnmet,
        absl::StrCat("model name ", Quoted(name), " does not begin with ",
                     Quoted(*terms->derivative_name_prefix), " as ",
                     license.license_id, " ", Origin(license), " requires"),
        license.from));
  }
}

// True when every license binding the record by its own declaration is
// known and allows commercial use.
bool DeclaredAllowsCommerce(const OwnLicenses& own) {
  if (own.binding.empty()) return false;
  for (const std::string& id : own.binding) {
    const LicenseTerms* terms = FindLicenseTerms(id);
    if (terms == nullptr || !terms->commercial_use) return false;
  }
  return true;
}

void FlagNonCommercialAncestors(const record::Record& record,
                                const OwnLicenses& own,
                                const std::vector<BindingLicense>& licenses,
                                std::vector<Flag>* flags) {
  if (!DeclaredAllowsCommerce(own)) return;
  for (const BindingLicense& license : licenses) {
    if (license.from.empty()) continue;
    const LicenseTerms* terms = FindLicenseTerms(license.license_id);
    if (terms == nullptr || terms->commercial_use) continue;
    flags->push_back(MakeFlag(
        FlagKind::kNonCommercialAncestor,
        absl::StrCat(license.license_id, " ", Origin(license),
                     " forbids commercial use but the declared weights "
                     "license ",
                     Quoted(record.licenses.weights), " allows it"),
        license.from));
  }
}

std::string ComparableLicense(absl::string_view text) {
  absl::StatusOr<LicenseExpression> expression =
      license::ParseLicenseExpression(text);
  if (!expression.ok()) return std::string(text);
  return SortedForm(*expression);
}

void FlagDerivativeLicenseDiffers(
    const record::Record& record,
    const std::vector<const ParentJudgment*>& parents,
    std::vector<Flag>* flags) {
  const std::string declared = ComparableLicense(record.licenses.weights);
  for (const ParentJudgment* parent : parents) {
    const Relation relation = parent->edge->relation;
    if (relation != Relation::kQuantized && relation != Relation::kConversion) {
      continue;
    }
    const std::string& base = parent->judgment->declared_weights_license;
    if (ComparableLicense(base) == declared) continue;
    flags->push_back(MakeFlag(
        FlagKind::kDerivativeLicenseDiffersFromBase,
        absl::StrCat(record::ToString(relation), " derivative declares ",
                     "weights license ", Quoted(record.licenses.weights),
                     " but its base ", parent->ref, " declares ", Quoted(base)),
        parent->ref));
  }
}

// The ids of `licenses` for which `pick` holds, sorted and unique.
template <typename Pick>
std::vector<std::string> PickIds(const std::vector<BindingLicense>& licenses,
                                 Pick pick) {
  std::vector<std::string> out;
  for (const BindingLicense& license : licenses) {
    const LicenseTerms* terms = FindLicenseTerms(license.license_id);
    if (terms != nullptr && pick(*terms)) out.push_back(terms->id);
  }
  SortUnique(&out);
  return out;
}

void FlagIncompatibleMergeParents(
    const std::vector<const ParentJudgment*>& parents,
    std::vector<Flag>* flags) {
  std::vector<const ParentJudgment*> merge;
  for (const ParentJudgment* parent : parents) {
    if (parent->edge->relation == Relation::kMerge) merge.push_back(parent);
  }
  if (merge.size() < 2) return;

  // A copyleft parent that forbids further restrictions merged with a
  // parent whose terms restrict use or commerce.
  for (const ParentJudgment* a : merge) {
    const std::vector<std::string> copyleft =
        PickIds(a->judgment->obligations.licenses, [](const LicenseTerms& t) {
          return InTable(kNoFurtherRestrictionsIds, t.id);
        });
    if (copyleft.empty()) continue;
    for (const ParentJudgment* b : merge) {
      if (a == b) continue;
      const std::vector<std::string> restricting =
          PickIds(b->judgment->obligations.licenses, RestrictsUseOrCommerce);
      if (restricting.empty()) continue;
      flags->push_back(MakeFlag(
          FlagKind::kIncompatibleMergeParents,
          absl::StrCat("merge parent ", a->ref, " is bound by ",
                       absl::StrJoin(copyleft, ", "),
                       ", which forbids further restrictions, but merge "
                       "parent ",
                       b->ref, " is bound by ",
                       absl::StrJoin(restricting, ", "),
                       ", which restricts use or commerce"),
          a->ref));
    }
  }

  // Two naming duties no single name can meet.
  for (size_t i = 0; i < merge.size(); ++i) {
    for (size_t j = i + 1; j < merge.size(); ++j) {
      const std::vector<std::string>& prefixes_a =
          merge[i]->judgment->obligations.name_prefixes;
      const std::vector<std::string>& prefixes_b =
          merge[j]->judgment->obligations.name_prefixes;
      for (const std::string& pa : prefixes_a) {
        for (const std::string& pb : prefixes_b) {
          if (PrefixesCompatible(pa, pb)) continue;
          flags->push_back(MakeFlag(
              FlagKind::kIncompatibleMergeParents,
              absl::StrCat("merge parent ", merge[i]->ref,
                           " requires names beginning with ", Quoted(pa),
                           " but merge parent ", merge[j]->ref,
                           " requires names beginning with ", Quoted(pb)),
              merge[i]->ref));
        }
      }
    }
  }
}

// The licenses that reach the record through weight-flow parents, split by
// traced_to_licensor.
struct WeightFlowIds {
  // Traced to the licensor: the record's weights descend from a model the
  // licensor released under the license.
  std::vector<std::string> traced;
  // Not traced: "namespace/name@version" of each declarer, by license id.
  std::vector<std::pair<std::string, std::string>> untraced;
};

void FlagTeachersForbiddingDistillation(
    const record::Record& record,
    const std::vector<const ParentJudgment*>& parents,
    const WeightFlowIds& weight_flow, std::vector<Flag>* flags) {
  for (const ParentJudgment* parent : parents) {
    if (parent->edge->relation != Relation::kDistillation) continue;
    std::vector<std::string> seen;
    for (const BindingLicense& license :
         parent->judgment->obligations.licenses) {
      const LicenseTerms* terms = FindLicenseTerms(license.license_id);
      // The bans exclude the licensed model's own derivatives (Llama 2 sec.
      // 1.b.v "excluding Llama 2 or derivative works thereof", Llama 3 the
      // same, Tongyi Qianwen sec. 5(b)): a student whose weights descend
      // from a model the licensor released under the license. Declaring
      // the license makes no model a derivative, so neither the student's
      // own declaration nor weight flow from a mere declarer (a shim with no
      // lineage declaring Llama 2) exempts: only entries traced to a
      // licensor namespace do. The bans bind licensees, so the licensor's
      // own records are exempt too.
      if (terms == nullptr || !terms->outputs_may_not_train_other_models ||
          ContainsId(weight_flow.traced, terms->id) ||
          license::IsLicensorNamespace(*terms,
                                       record.model.ref.namespace_name) ||
          ContainsId(seen, terms->id)) {
        continue;
      }
      seen.push_back(terms->id);
      const std::string origin =
          license.from.empty()
              ? std::string()
              : absl::StrCat(" (inherited from ", license.from, ")");
      std::vector<std::string> declarers;
      for (const auto& [id, from] : weight_flow.untraced) {
        if (absl::EqualsIgnoreCase(id, terms->id)) declarers.push_back(from);
      }
      SortUnique(&declarers);
      const std::string untraced =
          declarers.empty()
              ? std::string()
              : absl::StrCat("; the student's weights inherit it from ",
                             absl::StrJoin(declarers, ", "),
                             ", not traced by weight flow to a record in a "
                             "licensor namespace of it");
      flags->push_back(MakeFlag(
          FlagKind::kTeacherForbidsDistillation,
          absl::StrCat("distillation teacher ", parent->ref, " is bound by ",
                       terms->id, origin,
                       ", which forbids using its outputs to improve other "
                       "models",
                       untraced),
          parent->ref));
    }
  }
}

void FlagUnknownLicenses(const OwnLicenses& own,
                         const std::vector<BindingLicense>& licenses,
                         const std::vector<const ParentJudgment*>& parents,
                         const record::Record& record,
                         std::vector<Flag>* flags) {
  if (!own.weights_parsed) {
    flags->push_back(
        MakeFlag(FlagKind::kUnknownLicense,
                 absl::StrCat("declared weights license ",
                              Quoted(record.licenses.weights),
                              " cannot be parsed: ", own.weights_error),
                 ""));
  }
  if (!own.code_parsed) {
    flags->push_back(MakeFlag(
        FlagKind::kUnknownLicense,
        absl::StrCat("declared code license ", Quoted(record.licenses.code),
                     " cannot be parsed: ", own.code_error),
        ""));
  }

  struct Unknown {
    std::string id;
    std::string ancestor;
    std::string where;
  };
  std::vector<Unknown> unknown;
  if (own.weights.has_value()) {
    for (const std::string& id : AllIds(*own.weights)) {
      if (FindLicenseTerms(id) == nullptr) {
        unknown.push_back({id, "", "in the declared weights license"});
      }
    }
  }
  if (own.code.has_value()) {
    for (const std::string& id : AllIds(*own.code)) {
      if (FindLicenseTerms(id) == nullptr) {
        unknown.push_back({id, "", "in the declared code license"});
      }
    }
  }
  for (const BindingLicense& license : licenses) {
    if (!license.from.empty() &&
        FindLicenseTerms(license.license_id) == nullptr) {
      unknown.push_back({license.license_id, license.from, Origin(license)});
    }
  }
  // A teacher's unknown license does not bind the student (whether it
  // reaches outputs is unknown), but it cannot be judged either.
  for (const ParentJudgment* parent : parents) {
    if (parent->edge->relation != Relation::kDistillation) continue;
    for (const BindingLicense& license :
         parent->judgment->obligations.licenses) {
      if (FindLicenseTerms(license.license_id) != nullptr) continue;
      const std::string& from =
          license.from.empty() ? parent->ref : license.from;
      unknown.push_back(
          {license.license_id, from,
           absl::StrCat("of distillation teacher ", parent->ref)});
    }
  }
  // One flag per (id ignoring case, ancestor), in the first spelling met
  // (own weights, own code, inherited, teachers).
  std::stable_sort(
      unknown.begin(), unknown.end(), [](const Unknown& a, const Unknown& b) {
        const std::string key_a = absl::AsciiStrToLower(a.id);
        const std::string key_b = absl::AsciiStrToLower(b.id);
        return std::tie(key_a, a.ancestor) < std::tie(key_b, b.ancestor);
      });
  for (size_t i = 0; i < unknown.size(); ++i) {
    if (i > 0 && absl::EqualsIgnoreCase(unknown[i].id, unknown[i - 1].id) &&
        unknown[i].ancestor == unknown[i - 1].ancestor) {
      continue;
    }
    flags->push_back(MakeFlag(
        FlagKind::kUnknownLicense,
        absl::StrCat(unknown[i].id, " ", unknown[i].where,
                     " is not in the license catalog, so its duties cannot "
                     "be judged"),
        unknown[i].ancestor));
  }
}

}  // namespace

ObligationsJudgment JudgeObligations(const record::Record& record,
                                     absl::Span<const ParentJudgment> parents) {
  const OwnLicenses own = ParseOwn(record);
  const std::vector<const ParentJudgment*> sorted = SortedParents(parents);

  std::vector<Entry> entries;
  for (const std::string& id : own.binding) {
    Entry entry;
    entry.license.license_id = id;
    const LicenseTerms* terms = FindLicenseTerms(id);
    entry.license.traced_to_licensor =
        terms != nullptr &&
        license::IsLicensorNamespace(*terms, record.model.ref.namespace_name);
    entries.push_back(std::move(entry));
  }
  for (const ParentJudgment* parent : sorted) {
    const Relation relation = parent->edge->relation;
    if (record::IsWeightFlowing(relation)) {
      std::vector<Entry> inherited = InheritFrom(*parent, true);
      entries.insert(entries.end(), inherited.begin(), inherited.end());
    } else if (relation == Relation::kDistillation) {
      for (Entry& entry : InheritFrom(*parent, false)) {
        const LicenseTerms* terms = FindLicenseTerms(entry.license.license_id);
        if (terms != nullptr && terms->distillation_is_derivative) {
          entries.push_back(std::move(entry));
        }
      }
    }
    // Architecture reuse passes nothing on.
  }

  // The licenses reaching the record through a weight-flow parent. Only
  // those traced to the licensor show that its weights descend from a model
  // under them (a teacher's ban on improving other models then does not
  // apply); the others name their declarers in the flag. The record's own
  // declaration does not count.
  WeightFlowIds weight_flow;
  for (const Entry& entry : entries) {
    if (!entry.weight_flow) continue;
    if (entry.license.traced_to_licensor) {
      weight_flow.traced.push_back(entry.license.license_id);
    } else {
      weight_flow.untraced.emplace_back(entry.license.license_id,
                                        entry.license.from);
    }
  }

  ObligationsJudgment out;
  out.obligations = Derive(std::move(entries));
  const std::vector<BindingLicense>& licenses = out.obligations.licenses;
  FlagDeclaredLicenseDiffers(record, own, licenses, &out.flags);
  FlagNamingDuties(record, licenses, &out.flags);
  FlagNonCommercialAncestors(record, own, licenses, &out.flags);
  FlagDerivativeLicenseDiffers(record, sorted, &out.flags);
  FlagIncompatibleMergeParents(sorted, &out.flags);
  FlagTeachersForbiddingDistillation(record, sorted, weight_flow, &out.flags);
  FlagUnknownLicenses(own, licenses, sorted, record, &out.flags);
  return out;
}

}  // namespace pedigree::core::judgment
