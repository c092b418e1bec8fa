// Crash tests of the transparency log (issue #5, "Guarantees to test").
// pedigreed publishes under concurrent load; then the server (first test) or
// its PostgreSQL (second test) is killed with SIGKILL, pedigreed restarts on
// the same data and log key, and the test checks, trusting only the log key
// it generated itself (never the server's statement of it):
// - every acknowledged record is present with the log index it was given and
//   is proven included in the newest checkpoint;
// - the log's entries are exactly the indexes [0, tree size), each once, and
//   they hash to the newest checkpoint's root;
// - every checkpoint handed to a client before the crash is consistent with
//   the newest one;
// - a publish that was not acknowledged is either fully in the log (with a
//   valid proof) or absent, and a record never sent is absent;
// - publishing after the restart continues the log without a gap.
//
// Environment: PEDIGREED (set by tests/CMakeLists.txt), and
// PEDIGREE_TEST_PG_DSN for the server-kill test's database. The
// PostgreSQL-kill test runs pedigreed with its embedded PostgreSQL, which
// pedigreed always runs durable (fsync and synchronous_commit on).

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/crypto/keys.h"
#include "core/dsse/envelope.h"
#include "core/encoding/hex.h"
#include "core/merkle/tree.h"
#include "core/merkle/verify.h"
#include "core/note/checkpoint.h"
#include "core/note/note.h"
#include "core/record/log_entry.h"
#include "core/record/record.h"
#include "core/record/record_envelope.h"
#include "core/record/record_test_util.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "pedigree/v1/registry.grpc.pb.h"
#include "server/util/subprocess.h"
#include "tests/testing/e2e_util.h"
#include "tests/testing/pg_fixture.h"
#include "tests/testing/status_matchers.h"

namespace pedigree {
namespace {

namespace fs = std::filesystem;
using ::pedigree::server::ExitStatus;
using ::pedigree::server::Subprocess;
using ::pedigree::server::SubprocessOptions;
using ::pedigree::testing::CallDeadline;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::ReadFile;
using ::testing::AnyOf;
using ::testing::Each;
using ::testing::Eq;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kLoadTimeout = absl::Seconds(20);
constexpr absl::Duration kStopTimeout = absl::Seconds(20);
constexpr absl::Duration kPollInterval = absl::Milliseconds(2);
constexpr char kNamespace[] = "crash-ai";
constexpr char kLogOrigin[] = "crash.e2e.pedigree.dev/log";
constexpr char kKeyEntryPrefix[] = "pedigree/log-entry/v1 key\n";
// Records signed up front; the crash comes after kAcksBeforeCrash of them
// were acknowledged, and kRecordsAfterRestart more are published after the
// restart.
constexpr size_t kRecordCount = 2000;
constexpr size_t kClientThreads = 32;
constexpr size_t kAcksBeforeCrash = 300;
constexpr size_t kRecordsAfterRestart = 100;
constexpr uint32_t kEntriesPerPage = 256;

// A record signed for publication.
struct SignedRecord {
  std::string envelope;   // the DSSE envelope JSON, exactly as signed
  std::string digest;     // record digest, lowercase hex
  std::string log_entry;  // RecordLogEntry(envelope)
  std::string leaf_hash;  // raw HashLeaf(log_entry)
};

// A publish the server acknowledged: what it promised.
struct Ack {
  size_t record = 0;  // index into the signed records
  v1::PublishRecordResponse response;
};

// What one load run saw. Every record in [begin, sent_end) was sent exactly
// once and is either acknowledged or failed; none after sent_end was sent.
struct LoadOutcome {
  std::vector<Ack> acks;
  std::vector<std::pair<size_t, grpc::Status>> failures;
  // Failures of calls that ended before the crash was set off (a bug).
  std::vector<std::string> failures_before_crash;
  size_t sent_end = 0;
};

// Publishes records [begin, end) from kClientThreads threads over one
// channel until they run out or Stop() is called; after MarkCrash(), each
// thread ends at its first failure. Thread-safe.
class PublishLoad {
 public:
  PublishLoad(v1::Registry::Stub* stub,
              const std::vector<SignedRecord>* records, size_t begin,
              size_t end)
      : stub_(stub), records_(records), end_(end), next_(begin) {
    for (size_t i = 0; i < kClientThreads; ++i) {
      threads_.emplace_back([this] { Work(); });
    }
  }

