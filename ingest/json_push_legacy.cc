// The legacy `/api/prom/push` JSON schema (declared in json_push.h).
#include <string>
#include <utility>

#include "ingest/json_push.h"
#include "ingest/json_reader.h"
#include "ingest/rfc3339.h"

namespace sawmill::ingest {
namespace {

class LegacyParser {
 public:
  LegacyParser(JsonReader* r, PushRequest* out, size_t max_items)
      : r_(*r), out_(out), budget_(max_items) {}

  Status Parse() {
    return ForEachPushStream(r_, [this](size_t i) -> Status {
      stream_index_ = i;
      if (!r_.At('{')) return r_.Mismatch(StreamPath(), "must be an object");
      SAW_RETURN_IF_ERROR(budget_.Take());
      PushStream& stream = out_->streams.emplace_back();
      return r_.ForEachMember([&](std::string_view key) -> Status {
        if (JsonKeyIs(key, "labels")) {
          return r_.ReadStringOrNull(
              &stream.labels, [&] { return StreamPath() + ".labels"; }, "labels");
        }
        if (JsonKeyIs(key, "entries")) return ParseEntries(&stream.entries);
        return r_.SkipValue(3);
      });
    });
  }

 private:
  Status ParseEntries(std::vector<PushEntry>* entries) {
    if (r_.TryNull()) return Status::OK();
    if (!r_.At('[')) return r_.Mismatch(StreamPath() + ".entries", "must be an array");
    return r_.ForEachElement([&](size_t j) -> Status {
      entry_index_ = j;
      if (!r_.At('{')) {
        return r_.Mismatch(EntryPath(), "must be an object {\"ts\": ..., \"line\": ...}");
      }
      SAW_RETURN_IF_ERROR(budget_.Take());
      PushEntry& e = entries->emplace_back();
      return r_.ForEachMember([&](std::string_view key) -> Status {
        if (JsonKeyIs(key, "ts")) return ParseTimestamp(&e.ts_ns);
        if (JsonKeyIs(key, "line")) {
          return r_.ReadStringOrNull(
              &e.line, [&] { return EntryPath() + ".line"; }, "line");
        }
        if (JsonKeyIs(key, "structuredmetadata")) {
          e.metadata.clear();
          SAW_RETURN_IF_ERROR(r_.ReadStringMap(
              &e.metadata, [&] { return EntryPath() + ".structuredMetadata"; },
              "structured metadata must be an object", "structured metadata value"));
          return budget_.Take(e.metadata.size());
        }
        return r_.SkipValue(5);
      });
    });
  }

  Status ParseTimestamp(int64_t* ts_ns) {
    if (r_.TryNull()) return Status::OK();  // Go leaves the zero time
    std::string_view s;
    SAW_RETURN_IF_ERROR(r_.ReadStringOrNull(
        &s, [&] { return EntryPath() + ".ts"; }, "timestamp"));
    if (!ParseRfc3339Nanos(s, ts_ns)) {
      return JsonReader::Schema(
          EntryPath() + ".ts", "invalid timestamp \"" + std::string(s.substr(0, 64)) +
                                   "\": must be RFC 3339, e.g. \"2019-09-13T18:32:22.380001319Z\"");
    }
    return Status::OK();
  }

  std::string StreamPath() const { return "streams[" + std::to_string(stream_index_) + "]"; }
  std::string EntryPath() const {
    return StreamPath() + ".entries[" + std::to_string(entry_index_) + "]";
  }

  JsonReader& r_;
  PushRequest* out_;
  size_t stream_index_ = 0;
  size_t entry_index_ = 0;
  PushItemBudget budget_;
};

}  // namespace

Status DecodeLegacyJsonPushOwned(std::string body, PushRequest* out, size_t max_items) {
  out->streams.clear();
  out->storage.clear();
  out->storage.push_back(std::move(body));
  std::string& owned = out->storage.back();
  JsonReader reader(owned.data(), owned.data() + owned.size());
  return LegacyParser(&reader, out, max_items).Parse();
}

Status DecodeLegacyJsonPush(std::string_view body, PushRequest* out, size_t max_items) {
  return DecodeLegacyJsonPushOwned(std::string(body), out, max_items);
}

}  // namespace sawmill::ingest
