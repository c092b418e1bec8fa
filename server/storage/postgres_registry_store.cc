#include "server/storage/postgres_registry_store.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/encoding/base64.h"
#include "core/encoding/hex.h"
#include "core/judgment/judgment.h"
#include "core/license/license_expression.h"
#include "core/merkle/proof.h"
#include "core/merkle/tree.h"
#include "core/record/log_entry.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/status_macros.h"
#include "nlohmann/json.hpp"
#include "pqxx/pqxx"
#include "server/storage/internal/array_literal.h"
#include "server/storage/internal/log_batch.h"
#include "server/storage/internal/pqxx_status.h"
#include "server/storage/internal/prepared.h"

namespace pedigree::server::storage {
namespace {

using core::record::ModelLocator;
using core::record::ModelRef;
using internal::ArrayLiteral;
using internal::Exec;
using internal::Statement;

// --- SQL
// ---------------------------------------------------------------------- Every
// statement is a literal; the few composed ones are concatenations of the
// literal fragments below, never of values. Timestamps are read as integer
// microseconds since the epoch (extract() is exact numeric in PostgreSQL 14+).

// Columns of a StoredRecord, in the order ReadStoredRecord reads them, for a
// query over `records r`: kRecordFieldColumns, then one signer column,
// kSignerIdsColumn (lists, lineage) or kSignerRowsColumn (lookups of one or
// a few records, which need the signer keys' current rows too: reading them
// in the same statement saves a round trip and sees one snapshot).
constexpr char kRecordFieldColumns[] =
    "r.id, r.record_digest, r.model_namespace, r.model_name, "
    "r.model_version, r.root_digest, r.envelope, "
    "(extract(epoch FROM r.published_at) * 1000000)::bigint, "
    "to_char(r.release_date, 'YYYY-MM-DD'), r.weights_license, "
    "r.code_license, r.declared_openness, "
    "(SELECT e.idx FROM log_entries e WHERE e.record_id = r.id), ";
constexpr char kSignerIdsColumn[] =
    "(SELECT string_agg(k.key_id, ',' ORDER BY k.key_id) "
    "FROM record_signatures s JOIN keys k ON k.id = s.key_id "
    "WHERE s.record_id = r.id)";
// A JSON array of the signer keys' rows, ordered by key id; public_key is
// lowercase hex, times are integer microseconds (revoked_us null if active).
constexpr char kSignerRowsColumn[] =
    "(SELECT json_agg(json_build_object('key_id', k.key_id, "
    "'namespace', n.name, 'key_type', k.key_type, "
    "'public_key', encode(k.public_key, 'hex'), 'status', k.status, "
    "'added_us', (extract(epoch FROM k.added_at) * 1000000)::bigint, "
    "'revoked_us', (extract(epoch FROM k.revoked_at) * 1000000)::bigint) "
    "ORDER BY k.key_id) "
    "FROM record_signatures s JOIN keys k ON k.id = s.key_id "
    "JOIN namespaces n ON n.id = k.namespace_id WHERE s.record_id = r.id)";
constexpr int kRecordColumnCount = 14;

constexpr char kNewestFirst[] = " ORDER BY r.published_at DESC, r.id DESC";

constexpr char kCreateNamespaceSql[] =
    "INSERT INTO namespaces (name) VALUES ($1) "
    "RETURNING name, (extract(epoch FROM created_at) * 1000000)::bigint";

// Key rows are read as: key_id, namespace name, key_type, public_key,
// status, added_at and revoked_at in microseconds, log index.
constexpr char kAddKeySql[] =
    "WITH ns AS (SELECT id, name FROM namespaces "
    "WHERE lower(name) = lower($1)), "
    "ins AS (INSERT INTO keys (namespace_id, key_id, key_type, public_key) "
    "SELECT ns.id, $2, $3, $4 FROM ns "
    "RETURNING id, key_id, key_type, public_key, status, added_at, "
    "revoked_at) "
    "SELECT ins.key_id, ns.name, ins.key_type, ins.public_key, ins.status, "
    "(extract(epoch FROM ins.added_at) * 1000000)::bigint, "
    "(extract(epoch FROM ins.revoked_at) * 1000000)::bigint, NULL::bigint, "
    "ins.id FROM ins, ns";

// One row with NULL key columns for a namespace without keys; no row for an
// unknown namespace.
constexpr char kListKeysSql[] =
    "SELECT k.key_id, n.name, k.key_type, k.public_key, k.status, "
    "(extract(epoch FROM k.added_at) * 1000000)::bigint, "
    "(extract(epoch FROM k.revoked_at) * 1000000)::bigint, "
    "(SELECT e.idx FROM log_entries e WHERE e.key_id = k.id) "
    "FROM namespaces n LEFT JOIN keys k ON k.namespace_id = n.id "
    "WHERE lower(n.name) = lower($1) ORDER BY k.added_at, k.id";

constexpr char kGetKeysSql[] =
    "SELECT k.key_id, n.name, k.key_type, k.public_key, k.status, "
    "(extract(epoch FROM k.added_at) * 1000000)::bigint, "
    "(extract(epoch FROM k.revoked_at) * 1000000)::bigint, "
    "(SELECT e.idx FROM log_entries e WHERE e.key_id = k.id) "
    "FROM keys k JOIN namespaces n ON n.id = k.namespace_id "
    "WHERE k.key_id = ANY($1::text[])";

// Publish, in bulk: a log batch checks and writes all its records with a
// fixed number of statements (see PublishRound). Array parameters are
// PostgreSQL array literals; raw digests travel as one bytea of 32-byte
// slices, variable-length bytes as bytea[] of hex. The namespace rows and
// the signer key rows are share-locked so that a concurrent revocation (an
// UPDATE of the key row) either waits for this commit or is seen by it.
//
// $1 the namespaces, lower-cased.
constexpr char kLockNamespacesSql[] =
    "SELECT id, lower(name) FROM namespaces "
    "WHERE lower(name) = ANY($1::text[]) FOR SHARE";
// $1 key ids.
constexpr char kLockActiveKeysSql[] =
    "SELECT id, key_id, namespace_id FROM keys "
    "WHERE key_id = ANY($1::text[]) AND status = 'active' FOR SHARE";
// $1 namespaces, $2 names, $3 versions: the stored record of each parent
// ref, by input ordinal.
constexpr char kResolveRefsSql[] =
    "SELECT w.ord, r.id FROM unnest($1::text[], $2::text[], $3::text[]) "
    "WITH ORDINALITY AS w(ns, name, version, ord) "
    "JOIN namespaces n ON lower(n.name) = lower(w.ns) "
    "JOIN records r ON r.namespace_id = n.id "
    "AND lower(r.model_name) = lower(w.name) AND r.model_version = w.version";
// $1 root digests (32-byte slices): the first record published with each,
// by input ordinal.
constexpr char kResolveRootsSql[] =
    "SELECT DISTINCT ON (w.ord) w.ord, r.id FROM "
    "(SELECT i + 1 AS ord, substring($1::bytea FROM i * 32 + 1 FOR 32) "
    "AS root FROM generate_series(0, length($1::bytea) / 32 - 1) AS i) w "
    "JOIN records r ON r.root_digest = w.root "
    "ORDER BY w.ord, r.published_at, r.id";
// One row per record, in input order; $8 is every envelope back to back
// (binary), $13 and $14 where each starts (1-based) and how long it is.
// Returns the new ids with their digests (to map them back) and
// publication times. A record whose namespace/name@version is taken is not
// inserted and returns no row: the unique index decides, in the same probe
// the insert makes anyway (a separate look-up before the insert cost more
// than the insert, and waited for nothing a concurrent publish commits).
constexpr char kInsertRecordsSql[] =
    "INSERT INTO records (namespace_id, model_namespace, model_name, "
    "model_version, record_digest, envelope, payload_type, root_digest, "
    "release_date, weights_license, code_license, declared_openness) "
    "SELECT t.ns, t.model_ns, t.name, t.version, "
    "substring($5::bytea FROM ((t.ord - 1) * 32 + 1)::int FOR 32), "
    "substring($8::bytea FROM t.envelope_start FOR t.envelope_length), $7, "
    "substring($6::bytea FROM ((t.ord - 1) * 32 + 1)::int FOR 32), "
    "t.release_date, t.weights, t.code, t.openness "
    "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
    "$13::int[], $14::int[], $9::date[], $10::text[], $11::text[], "
    "$12::text[]) "
    "WITH ORDINALITY AS t(ns, model_ns, name, version, envelope_start, "
    "envelope_length, release_date, weights, code, openness, ord) "
    "ORDER BY t.ord "
    "ON CONFLICT (namespace_id, lower(model_name), model_version) DO NOTHING "
    "RETURNING id, record_digest, "
    "(extract(epoch FROM published_at) * 1000000)::bigint";
// What storing a judgment does to a record's earlier one: re-judging
// replaces it. Ends both statements that write judgments.
constexpr char kJudgmentConflictSql[] =
    " ON CONFLICT (record_id) DO UPDATE SET "
    "rule_set_version = excluded.rule_set_version, label = excluded.label, "
    "mof_class = excluded.mof_class, flags = excluded.flags, "
    "judgment = excluded.judgment, computed_at = now()";
// Every row a round writes for its new records besides the records
// themselves, in one statement: one round trip instead of seven, each of
// which waited its turn for the database's CPU under publish load. Parallel
// arrays per table, the owning record id first; an empty array writes no
// rows. Answers how many rows went into each table, in this order:
//   $1-$2    record_signatures: record ids, key row ids;
//   $3-$6    artifacts: record ids, paths, digests (one bytea of 32-byte
//            slices), sizes;
//   $7-$15   datasets: record ids, names, roles, disclosures, licenses,
//            locations, digests (bytea), the slice of each (NULL: none),
//            ordinals within the record;
//   $16-$20  record_openness, one row per record
//            (migrations/0010_openness_in_one_row_per_record.sql): record
//            ids, then one array literal per record of components, statuses,
//            licenses, locations;
//   $21-$24  lineage_edges: child ids, parent refs, parent ids (NULL: not
//            stored), relations;
//   $25-$27  license_refs: record ids, license ids, sources;
//   $28-$33  record_judgments: record ids, labels, MOF classes, flag kinds
//            joined by ',', judgment JSON, and the rule set version; as
//            kUpsertJudgmentsSql below, with the same kJudgmentConflictSql.
// Composed as kInsertRecordRowsSql, kJudgmentConflictSql,
// kInsertRecordRowsEndSql.
constexpr char kInsertRecordRowsSql[] =
    "WITH new_signatures AS (INSERT INTO record_signatures (record_id, key_id) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[]) RETURNING 1), "
    "new_artifacts AS (INSERT INTO artifacts (record_id, path, sha256, "
    "size_bytes) SELECT t.record_id, t.path, "
    "substring($5::bytea FROM ((t.ord - 1) * 32 + 1)::int FOR 32), t.size "
    "FROM unnest($3::bigint[], $4::text[], $6::bigint[]) WITH ORDINALITY "
    "AS t(record_id, path, size, ord) RETURNING 1), "
    "new_datasets AS (INSERT INTO datasets (record_id, ordinal, name, role, "
    "disclosure, license, location, sha256) "
    "SELECT t.record_id, t.ordinal, t.name, t.role, t.disclosure, t.license, "
    "t.location, CASE WHEN t.slice IS NULL THEN NULL "
    "ELSE substring($13::bytea FROM t.slice * 32 + 1 FOR 32) END "
    "FROM unnest($7::bigint[], $8::text[], $9::text[], $10::text[], "
    "$11::text[], $12::text[], $14::int[], $15::int[]) "
    "AS t(record_id, name, role, disclosure, license, location, slice, "
    "ordinal) RETURNING 1), "
    "new_openness AS (INSERT INTO record_openness (record_id, components, "
    "statuses, licenses, locations) SELECT t.record_id, "
    "t.components::text[], t.statuses::text[], t.licenses::text[], "
    "t.locations::text[] FROM unnest($16::bigint[], $17::text[], "
    "$18::text[], $19::text[], $20::text[]) "
    "AS t(record_id, components, statuses, licenses, locations) "
    "RETURNING 1), "
    "new_lineage AS (INSERT INTO lineage_edges (child_record_id, parent_ref, "
    "parent_record_id, relation) SELECT * FROM unnest($21::bigint[], "
    "$22::text[], $23::bigint[], $24::text[]) RETURNING 1), "
    "new_license_refs AS (INSERT INTO license_refs (record_id, license_id, "
    "source) SELECT * FROM unnest($25::bigint[], $26::text[], $27::text[]) "
    "RETURNING 1), "
    "new_judgments AS (INSERT INTO record_judgments (record_id, "
    "rule_set_version, label, mof_class, flags, judgment) "
    "SELECT t.id, $33, t.label, t.mof_class, string_to_array(t.flags, ','), "
    "t.judgment FROM unnest($28::bigint[], $29::text[], $30::text[], "
    "$31::text[], $32::text[]) AS t(id, label, mof_class, flags, judgment)";
// Follows kInsertRecordRowsSql's judgments, and closes the statement.
constexpr char kInsertRecordRowsEndSql[] =
    " RETURNING 1) "
    "SELECT (SELECT count(*) FROM new_signatures), "
    "(SELECT count(*) FROM new_artifacts), (SELECT count(*) FROM "
    "new_datasets), "
    "(SELECT count(*) FROM new_openness), (SELECT count(*) FROM new_lineage), "
    "(SELECT count(*) FROM new_license_refs), "
    "(SELECT count(*) FROM new_judgments)";

// Judgments (migrations/0004_create_record_judgments.sql). $1 record ids:
// their stored judgments, with the refs the judgments of children name them
// by.
constexpr char kJudgmentsSql[] =
    "SELECT j.record_id, j.rule_set_version, j.judgment, r.model_namespace, "
    "r.model_name, r.model_version FROM record_judgments j "
    "JOIN records r ON r.id = j.record_id "
    "WHERE j.record_id = ANY($1::bigint[])";
// Parallel arrays: record ids, labels, MOF classes, flag kinds joined by
// ',', judgment JSON; $6 the rule set version. Re-judging replaces a row.
constexpr char kUpsertJudgmentsSql[] =
    "INSERT INTO record_judgments (record_id, rule_set_version, label, "
    "mof_class, flags, judgment) SELECT t.id, $6, t.label, t.mof_class, "
    "string_to_array(t.flags, ','), t.judgment FROM unnest($1::bigint[], "
    "$2::text[], $3::text[], $4::text[], $5::text[]) "
    "AS t(id, label, mof_class, flags, judgment)";
// Records whose judgment is missing or of another rule set ($1), after id
// $2, oldest first (a parent always has a smaller id than its children).
constexpr char kUnjudgedRecordsSql[] =
    "SELECT r.id, r.envelope, r.model_namespace, r.model_name, "
    "r.model_version FROM records r "
    "LEFT JOIN record_judgments j ON j.record_id = r.id "
    "WHERE (j.record_id IS NULL OR j.rule_set_version <> $1) AND r.id > $2 "
    "ORDER BY r.id LIMIT $3";
// Judgments of the rule set $1 after record id $2, by record id, $3 at most:
// Open checks that each still parses.
constexpr char kCurrentJudgmentsSql[] =
    "SELECT j.record_id, j.judgment, r.model_namespace, r.model_name, "
    "r.model_version FROM record_judgments j "
    "JOIN records r ON r.id = j.record_id "
    "WHERE j.rule_set_version = $1 AND j.record_id > $2 "
    "ORDER BY j.record_id LIMIT $3";
// $1 a record whose judgment $3 of the rule set $2 does not parse: dropped,
// to be judged again. Only that exact row: a server starting alongside may
// have replaced it with a good one meanwhile.
constexpr char kDeleteJudgmentSql[] =
    "DELETE FROM record_judgments "
    "WHERE record_id = $1 AND rule_set_version = $2 AND judgment = $3";
// $1 child record ids: their stored lineage edges.
constexpr char kEdgesOfSql[] =
    "SELECT child_record_id, parent_ref, relation, parent_record_id "
    "FROM lineage_edges WHERE child_record_id = ANY($1::bigint[])";

// Dataset users: the records declaring a dataset (by name or digest, one of
// two prefixes), then with $2 their descendants along every relation but
// architecture_reuse, each with its nearest direct user. Keyset pages over
// (distance, id) after ($3, $4); $5 the limit.
constexpr char kDatasetByNamePrefix[] =
    "WITH RECURSIVE direct AS (SELECT DISTINCT record_id FROM datasets "
    "WHERE name = $1), ";
constexpr char kDatasetByDigestPrefix[] =
    "WITH RECURSIVE direct AS (SELECT DISTINCT record_id FROM datasets "
    "WHERE sha256 = $1), ";
constexpr char kDatasetUsersRest[] =
    "down(record_id, via, depth) AS (SELECT record_id, record_id, 0 "
    "FROM direct UNION SELECT e.child_record_id, d.via, d.depth + 1 "
    "FROM down d JOIN lineage_edges e ON e.parent_record_id = d.record_id "
    "WHERE $2::boolean AND e.relation <> 'architecture_reuse' "
    "AND d.depth < 64), "
    "reached AS (SELECT DISTINCT ON (record_id) record_id, via, depth "
    "FROM down ORDER BY record_id, depth, via) "
    "SELECT ";
constexpr char kDatasetUsersColumns[] =
    ", reached.depth, v.record_digest, v.model_namespace, v.model_name, "
    "v.model_version, (SELECT json_agg(json_build_array(u.name, u.role, "
    "u.disclosure) ORDER BY u.ordinal) FROM datasets u "
    "WHERE u.record_id = r.id AND ";
constexpr char kDatasetUsesByName[] = "u.name = $1)";
constexpr char kDatasetUsesByDigest[] = "u.sha256 = $1)";
constexpr char kDatasetUsersJoin[] =
    " FROM reached JOIN records r ON r.id = reached.record_id "
    "JOIN records v ON v.id = reached.via "
    "WHERE $3::int IS NULL OR (reached.depth, r.id) > ($3::int, $4::bigint) "
    "ORDER BY reached.depth, r.id LIMIT $5::int";

// Record lookups: WHERE clauses appended to "SELECT <record columns> FROM
// records r".
constexpr char kByDigestWhere[] = " WHERE r.record_digest = $1";
constexpr char kByRefWhere[] =
    " WHERE r.namespace_id = "
    "(SELECT n.id FROM namespaces n WHERE lower(n.name) = lower($1)) "
    "AND lower(r.model_name) = lower($2) AND r.model_version = $3";
constexpr char kLatestWhere[] =
    " WHERE r.namespace_id = "
    "(SELECT n.id FROM namespaces n WHERE lower(n.name) = lower($1)) "
    "AND lower(r.model_name) = lower($2)";
constexpr char kByRootWhere[] = " WHERE r.root_digest = $1";

constexpr char kListVersionsSql[] =
    "SELECT r.id, r.model_version, r.record_digest, "
    "(extract(epoch FROM r.published_at) * 1000000)::bigint, "
    "to_char(r.release_date, 'YYYY-MM-DD') FROM records r "
    "WHERE r.namespace_id = "
    "(SELECT n.id FROM namespaces n WHERE lower(n.name) = lower($1)) "
    "AND lower(r.model_name) = lower($2) "
    "AND ($3::bigint IS NULL OR (r.published_at, r.id) < "
    "(SELECT p.published_at, p.id FROM records p WHERE p.id = $3)) "
    "ORDER BY r.published_at DESC, r.id DESC LIMIT $4";
constexpr char kModelExistsSql[] =
    "SELECT 1 FROM records r WHERE r.namespace_id = "
    "(SELECT n.id FROM namespaces n WHERE lower(n.name) = lower($1)) "
    "AND lower(r.model_name) = lower($2) LIMIT 1";

// FindRecordsByArtifacts: $1 is the wanted digests as 32-byte slices. The
// "= ANY(ARRAY(...))" shape (rather than a join on generate_series) gets a
// cached generic plan: an index scan per digest, no re-planning per call.
constexpr char kArtifactHitsPrefix[] =
    "WITH hits AS (SELECT a.record_id, count(DISTINCT a.sha256) AS matched "
    "FROM artifacts a WHERE a.sha256 = ANY(ARRAY("
    "SELECT substring($1::bytea FROM i * 32 + 1 FOR 32) "
    "FROM generate_series(0, length($1::bytea) / 32 - 1) AS i)) "
    "GROUP BY a.record_id) ";
constexpr char kArtifactHitsJoin[] =
    " FROM hits h JOIN records r ON r.id = h.record_id "
    "ORDER BY h.matched DESC, r.published_at DESC, r.id DESC LIMIT $2";

// Search: one fragment per filter, the "absent" variant only keeps the
// parameter typed (it is bound to NULL, so the planner folds it to true).
constexpr char kSearchNamespace[] =
    " AND r.namespace_id = "
    "(SELECT n.id FROM namespaces n WHERE lower(n.name) = lower($1))";
constexpr char kSearchNoNamespace[] = " AND $1::text IS NULL";
// $2 is a LIKE pattern: the lower-cased prefix with wildcards escaped.
constexpr char kSearchNamePrefix[] =
    " AND lower(r.model_name) LIKE $2 ESCAPE '\\'";
constexpr char kSearchNoNamePrefix[] = " AND $2::text IS NULL";
constexpr char kSearchLicense[] =
    " AND EXISTS (SELECT 1 FROM license_refs l WHERE l.record_id = r.id "
    "AND lower(l.license_id) = lower($3) AND l.source = 'declared')";
constexpr char kSearchNoLicense[] = " AND $3::text IS NULL";
constexpr char kSearchOpenness[] = " AND r.declared_openness = $4";
constexpr char kSearchNoOpenness[] = " AND $4::text IS NULL";
constexpr char kSearchDataset[] =
    " AND EXISTS (SELECT 1 FROM datasets d WHERE d.record_id = r.id "
    "AND d.name = $5)";
constexpr char kSearchNoDataset[] = " AND $5::text IS NULL";
constexpr char kSearchParent[] =
    " AND EXISTS (SELECT 1 FROM lineage_edges e WHERE e.child_record_id = "
    "r.id AND e.parent_record_id = $6::bigint "
    "AND ($7::text IS NULL OR e.relation = $7))";
constexpr char kSearchNoParent[] =
    " AND $6::bigint IS NULL AND $7::text IS NULL";
constexpr char kSearchAfter[] =
    " AND (r.published_at, r.id) < "
    "(SELECT p.published_at, p.id FROM records p WHERE p.id = $8::bigint)";
constexpr char kSearchNoAfter[] = " AND $8::bigint IS NULL";
constexpr char kSearchLimit[] = " LIMIT $9::int";

// Lineage. Walks the edges with resolved parents up ($4) and/or down ($5)
// from $1 for at most $2 steps, following only relations in $3 (NULL: all).
// UNION keeps one row per (record, depth), so diamonds cost no more than
// their distinct nodes times the depth; the shortest distance wins.
constexpr char kLineageNodesPrefix[] =
    "WITH RECURSIVE up(record_id, depth) AS ("
    "SELECT $1::bigint, 0 WHERE $4::boolean "
    "UNION SELECT e.parent_record_id, u.depth + 1 FROM up u "
    "JOIN lineage_edges e ON e.child_record_id = u.record_id "
    "WHERE u.depth < $2::int AND e.parent_record_id IS NOT NULL "
    "AND ($3::text[] IS NULL OR e.relation = ANY($3::text[]))), "
    "down(record_id, depth) AS ("
    "SELECT $1::bigint, 0 WHERE $5::boolean "
    "UNION SELECT e.child_record_id, d.depth + 1 FROM down d "
    "JOIN lineage_edges e ON e.parent_record_id = d.record_id "
    "WHERE d.depth < $2::int "
    "AND ($3::text[] IS NULL OR e.relation = ANY($3::text[]))), "
    "walked(record_id, distance) AS ("
    "SELECT $1::bigint, 0 "
    "UNION ALL SELECT record_id, min(depth) FROM up WHERE depth > 0 "
    "GROUP BY record_id "
    "UNION ALL SELECT record_id, -min(depth) FROM down WHERE depth > 0 "
    "GROUP BY record_id), "
    "reached AS (SELECT DISTINCT ON (record_id) record_id, distance "
    "FROM walked ORDER BY record_id, abs(distance)) ";
constexpr char kLineageNodesJoin[] =
    " FROM reached JOIN records r ON r.id = reached.record_id "
    "ORDER BY abs(reached.distance), reached.distance DESC, r.id";
constexpr char kLineageEdgesSql[] =
    "SELECT child_record_id, parent_record_id, relation FROM lineage_edges "
    "WHERE child_record_id = ANY($1::bigint[]) "
    "AND parent_record_id = ANY($1::bigint[]) "
    "AND ($2::text[] IS NULL OR relation = ANY($2::text[])) "
    "ORDER BY child_record_id, parent_record_id, relation";

// The prepared statements, composed once from the literals above.
struct Statements {
  Statement create_namespace{"create_namespace", kCreateNamespaceSql};
  Statement add_key{"add_key", kAddKeySql};
  Statement key_exists{"key_exists", "SELECT 1 FROM keys WHERE key_id = $1"};
  Statement list_keys{"list_keys", kListKeysSql};
  Statement get_keys{"get_keys", kGetKeysSql};
  Statement lock_namespaces{"lock_namespaces", kLockNamespacesSql};
  Statement lock_active_keys{"lock_active_keys", kLockActiveKeysSql};
  Statement resolve_refs{"resolve_refs", kResolveRefsSql};
  Statement resolve_roots{"resolve_roots", kResolveRootsSql};
  Statement insert_records{"insert_records", kInsertRecordsSql};
  Statement insert_record_rows{
      "insert_record_rows",
      absl::StrCat(kInsertRecordRowsSql, kJudgmentConflictSql,
                   kInsertRecordRowsEndSql)};
  Statement judgments{"judgments", kJudgmentsSql};
  Statement upsert_judgments{
      "upsert_judgments",
      absl::StrCat(kUpsertJudgmentsSql, kJudgmentConflictSql)};
  Statement unjudged_records{"unjudged_records", kUnjudgedRecordsSql};
  Statement current_judgments{"current_judgments", kCurrentJudgmentsSql};
  Statement delete_judgment{"delete_judgment", kDeleteJudgmentSql};
  Statement edges_of{"edges_of", kEdgesOfSql};
  Statement dataset_users_by_name{
      "dataset_users_by_name",
      absl::StrCat(kDatasetByNamePrefix, kDatasetUsersRest, kRecordFieldColumns,
                   kSignerIdsColumn, kDatasetUsersColumns, kDatasetUsesByName,
                   kDatasetUsersJoin)};
  Statement dataset_users_by_digest{
      "dataset_users_by_digest",
      absl::StrCat(kDatasetByDigestPrefix, kDatasetUsersRest,
                   kRecordFieldColumns, kSignerIdsColumn, kDatasetUsersColumns,
                   kDatasetUsesByDigest, kDatasetUsersJoin)};
  Statement record_by_digest{
      "record_by_digest",
      absl::StrCat("SELECT ", kRecordFieldColumns, kSignerRowsColumn,
                   " FROM records r", kByDigestWhere)};
  // $1 digests as 32-byte slices.
  Statement records_by_digests{
      "records_by_digests",
      absl::StrCat("SELECT ", kRecordFieldColumns, kSignerRowsColumn,
                   " FROM records r WHERE r.record_digest = ANY(ARRAY("
                   "SELECT substring($1::bytea FROM i * 32 + 1 FOR 32) "
                   "FROM generate_series(0, length($1::bytea) / 32 - 1) "
                   "AS i))")};
  Statement record_by_ref{
      "record_by_ref",
      absl::StrCat("SELECT ", kRecordFieldColumns, kSignerRowsColumn,
                   " FROM records r", kByRefWhere)};
  Statement latest_record{
      "latest_record",
      absl::StrCat("SELECT ", kRecordFieldColumns, kSignerRowsColumn,
                   " FROM records r", kLatestWhere, kNewestFirst, " LIMIT 1")};
  Statement records_by_root{
      "records_by_root",
      absl::StrCat("SELECT ", kRecordFieldColumns, kSignerRowsColumn,
                   " FROM records r", kByRootWhere, kNewestFirst, " LIMIT $2")};
  Statement list_versions{"list_versions", kListVersionsSql};
  Statement model_exists{"model_exists", kModelExistsSql};
  Statement records_by_artifacts{
      "records_by_artifacts",
      absl::StrCat(kArtifactHitsPrefix, "SELECT ", kRecordFieldColumns,
                   kSignerRowsColumn, kArtifactHitsJoin)};
  Statement lineage_nodes{
      "lineage_nodes",
      absl::StrCat(kLineageNodesPrefix, "SELECT ", kRecordFieldColumns,
                   kSignerIdsColumn, ", reached.distance", kLineageNodesJoin)};
  Statement lineage_edges{"lineage_edges", kLineageEdgesSql};
  Statement latest_checkpoint{
      "latest_checkpoint",
      "SELECT tree_size, root_hash, note FROM log_checkpoints "
      "ORDER BY tree_size DESC LIMIT 1"};
  Statement checkpoint_at{
      "checkpoint_at",
      "SELECT root_hash, note FROM log_checkpoints WHERE tree_size = $1"};
  // Entries [$1, $2) with what their bytes are built from, and their leaf
  // hashes as the entry and as the tree hold them.
  Statement log_entries{
      "log_entries",
      "SELECT e.idx, e.leaf_hash, r.envelope, n.name, k.key_id, k.key_type, "
      "k.public_key, leaf.hash FROM log_entries e "
      "LEFT JOIN log_nodes leaf ON leaf.level = 0 AND leaf.idx = e.idx "
      "LEFT JOIN records r ON r.id = e.record_id "
      "LEFT JOIN keys k ON k.id = e.key_id "
      "LEFT JOIN namespaces n ON n.id = k.namespace_id "
      "WHERE e.idx >= $1 AND e.idx < $2 ORDER BY e.idx"};
};

const Statements& Sql() {
  static const Statements& statements = *new Statements();
  return statements;
}

// --- values
// -------------------------------------------------------------------

// A nullable text parameter (libpqxx 6.4 sends a null const char* as NULL).
const char* Nullable(const std::optional<std::string>& value) {
  return value.has_value() ? value->c_str() : nullptr;
}

absl::Time FromMicros(const pqxx::field& field) {
  return absl::FromUnixMicros(field.as<int64_t>());
}

std::string Bytes(const pqxx::field& field) {
  return pqxx::binarystring(field).str();
}

// Page tokens: base64("v1:<record id>").
constexpr char kPageTokenPrefix[] = "v1:";

std::string EncodePageToken(int64_t record_id) {
  return core::Base64Encode(absl::StrCat(kPageTokenPrefix, record_id));
}

// Returns the record id in `token`, nullopt for an empty token, or
// InvalidArgument.
absl::StatusOr<std::optional<int64_t>> DecodePageToken(
    absl::string_view token) {
  if (token.empty()) return std::optional<int64_t>();
  absl::StatusOr<std::string> text = core::Base64Decode(token);
  absl::string_view rest;
  int64_t id = 0;
  if (text.ok()) rest = *text;
  const bool well_formed =
      text.ok() && absl::ConsumePrefix(&rest, kPageTokenPrefix) &&
      !rest.empty() && rest.size() <= 19 &&
      std::all_of(rest.begin(), rest.end(),
                  [](char c) { return absl::ascii_isdigit(c); }) &&
      absl::SimpleAtoi(rest, &id) && id > 0;
  if (!well_formed) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed page token \"", token, "\""));
  }
  return std::optional<int64_t>(id);
}