  ~PublishLoad() { Join(); }

  size_t acked() const { return acked_.load(); }
  size_t failed_after_crash() const { return failed_after_crash_.load(); }

  // Call right before the crash is set off: failures seen before it count
  // as failures_before_crash.
  void MarkCrash() { crashed_.store(true); }
  // The threads finish their current call and send nothing more.
  void Stop() { stop_.store(true); }

  // Waits for the threads to end and returns what they saw.
  LoadOutcome Join() {
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    absl::MutexLock lock(&mu_);
    outcome_.sent_end = std::min(next_.load(), end_);
    return outcome_;
  }

 private:
  void Work() {
    while (!stop_.load()) {
      const size_t i = next_++;
      if (i >= end_) return;
      grpc::ClientContext context;
      context.set_deadline(CallDeadline());
      v1::PublishRecordRequest request;
      request.set_envelope((*records_)[i].envelope);
      v1::PublishRecordResponse response;
      const grpc::Status status =
          stub_->PublishRecord(&context, request, &response);
      const bool crashed = crashed_.load();
      absl::MutexLock lock(&mu_);
      if (status.ok()) {
        outcome_.acks.push_back(Ack{i, std::move(response)});
        ++acked_;
        continue;
      }
      outcome_.failures.emplace_back(i, status);
      if (crashed) {
        // This client has seen the outage; hammering a dead server would
        // only use up records.
        ++failed_after_crash_;
        return;
      }
      outcome_.failures_before_crash.push_back(
          absl::StrCat("record ", i, ": code ", status.error_code(), ": ",
                       status.error_message()));
    }
  }

  v1::Registry::Stub* const stub_;
  const std::vector<SignedRecord>* const records_;
  const size_t end_;
  std::atomic<size_t> next_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> crashed_{false};
  std::atomic<size_t> acked_{0};
  std::atomic<size_t> failed_after_crash_{0};
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  LoadOutcome outcome_ ABSL_GUARDED_BY(mu_);
};

// Repeats `done` every kPollInterval until it holds or `timeout` passes;
// returns its last value.
template <typename Condition>
bool PollUntil(Condition done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(kPollInterval);
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> DecodeHashes(
    const google::protobuf::RepeatedPtrField<std::string>& hex_hashes) {
  std::vector<std::string> hashes;
  for (const std::string& hex : hex_hashes) {
    absl::StatusOr<std::string> hash = core::HexDecode(hex);
    if (!hash.ok()) return hash.status();
    hashes.push_back(*std::move(hash));
  }
  return hashes;
}

// Returns OK if `proof` proves the leaf `leaf_hash` at its index in the tree
// of `checkpoint` (whose note was verified); the proof must be for that size.
absl::Status VerifyInclusionProof(const v1::InclusionProof& proof,
                                  absl::string_view leaf_hash,
                                  const core::note::Checkpoint& checkpoint) {
  if (proof.tree_size() != checkpoint.size) {
    return absl::FailedPreconditionError(
        absl::StrCat("proof is for tree size ", proof.tree_size(),
                     ", checkpoint has ", checkpoint.size));
  }
  absl::StatusOr<std::vector<std::string>> hashes =
      DecodeHashes(proof.hashes());
  if (!hashes.ok()) return hashes.status();
  return core::merkle::VerifyInclusion(proof.log_index(), checkpoint.size,
                                       leaf_hash, *hashes,
                                       checkpoint.root_hash);
}

// The process ids whose parent is `parent` (from /proc/<pid>/stat).
std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc", ec)) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &pid)) continue;
    std::string stat;
    std::ifstream in(entry.path() / "stat");
    std::getline(in, stat);
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) continue;
    const std::vector<std::string> fields =
        absl::StrSplit(stat.substr(paren + 2), ' ');
    pid_t ppid = 0;
    if (fields.size() >= 2 && absl::SimpleAtoi(fields[1], &ppid) &&
        ppid == parent) {
      children.push_back(pid);
    }
  }
  return children;
}

// True if `pid` is gone or a zombie (so it holds no shared memory).
bool IsDead(pid_t pid) {
  std::string stat;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  if (!std::getline(in, stat)) return true;
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] == 'Z';
}

