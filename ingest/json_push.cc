#include "ingest/json_push.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "ingest/json_reader.h"

namespace sawmill::ingest {
namespace {

using LabelPairs = std::vector<std::pair<std::string_view, std::string_view>>;

// Go-style quoting of a label value for Loki's label string: \\ \" \n escaped.
void AppendQuotedLabelValue(std::string* dst, std::string_view v) {
  dst->push_back('"');
  for (char c : v) {
    switch (c) {
      case '\\':
        dst->append("\\\\");
        break;
      case '"':
        dst->append("\\\"");
        break;
      case '\n':
        dst->append("\\n");
        break;
      default:
        dst->push_back(c);
    }
  }
  dst->push_back('"');
}

// Renders label pairs as Loki's label string, sorted by name; of a repeated name the last
// value wins (a Go map's behaviour). Sorts *pairs.
std::string RenderLabels(LabelPairs* pairs) {
  std::stable_sort(pairs->begin(), pairs->end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string rendered = "{";
  for (size_t i = 0; i < pairs->size(); ++i) {
    const auto& [name, value] = (*pairs)[i];
    if (i + 1 < pairs->size() && (*pairs)[i + 1].first == name) continue;
    if (rendered.size() > 1) rendered.append(", ");
    rendered.append(name);
    rendered.push_back('=');
    AppendQuotedLabelValue(&rendered, value);
  }
  rendered.push_back('}');
  return rendered;
}

std::string Quoted(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string q = "\"";
  q.append(s.substr(0, kMax));
  if (s.size() > kMax) q.append("...");
  q.push_back('"');
  return q;
}

// The v1 schema over a JsonReader.
class V1Parser {
 public:
  V1Parser(JsonReader* r, PushRequest* out, size_t max_items)
      : r_(*r), out_(out), budget_(max_items) {}

  Status Parse() {
    return ForEachPushStream(r_, [this](size_t i) -> Status {
      stream_index_ = i;
      return ParseStream();
    });
  }

 private:
  Status ParseStream() {
    if (!r_.At('{')) return r_.Mismatch(StreamPath(), "must be an object");
    SAW_RETURN_IF_ERROR(budget_.Take());
    PushStream& stream = out_->streams.emplace_back();
    pairs_.clear();
    SAW_RETURN_IF_ERROR(r_.ForEachMember([&](std::string_view key) -> Status {
      if (JsonKeyIs(key, "stream")) {
        pairs_.clear();  // a repeated "stream" key: the last one wins
        return r_.ReadStringMap(
            &pairs_, [&] { return StreamPath() + ".stream"; }, "must be an object of labels",
            "label value");
      }
      if (JsonKeyIs(key, "values")) return ParseValues(&stream.entries);
      return r_.SkipValue(3);
    }));
    stream.labels = out_->Own(RenderLabels(&pairs_));
    return Status::OK();
  }

  Status ParseValues(std::vector<PushEntry>* entries) {
    if (r_.TryNull()) return Status::OK();
    if (!r_.At('[')) return r_.Mismatch(StreamPath() + ".values", "must be an array of entries");
    return r_.ForEachElement([&](size_t j) -> Status {
      value_index_ = j;
      SAW_RETURN_IF_ERROR(budget_.Take());
      return ParseEntry(&entries->emplace_back());
    });
  }

  Status ParseEntry(PushEntry* e) {
    if (!r_.At('[')) {
      return r_.Mismatch(EntryPath(),
                         "must be an array [\"<unix ns>\", \"<line>\"] or "
                         "[\"<unix ns>\", \"<line>\", {<structured metadata>}]");
    }
    size_t items = 0;
    SAW_RETURN_IF_ERROR(r_.ForEachElement([&](size_t k) -> Status {
      items = k + 1;
      switch (k) {
        case 0:
          return ParseTimestamp(&e->ts_ns);
        case 1:
          return r_.ReadStringOrNull(
              &e->line, [&] { return EntryPath() + "[1]"; }, "line");
        case 2:
          SAW_RETURN_IF_ERROR(r_.ReadStringMap(
              &e->metadata, [&] { return EntryPath() + "[2]"; },
              "structured metadata must be an object", "structured metadata value"));
          return budget_.Take(e->metadata.size());
        default:
          return JsonReader::Schema(EntryPath(), "array must contain 2 or 3 values");
      }
    }));
    if (items < 2) return JsonReader::Schema(EntryPath(), "array must contain 2 or 3 values");
    return Status::OK();
  }

  // As Loki: a JSON string, parsed like Go's strconv.ParseInt(s, 10, 64).
  Status ParseTimestamp(int64_t* ts_ns) {
    if (!r_.At('"')) {
      return r_.Mismatch(EntryPath() + "[0]",
                         std::string("timestamp must be a string of integer Unix nanoseconds, "
                                     "got ") +
                             r_.KindHere());
    }
    std::string_view s;
    SAW_RETURN_IF_ERROR(r_.ReadString(&s));
    size_t i = 0;
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
      negative = s[0] == '-';
      i = 1;
    }
    if (i == s.size()) return BadTimestamp(s, "invalid syntax");
    uint64_t v = 0;
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c < '0' || c > '9') return BadTimestamp(s, "invalid syntax");
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (v > (limit - d) / 10) return BadTimestamp(s, "value out of range");
      v = v * 10 + d;
    }
    *ts_ns = negative ? static_cast<int64_t>(-v) : static_cast<int64_t>(v);
    return Status::OK();
  }

  Status BadTimestamp(std::string_view s, std::string_view why) const {
    return JsonReader::Schema(EntryPath() + "[0]",
                              "invalid timestamp " + Quoted(s) + " (" + std::string(why) +
                                  "): must be a string of integer Unix nanoseconds");
  }

  std::string StreamPath() const { return "streams[" + std::to_string(stream_index_) + "]"; }
  std::string EntryPath() const {
    return StreamPath() + ".values[" + std::to_string(value_index_) + "]";
  }

  JsonReader& r_;
  PushRequest* out_;
  size_t stream_index_ = 0;
  size_t value_index_ = 0;
  LabelPairs pairs_;  // scratch for one stream's labels
  PushItemBudget budget_;
};

}  // namespace

Status DecodeJsonPushOwned(std::string body, PushRequest* out, size_t max_items) {
  out->streams.clear();
  out->storage.clear();
  out->storage.push_back(std::move(body));
  std::string& owned = out->storage.back();
  JsonReader reader(owned.data(), owned.data() + owned.size());
  return V1Parser(&reader, out, max_items).Parse();
}

Status DecodeJsonPush(std::string_view body, PushRequest* out, size_t max_items) {
  return DecodeJsonPushOwned(std::string(body), out, max_items);
}

}  // namespace sawmill::ingest
