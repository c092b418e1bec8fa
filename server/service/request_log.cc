#include "server/service/request_log.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pedigree::server::service {
namespace {

// Returns `value` bare if it is a simple token, otherwise double-quoted with
// C escapes (which also turn newlines and control bytes into text).
std::string LogfmtValue(absl::string_view value) {
  bool simple = !value.empty();
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '"' || c == '=' || c == '\\') {
      simple = false;
      break;
    }
  }
  if (simple) return std::string(value);
  return absl::StrCat("\"", absl::CEscape(value), "\"");
}

}  // namespace

std::string FormatRequestLogLine(const RequestLogEntry& entry) {
  std::string line = absl::StrCat(
      "pedigreed rpc method=", LogfmtValue(entry.method),
      " code=", LogfmtValue(absl::StatusCodeToString(entry.status.code())),
      " duration_ms=",
      absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(entry.duration)),
      " peer=", LogfmtValue(entry.peer),
      " request_id=", LogfmtValue(entry.request_id));
  if (!entry.status.ok()) {
    absl::StrAppend(&line, " error=", LogfmtValue(entry.status.message()));
  }
  return line;
}

void StreamRequestLogger::Log(const RequestLogEntry& entry) {
  // One write per line, so lines from several servers sharing a log sink
  // never interleave mid-line.
  const std::string line = absl::StrCat(FormatRequestLogLine(entry), "\n");
  absl::MutexLock lock(&mu_);
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

}  // namespace pedigree::server::service