// The pid of the postmaster serving the embedded cluster under `data_dir`.
absl::StatusOr<pid_t> PostmasterPid(const std::string& data_dir) {
  std::ifstream in(data_dir + "/pgdata/postmaster.pid");
  std::string first_line;
  pid_t pid = 0;
  if (!std::getline(in, first_line) || !absl::SimpleAtoi(first_line, &pid) ||
      pid <= 0) {
    return absl::NotFoundError(
        absl::StrCat("no postmaster pid in ", data_dir, "/pgdata"));
  }
  return pid;
}

class LogCrashTest : public ::testing::Test {
 protected:
  // A started pedigreed and a stub over a channel to it.
  struct Server {
    Subprocess* process = nullptr;
    size_t index = 0;  // for Stderr()
    std::unique_ptr<v1::Registry::Stub> registry;
  };

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(binary_, testing::BinaryFromEnv("PEDIGREED"));
    ASSERT_THAT(temp_dir_.Create("pedigree-log-crash"), IsOk());
    ASSERT_THAT(temp_dir_.AllowOthersToEnter(), IsOk());
    ASSERT_NO_FATAL_FAILURE(CreateLogKey());
    ASSERT_NO_FATAL_FAILURE(SignRecords());
  }

  void TearDown() override {
    // pedigreed stops its embedded PostgreSQL on SIGTERM; a SIGKILLed one
    // would leave it shutting down while the directory is removed.
    for (const std::unique_ptr<Subprocess>& process : processes_.processes()) {
      if (process->Signal(SIGTERM).ok()) {
        process->Wait(absl::Now() + kStopTimeout).IgnoreError();
      }
    }
    processes_.Clear();  // kills any still running
    database_.reset();
  }

  // Writes a fresh log key for --log-key-file and derives the verifier key
  // the test pins from it.
  void CreateLogKey() {
    ASSERT_OK_AND_ASSIGN(
        core::crypto::PrivateKey key,
        core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519));
    ASSERT_OK_AND_ASSIGN(const std::string pem, key.ExportPemForStorage());
    log_key_file_ = temp_dir_.Path("log-key.pem");
    const int fd = ::open(log_key_file_.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    const ssize_t written = ::write(fd, pem.data(), pem.size());
    ::close(fd);
    ASSERT_EQ(written, static_cast<ssize_t>(pem.size()));
    ASSERT_OK_AND_ASSIGN(
        const core::note::NoteSigner signer,
        core::note::NoteSigner::Create(kLogOrigin, std::move(key)));
    verifier_key_ = signer.VerifierKey();
    ASSERT_OK_AND_ASSIGN(
        verifier_, core::note::NoteVerifier::FromVerifierKey(verifier_key_));
  }

  // Signs kRecordCount versions of one model with a new publisher key.
  void SignRecords() {
    ASSERT_OK_AND_ASSIGN(publisher_key_, core::crypto::PrivateKey::Generate(
                                             core::crypto::KeyType::kEd25519));
    core::record::Record record = core::record::MinimalRecordForTest();
    record.model.ref.namespace_name = kNamespace;
    for (size_t i = 0; i < kRecordCount; ++i) {
      record.model.ref.version = absl::StrCat("v", i);
      ASSERT_OK_AND_ASSIGN(
          const core::dsse::Envelope envelope,
          core::record::SignRecord(record, {&*publisher_key_}));
      SignedRecord signed_record;
      signed_record.envelope = core::dsse::SerializeEnvelope(envelope);
      ASSERT_OK_AND_ASSIGN(signed_record.digest,
                           core::record::RecordDigest(envelope));
      signed_record.log_entry =
          core::record::RecordLogEntry(signed_record.envelope);
      ASSERT_OK_AND_ASSIGN(signed_record.leaf_hash,
                           core::merkle::HashLeaf(signed_record.log_entry));
      record_by_entry_.emplace(signed_record.log_entry, i);
      records_.push_back(std::move(signed_record));
    }
  }

  // Creates a fresh database on the PEDIGREE_TEST_PG_DSN server.
  void UseScratchDatabase() {
    ASSERT_OK_AND_ASSIGN(const std::string admin_dsn, testing::TestAdminDsn());
    ASSERT_OK_AND_ASSIGN(database_,
                         testing::ScratchDatabase::Create(admin_dsn));
  }

  // The flags that choose the database: the scratch database if there is
  // one, else the embedded PostgreSQL under data_dir().
  std::vector<std::string> DatabaseFlags() const {
    if (database_ != nullptr) return {"--database-url", database_->dsn()};
    return {"--data-dir", data_dir()};
  }
  std::string data_dir() const { return temp_dir_.Path("data"); }

  // Starts pedigreed on 127.0.0.1:0 with the test's log key and origin and
  // waits for its "listening" line; leaves `registry` null on failure.
  Server Start() {
    Server server;
    SubprocessOptions options;
    options.argv = {binary_,          "--listen",      "127.0.0.1:0",
                    "--log-key-file", log_key_file_,   "--log-origin",
                    kLogOrigin,       "--admin-token", testing::kE2eAdminToken};
    for (std::string& flag : DatabaseFlags()) {
      options.argv.push_back(std::move(flag));
    }
    server.index = processes_.size();
    server.process = processes_.Start(std::move(options));
    if (server.process == nullptr) return server;
    const absl::Time start = absl::Now();
    absl::StatusOr<int> port =
        testing::ReadListeningPort(*server.process, start + kStartTimeout);
    RecordProperty(absl::StrCat("server_", server.index, "_start_seconds"),
                   absl::StrCat(absl::ToDoubleSeconds(absl::Now() - start)));
    EXPECT_THAT(port, IsOk()) << "stderr:\n" << Stderr(server.index);
    if (!port.ok()) return server;
    server.registry = v1::Registry::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials()));
    return server;
  }

  // SIGKILLs pedigreed and waits for it to die. Keeps the stub (clients may
  // still be using it).
  void KillServer(Server* server) {
    ASSERT_THAT(server->process->Signal(SIGKILL), IsOk());
    ASSERT_OK_AND_ASSIGN(const ExitStatus exit,
                         server->process->Wait(absl::Now() + kStopTimeout));
    EXPECT_FALSE(exit.exited) << exit.ToString();
  }

  // Sends SIGTERM and waits; SIGKILLs a server that does not stop in time.
  // Returns how it ended.
  std::string StopServer(Server* server) {
    server->registry.reset();
    EXPECT_THAT(server->process->Signal(SIGTERM), IsOk());
    absl::StatusOr<ExitStatus> exit =
        server->process->Wait(absl::Now() + kStopTimeout);
    if (exit.ok()) return exit->ToString();
    EXPECT_THAT(server->process->Signal(SIGKILL), IsOk());
    exit = server->process->Wait(absl::Now() + kStopTimeout);
    return absl::StrCat("hung after SIGTERM; ",
                        exit.ok() ? exit->ToString() : "still running");
  }

  std::string Stderr(size_t index) const { return processes_.Stderr(index); }

  // Creates kNamespace and registers the publisher key (one log entry).
  void RegisterPublisher(const Server& server) {
    {
      grpc::ClientContext context;
      testing::SetAdminContext(context);
      v1::CreateNamespaceRequest request;
      request.set_name(kNamespace);
      v1::Namespace response;
      const grpc::Status status =
          server.registry->CreateNamespace(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
    grpc::ClientContext context;
    testing::SetAdminContext(context);
    v1::AddKeyRequest request;
    request.set_namespace_name(kNamespace);
    request.set_public_key_pem(publisher_key_->public_key().ToPem());
    v1::Key response;
    const grpc::Status status =
        server.registry->AddKey(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Starts a load on records [begin, kRecordCount), waits for
  // kAcksBeforeCrash acknowledgements, runs `crash`, waits until
  // `failures_to_wait_for` calls failed after it (or kLoadTimeout), stops
  // the load and returns what it saw.
  template <typename Crash>
  LoadOutcome LoadAndCrash(const Server& server, Crash crash,
                           size_t failures_to_wait_for) {
    PublishLoad load(server.registry.get(), &records_, 0, kRecordCount);
    const absl::Time start = absl::Now();
    const bool reached = PollUntil(
        [&] { return load.acked() >= kAcksBeforeCrash; }, kLoadTimeout);
    EXPECT_TRUE(reached) << "only " << load.acked() << " acknowledged in "
                         << kLoadTimeout << "\n"
                         << Stderr(server.index);
    RecordProperty("load_seconds_before_crash",
                   absl::StrCat(absl::ToDoubleSeconds(absl::Now() - start)));
    load.MarkCrash();
    crash();
    PollUntil([&] { return load.failed_after_crash() >= failures_to_wait_for; },
              kLoadTimeout);
    load.Stop();
    LoadOutcome outcome = load.Join();
    RecordProperty("acknowledged_before_crash",
                   static_cast<int>(outcome.acks.size()));
    RecordProperty("failed_around_crash",
                   static_cast<int>(outcome.failures.size()));
    RecordProperty("sent", static_cast<int>(outcome.sent_end));
    std::map<std::string, int> codes;
    for (const auto& [record_index, status] : outcome.failures) {
      ++codes[absl::StrCat(status.error_code(), " ", status.error_message())];
    }
    std::string summary;
    for (const auto& [code, count] : codes) {
      absl::StrAppend(&summary, count, "x [", code, "]; ");
    }
    RecordProperty("failures", summary);
    return outcome;
  }

  // Reads the whole log from `server` and checks it against the pinned key:
  // the newest checkpoint verifies, the entries are [0, size) in order and
  // hash to its root. Fills `checkpoint` and `entries`.
  void ReadVerifiedLog(const Server& server, core::note::Checkpoint* checkpoint,
                       std::vector<std::string>* entries) {
    grpc::ClientContext context;
    context.set_deadline(CallDeadline());
    v1::GetCheckpointResponse response;
    const grpc::Status status = server.registry->GetCheckpoint(
        &context, v1::GetCheckpointRequest(), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.log_verifier_key(), verifier_key_);
    ASSERT_OK_AND_ASSIGN(
        *checkpoint, core::note::OpenCheckpoint(response.checkpoint().note(),
                                                *verifier_, kLogOrigin));
    EXPECT_EQ(response.checkpoint().tree_size(), checkpoint->size);

    entries->clear();
    while (true) {
      grpc::ClientContext page_context;
      page_context.set_deadline(CallDeadline());
      v1::GetLogEntriesRequest request;
      request.set_start(entries->size());
      request.set_count(kEntriesPerPage);
      v1::GetLogEntriesResponse page;
      const grpc::Status page_status =
          server.registry->GetLogEntries(&page_context, request, &page);
      ASSERT_TRUE(page_status.ok()) << page_status.error_message();
      ASSERT_EQ(page.tree_size(), checkpoint->size);
      if (page.entries().empty()) break;
      for (const v1::LogEntry& entry : page.entries()) {
        ASSERT_EQ(entry.log_index(), entries->size()) << "gap or duplicate";
        entries->push_back(entry.data());
      }
      ASSERT_LE(entries->size(), checkpoint->size);
    }
    ASSERT_EQ(entries->size(), checkpoint->size);

    core::merkle::TreeAppender tree;
    for (const std::string& entry : *entries) {
      ASSERT_OK_AND_ASSIGN(const std::string leaf,
                           core::merkle::HashLeaf(entry));
      ASSERT_THAT(tree.Append(leaf), IsOk());
    }
    ASSERT_OK_AND_ASSIGN(const std::string root, tree.RootHash());
    EXPECT_EQ(core::HexEncode(root), core::HexEncode(checkpoint->root_hash));
  }

  // Checks that the log holds one key entry and records only from `sent`,
  // each once.
  void ExpectEntriesAreKnown(const std::vector<std::string>& entries,
                             const std::set<size_t>& sent) {
    size_t keys = 0;
    std::set<size_t> seen;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (absl::string_view(entries[i]).substr(0, strlen(kKeyEntryPrefix)) ==
          kKeyEntryPrefix) {
        ++keys;
        continue;
      }
      const auto it = record_by_entry_.find(entries[i]);
      ASSERT_NE(it, record_by_entry_.end()) << "unknown entry at " << i;
      EXPECT_EQ(sent.count(it->second), 1u) << "record never sent at " << i;
      EXPECT_TRUE(seen.insert(it->second).second)
          << "record " << it->second << " logged twice, again at " << i;
    }
    EXPECT_EQ(keys, 1u);
  }

  // Checks what `ack` promised (its proof against its own checkpoint) and
  // that the restarted server keeps the promise in the tree of `newest`;
  // adds the ack's checkpoint to `promised`.
  void ExpectAckHolds(const Server& server, const Ack& ack,
                      const core::note::Checkpoint& newest,
                      const std::vector<std::string>& entries,
                      std::map<uint64_t, std::string>* promised) {
    const SignedRecord& record = records_[ack.record];
    const v1::PublishRecordResponse& response = ack.response;
    const uint64_t index = response.record().log_index();
    EXPECT_EQ(response.record().record_digest(), record.digest);
    EXPECT_FALSE(response.already_existed());
    ASSERT_EQ(response.inclusion().proof().log_index(), index);
    ASSERT_OK_AND_ASSIGN(
        const core::note::Checkpoint at_ack,
        core::note::OpenCheckpoint(response.inclusion().checkpoint().note(),
                                   *verifier_, kLogOrigin));
    EXPECT_THAT(VerifyInclusionProof(response.inclusion().proof(),
                                     record.leaf_hash, at_ack),
                IsOk())
        << "acknowledged proof of record " << ack.record;
    const auto [it, inserted] =
        promised->emplace(at_ack.size, at_ack.root_hash);
    EXPECT_TRUE(inserted || it->second == at_ack.root_hash)
        << "two roots for tree size " << at_ack.size;

    ASSERT_LT(index, entries.size());
    EXPECT_EQ(entries[index], record.log_entry) << "entry " << index;

    grpc::ClientContext get_context;
    get_context.set_deadline(CallDeadline());
    v1::GetRecordRequest get;
    get.set_record_digest(record.digest);
    v1::GetRecordResponse stored;
    const grpc::Status get_status =
        server.registry->GetRecord(&get_context, get, &stored);
    ASSERT_TRUE(get_status.ok())
        << "record " << ack.record << ": " << get_status.error_message();
    EXPECT_EQ(stored.summary().log_index(), index);
    EXPECT_EQ(stored.envelope(), record.envelope);

    grpc::ClientContext proof_context;
    proof_context.set_deadline(CallDeadline());
    v1::GetInclusionProofRequest request;
    request.set_record_digest(record.digest);
    request.set_tree_size(newest.size);
    v1::GetInclusionProofResponse proof;
    const grpc::Status proof_status =
        server.registry->GetInclusionProof(&proof_context, request, &proof);
    ASSERT_TRUE(proof_status.ok()) << proof_status.error_message();
    EXPECT_EQ(proof.proof().log_index(), index);
    EXPECT_EQ(proof.leaf_hash(), core::HexEncode(record.leaf_hash));
    EXPECT_THAT(VerifyInclusionProof(proof.proof(), record.leaf_hash, newest),
                IsOk())
        << "record " << ack.record << " at " << index;
  }

  // Checks that each of `promised` (size -> root) is a prefix of `newest`.
  void ExpectConsistent(const Server& server,
                        const std::map<uint64_t, std::string>& promised,
                        const core::note::Checkpoint& newest) {
    for (const auto& [size, root] : promised) {
      grpc::ClientContext context;
      context.set_deadline(CallDeadline());
      v1::GetConsistencyProofRequest request;
      request.set_old_size(size);
      request.set_new_size(newest.size);
      v1::GetConsistencyProofResponse response;
      const grpc::Status status =
          server.registry->GetConsistencyProof(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      ASSERT_OK_AND_ASSIGN(const std::vector<std::string> hashes,
                           DecodeHashes(response.hashes()));
      EXPECT_THAT(core::merkle::VerifyConsistency(size, newest.size, hashes,
                                                  root, newest.root_hash),
                  IsOk())
          << "tree size " << size << " to " << newest.size;
    }
  }

  // Checks a publish that was sent but not acknowledged: absent, or fully
  // present (its entry at its index, proven in `newest`). Returns whether it
  // is present.
  bool ExpectAllOrNothing(const Server& server, size_t record_index,
                          const core::note::Checkpoint& newest,
                          const std::vector<std::string>& entries) {
    const SignedRecord& record = records_[record_index];
    grpc::ClientContext context;
    context.set_deadline(CallDeadline());
    v1::GetInclusionProofRequest request;
    request.set_record_digest(record.digest);
    request.set_tree_size(newest.size);
    v1::GetInclusionProofResponse proof;
    const grpc::Status status =
        server.registry->GetInclusionProof(&context, request, &proof);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      EXPECT_THAT(entries, Each(Not(Eq(record.log_entry))))
          << "record " << record_index << " logged but not found";
      return false;
    }
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) return false;
    const uint64_t index = proof.proof().log_index();
    EXPECT_LT(index, entries.size());
    if (index < entries.size()) {
      EXPECT_EQ(entries[index], record.log_entry);
    }
    EXPECT_THAT(VerifyInclusionProof(proof.proof(), record.leaf_hash, newest),
                IsOk())
        << "unacknowledged record " << record_index << " at " << index;
    return true;
  }

  // The checks after a crash and restart, then more publishes: see the file
  // comment. `outcome` is the load that crashed.
  void ExpectLogSurvived(const Server& server, const LoadOutcome& outcome) {
    core::note::Checkpoint newest;
    std::vector<std::string> entries;
    ASSERT_NO_FATAL_FAILURE(ReadVerifiedLog(server, &newest, &entries));
    std::set<size_t> sent;
    for (size_t i = 0; i < outcome.sent_end; ++i) sent.insert(i);
    ASSERT_NO_FATAL_FAILURE(ExpectEntriesAreKnown(entries, sent));
    std::map<uint64_t, std::string> promised;
    for (const Ack& ack : outcome.acks) {
      ASSERT_NO_FATAL_FAILURE(
          ExpectAckHolds(server, ack, newest, entries, &promised));
    }
    ASSERT_NO_FATAL_FAILURE(ExpectConsistent(server, promised, newest));
    int present = 0;
    for (const auto& [record_index, status] : outcome.failures) {
      if (ExpectAllOrNothing(server, record_index, newest, entries)) ++present;
    }
    RecordProperty("tree_size_after_restart", static_cast<int>(newest.size));
    RecordProperty("checkpoints_promised_before_crash",
                   static_cast<int>(promised.size()));
    RecordProperty("unacknowledged_but_present", present);
    // One key entry, every acknowledged record, and the present others.
    EXPECT_EQ(newest.size, 1 + outcome.acks.size() + present);

    ASSERT_LE(outcome.sent_end + kRecordsAfterRestart, kRecordCount);
    PublishLoad more(server.registry.get(), &records_, outcome.sent_end,
                     outcome.sent_end + kRecordsAfterRestart);
    const LoadOutcome after = more.Join();
    EXPECT_THAT(after.failures_before_crash, ::testing::IsEmpty());
    ASSERT_EQ(after.acks.size(), kRecordsAfterRestart);
    core::note::Checkpoint final_checkpoint;
    std::vector<std::string> final_entries;
    ASSERT_NO_FATAL_FAILURE(
        ReadVerifiedLog(server, &final_checkpoint, &final_entries));
    EXPECT_EQ(final_checkpoint.size, newest.size + kRecordsAfterRestart);
    EXPECT_TRUE(
        std::equal(entries.begin(), entries.end(), final_entries.begin()))
        << "entries before the new publishes changed";
    for (size_t i = outcome.sent_end; i < after.sent_end; ++i) sent.insert(i);
    ASSERT_NO_FATAL_FAILURE(ExpectEntriesAreKnown(final_entries, sent));
    std::map<uint64_t, std::string> promised_after;
    for (const Ack& ack : after.acks) {
      EXPECT_GE(ack.response.record().log_index(), newest.size);
      ASSERT_NO_FATAL_FAILURE(ExpectAckHolds(server, ack, final_checkpoint,
                                             final_entries, &promised_after));
    }
    promised.emplace(newest.size, newest.root_hash);
    promised.insert(promised_after.begin(), promised_after.end());
    ASSERT_NO_FATAL_FAILURE(
        ExpectConsistent(server, promised, final_checkpoint));
  }

  enum class PostgresKill {
    // SIGKILL the postmaster only: its backends notice and exit by
    // themselves, possibly after finishing a commit in progress.
    kPostmaster,
    // Freeze the postmaster (so it forks no more), then SIGKILL it and every
    // child (backends, WAL writer, checkpointer, ...) at once.
    kPostmasterAndChildren,
  };

  // The PostgreSQL-kill scenario: pedigreed on its embedded (durable)
  // PostgreSQL, load, `how` kill, then pedigreed is stopped and restarted on
  // the same data directory (PostgreSQL recovers from its WAL).
  void KillPostgresUnderLoad(PostgresKill how) {
    // No scratch database: pedigreed runs its embedded PostgreSQL under
    // data_dir().
    Server before = Start();
    ASSERT_NE(before.registry, nullptr);
    ASSERT_NO_FATAL_FAILURE(RegisterPublisher(before));
    ASSERT_OK_AND_ASSIGN(const pid_t postmaster, PostmasterPid(data_dir()));
    // pedigreed always runs it durable; a crash test without fsync proves
    // nothing.
    const std::string command_line =
        ReadFile(absl::StrCat("/proc/", postmaster, "/cmdline"));
    ASSERT_THAT(command_line, HasSubstr("postgres"));
    EXPECT_THAT(command_line, Not(HasSubstr("fsync=off")));
    EXPECT_THAT(command_line, Not(HasSubstr("synchronous_commit=off")));

    std::vector<pid_t> postgres_processes;
    const LoadOutcome outcome = LoadAndCrash(
        before,
        [&] {
          ASSERT_EQ(kill(postmaster, SIGSTOP), 0);
          postgres_processes = ChildrenOf(postmaster);
          postgres_processes.push_back(postmaster);
          if (how == PostgresKill::kPostmaster) {
            ASSERT_EQ(kill(postmaster, SIGKILL), 0);
            return;
          }
          for (const pid_t pid : postgres_processes) kill(pid, SIGKILL);
        },
        kClientThreads);
    const bool server_survived =
        !before.process->Wait(absl::InfinitePast()).ok();
    // A new postmaster refuses to start while old processes still attach
    // the shared memory.
    const bool postgres_gone = PollUntil(
        [&] {
          for (const pid_t pid : postgres_processes) {
            if (!IsDead(pid)) return false;
          }
          return true;
        },
        kStopTimeout);
    const std::string stopped = StopServer(&before);
    Server after = Start();

    EXPECT_TRUE(server_survived) << Stderr(before.index);
    EXPECT_TRUE(postgres_gone);
    RecordProperty("postgres_processes",
                   static_cast<int>(postgres_processes.size()));
    RecordProperty("first_server_stop", stopped);
    EXPECT_THAT(outcome.failures_before_crash, ::testing::IsEmpty());
    for (const auto& [record_index, status] : outcome.failures) {
      EXPECT_THAT(status.error_code(), AnyOf(Eq(grpc::StatusCode::UNAVAILABLE),
                                             Eq(grpc::StatusCode::INTERNAL),
                                             Eq(grpc::StatusCode::UNKNOWN)))
          << "record " << record_index << ": " << status.error_message();
    }
    ASSERT_THAT(outcome.acks.size(), Ge(kAcksBeforeCrash));
    ASSERT_NE(after.registry, nullptr) << Stderr(after.index);
    ExpectLogSurvived(after, outcome);
  }

  std::string binary_;
  testing::TempDir temp_dir_;
  std::string log_key_file_;
  std::string verifier_key_;
  std::optional<core::note::NoteVerifier> verifier_;
  std::optional<core::crypto::PrivateKey> publisher_key_;
  std::vector<SignedRecord> records_;
  std::unordered_map<std::string, size_t> record_by_entry_;
  std::unique_ptr<testing::ScratchDatabase> database_;
  testing::ProcessList processes_{&temp_dir_};
};

TEST_F(LogCrashTest, AcknowledgedRecordsSurviveServerKill) {
  ASSERT_NO_FATAL_FAILURE(UseScratchDatabase());
  Server before = Start();
  ASSERT_NE(before.registry, nullptr);
  ASSERT_NO_FATAL_FAILURE(RegisterPublisher(before));

  const LoadOutcome outcome = LoadAndCrash(
      before, [&] { KillServer(&before); }, kClientThreads);
  Server after = Start();

  EXPECT_THAT(outcome.failures_before_crash, ::testing::IsEmpty());
  ASSERT_THAT(outcome.acks.size(), Ge(kAcksBeforeCrash));
  ASSERT_NE(after.registry, nullptr);
  ExpectLogSurvived(after, outcome);
}

TEST_F(LogCrashTest, AcknowledgedRecordsSurvivePostmasterKill) {
  KillPostgresUnderLoad(PostgresKill::kPostmaster);
}

TEST_F(LogCrashTest, AcknowledgedRecordsSurviveWholePostgresKill) {
  KillPostgresUnderLoad(PostgresKill::kPostmasterAndChildren);
}

}  // namespace
}  // namespace pedigree
