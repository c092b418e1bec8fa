#include "core/license/license_terms.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/license/internal/license_catalog.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::core::license {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Optional;

// A one-entry catalog; tests break it one field at a time.
constexpr char kMinimalCatalog[] = R"json({
  "format": "pedigree-license-catalog/2",
  "model_licenses": [{
    "id": "LicenseRef-Example", "name": "Example", "family": "model_community",
    "open_data": false, "open_documentation": false, "commercial_use": true,
    "monthly_active_users_limit": 1000, "use_restrictions": true,
    "restrictions_flow_to_derivatives": true, "attribution_text": "Built",
    "derivative_name_prefix": null, "distillation_is_derivative": false,
    "outputs_may_not_train_other_models": false,
    "licensor_namespaces": ["example-org"],
    "sources": ["https://example.org/license"], "notes": "n"}],
  "spdx_properties": [{
    "id": "MIT", "family": "permissive_code", "open_data": false,
    "open_documentation": false, "commercial_use": true,
    "sources": ["https://opensource.org/license/mit"]}]
})json";

absl::Status ParseWith(absl::string_view from, absl::string_view to) {
  const std::string json = absl::StrReplaceAll(kMinimalCatalog, {{from, to}});
  EXPECT_NE(json, kMinimalCatalog) << "replacement did not apply: " << from;
  return internal::ParseLicenseCatalog(json).status();
}

const LicenseTerms& MustFind(absl::string_view id) {
  const LicenseTerms* terms = FindLicenseTerms(id);
  if (terms == nullptr) {
    ADD_FAILURE() << "no terms for " << id;
    static const LicenseTerms kEmpty;
    return kEmpty;
  }
  return *terms;
}

// --- The embedded catalog -------------------------------------------------

TEST(LicenseCatalogTest, EmbeddedCatalogParses) {
  EXPECT_THAT(internal::ParseLicenseCatalog(internal::ModelLicensesJson()),
              IsOk());
}

// Matching catalog LicenseRef- ids ignoring case is safe only while no entry
// is more permissive than an unknown license (which the label rules treat
// as open_weight_restricted at most): every entry must be of a family that
// grades weights restricted or closed.
TEST(LicenseCatalogTest, NoCatalogEntryIsMorePermissiveThanAnUnknownLicense) {
  for (const LicenseTerms& terms : ModelLicenseCatalog()) {
    EXPECT_THAT(
        terms.family,
        AnyOf(LicenseFamily::kModelCommunity, LicenseFamily::kOpenRail,
              LicenseFamily::kNonCommercial, LicenseFamily::kProprietary))
        << terms.id;
  }
}

TEST(LicenseCatalogTest, EveryCatalogEntryHasSourcesAndLicenseRefId) {
  absl::Span<const LicenseTerms> catalog = ModelLicenseCatalog();

  ASSERT_GE(catalog.size(), 15u);
  for (const LicenseTerms& terms : catalog) {
    EXPECT_TRUE(absl::StartsWith(terms.id, "LicenseRef-")) << terms.id;
    EXPECT_THAT(terms.sources, Not(IsEmpty())) << terms.id;
    EXPECT_THAT(terms.name, Not(IsEmpty())) << terms.id;
    EXPECT_FALSE(terms.osi_approved) << terms.id;
    EXPECT_NE(terms.family, LicenseFamily::kUnknown) << terms.id;
  }
}

TEST(LicenseCatalogTest, CatalogIsSortedByIdAndFindable) {
  absl::Span<const LicenseTerms> catalog = ModelLicenseCatalog();

  for (size_t i = 0; i < catalog.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(catalog[i - 1].id, catalog[i].id);
    }
    const LicenseTerms* found = FindLicenseTerms(catalog[i].id);
    ASSERT_NE(found, nullptr) << catalog[i].id;
    EXPECT_EQ(found->name, catalog[i].name);
  }
}

// --- Pinned facts, each from the license text named -----------------------

