// The parsed form of a Go text/template, as `line_format` and `label_format` use them
// (parsed once per query by ParseTemplate, template_parser.h; run per line by
// ExecuteTemplate, template_exec.h). Only the parts of text/template that LogQL users write
// are supported: actions with pipelines, fields (`.a.b`), variables (`$`, `$x := ...`),
// function calls, parenthesised pipelines, literals, if / else if / else, range, with,
// comments and the `{{-` / `-}}` trim markers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sawmill::query::log::tmpl {

struct Pipeline;

// One operand of a command.
struct Arg {
  enum class Kind {
    kField,
    kDot,
    kVariable,
    kFunction,
    kString,
    kInt,
    kFloat,
    kBool,
    kNil,
    kPipeline
  };
  Kind kind = Kind::kNil;
  std::string text;                 // function or variable name ("$" for the root), string
  std::vector<std::string> fields;  // `.a.b` -> {a, b}; also after a variable or a (pipeline)
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::shared_ptr<Pipeline> pipeline;  // kPipeline
  int pos = 0;                         // offset in the template, for error messages
  std::string source;                  // the operand as written, for error messages
};

// `fn a b` or a single operand.
struct Command {
  std::vector<Arg> args;
};

// `$x := cmd | cmd`.
struct Pipeline {
  std::vector<std::string> decl;  // declared variables (without '$'), 0 to 2
  bool assign = false;            // `=` rather than `:=`
  std::vector<Command> cmds;
};

struct Node;
using NodeList = std::vector<Node>;

struct Node {
  enum class Kind { kText, kAction, kIf, kRange, kWith, kBreak, kContinue };
  Kind kind = Kind::kText;
  std::string text;  // kText
  std::shared_ptr<Pipeline> pipe;
  std::shared_ptr<NodeList> list;       // kIf/kRange/kWith body
  std::shared_ptr<NodeList> else_list;  // may be null
};

struct Template {
  std::string name;  // "line" or "label", used in error messages as Go does
  NodeList root;
};

}  // namespace sawmill::query::log::tmpl
