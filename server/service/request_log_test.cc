#include "server/service/request_log.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pedigree::server::service {
namespace {

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

}  // namespace
}  // namespace pedigree::server::service
