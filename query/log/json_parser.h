// The `json` and `unpack` parser stages (Loki's JSONParser, JSONExpressionParser and
// UnpackParser, as of Loki 2.8).
//
// `| json`: every string, number and boolean member becomes a label; nested objects are
// flattened with '_' (`{"a":{"b":1}}` gives a_b="1"); arrays and nulls are skipped. Names are
// sanitised; a name the stream already has gets "_extracted". A malformed line sets
// __error__="JSONParserErr" and __error_details__ to jsonparser's message, keeping the labels
// found before the error.
//
// `| json a="b.c", d="e[0]"`: only the given paths; a path that is absent gives an empty
// label; strings are taken as written (not unescaped), objects and arrays as their JSON text.
// A line that does not start with '"', '{' or '[' sets __error__ only.
//
// `| unpack`: the string members of a JSON object become labels (names as written); the
// member "_entry" replaces the line (Promtail's pack stage).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "query/log/stage.h"
#include "storage/result.h"

namespace sawmill::query::log {

inline constexpr std::string_view kJsonParserErr = "JSONParserErr";

StagePtr JsonParserStage();
// `extractions`: (label name, path expression). InvalidArgument for a bad path or name:
// "cannot parse expression [...]: ...", "invalid extracted label name '...'".
Result<StagePtr> JsonExpressionParserStage(
    const std::vector<std::pair<std::string, std::string>>& extractions);
StagePtr UnpackParserStage();

}  // namespace sawmill::query::log