// github.com/meta-llama/llama-models models/llama3_1/LICENSE sec. 1.b.i, 1.b.iv
// and 2.
TEST(LicenseCatalogTest, Llama31HasUserCapAttributionNamingAndFlowDown) {
  const LicenseTerms& terms = MustFind("LicenseRef-Llama-3.1-Community");

  EXPECT_EQ(terms.family, LicenseFamily::kModelCommunity);
  EXPECT_TRUE(terms.commercial_use);
  EXPECT_THAT(terms.monthly_active_users_limit, Optional(700'000'000u));
  EXPECT_THAT(terms.attribution_text,
              Optional(std::string("Built with Llama")));
  EXPECT_THAT(terms.derivative_name_prefix, Optional(std::string("Llama")));
  EXPECT_TRUE(terms.use_restrictions);
  EXPECT_TRUE(terms.restrictions_flow_to_derivatives);
}

// Llama 3.1 sec. 1.b.i: "any outputs or results ... to create, train ... an
// AI model" must carry the "Llama" name prefix; the Llama 3 ban is gone.
TEST(LicenseCatalogTest, Llama31OutputsTrainingMakesDerivative) {
  const LicenseTerms& terms = MustFind("LicenseRef-Llama-3.1-Community");

  EXPECT_TRUE(terms.distillation_is_derivative);
  EXPECT_FALSE(terms.outputs_may_not_train_other_models);
}

// github.com/meta-llama/llama3 LICENSE sec. 1.b.i and 1.b.v.
TEST(LicenseCatalogTest, Llama3ForbidsImprovingOtherModelsWithOutputs) {
  const LicenseTerms& terms = MustFind("LicenseRef-Llama-3-Community");

  EXPECT_TRUE(terms.outputs_may_not_train_other_models);
  EXPECT_FALSE(terms.distillation_is_derivative);
  EXPECT_THAT(terms.attribution_text,
              Optional(std::string("Built with Meta Llama 3")));
  EXPECT_THAT(terms.derivative_name_prefix, Optional(std::string("Llama 3")));
}

// Llama 2 Community License sec. 1.b.v and 2: no "Built with" or naming duty.
TEST(LicenseCatalogTest, Llama2HasCapAndOutputsBanButNoNamingDuty) {
  const LicenseTerms& terms = MustFind("LicenseRef-Llama-2-Community");

  EXPECT_THAT(terms.monthly_active_users_limit, Optional(700'000'000u));
  EXPECT_TRUE(terms.outputs_may_not_train_other_models);
  EXPECT_EQ(terms.attribution_text, std::nullopt);
  EXPECT_EQ(terms.derivative_name_prefix, std::nullopt);
}

// models/llama3_2/LICENSE and models/llama3_3/LICENSE sec. 1.b.i repeat 3.1.
TEST(LicenseCatalogTest, Llama32And33MatchLlama31Duties) {
  for (absl::string_view id :
       {"LicenseRef-Llama-3.2-Community", "LicenseRef-Llama-3.3-Community"}) {
    const LicenseTerms& terms = MustFind(id);

    EXPECT_THAT(terms.derivative_name_prefix, Optional(std::string("Llama")))
        << id;
    EXPECT_THAT(terms.attribution_text,
                Optional(std::string("Built with Llama")))
        << id;
    EXPECT_THAT(terms.monthly_active_users_limit, Optional(700'000'000u)) << id;
  }
}

// ai.google.dev/gemma/terms sec. 1.1(e) ("including distillation methods")
// and 3.1 (use restrictions as an enforceable provision downstream).
TEST(LicenseCatalogTest, GemmaTreatsDistillationAsDerivative) {
  const LicenseTerms& terms = MustFind("LicenseRef-Gemma-Terms-of-Use");

  EXPECT_TRUE(terms.distillation_is_derivative);
  EXPECT_TRUE(terms.restrictions_flow_to_derivatives);
  EXPECT_TRUE(terms.commercial_use);
  EXPECT_EQ(terms.monthly_active_users_limit, std::nullopt);
}

// huggingface.co/Qwen/Qwen2.5-3B LICENSE: non-commercial purposes only.
TEST(LicenseCatalogTest, QwenResearchIsNonCommercial) {
  const LicenseTerms& terms = MustFind("LicenseRef-Qwen-Research-License");

  EXPECT_FALSE(terms.commercial_use);
  EXPECT_EQ(terms.family, LicenseFamily::kNonCommercial);
}

