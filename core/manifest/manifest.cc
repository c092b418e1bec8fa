#include "core/manifest/manifest.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/crypto/sha256.h"
#include "core/status_macros.h"

namespace pedigree::core::manifest {
namespace {

// Longest part of a name quoted in an error message.
constexpr size_t kMaxQuotedLength = 256;

// Quotes `text` for an error message: bytes outside printable ASCII become
// \xNN (hostile names must not inject control characters into logs) and
// long names are truncated.
std::string Quote(absl::string_view text) {
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMaxQuotedLength; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(text[i]);
    } else {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  if (text.size() > kMaxQuotedLength) out += "...";
  out.push_back('\'');
  return out;
}

absl::Status NameError(absl::string_view name, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("entry name ", Quote(name), " ", what));
}

// Returns the byte offset of the first byte that is not part of a valid UTF-8
// sequence encoding a non-control code point, or npos if there is none.
// Rejects overlong forms, surrogates and code points above U+10FFFF.
size_t FindInvalidOrControl(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      if (b0 < 0x20 || b0 == 0x7f) return i;
      ++i;
      continue;
    }
    size_t length;
    uint32_t code_point;
    uint32_t min_code_point;
    if ((b0 & 0xe0) == 0xc0) {
      length = 2;
      code_point = b0 & 0x1f;
      min_code_point = 0x80;
    } else if ((b0 & 0xf0) == 0xe0) {
      length = 3;
      code_point = b0 & 0x0f;
      min_code_point = 0x800;
    } else if ((b0 & 0xf8) == 0xf0) {
      length = 4;
      code_point = b0 & 0x07;
      min_code_point = 0x10000;
    } else {
      return i;
    }
    if (text.size() - i < length) return i;
    for (size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xc0) != 0x80) return i;
      code_point = (code_point << 6) | (b & 0x3f);
    }
    if (code_point < min_code_point || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff) ||
        (code_point >= 0x80 && code_point <= 0x9f)) {
      return i;
    }
    i += length;
  }
  return absl::string_view::npos;
}

// Parses canonical decimal: digits only, no leading zero unless "0", fits in
// uint64_t.
std::optional<uint64_t> ParseCanonicalDecimal(absl::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return std::nullopt;
    }
    value = value * 10 + digit;
  }
  return value;
}

// Parses "<path>:<start>:<end>", splitting at the last two ':'.
absl::StatusOr<std::pair<std::string, Shard>> ParseShardName(
    absl::string_view name) {
  const size_t end_colon = name.rfind(':');
  const size_t start_colon =
      end_colon == absl::string_view::npos || end_colon == 0
          ? absl::string_view::npos
          : name.rfind(':', end_colon - 1);
  if (start_colon == absl::string_view::npos) {
    return NameError(name, "is not of the shard form <path>:<start>:<end>");
  }
  const absl::string_view path = name.substr(0, start_colon);
  const absl::string_view start_text =
      name.substr(start_colon + 1, end_colon - start_colon - 1);
  const absl::string_view end_text = name.substr(end_colon + 1);
  const std::optional<uint64_t> start = ParseCanonicalDecimal(start_text);
  if (!start.has_value()) {
    return NameError(name, absl::StrCat("has shard start ", Quote(start_text),
                                        " that is not a canonical decimal "
                                        "uint64"));
  }
  const std::optional<uint64_t> end = ParseCanonicalDecimal(end_text);
  if (!end.has_value()) {
    return NameError(name, absl::StrCat("has shard end ", Quote(end_text),
                                        " that is not a canonical decimal "
                                        "uint64"));
  }
  if (*start >= *end) {
    return NameError(name, absl::StrCat("has an empty or reversed shard [",
                                        *start, ", ", *end, ")"));
  }
  PEDIGREE_RETURN_IF_ERROR(ValidateEntryName(path));
  return std::make_pair(std::string(path), Shard{*start, *end});
}

// Compares paths as lists of '/'-separated segments, each byte-wise: the
// order of Python's pathlib.PurePosixPath, which OMS sorts by. Equivalent to
// a byte-wise comparison in which '/' sorts below every other byte.
int ComparePaths(absl::string_view a, absl::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == '/') return -1;
    if (b[i] == '/') return 1;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i])
               ? -1
               : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// An entry's sort key, with its index in the caller's vector.
struct SortKey {
  size_t index;
  std::string path;
  Shard shard;  // {0, 0} for a whole file
};

bool KeyLess(const SortKey& a, const SortKey& b) {
  const int c = ComparePaths(a.path, b.path);
  if (c != 0) return c < 0;
  if (a.shard.start != b.shard.start) return a.shard.start < b.shard.start;
  return a.shard.end < b.shard.end;
}

absl::Status EntryError(size_t index, absl::string_view name,
                        absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("manifest entry ", index, " (", Quote(name), "): ", what));
}

// Validates one entry and returns its sort key.
absl::StatusOr<SortKey> CheckEntry(size_t index, const ManifestEntry& entry) {
  SortKey key{index, "", Shard{}};
  if (!entry.shard.has_value()) {
    if (absl::Status status = ValidateEntryName(entry.name); !status.ok()) {
      return EntryError(index, entry.name, status.message());
    }
    key.path = entry.name;
  } else {
    absl::StatusOr<std::pair<std::string, Shard>> parsed =
        ParseShardName(entry.name);
    if (!parsed.ok()) {
      return EntryError(index, entry.name, parsed.status().message());
    }
    if (parsed->second != *entry.shard) {
      return EntryError(
          index, entry.name,
          absl::StrCat("name does not match the shard [", entry.shard->start,
                       ", ", entry.shard->end, ")"));
    }
    if (entry.size != entry.shard->end - entry.shard->start) {
      return EntryError(
          index, entry.name,
          absl::StrCat("size ", entry.size, " differs from the shard length ",
                       entry.shard->end - entry.shard->start));
    }
    key.path = std::move(parsed->first);
    key.shard = *entry.shard;
  }
  if (entry.digest.size() != kEntryDigestSize) {
    return EntryError(index, entry.name,
                      absl::StrCat("digest is ", entry.digest.size(),
                                   " bytes; want ", kEntryDigestSize));
  }
  return key;
}

}  // namespace

