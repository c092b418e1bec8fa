#include "server/storage/migrator.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/crypto/sha256.h"
#include "core/status_macros.h"
#include "pqxx/pqxx"
#include "server/storage/internal/pqxx_status.h"

namespace pedigree::server::storage {
namespace {

// Key of the transaction-scoped advisory lock that serializes migrators: the
// ASCII bytes of "pedigree" read as a big-endian integer.
constexpr int64_t kMigrationLockKey = 0x7065646967726565;

constexpr char kLockSql[] = "SELECT pg_advisory_xact_lock($1)";
constexpr char kTableExistsSql[] =
    "SELECT to_regclass('schema_migrations') IS NOT NULL";
constexpr char kAppliedSql[] =
    "SELECT version, name, checksum FROM schema_migrations ORDER BY version";
constexpr char kRecordSql[] =
    "INSERT INTO schema_migrations (version, name, checksum) "
    "VALUES ($1, $2, $3)";

constexpr absl::string_view kSqlSuffix = ".sql";

absl::Status ValidateFileName(absl::string_view file_name) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "migration file name \"", file_name, "\" ", why,
        " (expected NNNN_verb_noun.sql, e.g. 0001_create_records.sql)"));
  };
  if (!absl::EndsWith(file_name, kSqlSuffix))
    return bad("does not end in .sql");
  absl::string_view stem = file_name;
  stem.remove_suffix(kSqlSuffix.size());
  if (stem.size() < 5 || stem[4] != '_') return bad("has no NNNN_ prefix");
  for (size_t i = 0; i < 4; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(stem[i]))) {
      return bad("has no NNNN_ prefix");
    }
  }
  absl::string_view words = stem.substr(5);
  if (words.empty() || words.front() == '_' || words.back() == '_' ||
      absl::StrContains(words, "__") || !absl::StrContains(words, '_')) {
    return bad("does not name a verb and a noun");
  }
  for (char c : words) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_') {
      return bad("has characters other than [a-z0-9_]");
    }
  }
  return absl::OkStatus();
}

bool SameChecksum(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Reads schema_migrations inside `tx` and returns the current version after
// checking that the applied migrations are exactly a prefix of `known`.
absl::StatusOr<int> ReadVersion(pqxx::transaction_base& tx,
                                const std::vector<Migration>& known) {
  const pqxx::row exists = tx.exec1(kTableExistsSql);
  if (!exists[0].as<bool>()) return 0;
  const pqxx::result rows = tx.exec(kAppliedSql);
  const int latest = known.empty() ? 0 : known.back().version;
  if (!rows.empty()) {
    const int newest = rows.back()[0].as<int>();
    if (newest > latest) {
      return absl::FailedPreconditionError(absl::StrCat(
          "database schema version ", newest,
          " is newer than this pedigreed (knows up to ", latest, ")"));
    }
  }
  int expected = 1;
  for (const pqxx::row& row : rows) {
    const int version = row[0].as<int>();
    if (version != expected) {
      return absl::FailedPreconditionError(
          absl::StrCat("schema_migrations is inconsistent: version ", expected,
                       " is missing but version ", version, " is applied"));
    }
    const Migration& migration = known[version - 1];
    const std::string name = row[1].as<std::string>();
    const std::string checksum = pqxx::binarystring(row[2]).str();
    if (name != migration.name) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", migration.name,
          " was changed after it was applied (it was applied as ", name, ")"));
    }
    if (!SameChecksum(checksum, migration.checksum)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", migration.name,
          " was changed after it was applied (its sha256 differs from the "
          "one recorded in schema_migrations)"));
    }
    ++expected;
  }
  return expected - 1;
}

}  // namespace

