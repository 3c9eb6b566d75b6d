// Go's fmt formatting where LogQL templates need it: %v of float64 (shortest, exponent past
// 1e6 or under 1e-4 as strconv 'g' does), Printf with the common verbs (%d %s %v %q %f %e %g
// %x %X %o %b %c %t %%, flags "-+# 0", width and precision), and Go time layouts
// ("2006-01-02T15:04:05Z07:00") for formatting and parsing UTC times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/log/template_value.h"

namespace sawmill::query::log {

std::string GoFormatFloat(double f, char verb = 'v', int prec = -1);
std::string GoSprintf(std::string_view format, const std::vector<tmpl::Value>& args);
// Formats a UTC time (seconds since the epoch + nanoseconds) with a Go layout.
std::string GoFormatTime(std::string_view layout, int64_t sec, int64_t nanos);
// Parses `value` with a Go layout into UTC seconds + nanoseconds. Returns false when it does
// not match.
bool GoParseTime(std::string_view layout, std::string_view value, int64_t* sec, int64_t* nanos);

}  // namespace sawmill::query::log
