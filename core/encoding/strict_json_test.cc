#include "core/encoding/strict_json.h"

#include <string>
#include <utility>

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

}  // namespace
}  // namespace pedigree::core
