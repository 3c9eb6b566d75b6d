#include "server/tail/tail_session.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <string_view>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "server/handlers/query_params.h"
#include "server/log.h"
#include "server/tail/tail_json.h"
#include "server/tail/tail_server.h"

namespace sawmill::server {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;

namespace {

constexpr size_t kMaxEntriesPerMessage = 100;          // Loki's maxEntriesPerTailResponse
constexpr auto kPingPeriod = std::chrono::seconds(1);  // Loki's wsPingPeriod
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

}  // namespace

std::variant<TailSession::PlainWebSocket, TailSession::TlsWebSocket> TailSession::MakeWebSocket(
    UpgradeConnection connection) {
  if (connection.tls != nullptr) {
    return std::variant<PlainWebSocket, TlsWebSocket>(std::in_place_index<1>,
                                                      std::move(*connection.tls));
  }
  return std::variant<PlainWebSocket, TlsWebSocket>(std::in_place_index<0>,
                                                    std::move(*connection.plain));
}

TailSession::TailSession(UpgradeConnection connection, HttpRequest request, TailServer* server,
                         TailHub* hub, std::shared_ptr<Tail> tail, int64_t delay_ns, bool legacy,
                         bool categorize_labels)
    : executor_(connection.tls != nullptr ? beast::get_lowest_layer(*connection.tls).get_executor()
                                          : connection.plain->get_executor()),
      ws_(MakeWebSocket(connection)),
      request_(std::move(request)),
      server_(server),
      hub_(hub),
      tail_(std::move(tail)),
      delay_ns_(delay_ns),
      legacy_(legacy),
      categorize_labels_(categorize_labels),
      ping_timer_(executor_),
      delay_timer_(executor_) {}

TailSession::~TailSession() {
  if (tail_ != nullptr) hub_->Close(tail_.get());
  server_->Unregister(this);
}

void TailSession::Start() {
  WithWs([this](auto& ws) {
    beast::get_lowest_layer(ws).expires_never();  // the websocket's own timeouts apply
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = std::chrono::seconds(30);
    // Our pings make a live client answer: two minutes without a byte from it ends the tail.
    timeout.idle_timeout = std::chrono::minutes(2);
    timeout.keep_alive_pings = false;
    ws.set_option(timeout);
    ws.read_message_max(64 * 1024);  // clients have nothing to say; bound what they send
    ws.auto_fragment(false);         // each message in one frame
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& r) { r.set(http::field::server, "sawmill"); }));
    ws.async_accept(request_,
                    beast::bind_front_handler(&TailSession::OnAccept, shared_from_this()));
  });
}

std::function<void()> TailSession::MakeWakeup() {
  return [executor = executor_, weak = weak_from_this()] {
    net::post(executor, [weak] {
      if (auto self = weak.lock()) self->Pump();
    });
  };
}

void TailSession::Shutdown(std::function<void()> done) {
  net::post(executor_, [self = shared_from_this(), done = std::move(done)] {
    self->CloseWith(websocket::close_reason(websocket::close_code::going_away));
    if (done) done();
  });
}

void TailSession::OnHistory(Result<std::vector<TailEntry>> history) {
  net::post(executor_, [self = shared_from_this(), history = std::move(history)]() mutable {
    if (self->finished_ || !self->history_pending_) return;
    self->history_pending_ = false;
    if (!history.ok()) {
      self->error_ = history.status().message();
      if (self->accepted_) self->CloseWithError();  // otherwise OnAccept() does
      return;
    }
    self->history_ = std::move(history).value();
    for (const TailEntry& e : self->history_) self->history_keys_.insert(HistoryKey(e));
    self->Pump();
  });
}

uint64_t TailSession::HistoryKey(const TailEntry& e) {
  uint64_t h = std::hash<int64_t>()(e.ts_ns);
  auto mix = [&h](std::string_view s) {
    h ^= std::hash<std::string_view>()(s) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  };
  mix(e.labels != nullptr ? e.labels->ToString() : std::string());
  mix(e.line);
  for (const auto* labels : {&e.structured_metadata, &e.parsed}) {
    for (const index::Label& l : *labels) {
      mix(l.name);
      mix(l.value);
    }
    mix("\x01");
  }
  return h;
}

void TailSession::DropSentHistory(std::vector<TailEntry>* entries) {
  if (history_keys_.empty()) return;
  size_t kept = 0;
  for (TailEntry& e : *entries) {
    if (e.ts_ns < history_end_ns_) {
      auto it = history_keys_.find(HistoryKey(e));
      if (it != history_keys_.end()) {
        history_keys_.erase(it);  // one live copy per history copy
        continue;
      }
    }
    if (&(*entries)[kept] != &e) (*entries)[kept] = std::move(e);
    ++kept;
  }
  entries->resize(kept);
}

