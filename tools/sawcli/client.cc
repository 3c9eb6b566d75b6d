#include "tools/sawcli/client.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sawmill::sawcli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr uint64_t kMaxResponseBytes = uint64_t{4} << 30;  // a sanity bound, not a policy
constexpr size_t kReadBufferBytes = 1 << 20;

std::string Base64(std::string_view in) {
  std::string out(beast::detail::base64::encoded_size(in.size()), '\0');
  out.resize(beast::detail::base64::encode(out.data(), in.data(), in.size()));
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Retryable(int status) { return status == 429 || status / 100 == 5; }

}  // namespace

struct Client::Impl {
  ClientOptions options;
  bool tls = false;
  std::string host, port, prefix, base_url;
  net::io_context ioc;
  std::optional<ssl::context> ssl_ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  bool connected = false;

  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*secure) : *plain; }

  void Close() {
    if (!connected) return;
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().socket().close(ec);
    connected = false;
  }

  // Runs the io_context until the pending operations finish.
  void Run() {
    ioc.restart();
    ioc.run();
  }

  beast::error_code Connect() {
    Close();
    buffer.clear();
    // Beast reads at most the buffer's free capacity per call (512 bytes when empty): a large
    // buffer turns a 700 KB page from ~1,400 reads into a dozen.
    buffer.reserve(kReadBufferBytes);
    beast::error_code result;
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type r) {
      result = ec;
      endpoints = std::move(r);
    });
    Run();
    if (result) return result;
    if (tls) {
      secure.emplace(ioc, *ssl_ctx);
      if (!SSL_set_tlsext_host_name(secure->native_handle(), host.c_str())) {
        return beast::error_code(static_cast<int>(::ERR_get_error()),
                                 net::error::get_ssl_category());
      }
      if (!options.tls_skip_verify) secure->set_verify_callback(ssl::host_name_verification(host));
    } else {
      plain.emplace(ioc);
    }
    Lowest().expires_after(std::chrono::nanoseconds(options.timeout_ns));
    Lowest().async_connect(endpoints,
                           [&](beast::error_code ec, const tcp::endpoint&) { result = ec; });
    Run();
    if (result) return result;
    if (tls) {
      secure->async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { result = ec; });
      Run();
      if (result) return result;
    }
    connected = true;
    return {};
  }

  template <typename Stream>
  beast::error_code Exchange(Stream& stream, http::request<http::string_body>& req,
                             http::response_parser<http::string_body>& parser) {
    beast::error_code result;
    Lowest().expires_after(std::chrono::nanoseconds(options.timeout_ns));
    http::async_write(stream, req, [&](beast::error_code ec, size_t) {
      if (ec) {
        result = ec;
        return;
      }
      http::async_read(stream, buffer, parser,
                       [&](beast::error_code read_ec, size_t) { result = read_ec; });
    });
    Run();
    return result;
  }

  // One request on the kept connection; reconnects once when a reused connection was closed.
  Result<HttpResponse> Once(http::request<http::string_body>& req) {
    for (int pass = 0; pass < 2; ++pass) {
      const bool reused = connected;
      if (!connected) {
        beast::error_code ec = Connect();
        if (ec) {
          Close();
          if (ec.category() == net::error::get_ssl_category()) {
            // The server's certificate (or ours) was refused: retrying cannot help.
            return Status::InvalidArgument(
                "error sending request: TLS handshake with " + host + ":" + port + " failed: " +
                ec.message() + " (check --ca-cert, or skip the check with --tls-skip-verify)");
          }
          return Status::IOError("error sending request: connecting to " + host + ":" + port +
                                 ": " + ec.message());
        }
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxResponseBytes);
      beast::error_code ec = tls ? Exchange(*secure, req, parser) : Exchange(*plain, req, parser);
      if (ec) {
        Close();
        if (reused && pass == 0) continue;  // the server closed an idle connection
        return Status::IOError("error sending request: " + ec.message());
      }
      auto res = parser.release();
      if (!res.keep_alive()) Close();
      HttpResponse out;
      out.status = static_cast<int>(res.result_int());
      out.content_type = std::string(res[http::field::content_type]);
      out.retry_after = std::string(res[http::field::retry_after]);
      out.body = std::move(res.body());
      return out;
    }
    return Status::IOError("error sending request");
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() {
  if (impl_) impl_->Close();
}

Result<std::unique_ptr<Client>> Client::Create(const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::string_view addr = options.addr;
  const size_t scheme_end = addr.find("://");
  if (scheme_end == std::string_view::npos) {
    return Status::InvalidArgument("address \"" + options.addr +
                                   "\" needs a scheme: http://host:port or https://host:port");
  }
  const std::string_view scheme = addr.substr(0, scheme_end);
  if (scheme == "https") {
    impl->tls = true;
  } else if (scheme != "http") {
    return Status::InvalidArgument("unsupported scheme \"" + std::string(scheme) + "\" in " +
                                   options.addr);
  }
  std::string_view rest = addr.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  std::string prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (hostport.empty()) return Status::InvalidArgument("no host in address " + options.addr);
  std::string host, port;
  if (hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("bad IPv6 host in " + options.addr);
    }
    host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') {
      port = std::string(hostport.substr(close + 2));
    }
  } else {
    const size_t colon = hostport.rfind(':');
    host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = std::string(hostport.substr(colon + 1));
  }
  if (port.empty()) port = impl->tls ? "443" : "80";
  impl->host = host;
  impl->port = port;
  impl->prefix = prefix;
  impl->base_url = std::string(scheme) + "://" + std::string(hostport) + prefix;

  if (impl->tls) {
    impl->ssl_ctx.emplace(ssl::context::tls_client);
    beast::error_code ec;
    if (options.tls_skip_verify) {
      impl->ssl_ctx->set_verify_mode(ssl::verify_none);
    } else {
      impl->ssl_ctx->set_verify_mode(ssl::verify_peer);
      if (!options.ca_cert.empty()) {
        impl->ssl_ctx->load_verify_file(options.ca_cert, ec);
        if (ec)
          return Status::InvalidArgument("--ca-cert " + options.ca_cert + ": " + ec.message());
      } else {
        impl->ssl_ctx->set_default_verify_paths(ec);
      }
    }
    if (!options.cert.empty() || !options.key.empty()) {
      if (options.cert.empty() || options.key.empty()) {
        return Status::InvalidArgument("--cert and --key must be given together");
      }
      impl->ssl_ctx->use_certificate_chain_file(options.cert, ec);
      if (ec) return Status::InvalidArgument("--cert " + options.cert + ": " + ec.message());
      impl->ssl_ctx->use_private_key_file(options.key, ssl::context::pem, ec);
      if (ec) return Status::InvalidArgument("--key " + options.key + ": " + ec.message());
    }
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

const std::string& Client::base_url() const { return impl_->base_url; }
bool Client::tls() const { return impl_->tls; }
const std::string& Client::host() const { return impl_->host; }
const std::string& Client::port() const { return impl_->port; }
const std::string& Client::path_prefix() const { return impl_->prefix; }
const ClientOptions& Client::options() const { return impl_->options; }

Result<std::vector<std::pair<std::string, std::string>>> Client::AuthHeaders() const {
  const ClientOptions& o = impl_->options;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!o.org_id.empty()) headers.emplace_back("X-Scope-OrgID", o.org_id);
  if (!o.query_tags.empty()) {
    std::string tags;
    for (const std::string& t : o.query_tags) tags += (tags.empty() ? "" : ",") + t;
    headers.emplace_back("X-Query-Tags", tags);
  }
  std::string token = o.bearer_token;
  if (token.empty() && !o.bearer_token_file.empty()) {
    SAW_ASSIGN_OR_RETURN(token, ReadFile(o.bearer_token_file));
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  }
  if (!token.empty()) {
    if (!o.username.empty() || !o.password.empty()) {
      return Status::InvalidArgument(
          "at most one of HTTP basic auth (username/password), bearer-token & "
          "bearer-token-file is allowed to be configured");
    }
    headers.emplace_back(o.auth_header, "Bearer " + token);
  } else if (!o.username.empty() || !o.password.empty()) {
    headers.emplace_back(o.auth_header, "Basic " + Base64(o.username + ":" + o.password));
  }
  return headers;
}