// huggingface.co/Qwen/Qwen2.5-72B-Instruct LICENSE: 100 million MAU.
TEST(LicenseCatalogTest, QwenLicenseHasHundredMillionUserCap) {
  const LicenseTerms& terms = MustFind("LicenseRef-Qwen-License");

  EXPECT_TRUE(terms.commercial_use);
  EXPECT_THAT(terms.monthly_active_users_limit, Optional(100'000'000u));
  EXPECT_THAT(terms.attribution_text, Optional(std::string("Built with Qwen")));
}

// DeepSeek-Coder LICENSE-MODEL sec. 1, 2, 4a.
TEST(LicenseCatalogTest, DeepSeekIsCommercialWithFlowingRestrictions) {
  const LicenseTerms& terms = MustFind("LicenseRef-DeepSeek-License-1.0");

  EXPECT_TRUE(terms.commercial_use);
  EXPECT_TRUE(terms.use_restrictions);
  EXPECT_TRUE(terms.restrictions_flow_to_derivatives);
  EXPECT_TRUE(terms.distillation_is_derivative);
}

// 01-ai/Yi MODEL_LICENSE_AGREEMENT.txt sec. 2: commercial use needs written
// authorization.
TEST(LicenseCatalogTest, YiLicenseNeedsAuthorizationForCommercialUse) {
  EXPECT_FALSE(MustFind("LicenseRef-Yi-License-1.0").commercial_use);
}

TEST(LicenseCatalogTest, RailLicensesAreOpenRailWithFlowDown) {
  for (absl::string_view id : {"LicenseRef-BigScience-BLOOM-RAIL-1.0",
                               "LicenseRef-CreativeML-OpenRAIL-M"}) {
    const LicenseTerms& terms = MustFind(id);

    EXPECT_EQ(terms.family, LicenseFamily::kOpenRail) << id;
    EXPECT_TRUE(terms.restrictions_flow_to_derivatives) << id;
    EXPECT_TRUE(terms.commercial_use) << id;
  }
}

TEST(LicenseCatalogTest, MistralResearchLicenseIsNonCommercial) {
  EXPECT_FALSE(MustFind("LicenseRef-Mistral-Research-License").commercial_use);
}

// The licensor's Hugging Face organisation, from the model cards each catalog
// entry cites (e.g. huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct,
// huggingface.co/google/gemma-2-9b-it, huggingface.co/Qwen/Qwen-7B).
TEST(LicenseCatalogTest, LicensorNamespacesNameTheOfficialOrganisations) {
  struct Case {
    absl::string_view id;
    absl::string_view licensor;
  };
  for (const Case& c : {
           Case{"LicenseRef-Llama-2-Community", "meta-llama"},
           Case{"LicenseRef-Llama-3-Community", "meta-llama"},
           Case{"LicenseRef-Llama-3.1-Community", "meta-llama"},
           Case{"LicenseRef-Llama-3.2-Community", "meta-llama"},
           Case{"LicenseRef-Llama-3.3-Community", "meta-llama"},
           Case{"LicenseRef-Gemma-Terms-of-Use", "google"},
           Case{"LicenseRef-Qwen-License", "Qwen"},
           Case{"LicenseRef-Qwen-Research-License", "Qwen"},
           Case{"LicenseRef-Tongyi-Qianwen-License", "Qwen"},
           Case{"LicenseRef-DeepSeek-License-1.0", "deepseek-ai"},
           Case{"LicenseRef-Yi-License-1.0", "01-ai"},
           Case{"LicenseRef-Falcon-180B-TII-License-1.0", "tiiuae"},
           Case{"LicenseRef-Mistral-Research-License", "mistralai"},
           Case{"LicenseRef-BigScience-BLOOM-RAIL-1.0", "bigscience"},
       }) {
    EXPECT_THAT(MustFind(c.id).licensor_namespaces,
                ::testing::ElementsAre(std::string(c.licensor)))
        << c.id;
  }
}

// What the catalog marks as forbidding the use of outputs to improve other
// models: Llama 2 and Llama 3 sec. 1.b.v, Tongyi Qianwen sec. 5(b); nothing
// else.
TEST(LicenseCatalogTest, OnlyLlama2Llama3AndTongyiQianwenBanOutputTraining) {
  std::vector<std::string> banning;
  for (const LicenseTerms& terms : ModelLicenseCatalog()) {
    if (terms.outputs_may_not_train_other_models) banning.push_back(terms.id);
  }

  EXPECT_THAT(banning,
              ::testing::ElementsAre("LicenseRef-Llama-2-Community",
                                     "LicenseRef-Llama-3-Community",
                                     "LicenseRef-Tongyi-Qianwen-License"));
}

