#include "core/license/license_expression.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/license/spdx_license_list.h"
#include "core/status_macros.h"

namespace pedigree::core::license {

bool operator==(const LicenseExpression& a, const LicenseExpression& b) {
  return a.kind_ == b.kind_ && a.id_ == b.id_ && a.or_later_ == b.or_later_ &&
         a.exception_ == b.exception_ && a.children_ == b.children_;
}

namespace internal {
namespace {

constexpr absl::string_view kLicenseRefPrefix = "LicenseRef-";
constexpr absl::string_view kDocumentRefPrefix = "DocumentRef-";

enum class TokenType { kWord, kLeftParen, kRightParen, kAnd, kOr, kWith };

struct Token {
  TokenType type;
  absl::string_view text;  // as written, including a trailing '+'
  size_t offset;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '.';
}

// Quotes `text` for an error message; non-printable bytes become \xNN so that
// hostile input cannot inject control characters into logs.
std::string Quote(absl::string_view text) {
  std::string out = "'";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(c);
    } else {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  out.push_back('\'');
  return out;
}

absl::Status ErrorAt(size_t offset, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("license expression: ", what, " at offset ", offset));
}

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (c == '(' || c == ')') {
      tokens.push_back(
          {c == '(' ? TokenType::kLeftParen : TokenType::kRightParen,
           text.substr(i, 1), i});
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i]) && text[i] != '(' &&
           text[i] != ')') {
      ++i;
    }
    const absl::string_view word = text.substr(start, i - start);
    TokenType type = TokenType::kWord;
    if (word == "AND") {
      type = TokenType::kAnd;
    } else if (word == "OR") {
      type = TokenType::kOr;
    } else if (word == "WITH") {
      type = TokenType::kWith;
    } else if (absl::EqualsIgnoreCase(word, "and") ||
               absl::EqualsIgnoreCase(word, "or") ||
               absl::EqualsIgnoreCase(word, "with")) {
      return ErrorAt(
          start, absl::StrCat("operator ", Quote(word), " must be upper case (",
                              absl::AsciiStrToUpper(word), ")"));
    }
    tokens.push_back({type, word, start});
  }
  return tokens;
}

}  // namespace

// Recursive descent over the token list; recursion depth is bounded by
// kMaxLicenseExpressionDepth.
class LicenseExpressionParser {
 public:
  explicit LicenseExpressionParser(std::vector<Token> tokens)
      : tokens_(std::move(tokens)) {}

  absl::StatusOr<LicenseExpression> ParseAll(size_t text_size) {
    text_size_ = text_size;
    PEDIGREE_ASSIGN_OR_RETURN(LicenseExpression expression, ParseOr(0));
    if (pos_ < tokens_.size()) {
      const Token& token = tokens_[pos_];
      switch (token.type) {
        case TokenType::kRightParen:
          return ErrorAt(token.offset, "unbalanced ')'");
        case TokenType::kWith:
          return ErrorAt(token.offset,
                         "WITH must directly follow a license id or "
                         "LicenseRef and cannot repeat");
        default:
          return ErrorAt(
              token.offset,
              absl::StrCat("expected AND or OR, found ", Quote(token.text)));
      }
    }
    return expression;
  }

 private:
  static LicenseExpression Leaf(LicenseExpression::Kind kind, std::string id,
                                bool or_later) {
    return LicenseExpression(kind, std::move(id), or_later, "", {});
  }

  // Builds an AND/OR node from `operands`, splicing in the children of
  // operands of the same kind; a single operand is returned unchanged.
  static LicenseExpression Join(LicenseExpression::Kind kind,
                                std::vector<LicenseExpression> operands) {
    if (operands.size() == 1) return std::move(operands.front());
    std::vector<LicenseExpression> children;
    for (LicenseExpression& operand : operands) {
      if (operand.kind_ == kind) {
        for (LicenseExpression& child : operand.children_) {
          children.push_back(std::move(child));
        }
      } else {
        children.push_back(std::move(operand));
      }
    }
    return LicenseExpression(kind, "", false, "", std::move(children));
  }

  const Token* Peek() const {
    return pos_ < tokens_.size() ? &tokens_[pos_] : nullptr;
  }

  bool PeekIs(TokenType type) const {
    const Token* token = Peek();
    return token != nullptr && token->type == type;
  }

