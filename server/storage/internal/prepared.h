#ifndef PEDIGREE_SERVER_STORAGE_INTERNAL_PREPARED_H_
#define PEDIGREE_SERVER_STORAGE_INTERNAL_PREPARED_H_

// Prepared statements for server/storage/ only: each SQL statement is a
// named constant with $n parameters, prepared on a connection at its first
// use there.

#include <string>
#include <utility>

#include "pqxx/pqxx"

namespace pedigree::server::storage::internal {

// A prepared statement: its name on every connection and its text.
struct Statement {
  std::string name;
  std::string sql;
};

// Runs prepared statement `statement` in `tx`, defining it on the
// connection first (a no-op after the first time; libpqxx prepares it on the
// server at first use, and again on a fresh connection). Throws what libpqxx
// throws; callers run inside RunGuarded.
template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& tx, const Statement& statement,
                  Args&&... args) {
  tx.conn().prepare(statement.name, statement.sql);
  return tx.exec_prepared(statement.name, std::forward<Args>(args)...);
}

}  // namespace pedigree::server::storage::internal

#endif  // PEDIGREE_SERVER_STORAGE_INTERNAL_PREPARED_H_
