// PostgresRegistryStore against a real PostgreSQL (label pg): every method's
// happy path and documented errors, publish atomicity and races, lineage
// walks on diamonds and deep chains, pagination and search filters.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/encoding/base64.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "server/storage/connection_pool.h"
#include "server/storage/internal/pqxx_status.h"
#include "server/storage/postgres_registry_store.h"
#include "server/storage/registry_store.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_log_signer.h"

namespace pedigree::server::storage {
namespace {

using core::record::LineageEdge;
using core::record::ModelLocator;
using core::record::ModelRef;
using core::record::OpennessClaim;
using core::record::Record;
using core::record::Relation;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kNamespace[] = "acme-ai";
constexpr char kTables[][24] = {"namespaces",
                                "keys",
                                "records",
                                "record_signatures",
                                "artifacts",
                                "datasets",
                                "openness_components",
                                "record_openness",
                                "lineage_edges",
                                "license_refs"};

// A 32-byte value unique to (`tag`, `n`).
std::string Digest(char tag, uint64_t n) {
  std::string digest(32, tag);
  for (int i = 0; i < 8; ++i) digest[i] = static_cast<char>(n >> (8 * i));
  return digest;
}

// A key id: 16 bytes of lowercase hex derived from `fill` (0-9, a-f).
std::string KeyId(char fill) { return std::string(32, fill); }

KeyRow MakeKey(const std::string& namespace_name, char fill) {
  KeyRow key;
  key.key_id = KeyId(fill);
  key.namespace_name = namespace_name;
  key.type = core::crypto::KeyType::kEd25519;
  key.spki_der = std::string("spki-") + fill;
  return key;
}

ModelLocator RefLocator(const std::string& name, const std::string& version) {
  ModelLocator locator;
  locator.kind = ModelLocator::Kind::kModelRef;
  locator.model = ModelRef{kNamespace, name, version};
  return locator;
}

ModelLocator RootLocator(const std::string& root_digest) {
  ModelLocator locator;
  locator.kind = ModelLocator::Kind::kRootDigest;
  locator.root_digest = root_digest;
  return locator;
}

LineageQuery Ancestors(int64_t start_record_id) {
  LineageQuery query;
  query.start_record_id = start_record_id;
  return query;
}

LineageEdge Edge(ModelLocator locator, Relation relation) {
  LineageEdge edge;
  edge.ref = std::move(locator);
  edge.relation = relation;
  return edge;
}

class PostgresRegistryStoreTest : public ::pedigree::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(pool_, ConnectionPool::Create({dsn(), 10}));
    PostgresRegistryStore::Options options;
    options.log_signer = log_signer_.get();
    ASSERT_OK_AND_ASSIGN(store_, PostgresRegistryStore::Open(*pool_, options));
    ASSERT_OK(store_->CreateNamespace(kNamespace).status());
    ASSERT_OK(store_->AddKey(MakeKey(kNamespace, 'a')).status());
  }

  void TearDown() override {
    store_.reset();
    pool_.reset();
    PgTest::TearDown();
  }

  // A minimal record acme-ai/`name`@`version` whose only file and digests
  // are unique to this call.
  Record Model(const std::string& name, const std::string& version) {
    Record record = core::record::MinimalRecordForTest();
    record.model.ref = ModelRef{kNamespace, name, version};
    record.artifacts.files[0].sha256 = Digest('f', ++counter_);
    core::record::RecomputeRootDigest(&record);
    return record;
  }

  // Wraps `record` as the service would, signed by key 'a' unless told.
  NewRecord Wrap(const Record& record,
                 std::vector<std::string> signers = {KeyId('a')}) {
    NewRecord out;
    out.record = record;
    out.envelope = absl::StrCat("{\"envelope\":", ++counter_, "}");
    out.record_digest = Digest('d', counter_);
    out.signer_key_ids = std::move(signers);
    return out;
  }

  // Publishes `record` and returns its stored id (0 after a test failure).
  int64_t Publish(const Record& record) {
    absl::StatusOr<PublishResult> result = store_->PublishRecord(Wrap(record));
    EXPECT_THAT(result, IsOk());
    return result.ok() ? result->record.id : 0;
  }

  void Sql(const std::string& sql, const std::string& param) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                         internal::Connect(dsn()));
    pqxx::work tx(*connection);
    tx.exec_params(sql, param);
    tx.commit();
  }

  void Revoke(const std::string& key_id) {
    Sql("UPDATE keys SET status = 'revoked', revoked_at = now() "
        "WHERE key_id = $1",
        key_id);
  }

  std::map<std::string, int64_t> RowCounts() {
    std::map<std::string, int64_t> counts;
    absl::StatusOr<std::unique_ptr<pqxx::connection>> connection =
        internal::Connect(dsn());
    EXPECT_THAT(connection, IsOk());
    if (!connection.ok()) return counts;
    pqxx::nontransaction tx(**connection);
    for (const char* table : kTables) {
      counts[table] = tx.exec1(absl::StrCat("SELECT count(*) FROM ", table))[0]
                          .as<int64_t>();
    }
    return counts;
  }

  static std::vector<int64_t> Ids(const std::vector<StoredRecord>& records) {
    std::vector<int64_t> ids;
    for (const StoredRecord& record : records) ids.push_back(record.id);
    return ids;
  }

  std::vector<int64_t> SearchAll(const SearchFilter& filter) {
    absl::StatusOr<RecordPage> page = store_->SearchRecords(filter, {100, ""});
    EXPECT_THAT(page, IsOk());
    return page.ok() ? Ids(page->records) : std::vector<int64_t>{};
  }

  std::map<int64_t, int> Distances(const LineageGraph& graph) {
    std::map<int64_t, int> distances;
    for (const LineageNodeRow& node : graph.nodes) {
      distances[node.record.id] = node.distance;
    }
    return distances;
  }

  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<server::storage::CheckpointSigner> log_signer_ =
      ::pedigree::testing::TestLogSigner();
  std::unique_ptr<PostgresRegistryStore> store_;
  uint64_t counter_ = 0;
};

MATCHER_P3(EdgeIs, child, parent, relation, "") {
  return arg.child_record_id == child && arg.parent_record_id == parent &&
         arg.relation == relation;
}

// --- namespaces and keys
// ---------------------------------------------------------

