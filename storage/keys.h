// RocksDB key layout. Every key starts with the tenant and a 0x00 separator, so one tenant's
// keys form a contiguous range and no read can cross into another tenant's. Integers are
// big-endian so that keys sort numerically; signed timestamps have their sign bit flipped.
//
//   kHead        <tenant> 00 | seq:be64 | 03          -> head record of one Write() (layout 3)
//                00 | 'c' | id:be64                   -> cut list: head records of one stream
//                                                        whose entries a flush put in chunks
//                (cut lists sort before every tenant's keys, so recovery reads them first;
//                per-stream records of key layouts 1 `<tenant> 00 | stream_id | seq` and 2
//                `<tenant> 00 | seq | stream_id | 02` are still read at open and converted)
//   kChunks      <tenant> 00 | bucket:be32 | stream_id:be64 | min_ts:be64 | seq:be64
//                                              -> the chunk's index part (header, block
//                                                 index, trailer: ChunkReader::Split)
//                same key | block:be32 | 00     -> compressed ts section of the block
//                same key | block:be32 | 01     -> compressed text section of the block
//   kChunkIndex  same key as kChunks                                        -> ChunkMeta
//   kStreams     <tenant> 00 | stream_id:be64                               -> StreamMeta
//
// `bucket` is floor(ts / bucket_width) + 2^31 of every entry in the chunk (chunks never span
// buckets), so retention deletes whole buckets with one DeleteRange per tenant, and a read of
// [from, to) visits exactly the buckets it overlaps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace sawmill::storage {

// Tenant names must be non-empty and free of NUL bytes.
Status ValidateTenant(std::string_view tenant);

std::string TenantPrefix(std::string_view tenant);
// The smallest key greater than every key starting with `prefix`.
std::string PrefixEnd(std::string_view prefix);

uint64_t FlipSign(int64_t v);
int64_t UnflipSign(uint64_t v);

// Floor division of ts by width, biased into uint32.
uint32_t BucketOf(int64_t ts_ns, int64_t bucket_width_ns);
int64_t BucketStart(uint32_t bucket, int64_t bucket_width_ns);

// Head records are keyed by their sequence number: a Write() reserves its number in order, so
// records reach the head column's memtable (an unsorted vector, sorted once at its flush)
// nearly in key order, and their SST files barely overlap.
//   layout 3: <tenant> 00 | seq:be64 | 03   one record per Write(), every stream of it
void PutHeadRecordKey(std::string* key, std::string_view tenant, uint64_t seq);
std::string HeadRecordKey(std::string_view tenant, uint64_t seq);
// The per-stream record keys written before 2026-11-24 (layout 2) and before that (layout 1):
//   layout 2: <tenant> 00 | seq:be64 | stream_id:be64 | 02
//   layout 1: <tenant> 00 | stream_id:be64 | seq:be64
std::string HeadKey(std::string_view tenant, uint64_t stream_id, uint64_t seq);
std::string LegacyHeadKey(std::string_view tenant, uint64_t stream_id, uint64_t seq);
// Parses a head record key of any layout (told apart by their length and last byte); sets
// *layout to 1, 2 or 3 and *stream_id to 0 for layout 3. False when malformed (cut list keys
// included).
bool DecodeHeadKey(std::string_view key, std::string_view* tenant, uint64_t* stream_id,
                   uint64_t* seq, int* layout);

// Cut lists: 00 | 'c' | id:be64. No tenant starts with 00, so they sort before every record.
std::string CutListKey(uint64_t id);
void PutCutListKey(std::string* key, uint64_t id);
// The id of a cut list key; false when `key` is not one.
bool DecodeCutListKey(std::string_view key, uint64_t* id);
// The end (exclusive) of the cut list key range; [empty, CutListKeysEnd()) holds them all.
std::string CutListKeysEnd();

struct ChunkKey {
  std::string tenant;
  uint32_t bucket = 0;
  uint64_t stream_id = 0;
  int64_t min_ts = 0;
  uint64_t seq = 0;
};
std::string EncodeChunkKey(const ChunkKey& k);
// Parses a key whose tenant prefix is `tenant`; false when malformed.
bool DecodeChunkKey(std::string_view tenant, std::string_view key, ChunkKey* out);
// The key of one compressed section of block `block` of the chunk stored at `chunk_key`: the
// chunk key followed by the block number and the section (0 ts, 1 text), so a chunk's values
// sort together, in block order, and a bucket's DeleteRange removes them all.
std::string ChunkSectionKey(std::string_view chunk_key, uint32_t block, bool text);
std::string ChunkBucketPrefix(std::string_view tenant, uint32_t bucket);
std::string ChunkStreamPrefix(std::string_view tenant, uint32_t bucket, uint64_t stream_id);

// Value of a kChunkIndex row.
struct ChunkMeta {
  int64_t max_ts = 0;
  uint64_t num_entries = 0;
  uint64_t raw_bytes = 0;  // line + metadata bytes
  uint64_t stored_bytes = 0;
};
std::string EncodeChunkMeta(const ChunkMeta& m);
bool DecodeChunkMeta(std::string_view value, ChunkMeta* out);

std::string StreamKey(std::string_view tenant, uint64_t stream_id);

}  // namespace sawmill::storage
