#ifndef PEDIGREE_SERVER_STORAGE_DSN_H_
#define PEDIGREE_SERVER_STORAGE_DSN_H_

// Helpers for PostgreSQL connection strings (libpq "key=value" strings or
// postgresql:// URIs): parsing, redaction for messages, and rewriting.
// Nothing here opens a connection.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::server::storage {

// Returns OK if libpq can parse `dsn`, InvalidArgument otherwise. The message
// never repeats any part of `dsn`, since a malformed string may hold a
// password in an unexpected place.
absl::Status ValidateDsn(absl::string_view dsn);

// Returns `dsn` in "key=value" form without its password, for log lines and
// error messages, e.g. "host=127.0.0.1 port=5432 dbname=pedigree user=app".
// Only host, hostaddr, port, dbname and user are kept. Returns
// "<malformed database url>" if libpq cannot parse `dsn`.
std::string RedactDsn(absl::string_view dsn);

// Returns the password `dsn` carries, or "" if none (or if `dsn` is
// malformed). Used only to scrub it from driver messages.
std::string DsnPassword(absl::string_view dsn);

// Returns `dsn` in "key=value" form with its dbname replaced by `dbname`
// (every other option kept, password included). Returns InvalidArgument if
// `dsn` is malformed.
absl::StatusOr<std::string> DsnWithDatabase(absl::string_view dsn,
                                            absl::string_view dbname);

// Returns `dsn` in "key=value" form with each of `defaults` added unless
// `dsn` sets that key itself (every option of `dsn` kept, password
// included). Returns InvalidArgument if `dsn` is malformed.
absl::StatusOr<std::string> DsnWithDefaults(
    absl::string_view dsn,
    const std::vector<std::pair<std::string, std::string>>& defaults);

// Returns `value` quoted for a libpq "key=value" string: in single quotes,
// with backslashes and single quotes escaped.
std::string QuoteDsnValue(absl::string_view value);

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_DSN_H_
