#ifndef PEDIGREE_CORE_STATUS_MACROS_H_
#define PEDIGREE_CORE_STATUS_MACROS_H_

// Propagation macros for absl::Status and absl::StatusOr. abseil 20220623 has
// none; the names mirror the upstream ABSL_ ones so we can switch later.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns the status of `expr` from the enclosing function if it is not OK.
#define PEDIGREE_RETURN_IF_ERROR(expr)                                  \
  do {                                                                  \
    if (absl::Status pedigree_status_ = (expr); !pedigree_status_.ok()) \
      return pedigree_status_;                                          \
  } while (0)

#define PEDIGREE_CONCAT_INNER_(a, b) a##b
#define PEDIGREE_CONCAT_(a, b) PEDIGREE_CONCAT_INNER_(a, b)

// Evaluates `expr` (a StatusOr); returns its status if not OK, otherwise
// moves the value into `lhs`. Expands to several statements: always brace the
// body of an `if` that uses it.
#define PEDIGREE_ASSIGN_OR_RETURN(lhs, expr) \
  PEDIGREE_ASSIGN_OR_RETURN_IMPL_(           \
      PEDIGREE_CONCAT_(pedigree_statusor_, __COUNTER__), lhs, expr)
#define PEDIGREE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

#endif  // PEDIGREE_CORE_STATUS_MACROS_H_
