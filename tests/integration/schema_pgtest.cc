// Constraints of migrations/0001_create_registry.sql (as 0006 rewrote the
// format checks and 0007 and 0008 the checks of a record's rows), exercised
// through SQL.

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "server/storage/embedded_migrations.h"
#include "server/storage/internal/pqxx_status.h"
#include "server/storage/migrator.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::server::storage {
namespace {

constexpr char kInsertNamespaceSql[] =
    "INSERT INTO namespaces (name) VALUES ($1) RETURNING id";
constexpr char kInsertRecordSql[] =
    "INSERT INTO records (namespace_id, model_namespace, model_name, "
    "model_version, record_digest, envelope, payload_type, root_digest, "
    "release_date, weights_license, code_license, declared_openness) "
    "VALUES ($1, 'deepseek-ai', $2, $3, $4, $5, "
    "'application/vnd.in-toto+json', $6, '2025-01-20', 'MIT', 'MIT', "
    "'open_weight') RETURNING id";
constexpr char kInsertArtifactSql[] =
    "INSERT INTO artifacts (record_id, path, sha256, size_bytes) "
    "VALUES ($1, $2, $3, $4)";
constexpr char kInsertKeySql[] =
    "INSERT INTO keys (namespace_id, key_id, key_type, public_key, status, "
    "revoked_at) VALUES ($1, $2, 'ed25519', $3, $4, $5)";

pqxx::binarystring Digest(char fill) {
  return pqxx::binarystring(std::string(32, fill));
}

class SchemaTest : public ::pedigree::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(connection_, internal::Connect(dsn()));
    pqxx::work tx(*connection_);
    namespace_id_ =
        tx.exec_params1(kInsertNamespaceSql, "deepseek-ai")[0].as<int64_t>();
    tx.commit();
  }

  // Inserts a record in its own transaction and returns its id; throws what
  // pqxx throws.
  int64_t InsertRecord(int64_t namespace_id, const std::string& name,
                       const std::string& version, char digest_fill,
                       const pqxx::binarystring& root = Digest('r')) {
    pqxx::work tx(*connection_);
    const int64_t id = tx.exec_params1(kInsertRecordSql, namespace_id, name,
                                       version, Digest(digest_fill),
                                       pqxx::binarystring("envelope"), root)[0]
                           .as<int64_t>();
    tx.commit();
    return id;
  }

  void Exec(const std::string& sql) {
    pqxx::work tx(*connection_);
    tx.exec(sql);
    tx.commit();
  }

  std::unique_ptr<pqxx::connection> connection_;
  int64_t namespace_id_ = 0;
};

