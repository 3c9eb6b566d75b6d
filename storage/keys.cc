#include "storage/keys.h"

#include "storage/coding.h"

namespace sawmill::storage {

Status ValidateTenant(std::string_view tenant) {
  if (tenant.empty()) return Status::InvalidArgument("empty tenant");
  if (tenant.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("tenant contains a NUL byte");
  }
  return Status::OK();
}

std::string TenantPrefix(std::string_view tenant) {
  std::string k;
  k.reserve(tenant.size() + 1);
  k.append(tenant);
  k.push_back('\0');
  return k;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(64, '\xff');  // every prefix byte was 0xff: no sane key is larger
}

uint64_t FlipSign(int64_t v) { return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63); }
int64_t UnflipSign(uint64_t v) { return static_cast<int64_t>(v ^ (uint64_t{1} << 63)); }

uint32_t BucketOf(int64_t ts_ns, int64_t width) {
  int64_t b = ts_ns / width;
  if (ts_ns % width != 0 && ts_ns < 0) --b;
  return static_cast<uint32_t>(b + (int64_t{1} << 31));
}

int64_t BucketStart(uint32_t bucket, int64_t width) {
  return (static_cast<int64_t>(bucket) - (int64_t{1} << 31)) * width;
}

namespace {
constexpr char kHeadKeyLayout2 = 0x02;
constexpr char kHeadKeyLayout3 = 0x03;
constexpr char kCutListTag = 'c';
}  // namespace

void PutHeadRecordKey(std::string* key, std::string_view tenant, uint64_t seq) {
  key->clear();
  key->append(tenant);
  key->push_back('\0');
  PutBigEndian64(key, seq);
  key->push_back(kHeadKeyLayout3);
}

std::string HeadRecordKey(std::string_view tenant, uint64_t seq) {
  std::string k;
  k.reserve(tenant.size() + 10);
  PutHeadRecordKey(&k, tenant, seq);
  return k;
}

std::string HeadKey(std::string_view tenant, uint64_t stream_id, uint64_t seq) {
  std::string k = TenantPrefix(tenant);
  PutBigEndian64(&k, seq);
  PutBigEndian64(&k, stream_id);
  k.push_back(kHeadKeyLayout2);
  return k;
}

std::string LegacyHeadKey(std::string_view tenant, uint64_t stream_id, uint64_t seq) {
  std::string k = TenantPrefix(tenant);
  PutBigEndian64(&k, stream_id);
  PutBigEndian64(&k, seq);
  return k;
}

bool DecodeHeadKey(std::string_view key, std::string_view* tenant, uint64_t* stream_id,
                   uint64_t* seq, int* layout) {
  const size_t nul = key.find('\0');
  if (nul == std::string_view::npos || nul == 0) return false;
  *tenant = key.substr(0, nul);
  const char* p = key.data() + nul + 1;
  if (key.size() == nul + 1 + 9 && key.back() == kHeadKeyLayout3) {
    *layout = 3;
    *seq = DecodeBigEndian64(p);
    *stream_id = 0;
    return true;
  }
  if (key.size() == nul + 1 + 16) {
    *layout = 1;
    *stream_id = DecodeBigEndian64(p);
    *seq = DecodeBigEndian64(p + 8);
    return true;
  }
  if (key.size() == nul + 1 + 17 && key.back() == kHeadKeyLayout2) {
    *layout = 2;
    *seq = DecodeBigEndian64(p);
    *stream_id = DecodeBigEndian64(p + 8);
    return true;
  }
  return false;
}

void PutCutListKey(std::string* key, uint64_t id) {
  key->clear();
  key->push_back('\0');
  key->push_back(kCutListTag);
  PutBigEndian64(key, id);
}

std::string CutListKey(uint64_t id) {
  std::string k;
  PutCutListKey(&k, id);
  return k;
}

bool DecodeCutListKey(std::string_view key, uint64_t* id) {
  if (key.size() != 10 || key[0] != '\0' || key[1] != kCutListTag) return false;
  *id = DecodeBigEndian64(key.data() + 2);
  return true;
}

std::string CutListKeysEnd() { return std::string(1, '\x01'); }

std::string ChunkBucketPrefix(std::string_view tenant, uint32_t bucket) {
  std::string k = TenantPrefix(tenant);
  PutBigEndian32(&k, bucket);
  return k;
}

std::string ChunkStreamPrefix(std::string_view tenant, uint32_t bucket, uint64_t stream_id) {
  std::string k = ChunkBucketPrefix(tenant, bucket);
  PutBigEndian64(&k, stream_id);
  return k;
}

std::string EncodeChunkKey(const ChunkKey& c) {
  std::string k = ChunkStreamPrefix(c.tenant, c.bucket, c.stream_id);
  PutBigEndian64(&k, FlipSign(c.min_ts));
  PutBigEndian64(&k, c.seq);
  return k;
}

std::string ChunkSectionKey(std::string_view chunk_key, uint32_t block, bool text) {
  std::string k(chunk_key);
  PutBigEndian32(&k, block);
  k.push_back(text ? '\x01' : '\x00');
  return k;
}

bool DecodeChunkKey(std::string_view tenant, std::string_view key, ChunkKey* out) {
  if (key.size() != tenant.size() + 1 + 4 + 8 + 8 + 8) return false;
  if (key.substr(0, tenant.size()) != tenant || key[tenant.size()] != '\0') return false;
  const char* p = key.data() + tenant.size() + 1;
  out->tenant.assign(tenant);
  out->bucket = DecodeBigEndian32(p);
  out->stream_id = DecodeBigEndian64(p + 4);
  out->min_ts = UnflipSign(DecodeBigEndian64(p + 12));
  out->seq = DecodeBigEndian64(p + 20);
  return true;
}

std::string EncodeChunkMeta(const ChunkMeta& m) {
  std::string v;
  PutVarint64(&v, ZigZagEncode(m.max_ts));
  PutVarint64(&v, m.num_entries);
  PutVarint64(&v, m.raw_bytes);
  PutVarint64(&v, m.stored_bytes);
  return v;
}

bool DecodeChunkMeta(std::string_view v, ChunkMeta* out) {
  uint64_t max_ts;
  if (!GetVarint64(&v, &max_ts) || !GetVarint64(&v, &out->num_entries) ||
      !GetVarint64(&v, &out->raw_bytes) || !GetVarint64(&v, &out->stored_bytes)) {
    return false;
  }
  out->max_ts = ZigZagDecode(max_ts);
  return true;
}

std::string StreamKey(std::string_view tenant, uint64_t stream_id) {
  std::string k = TenantPrefix(tenant);
  PutBigEndian64(&k, stream_id);
  return k;
}

}  // namespace sawmill::storage
