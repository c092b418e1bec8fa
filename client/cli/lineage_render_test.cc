#include "client/cli/lineage_render.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace pedigree::client::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

LineageNodeView Start(const std::string& id, const std::string& label) {
  return LineageNodeView{id, label, LineageSide::kStart, 0, {}, std::nullopt};
}

LineageNodeView Ancestor(const std::string& id, const std::string& label,
                         int distance) {
  return LineageNodeView{id,       label, LineageSide::kAncestor,
                         distance, {},    std::nullopt};
}

LineageNodeView Descendant(const std::string& id, const std::string& label,
                           int distance) {
  return LineageNodeView{id,       label, LineageSide::kDescendant,
                         distance, {},    std::nullopt};
}

LineageEdgeView Edge(const std::string& child, const std::string& parent,
                     const std::string& relation) {
  return LineageEdgeView{child, parent, relation};
}

// base <-finetune- instruct <-adapter- lora, seen from `start_id`.
LineageView Chain(const std::string& start_id) {
  LineageView view;
  const std::vector<std::pair<std::string, std::string>> records = {
      {"b0", "org/base@v1"}, {"i1", "org/instruct@v1"}, {"l2", "org/lora@v1"}};
  int start_index = 0;
  for (int i = 0; i < 3; ++i) {
    if (records[i].first == start_id) start_index = i;
  }
  view.nodes.push_back(
      Start(records[start_index].first, records[start_index].second));
  for (int i = 0; i < 3; ++i) {
    if (i == start_index) continue;
    const int distance = std::abs(i - start_index);
    view.nodes.push_back(
        i < start_index
            ? Ancestor(records[i].first, records[i].second, distance)
            : Descendant(records[i].first, records[i].second, distance));
  }
  view.edges = {Edge("i1", "b0", "finetune"), Edge("l2", "i1", "adapter")};
  return view;
}

// merged merges left and right, both finetunes of base.
LineageView Diamond() {
  LineageView view;
  view.nodes = {Start("m0", "org/merged@v1"), Ancestor("r1", "org/right@v1", 1),
                Ancestor("l1", "org/left@v1", 1),
                Ancestor("b2", "org/base@v1", 2)};
  view.edges = {Edge("m0", "r1", "merge"), Edge("m0", "l1", "merge"),
                Edge("l1", "b2", "finetune"), Edge("r1", "b2", "finetune")};
  return view;
}

// student is a finetune of base, distilled from teacher.
LineageView Distilled() {
  LineageView view;
  view.nodes = {Start("s0", "org/student@v1"), Ancestor("b1", "org/base@v1", 1),
                Ancestor("t1", "other/teacher@v2", 1)};
  view.nodes[1].notes = {"apache-2.0"};
  view.edges = {Edge("s0", "b1", "finetune"), Edge("s0", "t1", "distillation")};
  return view;
}

// instruct has parent base and children lora and q4.
LineageView BothWays() {
  LineageView view;
  view.nodes = {Start("i0", "org/instruct@v1"),
                Ancestor("b1", "org/base@v1", 1),
                Descendant("q1", "org/instruct-q4@v1", 1),
                Descendant("l1", "org/lora@v1", 1)};
  view.edges = {Edge("i0", "b1", "finetune"), Edge("q1", "i0", "quantized"),
                Edge("l1", "i0", "adapter")};
  return view;
}

NodeJudgmentView Judged(const std::string& label, const std::string& mof_class,
                        std::vector<std::string> flags = {}) {
  return NodeJudgmentView{label, mof_class, std::move(flags)};
}

// A Llama-3.1-style base and its MIT-declared fine-tune, both judged; the
// fine-tune is flagged.
LineageView JudgedFineTune() {
  LineageView view;
  view.nodes = {Start("f0", "acme/ft@v1"),
                Ancestor("b1", "acme/llama-base@v1", 1)};
  view.nodes[0].notes = {"MIT"};
  view.nodes[0].judgment =
      Judged("open_weight_restricted", "none",
             {"declared_license_differs_from_inherited", "naming_duty_unmet"});
  view.nodes[1].notes = {"LicenseRef-Llama-3.1-Community"};
  view.nodes[1].judgment = Judged("open_weight_restricted", "class_iii");
  view.edges = {Edge("f0", "b1", "finetune")};
  return view;
}

TreeOptions Ascii() {
  TreeOptions options;
  options.unicode = false;
  return options;
}

// ------------------------------------------------------------------ tree

