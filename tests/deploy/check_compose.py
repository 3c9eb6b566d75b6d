"""Checks deploy/compose statically (no Docker engine runs on CI): the services, that Sawmill
is built from the repository's Dockerfile and waited for through its health check, that
Grafana's provisioned Loki data source points at the sawmill service's port, and that the
Alloy pipeline tails sample files that exist and pushes them to /loki/api/v1/push on Sawmill."""
import glob
import os
import re

import yaml

from deploy_util import REPO, check, finish

COMPOSE_DIR = os.path.join(REPO, "deploy", "compose")


def host_path(source):
    return os.path.normpath(os.path.join(COMPOSE_DIR, source))


def mounts(service):
    """{container path: host path} of a service's bind mounts (short syntax)."""
    out = {}
    for v in service.get("volumes", []):
        parts = v.split(":")
        if parts[0].startswith((".", "/")):
            out[parts[1]] = host_path(parts[0])
    return out


def container_to_host(service, path):
    for target, source in sorted(mounts(service).items(), key=lambda kv: -len(kv[0])):
        if path == target or path.startswith(target.rstrip("/") + "/"):
            return source + path[len(target):]
    return None


def alloy_blocks(text):
    """Top-level Alloy blocks as {(kind, label): body}. Only whole-line comments are dropped
    and braces inside strings are not expected (true of our file); nested blocks stay in
    the body text."""
    text = re.sub(r"^\s*//[^\n]*", "", text, flags=re.M)  # whole-line comments
    blocks = {}
    for m in re.finditer(r'^([a-z_.]+)\s+"([^"]+)"\s*\{', text, re.M):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        blocks[(m.group(1), m.group(2))] = text[m.end():i - 1]
    return blocks


def main():
    with open(os.path.join(COMPOSE_DIR, "docker-compose.yml")) as f:
        compose = yaml.safe_load(f)
    services = compose["services"]
    check(set(services) >= {"sawmill", "grafana", "alloy"},
          "services sawmill, grafana and alloy (have %s)" % sorted(services))

    saw = services["sawmill"]
    ctx = host_path(saw["build"]["context"])
    dockerfile = os.path.join(ctx, saw["build"]["dockerfile"])
    check(os.path.samefile(ctx, REPO) and os.path.isfile(dockerfile) and
          os.path.samefile(dockerfile, os.path.join(REPO, "deploy/docker/Dockerfile")),
          "sawmill is built from deploy/docker/Dockerfile with the repository as context")
    with open(dockerfile) as f:
        df = f.read()
    check("HEALTHCHECK" in df, "the image has a HEALTHCHECK for depends_on: service_healthy")
    check("3100:3100" in saw.get("ports", []), "Sawmill's port 3100 is published")
    data = [v for v in saw.get("volumes", []) if v.split(":")[1] == "/data"]
    check(data and data[0].split(":")[0] in (compose.get("volumes") or {}),
          "Sawmill's /data is a named volume")
    for name in ("grafana", "alloy"):
        dep = services[name].get("depends_on", {})
        check(dep.get("sawmill", {}).get("condition") == "service_healthy",
              name + " waits until Sawmill is healthy (/ready)")

    # Grafana: the provisioned data source is Loki at the sawmill service.
    graf = services["grafana"]
    ds_files = [h for c, h in mounts(graf).items()
                if c.startswith("/etc/grafana/provisioning/datasources/")]
    check(len(ds_files) == 1 and os.path.isfile(ds_files[0]),
          "a data source file is mounted into Grafana's provisioning directory")
    with open(ds_files[0]) as f:
        ds = yaml.safe_load(f)
    check(ds.get("apiVersion") == 1, "data source provisioning apiVersion 1")
    loki = [d for d in ds["datasources"] if d["type"] == "loki"]
    check(len(loki) == 1 and loki[0]["url"] == "http://sawmill:3100" and
          loki[0].get("access") == "proxy",
          "the Loki data source URL is http://sawmill:3100 (proxy access)")
    check("3000:3000" in graf.get("ports", []), "Grafana's port 3000 is published")
    check(graf.get("environment", {}).get("GF_AUTH_ANONYMOUS_ENABLED") == "true",
          "Grafana opens without a login")

    # Alloy: the config file it runs tails existing sample files and pushes to Sawmill.
    alloy = services["alloy"]
    cfg_arg = [a for a in alloy["command"] if a.endswith(".alloy")]
    cfg_host = container_to_host(alloy, cfg_arg[0]) if cfg_arg else None
    check(cfg_host and os.path.isfile(cfg_host), "Alloy's config file is mounted from the repo")
    with open(cfg_host) as f:
        blocks = alloy_blocks(f.read())
    writes = [b for (k, _), b in blocks.items() if k == "loki.write"]
    urls = re.findall(r'url\s*=\s*"([^"]+)"', "".join(writes))
    check(urls == ["http://sawmill:3100/loki/api/v1/push"],
          "loki.write pushes to http://sawmill:3100/loki/api/v1/push (have %s)" % urls)

    # Follow the pipeline from the files to loki.write: each stage forwards to the next.
    match = [(label, b) for (k, label), b in blocks.items() if k == "local.file_match"]
    check(len(match) == 1, "one local.file_match")
    label, body = match[0]
    globs = re.findall(r'"__path__"\s*=\s*"([^"]+)"', body)
    files = []
    for g in globs:
        h = container_to_host(alloy, g)
        files += glob.glob(h) if h else []
    check(files, "the sample glob %s matches files in the repo (%d)" % (globs, len(files)))
    check(all(os.path.getsize(f) > 0 for f in files), "the sample files are not empty")
    sources = [(l, b) for (k, l), b in blocks.items() if k == "loki.source.file"]
    check(len(sources) == 1 and
          re.search(r"targets\s*=\s*local\.file_match\.%s\.targets" % label, sources[0][1]),
          "loki.source.file reads local.file_match.%s's targets" % label)
    node, seen = ("loki.source.file", sources[0][0]), set()
    while node[0] != "loki.write" and node not in seen:
        seen.add(node)
        fwd = re.findall(r"forward_to\s*=\s*\[([^\]]*)\]", blocks.get(node, ""))
        dest = re.findall(r"([a-z_.]+)\.([a-z_0-9]+)\.receiver", fwd[0]) if fwd else []
        if len(dest) != 1:
            break
        node = dest[0]
    check(node[0] == "loki.write" and node in blocks,
          "the pipeline from the files reaches loki.write (ended at %s)" % (node,))
    finish()


if __name__ == "__main__":
    main()
