// The registry's judgments (core/judgment) as PostgresRegistryStore stores
// them (label pg): computed with every accepted record from its parents'
// stored judgments, re-computed at start-up when the rule set changes, and
// the dataset-provenance question "which models were trained on X".

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/judgment/judgment.h"
#include "core/record/model_ref.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
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

using core::judgment::FlagKind;
using core::judgment::Judgment;
using core::judgment::OpennessLabel;
using core::record::Dataset;
using core::record::LineageEdge;
using core::record::ModelLocator;
using core::record::ModelRef;
using core::record::Record;
using core::record::Relation;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr char kNamespace[] = "acme-ai";
constexpr char kLlama[] = "LicenseRef-Llama-3.1-Community";

class JudgmentStoreTest : public ::pedigree::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    absl::StatusOr<core::crypto::PrivateKey> key =
        core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519);
    ASSERT_THAT(key, IsOk());
    key_ = std::make_unique<core::crypto::PrivateKey>(*std::move(key));
    ASSERT_OK_AND_ASSIGN(pool_, ConnectionPool::Create({dsn(), 4}));
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_OK(store_->CreateNamespace(kNamespace).status());
    KeyRow row;
    row.key_id = key_->public_key().key_id();
    row.namespace_name = kNamespace;
    row.type = core::crypto::KeyType::kEd25519;
    row.spki_der = key_->public_key().spki_der();
    ASSERT_OK(store_->AddKey(row).status());
  }

  void TearDown() override {
    store_.reset();
    pool_.reset();
    PgTest::TearDown();
  }

  void Open() {
    store_.reset();
    PostgresRegistryStore::Options options;
    options.log_signer = log_signer_.get();
    ASSERT_OK_AND_ASSIGN(store_, PostgresRegistryStore::Open(*pool_, options));
  }

  // acme-ai/`name`@1 with a file unique to the call, weights under
  // `license` (a LicenseRef is declared).
  Record Model(const std::string& name, const std::string& license) {
    Record record = core::record::MinimalRecordForTest();
    record.model.ref = ModelRef{kNamespace, name, "1"};
    record.artifacts.files[0].sha256 = core::record::FilledBytes(
        static_cast<char>('a' + (counter_++ % 26)), 32);
    record.artifacts.files[0].name =
        absl::StrCat("model-", counter_, ".safetensors");
    core::record::RecomputeRootDigest(&record);
    record.licenses.weights = license;
    if (license.rfind("LicenseRef-", 0) == 0) {
      record.license_refs.push_back(
          {license, "model license", "https://example.com/license"});
    }
    return record;
  }

  static LineageEdge Parent(const std::string& name, Relation relation) {
    LineageEdge edge;
    edge.ref.kind = ModelLocator::Kind::kModelRef;
    edge.ref.model = ModelRef{kNamespace, name, "1"};
    edge.relation = relation;
    return edge;
  }

  static Dataset Data(const std::string& name, char digest_fill) {
    Dataset dataset;
    dataset.name = name;
    dataset.uri = "https://example.com/data";
    dataset.disclosure = core::record::DatasetDisclosure::kFullRelease;
    dataset.license = "CC-BY-4.0";
    dataset.sha256 = core::record::FilledBytes(digest_fill, 32);
    return dataset;
  }

  // Signs `record` for real (re-judging parses stored envelopes) and
  // publishes it; returns its id (0 after a failure).
  int64_t Publish(const Record& record) {
    absl::StatusOr<NewRecord> wrapped = Wrap(record);
    EXPECT_THAT(wrapped, IsOk());
    if (!wrapped.ok()) return 0;
    absl::StatusOr<PublishResult> result = store_->PublishRecord(*wrapped);
    EXPECT_THAT(result, IsOk());
    return result.ok() ? result->record.id : 0;
  }

  absl::StatusOr<NewRecord> Wrap(const Record& record) {
    absl::StatusOr<core::dsse::Envelope> envelope =
        core::record::SignRecord(record, {key_.get()});
    if (!envelope.ok()) return envelope.status();
    NewRecord out;
    out.record = record;
    out.envelope = core::dsse::SerializeEnvelope(*envelope);
    absl::StatusOr<std::string> digest = core::record::RecordDigest(*envelope);
    if (!digest.ok()) return digest.status();
    absl::StatusOr<std::string> raw = core::HexDecode(*digest);
    if (!raw.ok()) return raw.status();
    out.record_digest = *raw;
    out.signer_key_ids = {key_->public_key().key_id()};
    return out;
  }

  Judgment JudgmentOf(int64_t id) {
    absl::StatusOr<std::map<int64_t, Judgment>> judgments =
        store_->GetJudgments({id});
    EXPECT_THAT(judgments, IsOk());
    if (!judgments.ok() || judgments->count(id) == 0) {
      ADD_FAILURE() << "record " << id << " has no judgment";
      return Judgment();
    }
    return judgments->at(id);
  }

  void Sql(const std::string& sql) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<pqxx::connection> connection,
                         internal::Connect(dsn()));
    pqxx::work tx(*connection);
    tx.exec(sql);
    tx.commit();
  }

  // Every user of the dataset, page by page with `page_size`.
  std::vector<std::pair<std::string, int>> AllUsers(DatasetQuery query,
                                                    int page_size = 100) {
    std::vector<std::pair<std::string, int>> users;
    PageRequest page{page_size, ""};
    for (int pages = 0; pages < 100; ++pages) {
      absl::StatusOr<DatasetUserPage> result =
          store_->ListDatasetUsers(query, page);
      EXPECT_THAT(result, IsOk());
      if (!result.ok()) break;
      for (const DatasetUserRow& user : result->users) {
        users.emplace_back(user.record.ref.name, user.distance);
      }
      if (result->next_page_token.empty()) break;
      page.page_token = result->next_page_token;
    }
    return users;
  }

  std::unique_ptr<core::crypto::PrivateKey> key_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<CheckpointSigner> log_signer_ =
      ::pedigree::testing::TestLogSigner();
  std::unique_ptr<PostgresRegistryStore> store_;
  int counter_ = 0;
};

