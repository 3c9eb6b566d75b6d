// The functions LogQL templates may call: text/template's builtins (and or not len index
// printf print println eq ne lt le gt ge slice urlquery html js call) and Loki's function map
// (pkg/logql/log/fmt.go: the sprig subset plus Loki's own: ToLower, regexReplaceAll, count,
// duration, bytes, unixEpochMillis, alignLeft, ...).
//
// `__line__` and `__timestamp__` are functions of the entry being formatted: the context
// carries them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/log/template_value.h"
#include "storage/result.h"

namespace sawmill::query::log::tmpl {

struct CallContext {
  std::string_view line;
  int64_t ts_ns = 0;
  int64_t now_ns = 0;
};

bool HasFunction(std::string_view name);
// Calls a function other than and/or (which the executor short-circuits).
Result<Value> CallFunction(std::string_view name, const std::vector<Value>& args,
                           const CallContext& ctx);

}  // namespace sawmill::query::log::tmpl