absl::Status CheckPageSize(const PageRequest& page) {
  if (page.page_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("page size ", page.page_size, " is below 1"));
  }
  return absl::OkStatus();
}

absl::StatusOr<KeyStatus> ParseKeyStatus(absl::string_view key_id,
                                         absl::string_view status) {
  if (status == "active") return KeyStatus::kActive;
  if (status == "revoked") return KeyStatus::kRevoked;
  return absl::DataLossError(
      absl::StrCat("key ", key_id, " has unknown status \"", status, "\""));
}

absl::StatusOr<core::crypto::KeyType> ParseStoredKeyType(
    absl::string_view key_id, absl::string_view type) {
  absl::StatusOr<core::crypto::KeyType> parsed =
      core::crypto::ParseKeyType(type);
  if (!parsed.ok()) {
    return absl::DataLossError(
        absl::StrCat("key ", key_id, " has unknown type \"", type, "\""));
  }
  return parsed;
}

absl::StatusOr<KeyRow> ReadKeyRow(const pqxx::row& row) {
  KeyRow key;
  key.key_id = row[0].as<std::string>();
  key.namespace_name = row[1].as<std::string>();
  PEDIGREE_ASSIGN_OR_RETURN(
      key.type, ParseStoredKeyType(key.key_id, row[2].as<std::string>()));
  key.spki_der = Bytes(row[3]);
  PEDIGREE_ASSIGN_OR_RETURN(
      key.status, ParseKeyStatus(key.key_id, row[4].as<std::string>()));
  key.added_at = FromMicros(row[5]);
  if (!row[6].is_null()) key.revoked_at = FromMicros(row[6]);
  if (!row[7].is_null()) key.log_index = row[7].as<uint64_t>();
  return key;
}

