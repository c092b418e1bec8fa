// The transparency log of PostgresRegistryStore against a real PostgreSQL
// (label pg). Every check is made the way a client makes it: checkpoints are
// opened with the pinned log key (core::note::OpenCheckpoint), leaf hashes
// are recomputed from the bytes the test itself sent (core/record/log_entry.h)
// and proofs are checked with core::merkle::VerifyInclusion /
// VerifyConsistency; nothing the server says about itself is taken on trust.
//
// Covered: the empty log, sequencing of keys and records, idempotent
// re-publish, group commit under concurrency (with refused and
// batch-breaking writes mixed in), two stores on one database, refusing a
// database of another log, the proof and entry reads with their errors,
// tamper detection, and the backfill of migration 0002.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/crypto/sha256.h"
#include "core/dsse/envelope.h"
#include "core/merkle/tree.h"
#include "core/merkle/verify.h"
#include "core/note/checkpoint.h"
#include "core/note/note.h"
#include "core/record/log_entry.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/record/record_test_util.h"
#include "core/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "server/log/log_key.h"
#include "server/storage/connection_pool.h"
#include "server/storage/embedded_migrations.h"
#include "server/storage/internal/pqxx_status.h"
#include "server/storage/migrator.h"
#include "server/storage/postgres_registry_store.h"
#include "server/storage/registry_store.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_log_signer.h"

namespace pedigree::server::storage {
namespace {

using core::note::Checkpoint;
using core::note::NoteVerifier;
using core::record::KeyLogEntry;
using core::record::ModelRef;
using core::record::Record;
using core::record::RecordLogEntry;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::kTestLogOrigin;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kNamespace[] = "acme-ai";
constexpr int kPoolSize = 8;

MATCHER_P(IsOkAndHolds, inner, "is OK with a value that matches") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(inner, *arg, result_listener);
}

// A 32-byte value unique to (`tag`, `n`).
std::string Digest(char tag, uint64_t n) {
  std::string digest(32, tag);
  for (int i = 0; i < 8; ++i) digest[i] = static_cast<char>(n >> (8 * i));
  return digest;
}

// A key row of `namespace_name` whose id and SPKI are unique to `n`.
KeyRow MakeKey(const std::string& namespace_name, uint64_t n) {
  KeyRow key;
  key.key_id = absl::StrFormat("%032x", n + 0xa000);
  key.namespace_name = namespace_name;
  key.type = core::crypto::KeyType::kEd25519;
  key.spki_der = absl::StrCat("spki-", n);
  return key;
}

// The log entry a client rebuilds from a key it registered.
std::string EntryOf(const KeyRow& key) {
  return KeyLogEntry(key.namespace_name, key.key_id,
                     core::crypto::FormatKeyType(key.type), key.spki_der);
}

// The log entry a client rebuilds from the envelope it published.
std::string EntryOf(const NewRecord& record) {
  return RecordLogEntry(record.envelope);
}

// Runs fn(0) .. fn(n - 1) on n threads at once and joins them.
void RunConcurrently(int n, const std::function<void(int)>& fn) {
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) threads.emplace_back(fn, i);
  for (std::thread& thread : threads) thread.join();
}

class LogStoreTest : public ::pedigree::testing::PgTest {
 protected:
  // Where a test's log lives: a fresh migrated database (the default), a
  // fresh database without the schema, or a database the suite shares
  // (set up by the subclass).
  enum class Database { kFresh, kUnmigrated, kShared };