TEST_F(SchemaTest, CompressesNewEnvelopesWithLz4) {
  // Debian's PostgreSQL 15 has lz4; 0009 keeps pglz where it has not.
  const std::string envelope = absl::StrCat(
      "{\"payload\":\"", std::string(4000, 'a'), "\",\"signatures\":[]}");
  pqxx::work tx(*connection_);
  const int64_t id =
      tx.exec_params1(kInsertRecordSql, namespace_id_, "m", "v1", Digest('a'),
                      pqxx::binarystring(envelope), Digest('r'))[0]
          .as<int64_t>();

  const pqxx::row row = tx.exec_params1(
      "SELECT pg_column_compression(envelope), octet_length(envelope), "
      "pg_column_size(envelope) FROM records WHERE id = $1",
      id);
  // default_toast_compression offers lz4 only in a PostgreSQL built with it.
  const bool has_lz4 = tx.exec1(
                             "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                             "WHERE name = 'default_toast_compression'")[0]
                           .as<bool>();
  EXPECT_EQ(row[0].as<std::string>(), has_lz4 ? "lz4" : "pglz");
  EXPECT_EQ(row[1].as<size_t>(), envelope.size());
  EXPECT_LT(row[2].as<size_t>(), envelope.size() / 4);
  EXPECT_EQ(
      pqxx::binarystring(
          tx.exec_params1("SELECT envelope FROM records WHERE id = $1", id)[0])
          .str(),
      envelope);
}

TEST_F(SchemaTest, AcceptsWellFormedRecord) {
  EXPECT_GT(InsertRecord(namespace_id_, "DeepSeek-R1", "v1.0", 'a'), 0);
}

TEST_F(SchemaTest, RejectsDuplicateNameAndVersion) {
  InsertRecord(namespace_id_, "DeepSeek-R1", "v1.0", 'a');

  EXPECT_THROW(InsertRecord(namespace_id_, "DeepSeek-R1", "v1.0", 'b'),
               pqxx::unique_violation);
}

TEST_F(SchemaTest, RejectsDuplicateNameDifferingOnlyInCase) {
  InsertRecord(namespace_id_, "DeepSeek-R1", "v1.0", 'a');

  EXPECT_THROW(InsertRecord(namespace_id_, "deepseek-r1", "v1.0", 'b'),
               pqxx::unique_violation);
}

TEST_F(SchemaTest, AcceptsSameNameWithOtherVersion) {
  InsertRecord(namespace_id_, "DeepSeek-R1", "v1.0", 'a');

  EXPECT_GT(InsertRecord(namespace_id_, "DeepSeek-R1", "v1.1", 'b'), 0);
}

TEST_F(SchemaTest, RejectsDuplicateRecordDigest) {
  InsertRecord(namespace_id_, "DeepSeek-R1", "v1.0", 'a');

  EXPECT_THROW(InsertRecord(namespace_id_, "DeepSeek-R1", "v2.0", 'a'),
               pqxx::unique_violation);
}

TEST_F(SchemaTest, RejectsDuplicateNamespaceDifferingOnlyInCase) {
  pqxx::work tx(*connection_);

  EXPECT_THROW(tx.exec_params(kInsertNamespaceSql, "DeepSeek-AI"),
               pqxx::unique_violation);
}

TEST_F(SchemaTest, RejectsRecordInUnknownNamespace) {
  EXPECT_THROW(InsertRecord(namespace_id_ + 1000, "DeepSeek-R1", "v1.0", 'a'),
               pqxx::foreign_key_violation);
}

TEST_F(SchemaTest, RejectsRecordDigestOfWrongLength) {
  pqxx::work tx(*connection_);

  EXPECT_THROW(tx.exec_params(kInsertRecordSql, namespace_id_, "m", "v1",
                              pqxx::binarystring("short"),
                              pqxx::binarystring("envelope"), Digest('r')),
               pqxx::check_violation);
}

TEST_F(SchemaTest, RejectsVersionWithSlashOrAt) {
  EXPECT_THROW(InsertRecord(namespace_id_, "m", "v1/x", 'a'),
               pqxx::check_violation);
  EXPECT_THROW(InsertRecord(namespace_id_, "m", "v1@x", 'b'),
               pqxx::check_violation);
}

TEST_F(SchemaTest, RejectsModelNameWithSlash) {
  EXPECT_THROW(InsertRecord(namespace_id_, "a/b", "v1", 'a'),
               pqxx::check_violation);
}

TEST_F(SchemaTest, RejectsArtifactOfUnknownRecord) {
  pqxx::work tx(*connection_);

  EXPECT_THROW(tx.exec_params(kInsertArtifactSql, 424242, "model.safetensors",
                              Digest('x'), 10),
               pqxx::foreign_key_violation);
}

TEST_F(SchemaTest, RejectsAbsoluteArtifactPath) {
  const int64_t record = InsertRecord(namespace_id_, "m", "v1", 'a');
  pqxx::work tx(*connection_);

  EXPECT_THROW(tx.exec_params(kInsertArtifactSql, record, "/etc/passwd",
                              Digest('x'), 10),
               pqxx::check_violation);
}

TEST_F(SchemaTest, RejectsNegativeArtifactSize) {
  const int64_t record = InsertRecord(namespace_id_, "m", "v1", 'a');
  pqxx::work tx(*connection_);

  EXPECT_THROW(
      tx.exec_params(kInsertArtifactSql, record, "model.bin", Digest('x'), -1),
      pqxx::check_violation);
}

TEST_F(SchemaTest, DeletingRecordDeletesItsArtifacts) {
  const int64_t record = InsertRecord(namespace_id_, "m", "v1", 'a');
  {
    pqxx::work tx(*connection_);
    tx.exec_params(kInsertArtifactSql, record, "model.bin", Digest('x'), 1);
    tx.commit();
  }

  Exec("DELETE FROM records");

  pqxx::read_transaction tx(*connection_);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM artifacts")[0].as<int>(), 0);
}

TEST_F(SchemaTest, RejectsRevokedKeyWithoutRevocationTime) {
  pqxx::work tx(*connection_);

  EXPECT_THROW(tx.exec_params(kInsertKeySql, namespace_id_,
                              "00112233445566778899aabbccddeeff",
                              pqxx::binarystring("spki"), "revoked", nullptr),
               pqxx::check_violation);
}

TEST_F(SchemaTest, RejectsUpperCaseKeyId) {
  pqxx::work tx(*connection_);

  EXPECT_THROW(tx.exec_params(kInsertKeySql, namespace_id_,
                              "00112233445566778899AABBCCDDEEFF",
                              pqxx::binarystring("spki"), "active", nullptr),
               pqxx::check_violation);
}

TEST_F(SchemaTest, RejectsLineageEdgeToItself) {
  const int64_t record = InsertRecord(namespace_id_, "m", "v1", 'a');
  pqxx::work tx(*connection_);

  EXPECT_THROW(
      tx.exec_params("INSERT INTO lineage_edges (child_record_id, parent_ref, "
                     "parent_record_id, relation) VALUES ($1, $2, $1, $3)",
                     record, "deepseek-ai/m@v1", "fine-tuned-from"),
      pqxx::check_violation);
}

// One format check on the publish path that 0006 rewrote: an INSERT whose
// $1 is the value checked (and $2 the id it needs: a namespace's for a
// record, a record's otherwise), and the regex of 0001 it replaced.
struct FormatCheck {
  const char* constraint;
  const char* insert_sql;
  const char* regex_0001;  // or, where a later migration differs, its own
  bool needs_record;
};

constexpr char kRecordWithColumnSql[] =
    "INSERT INTO records (namespace_id, model_namespace, model_name, "
    "model_version, record_digest, envelope, payload_type, root_digest, "
    "release_date, weights_license, code_license, declared_openness) "
    "VALUES ($2, %s, %s, %s, decode(repeat('ab', 32), 'hex'), 'e', "
    "'application/vnd.in-toto+json', decode(repeat('cd', 32), 'hex'), "
    "'2025-01-20', 'MIT', 'MIT', %s)";

std::string RecordWithColumn(int column) {
  std::vector<std::string> values = {"'deepseek-ai'", "'m'", "'v1'",
                                     "'open_weight'"};
  values.at(column) = "$1";
  return absl::StrFormat(kRecordWithColumnSql, values[0], values[1], values[2],
                         values[3]);
}

// Values at and around every length bound and character class edge of the
// 0001 regexes, and characters they refuse (newlines anywhere, space,
// slash, at sign, non-ASCII letters counted as one character).
std::vector<std::string> FormatProbes() {
  std::vector<std::string> probes = {"",
                                     "a",
                                     "A",
                                     "1",
                                     "1a",
                                     "a1",
                                     "-a",
                                     "_a",
                                     ".a",
                                     "a-b_c.d",
                                     "a+b:c",
                                     "a\n",
                                     "\na",
                                     "a\nb",
                                     "a b",
                                     " a",
                                     "a ",
                                     "a/b",
                                     "a@b",
                                     "a!b",
                                     "a,b",
                                     ",a",
                                     "a,",
                                     ",",
                                     "a~b",
                                     "a\x7f",
                                     "\xc3\xa9",
                                     "a\xc3\xa9",
                                     "a\tb",
                                     "Apache-2.0",
                                     "LicenseRef-Llama-3.1-Community",
                                     "fine-tuned-from",
                                     "open_weight"};
  for (const size_t length :
       {8, 15, 16, 17, 63, 64, 65, 95, 96, 97, 127, 128, 129, 200}) {
    probes.push_back(std::string(length, 'a'));
    probes.push_back(std::string(length - 1, 'a') + "\xc3\xa9");
  }
  return probes;
}

TEST_F(SchemaTest, FormatChecksAcceptExactlyWhatTheRegexesOf0001Accepted) {
  const int64_t record = InsertRecord(namespace_id_, "m", "v0", 'z');
  const std::vector<FormatCheck> checks = {
      {"records_model_namespace_format", nullptr, "^[A-Za-z0-9._-]{1,96}$",
       false},
      {"records_model_name_format", nullptr, "^[A-Za-z0-9._-]{1,96}$", false},
      {"records_model_version_format", nullptr, "^[!-.0-?A-~]{1,128}$", false},
      {"records_declared_openness_format", nullptr, "^[a-z][a-z0-9_-]{0,63}$",
       false},
      {"datasets_role_format",
       "INSERT INTO datasets (record_id, ordinal, name, role, disclosure) "
       "VALUES ($2, 0, 'd', $1, 'public')",
       "^[a-z][a-z0-9_-]{0,63}$", true},
      {"datasets_disclosure_format",
       "INSERT INTO datasets (record_id, ordinal, name, role, disclosure) "
       "VALUES ($2, 0, 'd', 'pretraining', $1)",
       "^[a-z][a-z0-9_-]{0,63}$", true},
      // 0010: checked for every element, here the second of two, with no
      // bound on its length.
      {"record_openness_component_format",
       "INSERT INTO record_openness (record_id, components, statuses, "
       "licenses, locations) VALUES ($2, ARRAY['weights', $1::text], "
       "'{open,open}', '{NULL,NULL}', '{NULL,NULL}')",
       "^[a-z][a-z0-9_-]*$", true},
      {"record_openness_status_format",
       "INSERT INTO record_openness (record_id, components, statuses, "
       "licenses, locations) VALUES ($2, '{weights,code}', "
       "ARRAY['open', $1::text], '{NULL,NULL}', '{NULL,NULL}')",
       "^[a-z][a-z0-9_-]*$", true},
      {"lineage_edges_relation_format",
       "INSERT INTO lineage_edges (child_record_id, parent_ref, relation) "
       "VALUES ($2, 'a/b@v1', $1)",
       "^[a-z][a-z0-9_-]{0,63}$", true},
      {"license_refs_license_id_format",
       "INSERT INTO license_refs (record_id, license_id, source) "
       "VALUES ($2, $1, 'declared')",
       "^[A-Za-z0-9.+:-]{1,128}$", true},
  };
  int record_column = 0;
  for (const FormatCheck& check : checks) {
    const std::string sql = check.insert_sql != nullptr
                                ? std::string(check.insert_sql)
                                : RecordWithColumn(record_column++);
    const int64_t id = check.needs_record ? record : namespace_id_;
    for (const std::string& probe : FormatProbes()) {
      SCOPED_TRACE(
          absl::StrCat(check.constraint, " on \"", absl::CEscape(probe), "\""));
      bool wanted = false;
      {
        pqxx::read_transaction tx(*connection_);
        wanted = tx.exec_params1("SELECT $1::text ~ $2::text", probe,
                                 check.regex_0001)[0]
                     .as<bool>();
      }
      bool accepted = true;
      try {
        pqxx::work tx(*connection_);  // never committed
        tx.exec_params(sql, probe, id);
      } catch (const pqxx::check_violation& error) {
        accepted = false;
        EXPECT_THAT(error.what(), ::testing::HasSubstr(check.constraint));
      }
      EXPECT_EQ(accepted, wanted);
    }
  }
}

TEST_F(SchemaTest, RecordOpennessRefusesMalformedRows) {
  const int64_t record = InsertRecord(namespace_id_, "m", "v0", 'z');
  struct Case {
    const char* components;
    const char* statuses;
    const char* licenses;
    const char* locations;
    const char* constraint;
  };
  for (const Case& bad : std::vector<Case>{
           {"{weights,code}", "{open}", "{NULL,NULL}", "{NULL,NULL}",
            "record_openness_shape"},
           {"{weights}", "{open}", "{NULL,NULL}", "{NULL}",
            "record_openness_shape"},
           {"{weights}", "{open}", "{NULL}", "{}", "record_openness_shape"},
           // Checks run in name order: the format check finds these first.
           {"{weights,NULL}", "{open,open}", "{NULL,NULL}", "{NULL,NULL}",
            "record_openness_component_format"},
           {"{weights}", "{NULL}", "{NULL}", "{NULL}", "record_openness_shape"},
           {"{}", "{}", "{}", "{}", "record_openness_component_format"},
           {"{{weights}}", "{{open}}", "{{NULL}}", "{{NULL}}",
            "record_openness_shape"},
           // One element that holds two names is not two elements.
           {"{\"weights,code\"}", "{open}", "{NULL}", "{NULL}",
            "record_openness_component_format"},
           {"{weights,code}", "{\"open,open\",open}", "{NULL,NULL}",
            "{NULL,NULL}", "record_openness_status_format"},
       }) {
    SCOPED_TRACE(absl::StrCat(bad.components, " ", bad.statuses, " ",
                              bad.licenses, " ", bad.locations));
    pqxx::work tx(*connection_);  // never committed
    try {
      tx.exec_params(
          "INSERT INTO record_openness (record_id, components, statuses, "
          "licenses, locations) VALUES ($1, $2, $3, $4, $5)",
          record, bad.components, bad.statuses, bad.licenses, bad.locations);
      ADD_FAILURE() << "accepted";
    } catch (const pqxx::check_violation& error) {
      EXPECT_THAT(error.what(), ::testing::HasSubstr(bad.constraint));
    }
  }

  // A well-formed row, read back through the view of the old table.
  Exec(absl::StrCat(
      "INSERT INTO record_openness (record_id, components, statuses, "
      "licenses, locations) VALUES (",
      record,
      ", '{weights,code}', '{open,closed}', '{Apache-2.0,NULL}', "
      "'{https://example.com/w,NULL}')"));
  pqxx::read_transaction tx(*connection_);
  const pqxx::result rows = tx.exec_params(
      "SELECT concat_ws(' ', component, status, coalesce(license, '-'), "
      "coalesce(location, '-')) FROM openness_components WHERE record_id = $1 "
      "ORDER BY component",
      record);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "code closed - -");
  EXPECT_EQ(rows[1][0].as<std::string>(),
            "weights open Apache-2.0 https://example.com/w");
}