absl::Status ValidateEntryName(absl::string_view path) {
  if (path.empty()) return absl::InvalidArgumentError("entry name is empty");
  if (path.size() > kMaxEntryNameLength) {
    return NameError(path,
                     absl::StrCat("is ", path.size(), " bytes; the limit is ",
                                  kMaxEntryNameLength));
  }
  if (const size_t bad = FindInvalidOrControl(path);
      bad != absl::string_view::npos) {
    return NameError(path, absl::StrCat("has invalid UTF-8 or a control "
                                        "character at byte ",
                                        bad));
  }
  if (const size_t bad = path.find('\\'); bad != absl::string_view::npos) {
    return NameError(path, absl::StrCat("has '\\' at byte ", bad,
                                        "; use '/' to separate segments"));
  }
  if (path.front() == '/') return NameError(path, "is absolute");
  if (path.back() == '/') return NameError(path, "ends with '/'");
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    if (segment.empty()) return NameError(path, "has an empty segment");
    if (segment == "." || segment == "..") {
      return NameError(path, absl::StrCat("has a '", segment, "' segment"));
    }
  }
  return absl::OkStatus();
}

std::string ShardEntryName(absl::string_view path, const Shard& shard) {
  return absl::StrCat(path, ":", shard.start, ":", shard.end);
}

absl::StatusOr<std::pair<std::string, std::optional<Shard>>> ParseEntryName(
    absl::string_view name) {
  if (std::count(name.begin(), name.end(), ':') >= 2) {
    PEDIGREE_ASSIGN_OR_RETURN(auto parsed, ParseShardName(name));
    return std::make_pair(std::move(parsed.first),
                          std::optional<Shard>(parsed.second));
  }
  PEDIGREE_RETURN_IF_ERROR(ValidateEntryName(name));
  return std::make_pair(std::string(name), std::optional<Shard>());
}

absl::StatusOr<Manifest> Manifest::Create(std::vector<ManifestEntry> entries) {
  if (entries.empty()) {
    return absl::InvalidArgumentError("manifest has no entries");
  }
  const bool sharded = entries.front().shard.has_value();
  std::vector<SortKey> keys;
  keys.reserve(entries.size());
  uint64_t total_size = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const ManifestEntry& entry = entries[i];
    PEDIGREE_ASSIGN_OR_RETURN(SortKey key, CheckEntry(i, entry));
    keys.push_back(std::move(key));
    if (entry.shard.has_value() != sharded) {
      return EntryError(i, entry.name,
                        sharded ? "is a whole file, entry 0 is a shard; a "
                                  "manifest lists only files or only shards"
                                : "is a shard, entry 0 is a whole file; a "
                                  "manifest lists only files or only shards");
    }
    if (entry.size > std::numeric_limits<uint64_t>::max() - total_size) {
      return EntryError(i, entry.name, "total size overflows uint64");
    }
    total_size += entry.size;
  }

  std::sort(keys.begin(), keys.end(), KeyLess);
  for (size_t k = 1; k < keys.size(); ++k) {
    const SortKey& previous = keys[k - 1];
    const SortKey& current = keys[k];
    if (ComparePaths(previous.path, current.path) != 0) continue;
    const ManifestEntry& entry = entries[current.index];
    if (previous.shard == current.shard) {
      return EntryError(current.index, entry.name,
                        absl::StrCat("duplicates entry ", previous.index));
    }
    if (previous.shard.end > current.shard.start) {
      return EntryError(
          current.index, entry.name,
          absl::StrCat("overlaps the shard of entry ", previous.index, " (",
                       Quote(entries[previous.index].name), ")"));
    }
  }

  std::vector<ManifestEntry> sorted;
  sorted.reserve(entries.size());
  for (const SortKey& key : keys) {
    sorted.push_back(std::move(entries[key.index]));
  }

  PEDIGREE_ASSIGN_OR_RETURN(crypto::Sha256 hasher, crypto::Sha256::Create());
  for (const ManifestEntry& entry : sorted) {
    PEDIGREE_RETURN_IF_ERROR(hasher.Update(entry.digest));
  }
  PEDIGREE_ASSIGN_OR_RETURN(std::string root_digest, hasher.Finish());

  std::vector<size_t> by_name(sorted.size());
  for (size_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(), [&sorted](size_t a, size_t b) {
    return sorted[a].name < sorted[b].name;
  });

  return Manifest(std::move(sorted), std::move(root_digest), total_size,
                  std::move(by_name));
}

const ManifestEntry* Manifest::Find(absl::string_view name) const {
  auto it =
      std::lower_bound(by_name_.begin(), by_name_.end(), name,
                       [this](size_t index, absl::string_view n) {
                         return absl::string_view(entries_[index].name) < n;
                       });
  if (it == by_name_.end() || entries_[*it].name != name) return nullptr;
  return &entries_[*it];
}

}  // namespace pedigree::core::manifest
