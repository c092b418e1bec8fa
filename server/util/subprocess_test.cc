#include "server/util/subprocess.h"

#include <signal.h>

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server {
namespace {

using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::HasSubstr;

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

TEST(SubprocessTest, ReportsExitCode) {
  SubprocessOptions options;
  options.argv = {"/bin/sh", "-c", "exit 3"};

  absl::StatusOr<ExitStatus> exit = RunSubprocess(options, Soon());

  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 3);
  EXPECT_FALSE(exit->success());
}

TEST(SubprocessTest, ReadsStdoutLinesAndExtraEnvironment) {
  SubprocessOptions options;
  options.argv = {"/bin/sh", "-c", "echo \"$GREETING\"; echo two"};
  options.extra_env = {{"GREETING", "hello"}};
  options.pipe_stdout = true;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subprocess> process,
                       Subprocess::Start(options));

  absl::StatusOr<std::string> first = process->ReadStdoutLine(Soon());
  absl::StatusOr<std::string> second = process->ReadStdoutLine(Soon());
  absl::StatusOr<std::string> end = process->ReadStdoutLine(Soon());

  EXPECT_THAT(first, IsOk());
  EXPECT_EQ(first.value_or(""), "hello");
  EXPECT_EQ(second.value_or(""), "two");
  EXPECT_THAT(end, StatusIs(absl::StatusCode::kOutOfRange));
}

TEST(SubprocessTest, SignalEndsProcess) {
  SubprocessOptions options;
  options.argv = {"/bin/sleep", "60"};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subprocess> process,
                       Subprocess::Start(options));

  ASSERT_THAT(process->Signal(SIGTERM), IsOk());
  absl::StatusOr<ExitStatus> exit = process->Wait(Soon());

  ASSERT_THAT(exit, IsOk());
  EXPECT_FALSE(exit->exited);
  EXPECT_EQ(exit->code, SIGTERM);
}

TEST(SubprocessTest, WaitPastDeadlineReturnsDeadlineExceeded) {
  SubprocessOptions options;
  options.argv = {"/bin/sleep", "60"};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subprocess> process,
                       Subprocess::Start(options));

  EXPECT_THAT(process->Wait(absl::InfinitePast()),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(SubprocessTest, MissingProgramIsNotFound) {
  SubprocessOptions options;
  options.argv = {"/nonexistent/program"};

  EXPECT_THAT(
      Subprocess::Start(options),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/program")));
}

TEST(SubprocessTest, EmptyArgvIsInvalid) {
  EXPECT_THAT(Subprocess::Start(SubprocessOptions{}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pedigree::server
