// Pretty-printing a LogQL query over several indented lines, as Loki's syntax.Prettify does
// (pkg/logql/syntax/prettier.go): what `logcli fmt` prints and /loki/api/v1/format_query
// answers.
//
// The rules, Loki's: an expression whose one-line form (Expr::String()) is at most
// `max_width` characters (100 by default) prints on one line; a longer one is split:
//   - a pipeline: the selector, then each stage on its own line, indented one level;
//     consecutive line filters are one stage, split the same way when too long;
//   - a range aggregation: `op(` / [param,] / the log range one level deeper / `)` [grouping];
//     `| unwrap` goes on its own line, ` [5m]` and ` offset 1h` stay on the last line;
//   - a vector aggregation: `op by (a, b)(` / [param,] / the inner expression / `)`;
//   - a binary operation: the left side one level deeper / the operator (with bool, on,
//     group_left ...) / the right side one level deeper;
//   - label_replace: one argument per line.
// Each level indents by two spaces; grouping labels print as `(a, b)`.
//
// Deliberate differences, so that the output always parses back to the same query:
//   - a split binary operation that is an operand of another split one keeps its
//     parentheses (`(` and `)` on their own lines); Loki drops them, which changes the
//     meaning of e.g. (a + b) * c;
//   - `or` alternatives of a line filter are kept (Loki's split form drops them);
//   - `without ()` and `on ()` are printed (Loki leaves them out);
//   - `| decolorize` is indented like every other stage.
//
// Thread-safety: reentrant.
#pragma once

#include <cstddef>
#include <string>

#include "query/logql/ast.h"

namespace sawmill::query::logql {

inline constexpr size_t kPrettyMaxWidth = 100;

std::string Prettify(const Expr& e, size_t max_width = kPrettyMaxWidth);

}  // namespace sawmill::query::logql
