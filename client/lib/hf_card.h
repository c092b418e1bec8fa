#ifndef PEDIGREE_CLIENT_LIB_HF_CARD_H_
#define PEDIGREE_CLIENT_LIB_HF_CARD_H_

// Hugging Face model cards: a strict parser for the YAML front matter subset
// model cards use, and the import of a card's license, base models and
// datasets into a publish meta file (docs/meta-file.md) for `pedigree
// import-hf`. docs/import-hf.md documents the mapping and every decision.
//
//   HfImportOptions options;
//   options.base_versions["meta-llama/Llama-3.1-8B-Instruct"] = "v1";
//   PEDIGREE_ASSIGN_OR_RETURN(HfImport result, ImportHfCard(card, options));
//   // result.meta_json: the meta file; result.missing: what to fill in.
//
// Nothing here reads files or the clock; all functions are pure and
// thread-safe.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::client {

// Model cards (README.md) larger than this are refused before parsing.
inline constexpr size_t kMaxModelCardSize = size_t{4} << 20;
// Front matter (between the two `---` lines) larger than this is refused.
inline constexpr size_t kMaxFrontMatterSize = size_t{1} << 20;
// Deepest nesting of collections accepted (the top-level mapping is 1).
inline constexpr int kMaxYamlDepth = 32;
// Most nodes (scalars and collections) accepted in one front matter.
inline constexpr size_t kMaxYamlNodes = 100000;

// One node of parsed front matter. Scalars keep their text (never converted
// to numbers or booleans: `no` stays "no"); `null`, `~` and empty values are
// kNull. A plain value; copyable.
struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMapping };
  Kind kind = Kind::kNull;
  // The 1-based line of the card file where the node starts.
  int line = 0;
  // kScalar: the value, escapes and folding applied.
  std::string scalar;
  // kSequence: the items, in order.
  std::vector<YamlNode> items;
  // kMapping: the entries in order; keys are unique.
  std::vector<std::pair<std::string, YamlNode>> entries;

  // Returns the value of `key` in a mapping, or nullptr (also for
  // non-mappings).
  const YamlNode* Find(absl::string_view key) const;
};

// Parses `yaml`, the text between the front matter's `---` lines, whose
// first line is line `first_line` of the card. The subset: block mappings
// and sequences (a sequence may sit at its key's indentation), flow
// sequences and mappings (`[a, b]`, `{k: v}`, across lines too), plain,
// single- and double-quoted scalars (multi-line, with YAML escapes), literal
// and folded block scalars (`|`, `>`, with chomping and indentation
// indicators), comments and blank lines. An empty document is an empty
// mapping; anything other than a mapping at the top is refused.
//
// Returns InvalidArgument `line N: <problem>` for: a tab in indentation,
// inconsistent indentation, a duplicate key in any mapping, an unterminated
// quote or flow collection, a bad escape, a control character or invalid
// UTF-8, anchors (`&`), aliases (`*`), tags (`!`), directives, complex keys
// (`?`), more than one document, nesting deeper than kMaxYamlDepth or more
// than kMaxYamlNodes nodes, and text larger than kMaxFrontMatterSize.
absl::StatusOr<YamlNode> ParseYamlFrontMatter(absl::string_view yaml,
                                              int first_line = 1);

// Splits a model card into its front matter and parses it. The card's first
// line must be `---` (after an optional UTF-8 BOM; CRLF line ends are
// accepted) and a later line `---` closes the front matter. Returns
// InvalidArgument if the card is larger than kMaxModelCardSize, has no
// front matter, or has no closing line, and the ParseYamlFrontMatter errors
// (whose line numbers count from the card's first line) otherwise.
absl::StatusOr<YamlNode> ParseModelCardFrontMatter(absl::string_view card);

// What `pedigree import-hf` knows beyond the card; everything optional.
// Strings are used verbatim and checked by the meta file rules.
struct HfImportOptions {
  // Version label (or "sha256:<64 lowercase hex>" root digest) under which
  // each base model is registered, by Hub id "org/name" (matched ASCII
  // case-insensitively). Every base_model of the card needs one; an entry
  // for a model the card does not name is an error.
  std::map<std::string, std::string> base_versions;
  // Replaces or supplies base_model_relation: any record relation
  // (finetune, adapter, quantized, merge, distillation,
  // continued_pretraining, conversion, architecture_reuse).
  std::optional<std::string> relation;
  // Replaces the card's license: a Hub license id, an SPDX id or a catalog
  // LicenseRef- id.
  std::optional<std::string> license;
  // The license text URL for a license the catalog does not know (replaces
  // the card's license_link).
  std::optional<std::string> license_url;
  std::optional<std::string> code_license;
  std::optional<std::string> description;
  std::optional<std::string> release_date;
  std::optional<std::string> publisher;
  std::optional<std::string> jurisdiction;
  // Role and disclosure given to every dataset of the card.
  std::optional<std::string> dataset_role;
  std::optional<std::string> dataset_disclosure;
  // The openness claim (open_source, open_weight, closed, unspecified).
  std::optional<std::string> openness_claim;
};

// A field the card cannot supply, left as JSON null in the meta file.
struct HfMissingField {
  std::string field;  // meta file path, e.g. "meta.release_date"
  std::string hint;   // how to supply it, e.g. "--release-date YYYY-MM-DD"
};

// The result of an import. A plain value; copyable.
struct HfImport {
  // The meta file, pretty-printed JSON ending in a newline. Complete (and
  // accepted by ReadMetaFile and BuildRecord) iff `missing` is empty;
  // otherwise every missing field is null and the file is accepted once
  // each is replaced by a valid value.
  std::string meta_json;
  std::vector<HfMissingField> missing;
  // Facts the meta file cannot hold or choices made for the user (an
  // inferred relation, languages not recorded, ...), one sentence each.
  std::vector<std::string> notes;
  // The card's `language` values (the meta file has no field for them).
  std::vector<std::string> languages;
};

// Maps the front matter of `card` (see ParseModelCardFrontMatter) to a meta
// file, as docs/import-hf.md describes. Returns InvalidArgument with a
// precise message (naming the card key, its line, and the flag that would
// help) for: malformed front matter; a license the catalog cannot map
// (unknown Hub id, `other` without license_name, an unknown license_name
// without an absolute license_link); a base_model that is not an "org/name"
// Hub id, is listed twice or has no entry in `options.base_versions`; a
// base_versions entry for a model the card does not name or with a
// malformed version; a base_model_relation outside adapter, merge,
// quantized, finetune; `merge` with fewer than two bases or another
// relation with more than one; a malformed dataset id; and any option value
// the meta file rules refuse.
absl::StatusOr<HfImport> ImportHfCard(absl::string_view card,
                                      const HfImportOptions& options);

}  // namespace pedigree::client

#endif  // PEDIGREE_CLIENT_LIB_HF_CARD_H_
