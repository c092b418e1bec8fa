#ifndef PEDIGREE_CORE_LICENSE_LICENSE_EXPRESSION_H_
#define PEDIGREE_CORE_LICENSE_LICENSE_EXPRESSION_H_

// SPDX license expressions (SPDX spec v2.3 Annex D), parsed into a tree whose
// leaves are checked against the embedded SPDX lists (spdx_license_list.h).
//
//   PEDIGREE_ASSIGN_OR_RETURN(LicenseExpression e,
//       ParseLicenseExpression("(mit OR Apache-2.0) AND BSD-3-Clause"));
//   ToString(e);  // "(MIT OR Apache-2.0) AND BSD-3-Clause"
//
// Accepted grammar (a strict subset of Annex D):
//   expression := and-expr *("OR" and-expr)
//   and-expr   := with-expr *("AND" with-expr)        ; AND binds tighter
//   with-expr  := simple ["WITH" exception-id] / "(" expression ")"
//   simple     := license-id ["+"] / "LicenseRef-" idstring
//   idstring   := 1*(ALPHA / DIGIT / "-" / ".")
// Decisions:
// - License and exception ids match case-insensitively and are stored in
//   their canonical spelling. Unknown ids are errors.
// - Operators are case-sensitive and upper case only (SPDX 2.3 D.2: "License
//   expression operators (AND, OR and WITH) should be matched in a
//   case-sensitive manner"); "and", "Or", ... are refused with a message
//   saying so.
// - "+" must directly follow a license id ("MIT+"); it is refused after a
//   LicenseRef (the grammar allows it only after a license-id).
// - WITH applies to a simple expression only, which per the 2.3 grammar
//   includes "LicenseRef-x WITH Classpath-exception-2.0"; it is refused after
//   a parenthesized expression and cannot repeat. The exception must be on the
//   SPDX exception list (no LicenseRef/AdditionRef exceptions).
// - The "LicenseRef-" prefix matches case-insensitively and is stored as
//   "LicenseRef-"; the idstring keeps the case it was written in. (More
//   lenient than SPDX 3.0.1 "Case sensitivity", which calls
//   "licenseref-name" invalid; the SPDX 3.1 draft accepts it.)
// - "DocumentRef-x:LicenseRef-y" (external document references) is refused.
// - Whitespace is space, tab, CR or LF. Any other byte outside an id's
//   alphabet (including non-ASCII) is refused.
// - Input is limited to kMaxLicenseExpressionLength bytes and to
//   kMaxLicenseExpressionDepth levels of nested parentheses.
// - AND and OR are associative, so the tree is flattened: an AND node never
//   has an AND child, nor an OR node an OR child. "(A OR B) OR C" and
//   "A OR (B OR C)" both parse to OR[A, B, C]; operand order is kept.
//   Redundant parentheses are dropped.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::license {

inline constexpr size_t kMaxLicenseExpressionLength = 1024;
inline constexpr int kMaxLicenseExpressionDepth = 32;

namespace internal {
class LicenseExpressionParser;
}  // namespace internal

// An immutable, validated license expression tree (a value type: copyable,
// thread-compatible). Only ParseLicenseExpression creates one, so every
// instance satisfies the rules above.
class LicenseExpression {
 public:
  enum class Kind {
    kLicense,     // a leaf: an id on the SPDX License List
    kLicenseRef,  // a leaf: "LicenseRef-<idstring>"
    kAnd,         // conjunction of children()
    kOr,          // disjunction of children()
  };

  Kind kind() const { return kind_; }
  bool is_leaf() const {
    return kind_ == Kind::kLicense || kind_ == Kind::kLicenseRef;
  }

  // Leaves: the canonical SPDX id ("MIT") or "LicenseRef-<idstring>".
  // Empty for AND/OR nodes.
  const std::string& id() const { return id_; }
  // Leaves of kind kLicense: true if written with the "+" (or later) suffix.
  bool or_later() const { return or_later_; }
  // Leaves: the canonical SPDX exception id after WITH, or empty if none.
  const std::string& exception() const { return exception_; }
  // AND/OR nodes: two or more operands in written order, none of the same
  // kind as this node. Empty for leaves.
  const std::vector<LicenseExpression>& children() const { return children_; }

  // Structural equality (same tree, same canonical ids).
  friend bool operator==(const LicenseExpression& a,
                         const LicenseExpression& b);
  friend bool operator!=(const LicenseExpression& a,
                         const LicenseExpression& b) {
    return !(a == b);
  }

 private:
  friend class internal::LicenseExpressionParser;

  LicenseExpression(Kind kind, std::string id, bool or_later,
                    std::string exception,
                    std::vector<LicenseExpression> children)
      : kind_(kind),
        id_(std::move(id)),
        or_later_(or_later),
        exception_(std::move(exception)),
        children_(std::move(children)) {}

  Kind kind_;
  std::string id_;
  bool or_later_;
  std::string exception_;
  std::vector<LicenseExpression> children_;
};

// Parses `text` as an SPDX license expression. Returns InvalidArgument naming
// the offending token and its 0-based byte offset for: empty input, input
// longer than kMaxLicenseExpressionLength, nesting deeper than
// kMaxLicenseExpressionDepth, unknown license or exception ids, a bad
// LicenseRef idstring, DocumentRef, lower- or mixed-case operators, a
// dangling or missing operator, unbalanced parentheses, misplaced "+", WITH
// after anything but a simple expression, and bytes outside the grammar.
// Returns Internal if the embedded SPDX data is corrupt.
absl::StatusOr<LicenseExpression> ParseLicenseExpression(
    absl::string_view text);

// Returns the canonical form: canonical id spelling, single spaces around
// operators, and parentheses only where an OR is an operand of an AND. For
// every valid expression e, ParseLicenseExpression(ToString(e)) == e.
std::string ToString(const LicenseExpression& expression);

// Returns the "LicenseRef-..." ids referenced, sorted byte-wise, unique.
std::vector<std::string> LicenseRefIds(const LicenseExpression& expression);

// Returns the SPDX License List ids referenced (canonical spelling, without
// "+" or exception), sorted byte-wise, unique.
std::vector<std::string> SpdxIds(const LicenseExpression& expression);

}  // namespace pedigree::core::license

#endif  // PEDIGREE_CORE_LICENSE_LICENSE_EXPRESSION_H_
