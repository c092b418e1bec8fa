#include "core/encoding/strict_json.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace pedigree::core {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::Eq;
using Json = nlohmann::json;
using std::string_literals::operator""s;

StrictJsonOptions Root(std::string root_path) {
  StrictJsonOptions options;
  options.root_path = std::move(root_path);
  return options;
}

// --- accepted documents ---

TEST(ParseStrictJsonTest, ParsesValidDocument) {
  ASSERT_OK_AND_ASSIGN(
      Json document,
      ParseStrictJson(R"( {"a":1,"b":[true,null,"x\u00e9"],"c":{"d":-2.5}} )",
                      StrictJsonOptions()));

  EXPECT_EQ(document,
            Json::object({{"a", 1},
                          {"b", Json::array({true, nullptr, "x\xc3\xa9"})},
                          {"c", Json::object({{"d", -2.5}})}}));
}

TEST(ParseStrictJsonTest, ParsesScalarDocument) {
  ASSERT_OK_AND_ASSIGN(Json document,
                       ParseStrictJson("\"x\"", StrictJsonOptions()));

  EXPECT_EQ(document, Json("x"));
}

TEST(ParseStrictJsonTest, SameKeyInSiblingObjectsIsNotADuplicate) {
  EXPECT_THAT(
      ParseStrictJson(R"({"a":{"k":1},"b":{"k":2},"c":[{"k":3},{"k":4}]})",
                      StrictJsonOptions()),
      IsOk());
}

TEST(ParseStrictJsonTest, SameKeyInParentAndChildIsNotADuplicate) {
  EXPECT_THAT(ParseStrictJson(R"({"k":{"k":{"k":1}}})", StrictJsonOptions()),
              IsOk());
}

TEST(ParseStrictJsonTest, DeeplyNestedDocumentDoesNotExhaustStack) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');

  EXPECT_THAT(ParseStrictJson(deep, StrictJsonOptions()), IsOk());
}

// --- duplicate keys ---

TEST(ParseStrictJsonTest, RefusesDuplicateTopLevelKey) {
  EXPECT_THAT(
      ParseStrictJson(R"({"a":1,"b":2,"a":3})", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("a: duplicate key")));
}

TEST(ParseStrictJsonTest, RefusesDuplicateKeyWithEqualValue) {
  EXPECT_THAT(
      ParseStrictJson(R"({"a":1,"a":1})", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("a: duplicate key")));
}

TEST(ParseStrictJsonTest, PrefixesRootPathToDuplicateKeyPath) {
  EXPECT_THAT(ParseStrictJson(R"({"a":1,"a":3})", Root("meta")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("meta.a: duplicate key")));
}

TEST(ParseStrictJsonTest, RefusesDuplicateNestedKey) {
  EXPECT_THAT(
      ParseStrictJson(R"({"a":{"b":{"c":1,"c":2}}})", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("a.b.c: duplicate key")));
}

TEST(ParseStrictJsonTest, RefusesDuplicateKeyInsideArrayElement) {
  EXPECT_THAT(
      ParseStrictJson(R"({"a":[1,[2,3],{"x":1},{"k":0,"k":1}]})", Root("meta")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("meta.a[3].k: duplicate key")));
}

TEST(ParseStrictJsonTest, RefusesDuplicateKeyInsideNestedArrays) {
  EXPECT_THAT(ParseStrictJson(R"({"a":[[],[{},[{"k":0,"k":1}]]]})",
                              StrictJsonOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("a[1][1][0].k: duplicate key")));
}

TEST(ParseStrictJsonTest, RefusesDuplicateKeyInTopLevelArray) {
  EXPECT_THAT(
      ParseStrictJson(R"([{},{"k":1,"k":2}])", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("[1].k: duplicate key")));
}

TEST(ParseStrictJsonTest, EscapesKeyThatIsNotAnIdentifier) {
  EXPECT_THAT(ParseStrictJson("{\"x\":{\"a b\\n\\\"\":1,\"a b\\n\\\"\":2}}",
                              Root("meta")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("meta.x[\"a b\\n\\\"\"]: duplicate key")));
}