  explicit LogStoreTest(Database database = Database::kFresh)
      : PgTest(database == Database::kFresh), database_(database) {}

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(NoteVerifier verifier, NoteVerifier::FromVerifierKey(
                                                    signer_->verifier_key()));
    verifier_.emplace(std::move(verifier));
    if (database_ == Database::kShared) return;
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    if (database_ == Database::kUnmigrated) return;
    ASSERT_NO_FATAL_FAILURE(OpenStore());
  }

  void TearDown() override {
    owned_store_.reset();
    pool_.reset();
    PgTest::TearDown();
  }

  void OpenStore() {
    ASSERT_OK_AND_ASSIGN(pool_, ConnectionPool::Create({dsn(), kPoolSize}));
    ASSERT_OK_AND_ASSIGN(owned_store_, Open(*pool_, *signer_));
    store_ = owned_store_.get();
  }

  static absl::StatusOr<std::unique_ptr<PostgresRegistryStore>> Open(
      ConnectionPool& pool, const CheckpointSigner& signer) {
    PostgresRegistryStore::Options options;
    options.log_signer = &signer;
    return PostgresRegistryStore::Open(pool, options);
  }

  // --- client-side verification: only the pinned key and core primitives

  // Opens `row`'s note with the pinned log key; FailedPrecondition if the
  // row's size or root disagree with what the signed note says.
  absl::StatusOr<Checkpoint> Verified(const LogCheckpointRow& row) const {
    PEDIGREE_ASSIGN_OR_RETURN(
        Checkpoint checkpoint,
        core::note::OpenCheckpoint(row.note, *verifier_, kTestLogOrigin));
    if (checkpoint.size != row.tree_size ||
        checkpoint.root_hash != row.root_hash) {
      return absl::FailedPreconditionError(
          absl::StrCat("checkpoint row of size ", row.tree_size,
                       " disagrees with its signed note"));
    }
    return checkpoint;
  }

  // OK only if `proof` proves the entry bytes `entry` at proof.log_index in
  // the tree `checkpoint` signed.
  absl::Status VerifyIncluded(absl::string_view entry,
                              const InclusionProofRow& proof,
                              const LogCheckpointRow& checkpoint) const {
    PEDIGREE_ASSIGN_OR_RETURN(const Checkpoint signed_head,
                              Verified(checkpoint));
    if (proof.tree_size != signed_head.size) {
      return absl::FailedPreconditionError(
          absl::StrCat("proof is for tree size ", proof.tree_size,
                       ", checkpoint for ", signed_head.size));
    }
    PEDIGREE_ASSIGN_OR_RETURN(const std::string leaf,
                              core::merkle::HashLeaf(entry));
    if (leaf != proof.leaf_hash) {
      return absl::FailedPreconditionError(
          absl::StrCat("leaf hash of entry ", proof.log_index,
                       " differs from the one the client computed"));
    }
    return core::merkle::VerifyInclusion(proof.log_index, signed_head.size,
                                         leaf, proof.hashes,
                                         signed_head.root_hash);
  }

  // OK only if the store proves `older` a prefix of `newer` (both opened).
  absl::Status VerifyConsistent(const LogCheckpointRow& older,
                                const LogCheckpointRow& newer) {
    PEDIGREE_ASSIGN_OR_RETURN(const Checkpoint first, Verified(older));
    PEDIGREE_ASSIGN_OR_RETURN(const Checkpoint second, Verified(newer));
    PEDIGREE_ASSIGN_OR_RETURN(
        const std::vector<std::string> proof,
        store_->GetConsistencyProof(first.size, second.size));
    return core::merkle::VerifyConsistency(first.size, second.size, proof,
                                           first.root_hash, second.root_hash);
  }

  // Every integrated entry, read in pages; ADD_FAILURE on error.
  std::vector<LogEntryRow> AllEntries() {
    std::vector<LogEntryRow> all;
    while (true) {
      absl::StatusOr<std::vector<LogEntryRow>> page =
          store_->GetLogEntries(all.size(), 1024);
      EXPECT_THAT(page.status(), IsOk());
      if (!page.ok() || page->empty()) return all;
      for (LogEntryRow& entry : *page) all.push_back(std::move(entry));
    }
  }

  // The root a client computes from `entries` (which must be 0, 1, ...).
  static absl::StatusOr<std::string> RebuildRoot(
      const std::vector<LogEntryRow>& entries) {
    core::merkle::TreeAppender tree;
    for (const LogEntryRow& entry : entries) {
      if (entry.log_index != tree.size()) {
        return absl::FailedPreconditionError(
            absl::StrCat("entry ", entry.log_index, " where ", tree.size(),
                         " was expected"));
      }
      PEDIGREE_ASSIGN_OR_RETURN(const std::string leaf,
                                core::merkle::HashLeaf(entry.data));
      PEDIGREE_RETURN_IF_ERROR(tree.Append(leaf).status());
    }
    return tree.RootHash();
  }

  // Checks that the whole log, rebuilt by a client from GetLogEntries, has
  // the root of the newest (verified) checkpoint of `expected_size`.
  void ExpectLogRebuildsTo(uint64_t expected_size) {
    ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                         store_->GetLatestCheckpoint());
    ASSERT_OK_AND_ASSIGN(const Checkpoint signed_head, Verified(latest));
    EXPECT_EQ(signed_head.size, expected_size);
    const std::vector<LogEntryRow> entries = AllEntries();
    ASSERT_EQ(entries.size(), expected_size);
    ASSERT_OK_AND_ASSIGN(const std::string root, RebuildRoot(entries));
    EXPECT_EQ(root, signed_head.root_hash);
  }

  // --- arranging

  // Creates kNamespace and registers key 0 to it (log entry 0).
  void CreateNamespaceAndKey() {
    ASSERT_OK(store_->CreateNamespace(kNamespace).status());
    ASSERT_OK_AND_ASSIGN(const KeyRow key,
                         store_->AddKey(MakeKey(kNamespace, 0)));
    ASSERT_EQ(key.log_index, std::optional<uint64_t>(0));
  }

  // A record kNamespace/`name`@`version`, as the service would hand it over
  // signed by key `signer`; its envelope, digests and file are unique.
  NewRecord MakeRecord(const std::string& name,
                       const std::string& version = "v1", uint64_t signer = 0) {
    const uint64_t n = ++counter_;
    NewRecord out;
    out.record = core::record::MinimalRecordForTest();
    out.record.model.ref = ModelRef{kNamespace, name, version};
    out.record.artifacts.files[0].sha256 = Digest('f', n);
    core::record::RecomputeRootDigest(&out.record);
    out.envelope = absl::StrCat(
        "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"", n,
        "\",\"signatures\":[]}");
    out.record_digest = Digest('d', n);
    out.signer_key_ids = {MakeKey(kNamespace, signer).key_id};
    return out;
  }

  // Writes kNamespace with key 0, then keys (every third index) and records
  // one at a time up to `size` entries, so that every size 0..`size` is
  // signed; appends each entry's bytes, as the client sent them, to `sent`.
  void WriteSequentialLog(uint64_t size, std::vector<std::string>* sent) {
    ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
    sent->push_back(EntryOf(MakeKey(kNamespace, 0)));
    for (uint64_t i = 1; i < size; ++i) {
      if (i % 3 == 0) {
        const KeyRow key = MakeKey(kNamespace, i);
        ASSERT_OK(store_->AddKey(key).status());
        sent->push_back(EntryOf(key));
      } else {
        const NewRecord record = MakeRecord(absl::StrCat("Model-", i));
        ASSERT_EQ(PublishVerified(record), i);
        sent->push_back(EntryOf(record));
      }
    }
  }

  // Publishes `record`, checks its proof against its checkpoint and returns
  // its log index (0 after a failure).
  uint64_t PublishVerified(const NewRecord& record) {
    absl::StatusOr<PublishResult> result = store_->PublishRecord(record);
    EXPECT_THAT(result.status(), IsOk());
    if (!result.ok()) return 0;
    EXPECT_THAT(
        VerifyIncluded(EntryOf(record), result->inclusion, result->checkpoint),
        IsOk());
    return result->inclusion.log_index;
  }

  void Sql(const std::string& sql) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                         internal::Connect(dsn()));
    pqxx::work tx(*connection);
    tx.exec(sql);
    tx.commit();
  }

  int64_t Count(const std::string& table) {
    absl::StatusOr<std::unique_ptr<pqxx::connection>> connection =
        internal::Connect(dsn());
    EXPECT_THAT(connection.status(), IsOk());
    if (!connection.ok()) return -1;
    pqxx::nontransaction tx(**connection);
    return tx.exec1(absl::StrCat("SELECT count(*) FROM ", table))[0]
        .as<int64_t>();
  }

  std::map<std::string, int64_t> LogRowCounts() {
    std::map<std::string, int64_t> counts;
    for (const char* table :
         {"records", "keys", "log_entries", "log_nodes", "log_checkpoints"}) {
      counts[table] = Count(table);
    }
    return counts;
  }

  const Database database_;
  std::unique_ptr<CheckpointSigner> signer_ =
      ::pedigree::testing::TestLogSigner();
  // The key a client pins: built from the signer's published verifier key.
  std::optional<NoteVerifier> verifier_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<PostgresRegistryStore> owned_store_;
  PostgresRegistryStore* store_ = nullptr;  // owned_store_ or the suite's
  uint64_t counter_ = 0;
};

// ------------------------------------------------------------ the empty log

TEST_F(LogStoreTest, EmptyLogHasSignedCheckpointOfSizeZero) {
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                       store_->GetLatestCheckpoint());

  ASSERT_OK_AND_ASSIGN(const Checkpoint signed_head, Verified(latest));
  EXPECT_EQ(signed_head.size, 0u);
  EXPECT_EQ(signed_head.root_hash, core::merkle::EmptyTreeRoot());
  EXPECT_EQ(signed_head.origin, kTestLogOrigin);
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow at_zero,
                       store_->GetCheckpoint(0));
  EXPECT_EQ(at_zero.note, latest.note);
  EXPECT_THAT(store_->GetLogEntries(0, 10), IsOkAndHolds(IsEmpty()));
}

TEST_F(LogStoreTest, ReopeningKeepsTheLogAndItsCheckpoint) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow before,
                       store_->GetLatestCheckpoint());
  const std::map<std::string, int64_t> counts = LogRowCounts();

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresRegistryStore> reopened,
                       Open(*pool_, *signer_));

  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow after,
                       reopened->GetLatestCheckpoint());
  EXPECT_EQ(after.tree_size, 1u);
  EXPECT_EQ(after.note, before.note);
  EXPECT_EQ(LogRowCounts(), counts);
}