absl::StatusOr<std::vector<Migration>> ParseMigrations(
    absl::Span<const EmbeddedMigration> files) {
  std::vector<Migration> migrations;
  migrations.reserve(files.size());
  for (const EmbeddedMigration& file : files) {
    PEDIGREE_RETURN_IF_ERROR(ValidateFileName(file.file_name));
    if (absl::StripAsciiWhitespace(file.sql).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration file ", file.file_name, " is empty"));
    }
    Migration migration;
    if (!absl::SimpleAtoi(file.file_name.substr(0, 4), &migration.version)) {
      return absl::InternalError(
          absl::StrCat("cannot parse the version of ", file.file_name));
    }
    migration.name = std::string(
        file.file_name.substr(0, file.file_name.size() - kSqlSuffix.size()));
    migration.sql = std::string(file.sql);
    PEDIGREE_ASSIGN_OR_RETURN(migration.checksum,
                              core::crypto::Sha256Digest(file.sql));
    migrations.push_back(std::move(migration));
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) {
              return a.version < b.version;
            });
  for (size_t i = 0; i < migrations.size(); ++i) {
    const int expected = static_cast<int>(i) + 1;
    if (migrations[i].version != expected) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migration versions must be 1, 2, 3, ... without gaps or "
          "duplicates: expected version ",
          expected, " but found ", migrations[i].name));
    }
  }
  return migrations;
}

Migrator::Migrator(std::vector<Migration> migrations)
    : migrations_(std::move(migrations)) {}

absl::StatusOr<Migrator> Migrator::Create(
    absl::Span<const EmbeddedMigration> files) {
  PEDIGREE_ASSIGN_OR_RETURN(std::vector<Migration> migrations,
                            ParseMigrations(files));
  return Migrator(std::move(migrations));
}

int Migrator::latest_version() const {
  return migrations_.empty() ? 0 : migrations_.back().version;
}

absl::StatusOr<MigrationReport> Migrator::Migrate(
    const std::string& dsn) const {
  PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> connection,
                            internal::Connect(dsn));
  MigrationReport report;
  bool first_step = true;
  // One transaction per step: lock, re-read the applied versions (another
  // migrator may have moved on while we waited), apply at most one migration.
  while (true) {
    std::string context = "read schema_migrations";
    bool done = false;
    absl::Status step = absl::OkStatus();
    try {
      pqxx::work tx(*connection);
      tx.exec_params(kLockSql, kMigrationLockKey);
      absl::StatusOr<int> current = ReadVersion(tx, migrations_);
      if (!current.ok()) return current.status();
      if (first_step) {
        report.from_version = *current;
        first_step = false;
      }
      report.to_version = *current;
      if (*current >= latest_version()) {
        tx.commit();
        done = true;
      } else {
        const Migration& next = migrations_[*current];
        context = absl::StrCat("apply migration ", next.name);
        tx.exec(next.sql);
        const pqxx::result recorded = tx.exec_params(
            kRecordSql, next.version, next.name,
            pqxx::binarystring(next.checksum.data(), next.checksum.size()));
        if (recorded.affected_rows() != 1) {
          return absl::InternalError(
              absl::StrCat(context, ": schema_migrations insert affected ",
                           recorded.affected_rows(), " rows"));
        }
        tx.commit();
        report.applied.push_back(next.name);
        report.to_version = next.version;
      }
    } catch (...) {
      step = internal::StatusFromCurrentException(context);
    }
    PEDIGREE_RETURN_IF_ERROR(step);
    if (done) return report;
  }
}

absl::StatusOr<int> Migrator::CurrentVersion(const std::string& dsn) const {
  PEDIGREE_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> connection,
                            internal::Connect(dsn));
  absl::StatusOr<int> version = absl::InternalError("unreachable");
  PEDIGREE_RETURN_IF_ERROR(
      internal::RunGuarded("read schema_migrations", [&]() -> absl::Status {
        pqxx::read_transaction tx(*connection);
        version = ReadVersion(tx, migrations_);
        return absl::OkStatus();
      }));
  return version;
}

}  // namespace pedigree::server::storage
