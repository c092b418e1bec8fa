#include "core/license/license_expression.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::license {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = LicenseExpression::Kind;

// Parses `text` and returns its canonical form, or the error as text.
std::string Canonical(const std::string& text) {
  absl::StatusOr<LicenseExpression> expression = ParseLicenseExpression(text);
  if (!expression.ok()) return expression.status().ToString();
  return ToString(*expression);
}

absl::Status ParseStatus(const std::string& text) {
  return ParseLicenseExpression(text).status();
}

TEST(LicenseExpressionTest, ParsesSingleLicense) {
  ASSERT_OK_AND_ASSIGN(LicenseExpression e, ParseLicenseExpression("MIT"));

  EXPECT_EQ(e.kind(), Kind::kLicense);
  EXPECT_TRUE(e.is_leaf());
  EXPECT_EQ(e.id(), "MIT");
  EXPECT_FALSE(e.or_later());
  EXPECT_EQ(e.exception(), "");
  EXPECT_TRUE(e.children().empty());
}

TEST(LicenseExpressionTest, ParsesApache) {
  ASSERT_OK_AND_ASSIGN(LicenseExpression e,
                       ParseLicenseExpression("Apache-2.0"));

  EXPECT_EQ(ToString(e), "Apache-2.0");
}

TEST(LicenseExpressionTest, CanonicalizesIdSpelling) {
  ASSERT_OK_AND_ASSIGN(LicenseExpression e,
                       ParseLicenseExpression("mit OR apache-2.0"));

  EXPECT_EQ(ToString(e), "MIT OR Apache-2.0");
}

TEST(LicenseExpressionTest, ParsesDisjunction) {
  ASSERT_OK_AND_ASSIGN(LicenseExpression e,
                       ParseLicenseExpression("Apache-2.0 OR MIT"));

  EXPECT_EQ(e.kind(), Kind::kOr);
  ASSERT_EQ(e.children().size(), 2u);
  EXPECT_EQ(e.children()[0].id(), "Apache-2.0");
  EXPECT_EQ(e.children()[1].id(), "MIT");
}

TEST(LicenseExpressionTest, ParsesWithException) {
  ASSERT_OK_AND_ASSIGN(
      LicenseExpression e,
      ParseLicenseExpression("GPL-2.0-only WITH classpath-exception-2.0"));

  EXPECT_EQ(e.kind(), Kind::kLicense);
  EXPECT_EQ(e.id(), "GPL-2.0-only");
  EXPECT_EQ(e.exception(), "Classpath-exception-2.0");
  EXPECT_EQ(ToString(e), "GPL-2.0-only WITH Classpath-exception-2.0");
}

TEST(LicenseExpressionTest, ParsesOrLaterSuffix) {
  ASSERT_OK_AND_ASSIGN(LicenseExpression e,
                       ParseLicenseExpression("LGPL-2.1+"));

  EXPECT_EQ(e.id(), "LGPL-2.1");
  EXPECT_TRUE(e.or_later());
  EXPECT_EQ(ToString(e), "LGPL-2.1+");
}

TEST(LicenseExpressionTest, ParsesParenthesizedDisjunctionUnderConjunction) {
  ASSERT_OK_AND_ASSIGN(
      LicenseExpression e,
      ParseLicenseExpression("(MIT OR Apache-2.0) AND BSD-3-Clause"));

  EXPECT_EQ(e.kind(), Kind::kAnd);
  ASSERT_EQ(e.children().size(), 2u);
  EXPECT_EQ(e.children()[0].kind(), Kind::kOr);
  EXPECT_EQ(e.children()[1].id(), "BSD-3-Clause");
  EXPECT_EQ(ToString(e), "(MIT OR Apache-2.0) AND BSD-3-Clause");
}

TEST(LicenseExpressionTest, AndBindsTighterThanOr) {
  ASSERT_OK_AND_ASSIGN(
      LicenseExpression e,
      ParseLicenseExpression("MIT OR Apache-2.0 AND BSD-3-Clause"));

  EXPECT_EQ(e.kind(), Kind::kOr);
  ASSERT_EQ(e.children().size(), 2u);
  EXPECT_EQ(e.children()[0].id(), "MIT");
  const LicenseExpression& conjunction = e.children()[1];
  EXPECT_EQ(conjunction.kind(), Kind::kAnd);
  ASSERT_EQ(conjunction.children().size(), 2u);
  EXPECT_EQ(conjunction.children()[0].id(), "Apache-2.0");
  EXPECT_EQ(conjunction.children()[1].id(), "BSD-3-Clause");
}