TEST_F(SchemaTest, OpennessComponentsViewTakesTheOldTablesInserts) {
  // As a pedigreed of the previous version writes, during a rolling update.
  const int64_t record = InsertRecord(namespace_id_, "m", "v0", 'z');
  {
    pqxx::work tx(*connection_);
    const pqxx::result inserted = tx.exec_params(
        "INSERT INTO openness_components (record_id, component, status, "
        "license, location) VALUES ($1, 'weights', 'published', 'MIT', NULL), "
        "($1, 'code', 'not_published', NULL, 'https://c')",
        record);
    EXPECT_EQ(inserted.affected_rows(), 2u);
    tx.commit();
  }
  {
    pqxx::read_transaction tx(*connection_);
    const pqxx::row row = tx.exec_params1(
        "SELECT array_to_json(components)::text, "
        "array_to_json(statuses)::text, "
        "array_to_json(licenses)::text, array_to_json(locations)::text "
        "FROM record_openness WHERE record_id = $1",
        record);
    EXPECT_EQ(row[0].as<std::string>(), R"(["weights","code"])");
    EXPECT_EQ(row[1].as<std::string>(), R"(["published","not_published"])");
    EXPECT_EQ(row[2].as<std::string>(), R"(["MIT",null])");
    EXPECT_EQ(row[3].as<std::string>(), R"([null,"https://c"])");
  }
  // Still checked: a row of an unknown record is refused.
  pqxx::work refused(*connection_);
  EXPECT_THROW(refused.exec_params("INSERT INTO openness_components "
                                   "(record_id, component, status) VALUES "
                                   "($1, 'weights', 'published')",
                                   record + 4242),
               pqxx::foreign_key_violation);
}

// One INSERT per table that writes rows belonging to a record (the tables
// whose record_id 0007 checks per statement), from p: the record id, a key
// row id (for record_signatures) and a number that tells rows of one record
// apart. Run with Insert().
struct RecordRowTable {
  const char* table;
  const char* insert_sql;
};

const std::vector<RecordRowTable>& RecordRowTables() {
  static const auto* const tables = new std::vector<RecordRowTable>{
      {"record_signatures",
       "INSERT INTO record_signatures (record_id, key_id) "
       "SELECT p.record_id, p.key_id FROM p"},
      {"artifacts",
       "INSERT INTO artifacts (record_id, path, sha256, size_bytes) "
       "SELECT p.record_id, 'f' || p.n, decode(repeat('ab', 32), 'hex'), 1 "
       "FROM p"},
      {"datasets",
       "INSERT INTO datasets (record_id, ordinal, name, role, disclosure) "
       "SELECT p.record_id, p.n, 'd', 'pretraining', 'public' FROM p"},
      {"record_openness",
       "INSERT INTO record_openness (record_id, components, statuses, "
       "licenses, locations) SELECT p.record_id, ARRAY['c' || p.n], "
       "'{published}', '{NULL}', '{NULL}' FROM p"},
      {"license_refs",
       "INSERT INTO license_refs (record_id, license_id, source) "
       "SELECT p.record_id, 'MIT-' || p.n, 'declared' FROM p"},
      {"record_judgments",
       "INSERT INTO record_judgments (record_id, rule_set_version, label, "
       "mof_class, flags, judgment) SELECT p.record_id, 'r' || p.n, "
       "'open_source', 'none', '{}', '{}' FROM p ON CONFLICT (record_id) DO "
       "UPDATE SET rule_set_version = excluded.rule_set_version"},
  };
  return *tables;
}

class RecordRowsTest : public SchemaTest {
 protected:
  void SetUp() override {
    SchemaTest::SetUp();
    if (HasFatalFailure()) return;
    record_ = InsertRecord(namespace_id_, "m", "v1", 'a');
    pqxx::work tx(*connection_);
    key_ = tx.exec_params1(
                 "INSERT INTO keys (namespace_id, key_id, key_type, "
                 "public_key) VALUES ($1, '00112233445566778899aabbccddeeff', "
                 "'ed25519', 'spki') RETURNING id",
                 namespace_id_)[0]
               .as<int64_t>();
    tx.commit();
  }

  static void Insert(pqxx::transaction_base& tx, const RecordRowTable& table,
                     int64_t record, int64_t key, int n) {
    tx.exec_params(absl::StrCat("WITH p (record_id, key_id, n) AS (SELECT "
                                "$1::bigint, $2::bigint, $3::int) ",
                                table.insert_sql),
                   record, key, n);
  }

  int64_t CountRows(const std::string& table, int64_t record,
                    const std::string& column = "record_id") {
    pqxx::read_transaction tx(*connection_);
    return tx
        .exec_params1(absl::StrCat("SELECT count(*) FROM ", table, " WHERE ",
                                   column, " = $1"),
                      record)[0]
        .as<int64_t>();
  }

  int64_t record_ = 0;
  int64_t key_ = 0;
};

TEST_F(RecordRowsTest, RefusesAStatementWithOneRowOfAnUnknownRecord) {
  for (const RecordRowTable& table : RecordRowTables()) {
    SCOPED_TRACE(table.table);
    try {
      pqxx::work tx(*connection_);
      Insert(tx, table, record_, key_, 0);
      Insert(tx, table, record_ + 424242, key_, 1);
      tx.commit();
      ADD_FAILURE() << "a row of an unknown record was accepted";
    } catch (const pqxx::foreign_key_violation& error) {
      EXPECT_THAT(error.what(), ::testing::HasSubstr(absl::StrCat(
                                    "\"", table.table, "_record_id_fkey\"")));
    }
    EXPECT_EQ(CountRows(table.table, record_), 0);
  }
}

TEST_F(RecordRowsTest, ChecksEveryRowOfAMultiRowStatement) {
  const int64_t other = InsertRecord(namespace_id_, "m", "v2", 'b');
  for (const RecordRowTable& table : RecordRowTables()) {
    SCOPED_TRACE(table.table);
    // One statement: good rows on either side of the bad one.
    const std::string records =
        absl::StrCat("{", record_, ",", record_ + 7, ",", other, "}");
    try {
      pqxx::work tx(*connection_);
      tx.exec_params(
          absl::StrCat("WITH p (record_id, key_id, n) AS (SELECT u.r, "
                       "$2::bigint, u.o::int FROM unnest($1::bigint[]) WITH "
                       "ORDINALITY AS u(r, o)) ",
                       table.insert_sql),
          records, key_);
      tx.commit();
      ADD_FAILURE() << "a statement with a row of an unknown record passed";
    } catch (const pqxx::foreign_key_violation& error) {
      EXPECT_THAT(error.what(), ::testing::HasSubstr(absl::StrCat(
                                    "(record_id)=(", record_ + 7, ")")));
    }
    EXPECT_EQ(CountRows(table.table, record_), 0);
    EXPECT_EQ(CountRows(table.table, other), 0);
  }
}

TEST_F(RecordRowsTest, RefusesMovingARowToAnUnknownRecord) {
  {
    pqxx::work tx(*connection_);
    for (const RecordRowTable& table : RecordRowTables()) {
      Insert(tx, table, record_, key_, 0);
    }
    tx.commit();
  }
  for (const RecordRowTable& table : RecordRowTables()) {
    SCOPED_TRACE(table.table);
    pqxx::work tx(*connection_);
    EXPECT_THROW(tx.exec_params(absl::StrCat("UPDATE ", table.table,
                                             " SET record_id = $1"),
                                record_ + 424242),
                 pqxx::foreign_key_violation);
  }
}

TEST_F(RecordRowsTest, RefusesAnUpsertThatMovesAJudgmentToAnUnknownRecord) {
  pqxx::work tx(*connection_);
  Insert(tx, RecordRowTables()[5], record_, key_, 0);

  // The UPDATE half of INSERT ... ON CONFLICT is checked too.
  EXPECT_THROW(
      tx.exec_params("INSERT INTO record_judgments (record_id, "
                     "rule_set_version, label, mof_class, flags, judgment) "
                     "VALUES ($1, 'r', 'open_source', 'none', '{}', '{}') ON "
                     "CONFLICT (record_id) DO UPDATE SET record_id = $2",
                     record_, record_ + 424242),
      pqxx::foreign_key_violation);
}

TEST_F(RecordRowsTest, RefusesRemovingRecordsOutsideReadCommitted) {
  // The cascade deletes with the remover's snapshot; one older than the
  // statement could miss rows committed since, so it is refused.
  {
    pqxx::work tx(*connection_);
    Insert(tx, RecordRowTables()[1], record_, key_, 0);
    tx.commit();
  }
  const std::string delete_record =
      absl::StrCat("DELETE FROM records WHERE id = ", record_);
  for (const std::string& removal :
       {delete_record, std::string("TRUNCATE records CASCADE")}) {
    for (const char* isolation : {"REPEATABLE READ", "SERIALIZABLE"}) {
      SCOPED_TRACE(absl::StrCat(removal, " under ", isolation));
      pqxx::work tx(*connection_);
      tx.exec(absl::StrCat("SET TRANSACTION ISOLATION LEVEL ", isolation));
      try {
        tx.exec(removal);
        ADD_FAILURE() << "records were removed";
      } catch (const pqxx::sql_error& error) {
        EXPECT_EQ(error.sqlstate(), "0A000") << error.what();
        EXPECT_THAT(error.what(), ::testing::HasSubstr("READ COMMITTED"));
      }
    }
  }
  EXPECT_EQ(CountRows("records", record_, "id"), 1);
  EXPECT_EQ(CountRows("artifacts", record_), 1);
}

TEST_F(RecordRowsTest, TruncatingRecordsEmptiesEveryTable) {
  {
    pqxx::work tx(*connection_);
    for (const RecordRowTable& table : RecordRowTables()) {
      Insert(tx, table, record_, key_, 0);
    }
    tx.commit();
  }

  Exec("TRUNCATE records CASCADE");

  for (const RecordRowTable& table : RecordRowTables()) {
    SCOPED_TRACE(table.table);
    EXPECT_EQ(CountRows(table.table, record_), 0);
  }

  // Also when some of them are truncated in the same statement.
  const int64_t again = InsertRecord(namespace_id_, "m", "v3", 'c');
  {
    pqxx::work tx(*connection_);
    for (const RecordRowTable& table : RecordRowTables()) {
      Insert(tx, table, again, key_, 0);
    }
    tx.commit();
  }

  Exec("TRUNCATE records, artifacts, record_judgments CASCADE");

  for (const RecordRowTable& table : RecordRowTables()) {
    SCOPED_TRACE(table.table);
    EXPECT_EQ(CountRows(table.table, again), 0);
  }
}

TEST_F(RecordRowsTest, TemporaryTablesDoNotStandInForOurs) {
  // A session's temporary tables come first in its search path; the
  // triggers must still check and cascade against the real tables.
  Exec("CREATE TEMPORARY TABLE records (id bigint)");
  Exec("CREATE TEMPORARY TABLE artifacts (record_id bigint)");
  Exec(absl::StrCat("INSERT INTO pg_temp.records VALUES (", record_ + 7, ")"));
  {
    pqxx::work tx(*connection_);
    EXPECT_THROW(Insert(tx, RecordRowTables()[3], record_ + 7, key_, 0),
                 pqxx::foreign_key_violation);
  }
  {
    pqxx::work tx(*connection_);
    Insert(tx, RecordRowTables()[3], record_, key_, 0);
    tx.exec_params(
        "INSERT INTO public.artifacts (record_id, path, sha256, size_bytes) "
        "VALUES ($1, 'f', decode(repeat('ab', 32), 'hex'), 1)",
        record_);
    tx.commit();
  }

  Exec(absl::StrCat("DELETE FROM public.records WHERE id = ", record_));

  EXPECT_EQ(CountRows("public.artifacts", record_), 0);
  EXPECT_EQ(CountRows("openness_components", record_), 0);
}

// Migrations applied by hand, for a database that changes between them.
class UnmigratedSchemaTest : public ::pedigree::testing::PgTest {
 protected:
  UnmigratedSchemaTest() : PgTest(/*migrate=*/false) {}

  // Applies the first `count` migrations (all of them by default).
  absl::Status Migrate(size_t count = EmbeddedMigrations().size()) {
    PEDIGREE_ASSIGN_OR_RETURN(
        const Migrator migrator,
        Migrator::Create(EmbeddedMigrations().subspan(0, count)));
    return migrator.Migrate(dsn()).status();
  }
};

// Applies the first `before` migrations, then makes a new schema come first
// in the search path (a "$user" schema created after the tables, say): it is
// where later migrations' new objects would go, but not where the tables
// are, and the triggers must still find those.
void ExpectRecordRowTriggersFindTheTablesOfRecords(const std::string& dsn,
                                                   size_t before) {
  const absl::Span<const EmbeddedMigration> all = EmbeddedMigrations();
  ASSERT_OK_AND_ASSIGN(const Migrator first,
                       Migrator::Create(all.subspan(0, before)));
  ASSERT_OK(first.Migrate(dsn));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> admin,
                         internal::Connect(dsn));
    pqxx::work tx(*admin);
    tx.exec("CREATE SCHEMA early");
    tx.exec(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = "
        "early, public', current_database()); END $$");
    tx.commit();
  }
  ASSERT_OK_AND_ASSIGN(const Migrator every, Migrator::Create(all));
  ASSERT_OK(every.Migrate(dsn));

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                       internal::Connect(dsn));
  pqxx::work tx(*connection);
  ASSERT_EQ(tx.exec1("SHOW search_path")[0].as<std::string>(), "early, public");
  const int64_t namespace_id =
      tx.exec_params1(kInsertNamespaceSql, "deepseek-ai")[0].as<int64_t>();
  const int64_t record =
      tx.exec_params1(kInsertRecordSql, namespace_id, "m", "v1", Digest('a'),
                      pqxx::binarystring("envelope"), Digest('r'))[0]
          .as<int64_t>();
  tx.exec_params(kInsertArtifactSql, record, "a", Digest('b'), 1);
  tx.exec("SAVEPOINT unknown_record");
  EXPECT_THROW(
      tx.exec_params(kInsertArtifactSql, record + 1, "a", Digest('b'), 1),
      pqxx::foreign_key_violation);
  tx.exec("ROLLBACK TO SAVEPOINT unknown_record");
  constexpr char kInsertOpennessSql[] =
      "INSERT INTO record_openness (record_id, components, statuses, "
      "licenses, locations) VALUES ($1, '{weights}', '{open}', '{NULL}', "
      "'{NULL}')";
  tx.exec("SAVEPOINT unknown_openness_record");
  EXPECT_THROW(tx.exec_params(kInsertOpennessSql, record + 1),
               pqxx::foreign_key_violation);
  tx.exec("ROLLBACK TO SAVEPOINT unknown_openness_record");
  tx.exec_params(kInsertOpennessSql, record);
  // 0010 created its table and view where records is, not in "early".
  EXPECT_EQ(
      tx.exec1("SELECT to_regclass('public.record_openness')::text || "
               "' ' || to_regclass('public.openness_components')::text")[0]
          .as<std::string>(),
      "record_openness openness_components");
  tx.exec_params("DELETE FROM records WHERE id = $1", record);
  EXPECT_EQ(tx.exec("SELECT 1 FROM artifacts").size(), 0u);
  EXPECT_EQ(tx.exec("SELECT 1 FROM record_openness").size(), 0u);

  // And TRUNCATE, whose trigger 0008 made call a function in "early".
  const int64_t again =
      tx.exec_params1(kInsertRecordSql, namespace_id, "m", "v2", Digest('c'),
                      pqxx::binarystring("envelope"), Digest('r'))[0]
          .as<int64_t>();
  tx.exec_params(kInsertArtifactSql, again, "a", Digest('b'), 1);
  tx.exec("TRUNCATE records CASCADE");
  EXPECT_EQ(tx.exec("SELECT 1 FROM artifacts").size(), 0u);
}

