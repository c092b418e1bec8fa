#include "client/lib/directory_hasher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/encoding/hex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace pedigree::client {
namespace {

using ::pedigree::core::HexEncode;
using ::pedigree::core::manifest::ManifestEntry;
using ::pedigree::testing::IsOk;
using ::pedigree::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kEmptySha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbcSha256[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
// SHA-256(SHA-256("abc") || SHA-256("")): the root of {"a.txt", "empty"}.
constexpr char kAbcEmptyRoot[] =
    "6f1290896ee81a0349174d19f4473d267a10289c40480861d5c42affffbd79f9";
constexpr char kNestedSha256[] =  // SHA-256("nested\n")
    "370a8c04b8a65bb4494275eec227f1b694db04c76da6b0b8ae88ed1ab19790a3";

// A private temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "pedigree-hasher-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    // Restore permissions that a test removed, so cleanup succeeds.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Path(const std::string& relative) const {
    return path_ + "/" + relative;
  }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

std::vector<std::string> Names(const DirectoryManifest& hashed) {
  std::vector<std::string> names;
  for (const ManifestEntry& entry : hashed.manifest.entries()) {
    names.push_back(entry.name);
  }
  return names;
}

class DirectoryHasherTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  absl::StatusOr<DirectoryManifest> Hash(HashOptions options = {}) {
    return HashDirectory(dir_.path(), options);
  }

  TempDir dir_;
};

TEST_F(DirectoryHasherTest, SmallFilesHaveKnownDigestsAndRoot) {
  WriteFile(dir_.Path("a.txt"), "abc");
  WriteFile(dir_.Path("empty"), "");

  ASSERT_OK_AND_ASSIGN(DirectoryManifest hashed, Hash());

  ASSERT_EQ(hashed.manifest.entries().size(), 2u);
  EXPECT_EQ(hashed.manifest.entries()[0].name, "a.txt");
  EXPECT_EQ(HexEncode(hashed.manifest.entries()[0].digest), kAbcSha256);
  EXPECT_EQ(hashed.manifest.entries()[0].size, 3u);
  EXPECT_EQ(HexEncode(hashed.manifest.RootDigest()), kAbcEmptyRoot);
  EXPECT_EQ(hashed.directory, dir_.path());
}

TEST_F(DirectoryHasherTest, EmptyFileHasEmptyDigestAndSizeZero) {
  WriteFile(dir_.Path("empty"), "");

  ASSERT_OK_AND_ASSIGN(DirectoryManifest hashed, Hash());

  ASSERT_EQ(hashed.manifest.entries().size(), 1u);
  EXPECT_EQ(HexEncode(hashed.manifest.entries()[0].digest), kEmptySha256);
  EXPECT_EQ(hashed.manifest.entries()[0].size, 0u);
  EXPECT_FALSE(hashed.manifest.entries()[0].shard.has_value());
}

TEST_F(DirectoryHasherTest, NestedFilesAreNamedWithSlashes) {
  WriteFile(dir_.Path("a/b/c.bin"), "nested\n");
  WriteFile(dir_.Path("top"), "abc");
  ASSERT_EQ(mkdir(dir_.Path("empty-dir").c_str(), 0700), 0);

  ASSERT_OK_AND_ASSIGN(DirectoryManifest hashed, Hash());

  EXPECT_THAT(Names(hashed), ElementsAre("a/b/c.bin", "top"));
  const ManifestEntry* nested = hashed.manifest.Find("a/b/c.bin");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(HexEncode(nested->digest), kNestedSha256);
}

TEST_F(DirectoryHasherTest, GitDirectoriesAndGitFilesAreSkipped) {
  WriteFile(dir_.Path("model.bin"), "abc");
  WriteFile(dir_.Path(".git/HEAD"), "ref: refs/heads/main\n");
  WriteFile(dir_.Path("sub/.git"), "gitdir: ../.git/modules/sub\n");
  WriteFile(dir_.Path(".gitattributes"), "*.bin filter=lfs\n");

  ASSERT_OK_AND_ASSIGN(DirectoryManifest hashed, Hash());

  EXPECT_THAT(Names(hashed), ElementsAre(".gitattributes", "model.bin"));
}