TEST(ParseStrictJsonTest, RefusesDuplicateEmptyKey) {
  EXPECT_THAT(ParseStrictJson(R"({"":1,"":2})", StrictJsonOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("[\"\"]: duplicate key")));
}

TEST(ParseStrictJsonTest, ReportsFirstDuplicateKey) {
  EXPECT_THAT(
      ParseStrictJson(R"({"b":{"x":1,"x":2},"a":1,"a":2})",
                      StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("b.x: duplicate key")));
}

// --- not one JSON document ---

TEST(ParseStrictJsonTest, RefusesTruncatedDocument) {
  EXPECT_THAT(
      ParseStrictJson(R"({"a":)", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, UsesCallerMessageForTextThatIsNotJson) {
  StrictJsonOptions options;
  options.not_json_message = "statement is not valid json";

  EXPECT_THAT(ParseStrictJson("{a:1}", options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("statement is not valid json")));
}

TEST(ParseStrictJsonTest, SyntaxErrorTakesPrecedenceOverDuplicateKey) {
  EXPECT_THAT(
      ParseStrictJson(R"({"a":1,"a":2)", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesEmptyInput) {
  EXPECT_THAT(
      ParseStrictJson("", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesWhitespaceOnlyInput) {
  EXPECT_THAT(
      ParseStrictJson(" \n\t", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesTrailingGarbage) {
  EXPECT_THAT(
      ParseStrictJson(R"({"a":1} x)", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesSecondDocument) {
  EXPECT_THAT(
      ParseStrictJson("{}{}", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesTextAfterNulByte) {
  EXPECT_THAT(
      ParseStrictJson("{\"a\":1}\0{\"b\":2}"s, StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesTrailingNulByte) {
  EXPECT_THAT(
      ParseStrictJson("{}\0"s, StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesRawNulInString) {
  EXPECT_THAT(
      ParseStrictJson("\"a\0b\""s, StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, AcceptsEscapedNulInString) {
  ASSERT_OK_AND_ASSIGN(Json document,
                       ParseStrictJson(R"("a\u0000b")", StrictJsonOptions()));

  EXPECT_EQ(document, Json("a\0b"s));
}

TEST(ParseStrictJsonTest, RefusesInvalidUtf8InString) {
  EXPECT_THAT(
      ParseStrictJson("{\"a\":\"\xff\"}", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesOverlongUtf8InKey) {
  EXPECT_THAT(
      ParseStrictJson("{\"\xc0\xaf\":1}", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesUtf8EncodedSurrogate) {
  EXPECT_THAT(
      ParseStrictJson("\"\xed\xa0\x80\"", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

TEST(ParseStrictJsonTest, RefusesUnpairedSurrogateEscape) {
  EXPECT_THAT(
      ParseStrictJson(R"("\ud800")", StrictJsonOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("not valid json")));
}

// --- the same documents as nlohmann's own parser ---
//
// ParseStrictJson has its own parser (for speed); it must accept exactly
// what nlohmann::json::parse accepts, except repeated keys, and build the
// same document with the same number types.

// Whether `a` and `b` are equal and every value in them has the same type
// (nlohmann's == compares 1 and 1.0 as equal numbers).
bool SameDocument(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameDocument(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !SameDocument(ia.value(), ib.value())) {
        return false;
      }
    }
    return true;
  }
  if (a.is_number_float()) {  // == would take -0.0 for 0.0
    return std::signbit(a.get<double>()) == std::signbit(b.get<double>()) &&
           a == b;
  }
  return a == b;
}

enum class Verdict { kAccepted, kRefused };

// Fails the test unless ParseStrictJson and nlohmann agree on `text`, and
// returns what ParseStrictJson did with it.
Verdict ExpectAgreesWithNlohmann(const std::string& text) {
  SCOPED_TRACE(::testing::PrintToString(text));
  const absl::StatusOr<Json> strict =
      ParseStrictJson(text, StrictJsonOptions());
  if (text.find('\0') != std::string::npos) {
    // nlohmann stops reading at a NUL outside a string; JSON has none.
    EXPECT_FALSE(strict.ok());
    return Verdict::kRefused;
  }
  const Json reference =
      Json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (reference.is_discarded()) {
    EXPECT_THAT(strict, StatusIs(absl::StatusCode::kInvalidArgument,
                                 Eq("not valid json")));
    return Verdict::kRefused;
  }
  if (!strict.ok()) {
    // The one thing refused that nlohmann accepts.
    EXPECT_THAT(std::string(strict.status().message()),
                ::testing::EndsWith("duplicate key"));
    return Verdict::kRefused;
  }
  EXPECT_TRUE(SameDocument(*strict, reference))
      << strict->dump() << " vs " << reference.dump();
  return Verdict::kAccepted;
}

TEST(ParseStrictJsonTest, NumbersAsNlohmannTypesThem) {
  for (const char* text : {"0",
                           "-0",
                           "7",
                           "-7",
                           "0.0",
                           "-0.0",
                           "0e0",
                           "1.5",
                           "-1.5",
                           "1e5",
                           "1E+5",
                           "1e-5",
                           "2.5E-3",
                           "1e-400",
                           "-1e-400",
                           "1e400",
                           "-1e400",
                           "18446744073709551615",
                           "18446744073709551616",
                           "-9223372036854775808",
                           "-9223372036854775809",
                           "9223372036854775808",
                           "123456789012345678901234567890",
                           "-123456789012345678901234567890",
                           "01",
                           "-01",
                           "00",
                           "1.",
                           ".1",
                           "+1",
                           "-",
                           "--1",
                           "1e",
                           "1e+",
                           "1e-",
                           "1.e5",
                           "1.5e",
                           "0x10",
                           "1 2",
                           "[1,-0,2.0,-3]",
                           "Infinity",
                           "NaN",
                           "-Infinity",
                           "1_000"}) {
    ExpectAgreesWithNlohmann(text);
  }
}

TEST(ParseStrictJsonTest, StringsAsNlohmannReadsThem) {
  for (const std::string& body :
       std::vector<std::string>{"",
                                "plain",
                                R"(\"\\\/\b\f\n\r\t)",
                                R"(\u0041\u00e9\u20AC)",
                                R"(\ud83d\ude00)",
                                R"(\uD83D\uDE00)",
                                R"(\ud800)",
                                R"(\udc00)",
                                R"(\ud800\u0041)",
                                R"(\ud800\ud800)",
                                R"(\ud800x)",
                                R"(\u12)",
                                R"(\u12g4)",
                                R"(\x41)",
                                R"(\a)",
                                R"(\)",
                                "\x01",
                                "\x1f",
                                "\x7f",
                                "\t",
                                "\xc2\x80",
                                "\xc1\xbf",
                                "\xc0\x80",
                                "\xdf\xbf",
                                "\xe0\xa0\x80",
                                "\xe0\x9f\xbf",
                                "\xe1\x80\x80",
                                "\xec\xbf\xbf",
                                "\xed\x9f\xbf",
                                "\xed\xa0\x80",
                                "\xee\x80\x80",
                                "\xef\xbf\xbf",
                                "\xf0\x90\x80\x80",
                                "\xf0\x8f\xbf\xbf",
                                "\xf3\xbf\xbf\xbf",
                                "\xf4\x8f\xbf\xbf",
                                "\xf4\x90\x80\x80",
                                "\xf5\x80\x80\x80",
                                "\x80",
                                "\xbf",
                                "\xfe",
                                "\xff",
                                "\xc2",
                                "\xe0\xa0",
                                "\xf0\x90\x80",
                                "\xc2\x41",
                                "\xe1\x80\x41",
                                "a\xf0\x90\x80\x80z"}) {
    ExpectAgreesWithNlohmann("\"" + body + "\"");
    ExpectAgreesWithNlohmann("{\"" + body + "\":1}");
  }
}

// Strings are scanned eight bytes at a time: each kind of byte that ends a
// run of plain ones, at every position of the first words.
TEST(ParseStrictJsonTest, StringBytesAsNlohmannReadsThemAtEveryOffset) {
  for (const std::string& special : std::vector<std::string>{
           "\"", "\\n", "\\u00e9", "\x01", "\x1f", "\x7f", "\xc3\xa9",
           "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3", "\x80", "\xff", "\\",
           std::string(1, '\0')}) {
    for (size_t at = 0; at < 20; ++at) {
      ExpectAgreesWithNlohmann("\"" + std::string(at, 'a') + special +
                               std::string(20 - at, 'b') + "\"");
    }
  }
}

TEST(ParseStrictJsonTest, StructureAsNlohmannReadsIt) {
  for (const char* text : {"{}",           "[]",           " { } ",
                           "[ ]",          "{\"a\":1,}",   "[1,]",
                           "[,1]",         "{,}",          "{\"a\"}",
                           "{\"a\":}",     "{\"a\" 1}",    "{1:2}",
                           "{a:1}",        "[1 2]",        "[1,,2]",
                           "[[[]]]",       "[[[]]",        "[]]",
                           "{\"a\":[{}]}", "true",         "false",
                           "null",         "tru",          "nul",
                           "truex",        "True",         "\xef\xbb\xbf{}",
                           "\xef\xbb{}",   "\xef\xbb\xbf", " \xef\xbb\xbf{}",
                           "{} \n\r\t",    "\x0c{}",       "{}\x0b",
                           "'a'",          "\"a\"\"b\""}) {
    ExpectAgreesWithNlohmann(text);
  }
}

// Edits of valid documents, byte by byte, chosen at random with a fixed
// seed: each edited text is accepted by both parsers (as the same document)
// or refused by both.
TEST(ParseStrictJsonTest, EditedDocumentsAsNlohmannReadsThem) {
  const std::vector<std::string> seeds = {
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"m","digest":{"sha256":"00ff"}}],"predicate":{"n":[1,-2,3.5e2,18446744073709551615],"t":true,"f":false,"z":null}})",
      R"({"payload":"eyJhIjoxfQ==","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"","sig":"AAEC"}]})",
      R"([{"a":"\u00e9\ud83d\ude00\n","b":"caf\u00e9 \u2603"},{"a":[[],{}],"b":-0.0}])",
      "{\"k\xc3\xa9y\":\"v\xe2\x82\xac\xf0\x9f\x98\x80\",\"n\":[0,1e-3,-12]}",
  };
  const std::string alphabet =
      "{}[],:\" \\/-+.0123456789eEtfnu\"aAzZ\x01\x1f\x7f\x80\xbf\xc2\xe0\xed"
      "\xf0\xf4\xff";
  std::mt19937 random(20261129);
  const auto pick = [&random](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(random);
  };
  int accepted = 0;
  int refused = 0;
  for (const std::string& seed : seeds) {
    ASSERT_EQ(ExpectAgreesWithNlohmann(seed), Verdict::kAccepted);
    for (int round = 0; round < 4000; ++round) {
      std::string text = seed;
      const int edits = 1 + static_cast<int>(pick(3));
      for (int e = 0; e < edits && !text.empty(); ++e) {
        const size_t at = pick(text.size());
        switch (pick(4)) {
          case 0:
            text[at] = alphabet[pick(alphabet.size())];
            break;
          case 1:
            text.erase(at, 1);
            break;
          case 2:
            text.insert(at, 1, alphabet[pick(alphabet.size())]);
            break;
          default:
            text.insert(at, text.substr(pick(text.size()), 1 + pick(8)));
            break;
        }
      }
      ++(ExpectAgreesWithNlohmann(text) == Verdict::kAccepted ? accepted
                                                              : refused);
      if (::testing::Test::HasFailure()) return;  // one report, not 4000
    }
  }
  // Both outcomes were exercised, many times.
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace pedigree::core