// Returns the KeyRow in one element of a kSignerRowsColumn array, or
// DataLoss naming `record_id`.
absl::StatusOr<KeyRow> KeyRowFromJson(const nlohmann::json& object,
                                      int64_t record_id) {
  const auto malformed = [record_id](absl::string_view what) {
    return absl::DataLossError(absl::StrCat(
        "signer key rows of record ", record_id, " are malformed: ", what));
  };
  if (!object.is_object()) return malformed("element is not an object");
  const auto text = [&object](const char* name) -> const std::string* {
    const auto found = object.find(name);
    if (found == object.end() || !found->is_string()) return nullptr;
    return found->get_ptr<const std::string*>();
  };
  const std::string* key_id = text("key_id");
  const std::string* namespace_name = text("namespace");
  const std::string* type = text("key_type");
  const std::string* public_key = text("public_key");
  const std::string* status = text("status");
  const auto added = object.find("added_us");
  const auto revoked = object.find("revoked_us");
  if (key_id == nullptr || namespace_name == nullptr || type == nullptr ||
      public_key == nullptr || status == nullptr || added == object.end() ||
      !added->is_number_integer() || revoked == object.end() ||
      !(revoked->is_null() || revoked->is_number_integer())) {
    return malformed("missing or mistyped field");
  }
  KeyRow key;
  key.key_id = *key_id;
  key.namespace_name = *namespace_name;
  PEDIGREE_ASSIGN_OR_RETURN(key.type, ParseStoredKeyType(key.key_id, *type));
  absl::StatusOr<std::string> spki = core::HexDecode(*public_key);
  if (!spki.ok()) return malformed("public_key is not lowercase hex");
  key.spki_der = *std::move(spki);
  PEDIGREE_ASSIGN_OR_RETURN(key.status, ParseKeyStatus(key.key_id, *status));
  key.added_at = absl::FromUnixMicros(added->get<int64_t>());
  if (!revoked->is_null()) {
    key.revoked_at = absl::FromUnixMicros(revoked->get<int64_t>());
  }
  return key;
}

// Which signer column a record query ends with.
enum class SignerColumn { kIds, kRows };

absl::StatusOr<StoredRecord> ReadStoredRecord(const pqxx::row& row,
                                              SignerColumn signers) {
  StoredRecord record;
  record.id = row[0].as<int64_t>();
  record.record_digest = Bytes(row[1]);
  record.ref.namespace_name = row[2].as<std::string>();
  record.ref.name = row[3].as<std::string>();
  record.ref.version = row[4].as<std::string>();
  record.root_digest = Bytes(row[5]);
  record.envelope = Bytes(row[6]);
  record.published_at = FromMicros(row[7]);
  record.release_date = row[8].as<std::string>();
  record.weights_license = row[9].as<std::string>();
  record.code_license = row[10].as<std::string>();
  record.declared_openness = row[11].as<std::string>();
  if (!row[12].is_null()) record.log_index = row[12].as<uint64_t>();
  if (signers == SignerColumn::kIds) {
    if (!row[13].is_null()) {
      record.signer_key_ids = absl::StrSplit(row[13].c_str(), ',');
    }
  } else if (!row[13].is_null()) {
    const nlohmann::json rows = nlohmann::json::parse(
        row[13].c_str(), nullptr, /*allow_exceptions=*/false);
    if (rows.is_discarded() || !rows.is_array()) {
      return absl::DataLossError(absl::StrCat(
          "signer key rows of record ", record.id, " are not a json array"));
    }
    std::vector<KeyRow> keys;
    keys.reserve(rows.size());
    for (const nlohmann::json& element : rows) {
      PEDIGREE_ASSIGN_OR_RETURN(KeyRow key, KeyRowFromJson(element, record.id));
      record.signer_key_ids.push_back(key.key_id);
      keys.push_back(std::move(key));
    }
    record.signer_keys = std::move(keys);
  }
  if (record.signer_key_ids.empty()) {
    return absl::DataLossError(
        absl::StrCat("record ", record.id, " has no signer key"));
  }
  return record;
}

absl::StatusOr<std::vector<StoredRecord>> ReadStoredRecords(
    const pqxx::result& result, SignerColumn signers) {
  std::vector<StoredRecord> records;
  records.reserve(result.size());
  for (const pqxx::row& row : result) {
    PEDIGREE_ASSIGN_OR_RETURN(StoredRecord record,
                              ReadStoredRecord(row, signers));
    records.push_back(std::move(record));
  }
  return records;
}

std::string ModelLabel(const ModelRef& ref) {
  return core::record::ToString(ref);
}

absl::Status CheckDigest(absl::string_view digest, absl::string_view what) {
  if (digest.size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be 32 bytes, got ", digest.size()));
  }
  return absl::OkStatus();
}

// --- publish rows
// -------------------------------------------------------------

}  // namespace

// A judgment as the columns of its record_judgments row.
struct internal::JudgmentColumns {
  std::string label, mof_class, flags, json;  // flags: kinds joined by ','
};

// The index rows of a record, as the parallel arrays the INSERTs take.
struct internal::PublishRows {
  std::vector<std::string> signer_key_ids;  // unique, sorted

  std::vector<std::string> artifact_paths;
  std::vector<int64_t> artifact_sizes;
  std::string artifact_digests;  // 32-byte slices

  std::vector<std::optional<std::string>> dataset_names, dataset_roles,
      dataset_disclosures, dataset_licenses, dataset_locations, dataset_slices;
  std::string dataset_digests;

  // The record's openness components, as the array literals of its
  // record_openness row (empty when it declares none).
  std::string component_names, component_statuses, component_licenses,
      component_locations;

  // Unique (parent_ref, relation), in declaration order.
  std::vector<const core::record::LineageEdge*> edges;
  std::vector<std::string> edge_refs, edge_relations;

  std::vector<std::string> license_ids, license_sources;

  // A record without lineage parents is judged on its own content alone, so
  // it is judged before it waits for a batch; one with parents is judged in
  // the batch, which reads the parents' judgments.
  std::optional<internal::JudgmentColumns> judgment;
};