TEST(RenderTreeTest, SingleNodePrintsItsLabel) {
  LineageView view;
  view.nodes = {Start("a0", "org/base@v1")};

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree, "org/base@v1\n");
}

TEST(RenderTreeTest, EmptyViewPrintsNothing) {
  const LineageView view;

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree, "");
}

TEST(RenderTreeTest, ChainDrawsAncestorsUpward) {
  const LineageView view = Chain("l2");

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/lora@v1\n"
            "└── [adapter] org/instruct@v1\n"
            "    └── [finetune] org/base@v1\n");
}

TEST(RenderTreeTest, ChainDrawsDescendantsDownward) {
  const LineageView view = Chain("b0");

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "Descendants:\n"
            "org/base@v1\n"
            "└── [finetune] org/instruct@v1\n"
            "    └── [adapter] org/lora@v1\n");
}

TEST(RenderTreeTest, MergeShowsEveryParentAndSharedAncestorOnce) {
  const LineageView view = Diamond();

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/merged@v1\n"
            "├── [merge] org/left@v1\n"
            "│   └── [finetune] org/base@v1\n"
            "└── [merge] org/right@v1\n"
            "    └── [finetune] org/base@v1 (*)\n");
}

TEST(RenderTreeTest, AsciiUsesPlainConnectors) {
  const LineageView view = Diamond();

  const std::string tree = RenderTree(view, Ascii());

  EXPECT_EQ(tree,
            "org/merged@v1\n"
            "|-- [merge] org/left@v1\n"
            "|   `-- [finetune] org/base@v1\n"
            "`-- [merge] org/right@v1\n"
            "    `-- [finetune] org/base@v1 (*)\n");
}

TEST(RenderTreeTest, DistillationTeacherAndFinetuneParentSortByRelation) {
  const LineageView view = Distilled();

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/student@v1\n"
            "├── [distillation] other/teacher@v2\n"
            "└── [finetune] org/base@v1 (apache-2.0)\n");
}

TEST(RenderTreeTest, SiblingsWithSameRelationSortByLabel) {
  LineageView view;
  view.nodes = {Start("m0", "org/merged@v1"), Ancestor("z1", "org/zeta@v1", 1),
                Ancestor("a1", "org/alpha@v1", 1)};
  view.edges = {Edge("m0", "z1", "merge"), Edge("m0", "a1", "merge")};

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/merged@v1\n"
            "├── [merge] org/alpha@v1\n"
            "└── [merge] org/zeta@v1\n");
}

TEST(RenderTreeTest, BothDirectionsDrawTwoSections) {
  const LineageView view = BothWays();

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/instruct@v1\n"
            "└── [finetune] org/base@v1\n"
            "\n"
            "Descendants:\n"
            "org/instruct@v1\n"
            "├── [adapter] org/lora@v1\n"
            "└── [quantized] org/instruct-q4@v1\n");
}

TEST(RenderTreeTest, BothDirectionsInAscii) {
  const LineageView view = BothWays();

  const std::string tree = RenderTree(view, Ascii());

  EXPECT_EQ(tree,
            "org/instruct@v1\n"
            "`-- [finetune] org/base@v1\n"
            "\n"
            "Descendants:\n"
            "org/instruct@v1\n"
            "|-- [adapter] org/lora@v1\n"
            "`-- [quantized] org/instruct-q4@v1\n");
}

TEST(RenderTreeTest, NotesAreDimmedWhenColorIsOn) {
  LineageView view;
  view.nodes = {Start("a0", "org/base@v1")};
  view.nodes[0].notes = {"apache-2.0", "open_weight"};
  TreeOptions options;
  options.color = true;

  const std::string tree = RenderTree(view, options);

  EXPECT_EQ(tree, "org/base@v1 \x1b[2m(apache-2.0, open_weight)\x1b[0m\n");
}

TEST(RenderTreeTest, CycleInMalformedInputTerminates) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1"), Ancestor("b1", "org/b@v1", 1)};
  view.edges = {Edge("a0", "b1", "finetune"), Edge("b1", "a0", "finetune")};

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/a@v1\n"
            "└── [finetune] org/b@v1\n"
            "    └── [finetune] org/a@v1 (*)\n"
            "\n"
            "Descendants:\n"
            "org/a@v1\n"
            "└── [finetune] org/b@v1\n"
            "    └── [finetune] org/a@v1 (*)\n");
}

