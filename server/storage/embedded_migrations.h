#ifndef PEDIGREE_SERVER_STORAGE_EMBEDDED_MIGRATIONS_H_
#define PEDIGREE_SERVER_STORAGE_EMBEDDED_MIGRATIONS_H_

// The SQL migrations of migrations/*.sql, compiled into the binary by
// server/storage/embed_migrations.cmake so that pedigreed does not depend on
// its working directory.

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace pedigree::server::storage {

// One migration file: its base name ("0001_create_registry.sql") and its
// exact contents. A plain constant; copyable.
struct EmbeddedMigration {
  absl::string_view file_name;
  absl::string_view sql;
};

// Returns every file of migrations/, sorted by name. The storage is static
// and immutable; the span is valid for the life of the program.
absl::Span<const EmbeddedMigration> EmbeddedMigrations();

}  // namespace pedigree::server::storage

#endif  // PEDIGREE_SERVER_STORAGE_EMBEDDED_MIGRATIONS_H_