TEST_F(LogStoreTest, OpenRequiresASigner) {
  EXPECT_THAT(PostgresRegistryStore::Open(*pool_, {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// ---------------------------------------------------------------- sequencing

TEST_F(LogStoreTest, AddKeyIsProvenAsItsKeyLogEntry) {
  ASSERT_OK(store_->CreateNamespace(kNamespace).status());
  const KeyRow key = MakeKey(kNamespace, 7);

  ASSERT_OK_AND_ASSIGN(const KeyRow added, store_->AddKey(key));

  ASSERT_EQ(added.log_index, std::optional<uint64_t>(0));
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                       store_->GetLatestCheckpoint());
  EXPECT_EQ(latest.tree_size, 1u);
  ASSERT_OK_AND_ASSIGN(const InclusionProofRow proof,
                       store_->GetInclusionProof(0, latest.tree_size));
  EXPECT_THAT(VerifyIncluded(EntryOf(key), proof, latest), IsOk());
  ASSERT_OK_AND_ASSIGN(const std::vector<KeyRow> listed,
                       store_->ListKeys(kNamespace));
  ASSERT_THAT(listed, SizeIs(1));
  EXPECT_EQ(listed[0].log_index, std::optional<uint64_t>(0));
}

TEST_F(LogStoreTest, PublishIsProvenInTheCheckpointItReturns) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  const NewRecord record = MakeRecord("Tiny-1B");

  ASSERT_OK_AND_ASSIGN(const PublishResult result,
                       store_->PublishRecord(record));

  EXPECT_FALSE(result.already_existed);
  EXPECT_EQ(result.inclusion.log_index, 1u);
  EXPECT_EQ(result.record.log_index, std::optional<uint64_t>(1));
  EXPECT_EQ(result.checkpoint.tree_size, 2u);
  ASSERT_OK_AND_ASSIGN(const std::string leaf,
                       core::merkle::HashLeaf(RecordLogEntry(record.envelope)));
  EXPECT_EQ(result.inclusion.leaf_hash, leaf);
  EXPECT_THAT(
      VerifyIncluded(EntryOf(record), result.inclusion, result.checkpoint),
      IsOk());
  ASSERT_OK_AND_ASSIGN(const StoredRecord stored,
                       store_->GetRecordByDigest(record.record_digest));
  EXPECT_EQ(stored.log_index, std::optional<uint64_t>(1));
}

TEST_F(LogStoreTest, ClientRefusesOtherBytesAndOtherLogKeys) {
  // Guards the helpers themselves: a proof must not verify for an entry the
  // client did not send, nor against a head the pinned key did not sign.
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  const NewRecord record = MakeRecord("Tiny-1B");
  ASSERT_OK_AND_ASSIGN(const PublishResult result,
                       store_->PublishRecord(record));
  InclusionProofRow forged = result.inclusion;
  ASSERT_OK_AND_ASSIGN(forged.leaf_hash,
                       core::merkle::HashLeaf(RecordLogEntry("{}")));
  const std::unique_ptr<CheckpointSigner> other =
      ::pedigree::testing::TestLogSigner('M');
  LogCheckpointRow foreign = result.checkpoint;
  ASSERT_OK_AND_ASSIGN(foreign.note,
                       other->Sign(foreign.tree_size, foreign.root_hash));

  EXPECT_THAT(VerifyIncluded(RecordLogEntry("{}"), forged, result.checkpoint),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("proof does not verify")));
  EXPECT_THAT(VerifyIncluded(EntryOf(record), result.inclusion, foreign),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(LogStoreTest, KeysAndRecordsGetConsecutiveIndexesInOrder) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  std::vector<uint64_t> indexes;

  for (int i = 1; i <= 6; ++i) {
    if (i % 2 == 0) {
      const KeyRow key = MakeKey(kNamespace, i);
      ASSERT_OK_AND_ASSIGN(const KeyRow added, store_->AddKey(key));
      ASSERT_TRUE(added.log_index.has_value());
      indexes.push_back(*added.log_index);
    } else {
      indexes.push_back(PublishVerified(MakeRecord(absl::StrCat("M", i))));
    }
  }

  EXPECT_THAT(indexes, ElementsAre(1, 2, 3, 4, 5, 6));
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(7));
}

TEST_F(LogStoreTest, RepublishReturnsSameIndexProvenInNewestCheckpoint) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  const NewRecord first = MakeRecord("First");
  ASSERT_OK_AND_ASSIGN(const PublishResult original,
                       store_->PublishRecord(first));
  ASSERT_EQ(PublishVerified(MakeRecord("Second")), 2u);
  const int64_t checkpoints = Count("log_checkpoints");

  ASSERT_OK_AND_ASSIGN(const PublishResult again, store_->PublishRecord(first));

  EXPECT_TRUE(again.already_existed);
  EXPECT_EQ(again.record.id, original.record.id);
  EXPECT_EQ(again.record.log_index, std::optional<uint64_t>(1));
  EXPECT_EQ(again.inclusion.log_index, 1u);
  EXPECT_EQ(again.checkpoint.tree_size, 3u);
  EXPECT_THAT(VerifyIncluded(EntryOf(first), again.inclusion, again.checkpoint),
              IsOk());
  EXPECT_THAT(VerifyConsistent(original.checkpoint, again.checkpoint), IsOk());
  EXPECT_EQ(Count("log_checkpoints"), checkpoints);
}

TEST_F(LogStoreTest, ConcurrentIdenticalPublishesShareOneEntry) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  const NewRecord record = MakeRecord("Same");
  constexpr int kThreads = 8;
  std::vector<absl::StatusOr<PublishResult>> results(
      kThreads, absl::UnknownError("not run"));

  RunConcurrently(kThreads,
                  [&](int t) { results[t] = store_->PublishRecord(record); });

  int fresh = 0;
  for (const absl::StatusOr<PublishResult>& result : results) {
    ASSERT_THAT(result.status(), IsOk());
    if (!result->already_existed) ++fresh;
    EXPECT_EQ(result->inclusion.log_index, 1u);
    EXPECT_THAT(
        VerifyIncluded(EntryOf(record), result->inclusion, result->checkpoint),
        IsOk());
  }
  EXPECT_EQ(fresh, 1);
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(2));
}

// -------------------------------------------------------------- concurrency

// What one concurrent write returned, for the checks after the threads.
struct Ack {
  std::string entry;  // the bytes the client sent, as a log entry
  InclusionProofRow proof;
  LogCheckpointRow checkpoint;
};

TEST_F(LogStoreTest, ConcurrentWritesFormGapFreeBatchesWithValidProofs) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  constexpr int kThreads = 16;
  constexpr int kPublishes = 12;
  std::vector<NewRecord> records;
  for (int i = 0; i < kThreads * kPublishes; ++i) {
    records.push_back(MakeRecord(absl::StrCat("Model-", i)));
  }
  std::vector<KeyRow> keys;
  for (int t = 0; t < kThreads; ++t) keys.push_back(MakeKey(kNamespace, t + 1));
  std::vector<absl::StatusOr<PublishResult>> published(
      records.size(), absl::UnknownError("not run"));
  std::vector<absl::StatusOr<KeyRow>> added(kThreads,
                                            absl::UnknownError("not run"));

  RunConcurrently(kThreads, [&](int t) {
    for (int j = 0; j < kPublishes; ++j) {
      if (j == kPublishes / 2) added[t] = store_->AddKey(keys[t]);
      const int i = t * kPublishes + j;
      published[i] = store_->PublishRecord(records[i]);
    }
  });

  const uint64_t total = 1 + kThreads + kThreads * kPublishes;
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                       store_->GetLatestCheckpoint());
  std::map<uint64_t, std::string> entry_at;  // what each client sent
  std::vector<LogCheckpointRow> checkpoints = {latest};
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_THAT(published[i].status(), IsOk()) << "publish " << i;
    const PublishResult& result = *published[i];
    EXPECT_EQ(result.record.log_index,
              std::optional<uint64_t>(result.inclusion.log_index));
    EXPECT_TRUE(
        entry_at.emplace(result.inclusion.log_index, EntryOf(records[i]))
            .second)
        << "index " << result.inclusion.log_index << " given twice";
    EXPECT_THAT(VerifyIncluded(EntryOf(records[i]), result.inclusion,
                               result.checkpoint),
                IsOk())
        << "publish " << i;
    checkpoints.push_back(result.checkpoint);
  }
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_THAT(added[t].status(), IsOk()) << "key " << t;
    ASSERT_TRUE(added[t]->log_index.has_value());
    EXPECT_TRUE(entry_at.emplace(*added[t]->log_index, EntryOf(keys[t])).second)
        << "index " << *added[t]->log_index << " given twice";
    ASSERT_OK_AND_ASSIGN(
        const InclusionProofRow proof,
        store_->GetInclusionProof(*added[t]->log_index, latest.tree_size));
    EXPECT_THAT(VerifyIncluded(EntryOf(keys[t]), proof, latest), IsOk());
  }
  entry_at.emplace(0, EntryOf(MakeKey(kNamespace, 0)));
  // Distinct indexes, all below `total`, as many as entries: exactly
  // [0, total).
  EXPECT_EQ(entry_at.size(), total);
  EXPECT_EQ(entry_at.rbegin()->first, total - 1);
  EXPECT_EQ(latest.tree_size, total);
  const std::vector<LogEntryRow> entries = AllEntries();
  ASSERT_EQ(entries.size(), total);
  for (const LogEntryRow& entry : entries) {
    EXPECT_EQ(entry.data, entry_at[entry.log_index]) << entry.log_index;
  }
  ASSERT_OK_AND_ASSIGN(const Checkpoint signed_head, Verified(latest));
  EXPECT_THAT(RebuildRoot(entries), IsOkAndHolds(signed_head.root_hash));
  // Batches formed: fewer checkpoints (the empty log's included) than
  // entries.
  const int64_t checkpoint_rows = Count("log_checkpoints");
  EXPECT_LT(checkpoint_rows, static_cast<int64_t>(total));
  // Every pair of returned checkpoints is consistent, and every size has one
  // note.
  std::map<uint64_t, LogCheckpointRow> by_size;
  for (const LogCheckpointRow& checkpoint : checkpoints) {
    const auto [it, inserted] =
        by_size.emplace(checkpoint.tree_size, checkpoint);
    if (!inserted) {
      EXPECT_EQ(it->second.note, checkpoint.note);
    }
  }
  for (auto older = by_size.begin(); older != by_size.end(); ++older) {
    for (auto newer = std::next(older); newer != by_size.end(); ++newer) {
      EXPECT_THAT(VerifyConsistent(older->second, newer->second), IsOk())
          << older->first << " -> " << newer->first;
    }
  }
  // A size inside a batch was never signed.
  for (uint64_t size = 1; size < total; ++size) {
    if (by_size.count(size) > 0) continue;
    if (Count(absl::StrCat("log_checkpoints WHERE tree_size = ", size)) > 0) {
      continue;
    }
    EXPECT_THAT(store_->GetCheckpoint(size),
                StatusIs(absl::StatusCode::kNotFound));
    break;
  }
}

