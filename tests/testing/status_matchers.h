#ifndef PEDIGREE_TESTS_TESTING_STATUS_MATCHERS_H_
#define PEDIGREE_TESTS_TESTING_STATUS_MATCHERS_H_

// gMock matchers for absl::Status and absl::StatusOr that print the status
// message on failure. gtest 1.12 and abseil 20220623 ship none.
//
//   EXPECT_THAT(store.Get(7), IsOk());
//   EXPECT_THAT(ParseRef("x"), StatusIs(absl::StatusCode::kInvalidArgument,
//                                       HasSubstr("namespace")));
//   ASSERT_OK_AND_ASSIGN(Record r, ParseRecord(bytes));

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pedigree::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = ::pedigree::testing::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = ::pedigree::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + absl::StatusCodeToString(code) +
               " and a matching message") {
  const absl::Status& status = ::pedigree::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

}  // namespace pedigree::testing

#define PEDIGREE_TESTING_CONCAT_INNER_(a, b) a##b
#define PEDIGREE_TESTING_CONCAT_(a, b) PEDIGREE_TESTING_CONCAT_INNER_(a, b)

// Asserts that `expr` (a StatusOr) is OK and moves its value into `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                    \
  ASSERT_OK_AND_ASSIGN_IMPL_(                                              \
      PEDIGREE_TESTING_CONCAT_(pedigree_test_statusor_, __COUNTER__), lhs, \
      expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)       \
  auto tmp = (expr);                                     \
  ASSERT_TRUE(tmp.ok()) << "status is " << tmp.status(); \
  lhs = std::move(tmp).value()

#define EXPECT_OK(expr) EXPECT_THAT((expr), ::pedigree::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::pedigree::testing::IsOk())

#endif  // PEDIGREE_TESTS_TESTING_STATUS_MATCHERS_H_
