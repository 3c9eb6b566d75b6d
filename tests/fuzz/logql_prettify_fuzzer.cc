// libFuzzer target for Prettify (query/logql/prettier.h): a query that parses prints, at the
// default width and at widths that split every expression, to text that parses back to the
// same query (the same String()). Seeds: the LogQL parser's (logql_fuzzer) corpus.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/logql/ast.h"
#include "query/logql/parser.h"
#include "query/logql/prettier.h"
#include "tests/fuzz/logql_finite.h"

using namespace sawmill::query::logql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // long inputs only slow the run down; the parser's fuzzer has them
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseExpr(in);
  if (!parsed.ok() || fuzz::HasNonFiniteNumber(**parsed)) return 0;
  const std::string want = (*parsed)->String();
  for (size_t width : {kPrettyMaxWidth, size_t{20}, size_t{0}}) {
    const std::string pretty = Prettify(**parsed, width);
    auto again = ParseExpr(pretty);
    // Printing parenthesises every nested binary node, so a query within a factor of two of
    // the parser's depth guard can print to text past it (a known limit: docs/design.md).
    if (!again.ok() && again.status().message() == "parse error : expression nested too deeply") {
      continue;
    }
    if (!again.ok()) __builtin_trap();
    if ((*again)->String() != want) __builtin_trap();
  }
  return 0;
}