TEST_F(UnmigratedSchemaTest, RecordRowTriggersFindTheTablesOfRecords) {
  ExpectRecordRowTriggersFindTheTablesOfRecords(dsn(), 7);
}

TEST_F(UnmigratedSchemaTest, RecordRowTriggersFindTheTablesOfRecordsEarly) {
  // Before 0007: its check function went to the other schema too.
  ExpectRecordRowTriggersFindTheTablesOfRecords(dsn(), 6);
}

TEST_F(UnmigratedSchemaTest, OpennessRowsCommittedDuringTheMigrationMove) {
  // A publish of the previous version, begun before 0010 and committed while
  // it runs, must not lose its rows in the dropped table.
  ASSERT_OK(Migrate(9));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> publisher,
                       internal::Connect(dsn()));
  pqxx::work publish(*publisher);
  const int64_t namespace_id =
      publish.exec_params1(kInsertNamespaceSql, "deepseek-ai")[0].as<int64_t>();
  const int64_t record =
      publish
          .exec_params1(kInsertRecordSql, namespace_id, "m", "v1", Digest('a'),
                        pqxx::binarystring("envelope"), Digest('r'))[0]
          .as<int64_t>();
  publish.exec_params(
      "INSERT INTO openness_components (record_id, component, status) "
      "VALUES ($1, 'weights', 'open'), ($1, 'code', 'closed')",
      record);

  absl::Status migrated = absl::UnknownError("not run");
  std::thread migrator([&] { migrated = Migrate(); });
  // The migration waits for the publish (a wait the publish cannot see);
  // give it time to get there, or to get past it if it does not wait.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  publish.commit();
  migrator.join();
  ASSERT_OK(migrated);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> reader,
                       internal::Connect(dsn()));
  pqxx::read_transaction tx(*reader);
  EXPECT_EQ(tx.exec_params1("SELECT array_to_json(components)::text FROM "
                            "record_openness WHERE record_id = $1",
                            record)[0]
                .as<std::string>(),
            R"(["code","weights"])");
}