// --- SPDX ids --------------------------------------------------------------

// SPDX list: osiApproved true; OSI: permissive.
TEST(LicenseTermsTest, ApacheIsOsiApprovedPermissiveCommercial) {
  const LicenseTerms& terms = MustFind("Apache-2.0");

  EXPECT_TRUE(terms.osi_approved);
  EXPECT_EQ(terms.family, LicenseFamily::kPermissiveCode);
  EXPECT_TRUE(terms.commercial_use);
  EXPECT_FALSE(terms.open_data);
  EXPECT_EQ(terms.name, "Apache License 2.0");
}

// MOF (arXiv 2403.13784): CC-BY-4.0 is the documentation license.
TEST(LicenseTermsTest, CcBy4IsOpenDocumentation) {
  const LicenseTerms& terms = MustFind("CC-BY-4.0");

  EXPECT_TRUE(terms.open_documentation);
  EXPECT_TRUE(terms.open_data);
  EXPECT_EQ(terms.family, LicenseFamily::kOpenContent);
  EXPECT_FALSE(terms.osi_approved);
}

// MOF: CDLA-Permissive-2.0 is an open data license.
TEST(LicenseTermsTest, CdlaPermissive2IsOpenData) {
  const LicenseTerms& terms = MustFind("CDLA-Permissive-2.0");

  EXPECT_TRUE(terms.open_data);
  EXPECT_EQ(terms.family, LicenseFamily::kOpenData);
}

TEST(LicenseTermsTest, CcByNc4IsNonCommercial) {
  const LicenseTerms& terms = MustFind("CC-BY-NC-4.0");

  EXPECT_FALSE(terms.commercial_use);
  EXPECT_EQ(terms.family, LicenseFamily::kNonCommercial);
}

TEST(LicenseTermsTest, GplIsCopyleftNotPermissive) {
  EXPECT_EQ(MustFind("GPL-3.0-only").family, LicenseFamily::kCopyleftCode);
  EXPECT_EQ(MustFind("AGPL-3.0-or-later").family, LicenseFamily::kCopyleftCode);
}

TEST(LicenseTermsTest, SpdxIdOutsideTableIsUnknownWithOsiFlagFromList) {
  const LicenseTerms& terms = MustFind("Artistic-2.0");

  EXPECT_EQ(terms.family, LicenseFamily::kUnknown);
  EXPECT_TRUE(terms.osi_approved);
  EXPECT_THAT(terms.sources, Not(IsEmpty()));
}

TEST(LicenseTermsTest, NonCommercialSpdxIdOutsideTableIsNonCommercial) {
  const LicenseTerms& terms = MustFind("CC-BY-NC-SA-3.0");

  EXPECT_FALSE(terms.commercial_use);
  EXPECT_EQ(terms.family, LicenseFamily::kNonCommercial);
}

TEST(LicenseTermsTest, UnknownIdIsNotFound) {
  EXPECT_EQ(FindLicenseTerms("LicenseRef-No-Such-License"), nullptr);
  EXPECT_EQ(FindLicenseTerms(""), nullptr);
}

// Ids match case-insensitively: SPDX list ids as SPDX 2.3 Annex D.2 says,
// catalog LicenseRef- ids by Pedigree's choice (docs/license-catalog.md).
// The terms found carry the canonical spelling.
TEST(LicenseTermsTest, IdsMatchIgnoringCaseAndYieldCanonicalSpelling) {
  struct Case {
    absl::string_view written;
    absl::string_view canonical;
  };
  for (const Case& c : {
           Case{"apache-2.0", "Apache-2.0"},
           Case{"APACHE-2.0", "Apache-2.0"},
           Case{"cc-by-nc-4.0", "CC-BY-NC-4.0"},
           Case{"artistic-2.0", "Artistic-2.0"},
           Case{"LicenseRef-llama-3.1-community",
                "LicenseRef-Llama-3.1-Community"},
           Case{"licenseref-llama-3.1-community",
                "LicenseRef-Llama-3.1-Community"},
           Case{"LICENSEREF-GEMMA-TERMS-OF-USE",
                "LicenseRef-Gemma-Terms-of-Use"},
       }) {
    const LicenseTerms* terms = FindLicenseTerms(c.written);

    ASSERT_NE(terms, nullptr) << c.written;
    EXPECT_EQ(terms->id, c.canonical) << c.written;
  }
}

