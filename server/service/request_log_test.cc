#include "server/service/request_log.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pedigree::server::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

RequestLogEntry Entry(absl::Status status) {
  RequestLogEntry entry;
  entry.method = "PublishRecord";
  entry.status = std::move(status);
  entry.duration = absl::Microseconds(3412);
  entry.peer = "ipv4:127.0.0.1:53124";
  entry.request_id = "5f0c9a1e2b3d4c6f";
  return entry;
}

TEST(RequestLogTest, FormatsOkCallWithoutErrorField) {
  const std::string line = FormatRequestLogLine(Entry(absl::OkStatus()));

  EXPECT_EQ(line,
            "pedigreed rpc method=PublishRecord code=OK duration_ms=3.412 "
            "peer=ipv4:127.0.0.1:53124 request_id=5f0c9a1e2b3d4c6f");
}

TEST(RequestLogTest, FormatsFailedCallWithQuotedError) {
  const std::string line = FormatRequestLogLine(
      Entry(absl::PermissionDeniedError("no signature \"verifies\"")));

  EXPECT_THAT(line, HasSubstr(" code=PERMISSION_DENIED "));
  EXPECT_THAT(line, HasSubstr(" error=\"no signature \\\"verifies\\\"\""));
}

TEST(RequestLogTest, EscapesNewlinesSoOneEntryIsOneLine) {
  const std::string line =
      FormatRequestLogLine(Entry(absl::InternalError("first\nsecond")));

  EXPECT_THAT(line, Not(HasSubstr("\n")));
  EXPECT_THAT(line, HasSubstr("first\\nsecond"));
}

TEST(RequestLogTest, StreamLoggerWritesOneLinePerEntry) {
  std::ostringstream out;
  StreamRequestLogger logger(out);

  logger.Log(Entry(absl::OkStatus()));
  logger.Log(Entry(absl::NotFoundError("x")));

  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

TEST(SplitIntoWritesTest, PacksWholeLinesUpToTheLimit) {
  EXPECT_THAT(SplitIntoWrites("aa\nbb\ncc\n", 6),
              ElementsAre("aa\nbb\n", "cc\n"));
  EXPECT_THAT(SplitIntoWrites("aa\nbb\ncc\n", 9), ElementsAre("aa\nbb\ncc\n"));
  EXPECT_THAT(SplitIntoWrites("aa\nbb\ncc\n", 5),
              ElementsAre("aa\n", "bb\n", "cc\n"));
}

TEST(SplitIntoWritesTest, GivesALineLongerThanTheLimitAWriteOfItsOwn) {
  EXPECT_THAT(SplitIntoWrites("a\nbbbbbbbb\nc\n", 4),
              ElementsAre("a\n", "bbbbbbbb\n", "c\n"));
}

TEST(SplitIntoWritesTest, EmptyInputNeedsNoWrite) {
  EXPECT_THAT(SplitIntoWrites("", PIPE_BUF), ElementsAre());
}

// A pipe whose read end a test drains into a string.
class Pipe {
 public:
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
  ~Pipe() {
    CloseWriteEnd();
    ::close(read_fd_);
  }
  int write_fd() const { return write_fd_; }
  void CloseWriteEnd() {
    if (write_fd_ != -1) ::close(write_fd_);
    write_fd_ = -1;
  }
  // Reads until every write end is closed.
  std::string ReadAll() {
    std::string out;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(read_fd_, buffer, sizeof(buffer))) > 0) {
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

RequestLogEntry NumberedEntry(int thread, int index) {
  RequestLogEntry entry = Entry(absl::OkStatus());
  entry.request_id = absl::StrCat("t", thread, "-", index);
  return entry;
}

TEST(BackgroundRequestLoggerTest, WritesEveryLineInOrderBeforeDestruction) {
  Pipe pipe;
  std::thread reader;
  std::string text;
  reader = std::thread([&] { text = pipe.ReadAll(); });
  {
    BackgroundRequestLogger logger(pipe.write_fd());
    for (int i = 0; i < 1000; ++i) logger.Log(NumberedEntry(0, i));
  }
  pipe.CloseWriteEnd();
  reader.join();

  const std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(lines[i], FormatRequestLogLine(NumberedEntry(0, i)));
  }
  EXPECT_EQ(text.back(), '\n');
}

// Logs `lines` numbered entries through a logger writing to `pipe` whose
// reader starts only after 200 ms, so the pipe fills first; returns all the
// reader got once the logger is gone.
std::string LogWithLateReader(
    Pipe& pipe, int lines,
    size_t max_pending_bytes =
        BackgroundRequestLogger::kDefaultMaxPendingBytes) {
  std::string text;
  std::thread reader([&] {
    absl::SleepFor(absl::Milliseconds(200));
    text = pipe.ReadAll();
  });
  {
    BackgroundRequestLogger logger(pipe.write_fd(), max_pending_bytes);
    for (int i = 0; i < lines; ++i) logger.Log(NumberedEntry(0, i));
  }
  pipe.CloseWriteEnd();
  reader.join();
  return text;
}

TEST(BackgroundRequestLoggerTest, KeepsLinesWholeAndInCallOrderPerThread) {
  constexpr int kThreads = 8;
  constexpr int kLinesPerThread = 2000;
  Pipe pipe;
  std::string text;
  std::thread reader([&] { text = pipe.ReadAll(); });
  {
    BackgroundRequestLogger logger(pipe.write_fd());
    std::vector<std::thread> handlers;
    for (int t = 0; t < kThreads; ++t) {
      handlers.emplace_back([&logger, t] {
        for (int i = 0; i < kLinesPerThread; ++i) {
          logger.Log(NumberedEntry(t, i));
        }
      });
    }
    for (std::thread& handler : handlers) handler.join();
  }
  pipe.CloseWriteEnd();
  reader.join();

  std::vector<int> next(kThreads, 0);
  int count = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++count;
    bool matched = false;
    for (int t = 0; t < kThreads && !matched; ++t) {
      if (next[t] < kLinesPerThread &&
          line == FormatRequestLogLine(NumberedEntry(t, next[t]))) {
        ++next[t];
        matched = true;
      }
    }
    EXPECT_TRUE(matched) << "out of order or torn: " << line;
  }
  EXPECT_EQ(count, kThreads * kLinesPerThread);
}

