# Usage: python3 bench/load/sawcli_pager.py <port>  (a server holding the 500,000 {job="bench"} lines
# of the sawcli figure in bench/RESULTS.md).
# Times the HTTP exchanges alone of the paged download sawcli makes (requests, keep-alive);
# the JSON decoding to find the next page's end is excluded from the timed part.
import json, sys, time, requests
port = sys.argv[1]
s = requests.Session()
end = time.time_ns(); start = end - 3600 * 10**9
total = 0; http_s = 0.0; pages = 0
while total < 500000:
    t = time.perf_counter()
    r = s.get(f"http://127.0.0.1:{port}/loki/api/v1/query_range",
              params={"query": '{job="bench"}', "limit": 5000, "start": start, "end": end, "direction": "BACKWARD"})
    body = r.content
    http_s += time.perf_counter() - t
    pages += 1
    d = json.loads(body)
    ts = [int(v[0]) for st in d["data"]["result"] for v in st["values"]]
    if not ts: break
    total += len(ts)
    end = min(ts)
    if len(ts) < 5000: break
print(f"pages={pages} lines={total} http_seconds={http_s:.2f} lines_per_s={total/http_s:.0f}")
