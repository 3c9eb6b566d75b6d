// libFuzzer target for the LogQL parser: any input parses or returns an InvalidArgument
// Status (never a crash, hang or unbounded allocation); a parsed query prints to text that
// parses again and prints the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/logql/ast.h"
#include "query/logql/parser.h"
#include "tests/fuzz/logql_finite.h"

using namespace sawmill::query::logql;
using sawmill::query::logql::fuzz::HasNonFiniteNumber;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseExpr(in);
  if (!parsed.ok()) {
    if (!parsed.status().IsInvalidArgument()) __builtin_trap();
    return 0;
  }
  if (HasNonFiniteNumber(**parsed)) return 0;
  std::string printed = (*parsed)->String();
  auto again = ParseExpr(printed);
  // Printing parenthesises every nested binary node, so a query within a factor of two of
  // the parser's depth guard can print to text past it (a known limit: docs/design.md).
  if (!again.ok() && again.status().message() == "parse error : expression nested too deeply") {
    return 0;
  }
  if (!again.ok()) __builtin_trap();
  if ((*again)->String() != printed) __builtin_trap();
  return 0;
}
