#ifndef PEDIGREE_CLIENT_CLI_LINEAGE_RENDER_H_
#define PEDIGREE_CLIENT_CLI_LINEAGE_RENDER_H_

// Renders a model's lineage graph (what the registry's GetLineage returns)
// for `pedigree lineage`: as a terminal tree, as JSON, or as Graphviz DOT.
//
// The input is plain structs, not proto messages, so the renderers are pure
// functions that never fail: every input, including malformed ones (edge
// cycles, self-loops, duplicate edges or nodes, edges naming records that are
// not among the nodes, an empty node list), renders in time and output size
// bounded by a polynomial of the input size. Labels are treated as untrusted
// text: the tree replaces control characters (which could drive the
// terminal) with '?', and DOT escapes quotes and backslashes.
//
// Each node may carry the registry's judgment of its record (openness label,
// Model Openness Framework class and flag kinds, docs/judgment.md): the tree
// and DOT show the label and class, and mark flagged nodes; JSON includes
// them. A node without a judgment shows none; callers that expect one (the
// CLI: the registry judges every record) say so in a note ("not judged"), so
// that an unjudged node never looks clean.
//
// All functions are thread-safe (they only read their arguments).

#include <optional>
#include <string>
#include <vector>

namespace pedigree::client::cli {

enum class LineageSide { kStart, kAncestor, kDescendant };

// What the lineage shows of the registry's judgment of a record. Values are
// the registry's wire names, rendered as given (untrusted text).
struct NodeJudgmentView {
  // "closed", "open_weight_restricted", "open_weight_permissive",
  // "open_source".
  std::string label;
  // "none", "class_iii", "class_ii", "class_i"; "" is not shown.
  std::string mof_class;
  // Flag kinds, e.g. "naming_duty_unmet", in the registry's order; non-empty
  // marks the node as flagged.
  std::vector<std::string> flags;
};

struct LineageNodeView {
  // The record digest (lowercase hex); identifies the node in edges.
  std::string id;
  // "namespace/name@version".
  std::string label;
  LineageSide side = LineageSide::kStart;
  // Shortest number of edges from the start record (0 for the start).
  int distance = 0;
  // Optional annotations shown after the label (e.g. the weights license).
  // Shown in the tree and DOT views only, not in JSON.
  std::vector<std::string> notes;
  // The registry's judgment of the record; nullopt when it has none.
  std::optional<NodeJudgmentView> judgment;
};

struct LineageEdgeView {
  // `child_id` was derived from `parent_id`.
  std::string child_id;
  std::string parent_id;
  // Wire name: finetune, adapter, quantized, merge, distillation,
  // continued_pretraining, conversion, architecture_reuse (any other string
  // is rendered as given).
  std::string relation;
};

struct LineageView {
  // nodes[0] is the start record. If an id appears twice, the first wins.
  std::vector<LineageNodeView> nodes;
  std::vector<LineageEdgeView> edges;
};

struct TreeOptions {
  // Box-drawing connectors ("├── ", "└── ", "│   "); false gives ASCII
  // ("|-- ", "`-- ", "|   ").
  bool unicode = true;
  // Wrap the parenthesised notes and judgment in the ANSI "dim" escape, and
  // the flag marker in bold red (for a terminal).
  bool color = false;
  // Nodes this many edges from the start are drawn as "label (...)" and not
  // expanded (the registry answers at most 64 levels; this bounds the width
  // of the drawing for malformed input). Values below 1 are treated as 1.
  int max_depth = 128;
};

// Draws the lineage as indented trees, like `cargo tree`. Ends with '\n';
// returns "" when `view.nodes` is empty.
//
// Sections, in order (separated by one blank line):
//  1. Ancestors: the start's label, then its parents below it, one line each
//     as "├── [relation] ns/name@version (note, note)", each followed by its
//     own parents, recursively. A node with a judgment shows it inside the
//     parentheses after the notes: "(note; open_weight_restricted, MOF
//     none)", or "(open_source, MOF class_i)" without notes; a flagged node
//     ends with " ! flagged: kind, kind" (also on its "(*)" and "(...)"
//     lines). A merge lists every parent. Omitted when the
//     start has no parents but has children (section 2 then shows the start).
//  2. "Descendants:", then the start's label again, then its children drawn
//     the same way (each child's relation to its parent in brackets).
//     Present only when the start has children.
//  3. "Not connected to the start:", then one line per node (in input order)
//     that no chain of edges links to the start in either direction.
//     Present only when there is such a node.
// Siblings are ordered by relation name, then label, then id. Within a
// section a node is expanded the first time it is drawn; later occurrences
// (diamonds, and cycles in malformed input) show "label (*)" and stop there.
// A node at options.max_depth that has further relatives shows
// "label (...)". An edge endpoint that is not among the nodes is drawn with its
// raw id as the label and the note "unknown record", and is followed like any
// other. Identical edges are drawn once.
std::string RenderTree(const LineageView& view,
                       const TreeOptions& options = {});

// Returns the lineage as JSON, pretty-printed with two-space indentation and
// a final '\n'. Keys appear in this order:
//   {"start": "<id of nodes[0]>" (null when there are no nodes),
//    "nodes": [{"id": "...", "ref": "ns/name@version",
//               "side": "start" | "ancestor" | "descendant",
//               "distance": 0,
//               "judgment": {"label": "open_weight_restricted",
//                            "mof_class": "none",
//                            "flags": ["naming_duty_unmet", ...]}
//                           (null when the node has none)}, ...],
//    "edges": [{"child": "<id>", "parent": "<id>",
//               "relation": "finetune"}, ...]}
// Nodes and edges are in input order, as given (no deduplication); notes are
// not included. Invalid UTF-8 in a string is replaced by U+FFFD.
std::string RenderJson(const LineageView& view);

// Returns a Graphviz digraph ("digraph lineage { rankdir=BT; ... }", final
// '\n'): one box per node (label: ref, then the notes and the judgment on a
// second line as in the tree, then for a flagged node "! kind, kind" on a
// third), the start bold and filled, flagged nodes drawn in red
// (color="red", fontcolor="red", penwidth=2); one arrow per distinct edge from
// child to parent, labelled with the relation, dashed for distillation and
// architecture_reuse (no weights flow along those). Edge endpoints that are not
// among the nodes are declared as dashed boxes labelled with their id. Node and
// edge order follow the input; a repeated node id is declared once (first
// wins).
std::string RenderDot(const LineageView& view);

}  // namespace pedigree::client::cli

#endif  // PEDIGREE_CLIENT_CLI_LINEAGE_RENDER_H_