TEST(LicenseExpressionTest, WithBindsTighterThanAnd) {
  ASSERT_OK_AND_ASSIGN(
      LicenseExpression e,
      ParseLicenseExpression("MIT AND GPL-2.0-only WITH GCC-exception-2.0"));

  EXPECT_EQ(e.kind(), Kind::kAnd);
  ASSERT_EQ(e.children().size(), 2u);
  EXPECT_EQ(e.children()[1].exception(), "GCC-exception-2.0");
}

TEST(LicenseExpressionTest, FlattensSameOperatorAndDropsRedundantParens) {
  ASSERT_OK_AND_ASSIGN(
      LicenseExpression e,
      ParseLicenseExpression("((MIT)) OR (Apache-2.0 OR (BSD-3-Clause))"));

  EXPECT_EQ(e.kind(), Kind::kOr);
  EXPECT_EQ(e.children().size(), 3u);
  EXPECT_EQ(ToString(e), "MIT OR Apache-2.0 OR BSD-3-Clause");
}

TEST(LicenseExpressionTest, KeepsParenthesesThatChangeTheTree) {
  EXPECT_EQ(Canonical("MIT AND (Apache-2.0 OR BSD-3-Clause) AND ISC"),
            "MIT AND (Apache-2.0 OR BSD-3-Clause) AND ISC");
  EXPECT_EQ(Canonical("(MIT AND Apache-2.0) OR ISC"),
            "MIT AND Apache-2.0 OR ISC");
}

TEST(LicenseExpressionTest, NormalizesWhitespace) {
  EXPECT_EQ(Canonical("  MIT\tOR\n( Apache-2.0  AND\r\nISC )  "),
            "MIT OR Apache-2.0 AND ISC");
}

TEST(LicenseExpressionTest, ToStringRoundTripIsStable) {
  const std::vector<std::string> inputs = {
      "MIT",
      "apache-2.0+ OR MIT",
      "(mit OR Apache-2.0) AND BSD-3-Clause",
      "MIT OR Apache-2.0 AND BSD-3-Clause",
      "GPL-2.0+ WITH Classpath-exception-2.0 OR LicenseRef-llama3.1",
      "((MIT AND (ISC OR (Zlib AND LicenseRef-a))) OR CC0-1.0)",
  };
  for (const std::string& input : inputs) {
    absl::StatusOr<LicenseExpression> first = ParseLicenseExpression(input);
    ASSERT_THAT(first, IsOk()) << input;

    const std::string canonical = ToString(*first);
    absl::StatusOr<LicenseExpression> second =
        ParseLicenseExpression(canonical);

    ASSERT_THAT(second, IsOk()) << canonical;
    EXPECT_EQ(*second, *first) << input;
    EXPECT_EQ(ToString(*second), canonical) << input;
  }
}

TEST(LicenseExpressionTest, AcceptsModelLicenseRefs) {
  ASSERT_OK_AND_ASSIGN(
      LicenseExpression e,
      ParseLicenseExpression("LicenseRef-llama3.1 OR LicenseRef-Gemma-Terms "
                             "OR licenseref-qwen AND LicenseRef-llama3.1"));

  EXPECT_THAT(LicenseRefIds(e),
              ElementsAre("LicenseRef-Gemma-Terms", "LicenseRef-llama3.1",
                          "LicenseRef-qwen"));
  EXPECT_THAT(SpdxIds(e), ::testing::IsEmpty());
}

TEST(LicenseExpressionTest, LicenseRefLeafHasKindAndCanonicalPrefix) {
  ASSERT_OK_AND_ASSIGN(LicenseExpression e,
                       ParseLicenseExpression("LICENSEREF-Yi-1.0"));

  EXPECT_EQ(e.kind(), Kind::kLicenseRef);
  EXPECT_EQ(e.id(), "LicenseRef-Yi-1.0");
}