TEST_F(LogStoreTest, RefusedWritesInConcurrentBatchesLeaveNoGap) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  ASSERT_OK(store_->AddKey(MakeKey(kNamespace, 1)).status());  // entry 1
  Sql(absl::StrCat(
      "UPDATE keys SET status = 'revoked', revoked_at = now() WHERE key_id = '",
      MakeKey(kNamespace, 1).key_id, "'"));
  ASSERT_EQ(PublishVerified(MakeRecord("Taken", "v1")), 2u);
  constexpr uint64_t kBefore = 3;
  constexpr int kThreads = 8;
  constexpr int kOps = 10;
  // Op kinds, by (t + j) % 7.
  enum Kind {
    kGood,
    kGoodKey,
    kUnknownParent,
    kNameTaken,
    kRevokedSigner,
    kDuplicateKey,
    kKeyOfUnknownNamespace,
  };
  struct Op {
    Kind kind;
    NewRecord record;
    KeyRow key;
    absl::Status status = absl::UnknownError("not run");
    std::optional<Ack> ack;
  };
  std::vector<Op> ops;
  for (int t = 0; t < kThreads; ++t) {
    for (int j = 0; j < kOps; ++j) {
      Op op;
      op.kind = static_cast<Kind>((t + j) % 7);
      const std::string name = absl::StrCat("Model-", t, "-", j);
      switch (op.kind) {
        case kGood:
          op.record = MakeRecord(name);
          break;
        case kGoodKey:
          op.key = MakeKey(kNamespace, 100 + t * kOps + j);
          break;
        case kUnknownParent: {
          op.record = MakeRecord(name);
          core::record::LineageEdge edge;
          edge.ref.kind = core::record::ModelLocator::Kind::kModelRef;
          edge.ref.model = ModelRef{kNamespace, "Nowhere", "v9"};
          edge.relation = core::record::Relation::kFinetune;
          op.record.record.lineage.push_back(edge);
          break;
        }
        case kNameTaken:
          op.record = MakeRecord("TAKEN", "v1");
          break;
        case kRevokedSigner:
          op.record = MakeRecord(name, "v1", /*signer=*/1);
          break;
        case kDuplicateKey:
          op.key = MakeKey(kNamespace, 0);
          break;
        case kKeyOfUnknownNamespace:
          op.key = MakeKey("nobody", 200 + t * kOps + j);
          break;
      }
      ops.push_back(std::move(op));
    }
  }

  RunConcurrently(kThreads, [&](int t) {
    for (int j = 0; j < kOps; ++j) {
      Op& op = ops[t * kOps + j];
      const bool is_key = op.kind == kGoodKey || op.kind == kDuplicateKey ||
                          op.kind == kKeyOfUnknownNamespace;
      if (is_key) {
        absl::StatusOr<KeyRow> added = store_->AddKey(op.key);
        op.status = added.status();
        if (added.ok() && added->log_index.has_value()) {
          op.ack = Ack{EntryOf(op.key), {}, {}};
          op.ack->proof.log_index = *added->log_index;
        }
      } else {
        absl::StatusOr<PublishResult> result = store_->PublishRecord(op.record);
        op.status = result.status();
        if (result.ok()) {
          op.ack =
              Ack{EntryOf(op.record), result->inclusion, result->checkpoint};
        }
      }
    }
  });

  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                       store_->GetLatestCheckpoint());
  std::set<uint64_t> indexes;
  for (const Op& op : ops) {
    switch (op.kind) {
      case kGood:
      case kGoodKey:
        ASSERT_THAT(op.status, IsOk());
        ASSERT_TRUE(op.ack.has_value());
        EXPECT_TRUE(indexes.insert(op.ack->proof.log_index).second);
        if (op.kind == kGood) {
          EXPECT_THAT(
              VerifyIncluded(op.ack->entry, op.ack->proof, op.ack->checkpoint),
              IsOk());
        } else {
          ASSERT_OK_AND_ASSIGN(const InclusionProofRow proof,
                               store_->GetInclusionProof(
                                   op.ack->proof.log_index, latest.tree_size));
          EXPECT_THAT(VerifyIncluded(op.ack->entry, proof, latest), IsOk());
        }
        break;
      case kUnknownParent:
        EXPECT_THAT(op.status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                        HasSubstr("Nowhere")));
        break;
      case kNameTaken:
        EXPECT_THAT(op.status, StatusIs(absl::StatusCode::kAlreadyExists));
        break;
      case kRevokedSigner:
        EXPECT_THAT(op.status, StatusIs(absl::StatusCode::kPermissionDenied));
        break;
      case kDuplicateKey:
        EXPECT_THAT(op.status, StatusIs(absl::StatusCode::kAlreadyExists));
        break;
      case kKeyOfUnknownNamespace:
        EXPECT_THAT(op.status, StatusIs(absl::StatusCode::kNotFound));
        break;
    }
    if (op.kind == kUnknownParent || op.kind == kNameTaken ||
        op.kind == kRevokedSigner) {
      EXPECT_THAT(store_->GetRecordByDigest(op.record.record_digest),
                  StatusIs(absl::StatusCode::kNotFound));
    }
  }
  const uint64_t total = kBefore + indexes.size();
  ASSERT_FALSE(indexes.empty());
  EXPECT_EQ(*indexes.begin(), kBefore);
  EXPECT_EQ(*indexes.rbegin(), total - 1);
  EXPECT_EQ(latest.tree_size, total);
  EXPECT_EQ(Count("log_entries"), static_cast<int64_t>(total));
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(total));
}

TEST_F(LogStoreTest, WriteThatBreaksItsBatchFailsAloneWithoutGap) {
  // An artifact path the schema refuses (absolute) is not checked by the
  // store before writing: its INSERT aborts the batch's transaction, and the
  // batch is re-run one write at a time.
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  constexpr int kThreads = 8;
  constexpr int kOps = 6;
  std::vector<NewRecord> records;
  for (int i = 0; i < kThreads * kOps; ++i) {
    records.push_back(MakeRecord(absl::StrCat("Model-", i)));
    if (i % kOps == 2) records.back().record.artifacts.files[0].name = "/abs";
  }
  std::vector<absl::StatusOr<PublishResult>> results(
      records.size(), absl::UnknownError("not run"));

  RunConcurrently(kThreads, [&](int t) {
    for (int j = 0; j < kOps; ++j) {
      results[t * kOps + j] = store_->PublishRecord(records[t * kOps + j]);
    }
  });

  std::set<uint64_t> indexes;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i % kOps == 2) {
      EXPECT_THAT(results[i].status(), Not(IsOk())) << i;
      EXPECT_THAT(store_->GetRecordByDigest(records[i].record_digest),
                  StatusIs(absl::StatusCode::kNotFound));
      continue;
    }
    ASSERT_THAT(results[i].status(), IsOk()) << i;
    EXPECT_TRUE(indexes.insert(results[i]->inclusion.log_index).second);
    EXPECT_THAT(VerifyIncluded(EntryOf(records[i]), results[i]->inclusion,
                               results[i]->checkpoint),
                IsOk());
  }
  const uint64_t total = 1 + indexes.size();
  EXPECT_EQ(indexes.size(), static_cast<size_t>(kThreads * (kOps - 1)));
  EXPECT_EQ(*indexes.begin(), 1u);
  EXPECT_EQ(*indexes.rbegin(), total - 1);
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(total));
}

