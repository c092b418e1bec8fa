#include "client/lib/hf_card.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "client/lib/directory_hasher.h"
#include "client/lib/meta_file.h"
#include "core/license/license_terms.h"
#include "core/manifest/manifest.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"

namespace pedigree::client {

const YamlNode* YamlNode::Find(absl::string_view key) const {
  if (kind != Kind::kMapping) return nullptr;
  for (const auto& [entry_key, value] : entries) {
    if (entry_key == key) return &value;
  }
  return nullptr;
}

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Appends code point `cp` as UTF-8.
void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Returns the length of the valid UTF-8 sequence at the start of `text`, or
// 0 if it is not one (overlong forms, surrogates and values past U+10FFFF
// are invalid).
size_t Utf8SequenceLength(absl::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  size_t length;
  uint32_t cp;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    cp = b0 & 0x0f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3f);
  }
  if ((length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000) ||
      (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
    return 0;
  }
  return length;
}

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) return false;
    i += length;
  }
  return true;
}

bool IsNullScalar(absl::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" ||
         text == "NULL";
}

// A recursive-descent parser of the front matter subset (see the header).
// Block structure is read line by line; a sequence item's inline mapping
// ("- key: value") is parsed by blanking the "- " so that the line looks
// indented to the key's column.
class YamlParser {
 public:
  YamlParser(std::vector<std::string> lines, int first_line)
      : lines_(std::move(lines)), first_line_(first_line) {}

  absl::StatusOr<YamlNode> ParseDocument() {
    PEDIGREE_RETURN_IF_ERROR(SkipBlanks());
    if (AtEnd()) {
      YamlNode empty;
      empty.kind = YamlNode::Kind::kMapping;
      empty.line = first_line_;
      return empty;
    }
    PEDIGREE_ASSIGN_OR_RETURN(const size_t indent, Indent(index_));
    const size_t start = index_;
    PEDIGREE_ASSIGN_OR_RETURN(YamlNode root, ParseBlockNode(indent, -1, 1));
    if (root.kind != YamlNode::Kind::kMapping) {
      return Error(start, "the front matter must be a mapping of keys");
    }
    PEDIGREE_RETURN_IF_ERROR(SkipBlanks());
    if (!AtEnd()) return Error(index_, "bad indentation");
    return root;
  }

 private:
  bool AtEnd() const { return index_ >= lines_.size(); }

  absl::Status Error(size_t line_index, absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", first_line_ + static_cast<int>(line_index), ": ", message));
  }

  int LineNumber(size_t line_index) const {
    return first_line_ + static_cast<int>(line_index);
  }