TEST(LicenseExpressionTest, AcceptsWithAfterLicenseRef) {
  // SPDX 2.3 Annex D: simple-expression (which includes license-ref) may be
  // followed by WITH.
  ASSERT_OK_AND_ASSIGN(
      LicenseExpression e,
      ParseLicenseExpression("LicenseRef-x WITH Classpath-exception-2.0"));

  EXPECT_EQ(e.exception(), "Classpath-exception-2.0");
}

TEST(LicenseExpressionTest, SpdxIdsAreCanonicalSortedAndUnique) {
  ASSERT_OK_AND_ASSIGN(
      LicenseExpression e,
      ParseLicenseExpression("mit OR (MIT AND apache-2.0+) OR "
                             "GPL-2.0-only WITH Classpath-exception-2.0 OR "
                             "LicenseRef-z"));

  EXPECT_THAT(SpdxIds(e), ElementsAre("Apache-2.0", "GPL-2.0-only", "MIT"));
  EXPECT_THAT(LicenseRefIds(e), ElementsAre("LicenseRef-z"));
}

TEST(LicenseExpressionTest, AcceptsNestingAtTheDepthLimit) {
  const std::string text = std::string(kMaxLicenseExpressionDepth, '(') +
                           "MIT" + std::string(kMaxLicenseExpressionDepth, ')');

  EXPECT_EQ(Canonical(text), "MIT");
}

TEST(LicenseExpressionTest, AcceptsInputAtTheLengthLimit) {
  std::string text = "MIT";
  while (text.size() + 7 <= kMaxLicenseExpressionLength) text += " OR MIT";
  text += std::string(kMaxLicenseExpressionLength - text.size(), ' ');

  EXPECT_THAT(ParseStatus(text), IsOk());
}

// Negative tests: every validation rule.