TEST_F(LogStoreTest, TwoStoresOnOneDatabaseShareOneGapFreeLog) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ConnectionPool> other_pool,
                       ConnectionPool::Create({dsn(), kPoolSize}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresRegistryStore> other,
                       Open(*other_pool, *signer_));
  constexpr int kThreadsPerStore = 6;
  constexpr int kPublishes = 10;
  constexpr int kThreads = 2 * kThreadsPerStore;
  std::vector<NewRecord> records;
  for (int i = 0; i < kThreads * kPublishes; ++i) {
    records.push_back(MakeRecord(absl::StrCat("Model-", i)));
  }
  std::vector<absl::StatusOr<PublishResult>> results(
      records.size(), absl::UnknownError("not run"));

  RunConcurrently(kThreads, [&](int t) {
    PostgresRegistryStore& store = t % 2 == 0 ? *store_ : *other;
    for (int j = 0; j < kPublishes; ++j) {
      results[t * kPublishes + j] =
          store.PublishRecord(records[t * kPublishes + j]);
    }
  });

  // Every publish must be acknowledged; the checks below hold for those
  // that were (a refused one must have written nothing).
  std::set<uint64_t> indexes;
  std::map<uint64_t, LogCheckpointRow> by_size;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_THAT(results[i].status(), IsOk()) << "publish " << i;
    if (!results[i].ok()) {
      EXPECT_THAT(store_->GetRecordByDigest(records[i].record_digest),
                  StatusIs(absl::StatusCode::kNotFound));
      continue;
    }
    EXPECT_TRUE(indexes.insert(results[i]->inclusion.log_index).second);
    EXPECT_THAT(VerifyIncluded(EntryOf(records[i]), results[i]->inclusion,
                               results[i]->checkpoint),
                IsOk())
        << i;
    by_size.emplace(results[i]->checkpoint.tree_size, results[i]->checkpoint);
  }
  ASSERT_FALSE(indexes.empty());
  const uint64_t total = 1 + indexes.size();
  EXPECT_EQ(*indexes.begin(), 1u);
  EXPECT_EQ(*indexes.rbegin(), total - 1);
  for (auto older = by_size.begin(); older != by_size.end(); ++older) {
    for (auto newer = std::next(older); newer != by_size.end(); ++newer) {
      EXPECT_THAT(VerifyConsistent(older->second, newer->second), IsOk())
          << older->first << " -> " << newer->first;
    }
  }
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(total));
  // Each store goes on extending the tree the other one wrote last.
  const uint64_t next = PublishVerified(MakeRecord("After"));
  const NewRecord after_other = MakeRecord("After-Other");
  absl::StatusOr<PublishResult> from_other = other->PublishRecord(after_other);
  ASSERT_THAT(from_other.status(), IsOk());
  EXPECT_EQ(next, total);
  EXPECT_EQ(from_other->inclusion.log_index, total + 1);
  EXPECT_THAT(VerifyIncluded(EntryOf(after_other), from_other->inclusion,
                             from_other->checkpoint),
              IsOk());
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(total + 2));
}

TEST_F(LogStoreTest, BatchesQueuedOnTheLogLockOfTwoStoresBothCommit) {
  // Deterministic form of the race above: while a transaction holds the
  // log_state row lock, a batch of each store queues behind it. When it
  // commits, one batch runs; the other must then see that batch's entries
  // as well as its tree size.
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ConnectionPool> other_pool,
                       ConnectionPool::Create({dsn(), 2}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresRegistryStore> other,
                       Open(*other_pool, *signer_));
  const NewRecord first = MakeRecord("First");
  const NewRecord second = MakeRecord("Second");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> holder_connection,
                       internal::Connect(dsn()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> watcher,
                       internal::Connect(dsn()));
  pqxx::work holder(*holder_connection);
  holder.exec("SELECT 1 FROM log_state FOR UPDATE");
  absl::StatusOr<PublishResult> from_first = absl::UnknownError("not run");
  absl::StatusOr<PublishResult> from_second = absl::UnknownError("not run");
  std::thread first_thread([&] { from_first = store_->PublishRecord(first); });
  std::thread second_thread(
      [&] { from_second = other->PublishRecord(second); });
  // Both batches wait for the lock (a condition polled, not a sleep).
  int waiting = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (waiting < 2 && absl::Now() < deadline) {
    pqxx::nontransaction query(*watcher);
    waiting = query
                  .exec1(
                      "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                      "current_database() AND wait_event_type = 'Lock'")[0]
                  .as<int>();
  }
  holder.commit();
  first_thread.join();
  second_thread.join();

  ASSERT_EQ(waiting, 2) << "the batches never queued on the lock";
  ASSERT_THAT(from_first.status(), IsOk());
  ASSERT_THAT(from_second.status(), IsOk());
  EXPECT_THAT(std::set<uint64_t>({from_first->inclusion.log_index,
                                  from_second->inclusion.log_index}),
              ElementsAre(1, 2));
  EXPECT_THAT(VerifyIncluded(EntryOf(first), from_first->inclusion,
                             from_first->checkpoint),
              IsOk());
  EXPECT_THAT(VerifyIncluded(EntryOf(second), from_second->inclusion,
                             from_second->checkpoint),
              IsOk());
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(3));
}

// ------------------------------------------------------- another log's key

TEST_F(LogStoreTest, OpenRefusesDatabaseOfAnotherLogKey) {
  ASSERT_NO_FATAL_FAILURE(CreateNamespaceAndKey());
  const std::unique_ptr<CheckpointSigner> other =
      ::pedigree::testing::TestLogSigner('M');
  const std::map<std::string, int64_t> counts = LogRowCounts();

  EXPECT_THAT(Open(*pool_, *other),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(signer_->verifier_key()),
                             HasSubstr(other->verifier_key()))));
  EXPECT_EQ(LogRowCounts(), counts);
}

TEST_F(LogStoreTest, OpenRefusesDatabaseOfAnotherOrigin) {
  ASSERT_OK_AND_ASSIGN(core::crypto::PrivateKey key,
                       core::crypto::PrivateKey::FromEd25519Seed(
                           std::string(32, 'L')));  // the test log's key
  ASSERT_OK_AND_ASSIGN(
      const std::unique_ptr<server::log::NoteCheckpointSigner> other,
      server::log::NoteCheckpointSigner::Create("other.pedigree.dev/log",
                                                std::move(key)));
  const std::map<std::string, int64_t> counts = LogRowCounts();

  EXPECT_THAT(Open(*pool_, *other),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(kTestLogOrigin),
                             HasSubstr("other.pedigree.dev/log"))));
  EXPECT_EQ(LogRowCounts(), counts);
}

// ------------------------------------------------------------ proof reads