namespace {

using internal::JudgmentColumns;
using internal::PublishRows;

JudgmentColumns ColumnsOf(const core::judgment::Judgment& judgment) {
  JudgmentColumns columns;
  columns.label = std::string(core::judgment::ToString(judgment.label));
  columns.mof_class = std::string(core::judgment::ToString(judgment.mof_class));
  std::vector<absl::string_view> kinds;
  for (const core::judgment::Flag& flag : judgment.flags) {
    kinds.push_back(core::judgment::ToString(flag.kind));
  }
  columns.flags = absl::StrJoin(kinds, ",");
  columns.json = core::judgment::JudgmentToJson(judgment);
  return columns;
}

// Adds every id referenced by license expression `expression` (a record
// field named `field`) to `rows` with `source`, once per (id, source).
absl::Status AddLicenseIds(absl::string_view expression,
                           absl::string_view field, absl::string_view source,
                           std::set<std::pair<std::string, std::string>>* seen,
                           PublishRows* rows) {
  absl::StatusOr<core::license::LicenseExpression> parsed =
      core::license::ParseLicenseExpression(expression);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", parsed.status().message()));
  }
  std::vector<std::string> ids = core::license::SpdxIds(*parsed);
  std::vector<std::string> refs = core::license::LicenseRefIds(*parsed);
  ids.insert(ids.end(), refs.begin(), refs.end());
  for (std::string& id : ids) {
    if (seen->emplace(id, std::string(source)).second) {
      rows->license_ids.push_back(std::move(id));
      rows->license_sources.emplace_back(source);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PublishRows> BuildPublishRows(const NewRecord& new_record) {
  const core::record::Record& record = new_record.record;
  PublishRows rows;
  PEDIGREE_RETURN_IF_ERROR(
      core::record::ValidateModelNamespace(record.model.ref.namespace_name));
  if (record.model.ref.version.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "record model ", ModelLabel(record.model.ref), " has no version"));
  }
  PEDIGREE_RETURN_IF_ERROR(
      CheckDigest(new_record.record_digest, "record digest"));
  PEDIGREE_RETURN_IF_ERROR(
      CheckDigest(record.artifacts.root_digest, "root digest"));
  if (new_record.envelope.empty()) {
    return absl::InvalidArgumentError("envelope is empty");
  }

  std::set<std::string> signers(new_record.signer_key_ids.begin(),
                                new_record.signer_key_ids.end());
  if (signers.empty()) {
    return absl::InvalidArgumentError("record has no signer key id");
  }
  rows.signer_key_ids.assign(signers.begin(), signers.end());

  for (const core::record::ArtifactFile& file : record.artifacts.files) {
    PEDIGREE_RETURN_IF_ERROR(
        CheckDigest(file.sha256, absl::StrCat("sha256 of ", file.name)));
    rows.artifact_paths.push_back(file.name);
    rows.artifact_sizes.push_back(static_cast<int64_t>(file.size));
    rows.artifact_digests += file.sha256;
  }

  std::set<std::pair<std::string, std::string>> seen_licenses;
  PEDIGREE_RETURN_IF_ERROR(AddLicenseIds(record.licenses.weights,
                                         "licenses.weights", "declared",
                                         &seen_licenses, &rows));
  PEDIGREE_RETURN_IF_ERROR(AddLicenseIds(record.licenses.code, "licenses.code",
                                         "declared", &seen_licenses, &rows));

  int slice = 0;
  for (const core::record::Dataset& dataset : record.datasets) {
    rows.dataset_names.push_back(dataset.name);
    rows.dataset_roles.emplace_back(core::record::ToString(dataset.role));
    rows.dataset_disclosures.emplace_back(
        core::record::ToString(dataset.disclosure));
    rows.dataset_licenses.push_back(dataset.license);
    rows.dataset_locations.push_back(dataset.uri);
    if (dataset.sha256.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(CheckDigest(
          *dataset.sha256, absl::StrCat("sha256 of dataset ", dataset.name)));
      rows.dataset_slices.push_back(absl::StrCat(slice++));
      rows.dataset_digests += *dataset.sha256;
    } else {
      rows.dataset_slices.push_back(std::nullopt);
    }
    if (dataset.license.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(AddLicenseIds(
          *dataset.license, absl::StrCat("license of dataset ", dataset.name),
          "dataset", &seen_licenses, &rows));
    }
  }

  std::vector<std::string> component_names, component_statuses;
  std::vector<std::optional<std::string>> component_licenses,
      component_locations;
  for (const core::record::OpennessComponent& component :
       record.openness.components) {
    component_names.emplace_back(core::record::ToString(component.component));
    component_statuses.emplace_back(core::record::ToString(component.status));
    component_licenses.push_back(component.license);
    component_locations.push_back(component.location);
    if (component.license.has_value()) {
      PEDIGREE_RETURN_IF_ERROR(AddLicenseIds(
          *component.license,
          absl::StrCat("license of component ",
                       core::record::ToString(component.component)),
          "component", &seen_licenses, &rows));
    }
  }
  if (!component_names.empty()) {
    rows.component_names = ArrayLiteral(component_names);
    rows.component_statuses = ArrayLiteral(component_statuses);
    rows.component_licenses = ArrayLiteral(component_licenses);
    rows.component_locations = ArrayLiteral(component_locations);
  }

  std::set<std::pair<std::string, std::string>> seen_edges;
  for (const core::record::LineageEdge& edge : record.lineage) {
    std::string ref = core::record::ToString(edge.ref);
    std::string relation(core::record::ToString(edge.relation));
    if (seen_edges.emplace(ref, relation).second) {
      rows.edges.push_back(&edge);
      rows.edge_refs.push_back(std::move(ref));
      rows.edge_relations.push_back(std::move(relation));
    }
  }
  if (record.lineage.empty()) {
    PEDIGREE_ASSIGN_OR_RETURN(const core::judgment::Judgment judgment,
                              core::judgment::Judge(record, {}));
    rows.judgment = ColumnsOf(judgment);
  }
  return rows;
}

// A lineage parent as a comparable key: "ref:<ns>/<name>@<version>" (ns and
// name lower-cased) or "root:<raw digest>".
std::string ParentKey(const ModelLocator& locator) {
  if (locator.kind == ModelLocator::Kind::kRootDigest) {
    return absl::StrCat("root:", locator.root_digest);
  }
  return absl::StrCat(
      "ref:", absl::AsciiStrToLower(locator.model.namespace_name), "/",
      absl::AsciiStrToLower(locator.model.name), "@", locator.model.version);
}

// The keys under which a record can be named as a parent.
std::vector<std::string> SelfKeys(const core::record::Record& record) {
  ModelLocator by_ref;
  by_ref.kind = ModelLocator::Kind::kModelRef;
  by_ref.model = record.model.ref;
  ModelLocator by_root;
  by_root.kind = ModelLocator::Kind::kRootDigest;
  by_root.root_digest = record.artifacts.root_digest;
  return {ParentKey(by_ref), ParentKey(by_root)};
}

absl::StatusOr<std::optional<StoredRecord>> FindByDigest(
    pqxx::transaction_base& tx, absl::string_view digest) {
  pqxx::result result =
      Exec(tx, Sql().record_by_digest, pqxx::binarystring(std::string(digest)));
  if (result.empty()) return std::optional<StoredRecord>();
  PEDIGREE_ASSIGN_OR_RETURN(StoredRecord record,
                            ReadStoredRecord(result[0], SignerColumn::kRows));
  return std::optional<StoredRecord>(std::move(record));
}

absl::Status CheckAffected(const pqxx::result& result, size_t expected,
                           absl::string_view table) {
  if (result.affected_rows() != expected) {
    return absl::InternalError(absl::StrCat("inserted ", result.affected_rows(),
                                            " rows into ", table, ", expected ",
                                            expected));
  }
  return absl::OkStatus();
}

// --- judgments
// -------------------------------------------------------------------

// A stored judgment, with the ref its record is named by in the judgments
// of its children.
struct StoredJudgment {
  core::judgment::Judgment judgment;
  std::string ref;
};

// The stored judgments of some records.
struct StoredJudgments {
  // Those of the current rule set that parse.
  std::map<int64_t, StoredJudgment> usable;
  // Why the others cannot be used ("it was made by rule set ...", "its
  // stored judgment does not parse: ..."). Open re-judges both kinds.
  std::map<int64_t, std::string> unusable;
};

// Reads the stored judgments of `ids` (absent ids are in neither map).
// Never serves a judgment that does not parse: it is derived data, so it
// counts as missing and the store judges the record again at Open.
StoredJudgments ReadJudgments(pqxx::transaction_base& tx,
                              const std::vector<int64_t>& ids) {
  StoredJudgments judgments;
  if (ids.empty()) return judgments;
  for (const pqxx::row& row : Exec(tx, Sql().judgments, ArrayLiteral(ids))) {
    const int64_t id = row[0].as<int64_t>();
    const std::string version = row[1].as<std::string>();
    if (version != core::judgment::kRuleSetVersion) {
      judgments.unusable.emplace(
          id, absl::StrCat("it was made by rule set \"", version,
                           "\", this server uses \"",
                           core::judgment::kRuleSetVersion, "\""));
      continue;
    }
    absl::StatusOr<core::judgment::Judgment> judgment =
        core::judgment::JudgmentFromJson(row[2].as<std::string>());
    if (!judgment.ok()) {
      judgments.unusable.emplace(
          id, absl::StrCat("its stored judgment does not parse: ",
                           judgment.status().message()));
      continue;
    }
    ModelRef ref;
    ref.namespace_name = row[3].as<std::string>();
    ref.name = row[4].as<std::string>();
    ref.version = row[5].as<std::string>();
    judgments.usable.emplace(
        id, StoredJudgment{*std::move(judgment), core::record::ToString(ref)});
  }
  return judgments;
}

// Judges `record`, whose lineage parents are the stored records
// `parent_ids` (by ParentKey) with the judgments in `judgments`.
// FailedPrecondition naming the parent when one has no linked record, or
// no judgment: then `why_unjudged(parent id)` ends the message (what the
// operator can do about it).
absl::StatusOr<core::judgment::Judgment> JudgeRecord(
    const core::record::Record& record,
    const std::map<std::string, int64_t>& parent_ids,
    const std::map<int64_t, StoredJudgment>& judgments,
    const std::function<std::string(int64_t)>& why_unjudged) {
  std::vector<core::judgment::ParentJudgment> parents;
  for (const core::record::LineageEdge& edge : record.lineage) {
    const auto id = parent_ids.find(ParentKey(edge.ref));
    if (id == parent_ids.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "lineage parent ", core::record::ToString(edge.ref),
          " has no stored record linked to it; check the record's stored "
          "lineage edges"));
    }
    const auto stored = judgments.find(id->second);
    if (stored == judgments.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("lineage parent ", core::record::ToString(edge.ref),
                       " has no judgment: ", why_unjudged(id->second)));
    }
    parents.push_back({&edge, stored->second.ref, &stored->second.judgment});
  }
  return core::judgment::Judge(record, parents);
}

// The parallel arrays kUpsertJudgmentsSql takes.
struct JudgmentRows {
  std::vector<int64_t> record_ids;
  std::vector<std::string> labels, mof_classes, flags, judgments;

  void Add(int64_t record_id, const core::judgment::Judgment& judgment) {
    Add(record_id, ColumnsOf(judgment));
  }
  void Add(int64_t record_id, JudgmentColumns columns) {
    record_ids.push_back(record_id);
    labels.push_back(std::move(columns.label));
    mof_classes.push_back(std::move(columns.mof_class));
    flags.push_back(std::move(columns.flags));
    judgments.push_back(std::move(columns.json));
  }

  absl::Status Write(pqxx::transaction_base& tx) const {
    if (record_ids.empty()) return absl::OkStatus();
    return CheckAffected(
        Exec(tx, Sql().upsert_judgments, ArrayLiteral(record_ids),
             ArrayLiteral(labels), ArrayLiteral(mof_classes),
             ArrayLiteral(flags), ArrayLiteral(judgments),
             std::string(core::judgment::kRuleSetVersion)),
        record_ids.size(), "record_judgments");
  }
};

std::string LikePrefixPattern(absl::string_view prefix) {
  std::string pattern;
  for (char c : absl::AsciiStrToLower(prefix)) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

}  // namespace

// --- the store
// ------------------------------------------------------------------

PostgresRegistryStore::PostgresRegistryStore(ConnectionPool& pool,
                                             Options options)
    : pool_(pool),
      options_(options),
      committer_([this](absl::Span<LogJob* const> jobs) { RunLogBatch(jobs); },
                 static_cast<size_t>(std::max(options.max_log_batch, 1))) {}

absl::StatusOr<std::unique_ptr<PostgresRegistryStore>>
PostgresRegistryStore::Open(ConnectionPool& pool, Options options) {
  if (options.log_signer == nullptr) {
    return absl::InvalidArgumentError("the store needs a log signer");
  }
  std::unique_ptr<PostgresRegistryStore> store(
      new PostgresRegistryStore(pool, options));
  PEDIGREE_RETURN_IF_ERROR(store->Run<pqxx::work>(
      "set up the transparency log", [&](pqxx::transaction_base& tx) {
        return internal::LogBatch::Initialize(tx, *options.log_signer);
      }));
  PEDIGREE_ASSIGN_OR_RETURN(store->startup_judgments_,
                            store->JudgeStoredRecords());
  return store;
}