TEST(LicenseExpressionTest, RejectsEmptyExpression) {
  EXPECT_THAT(ParseStatus(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ParseStatus(" \t\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(LicenseExpressionTest, RejectsUnknownLicenseIdNamingIdAndOffset) {
  EXPECT_THAT(ParseStatus("MIT OR Llama-3"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown spdx license id 'Llama-3' at "
                                 "offset 7")));
}

TEST(LicenseExpressionTest, RejectsUnknownException) {
  EXPECT_THAT(ParseStatus("GPL-2.0-only WITH No-such-exception"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'No-such-exception' at offset 18")));
}

TEST(LicenseExpressionTest, RejectsLicenseIdAsException) {
  EXPECT_THAT(ParseStatus("GPL-2.0-only WITH MIT"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown spdx license exception id 'MIT'")));
}

TEST(LicenseExpressionTest, RejectsExceptionAsLicense) {
  EXPECT_THAT(ParseStatus("Classpath-exception-2.0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("may only follow WITH")));
}

TEST(LicenseExpressionTest, RejectsLicenseRefAsException) {
  EXPECT_THAT(
      ParseStatus("MIT WITH LicenseRef-x"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("LicenseRef-x")));
}

TEST(LicenseExpressionTest, RejectsDanglingOperator) {
  EXPECT_THAT(ParseStatus("MIT OR"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("found the end of the expression at offset "
                                 "6")));
  EXPECT_THAT(ParseStatus("AND MIT"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("found 'AND' at offset 0")));
  EXPECT_THAT(ParseStatus("MIT AND OR ISC"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("found 'OR' at offset 8")));
  EXPECT_THAT(ParseStatus("GPL-2.0-only WITH"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exception id after WITH")));
}

TEST(LicenseExpressionTest, RejectsMissingOperator) {
  EXPECT_THAT(ParseStatus("MIT Apache-2.0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected AND or OR, found 'Apache-2.0' at "
                                 "offset 4")));
}

TEST(LicenseExpressionTest, RejectsUnbalancedOpenParenthesis) {
  EXPECT_THAT(ParseStatus("(MIT OR ISC"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unbalanced '('")));
}

TEST(LicenseExpressionTest, RejectsUnbalancedCloseParenthesis) {
  EXPECT_THAT(ParseStatus("MIT OR ISC)"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unbalanced ')' at offset 10")));
}

TEST(LicenseExpressionTest, RejectsEmptyParentheses) {
  EXPECT_THAT(ParseStatus("()"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("found ')' at offset 1")));
}

TEST(LicenseExpressionTest, RejectsWithAfterParenthesizedExpression) {
  EXPECT_THAT(
      ParseStatus("(MIT OR GPL-2.0-only) WITH Classpath-exception-2.0"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("parenthesized")));
  EXPECT_THAT(
      ParseStatus("(GPL-2.0-only) WITH Classpath-exception-2.0"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("parenthesized")));
}

TEST(LicenseExpressionTest, RejectsRepeatedWith) {
  EXPECT_THAT(
      ParseStatus("GPL-2.0-only WITH Classpath-exception-2.0 WITH "
                  "GCC-exception-2.0"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot repeat")));
}

TEST(LicenseExpressionTest, RejectsLowerCaseOperators) {
  EXPECT_THAT(ParseStatus("MIT or Apache-2.0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("operator 'or' must be upper case")));
  EXPECT_THAT(ParseStatus("MIT and ISC"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be upper case")));
  EXPECT_THAT(ParseStatus("GPL-2.0-only with Classpath-exception-2.0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be upper case")));
}

TEST(LicenseExpressionTest, RejectsMixedCaseOperators) {
  EXPECT_THAT(ParseStatus("MIT Or Apache-2.0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("operator 'Or' must be upper case (OR) at "
                                 "offset 4")));
}

TEST(LicenseExpressionTest, RejectsBadLicenseRefIdstring) {
  EXPECT_THAT(ParseStatus("LicenseRef-"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid LicenseRef idstring")));
  EXPECT_THAT(ParseStatus("LicenseRef-a_b"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid LicenseRef idstring")));
  EXPECT_THAT(ParseStatus("LicenseRef-caf\xc3\xa9"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'LicenseRef-caf\\xc3\\xa9'")));
}

TEST(LicenseExpressionTest, RejectsOrLaterAfterLicenseRef) {
  EXPECT_THAT(ParseStatus("LicenseRef-x+"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'+' is not allowed after a LicenseRef")));
}

TEST(LicenseExpressionTest, RejectsMisplacedPlus) {
  EXPECT_THAT(ParseStatus("MIT +"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseStatus("GPL-2.0-only++"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected character '+'")));
  EXPECT_THAT(ParseStatus("GPL-2.0-only WITH Classpath-exception-2.0+"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected character '+'")));
}

TEST(LicenseExpressionTest, RejectsDocumentRef) {
  EXPECT_THAT(ParseStatus("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("DocumentRef is not supported")));
}

TEST(LicenseExpressionTest, RejectsCharactersOutsideTheGrammar) {
  EXPECT_THAT(ParseStatus("MIT,Apache-2.0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected character ',' in "
                                 "'MIT,Apache-2.0' at offset 3")));
  EXPECT_THAT(
      ParseStatus(std::string("MIT\0", 4)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'\\x00'")));
  EXPECT_THAT(ParseStatus("MIT\v"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LicenseExpressionTest, RejectsInputLongerThanTheLimit) {
  std::string text = "MIT";
  text += std::string(kMaxLicenseExpressionLength + 1 - text.size(), ' ');

  EXPECT_THAT(ParseStatus(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("the limit is 1024")));
}

TEST(LicenseExpressionTest, RejectsNestingDeeperThanTheLimit) {
  const std::string text = std::string(kMaxLicenseExpressionDepth + 1, '(') +
                           "MIT" +
                           std::string(kMaxLicenseExpressionDepth + 1, ')');

  EXPECT_THAT(ParseStatus(text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nested deeper than 32 at offset 32")));
}

TEST(LicenseExpressionTest, RejectsHostileDeepNestingWithoutCrashing) {
  const std::string text(kMaxLicenseExpressionLength, '(');

  EXPECT_THAT(ParseStatus(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("nested deeper")));
}

TEST(LicenseExpressionTest, RejectsNoneAndNoassertion) {
  // Valid values of SPDX license fields, but not license expressions.
  EXPECT_THAT(ParseStatus("NOASSERTION"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseStatus("NONE"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pedigree::core::license
