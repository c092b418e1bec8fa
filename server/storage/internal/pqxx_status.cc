#include "server/storage/internal/pqxx_status.h"

#include <exception>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "core/status_macros.h"
#include "pqxx/except"
#include "server/storage/dsn.h"

namespace pedigree::server::storage::internal {
namespace {

std::string Clean(absl::string_view message, absl::string_view secret) {
  std::string text(absl::StripAsciiWhitespace(message));
  if (!secret.empty()) {
    text = absl::StrReplaceAll(text, {{secret, "****"}});
  }
  return text;
}

}  // namespace

absl::Status StatusFromCurrentException(absl::string_view context,
                                        absl::string_view secret) {
  // Most specific first: unique_violation derives from sql_error, and
  // broken_connection from failure.
  try {
    throw;
  } catch (const pqxx::unique_violation& e) {
    return absl::AlreadyExistsError(
        absl::StrCat(context, ": ", Clean(e.what(), secret)));
  } catch (const pqxx::serialization_failure& e) {
    return absl::AbortedError(
        absl::StrCat(context, ": ", Clean(e.what(), secret)));
  } catch (const pqxx::deadlock_detected& e) {
    return absl::AbortedError(
        absl::StrCat(context, ": ", Clean(e.what(), secret)));
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(absl::StrCat(
        context, ": database connection lost: ", Clean(e.what(), secret)));
  } catch (const pqxx::in_doubt_error& e) {
    return absl::UnknownError(absl::StrCat(
        context, ": commit outcome unknown: ", Clean(e.what(), secret)));
  } catch (const pqxx::sql_error& e) {
    return absl::InternalError(absl::StrCat(
        context, ": sqlstate ", e.sqlstate(), ": ", Clean(e.what(), secret)));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat(context, ": ", Clean(e.what(), secret)));
  } catch (...) {
    return absl::InternalError(absl::StrCat(context, ": unknown exception"));
  }
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> Connect(
    const std::string& dsn) {
  PEDIGREE_RETURN_IF_ERROR(ValidateDsn(dsn));
  const std::string password = DsnPassword(dsn);
  try {
    return std::make_unique<pqxx::connection>(dsn);
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to database (", RedactDsn(dsn),
                     "): ", Clean(e.what(), password)));
  } catch (...) {
    return StatusFromCurrentException(
        absl::StrCat("connect to database (", RedactDsn(dsn), ")"), password);
  }
}

}  // namespace pedigree::server::storage::internal
