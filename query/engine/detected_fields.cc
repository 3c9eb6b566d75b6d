#include "query/engine/detected_fields.h"

#include <algorithm>
#include <map>
#include <memory>

#include "query/engine/log_query.h"
#include "query/engine/plan.h"
#include "query/engine/response_json.h"
#include "query/log/units.h"

namespace sawmill::query::engine {
namespace {

bool IsErrorLabel(std::string_view name) {
  return name == "__error__" || name == "__error_details__" || name == "__preserve_error__";
}

// strconv.ParseInt(s, 10, 64).
bool IsGoInt(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty() || s.size() > 19) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  if (s.size() < 19) return true;
  return s <= "9223372036854775807";  // the negative bound differs by one: close enough
}

bool IsGoBool(std::string_view s) {
  static constexpr std::string_view kBools[] = {"1", "t", "T", "TRUE",  "true",  "True",
                                                "0", "f", "F", "FALSE", "false", "False"};
  return std::find(std::begin(kBools), std::end(kBools), s) != std::end(kBools);
}

// One field being collected.
struct Collected {
  std::string type = "string";
  std::vector<std::string> parsers;
  std::set<std::string> values;
};

class Collector {
 public:
  explicit Collector(size_t limit) : limit_(limit) {}

  // Adds one value of `name`; `parser` (may be empty) is added to the field's parsers.
  void Add(const std::string& name, const std::string& value, std::string_view parser) {
    auto it = fields_.find(name);
    if (it == fields_.end()) {
      if (fields_.size() >= limit_) return;
      it = fields_.emplace(name, Collected{}).first;
    }
    Collected& f = it->second;
    if (!parser.empty() &&
        std::find(f.parsers.begin(), f.parsers.end(), parser) == f.parsers.end()) {
      f.parsers.emplace_back(parser);
    }
    f.type = std::string(DetectFieldType(value));
    f.values.insert(value);
  }

  std::vector<DetectedField> Take() {
    std::vector<DetectedField> out;
    for (auto& [name, f] : fields_) {
      out.push_back({name, std::move(f.type), std::move(f.parsers), std::move(f.values)});
    }
    return out;
  }

 private:
  const size_t limit_;
  std::map<std::string, Collected> fields_;
};

// `query` is a literal: the plan may keep views into it.
Result<std::unique_ptr<log::Pipeline>> ParserPipeline(const char* query) {
  SAW_ASSIGN_OR_RETURN(QueryPlan plan, PlanQuery(query));
  return std::move(plan.log.pipeline);
}

}  // namespace

std::string_view DetectFieldType(std::string_view value) {
  if (IsGoInt(value)) return "int";
  double d;
  int64_t ns;
  uint64_t bytes;
  std::string err;
  if (log::ParseGoFloat(value, &d, &err)) return "float";
  if (IsGoBool(value)) return "boolean";
  if (log::ParseGoDuration(value, &ns, &err)) return "duration";
  if (log::ParseHumanBytes(value, &bytes, &err)) return "bytes";
  return "string";
}

Result<std::vector<DetectedField>> DetectFields(Querier* querier, ThreadPool* pool,
                                                const DetectedFieldsParams& p) {
  SAW_ASSIGN_OR_RETURN(QueryPlan plan, PlanQuery(p.query));
  if (plan.is_metric) {
    return Status::InvalidArgument("only log selector is supported");  // Loki's text
  }
  LogQueryParams q;
  q.tenant = p.tenant;
  q.matchers = std::move(plan.log.matchers);
  q.pipeline = plan.log.pipeline.get();
  q.start_ns = p.start_ns;
  q.end_ns = p.end_ns;
  q.direction = Direction::kBackward;
  q.limit = p.line_limit;
  q.categorize_labels = true;
  q.loki_split_interval_ns = 0;
  q.deadline = p.deadline;
  q.guard = p.guard;
  SAW_ASSIGN_OR_RETURN(LogQueryResult result, ExecuteLogQuery(querier, pool, q));

  SAW_ASSIGN_OR_RETURN(std::unique_ptr<log::Pipeline> json,
                       ParserPipeline(R"({__name__="x"} | json)"));
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<log::Pipeline> logfmt,
                       ParserPipeline(R"({__name__="x"} | logfmt)"));
  Collector collector(p.field_limit);
  for (const ResultStream& stream : result.streams) {
    std::unique_ptr<log::StreamPipeline> by_json = json->ForStream(stream.labels);
    std::unique_ptr<log::StreamPipeline> by_logfmt = logfmt->ForStream(stream.labels);
    for (const ResultEntry& e : stream.entries) {
      for (const index::Label& l : e.structured_metadata) collector.Add(l.name, l.value, "");
      // Loki's parseEntry: json first, logfmt when json fails; the labels the query's own
      // parsers added count with the parser that worked on the line, if any.
      log::LineResult out;
      std::string_view parser = "json";
      bool ok = by_json->Process(e.ts_ns, e.line, "", &out) && out.labels != nullptr &&
                out.labels->Get("__error__").empty();
      if (!ok) {
        parser = "logfmt";
        out = log::LineResult{};
        ok = by_logfmt->Process(e.ts_ns, e.line, "", &out) && out.labels != nullptr &&
             out.labels->Get("__error__").empty();
      }
      if (!ok) parser = "";
      for (const index::Label& l : e.parsed) {
        if (!IsErrorLabel(l.name)) collector.Add(l.name, l.value, parser);
      }
      if (ok) {
        for (const index::Label& l : out.parsed) {
          if (!IsErrorLabel(l.name)) collector.Add(l.name, l.value, parser);
        }
      }
    }
  }
  return collector.Take();
}

std::string DetectedFieldsJson(const std::vector<DetectedField>& fields, size_t limit) {
  std::string out = "{\"fields\":[";
  bool first = true;
  for (const DetectedField& f : fields) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"label\":";
    AppendJsonString(&out, f.label);
    out += ",\"type\":\"" + f.type + "\",\"cardinality\":" + std::to_string(f.values.size()) +
           ",\"parsers\":";
    if (f.parsers.empty()) {
      out += "null";
    } else {
      out.push_back('[');
      for (size_t i = 0; i < f.parsers.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendJsonString(&out, f.parsers[i]);
      }
      out.push_back(']');
    }
    out.push_back('}');
  }
  out += "],\"limit\":" + std::to_string(limit) + "}";
  return out;
}

std::string DetectedFieldValuesJson(const std::vector<DetectedField>& fields, std::string_view name,
                                    size_t limit) {
  std::string out = "{\"values\":[";
  for (const DetectedField& f : fields) {
    if (f.label != name) continue;
    size_t n = 0;
    for (const std::string& v : f.values) {
      if (n == limit) break;
      if (n++ > 0) out.push_back(',');
      AppendJsonString(&out, v);
    }
  }
  out += "]}";
  return out;
}

}  // namespace sawmill::query::engine