  absl::Status CountNode(size_t line_index) {
    if (++nodes_ > kMaxYamlNodes) {
      return Error(line_index,
                   absl::StrCat("more than ", kMaxYamlNodes, " yaml nodes"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckDepth(size_t line_index, int depth) const {
    if (depth > kMaxYamlDepth) {
      return Error(line_index, absl::StrCat("nesting deeper than ",
                                            kMaxYamlDepth, " levels"));
    }
    return absl::OkStatus();
  }

  // Blank, whitespace-only or comment-only.
  bool IsBlankLine(size_t line_index) const {
    const std::string& line = lines_[line_index];
    for (char c : line) {
      if (IsSpace(c)) continue;
      return c == '#';
    }
    return true;
  }

  bool IsEmptyLine(size_t line_index) const {
    for (char c : lines_[line_index]) {
      if (!IsSpace(c)) return false;
    }
    return true;
  }

  absl::Status SkipBlanks() {
    while (!AtEnd() && IsBlankLine(index_)) ++index_;
    return absl::OkStatus();
  }

  // The number of leading spaces of a non-blank line; a tab before the
  // content is an error.
  absl::StatusOr<size_t> Indent(size_t line_index) const {
    const std::string& line = lines_[line_index];
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    if (indent < line.size() && line[indent] == '\t') {
      return Error(line_index, "tab in indentation (yaml allows only spaces)");
    }
    return indent;
  }

  static bool IsSequenceItem(absl::string_view content) {
    return !content.empty() && content[0] == '-' &&
           (content.size() == 1 || IsSpace(content[1]));
  }

  // If `content` starts with a mapping key ("key:" followed by a space or
  // the end of the line), sets `*key` and `*value_offset` (just past the
  // ':') and returns true.
  absl::StatusOr<bool> SplitKey(size_t line_index, absl::string_view content,
                                std::string* key, size_t* value_offset) {
    if (content.empty()) return false;
    const char first = content[0];
    if (first == '[' || first == '{') return false;
    if (first == '?' && (content.size() == 1 || IsSpace(content[1]))) {
      return Error(line_index,
                   "complex mapping keys (\"? \") are not supported");
    }
    size_t end;
    if (first == '"' || first == '\'') {
      std::string text;
      absl::StatusOr<size_t> close =
          ScanQuotedOnLine(line_index, content, &text);
      if (!close.ok()) return false;  // a multi-line quoted value, not a key
      end = *close;
      size_t colon = end;
      while (colon < content.size() && IsSpace(content[colon])) ++colon;
      if (colon >= content.size() || content[colon] != ':' ||
          (colon + 1 < content.size() && !IsSpace(content[colon + 1]))) {
        return false;
      }
      *key = std::move(text);
      *value_offset = colon + 1;
      return true;
    }
    for (size_t i = 0; i < content.size(); ++i) {
      if (content[i] == '#' && i > 0 && IsSpace(content[i - 1])) return false;
      if (content[i] == ':' &&
          (i + 1 == content.size() || IsSpace(content[i + 1]))) {
        std::string plain(
            absl::StripTrailingAsciiWhitespace(content.substr(0, i)));
        if (plain.empty()) return Error(line_index, "empty mapping key");
        if (plain[0] == '&' || plain[0] == '*' || plain[0] == '!') {
          return Error(line_index,
                       "yaml anchors, aliases and tags are not supported");
        }
        *key = std::move(plain);
        *value_offset = i + 1;
        return true;
      }
    }
    return false;
  }

  // Parses the node whose first line is index_, indented `indent` (more than
  // the parent's `parent_indent`).
  absl::StatusOr<YamlNode> ParseBlockNode(size_t indent, int parent_indent,
                                          int depth) {
    PEDIGREE_RETURN_IF_ERROR(CheckDepth(index_, depth));
    const absl::string_view content =
        absl::string_view(lines_[index_]).substr(indent);
    if (IsSequenceItem(content)) return ParseBlockSequence(indent, depth);
    std::string key;
    size_t offset = 0;
    PEDIGREE_ASSIGN_OR_RETURN(const bool is_key,
                              SplitKey(index_, content, &key, &offset));
    if (is_key) return ParseBlockMapping(indent, depth);
    return ParseInlineValue(indent, parent_indent, depth);
  }

  absl::StatusOr<YamlNode> ParseBlockMapping(size_t indent, int depth) {
    PEDIGREE_RETURN_IF_ERROR(CheckDepth(index_, depth));
    PEDIGREE_RETURN_IF_ERROR(CountNode(index_));
    YamlNode mapping;
    mapping.kind = YamlNode::Kind::kMapping;
    mapping.line = LineNumber(index_);
    std::set<std::string> keys;
    while (true) {
      PEDIGREE_RETURN_IF_ERROR(SkipBlanks());
      if (AtEnd()) break;
      PEDIGREE_ASSIGN_OR_RETURN(const size_t line_indent, Indent(index_));
      if (line_indent < indent) break;
      if (line_indent > indent) return Error(index_, "bad indentation");
      const absl::string_view content =
          absl::string_view(lines_[index_]).substr(indent);
      if (IsSequenceItem(content)) {
        return Error(index_, "a sequence item where a mapping key is expected");
      }
      std::string key;
      size_t offset = 0;
      PEDIGREE_ASSIGN_OR_RETURN(const bool is_key,
                                SplitKey(index_, content, &key, &offset));
      if (!is_key) return Error(index_, "expected \"key: value\"");
      if (!keys.insert(key).second) {
        return Error(index_, absl::StrCat("duplicate key ", Quoted(key)));
      }
      PEDIGREE_ASSIGN_OR_RETURN(
          YamlNode value,
          ParseValueAfterIndicator(indent + offset, static_cast<int>(indent),
                                   depth + 1, /*compact_sequence_ok=*/true));
      mapping.entries.emplace_back(std::move(key), std::move(value));
    }
    return mapping;
  }

  absl::StatusOr<YamlNode> ParseBlockSequence(size_t indent, int depth) {
    PEDIGREE_RETURN_IF_ERROR(CheckDepth(index_, depth));
    PEDIGREE_RETURN_IF_ERROR(CountNode(index_));
    YamlNode sequence;
    sequence.kind = YamlNode::Kind::kSequence;
    sequence.line = LineNumber(index_);
    while (true) {
      PEDIGREE_RETURN_IF_ERROR(SkipBlanks());
      if (AtEnd()) break;
      PEDIGREE_ASSIGN_OR_RETURN(const size_t line_indent, Indent(index_));
      if (line_indent < indent) break;
      if (line_indent > indent) return Error(index_, "bad indentation");
      std::string& line = lines_[index_];
      if (!IsSequenceItem(absl::string_view(line).substr(indent))) break;
      PEDIGREE_ASSIGN_OR_RETURN(
          YamlNode item,
          ParseValueAfterIndicator(indent + 1, static_cast<int>(indent),
                                   depth + 1, /*compact_sequence_ok=*/false,
                                   /*in_sequence=*/true));
      sequence.items.push_back(std::move(item));
    }
    return sequence;
  }

  // Parses the value that follows a "key:" or "-" ending at column `column`
  // of line index_. Leaves index_ on the line after the value.
  absl::StatusOr<YamlNode> ParseValueAfterIndicator(size_t column,
                                                    int parent_indent,
                                                    int depth,
                                                    bool compact_sequence_ok,
                                                    bool in_sequence = false) {
    PEDIGREE_RETURN_IF_ERROR(CheckDepth(index_, depth));
    std::string& line = lines_[index_];
    size_t start = column;
    while (start < line.size() && IsSpace(line[start])) ++start;
    if (start == line.size() || line[start] == '#') {
      const size_t key_line = index_;
      ++index_;
      PEDIGREE_RETURN_IF_ERROR(SkipBlanks());
      if (!AtEnd()) {
        PEDIGREE_ASSIGN_OR_RETURN(const size_t next_indent, Indent(index_));
        const absl::string_view next =
            absl::string_view(lines_[index_]).substr(next_indent);
        if (static_cast<int>(next_indent) > parent_indent) {
          return ParseBlockNode(next_indent, parent_indent, depth);
        }
        if (compact_sequence_ok &&
            static_cast<int>(next_indent) == parent_indent &&
            IsSequenceItem(next)) {
          return ParseBlockSequence(next_indent, depth);
        }
      }
      PEDIGREE_RETURN_IF_ERROR(CountNode(key_line));
      YamlNode null_node;
      null_node.line = LineNumber(key_line);
      return null_node;
    }
    if (in_sequence) {
      // "- key: value" and "- - item": the item is a block collection whose
      // indentation is the column of its first character.
      const absl::string_view rest = absl::string_view(line).substr(start);
      std::string key;
      size_t offset = 0;
      PEDIGREE_ASSIGN_OR_RETURN(const bool is_key,
                                SplitKey(index_, rest, &key, &offset));
      if (is_key || IsSequenceItem(rest)) {
        for (size_t i = 0; i < start; ++i) line[i] = ' ';
        if (is_key) return ParseBlockMapping(start, depth);
        return ParseBlockSequence(start, depth);
      }
    }
    return ParseInlineValue(start, parent_indent, depth);
  }

  // Parses a scalar or flow collection starting at column `column` of line
  // index_; continuation lines must be indented more than `parent_indent`.
  absl::StatusOr<YamlNode> ParseInlineValue(size_t column, int parent_indent,
                                            int depth) {
    PEDIGREE_RETURN_IF_ERROR(CountNode(index_));
    const std::string& line = lines_[index_];
    const char first = line[column];
    switch (first) {
      case '&':
        return Error(index_, "yaml anchors (&) are not supported");
      case '*':
        return Error(index_, "yaml aliases (*) are not supported");
      case '!':
        return Error(index_, "yaml tags (!) are not supported");
      case '%':
      case '@':
      case '`':
        return Error(index_,
                     absl::StrCat("a plain value cannot start with ",
                                  Quoted(std::string(1, first)), "; quote it"));
      case '|':
      case '>':
        return ParseBlockScalar(column, parent_indent);
      case '[':
      case '{':
        return ParseFlow(column, parent_indent, depth);
      case '"':
      case '\'':
        return ParseQuoted(column, parent_indent);
      default:
        break;
    }
    if (IsSequenceItem(absl::string_view(line).substr(column))) {
      return Error(index_, "a sequence item cannot start on its key's line");
    }
    return ParsePlain(column, parent_indent);
  }

  // Returns the plain text of `segment` up to a comment, trailing whitespace
  // removed; refuses ": " inside.
  absl::StatusOr<std::string> PlainSegment(size_t line_index,
                                           absl::string_view segment) const {
    size_t end = segment.size();
    for (size_t i = 0; i < segment.size(); ++i) {
      if (segment[i] == '#' && (i == 0 || IsSpace(segment[i - 1]))) {
        end = i;
        break;
      }
      if (segment[i] == ':' &&
          (i + 1 == segment.size() || IsSpace(segment[i + 1]))) {
        return Error(line_index,
                     "\": \" inside a plain value (quote the value)");
      }
    }
    return std::string(absl::StripAsciiWhitespace(segment.substr(0, end)));
  }

  absl::StatusOr<YamlNode> ParsePlain(size_t column, int parent_indent) {
    YamlNode node;
    node.line = LineNumber(index_);
    PEDIGREE_ASSIGN_OR_RETURN(
        std::string text,
        PlainSegment(index_, absl::string_view(lines_[index_]).substr(column)));
    const bool had_comment =
        absl::StrContains(lines_[index_].substr(column), " #") ||
        absl::StrContains(lines_[index_].substr(column), "\t#");
    ++index_;
    size_t empty_lines = 0;
    while (!had_comment && !AtEnd()) {
      if (IsEmptyLine(index_)) {
        ++empty_lines;
        ++index_;
        continue;
      }
      if (IsBlankLine(index_)) break;  // a comment line ends the scalar
      PEDIGREE_ASSIGN_OR_RETURN(const size_t indent, Indent(index_));
      if (static_cast<int>(indent) <= parent_indent) break;
      const absl::string_view segment =
          absl::string_view(lines_[index_]).substr(indent);
      PEDIGREE_ASSIGN_OR_RETURN(std::string more,
                                PlainSegment(index_, segment));
      if (empty_lines == 0) {
        absl::StrAppend(&text, " ", more);
      } else {
        text.append(empty_lines, '\n');
        text += more;
      }
      empty_lines = 0;
      const bool ends_in_comment =
          more.size() < absl::StripAsciiWhitespace(segment).size();
      ++index_;
      if (ends_in_comment) break;
    }
    // Empty lines after the scalar are not part of it.
    while (index_ > 0 && empty_lines > 0) {
      --index_;
      --empty_lines;
    }
    if (IsNullScalar(text)) return node;
    node.kind = YamlNode::Kind::kScalar;
    node.scalar = std::move(text);
    return node;
  }

  // Reads one escape sequence after a backslash at `text[*i]` (pointing at
  // the character after '\\') into `out`.
  absl::Status ReadEscape(size_t line_index, absl::string_view text, size_t* i,
                          std::string* out) const {
    const char c = text[*i];
    ++*i;
    size_t hex_digits = 0;
    switch (c) {
      case 'a':
        out->push_back('\a');
        return absl::OkStatus();
      case 'b':
        out->push_back('\b');
        return absl::OkStatus();
      case 't':
      case '\t':
        out->push_back('\t');
        return absl::OkStatus();
      case 'n':
        out->push_back('\n');
        return absl::OkStatus();
      case 'v':
        out->push_back('\v');
        return absl::OkStatus();
      case 'f':
        out->push_back('\f');
        return absl::OkStatus();
      case 'r':
        out->push_back('\r');
        return absl::OkStatus();
      case 'e':
        out->push_back('\x1b');
        return absl::OkStatus();
      case ' ':
        out->push_back(' ');
        return absl::OkStatus();
      case '"':
        out->push_back('"');
        return absl::OkStatus();
      case '/':
        out->push_back('/');
        return absl::OkStatus();
      case '\\':
        out->push_back('\\');
        return absl::OkStatus();
      case 'N':
        AppendUtf8(0x85, out);
        return absl::OkStatus();
      case '_':
        AppendUtf8(0xa0, out);
        return absl::OkStatus();
      case 'L':
        AppendUtf8(0x2028, out);
        return absl::OkStatus();
      case 'P':
        AppendUtf8(0x2029, out);
        return absl::OkStatus();
      case 'x':
        hex_digits = 2;
        break;
      case 'u':
        hex_digits = 4;
        break;
      case 'U':
        hex_digits = 8;
        break;
      default:
        return Error(line_index,
                     absl::StrCat("unknown escape ",
                                  Quoted(absl::StrCat("\\", std::string(1, c))),
                                  " in a double-quoted string"));
    }
    if (*i + hex_digits > text.size()) {
      return Error(line_index, "truncated escape in a double-quoted string");
    }
    uint32_t cp = 0;
    for (size_t k = 0; k < hex_digits; ++k) {
      const char h = text[*i + k];
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(h))) {
        return Error(line_index, "bad hex digit in an escape");
      }
      cp = cp * 16 +
           static_cast<uint32_t>(
               absl::ascii_isdigit(static_cast<unsigned char>(h))
                   ? h - '0'
                   : absl::ascii_tolower(static_cast<unsigned char>(h)) - 'a' +
                         10);
    }
    *i += hex_digits;
    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      return Error(line_index, "escape of an invalid or NUL code point");
    }
    AppendUtf8(cp, out);
    return absl::OkStatus();
  }

  // Scans a quoted string that closes on this line; returns the offset just
  // past the closing quote. Used to recognise quoted keys.
  absl::StatusOr<size_t> ScanQuotedOnLine(size_t line_index,
                                          absl::string_view content,
                                          std::string* text) const {
    const char quote = content[0];
    size_t i = 1;
    while (i < content.size()) {
      const char c = content[i];
      if (quote == '\'' && c == '\'') {
        if (i + 1 < content.size() && content[i + 1] == '\'') {
          text->push_back('\'');
          i += 2;
          continue;
        }
        return i + 1;
      }
      if (quote == '"' && c == '"') return i + 1;
      if (quote == '"' && c == '\\') {
        ++i;
        if (i == content.size()) break;
        PEDIGREE_RETURN_IF_ERROR(ReadEscape(line_index, content, &i, text));
        continue;
      }
      text->push_back(c);
      ++i;
    }
    return Error(line_index, "unterminated quoted string");
  }

  // A quoted scalar starting at `column`, possibly over several lines
  // (folded: a line break is a space, each empty line a newline).
  absl::StatusOr<YamlNode> ParseQuoted(size_t column, int parent_indent) {
    YamlNode node;
    node.kind = YamlNode::Kind::kScalar;
    node.line = LineNumber(index_);
    const size_t start_line = index_;
    const char quote = lines_[index_][column];
    const char* what = quote == '"' ? "double-quoted" : "single-quoted";
    std::string& out = node.scalar;
    size_t i = column + 1;
    while (true) {
      const std::string& line = lines_[index_];
      bool escaped_break = false;
      while (i < line.size()) {
        const char c = line[i];
        if (c == quote) {
          if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
            out.push_back('\'');
            i += 2;
            continue;
          }
          // Closed: only a comment may follow.
          size_t rest = i + 1;
          while (rest < line.size() && IsSpace(line[rest])) ++rest;
          if (rest < line.size() && !(line[rest] == '#' && rest > i + 1)) {
            return Error(index_, absl::StrCat("unexpected text after a ", what,
                                              " string"));
          }
          ++index_;
          return node;
        }
        if (quote == '"' && c == '\\') {
          if (i + 1 == line.size()) {
            escaped_break = true;
            ++i;
            break;
          }
          ++i;
          PEDIGREE_RETURN_IF_ERROR(ReadEscape(index_, line, &i, &out));
          continue;
        }
        out.push_back(c);
        ++i;
      }
      // Line break inside the string: fold.
      if (!escaped_break) {
        while (!out.empty() && IsSpace(out.back())) out.pop_back();
      }
      size_t empty_lines = 0;
      ++index_;
      while (!AtEnd() && IsEmptyLine(index_)) {
        ++empty_lines;
        ++index_;
      }
      if (AtEnd()) {
        return Error(start_line,
                     absl::StrCat("unterminated ", what, " string"));
      }
      PEDIGREE_ASSIGN_OR_RETURN(const size_t indent, Indent(index_));
      if (static_cast<int>(indent) <= parent_indent) {
        return Error(start_line,
                     absl::StrCat("unterminated ", what, " string"));
      }
      if (empty_lines > 0) {
        out.append(empty_lines, '\n');
      } else if (!escaped_break) {
        out.push_back(' ');
      }
      i = indent;
      while (i < lines_[index_].size() && IsSpace(lines_[index_][i])) ++i;
    }
  }