TEST_F(UnmigratedSchemaTest, OpennessRowsMoveToOneRowPerRecord) {
  ASSERT_OK(Migrate(9));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                       internal::Connect(dsn()));
  int64_t record = 0;
  int64_t bare = 0;  // a record without components keeps having no row
  {
    pqxx::work tx(*connection);
    const int64_t namespace_id =
        tx.exec_params1(kInsertNamespaceSql, "deepseek-ai")[0].as<int64_t>();
    record =
        tx.exec_params1(kInsertRecordSql, namespace_id, "m", "v1", Digest('a'),
                        pqxx::binarystring("envelope"), Digest('r'))[0]
            .as<int64_t>();
    bare =
        tx.exec_params1(kInsertRecordSql, namespace_id, "m", "v2", Digest('b'),
                        pqxx::binarystring("envelope"), Digest('r'))[0]
            .as<int64_t>();
    tx.exec_params(
        "INSERT INTO openness_components (record_id, component, status, "
        "license, location) VALUES ($1, 'weights', 'open', 'MIT', NULL), "
        "($1, 'code', 'closed', NULL, 'https://c'), "
        "($1, 'architecture', 'open', 'Apache-2.0', 'https://a')",
        record);
    tx.commit();
  }

  ASSERT_OK(Migrate());

  pqxx::read_transaction tx(*connection);
  const pqxx::row row = tx.exec_params1(
      "SELECT array_to_json(components)::text, array_to_json(statuses)::text, "
      "array_to_json(licenses)::text, array_to_json(locations)::text "
      "FROM record_openness WHERE record_id = $1",
      record);
  EXPECT_EQ(row[0].as<std::string>(), R"(["architecture","code","weights"])");
  EXPECT_EQ(row[1].as<std::string>(), R"(["open","closed","open"])");
  EXPECT_EQ(row[2].as<std::string>(), R"(["Apache-2.0",null,"MIT"])");
  EXPECT_EQ(row[3].as<std::string>(), R"(["https://a","https://c",null])");
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM openness_components "
                            "WHERE record_id = $1",
                            record)[0]
                .as<int>(),
            3);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM record_openness "
                            "WHERE record_id = $1",
                            bare)[0]
                .as<int>(),
            0);
}