TEST(LicenseTermsTest, CaseInsensitiveLookupKeepsTheTerms) {
  const LicenseTerms* lower = FindLicenseTerms("licenseref-llama-2-community");

  ASSERT_NE(lower, nullptr);
  EXPECT_EQ(lower, FindLicenseTerms("LicenseRef-Llama-2-Community"));
  EXPECT_TRUE(lower->outputs_may_not_train_other_models);
}

TEST(LicenseTermsTest, NearMissIdsStayUnknownWhateverTheCase) {
  for (absl::string_view id :
       {"licenseref-llama-3.1-comunity", "LicenseRef-Llama-3.1",
        "LicenseRef-Llama-3.1-Community-", "apache-2", "apache2.0",
        "LicenseRef-Llama 3.1-Community", " apache-2.0"}) {
    EXPECT_EQ(FindLicenseTerms(id), nullptr) << id;
  }
}

// The registry's namespaces are unique ignoring case
// (migrations/0001_create_registry.sql: unique index on lower(name)).
TEST(IsLicensorNamespaceTest, MatchesListedNamespaceIgnoringCase) {
  const LicenseTerms& llama3 = MustFind("LicenseRef-Llama-3-Community");

  EXPECT_TRUE(IsLicensorNamespace(llama3, "meta-llama"));
  EXPECT_TRUE(IsLicensorNamespace(llama3, "Meta-Llama"));
}

TEST(IsLicensorNamespaceTest, RejectsOtherAndNearMissNamespaces) {
  const LicenseTerms& llama3 = MustFind("LicenseRef-Llama-3-Community");

  for (absl::string_view ns :
       {"someone", "Qwen", "meta", "meta-llama-fan", "meta_llama", ""}) {
    EXPECT_FALSE(IsLicensorNamespace(llama3, ns)) << ns;
  }
}

TEST(IsLicensorNamespaceTest, SpdxIdsAndTemplatesHaveNoLicensor) {
  EXPECT_FALSE(IsLicensorNamespace(MustFind("Apache-2.0"), "apache"));
  EXPECT_THAT(MustFind("LicenseRef-CreativeML-OpenRAIL-M").licensor_namespaces,
              IsEmpty());
}

TEST(LicenseTermsTest, FamilyNamesRoundTripTheDataSpelling) {
  EXPECT_EQ(LicenseFamilyName(LicenseFamily::kModelCommunity),
            "model_community");
  EXPECT_EQ(LicenseFamilyName(LicenseFamily::kOpenRail), "open_rail");
  EXPECT_EQ(LicenseFamilyName(LicenseFamily::kUnknown), "unknown");
}

// --- Hub names -------------------------------------------------------------

TEST(LicenseIdForHubNameTest, MapsHubIds) {
  EXPECT_THAT(LicenseIdForHubName("apache-2.0"),
              Optional(std::string("Apache-2.0")));
  EXPECT_THAT(LicenseIdForHubName("mit"), Optional(std::string("MIT")));
  EXPECT_THAT(LicenseIdForHubName("llama3.1"),
              Optional(std::string("LicenseRef-Llama-3.1-Community")));
  EXPECT_THAT(LicenseIdForHubName("gemma"),
              Optional(std::string("LicenseRef-Gemma-Terms-of-Use")));
  EXPECT_THAT(LicenseIdForHubName("cc-by-nc-4.0"),
              Optional(std::string("CC-BY-NC-4.0")));
  EXPECT_THAT(LicenseIdForHubName("odc-by"),
              Optional(std::string("ODC-By-1.0")));
}

