"""Starts the real sawmill binary with the configuration files that ship: the config.yaml the
Helm chart renders into its ConfigMap (default values and other value sets) and the default
config file `cmake --install` places (deploy/config/config.yaml). Each must be accepted (the
file is parsed strictly: an unknown key stops the server) and the server must answer /ready.
Only what differs between a pod or host and this test is overridden by flags, which win over
the file: the listen address and port (127.0.0.1, a free port) and the data directory. Every
other value of the file must be in force, as GET /config reports it. The Dockerfile's
HEALTHCHECK command is run against the server too.

Usage: check_server_configs.py SAWMILL_BINARY"""
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import yaml

from deploy_util import (REPO, check, finish, helm_template, one, rendered_config,
                         require_helm, secret_data)

WAIT_SECONDS = 60  # bound on start-up and shutdown; a broken server fails, never hangs
# Keys the test overrides by flag (they name places of a pod or host).
OVERRIDDEN = {"server.http_listen_address", "server.http_listen_port", "storage.path",
              "auth.basic_auth_file", "auth.bearer_token_file"}


def flatten(tree, prefix=""):
    """{"a.b": value} of a nested mapping."""
    out = {}
    for k, v in (tree or {}).items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


class Server:
    def __init__(self, binary, config_path, data_dir, extra=()):
        args = [binary, "-config.file=" + config_path, "-server.http-listen-address=127.0.0.1",
                "-server.http-listen-port=0", "-storage.path=" + data_dir] + list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.output = []
        self.port = None
        self.started = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.output.append(line)
            m = re.search(r"server listening on addresses.*http=\S*:(\d+)", line)
            if m:
                self.port = int(m.group(1))
            if self.port and "Sawmill started" in "".join(self.output):
                self.started.set()
        self.started.set()

    def get(self, path, headers=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path),
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def wait_ready(self):
        deadline = time.time() + WAIT_SECONDS
        while time.time() < deadline:
            status, body = self.get("/ready")
            if status == 200:
                return status, body
            time.sleep(0.2)
        return status, body

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -1


def start_and_check(binary, name, config_text, tmp, extra=(), more=None, headers=None):
    """Starts the server with `config_text`, checks /ready, /config (asked with `headers`)
    and a clean SIGTERM exit."""
    path = os.path.join(tmp, name.replace(" ", "_") + ".yaml")
    with open(path, "w") as f:
        f.write(config_text)
    data = os.path.join(tmp, name.replace(" ", "_") + "-data")
    server = Server(binary, path, data, extra)
    server.started.wait(WAIT_SECONDS)
    up = server.port is not None and server.proc.poll() is None
    if not check(up, name + ": the server starts with this config file"):
        server.stop()
        print("".join(server.output)[-3000:])
        return
    status, body = server.wait_ready()
    check(status == 200 and body.strip() == "ready", name + ": /ready answers 200 ready")
    status, body = server.get("/config", headers)
    in_force = flatten(yaml.safe_load(body)) if status == 200 else {}
    wanted = {k: v for k, v in flatten(yaml.safe_load(config_text)).items()
              if k not in OVERRIDDEN}
    differ = {k: (v, in_force.get(k)) for k, v in wanted.items() if in_force.get(k) != v}
    check(wanted and not differ, name + ": GET /config shows the file's %d values in force%s"
          % (len(wanted), "; differ (file, in force): %s" % differ if differ else ""))
    if more:
        more(server)
    code = server.stop()
    check(code == 0, name + ": SIGTERM stops it cleanly (exit %s)" % code)
    check(os.path.isdir(data) and os.listdir(data), name + ": the store was created")


