#ifndef PEDIGREE_SERVER_STORAGE_MIGRATOR_H_
#define PEDIGREE_SERVER_STORAGE_MIGRATOR_H_

// Applies the numbered SQL migrations of migrations/ to a PostgreSQL
// database and refuses databases this binary does not understand.
//
//   PEDIGREE_ASSIGN_OR_RETURN(Migrator migrator,
//                             Migrator::Create(EmbeddedMigrations()));
//   PEDIGREE_ASSIGN_OR_RETURN(MigrationReport report, migrator.Migrate(dsn));

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/storage/embedded_migrations.h"

namespace pedigree::server::storage {

// One validated migration. A plain value; copyable.
struct Migration {
  // From the file name "0001_create_registry.sql": 1.
  int version = 0;
  // The file name without ".sql": "0001_create_registry".
  std::string name;
  std::string sql;
  // Raw 32-byte SHA-256 of `sql`, recorded in schema_migrations.
  std::string checksum;
};

// What one Migrate() call did. A plain value; copyable.
struct MigrationReport {
  // Schema version found before, and left after, the call.
  int from_version = 0;
  int to_version = 0;
  // Names of the migrations this call applied, in order.
  std::vector<std::string> applied;
};

// Returns the migrations described by `files`, sorted by version. Returns
// InvalidArgument naming the file if a name is not "NNNN_verb_noun.sql"
// (four digits, then lower-case words joined by '_'), if a file is empty,
// or if the versions are not exactly 1, 2, ..., N without duplicates.
absl::StatusOr<std::vector<Migration>> ParseMigrations(
    absl::Span<const EmbeddedMigration> files);

// Applies migrations in order, each in its own transaction together with its
// schema_migrations row, under a PostgreSQL advisory lock so that concurrent
// migrators (two servers starting at once) apply each migration once.
// Migration 0001 creates schema_migrations itself: no DDL lives in C++.
//
// Immutable after construction; thread-safe. Copyable and movable.
class Migrator {
 public:
  // Returns a migrator for `files` (see ParseMigrations for the errors).
  static absl::StatusOr<Migrator> Create(
      absl::Span<const EmbeddedMigration> files);

  // Applies every pending migration to the database at `dsn` and returns
  // what was done. Opens and closes its own connection. Returns
  //  - FailedPrecondition if the database records a version this binary does
  //    not know ("database schema version N is newer than this pedigreed
  //    (knows up to M)"), if a recorded migration's name or checksum differs
  //    from the embedded file ("migration 0001_x was changed after it was
  //    applied"), or if the recorded versions have a gap;
  //  - Unavailable if the database cannot be reached;
  //  - the mapped driver error (usually Internal, naming the migration and
  //    the SQLSTATE) if a migration fails; that migration is rolled back and
  //    the ones before it stay applied.
  absl::StatusOr<MigrationReport> Migrate(const std::string& dsn) const;

  // Returns the schema version of the database at `dsn` (0 for an empty
  // database) after the same consistency checks as Migrate(), without
  // changing anything.
  absl::StatusOr<int> CurrentVersion(const std::string& dsn) const;

  // The newest version this migrator knows (0 if it has no migrations).
  int latest_version() const;
  const std::vector<Migration>& migrations() const { return migrations_; }

 private:
  explicit Migrator(std::vector<Migration> migrations);

  std::vector<Migration> migrations_;
};

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_MIGRATOR_H_
