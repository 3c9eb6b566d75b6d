#include "tools/sawcli/tail_command.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <functional>

#include "tools/sawcli/label_set.h"

namespace sawmill::sawcli {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace {

constexpr size_t kMaxMessageBytes = 64 << 20;

// Prints one tail message. False when stdout is gone.
Status PrintMessage(Context& ctx, const QueryOptions& o, std::string_view text) {
  json msg = json::parse(text, nullptr, false);
  if (msg.is_discarded() || !msg.is_object()) {
    return Status::InvalidArgument("Error decoding tail message: not a JSON object");
  }
  auto streams = msg.find("streams");
  if (streams != msg.end() && streams->is_array()) {
    for (const json& s : *streams) {
      std::vector<LabelSet::Pair> pairs;
      auto labels = s.find("stream");
      if (labels != s.end() && labels->is_object()) {
        for (auto it = labels->begin(); it != labels->end(); ++it) {
          if (it.value().is_string()) pairs.emplace_back(it.key(), it.value().get<std::string>());
        }
      }
      LabelSet shown(std::move(pairs));
      if (!o.include_labels.empty()) shown = shown.Filter(o.include_labels, true);
      if (!o.exclude_labels.empty()) shown = shown.Filter(o.exclude_labels, false);
      auto values = s.find("values");
      if (values == s.end() || !values->is_array()) continue;
      for (const json& v : *values) {
        if (!v.is_array() || v.size() < 2 || !v[0].is_string() || !v[1].is_string()) continue;
        const int64_t ts = std::strtoll(v[0].get_ref<const std::string&>().c_str(), nullptr, 10);
        ctx.printer->Entry(ts, shown, 0, v[1].get_ref<const std::string&>());
      }
    }
  }
  Status flushed = ctx.printer->Flush();
  if (!flushed.ok()) return flushed;
  auto dropped = msg.find("dropped_entries");
  if (dropped != msg.end() && dropped->is_array() && !dropped->empty()) {
    LogNote("Server dropped following entries due to slow client");
    for (const json& d : *dropped) {
      std::vector<LabelSet::Pair> pairs;
      auto labels = d.find("labels");
      if (labels != d.end() && labels->is_object()) {
        for (auto it = labels->begin(); it != labels->end(); ++it) {
          if (it.value().is_string()) pairs.emplace_back(it.key(), it.value().get<std::string>());
        }
      }
      LogNote(d.value("timestamp", std::string()) + " " + LabelSet(std::move(pairs)).String());
    }
  }
  return Status::OK();
}

template <typename Ws>
Status Follow(Context& ctx, const QueryOptions& o, net::io_context& ioc, Ws& ws,
              const std::string& api_target) {
  const std::string target = ctx.client->path_prefix() + api_target;
  SAW_ASSIGN_OR_RETURN(auto headers, ctx.client->AuthHeaders());
  ws.set_option(websocket::stream_base::decorator([&headers](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "sawcli/0.1.0");
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  ws.read_message_max(kMaxMessageBytes);
  const Client& c = *ctx.client;
  const bool default_port = c.port() == (c.tls() ? "443" : "80");
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, default_port ? c.host() : c.host() + ":" + c.port(), target, ec);
  if (ec) {
    if (res.result_int() >= 300 || !res.body().empty()) {
      std::string body = res.body();
      return Status::Unavailable("Error response from server: " + body + " (status " +
                                 std::to_string(res.result_int()) + ")");
    }
    if (ec == websocket::error::upgrade_declined) {
      // Boost 1.74's handshake does not hand back the refusal (status and body): ask again
      // over plain HTTP, which the server answers with the same status and message, since it
      // checks the parameters and credentials before the upgrade (Loki does the same).
      Result<std::string> answer = ctx.client->Call("GET", api_target);
      if (!answer.ok()) return answer.status();
      return Status::Unavailable("the server declined the WebSocket upgrade");
    }
    return Status::IOError("websocket handshake: " + ec.message());
  }
  // Messages are read asynchronously so that SIGINT/SIGTERM (Ctrl-C) can end the tail
  // cleanly: a close frame (1000) is sent, the server's answer awaited (at most 5 s), what was
  // received is printed, and the exit code is 0, as logcli's tail does on an interrupt.
  websocket::stream_base::timeout timeouts =
      websocket::stream_base::timeout::suggested(beast::role_type::client);
  timeouts.handshake_timeout = std::chrono::seconds(5);  // also bounds the closing handshake
  ws.set_option(timeouts);
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  bool interrupted = false;
  signals.async_wait([&](const beast::error_code& error, int) {
    if (error) return;
    interrupted = true;
    if (ws.is_open()) ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
  });
  Status result;
  beast::flat_buffer buffer;
  std::function<void()> read_next = [&] {
    buffer.clear();
    ws.async_read(buffer, [&](const beast::error_code& error, size_t) {
      if (!error) {
        Status s = PrintMessage(ctx, o, beast::buffers_to_string(buffer.data()));
        if (s.ok()) return read_next();
        result = s;
      } else if (error == websocket::error::closed) {
        const auto& reason = ws.reason();
        if (!interrupted && reason.code != websocket::close_code::normal &&
            reason.code != websocket::close_code::none) {
          result =
              Status::Unavailable("tail closed by server: " + std::string(reason.reason.c_str()));
        }
      } else if (!interrupted) {
        result = Status::IOError("reading tail: " + error.message());
      }
      signals.cancel();
      beast::error_code ignored;
      beast::get_lowest_layer(ws).close(ignored);
    });
  };
  read_next();
  ioc.run();
  return result;
}

}  // namespace

Status RunTail(Context& ctx, const QueryOptions& o, int64_t delay_for_ns) {
  QueryString params;
  params.Add("query", o.query)
      .Add("delay_for", delay_for_ns / 1'000'000'000)
      .Add("limit", o.limit)
      .Add("start", o.start_ns);
  const std::string target = "/loki/api/v1/tail?" + params.Encode();  // without the prefix
  std::string url = ctx.client->base_url();
  url.replace(0, url.find("://"), ctx.client->tls() ? "wss" : "ws");
  if (!ctx.quiet) LogNote(url + "/loki/api/v1/tail?" + params.Encode());

  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(ctx.client->host(), ctx.client->port(), ec);
  if (ec) return Status::IOError("resolving " + ctx.client->host() + ": " + ec.message());
  const ClientOptions& co = ctx.client->options();
  if (!ctx.client->tls()) {
    websocket::stream<tcp::socket> ws(ioc);
    net::connect(ws.next_layer(), endpoints, ec);
    if (ec) return Status::IOError("error connecting: " + ec.message());
    return Follow(ctx, o, ioc, ws, target);
  }
  ssl::context tls(ssl::context::tls_client);
  if (co.tls_skip_verify) {
    tls.set_verify_mode(ssl::verify_none);
  } else {
    tls.set_verify_mode(ssl::verify_peer);
    if (!co.ca_cert.empty()) {
      tls.load_verify_file(co.ca_cert, ec);
    } else {
      tls.set_default_verify_paths(ec);
    }
    if (ec) return Status::InvalidArgument("--ca-cert: " + ec.message());
  }
  if (!co.cert.empty()) {
    tls.use_certificate_chain_file(co.cert, ec);
    if (!ec) tls.use_private_key_file(co.key, ssl::context::pem, ec);
    if (ec) return Status::InvalidArgument("--cert/--key: " + ec.message());
  }
  websocket::stream<beast::ssl_stream<tcp::socket>> ws(ioc, tls);
  SSL_set_tlsext_host_name(ws.next_layer().native_handle(), ctx.client->host().c_str());
  if (!co.tls_skip_verify) {
    ws.next_layer().set_verify_callback(ssl::host_name_verification(ctx.client->host()));
  }
  net::connect(beast::get_lowest_layer(ws), endpoints, ec);
  if (ec) return Status::IOError("error connecting: " + ec.message());
  ws.next_layer().handshake(ssl::stream_base::client, ec);
  if (ec) return Status::IOError("TLS handshake: " + ec.message());
  return Follow(ctx, o, ioc, ws, target);
}

}  // namespace sawmill::sawcli