TEST_F(JudgmentStoreTest, PublishStoresTheJudgmentOfTheRecord) {
  const int64_t id = Publish(Model("base", "Apache-2.0"));

  const Judgment judgment = JudgmentOf(id);

  EXPECT_EQ(judgment.rule_set_version, core::judgment::kRuleSetVersion);
  EXPECT_EQ(judgment.declared_weights_license, "Apache-2.0");
  EXPECT_THAT(judgment.label_reasons, Not(IsEmpty()));
}

TEST_F(JudgmentStoreTest, ChildInheritsFromItsStoredParent) {
  // A Llama-3.1-licensed base and a fine-tune of it declared MIT.
  Publish(Model("base", kLlama));
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));

  const Judgment judgment = JudgmentOf(Publish(child));

  EXPECT_THAT(
      judgment.obligations.licenses,
      Contains(Field(&core::judgment::BindingLicense::license_id, kLlama)));
  EXPECT_THAT(judgment.flags,
              Contains(Field(&core::judgment::Flag::kind,
                             FlagKind::kDeclaredLicenseDiffersFromInherited)));
  EXPECT_LE(judgment.label, OpennessLabel::kOpenWeightRestricted);
}

TEST_F(JudgmentStoreTest, ParentAndChildPublishedTogetherAreBothJudged) {
  Record base = Model("base", kLlama);
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  ASSERT_OK_AND_ASSIGN(const NewRecord base_wrapped, Wrap(base));
  ASSERT_OK_AND_ASSIGN(const NewRecord child_wrapped, Wrap(child));
  absl::StatusOr<PublishResult> base_result, child_result;

  // Likely one log batch (deferral rounds); correct either way.
  std::thread first([&] { base_result = store_->PublishRecord(base_wrapped); });
  std::thread second([&] {
    for (int attempt = 0; attempt < 200; ++attempt) {
      child_result = store_->PublishRecord(child_wrapped);
      if (child_result.ok()) return;
    }
  });
  first.join();
  second.join();

  ASSERT_THAT(base_result, IsOk());
  ASSERT_THAT(child_result, IsOk());
  EXPECT_THAT(
      JudgmentOf(child_result->record.id).obligations.licenses,
      Contains(Field(&core::judgment::BindingLicense::license_id, kLlama)));
}