TEST(LicenseIdForHubNameTest, MapsCommonLicenseNames) {
  EXPECT_THAT(LicenseIdForHubName("qwen"),
              Optional(std::string("LicenseRef-Qwen-License")));
  EXPECT_THAT(LicenseIdForHubName("qwen-research"),
              Optional(std::string("LicenseRef-Qwen-Research-License")));
  EXPECT_THAT(LicenseIdForHubName("deepseek"),
              Optional(std::string("LicenseRef-DeepSeek-License-1.0")));
}

TEST(LicenseIdForHubNameTest, OtherUnknownAndFamiliesAreUnmapped) {
  EXPECT_EQ(LicenseIdForHubName("other"), std::nullopt);
  EXPECT_EQ(LicenseIdForHubName("unknown"), std::nullopt);
  EXPECT_EQ(LicenseIdForHubName("openrail"), std::nullopt);
  EXPECT_EQ(LicenseIdForHubName("bsd"), std::nullopt);
  EXPECT_EQ(LicenseIdForHubName(""), std::nullopt);
}

TEST(LicenseIdForHubNameTest, IsCaseSensitive) {
  EXPECT_EQ(LicenseIdForHubName("Apache-2.0"), std::nullopt);
  EXPECT_EQ(LicenseIdForHubName("LLAMA3.1"), std::nullopt);
}

TEST(LicenseIdForHubNameTest, EveryMappedIdHasTerms) {
  for (absl::string_view hub : {"apache-2.0",
                                "mit",
                                "creativeml-openrail-m",
                                "bigscience-bloom-rail-1.0",
                                "afl-3.0",
                                "artistic-2.0",
                                "bsl-1.0",
                                "bsd-2-clause",
                                "bsd-3-clause",
                                "bsd-3-clause-clear",
                                "c-uda",
                                "cc0-1.0",
                                "cc-by-2.0",
                                "cc-by-2.5",
                                "cc-by-3.0",
                                "cc-by-4.0",
                                "cc-by-sa-3.0",
                                "cc-by-sa-4.0",
                                "cc-by-nc-2.0",
                                "cc-by-nc-3.0",
                                "cc-by-nc-4.0",
                                "cc-by-nd-4.0",
                                "cc-by-nc-nd-3.0",
                                "cc-by-nc-nd-4.0",
                                "cc-by-nc-sa-2.0",
                                "cc-by-nc-sa-3.0",
                                "cc-by-nc-sa-4.0",
                                "cdla-sharing-1.0",
                                "cdla-permissive-1.0",
                                "cdla-permissive-2.0",
                                "wtfpl",
                                "ecl-2.0",
                                "epl-1.0",
                                "epl-2.0",
                                "etalab-2.0",
                                "eupl-1.1",
                                "eupl-1.2",
                                "agpl-3.0",
                                "gpl-2.0",
                                "gpl-3.0",
                                "lgpl-2.1",
                                "lgpl-3.0",
                                "isc",
                                "lppl-1.3c",
                                "ms-pl",
                                "mpl-2.0",
                                "odc-by",
                                "odbl",
                                "openmdw-1.0",
                                "osl-3.0",
                                "postgresql",
                                "ofl-1.1",
                                "ncsa",
                                "unlicense",
                                "zlib",
                                "pddl",
                                "lgpl-lr",
                                "llama2",
                                "llama3",
                                "llama3.1",
                                "llama3.2",
                                "llama3.3",
                                "gemma",
                                "qwen",
                                "qwen-research",
                                "tongyi-qianwen",
                                "deepseek",
                                "deepseek-license",
                                "yi-license",
                                "mrl",
                                "falcon-180b-license"}) {
    std::optional<std::string> id = LicenseIdForHubName(hub);

    ASSERT_TRUE(id.has_value()) << hub;
    EXPECT_NE(FindLicenseTerms(*id), nullptr) << hub << " -> " << *id;
  }
}

// --- Parser rules (negative tests) -----------------------------------------

TEST(ParseLicenseCatalogTest, AcceptsMinimalCatalog) {
  absl::StatusOr<internal::LicenseCatalog> catalog =
      internal::ParseLicenseCatalog(kMinimalCatalog);

  ASSERT_THAT(catalog, IsOk());
  ASSERT_EQ(catalog->model_licenses.size(), 1u);
  EXPECT_THAT(catalog->model_licenses[0].monthly_active_users_limit,
              Optional(1000u));
  EXPECT_THAT(catalog->model_licenses[0].licensor_namespaces,
              ::testing::ElementsAre("example-org"));
  ASSERT_EQ(catalog->spdx_properties.size(), 1u);
  EXPECT_TRUE(catalog->spdx_properties[0].osi_approved);
}

