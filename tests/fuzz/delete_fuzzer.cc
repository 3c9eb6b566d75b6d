// libFuzzer target for what the delete API parses: its times (Loki's parseTime), the stored
// request decoder (bytes read back from the database must never crash it, and what decodes
// must survive an encode/decode round trip), and the compilation of a request's query.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "query/engine/delete_filter.h"
#include "server/handlers/delete_params.h"
#include "storage/delete_requests.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace sawmill;
  auto t = server::ParseDeleteTime(text, 0);
  if (t.ok() && server::ModelTimeJson(*t).empty()) std::abort();
  storage::DeleteRequest r, again;
  if (storage::DecodeDeleteRequest(text, &r)) {
    // Varints need not be minimal in the input; what decodes must survive a round trip.
    if (!storage::DecodeDeleteRequest(storage::EncodeDeleteRequest(r), &again)) std::abort();
    if (again.start_ms != r.start_ms || again.end_ms != r.end_ms || again.query != r.query ||
        again.status != r.status || again.created_at_ms != r.created_at_ms) {
      std::abort();
    }
  }
  if (size < 4096) (void)query::engine::DeleteQuery::Compile(text);
  return 0;
}