TEST_F(JudgmentStoreTest, GetJudgmentsOmitsUnknownIds) {
  ASSERT_OK_AND_ASSIGN(const auto judgments,
                       store_->GetJudgments({999999, 1000000}));

  EXPECT_THAT(judgments, IsEmpty());
}

TEST_F(JudgmentStoreTest, OpenRejudgesJudgmentsOfAnotherRuleSet) {
  const int64_t base = Publish(Model("base", kLlama));
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  const int64_t tuned = Publish(child);
  const Judgment before = JudgmentOf(tuned);
  // As an older server would have left them.
  ASSERT_NO_FATAL_FAILURE(
      Sql("UPDATE record_judgments SET rule_set_version = 'pedigree-rules/0', "
          "judgment = '{}'"));

  ASSERT_NO_FATAL_FAILURE(Open());

  EXPECT_EQ(store_->startup_judgments().judged, 2);
  EXPECT_THAT(store_->startup_judgments().unjudged, IsEmpty());
  EXPECT_EQ(JudgmentOf(tuned), before);
  EXPECT_EQ(JudgmentOf(base).rule_set_version, core::judgment::kRuleSetVersion);
}

TEST_F(JudgmentStoreTest, OpenJudgesRecordsStoredWithoutJudgment) {
  const int64_t id = Publish(Model("base", "Apache-2.0"));
  ASSERT_NO_FATAL_FAILURE(Sql("DELETE FROM record_judgments"));

  ASSERT_NO_FATAL_FAILURE(Open());

  EXPECT_EQ(store_->startup_judgments().judged, 1);
  EXPECT_EQ(JudgmentOf(id).declared_weights_license, "Apache-2.0");
}

TEST_F(JudgmentStoreTest,
       UnjudgeableRecordAndItsChildrenAreReportedNotGuessed) {
  const int64_t base = Publish(Model("base", kLlama));
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  const int64_t tuned = Publish(child);
  // The base's stored envelope no longer parses.
  ASSERT_NO_FATAL_FAILURE(Sql(
      absl::StrCat("UPDATE records SET envelope = 'garbage' WHERE id = ", base,
                   "; DELETE FROM record_judgments")));

  ASSERT_NO_FATAL_FAILURE(Open());

  EXPECT_EQ(store_->startup_judgments().judged, 0);
  EXPECT_THAT(store_->startup_judgments().unjudged,
              ElementsAre(HasSubstr("acme-ai/base@1"),
                          AllOf(HasSubstr("acme-ai/tuned@1"),
                                HasSubstr("has no judgment"))));
  ASSERT_OK_AND_ASSIGN(const auto judgments,
                       store_->GetJudgments({base, tuned}));
  EXPECT_THAT(judgments, IsEmpty());
}

TEST_F(JudgmentStoreTest, PublishUnderAnUnjudgedParentIsRefused) {
  Publish(Model("base", kLlama));
  ASSERT_NO_FATAL_FAILURE(Sql("DELETE FROM record_judgments"));
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  ASSERT_OK_AND_ASSIGN(const NewRecord wrapped, Wrap(child));

  const absl::StatusOr<PublishResult> result = store_->PublishRecord(wrapped);

  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("acme-ai/base@1 has no judgment")));
}

// --- a stored judgment that no longer parses is derived data: judged again

TEST_F(JudgmentStoreTest, OpenRejudgesACurrentJudgmentThatDoesNotParse) {
  const int64_t id = Publish(Model("base", kLlama));
  const Judgment before = JudgmentOf(id);
  ASSERT_NO_FATAL_FAILURE(
      Sql("UPDATE record_judgments SET judgment = 'not json'"));

  ASSERT_NO_FATAL_FAILURE(Open());

  EXPECT_EQ(store_->startup_judgments().judged, 1);
  EXPECT_THAT(store_->startup_judgments().unreadable,
              ElementsAre(AllOf(HasSubstr("acme-ai/base@1"),
                                HasSubstr("does not parse"))));
  EXPECT_THAT(store_->startup_judgments().unjudged, IsEmpty());
  EXPECT_EQ(JudgmentOf(id), before);
}

