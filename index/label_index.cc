#include "index/label_index.h"

#include <algorithm>
#include <mutex>

#include "index/label_index_internal.h"
#include "storage/coding.h"
#include "storage/keys.h"

namespace sawmill::index {

using storage::Column;

const char kEmptyCompatibleMessage[] =
    "queries require at least one regexp or equality matcher that does not have an "
    "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
    "app=~\".+\" will";

namespace {

constexpr char kStreamTag = 'S';
constexpr char kBucketTag = 'B';
const std::string_view kWidthKey("\0bucket_width", 13);

std::string StreamRowKey(std::string_view tenant, uint64_t id) {
  std::string k = storage::TenantPrefix(tenant);
  k.push_back(kStreamTag);
  PutBigEndian64(&k, id);
  return k;
}

std::string BucketRowKey(std::string_view tenant, uint32_t bucket, uint64_t id) {
  std::string k = storage::TenantPrefix(tenant);
  k.push_back(kBucketTag);
  PutBigEndian32(&k, bucket);
  PutBigEndian64(&k, id);
  return k;
}

}  // namespace

bool StreamEntry::InBucket(uint32_t bucket) const {
  if (!buckets.empty() && buckets.back() == bucket) return true;  // the usual case: today
  return std::binary_search(buckets.begin(), buckets.end(), bucket);
}

const StreamEntry* LabelIndex::Tenant::Find(const LabelSet& labels, uint64_t fingerprint,
                                            uint64_t* id) const {
  // Open addressing without deletions: the chain from the fingerprint ends at a free id.
  for (uint64_t probe = fingerprint;; ++probe) {
    auto it = streams.find(probe);
    if (it == streams.end()) {
      *id = probe;
      return nullptr;
    }
    if (*it->second.labels == labels) {
      *id = probe;
      return &it->second;
    }
  }
}

LabelIndex::LabelIndex(storage::KvStore* kv, const IndexOptions& options)
    : kv_(kv), options_(options) {}

LabelIndex::~LabelIndex() = default;

Result<std::unique_ptr<LabelIndex>> LabelIndex::Open(storage::KvStore* kv,
                                                     const IndexOptions& options) {
  if (options.bucket_width_ns <= 0) {
    return Status::InvalidArgument("index bucket width must be positive");
  }
  std::unique_ptr<LabelIndex> index(new LabelIndex(kv, options));
  SAW_RETURN_IF_ERROR(index->Load());
  return index;
}

Status LabelIndex::Load() {
  auto width = kv_->Get(Column::kIndex, kWidthKey);
  if (width.ok()) {
    std::string_view v = (*width)->data();
    if (v.size() != 8) return Status::Corruption("index bucket width row has a bad size");
    int64_t stored = static_cast<int64_t>(DecodeBigEndian64(v.data()));
    if (stored != options_.bucket_width_ns) {
      return Status::InvalidArgument("index was written with bucket width " +
                                     std::to_string(stored) + " ns, not " +
                                     std::to_string(options_.bucket_width_ns));
    }
  } else if (width.status().IsNotFound()) {
    std::string v;
    PutBigEndian64(&v, static_cast<uint64_t>(options_.bucket_width_ns));
    auto batch = kv_->NewBatch();
    batch->Put(Column::kIndex, kWidthKey, v);
    SAW_RETURN_IF_ERROR(kv_->Write(batch.get(), /*sync=*/false));
  } else {
    return width.status();
  }

  // Bucket rows sort before stream rows of the same tenant ('B' < 'S'), so memberships are
  // collected first and applied once every stream is known. Within a bucket, ids ascend, so
  // the postings are built by appends.
  struct Membership {
    Tenant* tenant;
    uint32_t bucket;
    uint64_t id;
  };
  std::vector<Membership> memberships;
  std::string upper = storage::PrefixEnd("");
  auto it = kv_->NewIterator(Column::kIndex, std::string_view("\x01", 1), upper);
  Tenant* current = nullptr;
  std::string current_name;
  for (; it->Valid(); it->Next()) {
    std::string_view key = it->key();
    size_t nul = key.find('\0');
    if (nul == std::string_view::npos || nul + 2 > key.size()) {
      return Status::Corruption("malformed index key");
    }
    std::string_view tenant = key.substr(0, nul);
    if (current == nullptr || tenant != current_name) {
      current_name.assign(tenant);
      auto& slot = tenants_[current_name];
      if (!slot) slot = std::make_unique<Tenant>();
      current = slot.get();
    }
    std::string_view rest = key.substr(nul + 2);
    if (key[nul + 1] == kStreamTag && rest.size() == 8) {
      uint64_t id = DecodeBigEndian64(rest.data());
      auto labels = LabelSet::Parse(it->value());
      if (!labels.ok()) {
        return Status::Corruption("index row of stream " + std::to_string(id) + ": " +
                                  labels.status().message());
      }
      current->streams[id].labels = std::make_shared<const LabelSet>(std::move(labels).value());
    } else if (key[nul + 1] == kBucketTag && rest.size() == 12) {
      memberships.push_back(
          {current, DecodeBigEndian32(rest.data()), DecodeBigEndian64(rest.data() + 4)});
    } else {
      return Status::Corruption("malformed index key");
    }
  }
  SAW_RETURN_IF_ERROR(it->status());
  for (const Membership& m : memberships) {
    auto s = m.tenant->streams.find(m.id);
    if (s == m.tenant->streams.end()) {
      return Status::Corruption("index bucket row for unknown stream " + std::to_string(m.id));
    }
    s->second.buckets.push_back(m.bucket);  // buckets ascend in key order
    AddToBucket(m.tenant, m.bucket, m.id, *s->second.labels);
  }
  return Status::OK();
}

uint64_t LabelIndex::FingerprintOf(const LabelSet& labels) const {
  return options_.fingerprint ? options_.fingerprint(labels) : labels.Fingerprint();
}

const LabelIndex::Tenant* LabelIndex::FindTenant(std::string_view tenant) const {
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : it->second.get();
}

void LabelIndex::AddToBucket(Tenant* t, uint32_t bucket, uint64_t id, const LabelSet& labels) {
  Bucket& b = t->buckets[bucket];
  for (const Label& l : labels.labels()) {
    auto name_it = b.postings.find(l.name);
    if (name_it == b.postings.end()) name_it = b.postings.emplace(l.name, ValueMap()).first;
    auto value_it = name_it->second.find(l.value);
    if (value_it == name_it->second.end()) {
      value_it = name_it->second.emplace(l.value, PostingsList()).first;
    }
    value_it->second.Add(id);
  }
}

Result<uint64_t> LabelIndex::GetOrCreateStream(std::string_view tenant, const LabelSet& labels,
                                               int64_t ts_ns) {
  SAW_RETURN_IF_ERROR(storage::ValidateTenant(tenant));
  const uint32_t bucket = storage::BucketOf(ts_ns, options_.bucket_width_ns);
  const uint64_t fingerprint = FingerprintOf(labels);
  uint64_t id;
  {
    std::shared_lock lock(mu_);
    if (const Tenant* t = FindTenant(tenant)) {
      const StreamEntry* s = t->Find(labels, fingerprint, &id);
      if (s != nullptr && s->InBucket(bucket)) return id;
    }
  }

  std::unique_lock lock(mu_);
  auto tenant_it = tenants_.find(tenant);
  if (tenant_it == tenants_.end()) {
    tenant_it = tenants_.emplace(std::string(tenant), std::make_unique<Tenant>()).first;
  }
  Tenant* t = tenant_it->second.get();
  const StreamEntry* existing = t->Find(labels, fingerprint, &id);
  if (existing != nullptr && existing->InBucket(bucket)) return id;  // a racing writer won

  // Persist first; memory changes only once the rows are written.
  auto batch = kv_->NewBatch();
  if (existing == nullptr) batch->Put(Column::kIndex, StreamRowKey(tenant, id), labels.ToString());
  batch->Put(Column::kIndex, BucketRowKey(tenant, bucket, id), "");
  SAW_RETURN_IF_ERROR(kv_->Write(batch.get(), /*sync=*/false));

  StreamEntry& entry = t->streams[id];
  if (existing == nullptr) entry.labels = std::make_shared<const LabelSet>(labels);
  entry.buckets.insert(std::upper_bound(entry.buckets.begin(), entry.buckets.end(), bucket),
                       bucket);
  AddToBucket(t, bucket, id, *entry.labels);
  return id;
}

std::optional<uint64_t> LabelIndex::FindStream(std::string_view tenant,
                                               const LabelSet& labels) const {
  const uint64_t fingerprint = FingerprintOf(labels);
  std::shared_lock lock(mu_);
  const Tenant* t = FindTenant(tenant);
  if (t == nullptr) return std::nullopt;
  uint64_t id;
  if (t->Find(labels, fingerprint, &id) == nullptr) return std::nullopt;
  return id;
}

std::shared_ptr<const LabelSet> LabelIndex::Labels(std::string_view tenant,
                                                   uint64_t stream_id) const {
  std::shared_lock lock(mu_);
  const Tenant* t = FindTenant(tenant);
  if (t == nullptr) return nullptr;
  auto it = t->streams.find(stream_id);
  return it == t->streams.end() ? nullptr : it->second.labels;
}

IndexStats LabelIndex::Stats() const {
  std::shared_lock lock(mu_);
  IndexStats stats;
  stats.tenants = tenants_.size();
  for (const auto& [name, t] : tenants_) {
    stats.streams += t->streams.size();
    for (const auto& [id, s] : t->streams) stats.memberships += s.buckets.size();
  }
  return stats;
}

}  // namespace sawmill::index