template <typename Tx, typename Fn>
absl::Status PostgresRegistryStore::Run(absl::string_view context, Fn&& fn) {
  PEDIGREE_ASSIGN_OR_RETURN(ConnectionPool::Lease lease,
                            pool_.Acquire(options_.acquire_timeout));
  return internal::RunGuarded(context, [&]() -> absl::Status {
    Tx tx(lease.connection());
    PEDIGREE_RETURN_IF_ERROR(fn(static_cast<pqxx::transaction_base&>(tx)));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<NamespaceRow> PostgresRegistryStore::CreateNamespace(
    absl::string_view name) {
  PEDIGREE_RETURN_IF_ERROR(core::record::ValidateModelNamespace(name));
  NamespaceRow row;
  absl::Status status =
      Run<pqxx::work>("create namespace", [&](pqxx::transaction_base& tx) {
        const pqxx::row result =
            Exec(tx, Sql().create_namespace, std::string(name)).at(0);
        row.name = result[0].as<std::string>();
        row.created_at = FromMicros(result[1]);
        return absl::OkStatus();
      });
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(
        absl::StrCat("namespace \"", name, "\" already exists"));
  }
  PEDIGREE_RETURN_IF_ERROR(status);
  return row;
}

absl::StatusOr<KeyRow> PostgresRegistryStore::AddKey(const KeyRow& key) {
  if (key.key_id.size() < 16 || key.key_id.size() > 128 ||
      key.key_id.size() % 2 != 0 ||
      !core::IsLowerHex(key.key_id, key.key_id.size() / 2)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key id \"", key.key_id, "\" is not 8 to 64 bytes of lowercase hex"));
  }
  if (key.spki_der.empty() || key.spki_der.size() > 16384) {
    return absl::InvalidArgumentError(absl::StrCat("public key of ", key.key_id,
                                                   " has ", key.spki_der.size(),
                                                   " bytes, want 1 to 16384"));
  }
  LogJob job;
  job.key = &key;
  committer_.Run(job);
  PEDIGREE_RETURN_IF_ERROR(job.status);
  return std::move(job.added_key);
}

absl::StatusOr<std::vector<KeyRow>> PostgresRegistryStore::ListKeys(
    absl::string_view namespace_name) {
  std::vector<KeyRow> keys;
  bool found = false;
  PEDIGREE_RETURN_IF_ERROR(
      Run<pqxx::nontransaction>("list keys", [&](pqxx::transaction_base& tx) {
        const pqxx::result result =
            Exec(tx, Sql().list_keys, std::string(namespace_name));
        found = !result.empty();
        for (const pqxx::row& row : result) {
          if (row[0].is_null()) continue;
          PEDIGREE_ASSIGN_OR_RETURN(KeyRow key, ReadKeyRow(row));
          keys.push_back(std::move(key));
        }
        return absl::OkStatus();
      }));
  if (!found) {
    return absl::NotFoundError(
        absl::StrCat("namespace \"", namespace_name, "\" does not exist"));
  }
  return keys;
}

absl::StatusOr<std::vector<KeyRow>> PostgresRegistryStore::GetKeys(
    const std::vector<std::string>& key_ids) {
  std::vector<KeyRow> keys;
  if (key_ids.empty()) return keys;
  PEDIGREE_RETURN_IF_ERROR(
      Run<pqxx::nontransaction>("get keys", [&](pqxx::transaction_base& tx) {
        const pqxx::result result =
            Exec(tx, Sql().get_keys, ArrayLiteral(key_ids));
        for (const pqxx::row& row : result) {
          PEDIGREE_ASSIGN_OR_RETURN(KeyRow key, ReadKeyRow(row));
          keys.push_back(std::move(key));
        }
        return absl::OkStatus();
      }));
  return keys;
}

absl::StatusOr<PublishResult> PostgresRegistryStore::PublishRecord(
    const NewRecord& record) {
  PEDIGREE_ASSIGN_OR_RETURN(const PublishRows rows, BuildPublishRows(record));
  LogJob job;
  job.record = &record;
  job.rows = &rows;
  committer_.Run(job);
  PEDIGREE_RETURN_IF_ERROR(job.status);
  return std::move(job.published);
}

// --- the log batch
// ------------------------------------------------------------

void PostgresRegistryStore::RunLogBatch(absl::Span<LogJob* const> jobs) {
  const absl::Status status = TryLogBatch(jobs);
  if (status.ok()) return;
  // Nothing of the batch is stored. A job that broke the transaction (rather
  // than being refused by a check) must not fail the others: run each alone,
  // unless the database is simply unreachable.
  if (jobs.size() > 1 && status.code() != absl::StatusCode::kUnavailable) {
    for (LogJob* job : jobs) RunLogBatch(absl::MakeConstSpan(&job, 1));
    return;
  }
  for (LogJob* job : jobs) job->status = status;
}

absl::Status PostgresRegistryStore::TryLogBatch(
    absl::Span<LogJob* const> jobs) {
  for (LogJob* job : jobs) {
    job->status = absl::OkStatus();
    job->published = PublishResult();
    job->added_key = KeyRow();
  }
  std::optional<internal::LogHead> new_head;
  const absl::Status status = Run<pqxx::work>(
      "log batch", [&](pqxx::transaction_base& tx) -> absl::Status {
        PEDIGREE_ASSIGN_OR_RETURN(internal::LogBatch batch,
                                  internal::LogBatch::Begin(tx, head_));
        std::vector<LogJob*> publishes;
        for (LogJob* job : jobs) {
          if (job->record != nullptr) {
            publishes.push_back(job);
          } else {
            PEDIGREE_RETURN_IF_ERROR(AddKeyInBatch(tx, batch, *job));
          }
        }
        // Rounds until every publish is decided; a round that decides
        // nothing leaves only jobs waiting on each other's records.
        while (!publishes.empty()) {
          std::vector<LogJob*> deferred;
          PEDIGREE_RETURN_IF_ERROR(
              PublishRound(tx, batch, publishes, &deferred));
          if (deferred.size() == publishes.size()) {
            for (LogJob* job : deferred) {
              job->status = absl::FailedPreconditionError(
                  "lineage parents form a cycle among records published "
                  "together");
            }
            break;
          }
          publishes = std::move(deferred);
        }
        PEDIGREE_ASSIGN_OR_RETURN(const LogCheckpointRow checkpoint,
                                  batch.Finish(tx, *options_.log_signer));
        for (LogJob* job : jobs) {
          if (!job->status.ok() || job->record == nullptr) continue;
          if (!job->published.record.log_index.has_value()) {
            return absl::DataLossError(absl::StrCat(
                "record ", job->published.record.id, " has no log entry"));
          }
          PEDIGREE_ASSIGN_OR_RETURN(
              job->published.inclusion,
              batch.InclusionProof(tx, *job->published.record.log_index));
          job->published.checkpoint = checkpoint;
        }
        new_head = batch.head();
        return absl::OkStatus();
      });
  // Only a committed batch's head may seed the next one.
  head_ = status.ok() ? new_head : std::nullopt;
  return status;
}