TEST_F(JudgmentStoreTest, OpenRejudgesAChildWhoseParentJudgmentDoesNotParse) {
  const int64_t base = Publish(Model("base", kLlama));
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  const int64_t tuned = Publish(child);
  const Judgment before = JudgmentOf(tuned);
  ASSERT_NO_FATAL_FAILURE(Sql(absl::StrCat(
      "UPDATE record_judgments SET judgment = '{\"label\": 7}' "
      "WHERE record_id = ",
      base, "; DELETE FROM record_judgments WHERE record_id = ", tuned)));

  ASSERT_NO_FATAL_FAILURE(Open());

  EXPECT_EQ(store_->startup_judgments().judged, 2);
  EXPECT_THAT(store_->startup_judgments().unjudged, IsEmpty());
  EXPECT_EQ(JudgmentOf(tuned), before);
}

TEST_F(JudgmentStoreTest,
       UnparseableJudgmentOfAnUnjudgeableRecordIsDroppedAndNamed) {
  const int64_t base = Publish(Model("base", kLlama));
  ASSERT_NO_FATAL_FAILURE(
      Sql("UPDATE records SET envelope = 'garbage'; "
          "UPDATE record_judgments SET judgment = 'not json'"));

  ASSERT_NO_FATAL_FAILURE(Open());

  EXPECT_EQ(store_->startup_judgments().judged, 0);
  EXPECT_THAT(store_->startup_judgments().unreadable,
              ElementsAre(HasSubstr("acme-ai/base@1")));
  EXPECT_THAT(store_->startup_judgments().unjudged,
              ElementsAre(AllOf(HasSubstr("acme-ai/base@1"),
                                HasSubstr("stored envelope"))));
  ASSERT_OK_AND_ASSIGN(const auto judgments, store_->GetJudgments({base}));
  EXPECT_THAT(judgments, IsEmpty());
}

TEST_F(JudgmentStoreTest, GetJudgmentsOmitsAJudgmentThatDoesNotParse) {
  const int64_t base = Publish(Model("base", kLlama));
  const int64_t other = Publish(Model("other", "Apache-2.0"));
  ASSERT_NO_FATAL_FAILURE(Sql(absl::StrCat(
      "UPDATE record_judgments SET judgment = 'not json' WHERE record_id = ",
      base)));

  const absl::StatusOr<std::map<int64_t, Judgment>> judgments =
      store_->GetJudgments({base, other});

  ASSERT_THAT(judgments, IsOk());
  EXPECT_THAT(*judgments, ElementsAre(Pair(other, ::testing::_)));
}

TEST_F(JudgmentStoreTest,
       PublishUnderAParentWhoseJudgmentDoesNotParseIsRefused) {
  Publish(Model("base", kLlama));
  ASSERT_NO_FATAL_FAILURE(
      Sql("UPDATE record_judgments SET judgment = 'not json'"));
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  ASSERT_OK_AND_ASSIGN(const NewRecord wrapped, Wrap(child));

  const absl::StatusOr<PublishResult> result = store_->PublishRecord(wrapped);

  // Open drops and re-judges it, so here a restart does help.
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("acme-ai/base@1 has no judgment"),
                             HasSubstr("does not parse"),
                             HasSubstr("restart the server to re-judge"))));
}

// --- stored lineage edges

TEST_F(JudgmentStoreTest, StoredParentRefThatDoesNotParseIsNamedNotIgnored) {
  Publish(Model("base", kLlama));
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  const int64_t tuned = Publish(child);
  ASSERT_NO_FATAL_FAILURE(Sql(absl::StrCat(
      "UPDATE lineage_edges SET parent_ref = 'no ref here' "
      "WHERE child_record_id = ",
      tuned, "; DELETE FROM record_judgments WHERE record_id = ", tuned)));

  ASSERT_NO_FATAL_FAILURE(Open());

  EXPECT_EQ(store_->startup_judgments().judged, 0);
  EXPECT_THAT(store_->startup_judgments().unjudged,
              ElementsAre(AllOf(HasSubstr("acme-ai/tuned@1"),
                                HasSubstr("\"no ref here\""),
                                HasSubstr("does not parse"))));
  ASSERT_OK_AND_ASSIGN(const auto judgments, store_->GetJudgments({tuned}));
  EXPECT_THAT(judgments, IsEmpty());
}

