#include "client/lib/grpc_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;

TEST(FromGrpcStatusTest, OkIsOk) {
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
}

TEST(FromGrpcStatusTest, KeepsCodeAndMessage) {
  const grpc::Status status(grpc::StatusCode::PERMISSION_DENIED,
                            "no signature verifies");

  const absl::Status converted = FromGrpcStatus(status);

  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kPermissionDenied,
                                  "no signature verifies"));
}

TEST(FromGrpcStatusTest, UnreachableCodesStayDistinct) {
  EXPECT_THAT(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "x")),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(
      FromGrpcStatus(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "x")),
      StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "x")),
      StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace pedigree::client
