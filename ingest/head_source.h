// The head record of a protobuf push is the push body as received (storage::WriteSource):
// the client's Snappy bytes, about a third of the entries' size, written once instead of a copy
// of every entry. At replay the store hands the body back to DecodeHeadSource, which gives
// the entries back exactly as the pusher wrote them.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "ingest/push_request.h"
#include "storage/status.h"
#include "storage/store.h"

namespace sawmill::ingest {

// WriteSource::format of a Snappy-compressed logproto.PushRequest (protobuf_push.h).
inline constexpr uint8_t kSnappyLogprotoSource = 1;

// A storage::SourceDecoder: the entries of each stream of a body of `format`.
Status DecodeHeadSource(uint8_t format, std::string_view body, storage::DecodedSource* out);

// An entry's structured metadata as the store keeps it (storage/metadata.h; empty when it has
// none), owned by *owned.
std::string_view EncodeEntryMetadata(const PushEntry& entry, std::deque<std::string>* owned);

}  // namespace sawmill::ingest