// A log of 24 entries written one at a time, shared (read-only) by the
// suite: built by the first test that runs, dropped after the last.
class LogReadTest : public LogStoreTest {
 public:
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }

 protected:
  static constexpr uint64_t kSize = 24;

  LogReadTest() : LogStoreTest(Database::kShared) {}

  void SetUp() override {
    LogStoreTest::SetUp();
    if (HasFatalFailure()) return;
    if (shared_ == nullptr) {
      shared_ = new Shared;
      ASSERT_NO_FATAL_FAILURE(BuildShared());
    }
    ASSERT_TRUE(shared_->ready) << "the shared log could not be built";
    store_ = shared_->store.get();
  }

  const std::vector<std::string>& sent() const { return shared_->sent; }

 private:
  struct Shared {
    std::unique_ptr<::pedigree::testing::ScratchDatabase> database;
    std::unique_ptr<CheckpointSigner> signer =
        ::pedigree::testing::TestLogSigner();
    std::unique_ptr<ConnectionPool> pool;
    std::unique_ptr<PostgresRegistryStore> store;
    std::vector<std::string> sent;
    bool ready = false;
  };

  void BuildShared() {
    ASSERT_OK_AND_ASSIGN(const std::string admin_dsn,
                         ::pedigree::testing::TestAdminDsn());
    ASSERT_OK_AND_ASSIGN(
        shared_->database,
        ::pedigree::testing::ScratchDatabase::Create(admin_dsn));
    ASSERT_OK_AND_ASSIGN(const Migrator migrator,
                         Migrator::Create(EmbeddedMigrations()));
    ASSERT_THAT(migrator.Migrate(shared_->database->dsn()).status(), IsOk());
    ASSERT_OK_AND_ASSIGN(shared_->pool,
                         ConnectionPool::Create({shared_->database->dsn(), 2}));
    ASSERT_OK_AND_ASSIGN(shared_->store,
                         Open(*shared_->pool, *shared_->signer));
    store_ = shared_->store.get();
    ASSERT_NO_FATAL_FAILURE(WriteSequentialLog(kSize, &shared_->sent));
    shared_->ready = true;
  }

  static Shared* shared_;
};

LogReadTest::Shared* LogReadTest::shared_ = nullptr;

// A log of 6 entries written one at a time on a database of its own, for
// tests that tamper with it.
class LogTamperTest : public LogStoreTest {
 protected:
  static constexpr uint64_t kSize = 6;

  void SetUp() override {
    LogStoreTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_NO_FATAL_FAILURE(WriteSequentialLog(kSize, &sent_));
  }

  std::vector<std::string> sent_;
};

TEST_F(LogReadTest, EntriesAreTheBytesTheClientsSent) {
  const std::vector<LogEntryRow> entries = AllEntries();

  ASSERT_EQ(entries.size(), kSize);
  for (uint64_t i = 0; i < kSize; ++i) {
    EXPECT_EQ(entries[i].log_index, i);
    EXPECT_EQ(entries[i].data, sent()[i]) << i;
  }
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(kSize));
}

TEST_F(LogReadTest, InclusionProofsVerifyForEveryIndexAndSignedSize) {
  for (uint64_t size = 1; size <= kSize; ++size) {
    ASSERT_OK_AND_ASSIGN(const LogCheckpointRow checkpoint,
                         store_->GetCheckpoint(size));
    for (uint64_t index = 0; index < size; ++index) {
      ASSERT_OK_AND_ASSIGN(const InclusionProofRow proof,
                           store_->GetInclusionProof(index, size));

      EXPECT_EQ(proof.log_index, index);
      EXPECT_THAT(VerifyIncluded(sent()[index], proof, checkpoint), IsOk())
          << index << " in " << size;
      if (index + 1 < size) {
        EXPECT_THAT(VerifyIncluded(sent()[index + 1], proof, checkpoint),
                    Not(IsOk()))
            << index << " in " << size;
      }
    }
  }
}

TEST_F(LogReadTest, ConsistencyProofsVerifyBetweenEverySignedSize) {
  std::vector<LogCheckpointRow> checkpoints;
  for (uint64_t size = 0; size <= kSize; ++size) {
    ASSERT_OK_AND_ASSIGN(LogCheckpointRow checkpoint,
                         store_->GetCheckpoint(size));
    checkpoints.push_back(std::move(checkpoint));
  }

  for (uint64_t older = 0; older <= kSize; ++older) {
    for (uint64_t newer = older; newer <= kSize; ++newer) {
      EXPECT_THAT(VerifyConsistent(checkpoints[older], checkpoints[newer]),
                  IsOk())
          << older << " -> " << newer;
    }
  }
}