TEST_F(DirectoryHasherTest, SignatureFileIsSkippedOnlyAtItsPath) {
  WriteFile(dir_.Path("model.bin"), "abc");
  WriteFile(dir_.Path("model.sig"), "signature");
  WriteFile(dir_.Path("sub/model.sig"), "not the signature");
  HashOptions options;
  options.skip_file = "model.sig";

  ASSERT_OK_AND_ASSIGN(DirectoryManifest hashed, Hash(options));

  EXPECT_THAT(Names(hashed), ElementsAre("model.bin", "sub/model.sig"));
}

TEST_F(DirectoryHasherTest, SignatureFileIsHashedWithoutSkipOption) {
  WriteFile(dir_.Path("model.sig"), "signature");

  ASSERT_OK_AND_ASSIGN(DirectoryManifest hashed, Hash());

  EXPECT_THAT(Names(hashed), ElementsAre("model.sig"));
}

TEST_F(DirectoryHasherTest, SymlinkResolvingOutsideIsRefusedNamingTheLink) {
  TempDir outside;
  WriteFile(outside.Path("secret"), "abc");
  WriteFile(dir_.Path("model.bin"), "abc");
  ASSERT_EQ(
      symlink(outside.Path("secret").c_str(), dir_.Path("weights.bin").c_str()),
      0);

  absl::StatusOr<DirectoryManifest> hashed = Hash();

  EXPECT_THAT(hashed, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr(dir_.Path("weights.bin"))));
  EXPECT_THAT(hashed.status().message(), HasSubstr("outside"));
}

TEST_F(DirectoryHasherTest, RelativeSymlinkEscapingWithDotDotIsRefused) {
  WriteFile(dir_.Path("sub/x"), "abc");
  ASSERT_EQ(symlink("../../../etc/passwd", dir_.Path("sub/passwd").c_str()), 0);

  absl::StatusOr<DirectoryManifest> hashed = Hash();

  EXPECT_THAT(hashed, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("sub/passwd")));
}

TEST_F(DirectoryHasherTest, SymlinkToFileInsideIsHashedUnderTheLinkName) {
  WriteFile(dir_.Path("real/model.bin"), "abc");
  ASSERT_EQ(symlink("real/model.bin", dir_.Path("alias.bin").c_str()), 0);

  ASSERT_OK_AND_ASSIGN(DirectoryManifest hashed, Hash());

  EXPECT_THAT(Names(hashed), ElementsAre("alias.bin", "real/model.bin"));
  const ManifestEntry* alias = hashed.manifest.Find("alias.bin");
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(HexEncode(alias->digest), kAbcSha256);
  EXPECT_EQ(alias->size, 3u);
}

TEST_F(DirectoryHasherTest, SymlinkToDirectoryInsideIsRefused) {
  WriteFile(dir_.Path("real/model.bin"), "abc");
  ASSERT_EQ(symlink("real", dir_.Path("alias").c_str()), 0);

  EXPECT_THAT(Hash(), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("alias")));
}

TEST_F(DirectoryHasherTest, SymlinkToTheDirectoryItselfIsRefused) {
  WriteFile(dir_.Path("model.bin"), "abc");
  ASSERT_EQ(symlink(".", dir_.Path("self").c_str()), 0);

  EXPECT_THAT(Hash(), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("points to a directory")));
}

TEST_F(DirectoryHasherTest, DanglingSymlinkIsRefused) {
  WriteFile(dir_.Path("model.bin"), "abc");
  ASSERT_EQ(symlink("missing", dir_.Path("broken").c_str()), 0);

  EXPECT_THAT(Hash(), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("broken")));
}