void TailSession::OnAccept(beast::error_code ec) {
  if (ec) return Finish();
  accepted_ = true;
  request_ = {};  // not needed any more
  DoRead();
  if (close_on_accept_) return CloseWith(*close_on_accept_);
  if (!error_.empty()) return CloseWithError();
  ArmPing();
  Pump();
}

void TailSession::CloseWithError() {
  if (tail_ != nullptr) hub_->Close(tail_.get());
  tail_.reset();
  // A close frame's reason holds at most 123 bytes.
  const std::string_view reason = std::string_view(error_).substr(0, 123);
  CloseWith(websocket::close_reason(websocket::close_code::internal_error, reason));
}

void TailSession::DoRead() {
  WithWs([this](auto& ws) {
    ws.async_read(read_buffer_,
                  beast::bind_front_handler(&TailSession::OnRead, shared_from_this()));
  });
}

void TailSession::OnRead(beast::error_code ec, size_t) {
  if (ec) return Finish();  // closed by the client, by us, or broken
  read_buffer_.clear();     // what clients send is ignored
  DoRead();
}

void TailSession::Pump() {
  if (!accepted_ || history_pending_ || writing_ || closing_ || finished_) return;
  std::vector<TailEntry> entries;
  std::vector<DroppedEntry> dropped;
  if (history_sent_ < history_.size()) {
    const size_t n = std::min(kMaxEntriesPerMessage, history_.size() - history_sent_);
    for (size_t i = 0; i < n; ++i) entries.push_back(std::move(history_[history_sent_ + i]));
    history_sent_ += n;
    if (history_sent_ == history_.size()) history_ = {};
  } else if (tail_ != nullptr) {
    const int64_t now = NowNs();
    int64_t next_ready = kNever;
    size_t taken = 0;
    do {  // again when everything taken had gone out with the history already
      tail_->Take(delay_ns_ > 0 ? now - delay_ns_ : kNever, kMaxEntriesPerMessage, &entries,
                  &dropped, &next_ready);
      taken = entries.size();
      DropSentHistory(&entries);
    } while (taken == kMaxEntriesPerMessage && entries.empty() && dropped.empty());
    if (delay_ns_ > 0 && next_ready != kNever) {
      // Entries held back: come back when the oldest is due.
      const int64_t wait_ns = std::max<int64_t>(next_ready + delay_ns_ - now, 1'000'000);
      delay_timer_.expires_after(std::chrono::nanoseconds(wait_ns));
      delay_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->Pump();
      });
    }
  }
  if (entries.empty() && dropped.empty()) return;
  message_ = legacy_ ? LegacyTailMessageJson(entries, dropped)
                     : TailMessageJson(entries, dropped, categorize_labels_);
  writing_ = true;
  WithWs([this](auto& ws) {
    ws.text(true);
    ws.async_write(net::buffer(message_),
                   beast::bind_front_handler(&TailSession::OnWrite, shared_from_this()));
  });
}

void TailSession::OnWrite(beast::error_code ec, size_t) {
  writing_ = false;
  message_.clear();
  if (ec) return Finish();
  Pump();
}

void TailSession::ArmPing() {
  ping_timer_.expires_after(kPingPeriod);
  ping_timer_.async_wait(beast::bind_front_handler(&TailSession::OnPing, shared_from_this()));
}

void TailSession::OnPing(beast::error_code ec) {
  if (ec || closing_ || finished_) return;
  if (!writing_ && !pinging_) {
    pinging_ = true;
    WithWs([this](auto& ws) {
      ws.async_ping({}, [self = shared_from_this()](beast::error_code ec) {
        self->pinging_ = false;
        if (ec) self->Finish();
      });
    });
  }
  ArmPing();
}

void TailSession::CloseWith(websocket::close_reason reason) {
  if (!accepted_) {
    // The upgrade's answer is still being written: close once it is.
    if (!finished_) close_on_accept_ = reason;
    return;
  }
  if (closing_ || finished_) return;
  closing_ = true;
  ping_timer_.cancel();
  delay_timer_.cancel();
  WithWs([this, &reason](auto& ws) {
    ws.async_close(reason, [self = shared_from_this()](beast::error_code) { self->Finish(); });
  });
}

void TailSession::Finish() {
  if (finished_) return;
  finished_ = true;
  ended_.store(true);
  ping_timer_.cancel();
  delay_timer_.cancel();
  if (tail_ != nullptr) {
    hub_->Close(tail_.get());
    tail_.reset();
  }
  WithWs([](auto& ws) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws).socket().close(ignored);
  });
}

}  // namespace sawmill::server
