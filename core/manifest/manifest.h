#ifndef PEDIGREE_CORE_MANIFEST_MANIFEST_H_
#define PEDIGREE_CORE_MANIFEST_MANIFEST_H_

// A file manifest compatible with the OpenSSF Model Signing (OMS v1.0)
// "resources" list: each entry names a file (or a byte range of one) of a
// model by its relative path and gives its SHA-256 digest. The root digest,
// the in-toto subject digest of an OMS statement, is
//   SHA-256(digest_1 || digest_2 || ... || digest_n)
// over the raw entry digests in manifest order.
//
// Manifest order is the OMS (model_signing) order: entries compare by path
// as a list of '/'-separated segments, each segment byte-wise (== Unicode
// code point order for valid UTF-8), then by shard start and end as numbers.
// It differs from comparing whole names byte-wise only when one segment is a
// prefix of another and followed by a byte below '/', e.g. "a/b" sorts
// before "a-c" and "f:2:4" before "f:10:12".
//
// Entry names:
// - A whole file: its path, e.g. "weights/model-00001.safetensors".
// - A shard (byte range [start, end) of a file): "<path>:<start>:<end>" with
//   start and end in canonical decimal, e.g. "model.bin:0:1048576". The path
//   may itself contain ':'; the numbers are the LAST two ':'-separated fields.
// A path is valid UTF-8 without control characters (U+0000-U+001F,
// U+007F-U+009F), at most kMaxEntryNameLength bytes, relative ('/'-separated,
// no leading or trailing '/', no empty, "." or ".." segment, no '\').

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pedigree::core::manifest {

inline constexpr size_t kMaxEntryNameLength = 4096;
inline constexpr size_t kEntryDigestSize = 32;  // SHA-256

// A byte range [start, end) of a file; start < end in a valid manifest.
struct Shard {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
};
inline bool operator==(const Shard& a, const Shard& b) {
  return a.start == b.start && a.end == b.end;
}
inline bool operator!=(const Shard& a, const Shard& b) { return !(a == b); }

struct ManifestEntry {
  // The path of a whole file, or ShardEntryName(path, *shard) for a shard.
  std::string name;
  // Raw 32-byte SHA-256 of the file's (or shard's) bytes.
  std::string digest;
  // Bytes covered: the file size, or shard->end - shard->start for a shard.
  uint64_t size = 0;
  // Set for a shard entry, unset for a whole file.
  std::optional<Shard> shard;
};

// Returns OK if `path` is a valid relative path (see the file comment), else
// InvalidArgument saying which rule it breaks. Any ':' is part of the path.
absl::Status ValidateEntryName(absl::string_view path);

// Returns "<path>:<start>:<end>". Does not validate.
std::string ShardEntryName(absl::string_view path, const Shard& shard);

// Splits an entry name whose kind is not known from context. A name with at
// least two ':' is read as the shard form "<path>:<start>:<end>" (split at
// the last two ':'); start and end must be canonical decimal (digits only, no
// sign, no leading zero unless "0") that fit in uint64_t, with start < end.
// A name with fewer than two ':' is a whole-file path with no shard. The path
// is checked with ValidateEntryName. Returns InvalidArgument naming the name
// otherwise.
//
// Note: OMS whole-file ("files" method) manifests may name files containing
// two or more ':', which this function reads as shards. Manifest::Create does
// not guess: it uses ManifestEntry::shard.
absl::StatusOr<std::pair<std::string, std::optional<Shard>>> ParseEntryName(
    absl::string_view name);

// An immutable, validated manifest (a value type: copyable, thread-compatible;
// const methods are safe to call concurrently).
class Manifest {
 public:
  // Validates `entries`, sorts them into manifest order and computes the root
  // digest. Returns InvalidArgument, naming the offending entry's index in
  // `entries` and its name, if: `entries` is empty; a name is invalid (see
  // ValidateEntryName) or, for a shard entry, is not exactly
  // ShardEntryName(path, *shard) of a valid path; a shard has start >= end or
  // size != end - start; a digest is not 32 bytes; whole-file and shard
  // entries are mixed (OMS manifests are all "files" or all "shards"); two
  // entries have the same name; two shards of one file overlap; the sizes
  // sum beyond UINT64_MAX. Returns Internal if SHA-256 fails.
  static absl::StatusOr<Manifest> Create(std::vector<ManifestEntry> entries);

  // The entries in manifest order (see the file comment). Never empty.
  const std::vector<ManifestEntry>& entries() const { return entries_; }

  // SHA-256 over the concatenated raw entry digests in manifest order
  // (32 raw bytes).
  const std::string& RootDigest() const { return root_digest_; }

  // Sum of the entry sizes (cannot overflow; checked by Create).
  uint64_t TotalSize() const { return total_size_; }

  // True if the entries are shards, false if they are whole files.
  bool sharded() const { return entries_.front().shard.has_value(); }

  // Returns the entry named exactly `name`, or nullptr. The pointer is valid
  // as long as this Manifest is alive and not assigned to.
  const ManifestEntry* Find(absl::string_view name) const;

 private:
  Manifest(std::vector<ManifestEntry> entries, std::string root_digest,
           uint64_t total_size, std::vector<size_t> by_name)
      : entries_(std::move(entries)),
        root_digest_(std::move(root_digest)),
        total_size_(total_size),
        by_name_(std::move(by_name)) {}

  std::vector<ManifestEntry> entries_;
  std::string root_digest_;
  uint64_t total_size_;
  // Indices into entries_, sorted by name byte-wise, for Find().
  std::vector<size_t> by_name_;
};

}  // namespace pedigree::core::manifest

#endif  // PEDIGREE_CORE_MANIFEST_MANIFEST_H_