TEST(RenderTreeTest, SelfLoopTerminates) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1")};
  view.edges = {Edge("a0", "a0", "conversion")};

  const std::string tree = RenderTree(view, Ascii());

  EXPECT_EQ(tree,
            "org/a@v1\n"
            "`-- [conversion] org/a@v1 (*)\n"
            "\n"
            "Descendants:\n"
            "org/a@v1\n"
            "`-- [conversion] org/a@v1 (*)\n");
}

TEST(RenderTreeTest, EdgeToUnknownNodeShowsRawIdAndNote) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1")};
  view.edges = {Edge("a0", "deadbeef", "finetune"),
                Edge("deadbeef", "cafe", "merge")};

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/a@v1\n"
            "└── [finetune] deadbeef (unknown record)\n"
            "    └── [merge] cafe (unknown record)\n");
}

TEST(RenderTreeTest, UnreachableNodesAreListedSeparately) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1"), Ancestor("x1", "org/x@v1", 1),
                Ancestor("y1", "org/y@v1", 1)};

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/a@v1\n"
            "\n"
            "Not connected to the start:\n"
            "├── org/x@v1\n"
            "└── org/y@v1\n");
}

TEST(RenderTreeTest, DuplicateEdgesAreDrawnOnce) {
  LineageView view = Chain("i1");
  view.edges.push_back(Edge("i1", "b0", "finetune"));

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "org/instruct@v1\n"
            "└── [finetune] org/base@v1\n"
            "\n"
            "Descendants:\n"
            "org/instruct@v1\n"
            "└── [adapter] org/lora@v1\n");
}

TEST(RenderTreeTest, ControlCharactersInLabelsAreReplaced) {
  LineageView view;
  view.nodes = {Start("a0", "org/\x1b[31mred\n@v1\x7f")};
  view.nodes[0].notes = {
      "\xc2\x9b"
      "2J"};

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree, "org/?[31mred?@v1? (?2J)\n");
}

TEST(RenderTreeTest, NonAsciiLabelsAreKept) {
  LineageView view;
  view.nodes = {Start("a0", "org/modèle@v1")};

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree, "org/modèle@v1\n");
}

TEST(RenderTreeTest, LayeredDiamondsStayLinearInSize) {
  // 40 layers of two nodes, each node a merge of both nodes of the layer
  // above: 2^40 paths, 160 edges.
  LineageView view;
  view.nodes = {Start("s", "org/s@v1")};
  std::vector<std::string> above = {"s"};
  for (int layer = 0; layer < 40; ++layer) {
    std::vector<std::string> current;
    for (const char* side : {"l", "r"}) {
      const std::string id = side + std::to_string(layer);
      view.nodes.push_back(Ancestor(id, "org/" + id + "@v1", layer + 1));
      for (const std::string& child : above) {
        view.edges.push_back(Edge(child, id, "merge"));
      }
      current.push_back(id);
    }
    above = current;
  }

  const std::string tree = RenderTree(view);

  const auto lines = std::count(tree.begin(), tree.end(), '\n');
  EXPECT_EQ(static_cast<std::size_t>(lines), view.edges.size() + 1);
}

TEST(RenderTreeTest, LongChainIsCutAtMaxDepth) {
  LineageView view;
  view.nodes = {Start("n0", "org/n0@v1")};
  constexpr int kLength = 1000;
  for (int i = 1; i <= kLength; ++i) {
    const std::string id = "n" + std::to_string(i);
    view.nodes.push_back(Ancestor(id, "org/" + id + "@v1", i));
    view.edges.push_back(Edge("n" + std::to_string(i - 1), id, "finetune"));
  }

  const std::string tree = RenderTree(view, Ascii());

  EXPECT_EQ(std::count(tree.begin(), tree.end(), '\n'), 128 + 1);
  EXPECT_THAT(tree, HasSubstr("`-- [finetune] org/n128@v1 (...)\n"));
}

TEST(RenderTreeTest, NodeAtMaxDepthWithParentsShowsEllipsis) {
  const LineageView view = Chain("l2");
  TreeOptions options;
  options.max_depth = 1;

  const std::string tree = RenderTree(view, options);

  EXPECT_EQ(tree,
            "org/lora@v1\n"
            "└── [adapter] org/instruct@v1 (...)\n");
}

