#include "server/service/admin_auth.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::service {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

constexpr char kToken[] = "correct-horse-battery-staple";

TEST(AdminAuthenticatorTest, AcceptsBearerWithConfiguredToken) {
  const AdminAuthenticator auth(kToken);
  const std::string value = std::string("Bearer ") + kToken;
  const Metadata metadata = {{"authorization", value}};

  EXPECT_THAT(auth.Check(metadata), IsOk());
}

TEST(AdminAuthenticatorTest, AcceptsSchemeInAnyCase) {
  const AdminAuthenticator auth(kToken);
  const std::string value = std::string("bEaReR ") + kToken;
  const Metadata metadata = {{"authorization", value}};

  EXPECT_THAT(auth.Check(metadata), IsOk());
}

TEST(AdminAuthenticatorTest, RejectsWrongTokenWithoutEchoingIt) {
  const AdminAuthenticator auth(kToken);
  const Metadata metadata = {{"authorization", "Bearer guess-123"}};

  EXPECT_THAT(auth.Check(metadata), StatusIs(absl::StatusCode::kUnauthenticated,
                                             Not(HasSubstr("guess-123"))));
}

TEST(AdminAuthenticatorTest, RejectsTokenPrefix) {
  const AdminAuthenticator auth(kToken);
  const Metadata metadata = {{"authorization", "Bearer correct-horse"}};

  EXPECT_THAT(auth.Check(metadata),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(AdminAuthenticatorTest, RejectsEmptyBearerToken) {
  const AdminAuthenticator auth(kToken);
  const Metadata metadata = {{"authorization", "Bearer "}};

  EXPECT_THAT(auth.Check(metadata),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(AdminAuthenticatorTest, RejectsMissingMetadata) {
  const AdminAuthenticator auth(kToken);

  EXPECT_THAT(auth.Check(Metadata{}),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("missing admin credentials")));
}

TEST(AdminAuthenticatorTest, RejectsRepeatedAuthorization) {
  const AdminAuthenticator auth(kToken);
  const std::string value = std::string("Bearer ") + kToken;
  const Metadata metadata = {{"authorization", value},
                             {"authorization", value}};

  EXPECT_THAT(auth.Check(metadata), StatusIs(absl::StatusCode::kUnauthenticated,
                                             HasSubstr("more than one")));
}

TEST(AdminAuthenticatorTest, RejectsOtherScheme) {
  const AdminAuthenticator auth(kToken);
  const std::string value = std::string("Basic ") + kToken;
  const Metadata metadata = {{"authorization", value}};

  EXPECT_THAT(auth.Check(metadata),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("not a Bearer credential")));
}

TEST(AdminAuthenticatorTest, DisabledWithoutConfiguredToken) {
  const AdminAuthenticator auth("");
  const Metadata metadata = {{"authorization", "Bearer "}};

  EXPECT_THAT(auth.Check(metadata),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("admin calls are disabled")));
}

}  // namespace
}  // namespace pedigree::server::service
