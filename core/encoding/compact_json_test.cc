#include "core/encoding/compact_json.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace pedigree::core {
namespace {

using Json = nlohmann::json;

std::string NlohmannDump(const Json& document) {
  return document.dump(-1, ' ', /*ensure_ascii=*/false,
                       Json::error_handler_t::replace);
}

// Writes `document` (no floats or nulls: the writer has none) through a
// CompactJsonWriter, members in the document's (byte) order.
void WriteThrough(const Json& document, CompactJsonWriter* writer) {
  switch (document.type()) {
    case Json::value_t::object:
      writer->BeginObject();
      for (auto it = document.begin(); it != document.end(); ++it) {
        writer->Key(it.key());
        WriteThrough(it.value(), writer);
      }
      writer->EndObject();
      break;
    case Json::value_t::array:
      writer->BeginArray();
      for (const Json& element : document) WriteThrough(element, writer);
      writer->EndArray();
      break;
    case Json::value_t::string:
      writer->String(document.get_ref<const std::string&>());
      break;
    case Json::value_t::number_unsigned:
      writer->Uint(document.get<uint64_t>());
      break;
    case Json::value_t::number_integer:
      writer->Int(document.get<int64_t>());
      break;
    case Json::value_t::boolean:
      writer->Bool(document.get<bool>());
      break;
    default:
      FAIL() << "no writer method for " << document.type_name();
  }
}

std::string Written(const Json& document) {
  CompactJsonWriter writer;
  WriteThrough(document, &writer);
  return std::move(writer).Finish();
}

TEST(CompactJsonWriterTest, WritesWhatNlohmannWritesForEveryKind) {
  const Json document = {
      {"true", true},
      {"false", false},
      {"unsigned", std::numeric_limits<uint64_t>::max()},
      {"zero", 0},
      {"negative", std::numeric_limits<int64_t>::min()},
      {"string", "plain"},
      {"empty string", ""},
      {"empty object", Json::object()},
      {"empty array", Json::array()},
      {"nested", {{"b", {1, {2, {3, Json::object()}}}}, {"a", Json::array()}}},
      {"z", {"x", Json::array(), {{"k", "v"}, {"l", Json::object()}}, 4}},
  };

  EXPECT_EQ(Written(document), NlohmannDump(document));
}

TEST(CompactJsonWriterTest, WritesScalarsAtTopLevel) {
  for (const Json& document : {Json("text"), Json(7), Json(-7), Json(true),
                               Json::array(), Json::object(), Json({1, 2})}) {
    EXPECT_EQ(Written(document), NlohmannDump(document));
  }
}

TEST(CompactJsonWriterTest, EscapesEveryByteInKeysAndValuesAsNlohmannDoes) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string text =
        "a" + std::string(1, static_cast<char>(byte)) + "b";
    const Json document = {{text, text}, {"list", {text, text}}};
    EXPECT_EQ(Written(document), NlohmannDump(document)) << "byte " << byte;
  }
}

TEST(CompactJsonWriterTest, WritesUtf8AndReplacesInvalidUtf8AsNlohmannDoes) {
  for (const std::string& text :
       {std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
        std::string("bad \xff end"), std::string("truncated \xe2\x82"),
        std::string("\xed\xa0\x80"), std::string("overlong \xc0\xaf")}) {
    const Json document = {{"k", text}, {text, {text}}};
    EXPECT_EQ(Written(document), NlohmannDump(document));
  }
}

TEST(CompactJsonWriterTest, KeepsBytesAfterAnEmbeddedNul) {
  const std::string text("a\0b", 3);
  CompactJsonWriter writer;
  writer.BeginArray().String(text).EndArray();

  EXPECT_EQ(std::move(writer).Finish(), "[\"a\\u0000b\"]");
}

TEST(CompactJsonWriterTest, WritesRandomDocumentsAsNlohmannDoes) {
  std::mt19937 random(20261129);
  const auto pick = [&random](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(random);
  };
  const auto random_string = [&] {
    std::string text;
    const int length = pick(12);
    for (int i = 0; i < length; ++i) {
      // Mostly printable ASCII, sometimes anything.
      text.push_back(
          static_cast<char>(pick(4) == 0 ? pick(256) : 0x20 + pick(95)));
    }
    return text;
  };
  for (int round = 0; round < 2000; ++round) {
    Json document = Json::object();
    Json* container = &document;
    for (int i = 0; i < 30; ++i) {
      Json value;
      switch (pick(6)) {
        case 0:
          value = random_string();
          break;
        case 1:
          value = static_cast<int64_t>(random()) - (int64_t{1} << 31);
          break;
        case 2:
          value = static_cast<uint64_t>(random()) << 32;
          break;
        case 3:
          value = pick(2) == 0;
          break;
        case 4:
          value = Json::object();
          break;
        default:
          value = Json::array();
          break;
      }
      const bool opens = value.is_structured();
      Json* added;
      if (container->is_object()) {
        added = &((*container)[random_string()] = std::move(value));
      } else {
        container->push_back(std::move(value));
        added = &container->back();
      }
      if (opens) container = added;
    }
    ASSERT_EQ(Written(document), NlohmannDump(document)) << "round " << round;
  }
}

}  // namespace
}  // namespace pedigree::core