absl::Status PostgresRegistryStore::PublishRound(
    pqxx::transaction_base& tx, internal::LogBatch& batch,
    const std::vector<LogJob*>& jobs, std::vector<LogJob*>* deferred) {
  const auto refuse = [](LogJob* job, absl::Status status) {
    job->status = std::move(status);
  };

  // One job per record digest and per name@version in a round: a later
  // duplicate waits for the next round, where it sees the first one stored.
  std::vector<LogJob*> round;
  std::set<std::string> digests_seen, names_seen;
  for (LogJob* job : jobs) {
    const ModelRef& ref = job->record->record.model.ref;
    const std::string name_key =
        absl::StrCat(absl::AsciiStrToLower(ref.namespace_name), "/",
                     absl::AsciiStrToLower(ref.name), "@", ref.version);
    const bool first_digest =
        digests_seen.insert(job->record->record_digest).second;
    const bool first_name = names_seen.insert(name_key).second;
    if (first_digest && first_name) {
      round.push_back(job);
    } else {
      deferred->push_back(job);
    }
  }

  // --- reads: a fixed number of statements for the whole round
  std::string wanted_digests;
  std::set<std::string> namespaces, key_ids;
  std::vector<std::string> ref_namespaces, ref_names, ref_versions;
  std::string roots;
  for (LogJob* job : round) {
    const core::record::Record& record = job->record->record;
    wanted_digests += job->record->record_digest;
    namespaces.insert(absl::AsciiStrToLower(record.model.ref.namespace_name));
    key_ids.insert(job->rows->signer_key_ids.begin(),
                   job->rows->signer_key_ids.end());
    for (const core::record::LineageEdge* edge : job->rows->edges) {
      if (edge->ref.kind == ModelLocator::Kind::kRootDigest) {
        roots += edge->ref.root_digest;
      } else {
        ref_namespaces.push_back(edge->ref.model.namespace_name);
        ref_names.push_back(edge->ref.model.name);
        ref_versions.push_back(edge->ref.model.version);
      }
    }
  }

  std::map<std::string, StoredRecord> existing;
  {
    PEDIGREE_ASSIGN_OR_RETURN(
        std::vector<StoredRecord> found,
        ReadStoredRecords(Exec(tx, Sql().records_by_digests,
                               pqxx::binarystring(wanted_digests)),
                          SignerColumn::kRows));
    for (StoredRecord& record : found) {
      std::string digest = record.record_digest;
      existing.emplace(std::move(digest), std::move(record));
    }
  }
  std::map<std::string, int64_t> namespace_ids;  // by lower-cased name
  for (const pqxx::row& row :
       Exec(tx, Sql().lock_namespaces,
            ArrayLiteral(std::vector<std::string>(namespaces.begin(),
                                                  namespaces.end())))) {
    namespace_ids.emplace(row[1].as<std::string>(), row[0].as<int64_t>());
  }
  struct ActiveKey {
    int64_t row_id;
    int64_t namespace_id;
  };
  std::map<std::string, ActiveKey> active_keys;
  for (const pqxx::row& row : Exec(tx, Sql().lock_active_keys,
                                   ArrayLiteral(std::vector<std::string>(
                                       key_ids.begin(), key_ids.end())))) {
    active_keys.emplace(row[1].as<std::string>(),
                        ActiveKey{row[0].as<int64_t>(), row[2].as<int64_t>()});
  }
  std::map<std::string, int64_t> parents;  // by ParentKey
  if (!ref_names.empty()) {
    for (const pqxx::row& row :
         Exec(tx, Sql().resolve_refs, ArrayLiteral(ref_namespaces),
              ArrayLiteral(ref_names), ArrayLiteral(ref_versions))) {
      const size_t i = row[0].as<size_t>() - 1;
      ModelLocator locator;
      locator.kind = ModelLocator::Kind::kModelRef;
      locator.model = {ref_namespaces[i], ref_names[i], ref_versions[i]};
      parents.emplace(ParentKey(locator), row[1].as<int64_t>());
    }
  }
  if (!roots.empty()) {
    for (const pqxx::row& row :
         Exec(tx, Sql().resolve_roots, pqxx::binarystring(roots))) {
      const size_t i = row[0].as<size_t>() - 1;
      ModelLocator locator;
      locator.kind = ModelLocator::Kind::kRootDigest;
      locator.root_digest = roots.substr(i * 32, 32);
      parents.emplace(ParentKey(locator), row[1].as<int64_t>());
    }
  }
  // Parents that may still be stored by this batch: any other job's record.
  std::set<std::string> in_batch;
  for (LogJob* job : jobs) {
    for (std::string& key : SelfKeys(job->record->record)) {
      in_batch.insert(std::move(key));
    }
  }

  // --- decisions, in job order
  struct Accepted {
    LogJob* job;
    int64_t namespace_id;
    std::vector<int64_t> signer_rows;
    std::vector<std::string> signer_key_ids;
    std::vector<std::optional<std::string>> parent_ids;
    std::map<std::string, int64_t> parent_by_key;  // by ParentKey
  };
  std::vector<Accepted> accepted;
  for (size_t i = 0; i < round.size(); ++i) {
    LogJob* job = round[i];
    const NewRecord& new_record = *job->record;
    const ModelRef& ref = new_record.record.model.ref;
    if (auto found = existing.find(new_record.record_digest);
        found != existing.end()) {
      job->published.record = found->second;
      job->published.already_existed = true;
      continue;
    }
    const auto ns =
        namespace_ids.find(absl::AsciiStrToLower(ref.namespace_name));
    if (ns == namespace_ids.end()) {
      refuse(job,
             absl::FailedPreconditionError(absl::StrCat(
                 "namespace \"", ref.namespace_name, "\" does not exist")));
      continue;
    }
    // The signers recorded are those that are active keys of the namespace
    // now, under the share lock; at least one must be.
    Accepted next{job, ns->second, {}, {}, {}, {}};
    for (const std::string& key_id : job->rows->signer_key_ids) {
      const auto key = active_keys.find(key_id);
      if (key != active_keys.end() && key->second.namespace_id == ns->second) {
        next.signer_rows.push_back(key->second.row_id);
        next.signer_key_ids.push_back(key_id);
      }
    }
    if (next.signer_rows.empty()) {
      refuse(
          job,
          absl::PermissionDeniedError(absl::StrCat(
              "no signer key (", absl::StrJoin(job->rows->signer_key_ids, ", "),
              ") is an active key of namespace \"", ref.namespace_name, "\"")));
      continue;
    }
    bool wait = false;
    const std::vector<std::string> own = SelfKeys(new_record.record);
    for (const core::record::LineageEdge* edge : job->rows->edges) {
      const std::string key = ParentKey(edge->ref);
      if (const auto parent = parents.find(key); parent != parents.end()) {
        next.parent_ids.push_back(absl::StrCat(parent->second));
        next.parent_by_key.emplace(key, parent->second);
        continue;
      }
      if (in_batch.count(key) > 0 &&
          std::find(own.begin(), own.end(), key) == own.end()) {
        wait = true;  // its parent may be stored by this batch
        break;
      }
      refuse(job, absl::FailedPreconditionError(absl::StrCat(
                      "lineage parent ", core::record::ToString(edge->ref),
                      " is not a published record")));
      break;
    }
    if (!job->status.ok()) continue;
    if (wait) {
      deferred->push_back(job);
      continue;
    }
    accepted.push_back(std::move(next));
  }
  if (accepted.empty()) return absl::OkStatus();

  // --- writes: any error from here on fails the whole batch
  std::vector<int64_t> ns_ids;
  std::vector<std::string> model_namespaces, model_names, model_versions,
      release_dates, weights, code, openness;
  std::vector<int64_t> envelope_starts, envelope_lengths;
  std::string digests, root_digests, envelopes;
  for (const Accepted& a : accepted) {
    const NewRecord& new_record = *a.job->record;
    const core::record::Record& record = new_record.record;
    ns_ids.push_back(a.namespace_id);
    model_namespaces.push_back(record.model.ref.namespace_name);
    model_names.push_back(record.model.ref.name);
    model_versions.push_back(record.model.ref.version);
    digests += new_record.record_digest;
    root_digests += record.artifacts.root_digest;
    envelope_starts.push_back(static_cast<int64_t>(envelopes.size()) + 1);
    envelope_lengths.push_back(
        static_cast<int64_t>(new_record.envelope.size()));
    envelopes += new_record.envelope;
    release_dates.push_back(record.model.release_date);
    weights.push_back(record.licenses.weights);
    code.push_back(record.licenses.code);
    openness.emplace_back(core::record::ToString(record.openness.claim));
  }
  // record digest -> (record id, published_at in microseconds)
  std::map<std::string, std::pair<int64_t, int64_t>> inserted;
  const pqxx::result rows = Exec(
      tx, Sql().insert_records, ArrayLiteral(ns_ids),
      ArrayLiteral(model_namespaces), ArrayLiteral(model_names),
      ArrayLiteral(model_versions), pqxx::binarystring(digests),
      pqxx::binarystring(root_digests), std::string(core::record::kPayloadType),
      pqxx::binarystring(envelopes), ArrayLiteral(release_dates),
      ArrayLiteral(weights), ArrayLiteral(code), ArrayLiteral(openness),
      ArrayLiteral(envelope_starts), ArrayLiteral(envelope_lengths));
  for (const pqxx::row& row : rows) {
    inserted.emplace(Bytes(row[1]), std::make_pair(row[0].as<int64_t>(),
                                                   row[2].as<int64_t>()));
  }
  // A record the insert skipped has a name@version that is taken, by a
  // record with another digest: its own digest was looked up above, after
  // LogBatch::Begin locked the log head, which every batch of every server
  // holds until it commits, so no record can have been stored since. The
  // rest of the round goes on.
  std::vector<Accepted> stored;
  for (Accepted& a : accepted) {
    if (inserted.count(a.job->record->record_digest) > 0) {
      stored.push_back(std::move(a));
      continue;
    }
    refuse(a.job, absl::AlreadyExistsError(absl::StrCat(
                      ModelLabel(a.job->record->record.model.ref),
                      " is already published with a different record digest")));
  }
  if (inserted.size() != stored.size()) {
    return absl::InternalError(absl::StrCat(
        "inserted ", inserted.size(), " records, expected ", stored.size()));
  }
  accepted = std::move(stored);
  if (accepted.empty()) return absl::OkStatus();

  PublishRows all;  // every child row of the round, with its record id
  std::vector<int64_t> signature_records, signature_keys, artifact_records,
      dataset_records, dataset_ordinals, openness_records, edge_records,
      license_records;
  // Per record of openness_records: the array literals of its row.
  std::vector<std::string> openness_names, openness_statuses, openness_licenses,
      openness_locations;
  std::vector<std::optional<std::string>> edge_parents;
  for (Accepted& a : accepted) {
    const PublishRows& r = *a.job->rows;
    const int64_t id = inserted.at(a.job->record->record_digest).first;
    for (int64_t key : a.signer_rows) {
      signature_records.push_back(id);
      signature_keys.push_back(key);
    }
    artifact_records.insert(artifact_records.end(), r.artifact_paths.size(),
                            id);
    all.artifact_paths.insert(all.artifact_paths.end(),
                              r.artifact_paths.begin(), r.artifact_paths.end());
    all.artifact_sizes.insert(all.artifact_sizes.end(),
                              r.artifact_sizes.begin(), r.artifact_sizes.end());
    all.artifact_digests += r.artifact_digests;
    const size_t slice_offset = all.dataset_digests.size() / 32;
    for (size_t k = 0; k < r.dataset_names.size(); ++k) {
      dataset_records.push_back(id);
      dataset_ordinals.push_back(static_cast<int64_t>(k));
      all.dataset_names.push_back(r.dataset_names[k]);
      all.dataset_roles.push_back(r.dataset_roles[k]);
      all.dataset_disclosures.push_back(r.dataset_disclosures[k]);
      all.dataset_licenses.push_back(r.dataset_licenses[k]);
      all.dataset_locations.push_back(r.dataset_locations[k]);
      std::optional<std::string> slice;
      if (r.dataset_slices[k].has_value()) {
        size_t local = 0;
        if (!absl::SimpleAtoi(*r.dataset_slices[k], &local)) {
          return absl::InternalError("malformed dataset digest slice");
        }
        slice = absl::StrCat(slice_offset + local);
      }
      all.dataset_slices.push_back(std::move(slice));
    }
    all.dataset_digests += r.dataset_digests;
    if (!r.component_names.empty()) {
      openness_records.push_back(id);
      openness_names.push_back(r.component_names);
      openness_statuses.push_back(r.component_statuses);
      openness_licenses.push_back(r.component_licenses);
      openness_locations.push_back(r.component_locations);
    }
    edge_records.insert(edge_records.end(), r.edge_refs.size(), id);
    all.edge_refs.insert(all.edge_refs.end(), r.edge_refs.begin(),
                         r.edge_refs.end());
    all.edge_relations.insert(all.edge_relations.end(),
                              r.edge_relations.begin(), r.edge_relations.end());
    edge_parents.insert(edge_parents.end(), a.parent_ids.begin(),
                        a.parent_ids.end());
    license_records.insert(license_records.end(), r.license_ids.size(), id);
    all.license_ids.insert(all.license_ids.end(), r.license_ids.begin(),
                           r.license_ids.end());
    all.license_sources.insert(all.license_sources.end(),
                               r.license_sources.begin(),
                               r.license_sources.end());
  }

  // Each record's judgment, from its parents' stored ones (a parent stored
  // by an earlier round of this batch is judged already).
  std::vector<int64_t> parent_record_ids;
  for (const Accepted& a : accepted) {
    for (const auto& [key, id] : a.parent_by_key) {
      parent_record_ids.push_back(id);
    }
  }
  const StoredJudgments parent_judgments = ReadJudgments(tx, parent_record_ids);
  // Only suggest a restart where Open would really judge the parent.
  const auto why_unjudged = [&](int64_t parent) -> std::string {
    {
      absl::MutexLock lock(&mu_);
      const auto failed = unjudgeable_.find(parent);
      if (failed != unjudgeable_.end()) {
        return absl::StrCat(
            "it could not be judged when the server started (", failed->second,
            "), so restarting will not help: check that record's stored "
            "envelope and lineage");
      }
    }
    const auto unusable = parent_judgments.unusable.find(parent);
    if (unusable != parent_judgments.unusable.end()) {
      return absl::StrCat(unusable->second,
                          "; restart the server to re-judge it");
    }
    return "restart the server to judge it";
  };
  JudgmentRows judgment_rows;
  for (const Accepted& a : accepted) {
    const NewRecord& new_record = *a.job->record;
    const int64_t id = inserted.at(new_record.record_digest).first;
    if (a.job->rows->judgment.has_value()) {
      judgment_rows.Add(id, *a.job->rows->judgment);
      continue;
    }
    PEDIGREE_ASSIGN_OR_RETURN(
        const core::judgment::Judgment judgment,
        JudgeRecord(new_record.record, a.parent_by_key, parent_judgments.usable,
                    why_unjudged));
    judgment_rows.Add(id, judgment);
  }

  // Every other row of the round's records, in one statement.
  const pqxx::row written =
      Exec(tx, Sql().insert_record_rows, ArrayLiteral(signature_records),
           ArrayLiteral(signature_keys), ArrayLiteral(artifact_records),
           ArrayLiteral(all.artifact_paths),
           pqxx::binarystring(all.artifact_digests),
           ArrayLiteral(all.artifact_sizes), ArrayLiteral(dataset_records),
           ArrayLiteral(all.dataset_names), ArrayLiteral(all.dataset_roles),
           ArrayLiteral(all.dataset_disclosures),
           ArrayLiteral(all.dataset_licenses),
           ArrayLiteral(all.dataset_locations),
           pqxx::binarystring(all.dataset_digests),
           ArrayLiteral(all.dataset_slices), ArrayLiteral(dataset_ordinals),
           ArrayLiteral(openness_records), ArrayLiteral(openness_names),
           ArrayLiteral(openness_statuses), ArrayLiteral(openness_licenses),
           ArrayLiteral(openness_locations), ArrayLiteral(edge_records),
           ArrayLiteral(all.edge_refs), ArrayLiteral(edge_parents),
           ArrayLiteral(all.edge_relations), ArrayLiteral(license_records),
           ArrayLiteral(all.license_ids), ArrayLiteral(all.license_sources),
           ArrayLiteral(judgment_rows.record_ids),
           ArrayLiteral(judgment_rows.labels),
           ArrayLiteral(judgment_rows.mof_classes),
           ArrayLiteral(judgment_rows.flags),
           ArrayLiteral(judgment_rows.judgments),
           std::string(core::judgment::kRuleSetVersion))
          .at(0);
  const std::pair<absl::string_view, size_t> expected_rows[] = {
      {"record_signatures", signature_records.size()},
      {"artifacts", artifact_records.size()},
      {"datasets", dataset_records.size()},
      {"record_openness", openness_records.size()},
      {"lineage_edges", edge_records.size()},
      {"license_refs", license_records.size()},
      {"record_judgments", judgment_rows.record_ids.size()}};
  pqxx::row::size_type column = 0;
  for (const auto& [table, expected] : expected_rows) {
    const pqxx::field count = written[column++];
    if (count.as<size_t>() != expected) {
      return absl::InternalError(absl::StrCat("inserted ", count.c_str(),
                                              " rows into ", table,
                                              ", expected ", expected));
    }
  }

  for (Accepted& a : accepted) {
    const NewRecord& new_record = *a.job->record;
    const core::record::Record& record = new_record.record;
    const auto [id, published_us] = inserted.at(new_record.record_digest);
    PEDIGREE_ASSIGN_OR_RETURN(const uint64_t log_index,
                              batch.AppendRecord(id, new_record.envelope));
    StoredRecord& out = a.job->published.record;
    out.id = id;
    out.record_digest = new_record.record_digest;
    out.ref = record.model.ref;
    out.root_digest = record.artifacts.root_digest;
    out.envelope = new_record.envelope;
    out.published_at = absl::FromUnixMicros(published_us);
    out.release_date = record.model.release_date;
    out.weights_license = record.licenses.weights;
    out.code_license = record.licenses.code;
    out.declared_openness =
        std::string(core::record::ToString(record.openness.claim));
    out.signer_key_ids = a.signer_key_ids;
    out.log_index = log_index;
  }
  return absl::OkStatus();
}

absl::Status PostgresRegistryStore::AddKeyInBatch(pqxx::transaction_base& tx,
                                                  internal::LogBatch& batch,
                                                  LogJob& job) {
  const KeyRow& key = *job.key;
  if (!Exec(tx, Sql().key_exists, key.key_id).empty()) {
    job.status = absl::AlreadyExistsError(
        absl::StrCat("key ", key.key_id, " is already registered"));
    return absl::OkStatus();
  }
  const std::string key_type(core::crypto::FormatKeyType(key.type));
  const pqxx::result result =
      Exec(tx, Sql().add_key, key.namespace_name, key.key_id, key_type,
           pqxx::binarystring(key.spki_der));
  if (result.empty()) {
    job.status = absl::NotFoundError(
        absl::StrCat("namespace \"", key.namespace_name, "\" does not exist"));
    return absl::OkStatus();
  }
  PEDIGREE_ASSIGN_OR_RETURN(job.added_key, ReadKeyRow(result[0]));
  PEDIGREE_ASSIGN_OR_RETURN(
      job.added_key.log_index,
      batch.AppendKey(
          result[0][8].as<int64_t>(),
          core::record::KeyLogEntry(job.added_key.namespace_name, key.key_id,
                                    key_type, key.spki_der)));
  return absl::OkStatus();
}

absl::StatusOr<StoredRecord> PostgresRegistryStore::GetRecordByRef(
    const ModelRef& ref) {
  if (ref.version.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model ref ", ModelLabel(ref), " has no version"));
  }
  std::optional<StoredRecord> record;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "get record by ref", [&](pqxx::transaction_base& tx) {
        const pqxx::result result = Exec(
            tx, Sql().record_by_ref, ref.namespace_name, ref.name, ref.version);
        if (result.empty()) return absl::OkStatus();
        PEDIGREE_ASSIGN_OR_RETURN(
            record, ReadStoredRecord(result[0], SignerColumn::kRows));
        return absl::OkStatus();
      }));
  if (!record.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("record ", ModelLabel(ref), " not found"));
  }
  return *std::move(record);
}