TEST_F(DirectoryHasherTest, FifoIsRefusedNamingIt) {
  WriteFile(dir_.Path("model.bin"), "abc");
  ASSERT_EQ(mkfifo(dir_.Path("pipe").c_str(), 0600), 0);

  EXPECT_THAT(Hash(), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr(dir_.Path("pipe"))));
}

TEST_F(DirectoryHasherTest, NameWithControlCharacterIsRefused) {
  WriteFile(dir_.Path("bad\nname"), "abc");

  EXPECT_THAT(Hash(), StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("bad\\nname")));
}

TEST_F(DirectoryHasherTest, UnreadableFileErrorNamesIt) {
  // root reads files whatever their mode; the check needs another user.
  if (geteuid() == 0) GTEST_SKIP() << "running as root";
  WriteFile(dir_.Path("ok.bin"), "abc");
  WriteFile(dir_.Path("locked.bin"), "abc");
  ASSERT_EQ(chmod(dir_.Path("locked.bin").c_str(), 0), 0);

  EXPECT_THAT(Hash(), StatusIs(absl::StatusCode::kPermissionDenied,
                               HasSubstr(dir_.Path("locked.bin"))));
}

TEST_F(DirectoryHasherTest, MissingDirectoryIsNotFound) {
  EXPECT_THAT(HashDirectory(dir_.Path("nope"), {}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST_F(DirectoryHasherTest, RegularFileInsteadOfDirectoryIsInvalidArgument) {
  WriteFile(dir_.Path("file"), "abc");

  EXPECT_THAT(HashDirectory(dir_.Path("file"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a directory")));
}

TEST_F(DirectoryHasherTest, DirectoryWithoutFilesIsInvalidArgument) {
  WriteFile(dir_.Path(".git/HEAD"), "x");

  EXPECT_THAT(Hash(), StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("no files")));
}

TEST_F(DirectoryHasherTest, ManyFilesInParallelMatchOneThread) {
  // Sizes straddle the 4 KiB buffer so every file takes several reads.
  for (int i = 0; i < 120; ++i) {
    WriteFile(dir_.Path(absl::StrCat("d", i % 7, "/f", i)),
              std::string(static_cast<size_t>(i) * 131 + (i % 3),
                          static_cast<char>('a' + i % 26)));
  }
  HashOptions one;
  one.threads = 1;
  one.buffer_size = 4096;
  HashOptions many;
  many.threads = 8;
  many.buffer_size = 4096;

  ASSERT_OK_AND_ASSIGN(DirectoryManifest serial, Hash(one));
  ASSERT_OK_AND_ASSIGN(DirectoryManifest parallel, Hash(many));

  ASSERT_EQ(serial.manifest.entries().size(), 120u);
  EXPECT_EQ(HexEncode(parallel.manifest.RootDigest()),
            HexEncode(serial.manifest.RootDigest()));
  EXPECT_EQ(Names(parallel), Names(serial));
  for (size_t i = 0; i < serial.manifest.entries().size(); ++i) {
    EXPECT_EQ(parallel.manifest.entries()[i].digest,
              serial.manifest.entries()[i].digest)
        << serial.manifest.entries()[i].name;
  }
}

TEST_F(DirectoryHasherTest, ProgressStartsAtZeroEndsAtTotalAndNeverGoesBack) {
  WriteFile(dir_.Path("a"), std::string(10000, 'a'));
  WriteFile(dir_.Path("b"), std::string(5000, 'b'));
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  HashOptions options;
  options.buffer_size = 4096;
  options.progress = [&calls](uint64_t done, uint64_t total) {
    calls.emplace_back(done, total);
  };

  ASSERT_THAT(Hash(options), IsOk());

  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls.front(), std::make_pair(uint64_t{0}, uint64_t{15000}));
  EXPECT_EQ(calls.back(), std::make_pair(uint64_t{15000}, uint64_t{15000}));
  for (size_t i = 1; i < calls.size(); ++i) {
    EXPECT_LE(calls[i - 1].first, calls[i].first);
    EXPECT_EQ(calls[i].second, 15000u);
  }
}

}  // namespace
}  // namespace pedigree::client