  absl::StatusOr<YamlNode> ParseBlockScalar(size_t column, int parent_indent) {
    YamlNode node;
    node.kind = YamlNode::Kind::kScalar;
    node.line = LineNumber(index_);
    const std::string& header = lines_[index_];
    const bool folded = header[column] == '>';
    char chomping = 'c';
    size_t explicit_indent = 0;
    size_t i = column + 1;
    for (int k = 0; k < 2 && i < header.size(); ++k) {
      const char c = header[i];
      if ((c == '+' || c == '-') && chomping == 'c') {
        chomping = c;
        ++i;
      } else if (c >= '1' && c <= '9' && explicit_indent == 0) {
        explicit_indent = static_cast<size_t>(c - '0');
        ++i;
      } else {
        break;
      }
    }
    size_t rest = i;
    while (rest < header.size() && IsSpace(header[rest])) ++rest;
    if (rest < header.size() && !(header[rest] == '#' && rest > i)) {
      return Error(index_, "bad block scalar header");
    }
    ++index_;
    size_t block_indent = 0;
    if (explicit_indent > 0) {
      block_indent =
          (parent_indent < 0 ? 0 : static_cast<size_t>(parent_indent)) +
          explicit_indent;
    } else {
      for (size_t j = index_; j < lines_.size(); ++j) {
        if (IsEmptyLine(j)) continue;
        size_t n = 0;
        while (n < lines_[j].size() && lines_[j][n] == ' ') ++n;
        block_indent = n;
        break;
      }
      if (static_cast<int>(block_indent) <= parent_indent) block_indent = 0;
    }
    std::vector<std::string> content;
    if (block_indent > 0) {
      while (!AtEnd()) {
        const std::string& line = lines_[index_];
        if (IsEmptyLine(index_)) {
          content.push_back(line.size() > block_indent
                                ? line.substr(block_indent)
                                : std::string());
          ++index_;
          continue;
        }
        size_t n = 0;
        while (n < line.size() && line[n] == ' ') ++n;
        if (n < block_indent) {
          if (n < line.size() && line[n] == '\t' &&
              static_cast<int>(n) > parent_indent) {
            return Error(index_,
                         "tab in indentation (yaml allows only spaces)");
          }
          break;
        }
        content.push_back(line.substr(block_indent));
        ++index_;
      }
    }
    size_t trailing = 0;
    while (!content.empty() && content.back().empty()) {
      content.pop_back();
      ++trailing;
    }
    std::string& out = node.scalar;
    bool previous_more_indented = false;
    size_t pending_empty = 0;
    bool first = true;
    for (const std::string& line : content) {
      if (line.empty()) {
        ++pending_empty;
        continue;
      }
      const bool more_indented = IsSpace(line[0]);
      if (!first) {
        if (!folded || more_indented || previous_more_indented) {
          out.append(pending_empty + 1, '\n');
        } else if (pending_empty > 0) {
          out.append(pending_empty, '\n');
        } else {
          out.push_back(' ');
        }
      } else {
        out.append(pending_empty, '\n');
      }
      out += line;
      pending_empty = 0;
      previous_more_indented = more_indented;
      first = false;
    }
    if (chomping != '-' && !out.empty()) out.push_back('\n');
    if (chomping == '+') out.append(trailing, '\n');
    return node;
  }