absl::StatusOr<StoredRecord> PostgresRegistryStore::GetRecordByDigest(
    absl::string_view record_digest) {
  std::optional<StoredRecord> record;
  if (record_digest.size() == 32) {
    PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
        "get record by digest", [&](pqxx::transaction_base& tx) {
          PEDIGREE_ASSIGN_OR_RETURN(record, FindByDigest(tx, record_digest));
          return absl::OkStatus();
        }));
  }
  if (!record.has_value()) {
    return absl::NotFoundError(absl::StrCat("no record with digest sha256:",
                                            core::HexEncode(record_digest)));
  }
  return *std::move(record);
}

absl::StatusOr<StoredRecord> PostgresRegistryStore::GetLatestRecord(
    const ModelRef& model) {
  std::optional<StoredRecord> record;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "get latest record", [&](pqxx::transaction_base& tx) {
        const pqxx::result result =
            Exec(tx, Sql().latest_record, model.namespace_name, model.name);
        if (result.empty()) return absl::OkStatus();
        PEDIGREE_ASSIGN_OR_RETURN(
            record, ReadStoredRecord(result[0], SignerColumn::kRows));
        return absl::OkStatus();
      }));
  if (!record.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("model ", core::record::ModelId(model), " has no record"));
  }
  return *std::move(record);
}

absl::StatusOr<VersionPage> PostgresRegistryStore::ListVersions(
    const ModelRef& model, const PageRequest& page) {
  PEDIGREE_RETURN_IF_ERROR(CheckPageSize(page));
  std::optional<int64_t> after;
  PEDIGREE_ASSIGN_OR_RETURN(after, DecodePageToken(page.page_token));
  const std::optional<std::string> after_text =
      after.has_value() ? std::optional<std::string>(absl::StrCat(*after))
                        : std::nullopt;
  VersionPage out;
  bool model_exists = true;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "list versions", [&](pqxx::transaction_base& tx) {
        const pqxx::result result =
            Exec(tx, Sql().list_versions, model.namespace_name, model.name,
                 Nullable(after_text), page.page_size + 1);
        int64_t last_id = 0;
        for (const pqxx::row& row : result) {
          if (static_cast<int>(out.versions.size()) == page.page_size) {
            out.next_page_token = EncodePageToken(last_id);
            break;
          }
          last_id = row[0].as<int64_t>();
          VersionEntry entry;
          entry.version = row[1].as<std::string>();
          entry.record_digest = Bytes(row[2]);
          entry.published_at = FromMicros(row[3]);
          entry.release_date = row[4].as<std::string>();
          out.versions.push_back(std::move(entry));
        }
        if (result.empty()) {
          model_exists =
              !Exec(tx, Sql().model_exists, model.namespace_name, model.name)
                   .empty();
        }
        return absl::OkStatus();
      }));
  if (!model_exists) {
    return absl::NotFoundError(
        absl::StrCat("model ", core::record::ModelId(model), " has no record"));
  }
  return out;
}

absl::StatusOr<RecordPage> PostgresRegistryStore::SearchRecords(
    const SearchFilter& filter, const PageRequest& page) {
  PEDIGREE_RETURN_IF_ERROR(CheckPageSize(page));
  if (filter.relation.has_value() && !filter.parent_record_id.has_value()) {
    return absl::InvalidArgumentError(
        "a relation filter needs a parent record filter");
  }
  std::optional<int64_t> after;
  PEDIGREE_ASSIGN_OR_RETURN(after, DecodePageToken(page.page_token));

  // The statement varies only by which literal fragments it contains; every
  // value is a parameter.
  const std::string sql = absl::StrCat(
      "SELECT ", kRecordFieldColumns, kSignerIdsColumn,
      " FROM records r WHERE TRUE",
      filter.namespace_name ? kSearchNamespace : kSearchNoNamespace,
      filter.name_prefix ? kSearchNamePrefix : kSearchNoNamePrefix,
      filter.license_id ? kSearchLicense : kSearchNoLicense,
      filter.declared_openness ? kSearchOpenness : kSearchNoOpenness,
      filter.dataset_name ? kSearchDataset : kSearchNoDataset,
      filter.parent_record_id ? kSearchParent : kSearchNoParent,
      after ? kSearchAfter : kSearchNoAfter, kNewestFirst, kSearchLimit);
  const std::optional<std::string> name_pattern =
      filter.name_prefix
          ? std::optional<std::string>(LikePrefixPattern(*filter.name_prefix))
          : std::nullopt;
  const std::optional<std::string> openness =
      filter.declared_openness
          ? std::optional<std::string>(
                core::record::ToString(*filter.declared_openness))
          : std::nullopt;
  const std::optional<std::string> parent =
      filter.parent_record_id
          ? std::optional<std::string>(absl::StrCat(*filter.parent_record_id))
          : std::nullopt;
  const std::optional<std::string> relation =
      filter.relation
          ? std::optional<std::string>(core::record::ToString(*filter.relation))
          : std::nullopt;
  const std::optional<std::string> after_text =
      after ? std::optional<std::string>(absl::StrCat(*after)) : std::nullopt;

  RecordPage out;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "search records", [&](pqxx::transaction_base& tx) {
        // Unnamed (not prepared): planned with the actual values, so each
        // absent filter folds away and present ones can drive index use.
        const pqxx::result result = tx.exec_params(
            sql, Nullable(filter.namespace_name), Nullable(name_pattern),
            Nullable(filter.license_id), Nullable(openness),
            Nullable(filter.dataset_name), Nullable(parent), Nullable(relation),
            Nullable(after_text), page.page_size + 1);
        PEDIGREE_ASSIGN_OR_RETURN(
            out.records, ReadStoredRecords(result, SignerColumn::kIds));
        return absl::OkStatus();
      }));
  if (static_cast<int>(out.records.size()) > page.page_size) {
    out.records.resize(page.page_size);
    out.next_page_token = EncodePageToken(out.records.back().id);
  }
  return out;
}

absl::StatusOr<std::vector<StoredRecord>>
PostgresRegistryStore::FindRecordsByArtifacts(
    const std::vector<std::string>& digests, int limit) {
  std::string wanted;
  for (const std::string& digest : digests) {
    if (digest.size() == 32) wanted += digest;
  }
  std::vector<StoredRecord> records;
  if (wanted.empty() || limit < 1) return records;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "find records by artifacts", [&](pqxx::transaction_base& tx) {
        PEDIGREE_ASSIGN_OR_RETURN(
            records, ReadStoredRecords(Exec(tx, Sql().records_by_artifacts,
                                            pqxx::binarystring(wanted), limit),
                                       SignerColumn::kRows));
        return absl::OkStatus();
      }));
  return records;
}

absl::StatusOr<std::vector<StoredRecord>>
PostgresRegistryStore::FindRecordsByRootDigest(absl::string_view root_digest,
                                               int limit) {
  std::vector<StoredRecord> records;
  if (root_digest.size() != 32 || limit < 1) return records;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "find records by root digest", [&](pqxx::transaction_base& tx) {
        PEDIGREE_ASSIGN_OR_RETURN(
            records,
            ReadStoredRecords(
                Exec(tx, Sql().records_by_root,
                     pqxx::binarystring(std::string(root_digest)), limit),
                SignerColumn::kRows));
        return absl::OkStatus();
      }));
  return records;
}

absl::StatusOr<LineageGraph> PostgresRegistryStore::GetLineage(
    const LineageQuery& query) {
  if (query.max_depth < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("lineage max depth ", query.max_depth, " is below 1"));
  }
  std::optional<std::string> relations;
  if (!query.relations.empty()) {
    std::vector<std::string> names;
    for (core::record::Relation relation : query.relations) {
      names.emplace_back(core::record::ToString(relation));
    }
    relations = ArrayLiteral(names);
  }
  const bool up = query.direction != LineageDirection::kDescendants;
  const bool down = query.direction != LineageDirection::kAncestors;

  LineageGraph graph;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::read_transaction>(
      "get lineage", [&](pqxx::transaction_base& tx) -> absl::Status {
        const pqxx::result nodes =
            Exec(tx, Sql().lineage_nodes, query.start_record_id,
                 query.max_depth, Nullable(relations), up, down);
        std::vector<int64_t> ids;
        for (const pqxx::row& row : nodes) {
          PEDIGREE_ASSIGN_OR_RETURN(StoredRecord record,
                                    ReadStoredRecord(row, SignerColumn::kIds));
          ids.push_back(record.id);
          graph.nodes.push_back(LineageNodeRow{
              std::move(record), row[kRecordColumnCount].as<int>()});
        }
        if (graph.nodes.empty()) return absl::OkStatus();
        for (const pqxx::row& row :
             Exec(tx, Sql().lineage_edges, ArrayLiteral(ids),
                  Nullable(relations))) {
          absl::StatusOr<core::record::Relation> relation =
              core::record::ParseRelation(row[2].as<std::string>());
          if (!relation.ok()) {
            return absl::DataLossError(
                absl::StrCat("lineage edge of record ", row[0].as<int64_t>(),
                             ": ", relation.status().message()));
          }
          graph.edges.push_back(LineageEdgeRow{
              row[0].as<int64_t>(), row[1].as<int64_t>(), *relation});
        }
        return absl::OkStatus();
      }));
  if (graph.nodes.empty()) {
    return absl::NotFoundError(
        absl::StrCat("record ", query.start_record_id, " not found"));
  }
  return graph;
}

// --- judgments and datasets
// --------------------------------------------------

absl::StatusOr<std::map<int64_t, core::judgment::Judgment>>
PostgresRegistryStore::GetJudgments(const std::vector<int64_t>& record_ids) {
  std::map<int64_t, core::judgment::Judgment> judgments;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "get judgments", [&](pqxx::transaction_base& tx) -> absl::Status {
        StoredJudgments stored = ReadJudgments(tx, record_ids);
        for (auto& [id, entry] : stored.usable) {
          judgments.emplace(id, std::move(entry.judgment));
        }
        return absl::OkStatus();
      }));
  return judgments;
}

