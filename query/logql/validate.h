// The checks Loki makes on a parsed query before and while building its stages, with Loki's
// messages; ParseExpr runs them (parser.h).
//   1. every stream selector has a matcher that does not match the empty string;
//   2. sort/sort_desc have no `by (...)`;
//   3. the stages can be built: line filter regexes compile, ip() patterns parse. These are
//      stage errors: `parse error : stage '|~ "("' : error parsing regexp: ...\n`.
#pragma once

#include <string>
#include <string_view>

#include "query/logql/ast.h"
#include "storage/status.h"

namespace sawmill::query::logql {

Status ValidateExpr(const Expr& expr);

// Loki's ip() pattern check: an address, a CIDR prefix (`10.0.0.0/8`) or a range
// (`10.0.0.1-10.0.0.9`). Empty when valid, else `ip: invalid pattern: "<pattern>"`.
std::string IpPatternError(std::string_view pattern);

}  // namespace sawmill::query::logql