TEST(ParseLicenseCatalogTest, RejectsMalformedJson) {
  EXPECT_THAT(internal::ParseLicenseCatalog("{\"format\": "),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseLicenseCatalogTest, RejectsWrongFormat) {
  EXPECT_THAT(
      ParseWith("pedigree-license-catalog/2", "other/2"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("format")));
}

TEST(ParseLicenseCatalogTest, RejectsUnknownTopLevelField) {
  EXPECT_THAT(ParseWith("\"format\":", "\"extra\": 1, \"format\":"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("extra")));
}

TEST(ParseLicenseCatalogTest, RejectsIdWithoutLicenseRefPrefix) {
  EXPECT_THAT(
      ParseWith("LicenseRef-Example", "Example"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("LicenseRef-")));
}

TEST(ParseLicenseCatalogTest, RejectsUnknownField) {
  EXPECT_THAT(ParseWith("\"notes\": \"n\"", "\"notes\": \"n\", \"nots\": 1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nots")));
}

TEST(ParseLicenseCatalogTest, RejectsMissingField) {
  EXPECT_THAT(ParseWith("\"use_restrictions\": true,", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'use_restrictions' is missing")));
}

TEST(ParseLicenseCatalogTest, RejectsNonBooleanFlag) {
  EXPECT_THAT(ParseWith("\"distillation_is_derivative\": false",
                        "\"distillation_is_derivative\": 0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("distillation_is_derivative")));
}

TEST(ParseLicenseCatalogTest, RejectsUnknownFamily) {
  EXPECT_THAT(
      ParseWith("\"model_community\"", "\"community\""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("family")));
}

TEST(ParseLicenseCatalogTest, RejectsZeroNegativeOrFractionalUserLimit) {
  for (absl::string_view bad : {"0", "-5", "1.5", "\"1000\""}) {
    EXPECT_THAT(
        ParseWith("\"monthly_active_users_limit\": 1000",
                  absl::StrCat("\"monthly_active_users_limit\": ", bad)),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr("monthly_active_users_limit")))
        << bad;
  }
}

TEST(ParseLicenseCatalogTest, RejectsEmptyAttributionText) {
  EXPECT_THAT(ParseWith("\"Built\"", "\"\""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("attribution_text")));
}

TEST(ParseLicenseCatalogTest, RejectsEmptySources) {
  EXPECT_THAT(
      ParseWith("[\"https://example.org/license\"]", "[]"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sources")));
}

TEST(ParseLicenseCatalogTest, RejectsSourceThatIsNotAUrl) {
  EXPECT_THAT(
      ParseWith("https://example.org/license", "see the website"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sources")));
}

TEST(ParseLicenseCatalogTest, RejectsDuplicateId) {
  const std::string entry =
      R"json({"id": "MIT", "family": "permissive_code", "open_data": false,
    "open_documentation": false, "commercial_use": true,
    "sources": ["https://opensource.org/license/mit"]})json";

  EXPECT_THAT(ParseWith("\"spdx_properties\": [",
                        absl::StrCat("\"spdx_properties\": [", entry, ",")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("repeats id 'MIT'")));
}

TEST(ParseLicenseCatalogTest, RejectsModelIdsDifferingOnlyInCase) {
  const std::string twin =
      R"json({"id": "LicenseRef-EXAMPLE", "name": "Twin",
    "family": "model_community", "open_data": false,
    "open_documentation": false, "commercial_use": true,
    "monthly_active_users_limit": null, "use_restrictions": false,
    "restrictions_flow_to_derivatives": false, "attribution_text": null,
    "derivative_name_prefix": null, "distillation_is_derivative": false,
    "outputs_may_not_train_other_models": false, "licensor_namespaces": [],
    "sources": ["https://example.org/twin"], "notes": "n"})json";

  EXPECT_THAT(ParseWith("\"model_licenses\": [",
                        absl::StrCat("\"model_licenses\": [", twin, ",")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("repeats id 'LicenseRef-")));
}

// Both spellings are named, byte-wise smaller first, whatever the file's
// order (std::sort alone would name an arbitrary one of the two).
TEST(ParseLicenseCatalogTest, NamesBothIdsDifferingOnlyInCaseInEitherOrder) {
  const std::string twin =
      R"json({"id": "LicenseRef-EXAMPLE", "name": "Twin",
    "family": "model_community", "open_data": false,
    "open_documentation": false, "commercial_use": true,
    "monthly_active_users_limit": null, "use_restrictions": false,
    "restrictions_flow_to_derivatives": false, "attribution_text": null,
    "derivative_name_prefix": null, "distillation_is_derivative": false,
    "outputs_may_not_train_other_models": false, "licensor_namespaces": [],
    "sources": ["https://example.org/twin"], "notes": "n"})json";
  constexpr char kMessage[] =
      "license catalog: field 'model_licenses' repeats id "
      "'LicenseRef-EXAMPLE' as 'LicenseRef-Example' (ids must be unique "
      "ignoring case)";

  const absl::Status twin_first =
      ParseWith("\"model_licenses\": [",
                absl::StrCat("\"model_licenses\": [", twin, ","));
  const absl::Status twin_last = ParseWith(
      "\"notes\": \"n\"}],", absl::StrCat("\"notes\": \"n\"}, ", twin, "],"));

  EXPECT_THAT(twin_first,
              StatusIs(absl::StatusCode::kInvalidArgument, kMessage));
  EXPECT_THAT(twin_last,
              StatusIs(absl::StatusCode::kInvalidArgument, kMessage));
}

TEST(ParseLicenseCatalogTest, AcceptsEmptyLicensorNamespaces) {
  absl::StatusOr<internal::LicenseCatalog> catalog =
      internal::ParseLicenseCatalog(
          absl::StrReplaceAll(kMinimalCatalog, {{"[\"example-org\"]", "[]"}}));

  ASSERT_THAT(catalog, IsOk());
  EXPECT_THAT(catalog->model_licenses[0].licensor_namespaces, IsEmpty());
}

TEST(ParseLicenseCatalogTest, RejectsMissingLicensorNamespaces) {
  EXPECT_THAT(ParseWith("\"licensor_namespaces\": [\"example-org\"],", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'licensor_namespaces' is missing")));
}

TEST(ParseLicenseCatalogTest, RejectsMalformedLicensorNamespaces) {
  const std::string too_long = absl::StrCat("[\"", std::string(97, 'a'), "\"]");
  for (absl::string_view bad :
       {absl::string_view("\"example-org\""), absl::string_view("null"),
        absl::string_view("[1]"), absl::string_view("[\"\"]"),
        absl::string_view("[\"meta llama\"]"),
        absl::string_view("[\"meta/llama\"]"),
        absl::string_view("[\"example-org\", \"Example-Org\"]"),
        absl::string_view(too_long)}) {
    EXPECT_THAT(ParseWith("[\"example-org\"]", bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("licensor_namespaces")))
        << bad;
  }
}

TEST(ParseLicenseCatalogTest, AcceptsLongestLicensorNamespace) {
  EXPECT_THAT(internal::ParseLicenseCatalog(absl::StrReplaceAll(
                  kMinimalCatalog, {{"example-org", std::string(96, 'a')}})),
              IsOk());
}

TEST(ParseLicenseCatalogTest, RejectsLicensorNamespacesForSpdxProperties) {
  EXPECT_THAT(
      ParseWith("\"sources\": [\"https://opensource.org/license/mit\"]",
                "\"sources\": [\"https://opensource.org/license/mit\"], "
                "\"licensor_namespaces\": []"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("licensor_namespaces")));
}

TEST(ParseLicenseCatalogTest, RejectsSpdxPropertiesForUnknownId) {
  EXPECT_THAT(ParseWith("\"id\": \"MIT\"", "\"id\": \"MIT-Nope\""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an spdx license id")));
}

TEST(ParseLicenseCatalogTest, RejectsNonCanonicalSpdxSpelling) {
  EXPECT_THAT(ParseWith("\"id\": \"MIT\"", "\"id\": \"mit\""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("canonical spelling 'MIT'")));
}

}  // namespace
}  // namespace pedigree::core::license
