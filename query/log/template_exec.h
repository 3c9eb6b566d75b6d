// Runs a parsed template (template_ast.h) over the labels of one entry, as Go's
// text/template Execute does over Loki's map[string]string of labels with
// missingkey=zero: `.name` is a label value (a missing label is ""), `__line__` and `__timestamp__`
// are the entry's line and time. Errors read like Go's
// (`template: line:1:5: executing "line" at <div>: error calling div: ...`).
//
// Output is bounded (kMaxTemplateOutput): a template cannot make a line grow without limit.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "query/log/template_ast.h"
#include "query/log/template_funcs.h"
#include "storage/status.h"

namespace sawmill::query::log::tmpl {

inline constexpr size_t kMaxTemplateOutput = 1 << 20;

using LabelLookup = std::function<std::optional<std::string_view>(std::string_view)>;
// Calls its argument with every label (name, value): for `{{ . }}` and `{{ $ }}`, which print
// the whole map.
using LabelVisitor = std::function<void(std::string_view, std::string_view)>;
using LabelEnumerator = std::function<void(const LabelVisitor&)>;

// Appends the output to `out`. On error `out` holds a partial output.
Status ExecuteTemplate(const Template& t, const LabelLookup& labels,
                       const LabelEnumerator& all_labels, const CallContext& ctx, std::string* out);

}  // namespace sawmill::query::log::tmpl
