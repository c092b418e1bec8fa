#include "core/record/model_ref.h"

#include <string>

#include "core/encoding/hex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::record {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kDigestHex[] =
    "02d449a31fbb267c8f352e9968a79e3e5fc95c1bbeaa502fd6454ebde5a4bedc";

TEST(ModelRefTest, ParseModelRefSplitsNamespaceNameAndVersion) {
  ASSERT_OK_AND_ASSIGN(
      ModelRef ref,
      ParseModelRef("deepseek-ai/DeepSeek-R1-Distill-Llama-8B@2025-01-20"));

  EXPECT_EQ(ref.namespace_name, "deepseek-ai");
  EXPECT_EQ(ref.name, "DeepSeek-R1-Distill-Llama-8B");
  EXPECT_EQ(ref.version, "2025-01-20");
}

TEST(ModelRefTest, ParseModelIdLeavesVersionEmpty) {
  ASSERT_OK_AND_ASSIGN(ModelRef ref, ParseModelId("Qwen/Qwen2.5-7B_Instruct"));

  EXPECT_EQ(ref, (ModelRef{"Qwen", "Qwen2.5-7B_Instruct", ""}));
}

TEST(ModelRefTest, ToStringRoundTripsThroughParse) {
  const ModelRef ref{"mistralai", "Mistral-7B-v0.1", "main"};

  ASSERT_OK_AND_ASSIGN(ModelRef parsed, ParseModelRef(ToString(ref)));

  EXPECT_EQ(ToString(ref), "mistralai/Mistral-7B-v0.1@main");
  EXPECT_EQ(parsed, ref);
}

TEST(ModelRefTest, ToStringOmitsEmptyVersion) {
  EXPECT_EQ(ToString(ModelRef{"a", "b", ""}), "a/b");
}

TEST(ModelRefTest, ModelIdIgnoresVersion) {
  EXPECT_EQ(ModelId(ModelRef{"a", "b", "v1"}), "a/b");
}

TEST(ModelRefTest, ParseModelRefRefusesMissingVersion) {
  EXPECT_THAT(ParseModelRef("a/b"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("namespace/name@version")));
}

TEST(ModelRefTest, ParseModelRefRefusesEmptyVersion) {
  EXPECT_THAT(ParseModelRef("a/b@"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("version label is empty")));
}

