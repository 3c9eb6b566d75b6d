// The `regexp` and `pattern` parser stages (Loki's RegexpParser and PatternParser): named
// captures become labels (a name the stream already has gets "_extracted"). A line the regex
// does not match passes unchanged, without labels.
#pragma once

#include <string_view>

#include "query/log/stage.h"
#include "storage/result.h"

namespace sawmill::query::log {

// InvalidArgument (Loki's texts): "at least one named capture must be supplied",
// "invalid extracted label name 'x'", "duplicate extracted label name 'x'", or the regex
// compile error.
Result<StagePtr> RegexpParserStage(std::string_view regex);
// InvalidArgument: the PatternMatcher::Parse errors, "invalid capture label name 'x'".
Result<StagePtr> PatternParserStage(std::string_view pattern);

}  // namespace sawmill::query::log