TEST_F(RecordRowsTest, DeletingARecordDeletesItsRowsInEveryTable) {
  const int64_t other = InsertRecord(namespace_id_, "m", "v2", 'b');
  {
    pqxx::work tx(*connection_);
    for (const RecordRowTable& table : RecordRowTables()) {
      Insert(tx, table, record_, key_, 0);
      Insert(tx, table, other, key_, 0);
    }
    tx.commit();
  }

  Exec(absl::StrCat("DELETE FROM records WHERE id = ", record_));

  for (const RecordRowTable& table : RecordRowTables()) {
    SCOPED_TRACE(table.table);
    EXPECT_EQ(CountRows(table.table, record_), 0);
    EXPECT_EQ(CountRows(table.table, other), 1);
  }
}

TEST_F(RecordRowsTest, ARecordIdNeverChanges) {
  pqxx::work tx(*connection_);

  EXPECT_THROW(tx.exec_params("UPDATE records SET id = $1 WHERE id = $2",
                              record_ + 1000, record_),
               pqxx::foreign_key_violation);
}

TEST_F(RecordRowsTest, RowsBeingWrittenKeepTheirRecordFromBeingDeleted) {
  // As the foreign key did: the rows' transaction holds a KEY SHARE lock on
  // their record until it ends, so a DELETE of that record waits.
  pqxx::work writer(*connection_);
  Insert(writer, RecordRowTables()[3], record_, key_, 0);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> other,
                       internal::Connect(dsn()));
  {
    pqxx::work deleter(*other);
    deleter.exec("SET LOCAL lock_timeout = '200ms'");
    try {
      deleter.exec_params("DELETE FROM records WHERE id = $1", record_);
      ADD_FAILURE() << "the record was deleted under rows being written";
    } catch (const pqxx::sql_error& error) {
      EXPECT_EQ(error.sqlstate(), "55P03") << error.what();  // lock timeout
    }
  }
  writer.commit();

  // Once the rows are committed, deleting the record deletes them too.
  {
    pqxx::work deleter(*other);
    deleter.exec_params("DELETE FROM records WHERE id = $1", record_);
    deleter.commit();
  }
  EXPECT_EQ(CountRows("openness_components", record_), 0);
}

}  // namespace
}  // namespace pedigree::server::storage
