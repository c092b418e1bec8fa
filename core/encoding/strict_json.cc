#include "core/encoding/strict_json.h"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/encoding/json_object_reader.h"

namespace pedigree::core {
namespace {

using Json = nlohmann::json;

// Builds the document from nlohmann's SAX events, as its own DOM parser
// does, and records the first repeated object key with its path (the DOM
// would silently keep only the last value). Parsing goes on after one, so
// that text that is not JSON at all is reported as such. Iterative: keeps
// the open containers on a stack instead of recursing.
class StrictDomBuilder {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  StrictDomBuilder(Json* root, absl::string_view root_path)
      : root_(root), root_path_(root_path) {}

  bool null() { return Add(nullptr) != nullptr; }
  bool boolean(bool value) { return Add(value) != nullptr; }
  bool number_integer(number_integer_t value) { return Add(value) != nullptr; }
  bool number_unsigned(number_unsigned_t value) {
    return Add(value) != nullptr;
  }
  bool number_float(number_float_t value, const string_t& /*text*/) {
    return Add(value) != nullptr;
  }
  bool string(string_t& value) { return Add(std::move(value)) != nullptr; }
  bool binary(binary_t& value) {
    return Add(Json::binary(std::move(value))) != nullptr;
  }

  bool start_object(std::size_t /*size*/) {
    return Open(Add(Json::value_t::object));
  }
  bool key(string_t& key) {
    Frame& frame = open_.back();
    frame.key = std::move(key);
    if (frame.container->contains(frame.key) && !error_.has_value()) {
      error_ =
          absl::InvalidArgumentError(absl::StrCat(Path(), ": duplicate key"));
    }
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*size*/) {
    return Open(Add(Json::value_t::array));
  }
  bool end_array() {
    open_.pop_back();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }

  const std::optional<absl::Status>& error() const { return error_; }

 private:
  struct Frame {
    Json* container;
    std::string key;  // objects: the key of the member being parsed
  };

  // Puts `value` where the parser is (the root, the end of the innermost
  // array, or the innermost object's member) and returns where it went.
  Json* Add(Json value) {
    if (open_.empty()) {
      *root_ = std::move(value);
      return root_;
    }
    Frame& frame = open_.back();
    if (frame.container->is_array()) {
      Json::array_t& array = frame.container->get_ref<Json::array_t&>();
      array.push_back(std::move(value));
      return &array.back();
    }
    Json& member = (*frame.container)[frame.key];  // the last of repeats
    member = std::move(value);
    return &member;
  }

  bool Open(Json* container) {
    open_.push_back(Frame{container, {}});
    return true;
  }

  // The path of the value being parsed, the innermost object's current key
  // included. An array's element being parsed is its last one.
  std::string Path() const {
    std::string path = root_path_;
    for (const Frame& frame : open_) {
      path = frame.container->is_object()
                 ? JsonMemberPath(path, frame.key)
                 : JsonIndexPath(path, frame.container->size() - 1);
    }
    return path;
  }

  Json* const root_;
  const std::string root_path_;
  std::vector<Frame> open_;
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
  Json document;
  StrictDomBuilder builder(&document, options.root_path);
  if (!Json::sax_parse(text.begin(), text.end(), &builder,
                       Json::input_format_t::json, /*strict=*/true)) {
    return absl::InvalidArgumentError(options.not_json_message);
  }
  if (builder.error().has_value()) return *builder.error();
  return document;
}

}  // namespace pedigree::core