  // True if a quote at the end of `text` would start a flow token (a quote
  // inside a plain scalar, as in [it's], is an ordinary character).
  static bool StartsToken(const std::string& text) {
    for (size_t i = text.size(); i > 0; --i) {
      const char c = text[i - 1];
      if (IsSpace(c)) continue;
      return c == '[' || c == '{' || c == ',' || c == ':';
    }
    return true;
  }

  // Flow collections: the text up to the matching bracket, over several
  // lines if need be, then a small recursive-descent parser over it.
  absl::StatusOr<YamlNode> ParseFlow(size_t column, int parent_indent,
                                     int depth) {
    const size_t start_line = index_;
    std::string text;
    std::vector<size_t> line_of;
    int nesting = 0;
    char quote = 0;
    size_t i = column;
    while (true) {
      const std::string& line = lines_[index_];
      bool closed = false;
      while (i < line.size()) {
        char c = line[i];
        if (quote != 0) {
          if (quote == '"' && c == '\\' && i + 1 < line.size()) {
            text.push_back(c);
            line_of.push_back(index_);
            ++i;
            c = line[i];
          } else if (c == quote) {
            if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
              text.push_back(c);
              line_of.push_back(index_);
              ++i;
            } else {
              quote = 0;
            }
          }
        } else if ((c == '"' || c == '\'') && StartsToken(text)) {
          quote = c;
        } else if (c == '#' && (i == 0 || IsSpace(line[i - 1]))) {
          break;
        } else if (c == '[' || c == '{') {
          ++nesting;
        } else if (c == ']' || c == '}') {
          --nesting;
        }
        text.push_back(c);
        line_of.push_back(index_);
        ++i;
        if (nesting == 0 && quote == 0) {
          closed = true;
          break;
        }
      }
      if (closed) {
        size_t rest = i;
        while (rest < line.size() && IsSpace(line[rest])) ++rest;
        if (rest < line.size() && !(line[rest] == '#' && rest > i)) {
          return Error(index_, "unexpected text after a flow collection");
        }
        ++index_;
        break;
      }
      if (quote != 0) {
        return Error(index_,
                     "multi-line quoted strings inside a flow collection are "
                     "not supported");
      }
      text.push_back(' ');
      line_of.push_back(index_);
      ++index_;
      while (!AtEnd() && IsBlankLine(index_)) ++index_;
      if (AtEnd()) {
        return Error(start_line, "unterminated flow collection");
      }
      PEDIGREE_ASSIGN_OR_RETURN(const size_t indent, Indent(index_));
      if (static_cast<int>(indent) <= parent_indent) {
        return Error(start_line, "unterminated flow collection");
      }
      i = indent;
    }
    FlowParser parser(this, text, line_of);
    return parser.Parse(depth);
  }

  class FlowParser {
   public:
    FlowParser(YamlParser* owner, const std::string& text,
               const std::vector<size_t>& line_of)
        : owner_(owner), text_(text), line_of_(line_of) {}

    absl::StatusOr<YamlNode> Parse(int depth) {
      PEDIGREE_ASSIGN_OR_RETURN(YamlNode node, ParseNode(depth));
      SkipSpace();
      if (pos_ != text_.size()) return Error("unexpected text");
      return node;
    }

   private:
    size_t LineIndex() const {
      return line_of_[pos_ < line_of_.size() ? pos_ : line_of_.size() - 1];
    }
    absl::Status Error(absl::string_view message) const {
      return owner_->Error(LineIndex(),
                           absl::StrCat(message, " in a flow collection"));
    }
    void SkipSpace() {
      while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
    }
    bool AtTerminator(bool in_mapping) const {
      const char c = text_[pos_];
      if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}') return true;
      if (c == ':') {
        const bool end = pos_ + 1 == text_.size() || IsSpace(text_[pos_ + 1]) ||
                         text_[pos_ + 1] == ',' || text_[pos_ + 1] == ']' ||
                         text_[pos_ + 1] == '}';
        return end || in_mapping;
      }
      return false;
    }

    absl::StatusOr<YamlNode> ParseScalar(bool in_mapping) {
      YamlNode node;
      node.line = owner_->LineNumber(LineIndex());
      PEDIGREE_RETURN_IF_ERROR(owner_->CountNode(LineIndex()));
      const char c = text_[pos_];
      if (c == '"' || c == '\'') {
        node.kind = YamlNode::Kind::kScalar;
        ++pos_;
        while (true) {
          if (pos_ >= text_.size()) return Error("unterminated string");
          const char d = text_[pos_];
          if (d == c) {
            if (c == '\'' && pos_ + 1 < text_.size() &&
                text_[pos_ + 1] == '\'') {
              node.scalar.push_back('\'');
              pos_ += 2;
              continue;
            }
            ++pos_;
            return node;
          }
          if (c == '"' && d == '\\') {
            ++pos_;
            if (pos_ >= text_.size()) return Error("unterminated string");
            PEDIGREE_RETURN_IF_ERROR(
                owner_->ReadEscape(LineIndex(), text_, &pos_, &node.scalar));
            continue;
          }
          node.scalar.push_back(d);
          ++pos_;
        }
      }
      switch (c) {
        case '&':
          return owner_->Error(LineIndex(),
                               "yaml anchors (&) are not supported");
        case '*':
          return owner_->Error(LineIndex(),
                               "yaml aliases (*) are not supported");
        case '!':
          return owner_->Error(LineIndex(), "yaml tags (!) are not supported");
        case '|':
        case '>':
        case '%':
        case '@':
        case '`':
          return Error(absl::StrCat("a plain value cannot start with ",
                                    Quoted(std::string(1, c))));
        case '?':
          return Error("complex keys are not supported");
        default:
          break;
      }
      const size_t start = pos_;
      while (pos_ < text_.size() && !AtTerminator(in_mapping)) ++pos_;
      std::string plain(
          absl::StripAsciiWhitespace(text_.substr(start, pos_ - start)));
      if (!IsNullScalar(plain)) {
        node.kind = YamlNode::Kind::kScalar;
        node.scalar = std::move(plain);
      }
      return node;
    }

    absl::StatusOr<YamlNode> ParseNode(int depth) {
      PEDIGREE_RETURN_IF_ERROR(owner_->CheckDepth(LineIndex(), depth));
      SkipSpace();
      if (pos_ >= text_.size()) return Error("missing value");
      const char c = text_[pos_];
      if (c == '[') return ParseSequence(depth);
      if (c == '{') return ParseMapping(depth);
      if (c == ']' || c == '}' || c == ',') {
        YamlNode null_node;
        null_node.line = owner_->LineNumber(LineIndex());
        return null_node;
      }
      return ParseScalar(/*in_mapping=*/false);
    }

    absl::StatusOr<YamlNode> ParseSequence(int depth) {
      YamlNode node;
      node.kind = YamlNode::Kind::kSequence;
      node.line = owner_->LineNumber(LineIndex());
      PEDIGREE_RETURN_IF_ERROR(owner_->CountNode(LineIndex()));
      ++pos_;
      while (true) {
        SkipSpace();
        if (pos_ >= text_.size()) return Error("unterminated sequence");
        if (text_[pos_] == ']') {
          ++pos_;
          return node;
        }
        if (text_[pos_] == ',') return Error("empty sequence item");
        PEDIGREE_ASSIGN_OR_RETURN(YamlNode item, ParseNode(depth + 1));
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == ':') {
          return Error(
              "\"key: value\" pairs inside a sequence are not supported");
        }
        node.items.push_back(std::move(item));
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ']') continue;
        return Error("expected \",\" or \"]\"");
      }
    }

    absl::StatusOr<YamlNode> ParseMapping(int depth) {
      YamlNode node;
      node.kind = YamlNode::Kind::kMapping;
      node.line = owner_->LineNumber(LineIndex());
      PEDIGREE_RETURN_IF_ERROR(owner_->CountNode(LineIndex()));
      std::set<std::string> keys;
      ++pos_;
      while (true) {
        SkipSpace();
        if (pos_ >= text_.size()) return Error("unterminated mapping");
        if (text_[pos_] == '}') {
          ++pos_;
          return node;
        }
        if (text_[pos_] == '[' || text_[pos_] == '{' || text_[pos_] == ',') {
          return Error("expected a key");
        }
        PEDIGREE_ASSIGN_OR_RETURN(YamlNode key,
                                  ParseScalar(/*in_mapping=*/true));
        SkipSpace();
        YamlNode value;
        value.line = key.line;
        if (pos_ < text_.size() && text_[pos_] == ':') {
          ++pos_;
          SkipSpace();
          if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}') {
            PEDIGREE_ASSIGN_OR_RETURN(value, ParseNode(depth + 1));
          }
        }
        if (!keys.insert(key.scalar).second) {
          return owner_->Error(
              LineIndex(), absl::StrCat("duplicate key ", Quoted(key.scalar)));
        }
        node.entries.emplace_back(key.scalar, std::move(value));
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == '}') continue;
        return Error("expected \",\" or \"}\"");
      }
    }

    YamlParser* owner_;
    const std::string& text_;
    const std::vector<size_t>& line_of_;
    size_t pos_ = 0;
  };

  std::vector<std::string> lines_;
  int first_line_;
  size_t index_ = 0;
  size_t nodes_ = 0;
};

