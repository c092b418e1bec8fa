#include "core/encoding/json_object_reader.h"

#include <cstdint>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core {
namespace {

using ::pedigree::testing::StatusIs;
using ::testing::Eq;
using Json = nlohmann::json;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(JsonMemberPathTest, PlainKeysJoinWithADotAndNoLeadingDot) {
  EXPECT_EQ(JsonMemberPath("meta", "name_1"), "meta.name_1");
  EXPECT_EQ(JsonMemberPath("", "name"), "name");
}

TEST(JsonMemberPathTest, OtherKeysAreQuotedAndEscaped) {
  EXPECT_EQ(JsonMemberPath("meta", "a b\n"), "meta[\"a b\\n\"]");
  EXPECT_EQ(JsonIndexPath("meta.files", 3), "meta.files[3]");
}

TEST(JsonObjectReaderTest, RefusesAnUnknownMember) {
  const Json value = Json::parse(R"({"name": "x", "nmae": "y"})");

  EXPECT_THAT(JsonObjectReader::Create(value, "meta", {"name"}),
              StatusIs(kInvalid, Eq("meta.nmae: unknown field")));
}

TEST(JsonObjectReaderTest, RefusesAValueThatIsNotAnObject) {
  EXPECT_THAT(JsonObjectReader::Create(Json::array(), "meta", {}),
              StatusIs(kInvalid, Eq("meta: expected an object")));
}

TEST(JsonObjectReaderTest, ReadsTypedMembers) {
  const Json value =
      Json::parse(R"({"s": "x", "n": 7, "b": true, "a": [1, 2], "o": {}})");
  ASSERT_OK_AND_ASSIGN(
      JsonObjectReader reader,
      JsonObjectReader::Create(value, "", {"s", "n", "b", "a", "o", "z"}));

  ASSERT_OK_AND_ASSIGN(std::string text, reader.String("s"));
  EXPECT_EQ(text, "x");
  ASSERT_OK_AND_ASSIGN(uint64_t n, reader.Uint("n", 10));
  EXPECT_EQ(n, 7u);
  ASSERT_OK_AND_ASSIGN(bool b, reader.Bool("b"));
  EXPECT_TRUE(b);
  ASSERT_OK_AND_ASSIGN(auto elements, reader.OptionalArray("a"));
  EXPECT_EQ(elements.size(), 2u);
  EXPECT_OK(reader.Object("o", {}).status());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> absent,
                       reader.OptionalString("z"));
  EXPECT_FALSE(absent.has_value());
}

TEST(JsonObjectReaderTest, NamesAMissingRequiredMember) {
  const Json value = Json::object();
  ASSERT_OK_AND_ASSIGN(JsonObjectReader reader,
                       JsonObjectReader::Create(value, "meta", {"name"}));

  EXPECT_THAT(reader.String("name"),
              StatusIs(kInvalid, Eq("meta.name: missing required field")));
}

TEST(JsonObjectReaderTest, RefusesWrongTypes) {
  const Json value = Json::parse(R"({"s": 1, "n": -1, "b": "yes", "a": {}})");
  ASSERT_OK_AND_ASSIGN(
      JsonObjectReader reader,
      JsonObjectReader::Create(value, "m", {"s", "n", "b", "a"}));

  EXPECT_THAT(reader.String("s"),
              StatusIs(kInvalid, Eq("m.s: expected a string")));
  EXPECT_THAT(reader.Uint("n", 10),
              StatusIs(kInvalid, Eq("m.n: expected a non-negative integer")));
  EXPECT_THAT(reader.Bool("b"),
              StatusIs(kInvalid, Eq("m.b: expected a boolean")));
  EXPECT_THAT(reader.Array("a"),
              StatusIs(kInvalid, Eq("m.a: expected an array")));
}

TEST(JsonObjectReaderTest, RefusesIntegersAboveTheBound) {
  const Json value = Json::parse(R"({"n": 11, "big": 4294967296})");
  ASSERT_OK_AND_ASSIGN(JsonObjectReader reader,
                       JsonObjectReader::Create(value, "m", {"n", "big"}));

  EXPECT_THAT(reader.Uint("n", 10),
              StatusIs(kInvalid, Eq("m.n: 11 is larger than 10")));
  EXPECT_THAT(
      reader.OptionalUint32("big"),
      StatusIs(kInvalid, Eq("m.big: 4294967296 is larger than 4294967295")));
}

}  // namespace
}  // namespace pedigree::core