Result<HttpResponse> Client::Send(std::string_view method, const std::string& target,
                                  const std::string& body, std::string_view content_type) {
  SAW_ASSIGN_OR_RETURN(auto headers, AuthHeaders());
  const ClientOptions& o = impl_->options;
  int64_t backoff = std::max<int64_t>(o.min_backoff_ns, 1'000'000);
  for (int64_t attempt = 0;; ++attempt) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(impl_->prefix + target);
    req.version(11);
    const bool default_port = impl_->port == (impl_->tls ? "443" : "80");
    req.set(http::field::host, default_port ? impl_->host : impl_->host + ":" + impl_->port);
    req.set(http::field::user_agent, "sawcli/0.1.0");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    Result<HttpResponse> r = impl_->Once(req);
    const bool last = attempt >= o.retries;
    if (r.ok() && !Retryable(r->status)) return r;
    if (last || (!r.ok() && r.status().IsInvalidArgument())) return r;
    int64_t wait = backoff;
    if (r.ok() && !r->retry_after.empty()) {
      const long long secs = std::atoll(r->retry_after.c_str());
      if (secs > 0) wait = std::min<int64_t>(secs * 1'000'000'000, o.max_backoff_ns);
    }
    if (!o.quiet) {
      std::string why = r.ok() ? "status " + std::to_string(r->status) : r.status().message();
      std::cerr << "sawcli: " << method << " " << target.substr(0, target.find('?')) << ": " << why
                << "; retrying in " << wait / 1'000'000 << "ms (" << (o.retries - attempt)
                << " attempts left)\n";
    }
    std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
    backoff = std::min(backoff * 2, std::max(o.max_backoff_ns, o.min_backoff_ns));
  }
}

Result<std::string> Client::Call(std::string_view method, const std::string& target,
                                 const std::string& body, std::string_view content_type) {
  SAW_ASSIGN_OR_RETURN(HttpResponse r, Send(method, target, body, content_type));
  if (r.status / 100 != 2) {
    std::string text = std::move(r.body);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return Status::Unavailable("Error response from server: " + text + " (status " +
                               std::to_string(r.status) + ")");
  }
  return std::move(r.body);
}

namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string Escape(std::string_view s, bool query) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if (Unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (query && c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string QueryEscape(std::string_view s) { return Escape(s, true); }
std::string PathEscape(std::string_view s) { return Escape(s, false); }

QueryString& QueryString::Add(std::string_view key, std::string_view value) {
  params_.emplace_back(key, value);
  return *this;
}

QueryString& QueryString::Add(std::string_view key, int64_t value) {
  return Add(key, std::to_string(value));
}

std::string QueryString::Encode() const {
  auto sorted = params_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [k, v] : sorted) {
    if (!out.empty()) out.push_back('&');
    out += QueryEscape(k) + "=" + QueryEscape(v);
  }
  return out;
}

}  // namespace sawmill::sawcli