// --- import ---------------------------------------------------------------

constexpr char kHubDatasetPrefix[] = "https://huggingface.co/datasets/";

// Where a value came from, for messages: `license (line 3)`.
std::string At(absl::string_view key, const YamlNode& node) {
  return absl::StrCat("line ", node.line, ": ", key);
}

// A scalar field: absent and null give nullopt; a collection is an error.
absl::StatusOr<std::optional<std::string>> ScalarField(const YamlNode& root,
                                                       absl::string_view key) {
  const YamlNode* node = root.Find(key);
  if (node == nullptr || node->kind == YamlNode::Kind::kNull) {
    return std::optional<std::string>();
  }
  if (node->kind != YamlNode::Kind::kScalar) {
    return absl::InvalidArgumentError(
        absl::StrCat(At(key, *node), ": expected a single value"));
  }
  return std::optional<std::string>(
      std::string(absl::StripAsciiWhitespace(node->scalar)));
}

// A field that is one value or a list of values (absent or null: empty).
absl::StatusOr<std::vector<std::pair<std::string, int>>> ListField(
    const YamlNode& root, absl::string_view key) {
  std::vector<std::pair<std::string, int>> values;
  const YamlNode* node = root.Find(key);
  if (node == nullptr || node->kind == YamlNode::Kind::kNull) return values;
  if (node->kind == YamlNode::Kind::kScalar) {
    values.emplace_back(std::string(absl::StripAsciiWhitespace(node->scalar)),
                        node->line);
    return values;
  }
  if (node->kind == YamlNode::Kind::kMapping) {
    return absl::InvalidArgumentError(
        absl::StrCat(At(key, *node), ": expected a value or a list of values"));
  }
  for (size_t i = 0; i < node->items.size(); ++i) {
    const YamlNode& item = node->items[i];
    if (item.kind != YamlNode::Kind::kScalar) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", item.line, ": ", key, "[", i, "]: expected a single value"));
    }
    values.emplace_back(std::string(absl::StripAsciiWhitespace(item.scalar)),
                        item.line);
  }
  return values;
}

bool IsAbsoluteHttpUrl(absl::string_view url) {
  return (absl::StartsWith(url, "https://") ||
          absl::StartsWith(url, "http://")) &&
         url.find_first_of(" \t\n\"<>") == absl::string_view::npos &&
         url.size() > 8;
}

