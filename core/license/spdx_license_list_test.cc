#include "core/license/spdx_license_list.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::license {
namespace {

using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;

TEST(SpdxLicenseListTest, LoadsEveryLicenseOfTheDataFile) {
  // data/spdx-licenses.json (spdx-license-list 6.12.0) has 727 ids.
  EXPECT_EQ(SpdxLicenseCount(), 727u);
}

TEST(SpdxLicenseListTest, LoadsEveryExceptionOfTheDataFile) {
  // data/spdx-exceptions.json (spdx-exceptions 2.5.0) has 66 ids.
  EXPECT_EQ(SpdxExceptionCount(), 66u);
}

TEST(SpdxLicenseListTest, LookupReturnsEntryForMit) {
  ASSERT_OK_AND_ASSIGN(LicenseInfo info, LookupSpdxLicense("MIT"));

  EXPECT_EQ(info.id, "MIT");
  EXPECT_EQ(info.name, "MIT License");
  EXPECT_EQ(info.url, "https://opensource.org/license/mit/");
  EXPECT_TRUE(info.osi_approved);
}

TEST(SpdxLicenseListTest, LookupIsCaseInsensitiveAndReturnsCanonicalId) {
  ASSERT_OK_AND_ASSIGN(LicenseInfo lower, LookupSpdxLicense("mit"));
  ASSERT_OK_AND_ASSIGN(LicenseInfo mixed, LookupSpdxLicense("aPACHE-2.0"));

  EXPECT_EQ(lower.id, "MIT");
  EXPECT_EQ(mixed.id, "Apache-2.0");
}

TEST(SpdxLicenseListTest, LookupReportsOsiApprovalFlags) {
  ASSERT_OK_AND_ASSIGN(LicenseInfo apache, LookupSpdxLicense("Apache-2.0"));
  ASSERT_OK_AND_ASSIGN(LicenseInfo nc, LookupSpdxLicense("CC-BY-NC-4.0"));
  ASSERT_OK_AND_ASSIGN(LicenseInfo nc_sa, LookupSpdxLicense("CC-BY-NC-SA-4.0"));

  EXPECT_TRUE(apache.osi_approved);
  EXPECT_FALSE(nc.osi_approved);
  EXPECT_FALSE(nc_sa.osi_approved);
}

TEST(SpdxLicenseListTest, LookupReturnsNotFoundForUnknownId) {
  EXPECT_THAT(LookupSpdxLicense("llama3.1"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("llama3.1")));
}

TEST(SpdxLicenseListTest, LookupReturnsNotFoundForEmptyId) {
  EXPECT_THAT(LookupSpdxLicense(""), StatusIs(absl::StatusCode::kNotFound));
}

TEST(SpdxLicenseListTest, LookupDoesNotFindExceptions) {
  EXPECT_THAT(LookupSpdxLicense("Classpath-exception-2.0"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(SpdxLicenseListTest, ExceptionLookupReturnsCanonicalSpelling) {
  ASSERT_OK_AND_ASSIGN(std::string id,
                       LookupSpdxException("CLASSPATH-EXCEPTION-2.0"));

  EXPECT_EQ(id, "Classpath-exception-2.0");
}

TEST(SpdxLicenseListTest, IsSpdxExceptionRejectsLicenseIds) {
  EXPECT_TRUE(IsSpdxException("LLVM-exception"));
  EXPECT_FALSE(IsSpdxException("MIT"));
  EXPECT_FALSE(IsSpdxException(""));
}

TEST(SpdxLicenseListTest, ExceptionLookupReturnsNotFoundForUnknownId) {
  EXPECT_THAT(
      LookupSpdxException("No-such-exception"),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("No-such-exception")));
}

}  // namespace
}  // namespace pedigree::core::license