// --- the hint a refused publish gives: a restart only where it would help

TEST_F(JudgmentStoreTest,
       PublishUnderAParentUnjudgeableAtStartUpNamesTheCauseNotARestart) {
  const int64_t base = Publish(Model("base", kLlama));
  ASSERT_NO_FATAL_FAILURE(Sql(
      absl::StrCat("UPDATE records SET envelope = 'garbage' WHERE id = ", base,
                   "; DELETE FROM record_judgments")));
  ASSERT_NO_FATAL_FAILURE(Open());
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  ASSERT_OK_AND_ASSIGN(const NewRecord wrapped, Wrap(child));

  const absl::StatusOr<PublishResult> result = store_->PublishRecord(wrapped);

  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("acme-ai/base@1 has no judgment"),
                             HasSubstr("stored envelope does not parse"),
                             HasSubstr("restarting will not help"),
                             Not(HasSubstr("restart the server")))));
}

TEST_F(JudgmentStoreTest,
       PublishUnderAParentLeftWithAnOldJudgmentAtStartUpNamesTheCause) {
  const int64_t base = Publish(Model("base", kLlama));
  // Re-judging the base fails at start-up, so its old row stays.
  ASSERT_NO_FATAL_FAILURE(Sql(absl::StrCat(
      "UPDATE records SET envelope = 'garbage' WHERE id = ", base,
      "; UPDATE record_judgments SET rule_set_version = 'pedigree-rules/0'")));
  ASSERT_NO_FATAL_FAILURE(Open());
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  ASSERT_OK_AND_ASSIGN(const NewRecord wrapped, Wrap(child));

  const absl::StatusOr<PublishResult> result = store_->PublishRecord(wrapped);

  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("acme-ai/base@1 has no judgment"),
                             HasSubstr("stored envelope does not parse"),
                             Not(HasSubstr("restart the server")))));
}

TEST_F(JudgmentStoreTest, RestartHintForAParentOfAnotherRuleSetIsRight) {
  Publish(Model("base", kLlama));
  // Written by a server of another rule set after this one started.
  ASSERT_NO_FATAL_FAILURE(
      Sql("UPDATE record_judgments SET rule_set_version = 'pedigree-rules/0'"));
  Record child = Model("tuned", "MIT");
  child.lineage.push_back(Parent("base", Relation::kFinetune));
  ASSERT_OK_AND_ASSIGN(const NewRecord wrapped, Wrap(child));

  const absl::StatusOr<PublishResult> refused = store_->PublishRecord(wrapped);
  ASSERT_NO_FATAL_FAILURE(Open());
  const absl::StatusOr<PublishResult> after_restart =
      store_->PublishRecord(wrapped);

  EXPECT_THAT(refused,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("acme-ai/base@1 has no judgment"),
                             HasSubstr("pedigree-rules/0"),
                             HasSubstr("restart the server to re-judge"))));
  EXPECT_THAT(after_restart, IsOk());
}

// --- which models were trained on dataset X

class DatasetUsersTest : public JudgmentStoreTest {
 protected:
  void SetUp() override {
    JudgmentStoreTest::SetUp();
    if (HasFatalFailure()) return;
    // pile-model declares the dataset; tuned fine-tunes it, quant quantizes
    // tuned, student is distilled from it, lookalike only reuses its
    // architecture, other declares another dataset.
    Record pile = Model("pile-model", "Apache-2.0");
    pile.datasets.push_back(Data("the-pile", 'p'));
    Publish(pile);
    Record tuned = Model("tuned", "Apache-2.0");
    tuned.lineage.push_back(Parent("pile-model", Relation::kFinetune));
    Publish(tuned);
    Record quant = Model("quant", "Apache-2.0");
    quant.lineage.push_back(Parent("tuned", Relation::kQuantized));
    Publish(quant);
    Record student = Model("student", "Apache-2.0");
    student.lineage.push_back(Parent("pile-model", Relation::kDistillation));
    Publish(student);
    Record lookalike = Model("lookalike", "Apache-2.0");
    lookalike.lineage.push_back(
        Parent("pile-model", Relation::kArchitectureReuse));
    Publish(lookalike);
    Record other = Model("other", "Apache-2.0");
    other.datasets.push_back(Data("fineweb", 'f'));
    Publish(other);
  }