  absl::StatusOr<LicenseExpression> ParseOr(int depth) {
    return ParseJoined(depth, TokenType::kOr, LicenseExpression::Kind::kOr);
  }

  absl::StatusOr<LicenseExpression> ParseAnd(int depth) {
    return ParseJoined(depth, TokenType::kAnd, LicenseExpression::Kind::kAnd);
  }

  // operand *(op operand), where operand is an and-expr for OR and a
  // with-expr for AND.
  absl::StatusOr<LicenseExpression> ParseJoined(int depth, TokenType op,
                                                LicenseExpression::Kind kind) {
    std::vector<LicenseExpression> operands;
    while (true) {
      if (op == TokenType::kOr) {
        PEDIGREE_ASSIGN_OR_RETURN(LicenseExpression operand, ParseAnd(depth));
        operands.push_back(std::move(operand));
      } else {
        PEDIGREE_ASSIGN_OR_RETURN(LicenseExpression operand, ParseWith(depth));
        operands.push_back(std::move(operand));
      }
      if (!PeekIs(op)) break;
      ++pos_;
    }
    return Join(kind, std::move(operands));
  }

  absl::StatusOr<LicenseExpression> ParseWith(int depth) {
    const Token* token = Peek();
    if (token != nullptr && token->type == TokenType::kLeftParen) {
      if (depth >= kMaxLicenseExpressionDepth) {
        return ErrorAt(token->offset,
                       absl::StrCat("parentheses nested deeper than ",
                                    kMaxLicenseExpressionDepth));
      }
      const size_t open_offset = token->offset;
      ++pos_;
      PEDIGREE_ASSIGN_OR_RETURN(LicenseExpression inner, ParseOr(depth + 1));
      if (!PeekIs(TokenType::kRightParen)) {
        const Token* next = Peek();
        if (next == nullptr) {
          return ErrorAt(open_offset, "unbalanced '(' (no matching ')')");
        }
        if (next->type == TokenType::kWith) {
          return ErrorAt(next->offset,
                         "WITH must directly follow a license id or "
                         "LicenseRef and cannot repeat");
        }
        return ErrorAt(next->offset, absl::StrCat("expected AND, OR or ')', "
                                                  "found ",
                                                  Quote(next->text)));
      }
      ++pos_;
      if (PeekIs(TokenType::kWith)) {
        return ErrorAt(Peek()->offset,
                       "WITH cannot apply to a parenthesized expression");
      }
      return inner;
    }
    PEDIGREE_ASSIGN_OR_RETURN(LicenseExpression leaf, ParseSimple());
    if (!PeekIs(TokenType::kWith)) return leaf;
    ++pos_;
    PEDIGREE_ASSIGN_OR_RETURN(leaf.exception_, ParseException());
    return leaf;
  }

  // Returns the current token if it is a word, else an error describing what
  // was found instead of `expected`.
  absl::StatusOr<Token> ExpectWord(absl::string_view expected) {
    const Token* token = Peek();
    if (token == nullptr) {
      return ErrorAt(text_size_,
                     absl::StrCat("expected ", expected,
                                  ", found the end of the expression"));
    }
    if (token->type != TokenType::kWord) {
      return ErrorAt(
          token->offset,
          absl::StrCat("expected ", expected, ", found ", Quote(token->text)));
    }
    ++pos_;
    return *token;
  }

  absl::StatusOr<LicenseExpression> ParseSimple() {
    PEDIGREE_ASSIGN_OR_RETURN(const Token token, ExpectWord("a license id"));
    absl::string_view word = token.text;
    const bool or_later = absl::EndsWith(word, "+");
    if (or_later) word.remove_suffix(1);

    if (absl::StartsWithIgnoreCase(word, kDocumentRefPrefix)) {
      return ErrorAt(
          token.offset,
          absl::StrCat("DocumentRef is not supported: ", Quote(token.text)));
    }
    if (absl::StartsWithIgnoreCase(word, kLicenseRefPrefix)) {
      const absl::string_view idstring = word.substr(kLicenseRefPrefix.size());
      if (idstring.empty() ||
          !std::all_of(idstring.begin(), idstring.end(), IsIdChar)) {
        return ErrorAt(
            token.offset,
            absl::StrCat("invalid LicenseRef idstring in ", Quote(token.text),
                         " (allowed: A-Z a-z 0-9 - .)"));
      }
      if (or_later) {
        return ErrorAt(token.offset,
                       absl::StrCat("'+' is not allowed after a LicenseRef: ",
                                    Quote(token.text)));
      }
      return Leaf(LicenseExpression::Kind::kLicenseRef,
                  absl::StrCat(kLicenseRefPrefix, idstring), false);
    }
    PEDIGREE_RETURN_IF_ERROR(CheckIdChars(token, word));
    absl::StatusOr<LicenseInfo> info = LookupSpdxLicense(word);
    if (!info.ok()) {
      if (!absl::IsNotFound(info.status())) return info.status();
      if (IsSpdxException(word)) {
        return ErrorAt(token.offset,
                       absl::StrCat(Quote(word),
                                    " is a license exception; it may only "
                                    "follow WITH"));
      }
      return ErrorAt(token.offset,
                     absl::StrCat("unknown spdx license id ", Quote(word)));
    }
    return Leaf(LicenseExpression::Kind::kLicense, std::move(info->id),
                or_later);
  }

