#include "server/service/grpc_status.h"

#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pedigree::server::service {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(GrpcStatusTest, OkStaysOk) {
  const grpc::Status status = ToGrpcStatus(absl::OkStatus(), "id1");

  EXPECT_TRUE(status.ok());
}

class PassThroughTest : public ::testing::TestWithParam<
                            std::tuple<absl::StatusCode, grpc::StatusCode>> {};

TEST_P(PassThroughTest, MapsCodeAndKeepsMessage) {
  const auto [code, expected] = GetParam();

  const grpc::Status status =
      ToGrpcStatus(absl::Status(code, "namespace acme-ai: detail"), "id1");

  EXPECT_EQ(status.error_code(), expected);
  EXPECT_EQ(status.error_message(), "namespace acme-ai: detail");
}

INSTANTIATE_TEST_SUITE_P(
    EveryClientVisibleCode, PassThroughTest,
    ::testing::Values(std::make_tuple(absl::StatusCode::kCancelled,
                                      grpc::StatusCode::CANCELLED),
                      std::make_tuple(absl::StatusCode::kInvalidArgument,
                                      grpc::StatusCode::INVALID_ARGUMENT),
                      std::make_tuple(absl::StatusCode::kDeadlineExceeded,
                                      grpc::StatusCode::DEADLINE_EXCEEDED),
                      std::make_tuple(absl::StatusCode::kNotFound,
                                      grpc::StatusCode::NOT_FOUND),
                      std::make_tuple(absl::StatusCode::kAlreadyExists,
                                      grpc::StatusCode::ALREADY_EXISTS),
                      std::make_tuple(absl::StatusCode::kPermissionDenied,
                                      grpc::StatusCode::PERMISSION_DENIED),
                      std::make_tuple(absl::StatusCode::kResourceExhausted,
                                      grpc::StatusCode::RESOURCE_EXHAUSTED),
                      std::make_tuple(absl::StatusCode::kFailedPrecondition,
                                      grpc::StatusCode::FAILED_PRECONDITION),
                      std::make_tuple(absl::StatusCode::kAborted,
                                      grpc::StatusCode::ABORTED),
                      std::make_tuple(absl::StatusCode::kOutOfRange,
                                      grpc::StatusCode::OUT_OF_RANGE),
                      std::make_tuple(absl::StatusCode::kUnimplemented,
                                      grpc::StatusCode::UNIMPLEMENTED),
                      std::make_tuple(absl::StatusCode::kUnauthenticated,
                                      grpc::StatusCode::UNAUTHENTICATED)));

class HiddenTest : public ::testing::TestWithParam<
                       std::tuple<absl::StatusCode, grpc::StatusCode>> {};

TEST_P(HiddenTest, ReplacesMessageWithRequestId) {
  const auto [code, expected] = GetParam();

  const grpc::Status status = ToGrpcStatus(
      absl::Status(code, "sqlstate 42P01 at host db.internal"), "5f0c9a1e");

  EXPECT_EQ(status.error_code(), expected);
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("request id 5f0c9a1e"), Not(HasSubstr("42P01")),
                    Not(HasSubstr("db.internal"))));
}

INSTANTIATE_TEST_SUITE_P(
    ServerFaults, HiddenTest,
    ::testing::Values(std::make_tuple(absl::StatusCode::kInternal,
                                      grpc::StatusCode::INTERNAL),
                      std::make_tuple(absl::StatusCode::kUnknown,
                                      grpc::StatusCode::UNKNOWN),
                      std::make_tuple(absl::StatusCode::kDataLoss,
                                      grpc::StatusCode::DATA_LOSS),
                      std::make_tuple(absl::StatusCode::kUnavailable,
                                      grpc::StatusCode::UNAVAILABLE)));

TEST(GrpcStatusTest, UnavailableSaysTheDatabaseIsUnavailable) {
  const grpc::Status status = ToGrpcStatus(
      absl::UnavailableError("cannot connect to database (host=/run/pg "
                             "user=pedigree)"),
      "5f0c9a1e");

  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("database is unavailable"),
                    HasSubstr("request id 5f0c9a1e"), Not(HasSubstr("/run/pg")),
                    Not(HasSubstr("user=pedigree"))));
}

TEST(GrpcStatusTest, UnknownCodeValueBecomesHiddenUnknown) {
  const grpc::Status status = ToGrpcStatus(
      absl::Status(static_cast<absl::StatusCode>(99), "secret"), "id1");

  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_THAT(status.error_message(), Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace pedigree::server::service
