// libFuzzer target for what recovery reads from the head log (storage/head_log.h): a segment
// file damaged in any way (a torn write, a bad disk) must be read up to its first bad frame
// and never crash or read out of bounds; every frame it gives back is decoded as recovery
// decodes a record (DecodeWriteRecord, including decompression and, for a record holding a
// push body, ingest's decoder of that body), which must fail cleanly when the record is
// malformed. The input is written as one segment file; when it is a
// single frame's record (first byte 1), a valid frame is built around the rest, so that the
// record decoder sees arbitrary bytes past a matching CRC.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/head_source.h"
#include "storage/head_log.h"
#include "storage/store_impl.h"

namespace {

const std::string& Dir() {
  static const std::string dir = [] {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "sawmill-head-log-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    return tmpl;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sawmill::storage;
  using sawmill::Status;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::filesystem::remove_all(Dir());
  std::filesystem::create_directories(Dir());
  if (!input.empty() && input[0] == 1) {
    auto log = HeadLog::Open(Dir(), 1 << 20);
    if (!log.ok() || !(*log)->Append(7, "tenant", input.substr(1)).ok()) std::abort();
  } else {
    std::ofstream out(Dir() + "/0000000000000001.log", std::ios::binary);
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
  }
  auto log = HeadLog::Open(Dir(), 1 << 20);
  if (!log.ok()) std::abort();
  const SourceDecoder decoder = sawmill::ingest::DecodeHeadSource;
  DecodedSource bodies;  // of records holding a push body
  std::string scratch;
  std::vector<RecordPart> parts;
  std::vector<EntryRef> entries;
  uint64_t torn = 0;
  Status st = (*log)->Replay(
      [&](uint64_t, uint64_t, std::string_view tenant, std::string_view record) {
        if (tenant.size() + record.size() > size + 16) std::abort();  // within the file
        Status decoded = DecodeWriteRecord(record, &decoder, &bodies, &scratch, &parts, &entries);
        if (decoded.ok()) {
          for (const RecordPart& p : parts) {
            if (p.begin > p.end || p.end > entries.size()) std::abort();
          }
        }
        return Status::OK();
      },
      &torn);
  if (!st.ok()) std::abort();  // reading a file we just wrote cannot fail
  return 0;
}