TEST(RenderTreeTest, LeafAtMaxDepthShowsNoEllipsis) {
  const LineageView view = Chain("l2");
  TreeOptions options;
  options.max_depth = 2;

  const std::string tree = RenderTree(view, options);

  EXPECT_EQ(tree,
            "org/lora@v1\n"
            "└── [adapter] org/instruct@v1\n"
            "    └── [finetune] org/base@v1\n");
}

TEST(RenderTreeTest, JudgedNodesShowLabelAndClassAndFlaggedNodesAreMarked) {
  const LineageView view = JudgedFineTune();

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree,
            "acme/ft@v1 (MIT; open_weight_restricted, MOF none) ! flagged: "
            "declared_license_differs_from_inherited, naming_duty_unmet\n"
            "└── [finetune] acme/llama-base@v1 "
            "(LicenseRef-Llama-3.1-Community; open_weight_restricted, MOF "
            "class_iii)\n");
}

TEST(RenderTreeTest, JudgmentWithoutNotesStandsAloneInParentheses) {
  LineageView view;
  view.nodes = {Start("a0", "org/olmo@v1")};
  view.nodes[0].judgment = Judged("open_source", "class_i");

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree, "org/olmo@v1 (open_source, MOF class_i)\n");
}

TEST(RenderTreeTest, UnflaggedJudgedNodeHasNoMarker) {
  LineageView view;
  view.nodes = {Start("a0", "org/base@v1")};
  view.nodes[0].judgment = Judged("open_weight_permissive", "class_iii");

  const std::string tree = RenderTree(view);

  EXPECT_THAT(tree, Not(HasSubstr("!")));
  EXPECT_THAT(tree, Not(HasSubstr("flagged")));
}

TEST(RenderTreeTest, NodeWithoutJudgmentShowsNoneOfOne) {
  LineageView view;
  view.nodes = {Start("a0", "org/base@v1")};
  view.nodes[0].notes = {"MIT"};

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree, "org/base@v1 (MIT)\n");
}

TEST(RenderTreeTest, EmptyMofClassIsLeftOut) {
  LineageView view;
  view.nodes = {Start("a0", "org/base@v1")};
  view.nodes[0].judgment = Judged("closed", "");

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree, "org/base@v1 (closed)\n");
}

TEST(RenderTreeTest, RepeatedFlaggedNodeKeepsItsMarker) {
  LineageView view = Diamond();
  view.nodes[3].judgment =
      Judged("open_weight_restricted", "none", {"naming_duty_unmet"});

  const std::string tree = RenderTree(view);

  EXPECT_THAT(tree,
              HasSubstr("org/base@v1 (*) ! flagged: naming_duty_unmet\n"));
}

TEST(RenderTreeTest, FlaggedNodeAtMaxDepthKeepsItsMarker) {
  LineageView view = Chain("l2");  // nodes: lora, base, instruct
  view.nodes[2].judgment =
      Judged("open_weight_restricted", "none", {"unknown_license"});
  TreeOptions options;
  options.max_depth = 1;

  const std::string tree = RenderTree(view, options);

  EXPECT_THAT(tree, HasSubstr("org/instruct@v1 (...) ! flagged: "
                              "unknown_license\n"));
}

TEST(RenderTreeTest, FlagMarkerIsBoldRedWhenColorIsOn) {
  const LineageView view = JudgedFineTune();
  TreeOptions options;
  options.color = true;

  const std::string tree = RenderTree(view, options);

  EXPECT_THAT(tree,
              HasSubstr("acme/ft@v1 \x1b[2m(MIT; open_weight_restricted, MOF "
                        "none)\x1b[0m \x1b[1;31m! flagged: "
                        "declared_license_differs_from_inherited, "
                        "naming_duty_unmet\x1b[0m\n"));
}

TEST(RenderTreeTest, ControlCharactersInJudgmentAreReplaced) {
  LineageView view;
  view.nodes = {Start("a0", "org/base@v1")};
  view.nodes[0].judgment = Judged("open\x1b[2J", "none", {"bad\nflag"});

  const std::string tree = RenderTree(view);

  EXPECT_EQ(tree, "org/base@v1 (open?[2J, MOF none) ! flagged: bad?flag\n");
}

// ------------------------------------------------------------------ json

