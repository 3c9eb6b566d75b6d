// Line filters: `|= "x"`, `!= "x"`, `|~ "re"`, `!~ "re"`, `|> "pat"`, `!> "pat"`,
// `|= ip("...")`, with `or` alternatives. They run on the raw bytes of the line as it is at
// their place in the pipeline, never allocate, and never look at labels.
//
// Literal searches use SubstringSearcher; regexes go through AnalyzeRegex() first so that
// `foo|bar`, `(?i)foo` and `.*foo.*` never reach RE2 and other regexes are prefiltered by a
// literal they require. Regexes are unanchored (Loki's line regexes match anywhere).
//
// Every LineMatcher is immutable and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "query/log/stage.h"
#include "storage/chunk_reader.h"
#include "storage/result.h"

namespace sawmill::query::log {

class LineMatcher {
 public:
  virtual ~LineMatcher() = default;
  virtual bool Matches(std::string_view line) const = 0;
  // Sets match[i] to Matches(line i) for the lines of a batch, line i being
  // text.substr(entries[i].offset, entries[i].line_len) (storage::BatchIterator's layout: the
  // lines lie in text in order, without overlapping). A literal is searched across the whole
  // text at once instead of line by line; the default calls Matches on each line.
  virtual void MatchLines(std::string_view text, std::span<const storage::BatchEntry> entries,
                          uint8_t* match) const;
};

using LineMatcherPtr = std::unique_ptr<LineMatcher>;

// Lines containing `literal` (every line for "").
LineMatcherPtr ContainsMatcher(std::string_view literal);
// `(?i)literal` as Loki runs it (its containsLower scan, quirks included: see line_filter.cc);
// a non-ASCII literal uses RE2.
LineMatcherPtr ContainsFoldedMatcher(std::string_view literal);
// Lines where the RE2/Go regex `pattern` matches somewhere. InvalidArgument when it does not
// compile: "error parsing regexp: ...".
Result<LineMatcherPtr> RegexMatcher(std::string_view pattern);
// Lines matching the whole pattern expression (`<_> error <_>`).
Result<LineMatcherPtr> PatternLineMatcher(std::string_view pattern);
// Lines containing an IP address inside `pattern` (address, range or CIDR).
Result<LineMatcherPtr> IpLineMatcher(std::string_view pattern);
// Either of `alternatives` (`|= "a" or "b"`).
LineMatcherPtr OrMatcher(std::vector<LineMatcherPtr> alternatives);
// The lines `m` rejects (`!=`, `!~`, `!>`).
LineMatcherPtr NotMatcher(LineMatcherPtr m);

// The pipeline stage running one matcher.
StagePtr LineFilterStage(LineMatcherPtr matcher);

}  // namespace sawmill::query::log
