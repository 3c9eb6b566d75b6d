// sawcli: a logcli-compatible command line for Sawmill (or Loki), over HTTP(S) only.
// The commands, flags, environment variables and output follow logcli's; see README.md
// ("sawcli") for the list and for where sawcli differs.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "tools/sawcli/admin_commands.h"
#include "tools/sawcli/context.h"
#include "tools/sawcli/flags.h"
#include "tools/sawcli/index_commands.h"
#include "tools/sawcli/printer.h"
#include "tools/sawcli/push_command.h"
#include "tools/sawcli/query_command.h"
#include "tools/sawcli/tail_command.h"
#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {
namespace {

constexpr const char* kCommands =
    "Commands:\n"
    "  query <query>            Run a LogQL query (logs or metrics) over a time range.\n"
    "  instant-query <query>    Run an instant LogQL query.\n"
    "  labels [<label>]         List label names, or the values of one label.\n"
    "  series <matcher>         List the streams matching a selector.\n"
    "  stats <query>            Index statistics (bytes, chunks, streams, entries) of a query.\n"
    "  volume <query>           Volume of the streams matching a query.\n"
    "  volume_range <query>     Volume over time of the streams matching a query.\n"
    "  fmt [<query>]            Pretty-print a LogQL query (the argument, or stdin).\n"
    "  delete create|list|cancel  Log deletion requests.\n"
    "  push [<file>...]         Send lines from files or stdin (-) with --labels.\n";

struct Args {
  // Global.
  ClientOptions client;
  bool quiet = false;
  bool stats = false;
  std::string output = "default";
  std::string timezone = "Local";
  bool colored_output = false;
  bool version = false;
  // Commands.
  std::string command;
  std::vector<std::string> positional;
  TimeRangeFlags time;
  QueryOptions query;
  bool tail = false;
  int64_t delay_for_ns = 0;
  std::string now;
  bool analyze_labels = false;
  std::string label_query;
  int64_t volume_limit = 100;
  std::vector<std::string> target_labels;
  bool aggregate_by_labels = false;
  bool fmt_server = false;
  PushOptions push;
  std::string timestamp_format;
  DeleteOptions del;
};

void AddGlobalFlags(FlagSet* f, Args* a) {
  f->AddBool("quiet", 'q', "Suppress query metadata", &a->quiet);
  f->AddBool("stats", 0, "Show query statistics", &a->stats);
  f->AddString(
      "output", 'o',
      "Specify output mode [default, raw, jsonl]. raw suppresses log labels and timestamp.",
      &a->output);
  f->AddString("timezone", 'z',
               "Specify the timezone to use when formatting output timestamps [Local, UTC]",
               &a->timezone);
  f->AddBool("version", 0, "Show application version.", &a->version);
  f->AddString("addr", 0, "Server address.", &a->client.addr, "LOKI_ADDR");
  f->AddString("username", 0, "Username for HTTP basic auth.", &a->client.username,
               "LOKI_USERNAME");
  f->AddString("password", 0, "Password for HTTP basic auth.", &a->client.password,
               "LOKI_PASSWORD");
  f->AddString("ca-cert", 0, "Path to the server Certificate Authority.", &a->client.ca_cert,
               "LOKI_CA_CERT_PATH");
  f->AddBool("tls-skip-verify", 0, "Server certificate TLS skip verify.",
             &a->client.tls_skip_verify, "LOKI_TLS_SKIP_VERIFY");
  f->AddString("cert", 0, "Path to the client certificate.", &a->client.cert,
               "LOKI_CLIENT_CERT_PATH");
  f->AddString("key", 0, "Path to the client certificate key.", &a->client.key,
               "LOKI_CLIENT_KEY_PATH");
  f->AddString("org-id", 0, "adds X-Scope-OrgID to API requests for the tenant.", &a->client.org_id,
               "LOKI_ORG_ID");
  f->AddList("query-tags", "adds X-Query-Tags http header to API requests.", &a->client.query_tags);
  f->AddString("bearer-token", 0, "adds the Authorization header to API requests.",
               &a->client.bearer_token, "LOKI_BEARER_TOKEN");
  f->AddString("bearer-token-file", 0, "adds the Authorization header, token read from a file.",
               &a->client.bearer_token_file, "LOKI_BEARER_TOKEN_FILE");
  f->AddString("auth-header", 0, "The authorization header used.", &a->client.auth_header,
               "LOKI_AUTH_HEADER");
  f->AddInt("retries", "How many times to retry each request on 429, 5xx or a failed connection.",
            &a->client.retries, "LOKI_CLIENT_RETRIES");
  f->AddDuration("min-backoff", "Minimum backoff time between retries.", &a->client.min_backoff_ns,
                 "LOKI_CLIENT_MIN_BACKOFF");
  f->AddDuration("max-backoff", "Maximum backoff time between retries.", &a->client.max_backoff_ns,
                 "LOKI_CLIENT_MAX_BACKOFF");
  f->AddDuration("timeout", "Timeout of each HTTP request.", &a->client.timeout_ns,
                 "SAWCLI_TIMEOUT");
}

void AddRangeFlags(FlagSet* f, Args* a) {
  f->AddDuration("since", "Lookback window.", &a->time.since_ns);
  f->AddString("from", 0, "Start looking for logs at this absolute time (inclusive), RFC3339.",
               &a->time.from);
  f->AddString("to", 0, "Stop looking for logs at this absolute time (exclusive), RFC3339.",
               &a->time.to);
}

void AddOutputFlags(FlagSet* f, Args* a) {
  f->AddBool("no-labels", 0, "Do not print any labels", &a->query.no_labels);
  f->AddList("exclude-label", "Exclude labels given the provided key during output.",
             &a->query.exclude_labels);
  f->AddList("include-label", "Include labels given the provided key during output.",
             &a->query.include_labels);
  f->AddInt("labels-length", "Set a fixed padding to labels", &a->query.fixed_labels_len);
  f->AddBool("colored-output", 0, "Show output with colored labels", &a->colored_output);
}

Status AddCommandFlags(const std::string& command, FlagSet* f, Args* a) {
  if (command == "query") {
    f->AddInt("limit",
              "Limit on number of entries to print. Setting it to 0 will fetch all entries.",
              &a->query.limit);
    AddRangeFlags(f, a);
    f->AddDuration("step", "Query resolution step width, for metric queries.", &a->query.step_ns);
    f->AddDuration("interval", "Query interval, for log queries.", &a->query.interval_ns);
    f->AddInt("batch", "Query batch size to use until 'limit' is reached", &a->query.batch);
    f->AddBool("forward", 0, "Scan forwards through logs.", &a->query.forward);
    f->AddBool("tail", 't', "Tail the logs", &a->tail);
    f->AddBool("follow", 'f', "Alias for --tail", &a->tail);
    f->AddDuration("delay-for", "Delay in tailing by number of seconds to accumulate logs",
                   &a->delay_for_ns);
    AddOutputFlags(f, a);
  } else if (command == "instant-query") {
    f->AddInt("limit", "Limit on number of entries to print.", &a->query.limit);
    f->AddString("now", 0, "Time at which to execute the instant query (RFC3339).", &a->now);
    f->AddBool("forward", 0, "Scan forwards through logs.", &a->query.forward);
    AddOutputFlags(f, a);
  } else if (command == "labels") {
    AddRangeFlags(f, a);
    f->AddString("query", 0, "Only label values of streams matching this selector.",
                 &a->label_query);
  } else if (command == "series") {
    AddRangeFlags(f, a);
    f->AddBool("analyze-labels", 0,
               "Printout a summary of labels including count of label "
               "value combinations, useful for debugging high cardinality series",
               &a->analyze_labels);
  } else if (command == "stats") {
    AddRangeFlags(f, a);
  } else if (command == "volume" || command == "volume_range") {
    AddRangeFlags(f, a);
    f->AddInt("limit", "Limit on number of series to return volumes for.", &a->volume_limit);
    f->AddList("targetLabels", "List of labels to aggregate results into.", &a->target_labels);
    f->AddBool("aggregateByLabels", 0, "Whether to aggregate results by label name only.",
               &a->aggregate_by_labels);
    if (command == "volume_range") {
      f->AddDuration("step", "Query resolution step width.", &a->query.step_ns);
    }
  } else if (command == "fmt") {
    f->AddBool("server", 0, "Format with the server's /loki/api/v1/format_query (--addr).",
               &a->fmt_server);
  } else if (command == "delete") {
    AddRangeFlags(f, a);
    f->AddString("query", 0, "The LogQL selector of the lines to delete.", &a->del.query);
    f->AddString("max-interval", 0, "Split the deletion into intervals of at most this.",
                 &a->del.max_interval);
    f->AddString("request-id", 0, "The delete request to cancel.", &a->del.request_id);
    f->AddBool("force", 0, "Cancel even if the deletion has partly run.", &a->del.force);
    f->AddBool("json", 0, "List the requests as the server's JSON.", &a->del.json);
  } else if (command == "push") {
    f->AddString("labels", 0, "The stream's labels, e.g. '{job=\"import\"}'.", &a->push.labels);
    f->AddString("timestamp-format", 0,
                 "Read each line's timestamp from its first field: rfc3339, unix, unix_ms, "
                 "unix_us, unix_ns (default: the time the line is read).",
                 &a->timestamp_format);
    f->AddInt("batch-size", "Bytes of log lines per push request.", &a->push.batch_bytes);
  } else {
    return Status::InvalidArgument("expected command but got \"" + command + "\"");
  }
  return Status::OK();
}

std::string Usage(const FlagSet& flags) {
  return "usage: sawcli [<flags>] <command> [<args> ...]\n\n"
         "A command-line for Sawmill and Loki (logcli-compatible).\n\nFlags:\n" +
         flags.Usage() + "\n" + kCommands;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "sawcli: error: %s, try --help\n", message.c_str());
  return 1;
}