TEST(RenderJsonTest, ChainHasExactDocumentedShape) {
  const LineageView view = Chain("i1");

  const std::string json = RenderJson(view);

  EXPECT_EQ(json,
            R"({
  "start": "i1",
  "nodes": [
    {
      "id": "i1",
      "ref": "org/instruct@v1",
      "side": "start",
      "distance": 0,
      "judgment": null
    },
    {
      "id": "b0",
      "ref": "org/base@v1",
      "side": "ancestor",
      "distance": 1,
      "judgment": null
    },
    {
      "id": "l2",
      "ref": "org/lora@v1",
      "side": "descendant",
      "distance": 1,
      "judgment": null
    }
  ],
  "edges": [
    {
      "child": "i1",
      "parent": "b0",
      "relation": "finetune"
    },
    {
      "child": "l2",
      "parent": "i1",
      "relation": "adapter"
    }
  ]
}
)");
}

TEST(RenderJsonTest, JudgedNodeHasLabelClassAndFlags) {
  const LineageView view = JudgedFineTune();

  const nlohmann::json parsed =
      nlohmann::json::parse(RenderJson(view), nullptr, false);

  ASSERT_FALSE(parsed.is_discarded());
  const nlohmann::json expected = nlohmann::json::parse(R"({
    "label": "open_weight_restricted",
    "mof_class": "none",
    "flags": ["declared_license_differs_from_inherited", "naming_duty_unmet"]
  })");
  EXPECT_EQ(parsed["nodes"][0]["judgment"], expected);
}

TEST(RenderJsonTest, UnflaggedJudgedNodeHasEmptyFlags) {
  const LineageView view = JudgedFineTune();

  const nlohmann::json parsed =
      nlohmann::json::parse(RenderJson(view), nullptr, false);

  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["nodes"][1]["judgment"]["mof_class"], "class_iii");
  EXPECT_EQ(parsed["nodes"][1]["judgment"]["flags"], nlohmann::json::array());
}

TEST(RenderJsonTest, NotesAreNotIncluded) {
  const LineageView view = JudgedFineTune();

  const std::string json = RenderJson(view);

  EXPECT_THAT(json, Not(HasSubstr("MIT")));
}

TEST(RenderJsonTest, EmptyViewHasNullStart) {
  const LineageView view;

  const std::string json = RenderJson(view);

  EXPECT_EQ(json,
            "{\n  \"start\": null,\n  \"nodes\": [],\n  \"edges\": []\n}\n");
}

TEST(RenderJsonTest, QuotesAndControlCharactersAreEscaped) {
  LineageView view;
  view.nodes = {Start("a0", "org/\"x\\\n@v1")};

  const std::string json = RenderJson(view);

  EXPECT_THAT(json, HasSubstr(R"("ref": "org/\"x\\\n@v1")"));
}

TEST(RenderJsonTest, InvalidUtf8IsReplacedNotThrown) {
  LineageView view;
  view.nodes = {Start("a0", "org/\xff@v1")};

  const std::string json = RenderJson(view);

  EXPECT_THAT(json, HasSubstr("\"ref\": \"org/\xef\xbf\xbd@v1\""));
}

TEST(RenderJsonTest, OutputParsesBack) {
  const LineageView view = Diamond();

  const nlohmann::json parsed =
      nlohmann::json::parse(RenderJson(view), nullptr, false);

  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed.find("nodes")->size(), 4u);
  EXPECT_EQ(parsed.find("edges")->size(), 4u);
}

// ------------------------------------------------------------------- dot

TEST(RenderDotTest, DistilledGraphIsExact) {
  const LineageView view = Distilled();

  const std::string dot = RenderDot(view);

  EXPECT_EQ(dot,
            "digraph lineage {\n"
            "  rankdir=BT;\n"
            "  node [shape=box];\n"
            "  \"s0\" [label=\"org/student@v1\", style=\"bold,filled\", "
            "fillcolor=\"lightyellow\"];\n"
            "  \"b1\" [label=\"org/base@v1\\napache-2.0\"];\n"
            "  \"t1\" [label=\"other/teacher@v2\"];\n"
            "  \"s0\" -> \"b1\" [label=\"finetune\"];\n"
            "  \"s0\" -> \"t1\" [label=\"distillation\", style=dashed];\n"
            "}\n");
}

TEST(RenderDotTest, ArchitectureReuseEdgeIsDashed) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1"), Ancestor("b1", "org/b@v1", 1)};
  view.edges = {Edge("a0", "b1", "architecture_reuse")};

  const std::string dot = RenderDot(view);

  EXPECT_THAT(dot, HasSubstr("  \"a0\" -> \"b1\" [label=\"architecture_reuse\""
                             ", style=dashed];\n"));
}