TEST_F(LogReadTest, InclusionProofRejectsIndexAtOrBeyondSize) {
  EXPECT_THAT(store_->GetInclusionProof(10, 10),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("10")));
  EXPECT_THAT(store_->GetInclusionProof(kSize, kSize),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->GetInclusionProof(0, 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LogReadTest, InclusionProofRejectsSizeBeyondNewestCheckpoint) {
  EXPECT_THAT(store_->GetInclusionProof(0, kSize + 1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat(kSize + 1))));
  EXPECT_THAT(
      store_->GetInclusionProof(0, std::numeric_limits<uint64_t>::max()),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LogReadTest, ConsistencyProofRejectsOldSizeAboveNewSize) {
  EXPECT_THAT(store_->GetConsistencyProof(5, 3),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->GetConsistencyProof(kSize + 1, kSize),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LogReadTest, ConsistencyProofRejectsNewSizeBeyondNewestCheckpoint) {
  EXPECT_THAT(store_->GetConsistencyProof(1, kSize + 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LogReadTest, GetCheckpointOfUnsignedSizeIsNotFound) {
  EXPECT_THAT(store_->GetCheckpoint(kSize + 1),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr(absl::StrCat(kSize + 1))));
}

TEST_F(LogReadTest, GetLogEntriesStopsAtTheEndOfTheLog) {
  ASSERT_OK_AND_ASSIGN(const std::vector<LogEntryRow> tail,
                       store_->GetLogEntries(kSize - 2, 10));

  ASSERT_THAT(tail, SizeIs(2));
  EXPECT_EQ(tail[0].log_index, kSize - 2);
  EXPECT_EQ(tail[1].log_index, kSize - 1);
  EXPECT_EQ(tail[1].data, sent()[kSize - 1]);
  EXPECT_THAT(store_->GetLogEntries(kSize, 10), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_->GetLogEntries(std::numeric_limits<uint64_t>::max(), 10),
              IsOkAndHolds(IsEmpty()));
}

TEST_F(LogReadTest, GetLogEntriesClampsCount) {
  EXPECT_THAT(store_->GetLogEntries(0, 0), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_->GetLogEntries(0, -5), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_->GetLogEntries(3, 4), IsOkAndHolds(SizeIs(4)));
  EXPECT_THAT(store_->GetLogEntries(0, std::numeric_limits<int>::max()),
              IsOkAndHolds(SizeIs(kSize)));
}

// ---------------------------------------------------------------- tampering

TEST_F(LogTamperTest, RewrittenEnvelopeMakesItsEntriesDataLoss) {
  ASSERT_OK_AND_ASSIGN(const std::vector<LogEntryRow> entry,
                       store_->GetLogEntries(4, 1));
  ASSERT_THAT(entry, SizeIs(1));
  ASSERT_EQ(entry[0].data, sent_[4]);  // a record (4 % 3 != 0)

  Sql("UPDATE records SET envelope = convert_to('{\"forged\":true}', 'UTF8') "
      "WHERE id = (SELECT record_id FROM log_entries WHERE idx = 4)");

  EXPECT_THAT(store_->GetLogEntries(4, 1),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("log entry 4")));
  EXPECT_THAT(store_->GetLogEntries(0, 100),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->GetLogEntries(5, 100), IsOkAndHolds(SizeIs(kSize - 5)));
}

TEST_F(LogTamperTest, RewrittenEntryWithItsLeafHashIsCaughtByTheClient) {
  // A rewrite that also fixes log_entries.leaf_hash fools a server check
  // that only compares the two; the tree still commits to the old bytes.
  Sql("UPDATE records SET envelope = convert_to('{\"forged\":true}', 'UTF8') "
      "WHERE id = (SELECT record_id FROM log_entries WHERE idx = 4)");
  Sql("UPDATE log_entries SET leaf_hash = sha256('\\x00'::bytea || "
      "convert_to(E'pedigree/log-entry/v1 record\\n{\"forged\":true}', "
      "'UTF8')) WHERE idx = 4");

  absl::StatusOr<std::vector<LogEntryRow>> entries =
      store_->GetLogEntries(0, 100);

  if (!entries.ok()) {
    EXPECT_THAT(entries, StatusIs(absl::StatusCode::kDataLoss));
    return;
  }
  ASSERT_THAT(*entries, SizeIs(kSize));
  EXPECT_NE((*entries)[4].data, sent_[4]);
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                       store_->GetLatestCheckpoint());
  ASSERT_OK_AND_ASSIGN(const Checkpoint signed_head, Verified(latest));
  ASSERT_OK_AND_ASSIGN(const std::string rebuilt, RebuildRoot(*entries));
  EXPECT_NE(rebuilt, signed_head.root_hash);
  ASSERT_OK_AND_ASSIGN(const InclusionProofRow proof,
                       store_->GetInclusionProof(4, kSize));
  EXPECT_THAT(VerifyIncluded((*entries)[4].data, proof, latest), Not(IsOk()));
}

TEST_F(LogTamperTest, MissingLeafNodeMakesInclusionProofsDataLoss) {
  Sql("DELETE FROM log_nodes WHERE level = 0 AND idx = 1");

  // Leaf 1 is the sibling on leaf 0's path, and its own leaf hash.
  EXPECT_THAT(store_->GetInclusionProof(0, 4),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("missing")));
  EXPECT_THAT(store_->GetInclusionProof(1, kSize),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogTamperTest, MissingInnerNodeMakesProofsDataLoss) {
  Sql("DELETE FROM log_nodes WHERE level = 1 AND idx = 1");  // leaves 2..3

  EXPECT_THAT(store_->GetInclusionProof(0, 4),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->GetConsistencyProof(2, 4),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LogTamperTest, CorruptRootFailsTheNextWritesAndWritesNothing) {
  Sql("UPDATE log_state SET root_hash = '\\x" + std::string(64, '0') + "'");
  const std::map<std::string, int64_t> counts = LogRowCounts();
  const NewRecord record = MakeRecord("After-Corruption");

  EXPECT_THAT(store_->PublishRecord(record),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->AddKey(MakeKey(kNamespace, 999)),
              StatusIs(absl::StatusCode::kDataLoss));

  EXPECT_EQ(LogRowCounts(), counts);
  EXPECT_THAT(store_->GetRecordByDigest(record.record_digest),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LogTamperTest, StoredCheckpointOfTheNextSizeFailsTheWrite) {
  // A checkpoint row already at the size the next write reaches (a restore
  // that kept log_checkpoints but not the entries) holds another root: the
  // log key must not sign a second root for that size.
  Sql(absl::StrCat(
      "INSERT INTO log_checkpoints (tree_size, root_hash, note) "
      "VALUES (",
      kSize + 1, ", '\\x", std::string(64, '0'), "', 'left over')"));
  const std::map<std::string, int64_t> counts = LogRowCounts();
  const NewRecord record = MakeRecord("Over-A-Stored-Checkpoint");

  EXPECT_THAT(store_->PublishRecord(record),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("already holds a checkpoint of size")));

  EXPECT_EQ(LogRowCounts(), counts);
  EXPECT_THAT(store_->GetRecordByDigest(record.record_digest),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LogTamperTest, CorruptFrontierNodeFailsOpen) {
  // 6 = 4 + 2: the frontier is nodes (2, 0) and (1, 2).
  Sql("UPDATE log_nodes SET hash = '\\x" + std::string(64, '0') +
      "' WHERE level = 1 AND idx = 2");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ConnectionPool> other_pool,
                       ConnectionPool::Create({dsn(), 2}));

  EXPECT_THAT(Open(*other_pool, *signer_),
              StatusIs(absl::StatusCode::kDataLoss));
}

// ------------------------------------------------ migration 0002 backfill

// A database at schema version 1 with keys and records written by plain SQL,
// as a registry from before the log left it.
class LogMigrationTest : public LogStoreTest {
 protected:
  LogMigrationTest() : LogStoreTest(Database::kUnmigrated) {}

  static void Migrate(const std::string& dsn, size_t versions) {
    ASSERT_OK_AND_ASSIGN(
        const Migrator migrator,
        Migrator::Create(EmbeddedMigrations().subspan(
            0, std::min(versions, EmbeddedMigrations().size()))));
    ASSERT_THAT(migrator.Migrate(dsn).status(), IsOk());
  }

  // Inserts key `key` (signing nothing yet) added at `added_at`.
  void InsertKey(pqxx::work& tx, int64_t namespace_id,
                 const core::crypto::PublicKey& key,
                 const std::string& added_at) {
    tx.exec_params(
        "INSERT INTO keys (namespace_id, key_id, key_type, public_key, "
        "added_at) VALUES ($1, $2, $3, $4, $5::timestamptz)",
        namespace_id, key.key_id(),
        std::string(core::crypto::FormatKeyType(key.type())),
        pqxx::binarystring(key.spki_der()), added_at);
  }

  // Signs `record` with `key` and inserts it as published at `published_at`;
  // returns the envelope as stored.
  std::string InsertRecord(pqxx::work& tx, int64_t namespace_id,
                           const Record& record,
                           const core::crypto::PrivateKey& key,
                           const std::string& published_at) {
    absl::StatusOr<core::dsse::Envelope> envelope =
        core::record::SignRecord(record, {&key});
    EXPECT_THAT(envelope.status(), IsOk());
    if (!envelope.ok()) return "";
    const std::string json = core::dsse::SerializeEnvelope(*envelope);
    absl::StatusOr<std::string> digest =
        core::crypto::Sha256Digest(envelope->payload);
    EXPECT_THAT(digest.status(), IsOk());
    if (!digest.ok()) return "";
    const int64_t id =
        tx.exec_params1(
              "INSERT INTO records (namespace_id, model_namespace, "
              "model_name, model_version, record_digest, envelope, "
              "payload_type, root_digest, release_date, weights_license, "
              "code_license, declared_openness, published_at) VALUES ($1, "
              "$2, $3, $4, $5, $6, $7, $8, $9::date, $10, $11, $12, "
              "$13::timestamptz) RETURNING id",
              namespace_id, record.model.ref.namespace_name,
              record.model.ref.name, record.model.ref.version,
              pqxx::binarystring(*digest), pqxx::binarystring(json),
              std::string(core::record::kPayloadType),
              pqxx::binarystring(record.artifacts.root_digest),
              record.model.release_date, record.licenses.weights,
              record.licenses.code,
              std::string(core::record::ToString(record.openness.claim)),
              published_at)[0]
            .as<int64_t>();
    tx.exec_params(
        "INSERT INTO record_signatures (record_id, key_id) "
        "SELECT $1, id FROM keys WHERE key_id = $2",
        id, key.public_key().key_id());
    digests_.push_back(*digest);
    return json;
  }

  static Record Model(const std::string& name, const std::string& version) {
    Record record = core::record::ValidRecordForTest();
    record.model.ref = ModelRef{"Acme-AI", name, version};
    record.lineage.clear();
    return record;
  }

  // Builds the pre-log registry and sets `expected_` to the entries the
  // backfill must produce, in order.
  void BuildLegacyRegistry() {
    ASSERT_NO_FATAL_FAILURE(Migrate(dsn(), 1));
    ASSERT_OK_AND_ASSIGN(
        const core::crypto::PrivateKey ed25519,
        core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519));
    // 91-byte SPKI: its base64 is longer than one 76-character line of
    // PostgreSQL's encode(), which the migration must unwrap.
    ASSERT_OK_AND_ASSIGN(
        const core::crypto::PrivateKey p256,
        core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEcdsaP256));
    ASSERT_OK_AND_ASSIGN(
        const core::crypto::PrivateKey late,
        core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                         internal::Connect(dsn()));
    pqxx::work tx(*connection);
    const int64_t ns =
        tx.exec1(
              "INSERT INTO namespaces (name) VALUES ('Acme-AI') RETURNING id")
            [0]
                .as<int64_t>();
    const auto key_entry = [](const core::crypto::PublicKey& key) {
      return KeyLogEntry("Acme-AI", key.key_id(),
                         core::crypto::FormatKeyType(key.type()),
                         key.spki_der());
    };
    // Inserted out of time order on purpose: the backfill orders by time,
    // then keys before records, then id.
    InsertKey(tx, ns, ed25519.public_key(), "2024-01-01 00:00:00+00");
    const std::string r3 = InsertRecord(tx, ns, Model("Three", "v1"), ed25519,
                                        "2024-01-05 00:00:00+00");
    const std::string r1 = InsertRecord(tx, ns, Model("One", "v1"), ed25519,
                                        "2024-01-02 00:00:00+00");
    InsertKey(tx, ns, p256.public_key(), "2024-01-03 00:00:00+00");
    const std::string r2 = InsertRecord(tx, ns, Model("Two", "v1"), p256,
                                        "2024-01-04 00:00:00+00");
    const std::string r4 = InsertRecord(tx, ns, Model("Four", "v1"), ed25519,
                                        "2024-01-06 00:00:00+00");
    InsertKey(tx, ns, late.public_key(), "2024-01-06 00:00:00+00");
    const std::string r5 = InsertRecord(tx, ns, Model("Five", "v1"), ed25519,
                                        "2024-01-07 00:00:00+00");
    const std::string r6 = InsertRecord(tx, ns, Model("Five", "v2"), ed25519,
                                        "2024-01-07 00:00:00+00");
    tx.commit();
    expected_ = {key_entry(ed25519.public_key()),
                 RecordLogEntry(r1),
                 key_entry(p256.public_key()),
                 RecordLogEntry(r2),
                 RecordLogEntry(r3),
                 key_entry(late.public_key()),  // same time: keys first
                 RecordLogEntry(r4),
                 RecordLogEntry(r5),  // same time: lower id first
                 RecordLogEntry(r6)};
    ASSERT_NO_FATAL_FAILURE(Migrate(dsn(), EmbeddedMigrations().size()));
    ASSERT_NO_FATAL_FAILURE(OpenStore());
  }

  std::vector<std::string> expected_;
  std::vector<std::string> digests_;  // raw record digests, insertion order
};

