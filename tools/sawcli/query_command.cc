#include "tools/sawcli/query_command.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tools/sawcli/label_set.h"
#include "tools/sawcli/result_printer.h"
#include "tools/sawcli/streams_page.h"
#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {

namespace {

using json = nlohmann::json;

std::string DirectionText(bool forward) { return forward ? "FORWARD" : "BACKWARD"; }

// One entry of the previous batch at its last timestamp: what the next batch must not print
// again.
struct Seen {
  int64_t ts;
  std::string labels;  // the stream's full label set, as text
  std::string line;
};

class StreamPrinter {
 public:
  StreamPrinter(Context& ctx, const QueryOptions& options) : ctx_(ctx), options_(options) {}

  // Prints the entries of `page` not in `seen`, sorted in the query's direction. Returns how
  // many it printed and replaces `seen` with the entries at the page's last timestamp.
  Result<int64_t> Print(const StreamsPage& page, std::vector<Seen>* seen) {
    const std::vector<LabelSet>& full = page.streams;
    std::vector<std::string> full_text;
    full_text.reserve(full.size());
    for (const LabelSet& ls : full) full_text.push_back(ls.String());
    std::vector<const StreamsPage::Entry*> entries;
    entries.reserve(page.entries.size());
    for (const StreamsPage::Entry& e : page.entries) entries.push_back(&e);

    // Common labels, then each stream's printed labels (logcli's printStream).
    LabelSet common;
    if (!full.empty()) {
      common = full[0];
      for (size_t i = 1; i < full.size(); ++i) common = common.Intersect(full[i]);
    }
    if (!options_.include_labels.empty()) common = common.Filter(options_.include_labels, false);
    if (!ctx_.quiet && !common.empty()) LogNote("Common labels: " + common.String());
    if (!ctx_.quiet && !options_.exclude_labels.empty()) {
      LogNote("Ignoring labels key: " + Join(options_.exclude_labels));
    }
    if (!ctx_.quiet && !options_.include_labels.empty()) {
      LogNote("Print only labels key: " + Join(options_.include_labels));
    }
    std::vector<LabelSet> shown;
    shown.reserve(full.size());
    size_t max_len = static_cast<size_t>(std::max<int64_t>(options_.fixed_labels_len, 0));
    for (const LabelSet& ls : full) {
      LabelSet s = ls.Subtract(common);
      if (!options_.include_labels.empty()) s = s.Filter(options_.include_labels, true);
      if (!options_.exclude_labels.empty()) s = s.Filter(options_.exclude_labels, false);
      max_len = std::max(max_len, s.String().size());
      shown.push_back(std::move(s));
    }

    if (entries.empty()) {
      seen->clear();
      return int64_t{0};
    }
    using EntryPtr = const StreamsPage::Entry*;
    if (options_.forward) {
      std::stable_sort(entries.begin(), entries.end(),
                       [](EntryPtr a, EntryPtr b) { return a->ts < b->ts; });
    } else {
      std::stable_sort(entries.begin(), entries.end(),
                       [](EntryPtr a, EntryPtr b) { return a->ts > b->ts; });
    }
    int64_t printed = 0;
    for (EntryPtr e : entries) {
      if (!seen->empty() && e->ts == seen->front().ts) {
        bool skip = false;
        for (const Seen& s : *seen) {
          if (s.line == e->line && s.labels == full_text[e->stream]) {
            skip = true;
            break;
          }
        }
        if (skip) continue;
      }
      ctx_.printer->Entry(e->ts, shown[e->stream], max_len, e->line);
      ++printed;
    }
    const int64_t last_ts = entries.back()->ts;
    seen->clear();
    for (EntryPtr e : entries) {
      if (e->ts == last_ts)
        seen->push_back(Seen{e->ts, full_text[e->stream], std::string(e->line)});
    }
    return printed;
  }

 private:
  static std::string Join(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
  }

  Context& ctx_;
  const QueryOptions& options_;
};

// A query answer: a streams result decoded into `page` without a DOM when it comes in the
// usual key order; anything else (metric results) as a DOM in `doc`.
struct Answer {
  std::string type;  // data.resultType
  StreamsPage page;  // when type is "streams"
  json doc;          // the whole answer, when it was read as a DOM (page may view it)
  json stats;        // data.stats, or null

