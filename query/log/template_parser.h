// Parses Go text/template syntax into a tmpl::Template (template_ast.h). Errors read like
// Go's: `template: line:1: unexpected "}" in operand`. Function names are checked against
// the functions LogQL templates offer (template_funcs.h), as Go checks them at parse time.
#pragma once

#include <string_view>

#include "query/log/template_ast.h"
#include "storage/result.h"

namespace sawmill::query::log::tmpl {

Result<Template> ParseTemplate(std::string_view name, std::string_view text);

}  // namespace sawmill::query::log::tmpl