def check_auth(server):
    """With the chart's auth Secret and auth_enabled: credentials and a tenant are needed."""
    labels = "/loki/api/v1/labels"
    basic = "Basic " + base64.b64encode(b"grafana:s3cret").decode()
    org = {"X-Scope-OrgID": "team-a"}
    status, _ = server.get("/metrics")
    check(status == 200, "chart with auth: /metrics open for the ServiceMonitor (%d)" % status)
    cases = [
        ("no credentials", dict(org), 401),
        ("a wrong password", dict(org, Authorization="Basic " +
                                  base64.b64encode(b"grafana:nope").decode()), 401),
        ("basic auth of the Secret", dict(org, Authorization=basic), 200),
        ("the Secret's second user", dict(org, Authorization="Basic " +
                                          base64.b64encode(b"alloy:pa55").decode()), 200),
        ("a bearer token of the Secret", dict(org, Authorization="Bearer token-one"), 200),
        ("credentials but no tenant (auth_enabled)", {"Authorization": basic}, 401),
    ]
    for what, headers, want in cases:
        status, body = server.get(labels, headers)
        check(status == want, "chart with auth: %s -> %d (have %d %s)"
              % (what, want, status, body.strip()[:80]))


def healthcheck_command():
    """The Dockerfile's HEALTHCHECK CMD (exec form) as an argv list."""
    with open(os.path.join(REPO, "deploy", "docker", "Dockerfile")) as f:
        text = f.read().replace("\\\n", " ")
    m = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])\s*$", text, re.M)
    return json.loads(m.group(1))


def main():
    binary = sys.argv[1]
    require_helm()
    health = healthcheck_command()

    def run_healthcheck(server):
        argv = [a.replace("3100", str(server.port)) for a in health]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        check(p.returncode == 0, "the Dockerfile's HEALTHCHECK command passes on a ready server")

    with tempfile.TemporaryDirectory() as tmp:
        for name, values in {"chart default values": {},
                             "chart with config values": {"config": {
                                 "retention": {"period": "744h"},
                                 "limits_config": {"max_entries_limit_per_query": 100}}},
                             }.items():
            objs, err = helm_template(values)
            if not check(objs is not None, name + ": helm template " + err):
                continue
            text, _ = rendered_config(objs)
            start_and_check(binary, name, text, tmp)

        # Auth on: the Secret's files, written where this test can read them, are what the
        # server accepts; /ready and /metrics stay open for probes and the ServiceMonitor.
        values = {"auth": {"enabled": True, "basicAuth": "grafana:s3cret\nalloy:pa55\n",
                           "bearerTokens": "token-one\n"},
                  "config": {"auth_enabled": True}}
        objs, err = helm_template(values)
        if check(objs is not None, "chart with auth: helm template " + err):
            text, config = rendered_config(objs)
            secret = one(objs, "Secret")
            flags = []
            for key, flag in (("basic_auth_file", "-auth.basic-auth-file="),
                              ("bearer_token_file", "-auth.bearer-token-file=")):
                local = os.path.join(tmp, os.path.basename(config["auth"][key]))
                with open(local, "w") as f:
                    f.write(secret_data(secret, os.path.basename(config["auth"][key])))
                flags.append(flag + local)
            start_and_check(binary, "chart with auth", text, tmp, flags, more=check_auth,
                            headers={"Authorization": "Bearer token-one"})

        with open(os.path.join(REPO, "deploy", "config", "config.yaml")) as f:
            start_and_check(binary, "installed default config", f.read(), tmp,
                            more=run_healthcheck)

        # A closed port fails the health check (it is not always true).
        argv = [a.replace("3100", "1") for a in health]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        check(p.returncode != 0, "the HEALTHCHECK command fails when nothing listens")

        # A config file with an unknown key is refused: the check above can fail.
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("server:\n  http_listen_prt: 3100\n")
        p = subprocess.run([binary, "-config.file=" + bad, "-server.http-listen-port=0",
                            "-storage.path=" + os.path.join(tmp, "bad-data")],
                           capture_output=True, text=True, timeout=WAIT_SECONDS)
        check(p.returncode != 0 and "http_listen_prt" in p.stderr,
              "a misspelt key stops the server with an error naming it")
    finish()


if __name__ == "__main__":
    main()
