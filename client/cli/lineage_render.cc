#include "client/cli/lineage_render.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace pedigree::client::cli {
namespace {

enum class Direction { kUp, kDown };

// One end of an edge as seen from the other end.
struct Neighbor {
  std::string id;
  std::string relation;
};

// The view indexed by id. Edge endpoints that are not among the nodes become
// "unknown" nodes labelled with their id.
class Graph {
 public:
  explicit Graph(const LineageView& view) : view_(view) {
    for (std::size_t i = 0; i < view.nodes.size(); ++i) {
      index_.emplace(view.nodes[i].id, i);  // first occurrence wins
    }
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (const LineageEdgeView& edge : view.edges) {
      if (!seen.emplace(edge.child_id, edge.parent_id, edge.relation).second) {
        continue;
      }
      parents_[edge.child_id].push_back({edge.parent_id, edge.relation});
      children_[edge.parent_id].push_back({edge.child_id, edge.relation});
    }
    for (auto* adjacency : {&parents_, &children_}) {
      for (auto& [id, neighbors] : *adjacency) {
        std::sort(neighbors.begin(), neighbors.end(),
                  [this](const Neighbor& a, const Neighbor& b) {
                    return std::forward_as_tuple(a.relation, Label(a.id),
                                                 a.id) <
                           std::forward_as_tuple(b.relation, Label(b.id), b.id);
                  });
      }
    }
  }

  const std::vector<Neighbor>& Next(const std::string& id,
                                    Direction direction) const {
    const auto& adjacency = direction == Direction::kUp ? parents_ : children_;
    auto it = adjacency.find(id);
    return it == adjacency.end() ? empty_ : it->second;
  }

  // Adds to `reached` every id reachable from `start` along `direction`.
  void Reach(const std::string& start, Direction direction,
             std::set<std::string>& reached) const {
    std::set<std::string> seen = {start};
    std::vector<const std::string*> queue = {&start};
    while (!queue.empty()) {
      const std::string* id = queue.back();
      queue.pop_back();
      reached.insert(*id);
      for (const Neighbor& next : Next(*id, direction)) {
        if (seen.insert(next.id).second) queue.push_back(&next.id);
      }
    }
  }

  // nullptr for an id that is not among the nodes.
  const LineageNodeView* Find(const std::string& id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &view_.nodes[it->second];
  }

  const std::string& Label(const std::string& id) const {
    const LineageNodeView* node = Find(id);
    return node == nullptr ? id : node->label;
  }