  static DatasetQuery ByName(const std::string& name, bool downstream) {
    DatasetQuery query;
    query.name = name;
    query.downstream = downstream;
    return query;
  }
};

TEST_F(DatasetUsersTest, DirectUsersByName) {
  EXPECT_THAT(AllUsers(ByName("the-pile", false)),
              ElementsAre(Pair("pile-model", 0)));
}

TEST_F(DatasetUsersTest, DirectUsersByDigest) {
  DatasetQuery query;
  query.sha256 = core::record::FilledBytes('f', 32);

  EXPECT_THAT(AllUsers(query), ElementsAre(Pair("other", 0)));
}

TEST_F(DatasetUsersTest, DownstreamFollowsEveryRelationButArchitectureReuse) {
  EXPECT_THAT(AllUsers(ByName("the-pile", true)),
              ElementsAre(Pair("pile-model", 0), Pair("tuned", 1),
                          Pair("student", 1), Pair("quant", 2)));
}

TEST_F(DatasetUsersTest, DownstreamNamesTheNearestDirectUserAndTheUses) {
  ASSERT_OK_AND_ASSIGN(
      const DatasetUserPage page,
      store_->ListDatasetUsers(ByName("the-pile", true), {100, ""}));

  ASSERT_THAT(page.users, SizeIs(4));
  EXPECT_THAT(
      page.users[0].uses,
      ElementsAre(AllOf(Field(&DatasetUseRow::name, "the-pile"),
                        Field(&DatasetUseRow::role, "pretraining"),
                        Field(&DatasetUseRow::disclosure, "full_release"))));
  EXPECT_TRUE(page.users[0].via_record_digest.empty());
  EXPECT_EQ(page.users[3].via_ref.name, "pile-model");
  EXPECT_EQ(page.users[3].via_record_digest,
            page.users[0].record.record_digest);
  EXPECT_THAT(page.users[3].uses, IsEmpty());
}

TEST_F(DatasetUsersTest, PagesOfOneGiveTheSameUsers) {
  EXPECT_EQ(AllUsers(ByName("the-pile", true), 1),
            AllUsers(ByName("the-pile", true), 100));
}

TEST_F(DatasetUsersTest, MergeOfTwoUsersAppearsOnceAtItsNearestDistance) {
  Record merged = Model("merged", "Apache-2.0");
  merged.lineage.push_back(Parent("pile-model", Relation::kMerge));
  merged.lineage.push_back(Parent("quant", Relation::kMerge));
  Publish(merged);

  EXPECT_THAT(AllUsers(ByName("the-pile", true)), Contains(Pair("merged", 1)));
  EXPECT_THAT(AllUsers(ByName("the-pile", true)), SizeIs(5));
}

TEST_F(DatasetUsersTest, UnknownDatasetHasNoUsers) {
  EXPECT_THAT(AllUsers(ByName("no-such-data", true)), IsEmpty());
}

TEST_F(DatasetUsersTest, MalformedQueriesAreRefused) {
  DatasetQuery both = ByName("the-pile", false);
  both.sha256 = core::record::FilledBytes('p', 32);
  DatasetQuery short_digest;
  short_digest.sha256 = "abc";

  EXPECT_THAT(store_->ListDatasetUsers(both, {10, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->ListDatasetUsers(DatasetQuery(), {10, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->ListDatasetUsers(short_digest, {10, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->ListDatasetUsers(ByName("the-pile", false),
                                       {10, "bm90LWEtdG9rZW4="}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("malformed page token")));
}

}  // namespace
}  // namespace pedigree::server::storage
