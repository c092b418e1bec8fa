#include "core/encoding/strict_json.h"

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/json_object_reader.h"

namespace pedigree::core {
namespace {

using Json = nlohmann::json;

// Records the first repeated object key while nlohmann parses (its DOM keeps
// only the last value of a repeated key, so it must be caught here), with the
// key's path.
class DuplicateKeyDetector {
 public:
  explicit DuplicateKeyDetector(absl::string_view root_path)
      : root_path_(root_path) {}

  bool OnEvent(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        frames_.push_back(Frame{true, {}, {}, 0});
        break;
      case Json::parse_event_t::array_start:
        frames_.push_back(Frame{false, {}, {}, 0});
        break;
      case Json::parse_event_t::key:
        if (!frames_.empty() && parsed.is_string()) {
          Frame& frame = frames_.back();
          frame.key = parsed.get_ref<const Json::string_t&>();
          if (!frame.keys.insert(frame.key).second && !error_.has_value()) {
            error_ = absl::InvalidArgumentError(
                absl::StrCat(Path(), ": duplicate key"));
          }
        }
        break;
      case Json::parse_event_t::value:
        ChildFinished();
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        ChildFinished();
        break;
    }
    return true;
  }

  const std::optional<absl::Status>& error() const { return error_; }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::string key;  // objects: the current key
    size_t index;     // arrays: the number of finished elements
  };

  void ChildFinished() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }

  // The path of the value being parsed, the innermost object's current key
  // included.
  std::string Path() const {
    std::string path = root_path_;
    for (const Frame& frame : frames_) {
      path = frame.is_object ? JsonMemberPath(path, frame.key)
                             : JsonIndexPath(path, frame.index);
    }
    return path;
  }

  const std::string root_path_;
  std::vector<Frame> frames_;
  std::optional<absl::Status> error_;
};

}  // namespace

absl::StatusOr<Json> ParseStrictJson(absl::string_view text,
                                     const StrictJsonOptions& options) {
  // nlohmann's lexer takes a NUL byte outside a string for the end of the
  // input and ignores the rest, so "{}\0junk" would parse. JSON has no raw
  // NUL anywhere (inside strings it must be escaped).
  if (text.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(options.not_json_message);
  }
  DuplicateKeyDetector detector(options.root_path);
  const Json::parser_callback_t callback =
      [&detector](int /*depth*/, Json::parse_event_t event, Json& parsed) {
        return detector.OnEvent(event, parsed);
      };
  Json document = Json::parse(text.begin(), text.end(), callback,
                              /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return absl::InvalidArgumentError(options.not_json_message);
  }
  if (detector.error().has_value()) return *detector.error();
  return document;
}

}  // namespace pedigree::core