TEST_F(LogMigrationTest, BackfillSequencesOldKeysAndRecordsByTime) {
  ASSERT_NO_FATAL_FAILURE(BuildLegacyRegistry());

  const std::vector<LogEntryRow> entries = AllEntries();

  std::vector<std::string> data;
  for (const LogEntryRow& entry : entries) data.push_back(entry.data);
  EXPECT_EQ(data, expected_);
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(expected_.size()));
}

TEST_F(LogMigrationTest, BackfilledEntriesAreProvenInTheFirstCheckpoint) {
  ASSERT_NO_FATAL_FAILURE(BuildLegacyRegistry());
  const uint64_t size = expected_.size();

  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                       store_->GetLatestCheckpoint());

  ASSERT_EQ(latest.tree_size, size);
  for (uint64_t index = 0; index < size; ++index) {
    ASSERT_OK_AND_ASSIGN(const InclusionProofRow proof,
                         store_->GetInclusionProof(index, size));
    EXPECT_THAT(VerifyIncluded(expected_[index], proof, latest), IsOk())
        << index;
  }
  // The backfill is one batch: sizes inside it were never signed.
  EXPECT_THAT(store_->GetCheckpoint(1), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LogMigrationTest, BackfilledRowsReportTheirLogIndexes) {
  ASSERT_NO_FATAL_FAILURE(BuildLegacyRegistry());

  ASSERT_OK_AND_ASSIGN(const std::vector<KeyRow> keys,
                       store_->ListKeys("Acme-AI"));
  ASSERT_OK_AND_ASSIGN(const StoredRecord three,
                       store_->GetRecordByDigest(digests_[0]));
  ASSERT_OK_AND_ASSIGN(const StoredRecord one,
                       store_->GetRecordByDigest(digests_[1]));

  ASSERT_THAT(keys, SizeIs(3));
  EXPECT_EQ(keys[0].log_index, std::optional<uint64_t>(0));
  EXPECT_EQ(keys[1].log_index, std::optional<uint64_t>(2));
  EXPECT_EQ(keys[2].log_index, std::optional<uint64_t>(5));
  EXPECT_EQ(one.log_index, std::optional<uint64_t>(1));
  EXPECT_EQ(three.log_index, std::optional<uint64_t>(4));
}

TEST_F(LogMigrationTest, NewWritesContinueAfterTheBackfill) {
  ASSERT_NO_FATAL_FAILURE(BuildLegacyRegistry());
  const uint64_t size = expected_.size();
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow backfilled,
                       store_->GetLatestCheckpoint());
  NewRecord record = MakeRecord("After");
  record.record.model.ref.namespace_name = "Acme-AI";
  ASSERT_OK_AND_ASSIGN(const std::vector<KeyRow> keys,
                       store_->ListKeys("Acme-AI"));
  record.signer_key_ids = {keys[0].key_id};
  const KeyRow key = MakeKey("Acme-AI", 1);

  ASSERT_OK_AND_ASSIGN(const PublishResult published,
                       store_->PublishRecord(record));
  ASSERT_OK_AND_ASSIGN(const KeyRow added, store_->AddKey(key));

  EXPECT_EQ(published.inclusion.log_index, size);
  EXPECT_THAT(VerifyIncluded(EntryOf(record), published.inclusion,
                             published.checkpoint),
              IsOk());
  EXPECT_EQ(added.log_index, std::optional<uint64_t>(size + 1));
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                       store_->GetLatestCheckpoint());
  EXPECT_THAT(VerifyConsistent(backfilled, latest), IsOk());
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(size + 2));
}

TEST_F(LogMigrationTest, ReopeningAfterTheBackfillChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(BuildLegacyRegistry());
  const std::map<std::string, int64_t> counts = LogRowCounts();

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresRegistryStore> reopened,
                       Open(*pool_, *signer_));

  EXPECT_EQ(LogRowCounts(), counts);
}

TEST_F(LogMigrationTest, LargeBackfillIsServedInPagesOf1024) {
  ASSERT_NO_FATAL_FAILURE(Migrate(dsn(), 1));
  constexpr int kKeys = 1100;
  Sql("INSERT INTO namespaces (name) VALUES ('bulk')");
  Sql(absl::StrCat(
      "INSERT INTO keys (namespace_id, key_id, key_type, public_key, "
      "added_at) SELECT (SELECT id FROM namespaces), lpad(to_hex(g), 32, "
      "'0'), 'ed25519', convert_to('spki-' || g, 'UTF8'), "
      "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' "
      "FROM generate_series(1, ",
      kKeys, ") AS g"));
  ASSERT_NO_FATAL_FAILURE(Migrate(dsn(), EmbeddedMigrations().size()));
  ASSERT_NO_FATAL_FAILURE(OpenStore());

  ASSERT_OK_AND_ASSIGN(const std::vector<LogEntryRow> first,
                       store_->GetLogEntries(0, 5000));
  ASSERT_OK_AND_ASSIGN(const std::vector<LogEntryRow> rest,
                       store_->GetLogEntries(first.size(), 5000));

  ASSERT_THAT(first, SizeIs(1024));
  ASSERT_THAT(rest, SizeIs(kKeys - 1024));
  EXPECT_EQ(rest.back().data,
            KeyLogEntry("bulk", absl::StrFormat("%032x", kKeys), "ed25519",
                        absl::StrCat("spki-", kKeys)));
  ASSERT_NO_FATAL_FAILURE(ExpectLogRebuildsTo(kKeys));
  ASSERT_OK_AND_ASSIGN(const LogCheckpointRow latest,
                       store_->GetLatestCheckpoint());
  for (uint64_t index : {0, 511, 1023, 1024, kKeys - 1}) {
    ASSERT_OK_AND_ASSIGN(const InclusionProofRow proof,
                         store_->GetInclusionProof(index, kKeys));
    const std::string& data =
        index < 1024 ? first[index].data : rest[index - 1024].data;
    EXPECT_THAT(VerifyIncluded(data, proof, latest), IsOk()) << index;
  }
}

}  // namespace
}  // namespace pedigree::server::storage