// "My License v2" -> "My-License-v2": [A-Za-z0-9.-], runs of anything else
// collapsed into one '-', no leading or trailing '-'.
std::string SanitizeLicenseName(absl::string_view name) {
  std::string out;
  for (char c : name) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
        c == '-') {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// Resolves a Hub license id, SPDX id or catalog id to a catalog id.
std::optional<std::string> ResolveLicenseId(absl::string_view name) {
  if (std::optional<std::string> id =
          core::license::LicenseIdForHubName(name)) {
    return id;
  }
  // Lookup ignores letter case (SPDX matches ids so); the card gets the
  // catalog's spelling, which record validation requires.
  if (const core::license::LicenseTerms* terms =
          core::license::FindLicenseTerms(name)) {
    return terms->id;
  }
  return std::nullopt;
}

struct MissingEntry {
  HfMissingField field;
  OrderedJson::json_pointer pointer;
  OrderedJson placeholder;  // a valid value, for the self-check only
};

class Importer {
 public:
  Importer(const YamlNode& root, const HfImportOptions& options)
      : root_(root), options_(options) {}

  absl::StatusOr<HfImport> Run() {
    PEDIGREE_RETURN_IF_ERROR(CheckOptionsUtf8());
    meta_ = OrderedJson::object();
    SetOrMissing("/description", options_.description, "meta.description",
                 "--description TEXT", "A model.");
    SetOrMissing("/release_date", options_.release_date, "meta.release_date",
                 "--release-date YYYY-MM-DD", "2000-01-01");
    SetOrMissing("/publisher/organization", options_.publisher,
                 "meta.publisher.organization", "--publisher ORGANIZATION",
                 "Organization");
    if (options_.jurisdiction.has_value()) {
      meta_["publisher"]["jurisdiction"] = *options_.jurisdiction;
    }
    PEDIGREE_RETURN_IF_ERROR(ImportLicenses());
    if (options_.openness_claim.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(
          core::record::ParseOpennessClaim(*options_.openness_claim).status());
      meta_["openness"] = {{"claim", *options_.openness_claim}};
    } else {
      Note(
          "openness is not stated (claim unspecified, no components): add "
          "meta.openness by hand (docs/meta-file.md) or pass "
          "--openness-claim");
    }
    PEDIGREE_RETURN_IF_ERROR(ImportDatasets());
    PEDIGREE_RETURN_IF_ERROR(ImportParents());
    PEDIGREE_RETURN_IF_ERROR(ImportLanguages());
    if (!license_refs_.empty()) {
      // Keep the documented field order: license_refs after licenses.
      OrderedJson ordered = OrderedJson::object();
      for (auto it = meta_.begin(); it != meta_.end(); ++it) {
        ordered[it.key()] = it.value();
        if (it.key() == "licenses") ordered["license_refs"] = license_refs_;
      }
      meta_ = std::move(ordered);
    }
    PEDIGREE_RETURN_IF_ERROR(SelfCheck());

    HfImport result;
    result.meta_json = meta_.dump(2, ' ', /*ensure_ascii=*/false,
                                  OrderedJson::error_handler_t::strict) +
                       "\n";
    for (const MissingEntry& entry : missing_) {
      result.missing.push_back(entry.field);
    }
    result.notes = std::move(notes_);
    result.languages = std::move(languages_);
    return result;
  }

 private:
  absl::Status CheckOptionsUtf8() const {
    const std::pair<const char*, const std::optional<std::string>*> flags[] = {
        {"--relation", &options_.relation},
        {"--license", &options_.license},
        {"--license-url", &options_.license_url},
        {"--code-license", &options_.code_license},
        {"--description", &options_.description},
        {"--release-date", &options_.release_date},
        {"--publisher", &options_.publisher},
        {"--jurisdiction", &options_.jurisdiction},
        {"--dataset-role", &options_.dataset_role},
        {"--dataset-disclosure", &options_.dataset_disclosure},
        {"--openness-claim", &options_.openness_claim},
    };
    for (const auto& [flag, value] : flags) {
      if (value->has_value() && !IsValidUtf8(**value)) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag, ": invalid utf-8"));
      }
    }
    for (const auto& [id, version] : options_.base_versions) {
      if (!IsValidUtf8(id) || !IsValidUtf8(version)) {
        return absl::InvalidArgumentError("--base-version: invalid utf-8");
      }
    }
    return absl::OkStatus();
  }

  void Note(std::string note) { notes_.push_back(std::move(note)); }

  void Missing(const std::string& pointer, std::string field, std::string hint,
               OrderedJson placeholder) {
    const OrderedJson::json_pointer json_pointer(pointer);
    meta_[json_pointer] = nullptr;
    missing_.push_back(
        MissingEntry{HfMissingField{std::move(field), std::move(hint)},
                     json_pointer, std::move(placeholder)});
  }

  void SetOrMissing(const std::string& pointer,
                    const std::optional<std::string>& value, std::string field,
                    std::string hint, const char* placeholder) {
    if (value.has_value()) {
      meta_[OrderedJson::json_pointer(pointer)] = *value;
    } else {
      Missing(pointer, std::move(field), std::move(hint), placeholder);
    }
  }

  void DeclareCatalogRef(const std::string& id,
                         const std::optional<std::string>& url) {
    for (const OrderedJson& declared : license_refs_) {
      if (declared["id"] == id) return;
    }
    const core::license::LicenseTerms* terms =
        core::license::FindLicenseTerms(id);
    if (terms == nullptr) return;  // an SPDX id needs no declaration
    if (!absl::StartsWith(id, "LicenseRef-")) return;
    std::string text_url = terms->sources.empty() ? "" : terms->sources[0];
    if (url.has_value()) text_url = *url;
    license_refs_.push_back(
        {{"id", id}, {"name", terms->name}, {"url", text_url}});
  }

  absl::Status ImportLicenses() {
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> license,
                              ScalarField(root_, "license"));
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> license_name,
                              ScalarField(root_, "license_name"));
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> license_link,
                              ScalarField(root_, "license_link"));
    std::optional<std::string> link_url;
    if (options_.license_url.has_value()) {
      if (!IsAbsoluteHttpUrl(*options_.license_url)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--license-url ", Quoted(*options_.license_url),
                         ": expected an absolute http(s) url"));
      }
      link_url = options_.license_url;
    } else if (license_link.has_value() && IsAbsoluteHttpUrl(*license_link)) {
      link_url = license_link;
    }
    const YamlNode* license_node = root_.Find("license");
    std::string weights;
    if (options_.license.has_value()) {
      std::optional<std::string> id = ResolveLicenseId(*options_.license);
      if (!id.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--license ", Quoted(*options_.license),
            ": not a hub license id, spdx id or license catalog id "
            "(docs/license-catalog.md)"));
      }
      weights = *id;
      if (license.has_value()) {
        Note(absl::StrCat("license: --license ", *options_.license,
                          " replaces the card's ", Quoted(*license)));
      }
      DeclareCatalogRef(weights, link_url);
    } else if (!license.has_value()) {
      Missing("/licenses/weights", "meta.licenses.weights",
              "--license ID (the card states no license)", "MIT");
    } else if (*license == "other") {
      if (!license_name.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            At("license", *license_node),
            ": \"other\" needs license_name (or pass --license ID)"));
      }
      if (std::optional<std::string> id = ResolveLicenseId(*license_name)) {
        weights = *id;
        DeclareCatalogRef(weights, link_url);
      } else {
        PEDIGREE_ASSIGN_OR_RETURN(weights,
                                  CustomLicense(*license_name, license_link));
      }
    } else {
      std::optional<std::string> id =
          core::license::LicenseIdForHubName(*license);
      if (!id.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            At("license", *license_node), ": ", Quoted(*license),
            " is not a hub license id the license catalog maps "
            "(docs/license-catalog.md); pass --license ID to state the "
            "license"));
      }
      weights = *id;
      DeclareCatalogRef(weights, link_url);
      if (license_name.has_value()) {
        Note(absl::StrCat("license_name ", Quoted(*license_name),
                          " ignored: it only applies to license: other"));
      }
    }
    if (!weights.empty()) meta_["licenses"]["weights"] = weights;
    if (options_.code_license.has_value()) {
      meta_["licenses"]["code"] = *options_.code_license;
      DeclareCatalogRef(*options_.code_license, std::nullopt);
    } else {
      Missing("/licenses/code", "meta.licenses.code",
              "--code-license EXPR (the card states no code license)", "MIT");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> CustomLicense(
      const std::string& name, const std::optional<std::string>& link) {
    const YamlNode& node = *root_.Find("license_name");
    std::string url;
    if (options_.license_url.has_value()) {
      url = *options_.license_url;
    } else if (!link.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          At("license_name", node), ": ", Quoted(name),
          " is not in the license catalog and the card has no license_link: "
          "pass --license-url URL (the license text) or --license ID"));
    } else if (!IsAbsoluteHttpUrl(*link)) {
      return absl::InvalidArgumentError(absl::StrCat(
          At("license_link", *root_.Find("license_link")), ": ", Quoted(*link),
          " is not an absolute http(s) url (license ", Quoted(name),
          " is not in the license catalog): pass --license-url URL"));
    } else {
      url = *link;
    }
    const std::string sanitized = SanitizeLicenseName(name);
    if (sanitized.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(At("license_name", node), ": ", Quoted(name),
                       " has no letters or digits to form a LicenseRef- id"));
    }
    const std::string id = absl::StrCat("LicenseRef-", sanitized);
    license_refs_.push_back({{"id", id}, {"name", name}, {"url", url}});
    Note(absl::StrCat("license_name ", Quoted(name),
                      " is not in the license catalog: declared as ", id, " (",
                      url,
                      "); pedigree cannot judge its terms until the catalog "
                      "knows it"));
    return id;
  }

  absl::Status ImportDatasets() {
    PEDIGREE_ASSIGN_OR_RETURN(auto datasets, ListField(root_, "datasets"));
    std::optional<core::record::DatasetDisclosure> disclosure;
    if (options_.dataset_role.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(
          core::record::ParseDatasetRole(*options_.dataset_role).status());
    }
    if (options_.dataset_disclosure.has_value()) {
      PEDIGREE_ASSIGN_OR_RETURN(
          disclosure,
          core::record::ParseDatasetDisclosure(*options_.dataset_disclosure));
    }
    std::set<std::string> seen;
    OrderedJson list = OrderedJson::array();
    for (const auto& [name, line] : datasets) {
      if (name.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": datasets: empty dataset name"));
      }
      if (!seen.insert(name).second) {
        Note(absl::StrCat("datasets: ", Quoted(name),
                          " is listed twice; kept once"));
        continue;
      }
      const size_t i = list.size();
      OrderedJson entry = {{"name", name}};
      const bool hub_id = core::record::ParseModelId(name).ok() ||
                          core::record::ValidateModelName(name).ok();
      if (hub_id) {
        entry["uri"] = absl::StrCat(kHubDatasetPrefix, name);
      } else {
        Note(absl::StrCat("datasets: ", Quoted(name),
                          " is not a hub dataset id; no uri recorded"));
      }
      list.push_back(std::move(entry));
      const std::string at = absl::StrCat("/datasets/", i);
      const std::string field = absl::StrCat("meta.datasets[", i, "]");
      meta_["datasets"] = list;  // so that Missing can address the entry
      SetOrMissing(at + "/role", options_.dataset_role, field + ".role",
                   "--dataset-role ROLE (pretraining, fine_tuning, alignment, "
                   "evaluation, distillation)",
                   "pretraining");
      SetOrMissing(at + "/disclosure", options_.dataset_disclosure,
                   field + ".disclosure",
                   "--dataset-disclosure D (full_release, "
                   "described_with_sources, summary, undisclosed)",
                   "summary");
      if (disclosure != core::record::DatasetDisclosure::kUndisclosed) {
        Missing(at + "/license", field + ".license",
                "the dataset's license (SPDX expression); remove the field if "
                "the disclosure is undisclosed",
                "CC0-1.0");
      }
      list = meta_["datasets"];
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> InferRelation(size_t base_count) {
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> library,
                              ScalarField(root_, "library_name"));
    PEDIGREE_ASSIGN_OR_RETURN(auto tags, ListField(root_, "tags"));
    const auto has_tag = [&](absl::string_view tag) {
      for (const auto& [value, line] : tags) {
        if (absl::EqualsIgnoreCase(value, tag)) return true;
      }
      return false;
    };
    std::string relation;
    std::string reason;
    if (library == "peft" || has_tag("peft") || has_tag("lora")) {
      relation = "adapter";
      reason = "library_name or tag peft/lora";
    } else if (library == "gguf" || has_tag("gguf")) {
      relation = "quantized";
      reason = "a gguf tag or library";
    } else if (base_count >= 2) {
      relation = "merge";
      reason = "several base models";
    } else {
      relation = "finetune";
      reason = "one base model and no adapter or gguf marker";
    }
    Note(absl::StrCat("base_model_relation absent: assumed ", relation, " (",
                      reason, "); pass --relation to change it"));
    return relation;
  }

  absl::Status ImportParents() {
    PEDIGREE_ASSIGN_OR_RETURN(auto bases, ListField(root_, "base_model"));
    PEDIGREE_ASSIGN_OR_RETURN(std::optional<std::string> card_relation,
                              ScalarField(root_, "base_model_relation"));
    if (card_relation.has_value()) {
      const std::string& value = *card_relation;
      if (value != "adapter" && value != "merge" && value != "quantized" &&
          value != "finetune") {
        return absl::InvalidArgumentError(absl::StrCat(
            At("base_model_relation", *root_.Find("base_model_relation")), ": ",
            Quoted(value),
            " is not a hub relation (adapter, merge, quantized, finetune)"));
      }
    }
    if (options_.relation.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(
          core::record::ParseRelation(*options_.relation).status());
    }
    std::vector<core::record::ModelRef> models;
    for (size_t i = 0; i < bases.size(); ++i) {
      const auto& [id, line] = bases[i];
      absl::StatusOr<core::record::ModelRef> model =
          core::record::ParseModelId(id);
      if (!model.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", line, ": base_model ", Quoted(id), ": ",
            model.status().message(), " (expected a hub id org/name)"));
      }
      for (const core::record::ModelRef& other : models) {
        if (absl::EqualsIgnoreCase(core::record::ModelId(other), id)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line, ": base_model ", Quoted(id), " is listed twice"));
        }
      }
      models.push_back(*std::move(model));
    }
    for (const auto& [id, version] : options_.base_versions) {
      bool named = false;
      for (const core::record::ModelRef& model : models) {
        named =
            named || absl::EqualsIgnoreCase(core::record::ModelId(model), id);
      }
      if (!named) {
        return absl::InvalidArgumentError(
            absl::StrCat("--base-version ", Quoted(id),
                         ": the card's base_model does not name this model"));
      }
    }
    if (models.empty()) {
      PEDIGREE_ASSIGN_OR_RETURN(auto tags, ListField(root_, "tags"));
      for (const auto& [tag, line] : tags) {
        if (tag == "merge" || tag == "mergekit") {
          Note(
              "the card is tagged as a merge but base_model names no model: "
              "no parents recorded; add meta.parents by hand");
          break;
        }
      }
      if (card_relation.has_value() || options_.relation.has_value()) {
        Note("base_model_relation ignored: the card names no base_model");
      }
      return absl::OkStatus();
    }
    if (models.size() > core::record::kMaxLineageEdges) {
      return absl::InvalidArgumentError(
          absl::StrCat("base_model lists ", models.size(),
                       " models, more than ", core::record::kMaxLineageEdges));
    }
    std::string relation;
    if (options_.relation.has_value()) {
      relation = *options_.relation;
      if (card_relation.has_value() && *card_relation != relation) {
        Note(absl::StrCat("relation: --relation ", relation,
                          " replaces the card's base_model_relation ",
                          *card_relation));
      }
    } else if (card_relation.has_value()) {
      relation = *card_relation;
    } else {
      PEDIGREE_ASSIGN_OR_RETURN(relation, InferRelation(models.size()));
    }
    if (relation == "merge" && models.size() < 2) {
      return absl::InvalidArgumentError(
          "base_model_relation merge needs at least two base_model entries; "
          "the card names one (pass --relation to state another relation)");
    }
    if (relation != "merge" && relation != "distillation" &&
        models.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "base_model names ", models.size(), " models but relation ", relation,
          " allows exactly one parent (a record has one finetune, adapter, "
          "quantized, continued_pretraining, conversion or "
          "architecture_reuse parent); use merge or --relation"));
    }
    std::vector<std::string> unversioned;
    OrderedJson parents = OrderedJson::array();
    for (const core::record::ModelRef& model : models) {
      const std::string id = core::record::ModelId(model);
      const std::string* version = nullptr;
      for (const auto& [key, value] : options_.base_versions) {
        if (absl::EqualsIgnoreCase(key, id)) version = &value;
      }
      if (version == nullptr) {
        unversioned.push_back(id);
        continue;
      }
      std::string ref;
      if (absl::StartsWith(*version, core::record::kRootDigestPrefix)) {
        absl::StatusOr<core::record::ModelLocator> locator =
            core::record::ParseModelLocator(*version);
        if (!locator.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("--base-version ", id, "=", *version, ": ",
                           locator.status().message()));
        }
        ref = *version;
      } else {
        absl::Status valid = core::record::ValidateVersionLabel(*version);
        if (!valid.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "--base-version ", id, "=", *version, ": ", valid.message()));
        }
        ref = absl::StrCat(id, "@", *version);
      }
      parents.push_back({{"ref", ref}, {"relation", relation}});
    }
    if (!unversioned.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a parent needs the version (or sha256:<root digest>) under which "
          "it is registered: pass --base-version ORG/NAME=VERSION for ",
          absl::StrJoin(unversioned, ", ")));
    }
    meta_["parents"] = std::move(parents);
    if (relation == "quantized") {
      Note(
          "quantized: the card does not give the method and bits; add "
          "parents[0].detail and meta.files by hand if you know them");
    }
    return absl::OkStatus();
  }

  absl::Status ImportLanguages() {
    PEDIGREE_ASSIGN_OR_RETURN(auto languages, ListField(root_, "language"));
    for (const auto& [language, line] : languages) {
      languages_.push_back(language);
    }
    if (!languages_.empty()) {
      Note(absl::StrCat("language (", absl::StrJoin(languages_, ", "),
                        "): the meta file has no field for languages; not "
                        "recorded"));
    }
    return absl::OkStatus();
  }

  // Proves that the meta file is accepted once the missing fields are
  // filled: placeholders go into a copy, which must pass ParseMetaFile and
  // BuildRecord (every record rule) for a dummy one-file model.
  absl::Status SelfCheck() const {
    OrderedJson filled = meta_;
    for (const MissingEntry& entry : missing_) {
      filled[entry.pointer] = entry.placeholder;
    }
    absl::StatusOr<MetaFile> meta = ParseMetaFile(filled.dump());
    absl::Status status = meta.status();
    if (status.ok()) {
      core::manifest::ManifestEntry file;
      file.name = "model.safetensors";
      file.digest = std::string(32, '\x11');
      file.size = 1;
      absl::StatusOr<core::manifest::Manifest> manifest =
          core::manifest::Manifest::Create({file});
      if (!manifest.ok()) return manifest.status();
      DirectoryManifest hashed{".", *std::move(manifest)};
      core::record::ModelRef self{"pedigree-import-hf", "self-check", "0"};
      status = BuildRecord(*meta, self, hashed).status();
    }
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the meta file would be refused: ", status.message()));
    }
    return absl::OkStatus();
  }

  const YamlNode& root_;
  const HfImportOptions& options_;
  OrderedJson meta_;
  OrderedJson license_refs_ = OrderedJson::array();
  std::vector<MissingEntry> missing_;
  std::vector<std::string> notes_;
  std::vector<std::string> languages_;
};

}  // namespace