int Main(int argc, char** argv) {
  Args a;
  if (const char* addr = std::getenv("SAWMILL_ADDR"); addr != nullptr && *addr != '\0') {
    a.client.addr = addr;
  }
  a.client.retries = 3;
  FlagSet flags;
  AddGlobalFlags(&flags, &a);
  bool help = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  Status parsed = flags.Parse(
      args,
      [&](const std::string& word) -> Status {
        if (a.command.empty()) {
          a.command = word;
          return AddCommandFlags(word, &flags, &a);
        }
        a.positional.push_back(word);
        return Status::OK();
      },
      &help);
  if (a.version) {
    std::printf("sawcli, version 0.1.0\n");
    return 0;
  }
  if (help) {
    std::printf("%s", Usage(flags).c_str());
    return 0;
  }
  if (!parsed.ok()) return Fail(parsed.message());
  if (a.command.empty()) return Fail("expected command but got none");

  PrinterOptions po;
  Result<OutputMode> mode = ParseOutputMode(a.output);
  if (!mode.ok()) return Fail(mode.status().message());
  po.mode = *mode;
  if (a.timezone == "UTC") {
    po.zone = TimeZone::kUtc;
  } else if (a.timezone != "Local") {
    return Fail("enum value must be one of Local,UTC, got '" + a.timezone + "'");
  }
  po.no_labels = a.query.no_labels;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  po.color = isatty(STDOUT_FILENO) && (no_color == nullptr || *no_color == '\0') &&
             !(term != nullptr && std::string(term) == "dumb");
  po.colored_labels = a.colored_output;
  Printer printer(po, stdout);

  Context ctx;
  ctx.printer = &printer;
  ctx.quiet = a.quiet;
  ctx.stats = a.stats;
  ctx.stderr_tty = isatty(STDERR_FILENO);
  a.client.quiet = a.quiet;
  Result<std::unique_ptr<Client>> client = Client::Create(a.client);
  if (!client.ok()) return Fail(client.status().message());
  ctx.client = std::move(*client);

  const int64_t now = NowUnixNs();
  Result<TimeRange> range = ResolveTimeRange(a.time, now);
  if (!range.ok()) return Fail(range.status().message());
  const std::string& cmd = a.command;
  auto one_arg = [&](const char* what) -> Result<std::string> {
    if (a.positional.size() != 1) {
      return Status::InvalidArgument(std::string("expected exactly one argument: ") + what);
    }
    return a.positional[0];
  };

  Status s;
  std::string failure_prefix = "Error doing request: ";
  if (cmd == "query" || cmd == "instant-query") {
    failure_prefix = "Query failed: ";
    Result<std::string> q = one_arg("<query>");
    if (!q.ok()) return Fail(q.status().message());
    QueryOptions& o = a.query;
    o.query = *q;
    o.start_ns = range->start_ns;
    o.end_ns = range->end_ns;
    if (o.limit == 0 && cmd == "query") o.limit = INT64_MAX / 2;  // logcli: 0 fetches everything
    if (cmd == "instant-query") {
      o.end_ns = now;
      if (!a.now.empty()) {
        Result<int64_t> t = ParseRfc3339(a.now);
        if (!t.ok()) return Fail("--now: " + t.status().message());
        o.end_ns = *t;
      }
      s = RunInstantQuery(ctx, o);
    } else if (a.tail) {
      s = RunTail(ctx, o, a.delay_for_ns);
    } else {
      s = RunRangeQuery(ctx, o);
    }
  } else if (cmd == "labels") {
    if (a.positional.size() > 1) return Fail("labels takes at most one label name");
    s = RunLabels(ctx, a.positional.empty() ? "" : a.positional[0], a.label_query, *range);
  } else if (cmd == "series") {
    Result<std::string> m = one_arg("<matcher>");
    if (!m.ok()) return Fail(m.status().message());
    s = RunSeries(ctx, *m, *range, a.analyze_labels);
  } else if (cmd == "stats") {
    Result<std::string> q = one_arg("<query>");
    if (!q.ok()) return Fail(q.status().message());
    s = RunStats(ctx, *q, *range);
  } else if (cmd == "volume" || cmd == "volume_range") {
    Result<std::string> q = one_arg("<query>");
    if (!q.ok()) return Fail(q.status().message());
    VolumeOptions vo;
    vo.query = *q;
    vo.range = *range;
    vo.limit = a.volume_limit;
    vo.step_ns = a.query.step_ns;
    vo.target_labels = a.target_labels;
    vo.aggregate_by_labels = a.aggregate_by_labels;
    s = RunVolume(ctx, vo, cmd == "volume_range");
  } else if (cmd == "fmt") {
    if (a.positional.size() > 1) return Fail("fmt takes at most one query");
    failure_prefix = "unable to format logql: ";
    std::string query;
    if (a.positional.empty()) {
      query.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
      query = a.positional[0];
    }
    s = RunFmt(ctx, query, a.fmt_server);
  } else if (cmd == "delete") {
    if (a.positional.empty()) return Fail("delete needs one of: create, list, cancel");
    a.del.action = a.positional[0];
    if (a.del.action == "cancel" && a.del.request_id.empty() && a.positional.size() > 1) {
      a.del.request_id = a.positional[1];
    }
    a.del.range = *range;
    a.del.range_given = !a.time.from.empty() || !a.time.to.empty();
    s = RunDelete(ctx, a.del);
  } else if (cmd == "push") {
    Result<TimestampFormat> format = ParseTimestampFormat(a.timestamp_format);
    if (!format.ok()) return Fail(format.status().message());
    a.push.format = *format;
    a.push.files = a.positional;
    s = RunPush(ctx, a.push);
  }
  if (!s.ok()) {
    (void)printer.Flush();
    LogNote(failure_prefix + s.message());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sawmill::sawcli

int main(int argc, char** argv) { return sawmill::sawcli::Main(argc, argv); }