TEST(ModelRefTest, ParseModelIdRefusesVersion) {
  EXPECT_THAT(ParseModelId("a/b@v1"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelRefTest, ParseModelIdRefusesMissingSlash) {
  EXPECT_THAT(ParseModelId("gpt2"), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("not namespace/name")));
}

TEST(ModelRefTest, ParseModelIdRefusesSecondSlash) {
  EXPECT_THAT(
      ParseModelId("a/b/c"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model name")));
}

TEST(ModelRefTest, ParseModelIdRefusesEmptyNamespace) {
  EXPECT_THAT(ParseModelId("/b"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("model namespace is empty")));
}

TEST(ModelRefTest, NameRefusesLeadingDash) {
  EXPECT_THAT(ValidateModelName("-abc"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must start and end")));
}

TEST(ModelRefTest, NameRefusesTrailingDot) {
  EXPECT_THAT(ValidateModelName("abc."),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must start and end")));
}

TEST(ModelRefTest, NameAcceptsLeadingUnderscore) {
  EXPECT_THAT(ValidateModelName("_abc_"), IsOk());
}

TEST(ModelRefTest, NameRefusesDoubleDash) {
  EXPECT_THAT(ValidateModelName("a--b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--")));
}

TEST(ModelRefTest, NameRefusesDoubleDot) {
  EXPECT_THAT(ValidateModelName("a..b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("..")));
}

TEST(ModelRefTest, NameRefusesGitSuffix) {
  EXPECT_THAT(ValidateModelName("repo.git"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(".git")));
}

TEST(ModelRefTest, NameRefusesSpace) {
  EXPECT_THAT(ValidateModelName("a b"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("[A-Za-z0-9._-]")));
}

TEST(ModelRefTest, NameRefusesNonAscii) {
  EXPECT_THAT(ValidateModelName("mod\xc3\xa9le"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelRefTest, NameAcceptsMaximumLength) {
  EXPECT_THAT(ValidateModelName(std::string(kMaxModelNameLength, 'a')), IsOk());
}

TEST(ModelRefTest, NameRefusesOverMaximumLength) {
  EXPECT_THAT(ValidateModelName(std::string(kMaxModelNameLength + 1, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("longer than 96")));
}

TEST(ModelRefTest, NamespaceRefusesOverMaximumLength) {
  EXPECT_THAT(ValidateModelNamespace(std::string(kMaxNamespaceLength + 1, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelRefTest, NamespaceRefusesTrailingDash) {
  EXPECT_THAT(ValidateModelNamespace("acme-"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelRefTest, VersionAcceptsPunctuation) {
  EXPECT_THAT(ValidateVersionLabel("v1.0-rc.1+build_7:x"), IsOk());
}

TEST(ModelRefTest, VersionRefusesWhitespace) {
  EXPECT_THAT(ValidateVersionLabel("v 1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("printable ascii")));
}

TEST(ModelRefTest, VersionRefusesAt) {
  EXPECT_THAT(ParseModelRef("a/b@v@1"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelRefTest, VersionRefusesSlash) {
  EXPECT_THAT(ValidateVersionLabel("release/1"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelRefTest, VersionRefusesNonAscii) {
  EXPECT_THAT(ValidateVersionLabel("v\xc3\xa9"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelRefTest, VersionRefusesOverMaximumLength) {
  EXPECT_THAT(ValidateVersionLabel(std::string(kMaxVersionLength + 1, 'v')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("longer than 128")));
}

TEST(ModelRefTest, SameModelVersionIgnoresIdCase) {
  EXPECT_TRUE(SameModelVersion(ModelRef{"Acme", "Model-7B", "v1"},
                               ModelRef{"acme", "model-7b", "v1"}));
}

TEST(ModelRefTest, SameModelVersionComparesVersionExactly) {
  EXPECT_FALSE(SameModelVersion(ModelRef{"acme", "m", "V1"},
                                ModelRef{"acme", "m", "v1"}));
}

TEST(ModelLocatorTest, ParsesRootDigestForm) {
  ASSERT_OK_AND_ASSIGN(ModelLocator locator,
                       ParseModelLocator(std::string("sha256:") + kDigestHex));

  EXPECT_EQ(locator.kind, ModelLocator::Kind::kRootDigest);
  EXPECT_EQ(HexEncode(locator.root_digest), kDigestHex);
  EXPECT_EQ(ToString(locator), std::string("sha256:") + kDigestHex);
}

TEST(ModelLocatorTest, ParsesModelRefForm) {
  ASSERT_OK_AND_ASSIGN(ModelLocator locator, ParseModelLocator("a/b@v1"));

  EXPECT_EQ(locator.kind, ModelLocator::Kind::kModelRef);
  EXPECT_EQ(locator.model, (ModelRef{"a", "b", "v1"}));
  EXPECT_EQ(ToString(locator), "a/b@v1");
}

TEST(ModelLocatorTest, RefusesUppercaseDigestHex) {
  std::string upper = std::string("sha256:") + kDigestHex;
  upper[10] = 'D';

  EXPECT_THAT(ParseModelLocator(upper),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("64 lowercase hex")));
}

TEST(ModelLocatorTest, RefusesShortDigest) {
  EXPECT_THAT(ParseModelLocator("sha256:abcd"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelLocatorTest, RefusesUnversionedModel) {
  EXPECT_THAT(ParseModelLocator("a/b"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelLocatorTest, ValidateRefusesBothForms) {
  ModelLocator locator;
  locator.kind = ModelLocator::Kind::kModelRef;
  locator.model = ModelRef{"a", "b", "v1"};
  locator.root_digest = std::string(32, 'x');

  EXPECT_THAT(ValidateModelLocator(locator),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("both a model and a root digest")));
}

TEST(ModelLocatorTest, ValidateRefusesShortRootDigest) {
  ModelLocator locator;
  locator.kind = ModelLocator::Kind::kRootDigest;
  locator.root_digest = std::string(31, 'x');

  EXPECT_THAT(
      ValidateModelLocator(locator),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected 32")));
}

}  // namespace
}  // namespace pedigree::core::record
