// CPU cost of the steps pedigreed takes for each PublishRecord before it
// touches the database (server/service/registry_service.cc,
// PublishRecordImpl), on a record shaped like the registry bench's: parse
// the envelope, parse the statement, re-serialize it to check it is
// canonical, and verify the Ed25519 signature; the judgment the store
// computes and writes; and one SHA-256 of a Merkle node. Google Benchmark,
// one thread:
//
//   build/bench/pedigree_publish_cpu_bench

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/crypto/keys.h"
#include "core/crypto/sha256.h"
#include "core/dsse/envelope.h"
#include "core/encoding/strict_json.h"
#include "core/judgment/judgment.h"
#include "core/record/record_envelope.h"
#include "core/record/record_test_util.h"
#include "core/record/statement.h"

namespace pedigree {
namespace {

// A signed record as the registry bench publishes them, and its key.
struct Fixture {
  core::crypto::PrivateKey key;
  std::string envelope_json;
  core::dsse::Envelope envelope;
  core::record::Record record;
};

const Fixture& SignedRecord() {
  static const Fixture* const fixture = [] {
    auto key =
        core::crypto::PrivateKey::Generate(core::crypto::KeyType::kEd25519);
    if (!key.ok()) std::abort();
    core::record::Record record = core::record::MinimalRecordForTest();
    record.model.ref.namespace_name = "bench-ns";
    record.model.ref.name = "model-7";
    record.model.ref.version = "v1007";
    record.model.description = "Benchmark record 1007.";
    auto digest = core::crypto::Sha256Digest("bench-ns/1007");
    if (!digest.ok()) std::abort();
    record.artifacts.files.at(0).name = "model.safetensors";
    record.artifacts.files.at(0).sha256 = *digest;
    core::record::RecomputeRootDigest(&record);
    auto envelope = core::record::SignRecord(record, {&*key});
    if (!envelope.ok()) std::abort();
    return new Fixture{*std::move(key),
                       core::dsse::SerializeEnvelope(*envelope), *envelope,
                       std::move(record)};
  }();
  return *fixture;
}

void BM_ParseEnvelope(benchmark::State& state) {
  const Fixture& fixture = SignedRecord();
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::dsse::ParseEnvelope(fixture.envelope_json));
  }
  state.SetBytesProcessed(state.iterations() * fixture.envelope_json.size());
}
BENCHMARK(BM_ParseEnvelope);

void BM_ParseStrictJsonOfStatement(benchmark::State& state) {
  const Fixture& fixture = SignedRecord();
  const core::StrictJsonOptions options;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        core::ParseStrictJson(fixture.envelope.payload, options));
  }
  state.SetBytesProcessed(state.iterations() * fixture.envelope.payload.size());
}
BENCHMARK(BM_ParseStrictJsonOfStatement);

void BM_RecordFromEnvelope(benchmark::State& state) {
  const Fixture& fixture = SignedRecord();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        core::record::RecordFromEnvelope(fixture.envelope));
  }
}
BENCHMARK(BM_RecordFromEnvelope);

void BM_SerializeStatement(benchmark::State& state) {
  const Fixture& fixture = SignedRecord();
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::record::SerializeStatement(fixture.record));
  }
}
BENCHMARK(BM_SerializeStatement);

// What PublishRecordImpl runs: the record was validated when it was parsed.
void BM_SerializeValidStatement(benchmark::State& state) {
  const Fixture& fixture = SignedRecord();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        core::record::SerializeValidStatement(fixture.record));
  }
}
BENCHMARK(BM_SerializeValidStatement);

void BM_VerifyEnvelopeEd25519(benchmark::State& state) {
  const Fixture& fixture = SignedRecord();
  const std::vector<const core::crypto::Verifier*> trusted = {
      &fixture.key.public_key()};
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        core::dsse::VerifyEnvelope(fixture.envelope, trusted));
  }
}
BENCHMARK(BM_VerifyEnvelopeEd25519);

// The judgment of a record without parents, as the store computes it for
// every publish, and the JSON text it stores.
void BM_JudgeRecordWithoutParents(benchmark::State& state) {
  const Fixture& fixture = SignedRecord();
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::judgment::Judge(fixture.record, {}));
  }
}
BENCHMARK(BM_JudgeRecordWithoutParents);

void BM_JudgmentToJson(benchmark::State& state) {
  const Fixture& fixture = SignedRecord();
  const absl::StatusOr<core::judgment::Judgment> judgment =
      core::judgment::Judge(fixture.record, {});
  if (!judgment.ok()) std::abort();
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::judgment::JudgmentToJson(*judgment));
  }
}
BENCHMARK(BM_JudgmentToJson);

// One Merkle node hash (0x01 || left || right): the log hashes a few per
// publish, a client checking an inclusion proof one per proof step.
void BM_Sha256OfMerkleNode(benchmark::State& state) {
  const std::string node = absl::StrCat("\x01", std::string(64, 'n'));
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::crypto::Sha256Digest(node));
  }
}
BENCHMARK(BM_Sha256OfMerkleNode);

}  // namespace
}  // namespace pedigree
