#include "core/record/country_code.h"

#include <string>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"

namespace pedigree::core::record {
namespace {

TEST(CountryCodeTest, TableHasTwoUpperCaseLettersPerCodeInStrictOrder) {
  std::string previous;

  for (size_t i = 0; i < kAssignedCountryCodeCount; ++i) {
    const std::string code(AssignedCountryCode(i));
    ASSERT_EQ(code.size(), 2u) << i;
    EXPECT_TRUE(absl::ascii_isupper(code[0]) && absl::ascii_isupper(code[1]))
        << code;
    EXPECT_LT(previous, code);
    previous = code;
  }
}

TEST(CountryCodeTest, IndexPastEndIsEmpty) {
  EXPECT_TRUE(AssignedCountryCode(kAssignedCountryCodeCount).empty());
}

TEST(CountryCodeTest, AcceptsAssignedCodes) {
  for (const char* code : {"AD", "CN", "DE", "FR", "GB", "JP", "KR", "TW", "US",
                           "AE", "SS", "ZW"}) {
    EXPECT_TRUE(IsAssignedCountryCode(code)) << code;
  }
}

TEST(CountryCodeTest, RefusesReservedAndUserAssignedCodes) {
  // EU and UK are exceptionally reserved, AN transitionally reserved, XK and
  // AA user-assigned: none is an assigned country code.
  for (const char* code : {"EU", "UK", "AN", "XK", "AA", "ZZ"}) {
    EXPECT_FALSE(IsAssignedCountryCode(code)) << code;
  }
}

TEST(CountryCodeTest, RefusesLowerCaseAndWrongLength) {
  for (const char* code : {"us", "Us", "USA", "U", ""}) {
    EXPECT_FALSE(IsAssignedCountryCode(code)) << code;
  }
}

}  // namespace
}  // namespace pedigree::core::record