TEST(RenderDotTest, WeightCarryingEdgeIsSolid) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1"), Ancestor("b1", "org/b@v1", 1)};
  view.edges = {Edge("a0", "b1", "merge")};

  const std::string dot = RenderDot(view);

  EXPECT_THAT(dot, HasSubstr("  \"a0\" -> \"b1\" [label=\"merge\"];\n"));
  EXPECT_THAT(dot, Not(HasSubstr("dashed")));
}

TEST(RenderDotTest, QuotesAndBackslashesAreEscaped) {
  LineageView view;
  view.nodes = {Start("a\"0\\", "org/\"quoted\"\\@v1\\")};
  view.edges = {Edge("a\"0\\", "x\\\"", "fine\"tune")};

  const std::string dot = RenderDot(view);

  EXPECT_EQ(
      dot,
      "digraph lineage {\n"
      "  rankdir=BT;\n"
      "  node [shape=box];\n"
      R"(  "a\"0\\" [label="org/\"quoted\"\\@v1\\", style="bold,filled", )"
      R"(fillcolor="lightyellow"];)"
      "\n"
      R"(  "x\\\"" [label="x\\\"", style=dashed];)"
      "\n"
      R"(  "a\"0\\" -> "x\\\"" [label="fine\"tune"];)"
      "\n"
      "}\n");
}

TEST(RenderDotTest, NewlinesAndControlCharactersAreNeutralized) {
  LineageView view;
  view.nodes = {Start("a0", "org/a\n\x1b@v1")};

  const std::string dot = RenderDot(view);

  EXPECT_THAT(dot, HasSubstr(R"("a0" [label="org/a\n?@v1")"));
}

TEST(RenderDotTest, UnknownEndpointIsDeclaredDashedOnce) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1")};
  view.edges = {Edge("a0", "ff", "finetune"), Edge("a0", "ff", "merge")};

  const std::string dot = RenderDot(view);

  EXPECT_EQ(dot,
            "digraph lineage {\n"
            "  rankdir=BT;\n"
            "  node [shape=box];\n"
            "  \"a0\" [label=\"org/a@v1\", style=\"bold,filled\", "
            "fillcolor=\"lightyellow\"];\n"
            "  \"ff\" [label=\"ff\", style=dashed];\n"
            "  \"a0\" -> \"ff\" [label=\"finetune\"];\n"
            "  \"a0\" -> \"ff\" [label=\"merge\"];\n"
            "}\n");
}

TEST(RenderDotTest, JudgedGraphIsExactAndFlaggedNodeIsRed) {
  const LineageView view = JudgedFineTune();

  const std::string dot = RenderDot(view);

  EXPECT_EQ(dot,
            "digraph lineage {\n"
            "  rankdir=BT;\n"
            "  node [shape=box];\n"
            "  \"f0\" [label=\"acme/ft@v1\\nMIT; open_weight_restricted, "
            "MOF none\\n! declared_license_differs_from_inherited, "
            "naming_duty_unmet\", style=\"bold,filled\", "
            "fillcolor=\"lightyellow\", color=\"red\", fontcolor=\"red\", "
            "penwidth=2];\n"
            "  \"b1\" [label=\"acme/llama-base@v1\\n"
            "LicenseRef-Llama-3.1-Community; open_weight_restricted, MOF "
            "class_iii\"];\n"
            "  \"f0\" -> \"b1\" [label=\"finetune\"];\n"
            "}\n");
}

TEST(RenderDotTest, UnflaggedNodeIsNotRed) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1")};
  view.nodes[0].judgment = Judged("open_source", "class_i");

  const std::string dot = RenderDot(view);

  EXPECT_THAT(dot, HasSubstr("[label=\"org/a@v1\\nopen_source, MOF class_i\""));
  EXPECT_THAT(dot, Not(HasSubstr("red")));
}

TEST(RenderDotTest, FlagKindsAreEscaped) {
  LineageView view;
  view.nodes = {Start("a0", "org/a@v1")};
  view.nodes[0].judgment = Judged("closed", "none", {"x\"y"});

  const std::string dot = RenderDot(view);

  EXPECT_THAT(dot, HasSubstr(R"(\n! x\"y")"));
}

TEST(RenderDotTest, EmptyViewIsAnEmptyGraph) {
  const LineageView view;

  const std::string dot = RenderDot(view);

  EXPECT_EQ(dot, "digraph lineage {\n  rankdir=BT;\n  node [shape=box];\n}\n");
}

}  // namespace
}  // namespace pedigree::client::cli