 private:
  const LineageView& view_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::vector<Neighbor>> parents_;
  std::map<std::string, std::vector<Neighbor>> children_;
  const std::vector<Neighbor> empty_;
};

struct Glyphs {
  const char* tee;
  const char* last;
  const char* pipe;
  const char* blank;
};

constexpr Glyphs kUnicodeGlyphs = {"├── ", "└── ", "│   ", "    "};
constexpr Glyphs kAsciiGlyphs = {"|-- ", "`-- ", "|   ", "    "};

// Replaces C0 controls, DEL and UTF-8-encoded C1 controls (U+0080..U+009F)
// with '?', so that labels from the registry cannot drive the terminal.
std::string SanitizeForTerminal(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) {
      out += '?';
    } else if (byte == 0xc2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      out += '?';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

// "open_weight_restricted, MOF none" (raw, not sanitized).
std::string JudgmentText(const NodeJudgmentView& judgment) {
  std::string text = judgment.label;
  if (!judgment.mof_class.empty()) {
    if (!text.empty()) text += ", ";
    text += "MOF " + judgment.mof_class;
  }
  return text;
}

// What the parentheses after a label hold: "note, note; judgment" (raw).
std::string AnnotationText(const std::vector<std::string>& notes,
                           const std::optional<NodeJudgmentView>& judgment) {
  std::string text;
  for (const std::string& note : notes) {
    if (!text.empty()) text += ", ";
    text += note;
  }
  if (judgment.has_value()) {
    const std::string judged = JudgmentText(*judgment);
    if (!judged.empty()) {
      if (!text.empty()) text += "; ";
      text += judged;
    }
  }
  return text;
}

// "kind, kind" of a flagged node's judgment; "" when it is not flagged.
std::string FlagsText(const LineageNodeView* node) {
  std::string text;
  if (node == nullptr || !node->judgment.has_value()) return text;
  for (const std::string& flag : node->judgment->flags) {
    if (!text.empty()) text += ", ";
    text += flag;
  }
  return text;
}

class TreeWriter {
 public:
  TreeWriter(const Graph& graph, const TreeOptions& options)
      : graph_(graph),
        options_(options),
        glyphs_(options.unicode ? kUnicodeGlyphs : kAsciiGlyphs) {}

  // Draws the tree rooted at `start` following `direction`. Each node is
  // expanded at most once, so the output has at most one line per edge.
  void DrawSection(const std::string& start, Direction direction) {
    struct Pending {
      const Neighbor* neighbor;
      std::string prefix;
      bool last;
      int depth;
    };
    const int max_depth = std::max(options_.max_depth, 1);
    std::set<std::string> expanded = {start};
    out_ += NodeText(start) + "\n";
    std::vector<Pending> stack;
    auto push_next = [&](const std::string& id, const std::string& prefix,
                         int depth) {
      const std::vector<Neighbor>& next = graph_.Next(id, direction);
      for (std::size_t i = next.size(); i > 0; --i) {
        stack.push_back({&next[i - 1], prefix, i == next.size(), depth});
      }
    };
    push_next(start, "", 1);
    while (!stack.empty()) {
      Pending item = std::move(stack.back());
      stack.pop_back();
      const std::string& id = item.neighbor->id;
      out_ += item.prefix;
      out_ += item.last ? glyphs_.last : glyphs_.tee;
      out_ += "[" + SanitizeForTerminal(item.neighbor->relation) + "] ";
      if (expanded.count(id) > 0) {
        out_ += SanitizeForTerminal(graph_.Label(id)) + " (*)" +
                FlagMarker(id) + "\n";
      } else if (item.depth >= max_depth &&
                 !graph_.Next(id, direction).empty()) {
        // Not marked expanded: a shorter path may still expand it.
        out_ += SanitizeForTerminal(graph_.Label(id)) + " (...)" +
                FlagMarker(id) + "\n";
      } else {
        expanded.insert(id);
        out_ += NodeText(id) + "\n";
        push_next(id, item.prefix + (item.last ? glyphs_.blank : glyphs_.pipe),
                  item.depth + 1);
      }
    }
  }

  // Lists `nodes` flat, one line each.
  void DrawList(const std::vector<const LineageNodeView*>& nodes) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      out_ += i + 1 == nodes.size() ? glyphs_.last : glyphs_.tee;
      out_ += NodeText(nodes[i]->id) + "\n";
    }
  }

  void Line(const std::string& text) { out_ += text + "\n"; }

  void BlankLine() {
    if (!out_.empty()) out_ += "\n";
  }

  std::string Take() { return std::move(out_); }

 private:
  // "label (note, note; judgment) ! flagged: kind".
  std::string NodeText(const std::string& id) const {
    const LineageNodeView* node = graph_.Find(id);
    std::string text = SanitizeForTerminal(graph_.Label(id));
    const std::string annotation =
        node == nullptr ? std::string("unknown record")
                        : AnnotationText(node->notes, node->judgment);
    if (!annotation.empty()) {
      text += " ";
      if (options_.color) text += "\x1b[2m";
      text += "(" + SanitizeForTerminal(annotation) + ")";
      if (options_.color) text += "\x1b[0m";
    }
    return text + FlagMarker(id);
  }

  // " ! flagged: kind, kind" for a flagged node, else "".
  std::string FlagMarker(const std::string& id) const {
    const std::string flags = FlagsText(graph_.Find(id));
    if (flags.empty()) return "";
    std::string marker = " ";
    if (options_.color) marker += "\x1b[1;31m";
    marker += "! flagged: " + SanitizeForTerminal(flags);
    if (options_.color) marker += "\x1b[0m";
    return marker;
  }

  const Graph& graph_;
  const TreeOptions& options_;
  const Glyphs& glyphs_;
  std::string out_;
};

const char* SideName(LineageSide side) {
  switch (side) {
    case LineageSide::kStart:
      return "start";
    case LineageSide::kAncestor:
      return "ancestor";
    case LineageSide::kDescendant:
      return "descendant";
  }
  return "unknown";
}

// Escapes `text` for a double-quoted DOT string: quotes and backslashes are
// escaped (so "\n" and friends in labels are not Graphviz escapes), newlines
// become the "\n" line break and other control characters '?'.
std::string DotQuote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool IsWeightless(const std::string& relation) {
  return relation == "distillation" || relation == "architecture_reuse";
}

}  // namespace