TEST(BackgroundRequestLoggerTest, WaitsForRoomInsteadOfDroppingLines) {
  // Nobody reads the pipe at first: once the pipe (64 KiB) and the logger's
  // small buffer are full, Log waits; the lines all arrive once a reader
  // drains the pipe.
  constexpr int kLines = 5000;  // ~500 KiB of lines
  Pipe pipe;

  const std::string text =
      LogWithLateReader(pipe, kLines, /*max_pending_bytes=*/1024);

  const std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kLines));
  EXPECT_EQ(lines.back(), FormatRequestLogLine(NumberedEntry(0, kLines - 1)));
}

TEST(BackgroundRequestLoggerTest, SurvivesASinkThatIsGone) {
  // With SIGPIPE's default action (end the process), as wherever the
  // logger runs in a process that does not ignore SIGPIPE (pedigreed does):
  // a write to a pipe nobody reads must fail, not kill the test.
  const auto previous = ::signal(SIGPIPE, SIG_DFL);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  {
    BackgroundRequestLogger logger(fds[1]);
    for (int i = 0; i < 100; ++i) logger.Log(NumberedEntry(0, i));
  }  // returns: the lines are dropped, nothing hangs
  ::close(fds[1]);
  ::signal(SIGPIPE, previous);
}

TEST(BackgroundRequestLoggerTest, WaitsOutANonBlockingSinkThatIsFull) {
  // A non-blocking pipe fails writes with EAGAIN while full; no line is
  // lost for it.
  constexpr int kLines = 5000;  // ~500 KiB of lines, the pipe holds 64 KiB
  Pipe pipe;
  const int flags = ::fcntl(pipe.write_fd(), F_GETFL);
  ASSERT_EQ(::fcntl(pipe.write_fd(), F_SETFL, flags | O_NONBLOCK), 0);

  const std::string text = LogWithLateReader(pipe, kLines);

  const std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kLines));
  for (int i = 0; i < kLines; ++i) {
    ASSERT_EQ(lines[i], FormatRequestLogLine(NumberedEntry(0, i)));
  }
}

}  // namespace
}  // namespace pedigree::server::service