TEST_F(PostgresRegistryStoreTest, CreateNamespaceReturnsNameAsCreated) {
  ASSERT_OK_AND_ASSIGN(NamespaceRow row, store_->CreateNamespace("Meta-Llama"));

  EXPECT_EQ(row.name, "Meta-Llama");
  EXPECT_GT(row.created_at, absl::UnixEpoch());
}

TEST_F(PostgresRegistryStoreTest, CreateNamespaceRejectsDuplicateIgnoringCase) {
  EXPECT_THAT(store_->CreateNamespace("ACME-AI"),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("ACME-AI")));
}

TEST_F(PostgresRegistryStoreTest, CreateNamespaceRejectsInvalidName) {
  EXPECT_THAT(store_->CreateNamespace("bad/name"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PostgresRegistryStoreTest, AddKeyReturnsActiveKey) {
  ASSERT_OK_AND_ASSIGN(KeyRow key, store_->AddKey(MakeKey("ACME-ai", 'b')));

  EXPECT_EQ(key.key_id, KeyId('b'));
  EXPECT_EQ(key.namespace_name, kNamespace);
  EXPECT_EQ(key.type, core::crypto::KeyType::kEd25519);
  EXPECT_EQ(key.spki_der, "spki-b");
  EXPECT_EQ(key.status, KeyStatus::kActive);
  EXPECT_FALSE(key.revoked_at.has_value());
}

TEST_F(PostgresRegistryStoreTest, AddKeyRejectsUnknownNamespace) {
  EXPECT_THAT(store_->AddKey(MakeKey("nobody", 'b')),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nobody")));
}

TEST_F(PostgresRegistryStoreTest, AddKeyRejectsKeyIdOfAnyNamespace) {
  ASSERT_OK(store_->CreateNamespace("other").status());

  EXPECT_THAT(store_->AddKey(MakeKey("other", 'a')),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(PostgresRegistryStoreTest, AddKeyRejectsUpperCaseKeyId) {
  KeyRow key = MakeKey(kNamespace, 'b');
  key.key_id = std::string(32, 'B');

  EXPECT_THAT(store_->AddKey(key),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PostgresRegistryStoreTest, ListKeysReturnsActiveAndRevokedOldestFirst) {
  ASSERT_OK(store_->AddKey(MakeKey(kNamespace, 'b')).status());
  Revoke(KeyId('a'));

  ASSERT_OK_AND_ASSIGN(std::vector<KeyRow> keys, store_->ListKeys("Acme-AI"));

  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].key_id, KeyId('a'));
  EXPECT_EQ(keys[0].status, KeyStatus::kRevoked);
  EXPECT_TRUE(keys[0].revoked_at.has_value());
  EXPECT_EQ(keys[1].key_id, KeyId('b'));
  EXPECT_EQ(keys[1].status, KeyStatus::kActive);
}

TEST_F(PostgresRegistryStoreTest, ListKeysReturnsEmptyForNamespaceWithoutKeys) {
  ASSERT_OK(store_->CreateNamespace("empty").status());
  ASSERT_OK_AND_ASSIGN(std::vector<KeyRow> keys, store_->ListKeys("empty"));

  EXPECT_THAT(keys, IsEmpty());
}

TEST_F(PostgresRegistryStoreTest, ListKeysRejectsUnknownNamespace) {
  EXPECT_THAT(store_->ListKeys("nobody"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PostgresRegistryStoreTest, GetKeysReturnsKnownKeysOnly) {
  ASSERT_OK(store_->CreateNamespace("other").status());
  ASSERT_OK(store_->AddKey(MakeKey("other", 'b')).status());

  ASSERT_OK_AND_ASSIGN(
      std::vector<KeyRow> keys,
      store_->GetKeys({KeyId('a'), KeyId('b'), KeyId('c'), "not\"hex"}));

  std::set<std::string> found;
  for (const KeyRow& key : keys) found.insert(key.namespace_name);
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(found, (std::set<std::string>{kNamespace, "other"}));
}

// --- publish
// ---------------------------------------------------------------------

TEST_F(PostgresRegistryStoreTest, PublishStoresRecordAsPublished) {
  ASSERT_OK(store_->AddKey(MakeKey(kNamespace, 'b')).status());
  Record record = Model("Tiny-1B", "v1");
  record.model.ref.namespace_name = "ACME-AI";
  record.openness.claim = OpennessClaim::kOpenWeight;
  const NewRecord input = Wrap(record, {KeyId('b'), KeyId('a'), KeyId('b')});

  ASSERT_OK_AND_ASSIGN(PublishResult result, store_->PublishRecord(input));
  ASSERT_OK_AND_ASSIGN(StoredRecord read,
                       store_->GetRecordByDigest(input.record_digest));

  EXPECT_FALSE(result.already_existed);
  for (const StoredRecord& stored : {result.record, read}) {
    EXPECT_EQ(stored.id, result.record.id);
    EXPECT_EQ(stored.record_digest, input.record_digest);
    EXPECT_EQ(stored.ref, (ModelRef{"ACME-AI", "Tiny-1B", "v1"}));
    EXPECT_EQ(stored.root_digest, record.artifacts.root_digest);
    EXPECT_EQ(stored.envelope, input.envelope);
    EXPECT_EQ(stored.published_at, result.record.published_at);
    EXPECT_EQ(stored.release_date, "2025-01-20");
    EXPECT_EQ(stored.weights_license, "Apache-2.0");
    EXPECT_EQ(stored.code_license, "MIT");
    EXPECT_EQ(stored.declared_openness, "open_weight");
    EXPECT_THAT(stored.signer_key_ids, ElementsAre(KeyId('a'), KeyId('b')));
  }
}

TEST_F(PostgresRegistryStoreTest, PublishIsIdempotentForSameDigest) {
  const NewRecord input = Wrap(Model("Tiny-1B", "v1"));
  ASSERT_OK_AND_ASSIGN(PublishResult first, store_->PublishRecord(input));
  const std::map<std::string, int64_t> before = RowCounts();

  ASSERT_OK_AND_ASSIGN(PublishResult second, store_->PublishRecord(input));

  EXPECT_TRUE(second.already_existed);
  EXPECT_EQ(second.record.id, first.record.id);
  EXPECT_EQ(second.record.envelope, input.envelope);
  EXPECT_EQ(RowCounts(), before);
}

TEST_F(PostgresRegistryStoreTest, PublishRejectsOtherDigestForSameNameVersion) {
  Publish(Model("Tiny-1B", "v1"));
  const std::map<std::string, int64_t> before = RowCounts();

  EXPECT_THAT(
      store_->PublishRecord(Wrap(Model("TINY-1b", "v1"))),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("TINY-1b@v1")));
  // The insert that found the name taken wrote nothing, child rows included.
  EXPECT_EQ(RowCounts(), before);
}

TEST_F(PostgresRegistryStoreTest, PublishAcceptsOtherVersion) {
  Publish(Model("Tiny-1B", "v1"));

  EXPECT_THAT(store_->PublishRecord(Wrap(Model("Tiny-1B", "v2"))), IsOk());
}

TEST_F(PostgresRegistryStoreTest, PublishRejectsUnknownNamespace) {
  Record record = Model("Tiny-1B", "v1");
  record.model.ref.namespace_name = "nobody";

  EXPECT_THAT(
      store_->PublishRecord(Wrap(record)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("nobody")));
}

TEST_F(PostgresRegistryStoreTest, PublishRejectsUnknownParentRef) {
  Record record = Model("Tiny-1B-Chat", "v1");
  record.lineage = {Edge(RefLocator("Tiny-1B", "v9"), Relation::kFinetune)};

  EXPECT_THAT(store_->PublishRecord(Wrap(record)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("acme-ai/Tiny-1B@v9")));
}

TEST_F(PostgresRegistryStoreTest, PublishRejectsUnknownParentRootDigest) {
  Record record = Model("Tiny-1B-Chat", "v1");
  record.lineage = {
      Edge(RootLocator(std::string(32, '\xab')), Relation::kFinetune)};

  EXPECT_THAT(store_->PublishRecord(Wrap(record)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("sha256:abab")));
}

TEST_F(PostgresRegistryStoreTest, PublishResolvesParentRefIgnoringNameCase) {
  const int64_t parent = Publish(Model("Tiny-1B", "v1"));
  Record child = Model("Tiny-1B-Chat", "v1");
  child.lineage = {Edge(RefLocator("tiny-1b", "v1"), Relation::kFinetune)};
  const int64_t child_id = Publish(child);

  ASSERT_OK_AND_ASSIGN(LineageGraph graph,
                       store_->GetLineage(Ancestors(child_id)));

  EXPECT_THAT(graph.edges,
              ElementsAre(EdgeIs(child_id, parent, Relation::kFinetune)));
}

TEST_F(PostgresRegistryStoreTest, PublishResolvesRootDigestToEarliestRecord) {
  const Record first = Model("Tiny-1B", "v1");
  Record same_weights = first;
  same_weights.model.ref.version = "v1-mirror";
  const int64_t first_id = Publish(first);
  Publish(same_weights);
  Record child = Model("Tiny-1B-Q4", "v1");
  child.lineage = {
      Edge(RootLocator(first.artifacts.root_digest), Relation::kQuantized)};
  const int64_t child_id = Publish(child);

  ASSERT_OK_AND_ASSIGN(LineageGraph graph,
                       store_->GetLineage(Ancestors(child_id)));

  EXPECT_THAT(graph.edges,
              ElementsAre(EdgeIs(child_id, first_id, Relation::kQuantized)));
}

TEST_F(PostgresRegistryStoreTest, PublishRejectsRevokedSignerKey) {
  Revoke(KeyId('a'));

  EXPECT_THAT(
      store_->PublishRecord(Wrap(Model("Tiny-1B", "v1"))),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(KeyId('a'))));
}

TEST_F(PostgresRegistryStoreTest, PublishWaitsForConcurrentRevocation) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> revoker,
                       internal::Connect(dsn()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> observer,
                       internal::Connect(dsn()));
  pqxx::work revocation(*revoker);
  revocation.exec_params(
      "UPDATE keys SET status = 'revoked', revoked_at = now() "
      "WHERE key_id = $1",
      KeyId('a'));
  const NewRecord input = Wrap(Model("Tiny-1B", "v1"));
  absl::StatusOr<PublishResult> result = absl::UnknownError("not run");

  std::thread publisher([&] { result = store_->PublishRecord(input); });
  // Commit the revocation only once the publish is blocked on the key row.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool blocked = false;
  while (!blocked && absl::Now() < deadline) {
    pqxx::nontransaction tx(*observer);
    blocked = tx.exec1(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")[0]
                  .as<int>() > 0;
  }
  revocation.commit();
  publisher.join();

  EXPECT_TRUE(blocked);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(RowCounts().at("records"), 0);
}

TEST_F(PostgresRegistryStoreTest, PublishRejectsKeyOfOtherNamespace) {
  ASSERT_OK(store_->CreateNamespace("other").status());
  ASSERT_OK(store_->AddKey(MakeKey("other", 'b')).status());

  EXPECT_THAT(
      store_->PublishRecord(Wrap(Model("Tiny-1B", "v1"), {KeyId('b')})),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(KeyId('b'))));
}

TEST_F(PostgresRegistryStoreTest, PublishRecordsOnlyTheActiveSignerKeys) {
  ASSERT_OK_AND_ASSIGN(const PublishResult published,
                       store_->PublishRecord(Wrap(Model("Tiny-1B", "v1"),
                                                  {KeyId('a'), KeyId('c')})));

  EXPECT_THAT(published.record.signer_key_ids, ElementsAre(KeyId('a')));
}

TEST_F(PostgresRegistryStoreTest, PublishRejectsWhenNoSignerKeyIsActive) {
  EXPECT_THAT(store_->PublishRecord(
                  Wrap(Model("Tiny-1B", "v1"), {KeyId('c'), KeyId('d')})),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr(KeyId('c')), HasSubstr(KeyId('d')))));
}

TEST_F(PostgresRegistryStoreTest, PublishRejectsEmptySignerList) {
  EXPECT_THAT(store_->PublishRecord(Wrap(Model("Tiny-1B", "v1"), {})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PostgresRegistryStoreTest, PublishWritesEveryIndexRow) {
  Publish(Model("Acme-7B", "v1.0"));
  Publish(Model("Acme-70B-Instruct", "v2"));
  const std::map<std::string, int64_t> before = RowCounts();

  Publish(core::record::ValidRecordForTest());

  const std::map<std::string, int64_t> after = RowCounts();
  EXPECT_EQ(after.at("records") - before.at("records"), 1);
  EXPECT_EQ(after.at("record_signatures") - before.at("record_signatures"), 1);
  EXPECT_EQ(after.at("artifacts") - before.at("artifacts"), 4);
  EXPECT_EQ(after.at("datasets") - before.at("datasets"), 3);
  EXPECT_EQ(after.at("openness_components") - before.at("openness_components"),
            17);
  EXPECT_EQ(after.at("record_openness") - before.at("record_openness"), 1);
  EXPECT_EQ(after.at("lineage_edges") - before.at("lineage_edges"), 2);
  EXPECT_GE(after.at("license_refs") - before.at("license_refs"), 3);
}

TEST_F(PostgresRegistryStoreTest, PublishWritesOpennessInTheRecordsOrder) {
  Publish(Model("Acme-7B", "v1.0"));  // its lineage parents
  Publish(Model("Acme-70B-Instruct", "v2"));
  const Record record = core::record::ValidRecordForTest();
  const int64_t id = Publish(record);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                       internal::Connect(dsn()));
  pqxx::read_transaction tx(*connection);
  const pqxx::result rows = tx.exec_params(
      "SELECT c.component, c.status, coalesce(c.license, '-'), "
      "coalesce(c.location, '-') FROM record_openness o, "
      "unnest(o.components, o.statuses, o.licenses, o.locations) WITH "
      "ORDINALITY AS c(component, status, license, location, n) "
      "WHERE o.record_id = $1 ORDER BY c.n",
      id);
  ASSERT_EQ(rows.size(), record.openness.components.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const core::record::OpennessComponent& want = record.openness.components[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(rows[i][0].as<std::string>(),
              core::record::ToString(want.component));
    EXPECT_EQ(rows[i][1].as<std::string>(),
              core::record::ToString(want.status));
    EXPECT_EQ(rows[i][2].as<std::string>(), want.license.value_or("-"));
    EXPECT_EQ(rows[i][3].as<std::string>(), want.location.value_or("-"));
  }
}

TEST_F(PostgresRegistryStoreTest, FailedPublishWritesNothing) {
  const int64_t parent = Publish(Model("Tiny-1B", "v1"));
  ASSERT_NE(parent, 0);
  Record record = core::record::ValidRecordForTest();
  record.lineage = {Edge(RefLocator("Tiny-1B", "v1"), Relation::kFinetune)};
  // Accepted by the store (it trusts the caller's validation) but refused
  // by a schema constraint after the record row was inserted.
  record.artifacts.files.back().name = "/etc/passwd";
  const std::map<std::string, int64_t> before = RowCounts();

  absl::StatusOr<PublishResult> result = store_->PublishRecord(Wrap(record));

  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(RowCounts(), before);
}

TEST_F(PostgresRegistryStoreTest, ConcurrentPublishesOfOneNameStoreExactlyOne) {
  constexpr int kThreads = 8;
  std::vector<NewRecord> inputs;
  for (int i = 0; i < kThreads; ++i) {
    inputs.push_back(Wrap(Model("Racy-1B", "v1")));
  }
  std::vector<absl::StatusOr<PublishResult>> results(
      kThreads, absl::UnknownError("not run"));

  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(
        [&, i] { results[i] = store_->PublishRecord(inputs[i]); });
  }
  for (std::thread& thread : threads) thread.join();

  int won = 0;
  for (const absl::StatusOr<PublishResult>& result : results) {
    if (result.ok()) {
      ++won;
      EXPECT_FALSE(result->already_existed);
    } else {
      EXPECT_THAT(result, StatusIs(absl::StatusCode::kAlreadyExists));
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(RowCounts().at("records"), 1);
}

TEST_F(PostgresRegistryStoreTest, ConcurrentPublishesOfOneRecordAllSucceed) {
  constexpr int kThreads = 8;
  const NewRecord input = Wrap(Model("Racy-1B", "v1"));
  std::vector<absl::StatusOr<PublishResult>> results(
      kThreads, absl::UnknownError("not run"));

  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = store_->PublishRecord(input); });
  }
  for (std::thread& thread : threads) thread.join();

  int created = 0;
  std::set<int64_t> ids;
  for (const absl::StatusOr<PublishResult>& result : results) {
    ASSERT_THAT(result, IsOk());
    if (!result->already_existed) ++created;
    ids.insert(result->record.id);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ids.size(), 1u);
}

// --- lookups
// ---------------------------------------------------------------------

TEST_F(PostgresRegistryStoreTest, GetRecordByRefIgnoresNameCase) {
  const int64_t id = Publish(Model("Tiny-1B", "v1"));

  ASSERT_OK_AND_ASSIGN(StoredRecord record,
                       store_->GetRecordByRef({"ACME-AI", "tiny-1b", "v1"}));

  EXPECT_EQ(record.id, id);
  EXPECT_EQ(record.ref, (ModelRef{kNamespace, "Tiny-1B", "v1"}));
}

TEST_F(PostgresRegistryStoreTest, GetRecordByRefComparesVersionExactly) {
  Publish(Model("Tiny-1B", "v1"));

  EXPECT_THAT(store_->GetRecordByRef({kNamespace, "Tiny-1B", "V1"}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PostgresRegistryStoreTest, GetRecordByRefRejectsMissingVersion) {
  EXPECT_THAT(store_->GetRecordByRef({kNamespace, "Tiny-1B", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PostgresRegistryStoreTest, GetRecordByDigestReturnsNotFoundWhenAbsent) {
  EXPECT_THAT(store_->GetRecordByDigest(Digest('z', 1)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->GetRecordByDigest("short"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PostgresRegistryStoreTest, GetLatestRecordReturnsNewestVersion) {
  Publish(Model("Tiny-1B", "v2"));
  const int64_t newest = Publish(Model("Tiny-1B", "v1"));
  Publish(Model("Tiny-1B-Chat", "v3"));

  ASSERT_OK_AND_ASSIGN(StoredRecord record,
                       store_->GetLatestRecord({kNamespace, "TINY-1B", ""}));

  EXPECT_EQ(record.id, newest);
}

TEST_F(PostgresRegistryStoreTest, GetLatestRecordReturnsNotFoundForNoRecord) {
  EXPECT_THAT(store_->GetLatestRecord({kNamespace, "Tiny-1B", ""}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PostgresRegistryStoreTest, LookupsReadSignerKeyRowsWithTheRecord) {
  ASSERT_OK(store_->AddKey(MakeKey(kNamespace, 'b')).status());
  const Record record = Model("Tiny-1B", "v1");
  const NewRecord input = Wrap(record, {KeyId('b'), KeyId('a')});
  ASSERT_OK(store_->PublishRecord(input).status());
  ASSERT_OK_AND_ASSIGN(const std::vector<KeyRow> keys,
                       store_->GetKeys({KeyId('a'), KeyId('b')}));
  ASSERT_EQ(keys.size(), 2u);

  ASSERT_OK_AND_ASSIGN(const StoredRecord by_ref,
                       store_->GetRecordByRef(record.model.ref));
  ASSERT_OK_AND_ASSIGN(const StoredRecord by_digest,
                       store_->GetRecordByDigest(input.record_digest));
  ASSERT_OK_AND_ASSIGN(const StoredRecord latest,
                       store_->GetLatestRecord(record.model.ref));
  ASSERT_OK_AND_ASSIGN(
      const std::vector<StoredRecord> by_artifact,
      store_->FindRecordsByArtifacts({record.artifacts.files[0].sha256}, 5));
  ASSERT_OK_AND_ASSIGN(
      const std::vector<StoredRecord> by_root,
      store_->FindRecordsByRootDigest(record.artifacts.root_digest, 5));

  ASSERT_EQ(by_artifact.size(), 1u);
  ASSERT_EQ(by_root.size(), 1u);
  for (const StoredRecord* stored :
       {&by_ref, &by_digest, &latest, &by_artifact[0], &by_root[0]}) {
    EXPECT_THAT(stored->signer_key_ids, ElementsAre(KeyId('a'), KeyId('b')));
    ASSERT_TRUE(stored->signer_keys.has_value());
    ASSERT_EQ(stored->signer_keys->size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      const KeyRow& row = (*stored->signer_keys)[i];
      const KeyRow& expected = keys[0].key_id == row.key_id ? keys[0] : keys[1];
      EXPECT_EQ(row.key_id, stored->signer_key_ids[i]);
      EXPECT_EQ(row.key_id, expected.key_id);
      EXPECT_EQ(row.namespace_name, expected.namespace_name);
      EXPECT_EQ(row.type, expected.type);
      EXPECT_EQ(row.spki_der, expected.spki_der);
      EXPECT_EQ(row.status, KeyStatus::kActive);
      EXPECT_EQ(row.added_at, expected.added_at);
      EXPECT_FALSE(row.revoked_at.has_value());
    }
  }
}

TEST_F(PostgresRegistryStoreTest, LookupsSeeARevocationAtOnce) {
  const NewRecord input = Wrap(Model("Tiny-1B", "v1"));
  ASSERT_OK(store_->PublishRecord(input).status());
  ASSERT_OK_AND_ASSIGN(const StoredRecord before,
                       store_->GetRecordByDigest(input.record_digest));
  Revoke(KeyId('a'));

  ASSERT_OK_AND_ASSIGN(const StoredRecord after,
                       store_->GetRecordByDigest(input.record_digest));

  ASSERT_TRUE(before.signer_keys.has_value());
  ASSERT_EQ(before.signer_keys->size(), 1u);
  EXPECT_EQ((*before.signer_keys)[0].status, KeyStatus::kActive);
  ASSERT_TRUE(after.signer_keys.has_value());
  ASSERT_EQ(after.signer_keys->size(), 1u);
  EXPECT_EQ((*after.signer_keys)[0].status, KeyStatus::kRevoked);
  EXPECT_TRUE((*after.signer_keys)[0].revoked_at.has_value());
}

TEST_F(PostgresRegistryStoreTest, SearchRecordsLeavesSignerKeyRowsUnread) {
  Publish(Model("Tiny-1B", "v1"));

  ASSERT_OK_AND_ASSIGN(const RecordPage page,
                       store_->SearchRecords(SearchFilter{}, PageRequest{}));

  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_THAT(page.records[0].signer_key_ids, ElementsAre(KeyId('a')));
  EXPECT_FALSE(page.records[0].signer_keys.has_value());
}

TEST_F(PostgresRegistryStoreTest, FindRecordsByArtifactsRanksByMatches) {
  Record one = Model("One", "v1");
  Record both = Model("Both", "v1");
  const std::string shared = Digest('s', 1);
  const std::string extra = Digest('s', 2);
  one.artifacts.files[0].sha256 = shared;
  both.artifacts.files[0].sha256 = shared;
  core::record::ArtifactFile file = both.artifacts.files[0];
  file.name = "tokenizer.json";
  file.sha256 = extra;
  both.artifacts.files.push_back(file);
  const int64_t one_id = Publish(one);
  const int64_t both_id = Publish(both);
  Publish(Model("Neither", "v1"));

  ASSERT_OK_AND_ASSIGN(
      std::vector<StoredRecord> found,
      store_->FindRecordsByArtifacts({shared, extra, shared, "bad"}, 10));
  ASSERT_OK_AND_ASSIGN(std::vector<StoredRecord> limited,
                       store_->FindRecordsByArtifacts({shared, extra}, 1));

  EXPECT_THAT(Ids(found), ElementsAre(both_id, one_id));
  EXPECT_THAT(Ids(limited), ElementsAre(both_id));
}

TEST_F(PostgresRegistryStoreTest, FindRecordsByArtifactsBreaksTiesNewestFirst) {
  Record older = Model("Older", "v1");
  Record newer = Model("Newer", "v1");
  newer.artifacts.files[0].sha256 = older.artifacts.files[0].sha256;
  const int64_t older_id = Publish(older);
  const int64_t newer_id = Publish(newer);

  ASSERT_OK_AND_ASSIGN(
      std::vector<StoredRecord> found,
      store_->FindRecordsByArtifacts({older.artifacts.files[0].sha256}, 10));

  EXPECT_THAT(Ids(found), ElementsAre(newer_id, older_id));
}

TEST_F(PostgresRegistryStoreTest, FindRecordsByArtifactsReturnsEmptyForNone) {
  Publish(Model("Tiny-1B", "v1"));

  ASSERT_OK_AND_ASSIGN(std::vector<StoredRecord> found,
                       store_->FindRecordsByArtifacts({Digest('z', 9)}, 10));

  EXPECT_THAT(found, IsEmpty());
}

TEST_F(PostgresRegistryStoreTest, FindRecordsByRootDigestNewestFirst) {
  const Record record = Model("Tiny-1B", "v1");
  Record mirror = record;
  mirror.model.ref.version = "v1-mirror";
  const int64_t first = Publish(record);
  const int64_t second = Publish(mirror);
  Publish(Model("Other", "v1"));

  ASSERT_OK_AND_ASSIGN(
      std::vector<StoredRecord> all,
      store_->FindRecordsByRootDigest(record.artifacts.root_digest, 10));
  ASSERT_OK_AND_ASSIGN(
      std::vector<StoredRecord> limited,
      store_->FindRecordsByRootDigest(record.artifacts.root_digest, 1));

  EXPECT_THAT(Ids(all), ElementsAre(second, first));
  EXPECT_THAT(Ids(limited), ElementsAre(second));
}

// --- pagination
// --------------------------------------------------------------------

TEST_F(PostgresRegistryStoreTest, ListVersionsPagesNewestFirstWithoutGaps) {
  std::vector<std::string> published;
  for (int i = 0; i < 7; ++i) {
    published.push_back(absl::StrCat("v", i));
    Publish(Model("Tiny-1B", published.back()));
  }
  Publish(Model("Other", "v0"));

  std::vector<std::string> listed;
  std::string token;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(
        VersionPage page,
        store_->ListVersions({kNamespace, "tiny-1b", ""}, {3, token}));
    for (const VersionEntry& entry : page.versions) {
      listed.push_back(entry.version);
    }
    token = page.next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);

  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed,
            std::vector<std::string>(published.rbegin(), published.rend()));
}

TEST_F(PostgresRegistryStoreTest, ListVersionsLastFullPageHasNoToken) {
  Publish(Model("Tiny-1B", "v1"));
  Publish(Model("Tiny-1B", "v2"));

  ASSERT_OK_AND_ASSIGN(
      VersionPage page,
      store_->ListVersions({kNamespace, "Tiny-1B", ""}, {2, ""}));

  EXPECT_EQ(page.versions.size(), 2u);
  EXPECT_EQ(page.next_page_token, "");
}

TEST_F(PostgresRegistryStoreTest, ListVersionsReturnsNotFoundForNoRecord) {
  EXPECT_THAT(store_->ListVersions({kNamespace, "Tiny-1B", ""}, {10, ""}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PostgresRegistryStoreTest, ListVersionsRejectsMalformedTokens) {
  Publish(Model("Tiny-1B", "v1"));

  for (const std::string& token :
       {std::string("not base64!"), core::Base64Encode("v2:1"),
        core::Base64Encode("v1:"), core::Base64Encode("v1:abc"),
        core::Base64Encode("v1:-1"), core::Base64Encode("v1:0"),
        core::Base64Encode("v1: 1"),
        core::Base64Encode("v1:99999999999999999999")}) {
    EXPECT_THAT(store_->ListVersions({kNamespace, "Tiny-1B", ""}, {10, token}),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << token;
  }
}

TEST_F(PostgresRegistryStoreTest, SearchPagesAcrossAllRecords) {
  std::vector<int64_t> published;
  for (int i = 0; i < 10; ++i) {
    published.push_back(Publish(Model(absl::StrCat("Model-", i), "v1")));
  }

  std::vector<int64_t> listed;
  std::string token;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(RecordPage page,
                         store_->SearchRecords({}, {4, token}));
    for (const StoredRecord& record : page.records) {
      listed.push_back(record.id);
    }
    token = page.next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);

  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed, std::vector<int64_t>(published.rbegin(), published.rend()));
}

TEST_F(PostgresRegistryStoreTest, SearchRejectsMalformedToken) {
  EXPECT_THAT(store_->SearchRecords({}, {10, "%%%"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PostgresRegistryStoreTest, SearchRejectsPageSizeBelowOne) {
  EXPECT_THAT(store_->SearchRecords({}, {0, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PostgresRegistryStoreTest, SearchFiltersByNamespaceIgnoringCase) {
  ASSERT_OK(store_->CreateNamespace("other").status());
  ASSERT_OK(store_->AddKey(MakeKey("other", 'b')).status());
  const int64_t mine = Publish(Model("Tiny-1B", "v1"));
  Record theirs = Model("Tiny-1B", "v1");
  theirs.model.ref.namespace_name = "other";
  ASSERT_OK(store_->PublishRecord(Wrap(theirs, {KeyId('b')})).status());

  SearchFilter filter;
  filter.namespace_name = "ACME-AI";

  EXPECT_THAT(SearchAll(filter), ElementsAre(mine));
}

TEST_F(PostgresRegistryStoreTest, SearchFiltersByNamePrefixLiterally) {
  const int64_t match = Publish(Model("Tiny_1B", "v1"));
  const int64_t match_too = Publish(Model("tiny_1b-chat", "v1"));
  Publish(Model("TinyX1B", "v1"));
  Publish(Model("Big-1B", "v1"));

  SearchFilter filter;
  filter.name_prefix = "TINY_";

  EXPECT_THAT(SearchAll(filter), ElementsAre(match_too, match));
}

TEST_F(PostgresRegistryStoreTest, SearchFiltersByDeclaredLicenseId) {
  Record gpl = Model("Gpl", "v1");
  gpl.licenses.code = "GPL-3.0-or-later OR MIT";
  const int64_t gpl_id = Publish(gpl);
  Record ref = Model("Custom", "v1");
  ref.licenses.weights = "LicenseRef-acme-use-policy";
  const int64_t ref_id = Publish(ref);
  Publish(Model("Plain", "v1"));

  SearchFilter by_spdx;
  by_spdx.license_id = "GPL-3.0-or-later";
  SearchFilter by_ref;
  by_ref.license_id = "LicenseRef-acme-use-policy";

  EXPECT_THAT(SearchAll(by_spdx), ElementsAre(gpl_id));
  EXPECT_THAT(SearchAll(by_ref), ElementsAre(ref_id));
}

// SPDX matches license ids ignoring case, and so does the judgment: a record
// declaring a LicenseRef in another letter case is still found.
TEST_F(PostgresRegistryStoreTest, SearchLicenseFilterIgnoresLetterCase) {
  Record lower = Model("Lower", "v1");
  lower.licenses.weights = "LicenseRef-llama-3.1-community";
  const int64_t lower_id = Publish(lower);
  Record canonical = Model("Canonical", "v1");
  canonical.licenses.weights = "LicenseRef-Llama-3.1-Community";
  const int64_t canonical_id = Publish(canonical);
  Publish(Model("Other", "v1"));

  SearchFilter filter;
  filter.license_id = "LicenseRef-Llama-3.1-Community";

  EXPECT_THAT(SearchAll(filter), UnorderedElementsAre(lower_id, canonical_id));
}

TEST_F(PostgresRegistryStoreTest, SearchLicenseFilterIsNotAPrefixMatch) {
  Record near = Model("Near", "v1");
  near.licenses.weights = "LicenseRef-Llama-3.1-Community-Extra";
  Publish(near);

  SearchFilter filter;
  filter.license_id = "LicenseRef-Llama-3.1-Community";

  EXPECT_THAT(SearchAll(filter), IsEmpty());
}

TEST_F(PostgresRegistryStoreTest, SearchLicenseFilterIgnoresComponentLicenses) {
  Record record = Model("Tiny-1B", "v1");
  core::record::OpennessComponent* card = core::record::FindComponent(
      &record, core::record::MofComponent::kModelCard);
  card->status = core::record::ComponentStatus::kPublished;
  card->license = "CC-BY-4.0";
  card->location = "https://example.com/card";
  Publish(record);

  SearchFilter filter;
  filter.license_id = "CC-BY-4.0";

  EXPECT_THAT(SearchAll(filter), IsEmpty());
}

TEST_F(PostgresRegistryStoreTest, SearchFiltersByDeclaredOpenness) {
  Record open = Model("Open", "v1");
  open.openness.claim = OpennessClaim::kOpenWeight;
  const int64_t open_id = Publish(open);
  Publish(Model("Unspecified", "v1"));

  SearchFilter filter;
  filter.declared_openness = OpennessClaim::kOpenWeight;

  EXPECT_THAT(SearchAll(filter), ElementsAre(open_id));
}

TEST_F(PostgresRegistryStoreTest, SearchFiltersByDatasetName) {
  Publish(Model("Acme-7B", "v1.0"));
  Publish(Model("Acme-70B-Instruct", "v2"));
  const int64_t with = Publish(core::record::ValidRecordForTest());

  SearchFilter match;
  match.dataset_name = "FineWeb";
  SearchFilter other_case;
  other_case.dataset_name = "fineweb";

  EXPECT_THAT(SearchAll(match), ElementsAre(with));
  EXPECT_THAT(SearchAll(other_case), IsEmpty());
}

TEST_F(PostgresRegistryStoreTest, SearchFiltersByParentAndRelation) {
  const int64_t base = Publish(Model("Base", "v1"));
  Record tuned = Model("Tuned", "v1");
  tuned.lineage = {Edge(RefLocator("Base", "v1"), Relation::kFinetune)};
  const int64_t tuned_id = Publish(tuned);
  Record quantized = Model("Quantized", "v1");
  quantized.lineage = {Edge(RefLocator("Base", "v1"), Relation::kQuantized)};
  const int64_t quantized_id = Publish(quantized);

  SearchFilter children;
  children.parent_record_id = base;
  SearchFilter finetunes = children;
  finetunes.relation = Relation::kFinetune;

  EXPECT_THAT(SearchAll(children), ElementsAre(quantized_id, tuned_id));
  EXPECT_THAT(SearchAll(finetunes), ElementsAre(tuned_id));
}

TEST_F(PostgresRegistryStoreTest, SearchRejectsRelationWithoutParent) {
  SearchFilter filter;
  filter.relation = Relation::kFinetune;

  EXPECT_THAT(store_->SearchRecords(filter, {10, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PostgresRegistryStoreTest, SearchCombinesFiltersWithAnd) {
  Record open = Model("Tiny-Open", "v1");
  open.openness.claim = OpennessClaim::kOpenWeight;
  const int64_t open_id = Publish(open);
  Record other = Model("Big-Open", "v1");
  other.openness.claim = OpennessClaim::kOpenWeight;
  Publish(other);
  Publish(Model("Tiny-Closed", "v1"));

  SearchFilter filter;
  filter.name_prefix = "tiny";
  filter.declared_openness = OpennessClaim::kOpenWeight;

  EXPECT_THAT(SearchAll(filter), ElementsAre(open_id));
}

// --- lineage
// ---------------------------------------------------------------------

// A is the grandparent; B finetunes A, C quantizes A; D merges B and C.
class LineageTest : public PostgresRegistryStoreTest {
 protected:
  void SetUp() override {
    PostgresRegistryStoreTest::SetUp();
    if (HasFatalFailure()) return;
    a_ = Publish(Model("A", "v1"));
    Record b = Model("B", "v1");
    b.lineage = {Edge(RefLocator("A", "v1"), Relation::kFinetune)};
    b_ = Publish(b);
    Record c = Model("C", "v1");
    c.lineage = {Edge(RefLocator("A", "v1"), Relation::kQuantized)};
    c_ = Publish(c);
    Record d = Model("D", "v1");
    d.lineage = {Edge(RefLocator("B", "v1"), Relation::kMerge),
                 Edge(RefLocator("C", "v1"), Relation::kMerge)};
    d_ = Publish(d);
  }

  int64_t a_ = 0, b_ = 0, c_ = 0, d_ = 0;
};

TEST_F(LineageTest, AncestorsOfDiamondListSharedAncestorOnce) {
  ASSERT_OK_AND_ASSIGN(LineageGraph graph, store_->GetLineage(Ancestors(d_)));

  ASSERT_EQ(graph.nodes.size(), 4u);
  EXPECT_EQ(graph.nodes[0].record.id, d_);
  EXPECT_EQ(Distances(graph),
            (std::map<int64_t, int>{{a_, 2}, {b_, 1}, {c_, 1}, {d_, 0}}));
  EXPECT_THAT(graph.edges,
              UnorderedElementsAre(EdgeIs(b_, a_, Relation::kFinetune),
                                   EdgeIs(c_, a_, Relation::kQuantized),
                                   EdgeIs(d_, b_, Relation::kMerge),
                                   EdgeIs(d_, c_, Relation::kMerge)));
}

TEST_F(LineageTest, DescendantsOfDiamondHaveNegativeDistances) {
  LineageQuery query;
  query.start_record_id = a_;
  query.direction = LineageDirection::kDescendants;

  ASSERT_OK_AND_ASSIGN(LineageGraph graph, store_->GetLineage(query));

  EXPECT_EQ(graph.nodes[0].record.id, a_);
  EXPECT_EQ(Distances(graph),
            (std::map<int64_t, int>{{a_, 0}, {b_, -1}, {c_, -1}, {d_, -2}}));
  EXPECT_EQ(graph.edges.size(), 4u);
}

TEST_F(LineageTest, BothDirectionsExcludeSiblings) {
  LineageQuery query;
  query.start_record_id = b_;
  query.direction = LineageDirection::kBoth;

  ASSERT_OK_AND_ASSIGN(LineageGraph graph, store_->GetLineage(query));

  EXPECT_EQ(Distances(graph),
            (std::map<int64_t, int>{{a_, 1}, {b_, 0}, {d_, -1}}));
  EXPECT_THAT(graph.edges,
              UnorderedElementsAre(EdgeIs(b_, a_, Relation::kFinetune),
                                   EdgeIs(d_, b_, Relation::kMerge)));
}

TEST_F(LineageTest, RelationFilterFollowsOnlyThoseEdges) {
  LineageQuery query;
  query.start_record_id = d_;
  query.relations = {Relation::kMerge, Relation::kFinetune};

  ASSERT_OK_AND_ASSIGN(LineageGraph graph, store_->GetLineage(query));

  EXPECT_EQ(Distances(graph),
            (std::map<int64_t, int>{{a_, 2}, {b_, 1}, {c_, 1}, {d_, 0}}));
  EXPECT_THAT(graph.edges,
              UnorderedElementsAre(EdgeIs(b_, a_, Relation::kFinetune),
                                   EdgeIs(d_, b_, Relation::kMerge),
                                   EdgeIs(d_, c_, Relation::kMerge)));
}

TEST_F(LineageTest, RelationFilterWithoutMatchesReturnsStartOnly) {
  LineageQuery query;
  query.start_record_id = d_;
  query.relations = {Relation::kFinetune};

  ASSERT_OK_AND_ASSIGN(LineageGraph graph, store_->GetLineage(query));

  EXPECT_EQ(Distances(graph), (std::map<int64_t, int>{{d_, 0}}));
  EXPECT_THAT(graph.edges, IsEmpty());
}

TEST_F(LineageTest, ShortestDistanceWinsOverLongerPath) {
  Record e = Model("E", "v1");
  e.lineage = {Edge(RefLocator("D", "v1"), Relation::kFinetune),
               Edge(RefLocator("A", "v1"), Relation::kDistillation)};
  const int64_t e_id = Publish(e);

  ASSERT_OK_AND_ASSIGN(LineageGraph graph, store_->GetLineage(Ancestors(e_id)));

  EXPECT_EQ(
      Distances(graph),
      (std::map<int64_t, int>{{a_, 1}, {b_, 2}, {c_, 2}, {d_, 1}, {e_id, 0}}));
  EXPECT_EQ(graph.edges.size(), 6u);
}

TEST_F(LineageTest, MaxDepthBoundsTheWalk) {
  LineageQuery query;
  query.start_record_id = d_;
  query.max_depth = 1;

  ASSERT_OK_AND_ASSIGN(LineageGraph graph, store_->GetLineage(query));

  EXPECT_EQ(Distances(graph),
            (std::map<int64_t, int>{{b_, 1}, {c_, 1}, {d_, 0}}));
  EXPECT_EQ(graph.edges.size(), 2u);
}

TEST_F(LineageTest, RejectsMaxDepthBelowOne) {
  LineageQuery query;
  query.start_record_id = d_;
  query.max_depth = 0;

  EXPECT_THAT(store_->GetLineage(query),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LineageTest, ReturnsNotFoundForUnknownStart) {
  EXPECT_THAT(store_->GetLineage(Ancestors(d_ + 1000)),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PostgresRegistryStoreTest, DeepChainIsBoundedByMaxDepth) {
  constexpr int kLength = 200;
  std::vector<int64_t> chain = {Publish(Model("Chain", "v0"))};
  for (int i = 1; i < kLength; ++i) {
    Record record = Model("Chain", absl::StrCat("v", i));
    record.lineage = {Edge(RefLocator("Chain", absl::StrCat("v", i - 1)),
                           Relation::kFinetune)};
    chain.push_back(Publish(record));
  }
  LineageQuery bounded;
  bounded.start_record_id = chain.back();
  bounded.max_depth = 16;
  LineageQuery whole = bounded;
  whole.max_depth = 1000;
  LineageQuery down;
  down.start_record_id = chain.front();
  down.direction = LineageDirection::kDescendants;
  down.max_depth = 1000;

  ASSERT_OK_AND_ASSIGN(LineageGraph short_walk, store_->GetLineage(bounded));
  ASSERT_OK_AND_ASSIGN(LineageGraph long_walk, store_->GetLineage(whole));
  ASSERT_OK_AND_ASSIGN(LineageGraph down_walk, store_->GetLineage(down));

  ASSERT_EQ(short_walk.nodes.size(), 17u);
  for (int i = 0; i <= 16; ++i) {
    EXPECT_EQ(short_walk.nodes[i].record.id, chain[kLength - 1 - i]);
    EXPECT_EQ(short_walk.nodes[i].distance, i);
  }
  EXPECT_EQ(short_walk.edges.size(), 16u);
  EXPECT_EQ(long_walk.nodes.size(), static_cast<size_t>(kLength));
  EXPECT_EQ(long_walk.nodes.back().distance, kLength - 1);
  EXPECT_EQ(long_walk.edges.size(), static_cast<size_t>(kLength - 1));
  EXPECT_EQ(down_walk.nodes.size(), static_cast<size_t>(kLength));
  EXPECT_EQ(down_walk.nodes.back().distance, -(kLength - 1));
}

}  // namespace
}  // namespace pedigree::server::storage