std::string RenderTree(const LineageView& view, const TreeOptions& options) {
  if (view.nodes.empty()) return "";
  const Graph graph(view);
  TreeWriter writer(graph, options);
  const std::string& start = view.nodes[0].id;
  const bool has_parents = !graph.Next(start, Direction::kUp).empty();
  const bool has_children = !graph.Next(start, Direction::kDown).empty();

  if (has_parents || !has_children) {
    writer.DrawSection(start, Direction::kUp);
  }
  if (has_children) {
    writer.BlankLine();
    writer.Line("Descendants:");
    writer.DrawSection(start, Direction::kDown);
  }
  std::set<std::string> connected;
  graph.Reach(start, Direction::kUp, connected);
  graph.Reach(start, Direction::kDown, connected);
  std::vector<const LineageNodeView*> unconnected;
  for (const LineageNodeView& node : view.nodes) {
    if (connected.insert(node.id).second) {
      unconnected.push_back(graph.Find(node.id));
    }
  }
  if (!unconnected.empty()) {
    writer.BlankLine();
    writer.Line("Not connected to the start:");
    writer.DrawList(unconnected);
  }
  return writer.Take();
}

std::string RenderJson(const LineageView& view) {
  using Json = nlohmann::ordered_json;
  Json root = Json::object();
  root["start"] = view.nodes.empty() ? Json(nullptr) : Json(view.nodes[0].id);
  Json nodes = Json::array();
  for (const LineageNodeView& node : view.nodes) {
    Json entry = Json::object();
    entry["id"] = node.id;
    entry["ref"] = node.label;
    entry["side"] = SideName(node.side);
    entry["distance"] = node.distance;
    if (node.judgment.has_value()) {
      Json judgment = Json::object();
      judgment["label"] = node.judgment->label;
      judgment["mof_class"] = node.judgment->mof_class;
      judgment["flags"] = node.judgment->flags;
      entry["judgment"] = std::move(judgment);
    } else {
      entry["judgment"] = nullptr;
    }
    nodes.push_back(std::move(entry));
  }
  root["nodes"] = std::move(nodes);
  Json edges = Json::array();
  for (const LineageEdgeView& edge : view.edges) {
    Json entry = Json::object();
    entry["child"] = edge.child_id;
    entry["parent"] = edge.parent_id;
    entry["relation"] = edge.relation;
    edges.push_back(std::move(entry));
  }
  root["edges"] = std::move(edges);
  return root.dump(2, ' ', /*ensure_ascii=*/false,
                   Json::error_handler_t::replace) +
         "\n";
}

std::string RenderDot(const LineageView& view) {
  std::string out = "digraph lineage {\n  rankdir=BT;\n  node [shape=box];\n";
  std::set<std::string> declared;
  for (std::size_t i = 0; i < view.nodes.size(); ++i) {
    const LineageNodeView& node = view.nodes[i];
    if (!declared.insert(node.id).second) continue;
    std::string label = node.label;
    const std::string annotation = AnnotationText(node.notes, node.judgment);
    if (!annotation.empty()) label += "\n" + annotation;
    const std::string flags = FlagsText(&node);
    if (!flags.empty()) label += "\n! " + flags;
    out += "  " + DotQuote(node.id) + " [label=" + DotQuote(label);
    if (i == 0) out += ", style=\"bold,filled\", fillcolor=\"lightyellow\"";
    if (!flags.empty()) {
      out += ", color=\"red\", fontcolor=\"red\", penwidth=2";
    }
    out += "];\n";
  }
  for (const LineageEdgeView& edge : view.edges) {
    for (const std::string* id : {&edge.child_id, &edge.parent_id}) {
      if (declared.insert(*id).second) {
        out += "  " + DotQuote(*id) + " [label=" + DotQuote(*id) +
               ", style=dashed];\n";
      }
    }
  }
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const LineageEdgeView& edge : view.edges) {
    if (!seen.emplace(edge.child_id, edge.parent_id, edge.relation).second) {
      continue;
    }
    out += "  " + DotQuote(edge.child_id) + " -> " + DotQuote(edge.parent_id) +
           " [label=" + DotQuote(edge.relation);
    if (IsWeightless(edge.relation)) out += ", style=dashed";
    out += "];\n";
  }
  return out + "}\n";
}

}  // namespace pedigree::client::cli