  absl::StatusOr<std::string> ParseException() {
    PEDIGREE_ASSIGN_OR_RETURN(const Token token,
                              ExpectWord("a license exception id after WITH"));
    PEDIGREE_RETURN_IF_ERROR(CheckIdChars(token, token.text));
    absl::StatusOr<std::string> canonical = LookupSpdxException(token.text);
    if (!canonical.ok()) {
      if (!absl::IsNotFound(canonical.status())) return canonical.status();
      return ErrorAt(token.offset, absl::StrCat("unknown spdx license "
                                                "exception id ",
                                                Quote(token.text)));
    }
    return canonical;
  }

  static absl::Status CheckIdChars(const Token& token, absl::string_view id) {
    for (size_t i = 0; i < id.size(); ++i) {
      if (!IsIdChar(id[i])) {
        return ErrorAt(
            token.offset + i,
            absl::StrCat("unexpected character ", Quote(id.substr(i, 1)),
                         " in ", Quote(token.text)));
      }
    }
    return absl::OkStatus();
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t text_size_ = 0;
};

}  // namespace internal

absl::StatusOr<LicenseExpression> ParseLicenseExpression(
    absl::string_view text) {
  if (text.size() > kMaxLicenseExpressionLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("license expression is ", text.size(),
                     " bytes; the limit is ", kMaxLicenseExpressionLength));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<internal::Token> tokens,
                            internal::Tokenize(text));
  if (tokens.empty()) {
    return absl::InvalidArgumentError("license expression is empty");
  }
  internal::LicenseExpressionParser parser(std::move(tokens));
  return parser.ParseAll(text.size());
}

namespace {

void AppendTo(const LicenseExpression& expression, std::string& out) {
  if (expression.is_leaf()) {
    absl::StrAppend(&out, expression.id(), expression.or_later() ? "+" : "");
    if (!expression.exception().empty()) {
      absl::StrAppend(&out, " WITH ", expression.exception());
    }
    return;
  }
  const bool is_and = expression.kind() == LicenseExpression::Kind::kAnd;
  bool first = true;
  for (const LicenseExpression& child : expression.children()) {
    if (!first) out += is_and ? " AND " : " OR ";
    first = false;
    // Children are flattened, so only an OR under an AND needs parentheses.
    const bool parenthesize =
        is_and && child.kind() == LicenseExpression::Kind::kOr;
    if (parenthesize) out += '(';
    AppendTo(child, out);
    if (parenthesize) out += ')';
  }
}

void CollectIds(const LicenseExpression& expression,
                LicenseExpression::Kind kind, std::vector<std::string>& out) {
  if (expression.kind() == kind) out.push_back(expression.id());
  for (const LicenseExpression& child : expression.children()) {
    CollectIds(child, kind, out);
  }
}

std::vector<std::string> SortedUniqueIds(const LicenseExpression& expression,
                                         LicenseExpression::Kind kind) {
  std::vector<std::string> ids;
  CollectIds(expression, kind, ids);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

std::string ToString(const LicenseExpression& expression) {
  std::string out;
  AppendTo(expression, out);
  return out;
}

std::vector<std::string> LicenseRefIds(const LicenseExpression& expression) {
  return SortedUniqueIds(expression, LicenseExpression::Kind::kLicenseRef);
}

std::vector<std::string> SpdxIds(const LicenseExpression& expression) {
  return SortedUniqueIds(expression, LicenseExpression::Kind::kLicense);
}

}  // namespace pedigree::core::license