absl::StatusOr<YamlNode> ParseYamlFrontMatter(absl::string_view yaml,
                                              int first_line) {
  if (yaml.size() > kMaxFrontMatterSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("front matter is ", yaml.size(), " bytes, more than the ",
                     kMaxFrontMatterSize, " byte limit"));
  }
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= yaml.size()) {
    size_t end = yaml.find('\n', start);
    if (end == absl::string_view::npos) end = yaml.size();
    absl::string_view line = yaml.substr(start, end - start);
    if (absl::EndsWith(line, "\r")) line.remove_suffix(1);
    const int number = first_line + static_cast<int>(lines.size());
    for (size_t i = 0; i < line.size();) {
      const unsigned char c = static_cast<unsigned char>(line[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", number, ": control character 0x",
            absl::Hex(c, absl::kZeroPad2), " (only tab is allowed)"));
      }
      const size_t length = Utf8SequenceLength(line.substr(i));
      if (length == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", number, ": invalid utf-8"));
      }
      i += length;
    }
    if (line == "---" || absl::StartsWith(line, "--- ") || line == "..." ||
        absl::StartsWith(line, "... ")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", number,
          ": a document marker; the front matter must be one yaml document"));
    }
    if (absl::StartsWith(line, "%")) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", number, ": yaml directives are not supported"));
    }
    lines.emplace_back(line);
    if (end == yaml.size()) break;
    start = end + 1;
  }
  if (!yaml.empty() && yaml.back() == '\n') lines.pop_back();
  YamlParser parser(std::move(lines), first_line);
  return parser.ParseDocument();
}