  const json& Result() const {
    static const json kEmpty = json::array();
    if (!doc.is_object()) return kEmpty;
    auto data = doc.find("data");
    if (data == doc.end() || !data->is_object()) return kEmpty;
    auto result = data->find("result");
    return result == data->end() ? kEmpty : *result;
  }
};

Status Fetch(Context& ctx, const std::string& path, const QueryString& params, Answer* answer) {
  const std::string target = path + "?" + params.Encode();
  if (!ctx.quiet) LogNote(ctx.client->base_url() + target);
  SAW_ASSIGN_OR_RETURN(std::string body, ctx.client->Call("GET", target));
  std::string stats_text;
  SAW_ASSIGN_OR_RETURN(bool streams, DecodeStreamsAnswer(body, &answer->page, &stats_text));
  answer->doc = nullptr;
  answer->stats = nullptr;
  if (streams) {
    answer->type = "streams";
    if (ctx.stats && !stats_text.empty()) answer->stats = json::parse(stats_text, nullptr, false);
    return Status::OK();
  }
  answer->doc = json::parse(body, nullptr, false);
  const json& doc = answer->doc;
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("Error decoding response: not a JSON object");
  }
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) {
    return Status::InvalidArgument("Error decoding response: no \"data\" object");
  }
  answer->type = data->value("resultType", "");
  if (data->contains("stats")) answer->stats = (*data)["stats"];
  if (answer->type == "streams") return StreamsPageFromJson(answer->Result(), &answer->page);
  return Status::OK();
}

void MaybePrintStats(Context& ctx, const Answer& answer) {
  if (!ctx.stats || !answer.stats.is_object()) return;
  PrintStats(json{{"stats", answer.stats}}, ctx.printer->options().color);
}

}  // namespace

Status RunRangeQuery(Context& ctx, const QueryOptions& o) {
  if (o.limit < 0) return Status::InvalidArgument("--limit must not be negative");
  int64_t batch = o.batch > 0 ? o.batch : o.limit;
  if (o.limit < batch) batch = o.limit;
  StreamPrinter printer(ctx, o);
  std::vector<Seen> seen;
  int64_t total = 0;
  int64_t start = o.start_ns;
  int64_t end = o.end_ns;
  int64_t requests = 0;
  Answer answer;
  do {
    int64_t bs = batch;
    if (o.limit - total < batch) bs = o.limit - total + static_cast<int64_t>(seen.size());
    QueryString params;
    params.Add("query", o.query).Add("limit", bs).Add("start", start).Add("end", end);
    params.Add("direction", DirectionText(o.forward));
    if (o.step_ns != 0) params.Add("step", FormatSeconds(o.step_ns));
    if (o.interval_ns != 0) params.Add("interval", FormatSeconds(o.interval_ns));
    SAW_RETURN_IF_ERROR(Fetch(ctx, "/loki/api/v1/query_range", params, &answer));
    ++requests;
    MaybePrintStats(ctx, answer);
    if (answer.type != "streams") {
      PrintResultJson(ctx, answer.type, answer.Result());
      break;
    }
    const auto received = static_cast<int64_t>(answer.page.entries.size());
    SAW_ASSIGN_OR_RETURN(int64_t printed, printer.Print(answer.page, &seen));
    if (ctx.printer->failed()) break;  // stdout closed: stop paging
    if (printed <= 0 || seen.empty() || printed == o.limit) break;
    // Fewer entries than asked for: the window holds no more (logcli asks once more and gets
    // only the overlap back; this saves that request).
    if (received < bs) break;
    if (static_cast<int64_t>(seen.size()) >= batch) {
      return Status::InvalidArgument(
          "Invalid batch size " + std::to_string(batch) + ", the next query will have " +
          std::to_string(seen.size()) +
          " overlapping entries (there will always be 1 overlapping entry but Loki allows "
          "multiple entries to have the same timestamp, so when a batch ends in this scenario "
          "the next query will include all the overlapping entries again).  Please increase your "
          "batch size to at least " +
          std::to_string(seen.size() + 1) + " to account for overlapping entries");
    }
    total += printed;
    if (o.forward) {
      start = seen.front().ts;
    } else {
      end = seen.front().ts + 1;
    }
    if (ctx.stderr_tty && !ctx.quiet && requests > 1) {
      std::fprintf(stderr, "\r%lld lines, at %s ", static_cast<long long>(total),
                   FormatRfc3339(seen.front().ts, ctx.printer->options().zone).c_str());
    }
  } while (total < o.limit);
  if (ctx.stderr_tty && !ctx.quiet && requests > 2) std::fprintf(stderr, "\n");
  return ctx.printer->Flush();
}

Status RunInstantQuery(Context& ctx, const QueryOptions& o) {
  QueryString params;
  params.Add("query", o.query).Add("limit", o.limit).Add("time", o.end_ns);
  params.Add("direction", DirectionText(o.forward));
  Answer answer;
  SAW_RETURN_IF_ERROR(Fetch(ctx, "/loki/api/v1/query", params, &answer));
  MaybePrintStats(ctx, answer);
  if (answer.type == "streams") {
    StreamPrinter printer(ctx, o);
    std::vector<Seen> seen;
    SAW_ASSIGN_OR_RETURN(int64_t printed, printer.Print(answer.page, &seen));
    (void)printed;
  } else {
    PrintResultJson(ctx, answer.type, answer.Result());
  }
  return ctx.printer->Flush();
}

}  // namespace sawmill::sawcli
