// Printing of the non-log parts of query answers as logcli prints them: metric results
// (matrix, vector, scalar) as the result JSON indented by two spaces with no trailing newline
// (Go's json.MarshalIndent + fmt.Print), and --stats as "Key <tab> value" lines on stderr.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "tools/sawcli/context.h"

namespace sawmill::sawcli {

// `data` is the response's "data" object; prints data.stats flattened
// ("Summary.BytesProcessedPerSecond") to stderr.
void PrintStats(const nlohmann::json& data);

// Prints a matrix/vector/scalar result; other types print nothing.
void PrintResultJson(Context& ctx, const std::string& type, const nlohmann::json& result);

}  // namespace sawmill::sawcli