absl::StatusOr<YamlNode> ParseModelCardFrontMatter(absl::string_view card) {
  if (card.size() > kMaxModelCardSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("model card is ", card.size(), " bytes, more than the ",
                     kMaxModelCardSize, " byte limit"));
  }
  absl::ConsumePrefix(&card, "\xef\xbb\xbf");
  const auto line_at = [&](size_t start, size_t* next) {
    size_t end = card.find('\n', start);
    if (end == absl::string_view::npos) end = card.size();
    *next = end + 1;
    absl::string_view line = card.substr(start, end - start);
    absl::ConsumeSuffix(&line, "\r");
    return absl::StripTrailingAsciiWhitespace(line);
  };
  size_t next = 0;
  if (card.empty() || line_at(0, &next) != "---") {
    return absl::InvalidArgumentError(
        "the model card has no yaml front matter: its first line must be "
        "\"---\"");
  }
  const size_t body = std::min(next, card.size());
  size_t start = body;
  while (start < card.size()) {
    size_t after = 0;
    if (line_at(start, &after) == "---") {
      return ParseYamlFrontMatter(card.substr(body, start - body), 2);
    }
    start = after;
  }
  return absl::InvalidArgumentError(
      "line 1: the front matter has no closing \"---\" line");
}

absl::StatusOr<HfImport> ImportHfCard(absl::string_view card,
                                      const HfImportOptions& options) {
  PEDIGREE_ASSIGN_OR_RETURN(const YamlNode root,
                            ParseModelCardFrontMatter(card));
  Importer importer(root, options);
  return importer.Run();
}

}  // namespace pedigree::client
