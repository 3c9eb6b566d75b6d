#include "tools/sawcli/streams_page.h"

#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "ingest/json_reader.h"

namespace sawmill::sawcli {

namespace {

using ingest::JsonKeyIs;
using ingest::JsonReader;

Status DecodeError(std::string what) {
  return Status::InvalidArgument("Error decoding response: " + std::move(what));
}

// A nanosecond timestamp as the API writes it: decimal digits, an optional minus sign.
bool ParseNanos(std::string_view text, int64_t* out) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 19) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

Status BadTimestamp(std::string_view text) {
  return DecodeError("bad timestamp " + std::string(text.substr(0, 64)));
}

class StreamsDecoder {
 public:
  StreamsDecoder(JsonReader* r, StreamsPage* page) : r_(*r), page_(page) {}

  // REQUIRES: whitespace skipped, at data.result.
  Status Result() {
    if (r_.TryNull()) return Status::OK();
    if (!r_.At('[')) return DecodeError("data.result must be an array");
    return r_.ForEachElement([this](size_t) { return Stream(); });
  }

 private:
  Status Stream() {
    if (!r_.At('{')) return DecodeError("a stream must be an object");
    const auto index = static_cast<uint32_t>(page_->streams.size());
    std::vector<LabelSet::Pair> pairs;
    SAW_RETURN_IF_ERROR(r_.ForEachMember([&](std::string_view key) -> Status {
      if (JsonKeyIs(key, "stream")) return Labels(&pairs);
      if (JsonKeyIs(key, "values")) return Values(index);
      return r_.SkipValue(1);
    }));
    page_->streams.emplace_back(std::move(pairs));
    return Status::OK();
  }

  // Values that are not strings are left out, as the DOM path does.
  Status Labels(std::vector<LabelSet::Pair>* pairs) {
    if (r_.TryNull()) return Status::OK();
    if (!r_.At('{')) return DecodeError("a stream's labels must be an object");
    return r_.ForEachMember([&](std::string_view name) -> Status {
      if (!r_.At('"')) return r_.SkipValue(2);
      std::string_view value;
      SAW_RETURN_IF_ERROR(r_.ReadString(&value));
      pairs->emplace_back(std::string(name), std::string(value));
      return Status::OK();
    });
  }

  Status Values(uint32_t stream) {
    if (r_.TryNull()) return Status::OK();
    if (!r_.At('[')) return DecodeError("a stream's values must be an array");
    return r_.ForEachElement([&](size_t) -> Status {
      if (!r_.At('[')) return DecodeError("malformed entry: not an array");
      std::string_view ts_text;
      std::string_view line;
      size_t fields = 0;
      SAW_RETURN_IF_ERROR(r_.ForEachElement([&](size_t i) -> Status {
        fields = i + 1;
        if (i >= 2) return r_.SkipValue(2);  // structured metadata, parsed labels
        if (!r_.At('"')) return DecodeError("malformed entry: timestamp and line must be strings");
        return r_.ReadString(i == 0 ? &ts_text : &line);
      }));
      if (fields < 2) return DecodeError("malformed entry: fewer than two fields");
      int64_t ts = 0;
      if (!ParseNanos(ts_text, &ts)) return BadTimestamp(ts_text);
      page_->entries.push_back(StreamsPage::Entry{ts, stream, line});
      return Status::OK();
    });
  }

  JsonReader& r_;
  StreamsPage* page_;
};

}  // namespace

void StreamsPage::Clear() {
  streams.clear();
  entries.clear();
  buffer.clear();
}

Result<bool> DecodeStreamsAnswer(std::string_view body, StreamsPage* page,
                                 std::string* stats_text) {
  page->Clear();
  stats_text->clear();
  page->buffer.assign(body);
  char* begin = page->buffer.data();
  JsonReader r(begin, begin + page->buffer.size(), "query answer");
  std::string type;
  bool other = false;  // not a streams answer, or result before resultType
  auto fail = [&](Status s) -> Result<bool> {
    page->Clear();
    if (s.message().rfind("Error decoding response", 0) == 0) return s;
    return DecodeError(s.message());
  };
  if (!r.At('{')) return fail(Status::InvalidArgument("not a JSON object"));
  Status s = r.ForEachMember([&](std::string_view key) -> Status {
    if (!JsonKeyIs(key, "data") || other) return r.SkipValue(1);
    if (!r.At('{')) return DecodeError("no \"data\" object");
    return r.ForEachMember([&](std::string_view member) -> Status {
      if (other) return r.SkipValue(2);
      if (JsonKeyIs(member, "resulttype")) {
        if (!r.At('"')) return DecodeError("data.resultType must be a string");
        std::string_view t;
        SAW_RETURN_IF_ERROR(r.ReadString(&t));
        type.assign(t);
        return Status::OK();
      }
      if (JsonKeyIs(member, "result")) {
        if (type != "streams") {
          other = true;
          return r.SkipValue(2);
        }
        return StreamsDecoder(&r, page).Result();
      }
      if (JsonKeyIs(member, "stats")) {
        const size_t from = r.offset();
        SAW_RETURN_IF_ERROR(r.SkipValue(2));
        stats_text->assign(body.substr(from, r.offset() - from));
        return Status::OK();
      }
      return r.SkipValue(2);
    });
  });
  if (!s.ok()) return fail(std::move(s));
  if (!r.AtEnd()) return fail(Status::InvalidArgument("data after the answer's object"));
  if (other || type != "streams") {
    page->Clear();
    stats_text->clear();
    return false;
  }
  return true;  // a streams answer without a result is an empty page
}

Status StreamsPageFromJson(const nlohmann::json& result, StreamsPage* page) {
  page->Clear();
  if (!result.is_array()) return Status::OK();
  for (const nlohmann::json& stream : result) {
    std::vector<LabelSet::Pair> pairs;
    auto labels = stream.find("stream");
    if (labels != stream.end() && labels->is_object()) {
      for (auto it = labels->begin(); it != labels->end(); ++it) {
        if (it.value().is_string()) pairs.emplace_back(it.key(), it.value().get<std::string>());
      }
    }
    const auto index = static_cast<uint32_t>(page->streams.size());
    page->streams.emplace_back(std::move(pairs));
    auto values = stream.find("values");
    if (values == stream.end() || !values->is_array()) continue;
    for (const nlohmann::json& v : *values) {
      if (!v.is_array() || v.size() < 2 || !v[0].is_string() || !v[1].is_string()) {
        return DecodeError("malformed entry " + v.dump().substr(0, 200));
      }
      const std::string& ts_text = v[0].get_ref<const std::string&>();
      int64_t ts = 0;
      if (!ParseNanos(ts_text, &ts)) return BadTimestamp(ts_text);
      page->entries.push_back(StreamsPage::Entry{ts, index, v[1].get_ref<const std::string&>()});
    }
  }
  return Status::OK();
}

}  // namespace sawmill::sawcli