absl::Status PostgresRegistryStore::DropUnreadableJudgments(
    JudgeSummary& summary) {
  constexpr int kChunk = 1024;
  int64_t after = 0;
  for (bool more = true; more;) {
    std::vector<std::string> unreadable;
    int64_t last = after;
    PEDIGREE_RETURN_IF_ERROR(Run<pqxx::work>(
        "check stored judgments",
        [&](pqxx::transaction_base& tx) -> absl::Status {
          unreadable.clear();
          const std::string version(core::judgment::kRuleSetVersion);
          const pqxx::result rows =
              Exec(tx, Sql().current_judgments, version, after, kChunk);
          more = rows.size() == static_cast<size_t>(kChunk);
          for (const pqxx::row& row : rows) {
            last = row[0].as<int64_t>();
            const std::string judgment = row[1].as<std::string>();
            const absl::Status parsed =
                core::judgment::JudgmentFromJson(judgment).status();
            if (parsed.ok()) continue;
            ModelRef ref;
            ref.namespace_name = row[2].as<std::string>();
            ref.name = row[3].as<std::string>();
            ref.version = row[4].as<std::string>();
            // No row count check: a server starting alongside may have
            // dropped (or re-judged) it already.
            Exec(tx, Sql().delete_judgment, last, version, judgment);
            unreadable.push_back(absl::StrCat(
                core::record::ToString(ref),
                ": its stored judgment does not parse: ", parsed.message()));
          }
          return absl::OkStatus();
        }));
    after = last;
    for (std::string& message : unreadable) {
      summary.unreadable.push_back(std::move(message));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<JudgeSummary> PostgresRegistryStore::JudgeStoredRecords() {
  constexpr int kChunk = 256;
  JudgeSummary summary;
  PEDIGREE_RETURN_IF_ERROR(DropUnreadableJudgments(summary));
  // The records this run could not judge, with why.
  std::map<int64_t, std::string> failed;
  int64_t after = 0;
  for (bool more = true; more;) {
    JudgmentRows rows;
    std::vector<std::string> unjudged;
    std::map<int64_t, std::string> chunk_failed;
    int64_t last = after;
    const absl::Status status = Run<pqxx::work>(
        "judge stored records",
        [&](pqxx::transaction_base& tx) -> absl::Status {
          rows = JudgmentRows();
          unjudged.clear();
          chunk_failed.clear();
          const pqxx::result records =
              Exec(tx, Sql().unjudged_records,
                   std::string(core::judgment::kRuleSetVersion), after, kChunk);
          more = records.size() == static_cast<size_t>(kChunk);
          if (records.empty()) return absl::OkStatus();
          std::vector<int64_t> ids;
          for (const pqxx::row& row : records) {
            ids.push_back(row[0].as<int64_t>());
          }
          last = ids.back();
          // Each child's stored edges: ParentKey of the edge -> parent id.
          // A stored parent ref that does not parse makes its child
          // unjudgeable (bad_edges), never "a parent without judgment".
          std::map<int64_t, std::map<std::string, int64_t>> edges;
          std::map<int64_t, std::string> bad_edges;
          std::vector<int64_t> parent_ids;
          for (const pqxx::row& row :
               Exec(tx, Sql().edges_of, ArrayLiteral(ids))) {
            const int64_t child = row[0].as<int64_t>();
            const std::string parent_ref = row[1].as<std::string>();
            absl::StatusOr<ModelLocator> locator =
                core::record::ParseModelLocator(parent_ref);
            if (!locator.ok()) {
              bad_edges.emplace(
                  child,
                  absl::StrCat("its stored lineage edge names parent \"",
                               parent_ref, "\", which does not parse (",
                               locator.status().message(),
                               "); check the record's stored lineage edges"));
              continue;
            }
            if (row[3].is_null()) continue;  // JudgeRecord names it
            edges[child].emplace(ParentKey(*locator), row[3].as<int64_t>());
            parent_ids.push_back(row[3].as<int64_t>());
          }
          // A parent left without a current judgment could not be judged:
          // its children cannot be judged either.
          StoredJudgments judgments = ReadJudgments(tx, parent_ids);
          const auto why_unjudged = [&](int64_t parent) -> std::string {
            if (failed.count(parent) > 0 || chunk_failed.count(parent) > 0) {
              return "it cannot be judged either";
            }
            const auto unusable = judgments.unusable.find(parent);
            if (unusable != judgments.unusable.end()) return unusable->second;
            return "it has none";
          };
          for (const pqxx::row& row : records) {
            const int64_t id = row[0].as<int64_t>();
            ModelRef ref;
            ref.namespace_name = row[2].as<std::string>();
            ref.name = row[3].as<std::string>();
            ref.version = row[4].as<std::string>();
            const std::string label = core::record::ToString(ref);
            absl::StatusOr<core::judgment::Judgment> judgment =
                [&]() -> absl::StatusOr<core::judgment::Judgment> {
              if (const auto bad = bad_edges.find(id); bad != bad_edges.end()) {
                return absl::DataLossError(bad->second);
              }
              absl::StatusOr<core::dsse::Envelope> envelope =
                  core::dsse::ParseEnvelope(Bytes(row[1]));
              if (!envelope.ok()) {
                return absl::DataLossError(
                    absl::StrCat("its stored envelope does not parse (",
                                 envelope.status().message(),
                                 "); check the record's stored envelope"));
              }
              absl::StatusOr<core::record::Record> record =
                  core::record::RecordFromEnvelope(*envelope);
              if (!record.ok()) {
                return absl::DataLossError(
                    absl::StrCat("its stored envelope holds no valid record (",
                                 record.status().message(),
                                 "); check the record's stored envelope"));
              }
              return JudgeRecord(*record, edges[id], judgments.usable,
                                 why_unjudged);
            }();
            if (!judgment.ok()) {
              const std::string why(judgment.status().message());
              unjudged.push_back(absl::StrCat(label, ": ", why));
              chunk_failed.emplace(id, why);
              continue;
            }
            // Children later in this chunk read it from here.
            judgments.usable[id] = StoredJudgment{*judgment, label};
            rows.Add(id, *judgment);
          }
          return rows.Write(tx);
        });
    PEDIGREE_RETURN_IF_ERROR(status);
    after = last;
    summary.judged += static_cast<int64_t>(rows.record_ids.size());
    for (std::string& message : unjudged) {
      summary.unjudged.push_back(std::move(message));
    }
    failed.merge(chunk_failed);
  }
  absl::MutexLock lock(&mu_);
  unjudgeable_ = std::move(failed);
  return summary;
}

absl::StatusOr<DatasetUserPage> PostgresRegistryStore::ListDatasetUsers(
    const DatasetQuery& query, const PageRequest& page) {
  PEDIGREE_RETURN_IF_ERROR(CheckPageSize(page));
  if (query.name.has_value() == query.sha256.has_value()) {
    return absl::InvalidArgumentError(
        "give exactly one of a dataset name or a dataset digest");
  }
  if (query.sha256.has_value()) {
    PEDIGREE_RETURN_IF_ERROR(CheckDigest(*query.sha256, "dataset digest"));
  }
  // Page tokens: base64("d1:<distance>:<record id>").
  // Nullable parameters, as text (see Nullable).
  std::optional<std::string> after_distance, after_id;
  if (!page.page_token.empty()) {
    absl::StatusOr<std::string> text = core::Base64Decode(page.page_token);
    std::vector<absl::string_view> parts;
    if (text.ok()) parts = absl::StrSplit(*text, ':');
    int distance = 0;
    int64_t id = 0;
    if (parts.size() != 3 || parts[0] != "d1" ||
        !absl::SimpleAtoi(parts[1], &distance) || distance < 0 ||
        !absl::SimpleAtoi(parts[2], &id) || id < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("malformed page token \"", page.page_token, "\""));
    }
    after_distance = absl::StrCat(distance);
    after_id = absl::StrCat(id);
  }
  DatasetUserPage result;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::read_transaction>(
      "list dataset users", [&](pqxx::transaction_base& tx) -> absl::Status {
        const pqxx::result rows =
            query.name.has_value()
                ? Exec(tx, Sql().dataset_users_by_name, *query.name,
                       query.downstream, Nullable(after_distance),
                       Nullable(after_id), page.page_size + 1)
                : Exec(tx, Sql().dataset_users_by_digest,
                       pqxx::binarystring(*query.sha256), query.downstream,
                       Nullable(after_distance), Nullable(after_id),
                       page.page_size + 1);
        for (const pqxx::row& row : rows) {
          if (result.users.size() == static_cast<size_t>(page.page_size)) {
            const DatasetUserRow& last = result.users.back();
            result.next_page_token = core::Base64Encode(
                absl::StrCat("d1:", last.distance, ":", last.record.id));
            break;
          }
          DatasetUserRow user;
          PEDIGREE_ASSIGN_OR_RETURN(user.record,
                                    ReadStoredRecord(row, SignerColumn::kIds));
          constexpr int c = kRecordColumnCount;
          user.distance = row[c].as<int>();
          if (user.distance > 0) {
            user.via_record_digest = Bytes(row[c + 1]);
            user.via_ref.namespace_name = row[c + 2].as<std::string>();
            user.via_ref.name = row[c + 3].as<std::string>();
            user.via_ref.version = row[c + 4].as<std::string>();
          }
          if (!row[c + 5].is_null()) {
            const nlohmann::json uses = nlohmann::json::parse(
                row[c + 5].c_str(), nullptr, /*allow_exceptions=*/false);
            if (uses.is_discarded() || !uses.is_array()) {
              return absl::DataLossError(absl::StrCat("dataset rows of record ",
                                                      user.record.id,
                                                      " are not a json array"));
            }
            for (const nlohmann::json& use : uses) {
              if (!use.is_array() || use.size() != 3 || !use[0].is_string() ||
                  !use[1].is_string() || !use[2].is_string()) {
                return absl::DataLossError(
                    absl::StrCat("dataset rows of record ", user.record.id,
                                 " are malformed"));
              }
              user.uses.push_back({use[0].get<std::string>(),
                                   use[1].get<std::string>(),
                                   use[2].get<std::string>()});
            }
          }
          result.users.push_back(std::move(user));
        }
        return absl::OkStatus();
      }));
  return result;
}

// --- the log, read side
// ------------------------------------------------------

absl::StatusOr<LogCheckpointRow> PostgresRegistryStore::LatestCheckpoint(
    pqxx::transaction_base& tx) {
  const pqxx::result rows = Exec(tx, Sql().latest_checkpoint);
  if (rows.empty()) {
    return absl::FailedPreconditionError(
        "the transparency log has no checkpoint");
  }
  return LogCheckpointRow{rows[0][0].as<uint64_t>(), Bytes(rows[0][1]),
                          rows[0][2].as<std::string>()};
}

absl::StatusOr<LogCheckpointRow> PostgresRegistryStore::GetLatestCheckpoint() {
  LogCheckpointRow checkpoint;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "get checkpoint", [&](pqxx::transaction_base& tx) {
        PEDIGREE_ASSIGN_OR_RETURN(checkpoint, LatestCheckpoint(tx));
        return absl::OkStatus();
      }));
  return checkpoint;
}

absl::StatusOr<LogCheckpointRow> PostgresRegistryStore::GetCheckpoint(
    uint64_t tree_size) {
  std::optional<LogCheckpointRow> checkpoint;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::nontransaction>(
      "get checkpoint", [&](pqxx::transaction_base& tx) {
        const pqxx::result rows = Exec(tx, Sql().checkpoint_at, tree_size);
        if (!rows.empty()) {
          checkpoint = LogCheckpointRow{tree_size, Bytes(rows[0][0]),
                                        rows[0][1].as<std::string>()};
        }
        return absl::OkStatus();
      }));
  if (!checkpoint.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no checkpoint was signed at tree size ", tree_size));
  }
  return *std::move(checkpoint);
}

absl::StatusOr<InclusionProofRow> PostgresRegistryStore::GetInclusionProof(
    uint64_t log_index, uint64_t tree_size) {
  InclusionProofRow proof;
  proof.log_index = log_index;
  proof.tree_size = tree_size;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::read_transaction>(
      "get inclusion proof", [&](pqxx::transaction_base& tx) -> absl::Status {
        PEDIGREE_ASSIGN_OR_RETURN(const LogCheckpointRow latest,
                                  LatestCheckpoint(tx));
        if (tree_size > latest.tree_size) {
          return absl::InvalidArgumentError(
              absl::StrCat("tree size ", tree_size, " is beyond the log's ",
                           latest.tree_size));
        }
        if (log_index >= tree_size) {
          return absl::InvalidArgumentError(
              absl::StrCat("log index ", log_index,
                           " is not in a tree of size ", tree_size));
        }
        const core::merkle::NodeFetcher fetch =
            internal::DatabaseNodeFetcher(tx);
        PEDIGREE_ASSIGN_OR_RETURN(
            proof.hashes,
            core::merkle::InclusionProof(log_index, tree_size, fetch));
        PEDIGREE_ASSIGN_OR_RETURN(std::vector<std::string> leaf,
                                  fetch({core::merkle::NodeId{0, log_index}}));
        proof.leaf_hash = std::move(leaf[0]);
        return absl::OkStatus();
      }));
  return proof;
}

absl::StatusOr<std::vector<std::string>>
PostgresRegistryStore::GetConsistencyProof(uint64_t old_size,
                                           uint64_t new_size) {
  std::vector<std::string> hashes;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::read_transaction>(
      "get consistency proof", [&](pqxx::transaction_base& tx) -> absl::Status {
        PEDIGREE_ASSIGN_OR_RETURN(const LogCheckpointRow latest,
                                  LatestCheckpoint(tx));
        if (new_size > latest.tree_size) {
          return absl::InvalidArgumentError(
              absl::StrCat("tree size ", new_size, " is beyond the log's ",
                           latest.tree_size));
        }
        if (old_size > new_size) {
          return absl::InvalidArgumentError(
              absl::StrCat("old tree size ", old_size,
                           " is larger than new tree size ", new_size));
        }
        PEDIGREE_ASSIGN_OR_RETURN(
            hashes, core::merkle::ConsistencyProof(
                        old_size, new_size, internal::DatabaseNodeFetcher(tx)));
        return absl::OkStatus();
      }));
  return hashes;
}

absl::StatusOr<std::vector<LogEntryRow>> PostgresRegistryStore::GetLogEntries(
    uint64_t start, int count) {
  count = std::clamp(count, 0, 1024);
  std::vector<LogEntryRow> entries;
  PEDIGREE_RETURN_IF_ERROR(Run<pqxx::read_transaction>(
      "get log entries", [&](pqxx::transaction_base& tx) -> absl::Status {
        PEDIGREE_ASSIGN_OR_RETURN(const LogCheckpointRow latest,
                                  LatestCheckpoint(tx));
        if (count == 0 || start >= latest.tree_size) return absl::OkStatus();
        const uint64_t end =
            std::min(latest.tree_size, start + static_cast<uint64_t>(count));
        for (const pqxx::row& row : Exec(tx, Sql().log_entries, start, end)) {
          LogEntryRow entry;
          entry.log_index = row[0].as<uint64_t>();
          if (!row[2].is_null()) {
            entry.data = core::record::RecordLogEntry(Bytes(row[2]));
          } else if (!row[3].is_null()) {
            entry.data = core::record::KeyLogEntry(
                row[3].as<std::string>(), row[4].as<std::string>(),
                row[5].as<std::string>(), Bytes(row[6]));
          } else {
            return absl::DataLossError(absl::StrCat(
                "log entry ", entry.log_index, " has no record or key"));
          }
          PEDIGREE_ASSIGN_OR_RETURN(const std::string leaf,
                                    core::merkle::HashLeaf(entry.data));
          // The tree's leaf must agree too: rewriting an entry and its
          // leaf hash together would otherwise go unnoticed here.
          if (leaf != Bytes(row[1]) || row[7].is_null() ||
              leaf != Bytes(row[7])) {
            return absl::DataLossError(
                absl::StrCat("log entry ", entry.log_index,
                             " no longer hashes to its leaf hash"));
          }
          entries.push_back(std::move(entry));
        }
        if (entries.size() != end - start) {
          return absl::DataLossError(
              absl::StrCat("log entries ", start, " to ", end, " have a gap"));
        }
        return absl::OkStatus();
      }));
  return entries;
}

}  // namespace pedigree::server::storage
