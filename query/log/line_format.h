// `line_format "{{.a}} {{__line__}}"` and `label_format dst="{{.x}}", dst2=src` (Loki's
// LineFormatter and LabelsFormatter). Templates are Go text/template with Loki's functions
// (template_funcs.h), parsed once at compile time.
//
// A template that fails on an entry sets __error__="TemplateFormatErr" and
// __error_details__; line_format then keeps the line unchanged, label_format skips that label.
// label_format's templates all see the labels as they were before its first template ran.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/log/stage.h"
#include "storage/result.h"

namespace sawmill::query::log {

inline constexpr std::string_view kTemplateFormatErr = "TemplateFormatErr";

// InvalidArgument on a template syntax error (Go's text: `template: line:1: ...`).
Result<StagePtr> LineFormatStage(std::string_view tmpl);

struct LabelFormatSpec {
  std::string name;
  std::string value;  // the template, or the source label when `rename`
  bool rename = false;
};
Result<StagePtr> LabelFormatStage(const std::vector<LabelFormatSpec>& formats);

}  // namespace sawmill::query::log
