// The byte layout of a chunk (written by ChunkBuilder, read by ChunkReader) and its
// constants. A chunk holds the entries of one stream in timestamp order, grouped in blocks
// that are compressed one by one. Every byte is checked: the header and the block index by
// one CRC32C in the trailer, each block section by its own CRC32C in the index, and the
// trailer by its magic plus the index size and CRC having to agree with the rest.
//
// All fixed-width integers are little-endian. "varint" is LEB128 (storage/coding.h);
// "zigzag" maps signed to unsigned before the varint (ZigZagEncode).
//
//   chunk   := header block[0] ... block[n-1] index trailer
//
//   header (kHeaderSize = 8 bytes)
//     [0, 4)  magic        fixed32  kChunkMagic ("SAWC" on disk)
//     [4]     version      u8       kChunkVersion (2)
//     [5]     encoding     u8       Encoding of the text section of every block (compression.h)
//     [6]     ts_encoding  u8       Encoding of the ts section of every block (zstd by default
//                                   whatever the text encoding: timestamp deltas and lengths
//                                   need entropy coding, which snappy and lz4 lack)
//     [7]     reserved     u8       0
//
//   Version 1 (no ts_encoding byte, both sections in `encoding`) is not read: nothing
//   written with it was ever shipped.
//
//   block i = ts section (compressed) immediately followed by text section (compressed).
//     Blocks are contiguous: block 0 starts at kHeaderSize, block i+1 right after block i,
//     and the index starts right after the last block. Offsets are not stored; the reader
//     derives them from the sizes in the index.
//
//     ts section, uncompressed (what SampleIterator decodes; it never touches the text):
//       varint   ts_bytes      size of the ts stream
//       varint   len_bytes     size of the line length stream
//       varint   ts_unit       >= 1; every delta below is stored divided by it (the writer
//                              uses the GCD of the block's deltas: 1000 for us timestamps)
//       ts stream    num_entries varints: entry 0 is zigzag(ts) (absolute), entry k > 0 is
//                    (ts[k] - ts[k-1]) / ts_unit (>= 0, timestamps never decrease)
//       len stream   num_entries varints: line length in bytes
//       meta stream  the rest of the section: num_entries varints, the metadata length of
//                    each entry; empty when no entry of the block has metadata
//
//     text section, uncompressed:
//       line[0] metadata[0] line[1] metadata[1] ...   (metadata in metadata.h encoding,
//                                                      zero bytes when the entry has none)
//
//   index
//     varint   num_blocks (>= 1)
//     num_blocks x
//       varint   min_ts      block 0: zigzag(min_ts); block i > 0: min_ts - max_ts of
//                            block i-1 (>= 0, blocks never overlap backwards)
//       varint   max_ts - min_ts
//       varint   num_entries (>= 1)
//       varint   ts section size, compressed
//       varint   ts section size, uncompressed   (<= kMaxSectionBytes)
//       varint   text section size, compressed
//       varint   text section size, uncompressed (<= kMaxSectionBytes)
//       fixed32  CRC32C of the compressed ts section
//       fixed32  CRC32C of the compressed text section
//
//   trailer (kTrailerSize = 12 bytes)
//     fixed32  index size in bytes
//     fixed32  CRC32C of header bytes followed by index bytes
//     fixed32  kChunkMagic
//
// A reader checks, before any block is touched: both magics, the version, the header+index
// CRC, every size against kMaxSectionBytes, that block sizes add up exactly to the space
// between header and index, and that blocks are in timestamp order. A block section is only
// decompressed after its CRC matched, into a buffer of exactly the recorded uncompressed
// size. While decoding, lengths are checked against the decoded bytes, and each block must
// end exactly at its recorded max_ts, entry count and sizes, so even a chunk crafted with
// valid CRCs cannot make the reader read out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sawmill::storage {

inline constexpr uint32_t kChunkMagic = 0x43574153;  // bytes 'S' 'A' 'W' 'C'
inline constexpr uint8_t kChunkVersion = 2;
inline constexpr size_t kHeaderSize = 8;
inline constexpr size_t kTrailerSize = 12;
// How the store lays chunks out in RocksDB, recorded in kMeta "chunk_layout": 2 = the index
// part (header, index, trailer) and each block section in values of their own (keys.h).
inline constexpr uint32_t kChunkLayout = 2;

// The largest single entry (line plus metadata) a chunk accepts.
inline constexpr size_t kMaxEntryBytes = 16u << 20;
// Block targets above this are clamped, so that a block stays below kMaxSectionBytes.
inline constexpr size_t kMaxBlockTargetBytes = 32u << 20;
// Upper bound of an uncompressed section: what a reader is willing to allocate for one.
inline constexpr uint32_t kMaxSectionBytes = 64u << 20;
// Smallest uncompressed ts section: three header varints, then per entry a ts varint and a
// length varint.
inline constexpr uint32_t kMinTsSectionHeader = 3;
inline constexpr uint32_t kMinTsBytesPerEntry = 2;

}  // namespace sawmill::storage
