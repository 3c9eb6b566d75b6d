"""Checks the Helm chart deploy/helm/sawmill with the real helm binary: `helm lint --strict`
and `helm template` for several value sets, every rendered object validated against the
Kubernetes OpenAPI schema (strictly: no field the API does not define), and the objects
checked against each other (selectors, ports, mounts, the paths in the rendered config file).
The server itself is started with the rendered config by check_server_configs.py."""
import re

from deploy_util import (check, finish, find, helm_lint, helm_notes, helm_template, one,
                         rendered_config, require_helm, secret_data, selects,
                         validate_schemas)

AUTH = {"auth": {"enabled": True, "basicAuth": "grafana:s3cret\n",
                 "bearerTokens": "token-one\ntoken-two\n"}}
VALUE_SETS = {
    "default": {},
    "auth on": AUTH,
    "auth from an existing secret": {"auth": {"enabled": True, "existingSecret": "my-auth"}},
    "bearer tokens only": {"auth": {"enabled": True, "bearerTokens": "t\n"}},
    "persistence off": {"persistence": {"enabled": False}},
    "servicemonitor on": {"serviceMonitor": {"enabled": True, "labels": {"release": "prom"}}},
    "ingress on": {"ingress": {"enabled": True, "className": "nginx",
                               "tls": [{"secretName": "t", "hosts": ["logs.example.com"]}],
                               "hosts": [{"host": "logs.example.com",
                                          "paths": [{"path": "/", "pathType": "Prefix"}]}]}},
    "everything": dict(AUTH, persistence={"enabled": False, "storageClassName": "fast"},
                       serviceMonitor={"enabled": True}, ingress={"enabled": True},
                       extraArgs=["-log.level=debug"], podDisruptionBudget={"enabled": False},
                       config={"retention": {"period": "744h"}, "auth_enabled": True}),
}


def go_seconds(text):
    """Seconds of a Prometheus/Go duration such as 1m30s or 90s."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError("not a duration: " + text)
    return sum(float(n) * units[u] for n, u in parts)


def pod_labels(sts):
    return sts["spec"]["template"]["metadata"]["labels"]


def check_common(name, objs, values):
    sts = one(objs, "StatefulSet")
    spec = sts["spec"]
    pod = spec["template"]["spec"]
    (c,) = pod["containers"]
    labels = pod_labels(sts)
    check(selects(spec["selector"], labels), name + ": StatefulSet selector matches its pods")
    check(spec["replicas"] == 1, name + ": one replica")

    services = find(objs, "Service")
    check(len(services) == 2, name + ": a client and a headless Service")
    headless = [s for s in services if s["spec"].get("clusterIP") == "None"]
    client = [s for s in services if s["spec"].get("clusterIP") != "None"]
    check(len(headless) == 1 and spec["serviceName"] == headless[0]["metadata"]["name"],
          name + ": serviceName is the headless Service")
    port_names = {p["name"]: p["containerPort"] for p in c["ports"]}
    for s in services:
        check(selects({"matchLabels": s["spec"]["selector"]}, labels),
              name + ": Service %s selects the pod" % s["metadata"]["name"])
        for p in s["spec"]["ports"]:
            check(p["targetPort"] in port_names,
                  name + ": Service %s targets container port %s" % (s["metadata"]["name"],
                                                                     p["targetPort"]))

    # Probes: /ready on the http port; the startup probe leaves time for head recovery.
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = c.get(probe, {}).get("httpGet", {})
        check(get.get("path") == "/ready" and get.get("port") == "http",
              name + ": %s asks /ready on port http" % probe)
    sp = c["startupProbe"]
    check(sp["periodSeconds"] * sp["failureThreshold"] >= 300,
          name + ": startup probe allows at least 5 minutes of head recovery")
    check(pod["terminationGracePeriodSeconds"] >= 60,
          name + ": terminationGracePeriodSeconds >= 60 s for the flush at shutdown")

    # Non-root, no privilege escalation, read-only root file system with writable mounts.
    psc, csc = pod["securityContext"], c["securityContext"]
    check(psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) != 0,
          name + ": pod runs as a non-root user")
    check(psc.get("runAsUser") == 10001, name + ": the image's user 10001 (Dockerfile USER)")
    check(csc.get("allowPrivilegeEscalation") is False and
          csc.get("capabilities", {}).get("drop") == ["ALL"],
          name + ": no privilege escalation, all capabilities dropped")
    check("resources" in c and "requests" in c["resources"], name + ": resources requested")

    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    config_text, config = rendered_config(objs)
    check(config["storage"]["path"] in mounts and mounts[config["storage"]["path"]] == "data",
          name + ": storage.path %s is the data volume's mount" % config["storage"]["path"])
    check(config["server"]["http_listen_port"] == port_names["http"],
          name + ": server.http_listen_port is the container's http port")
    check(config["server"]["http_listen_address"] == "0.0.0.0",
          name + ": the server listens on the pod's addresses")
    stop = (go_seconds(config["server"].get("graceful_shutdown_timeout", "30s")) +
            go_seconds(str(config.get("shutdown_delay", "0s"))))
    check(0 < stop < pod["terminationGracePeriodSeconds"],
          name + ": shutdown_delay + graceful_shutdown_timeout (%gs) end before the kubelet's "
          "SIGKILL (terminationGracePeriodSeconds %d)" % (stop, pod["terminationGracePeriodSeconds"]))
    if csc.get("readOnlyRootFilesystem"):
        check("/tmp" in mounts, name + ": /tmp is writable under a read-only root")
    config_flag = [a for a in c["args"] if a.startswith("-config.file=")]
    check(len(config_flag) == 1, name + ": -config.file is passed")
    cfg_path = config_flag[0].split("=", 1)[1]
    cfg_dir, cfg_key = cfg_path.rsplit("/", 1)
    cm = one(objs, "ConfigMap")
    check(mounts.get(cfg_dir) == "config" and
          volumes["config"]["configMap"]["name"] == cm["metadata"]["name"] and
          cfg_key in cm["data"], name + ": -config.file is the ConfigMap's " + cfg_key)
    check("checksum/config" in spec["template"]["metadata"].get("annotations", {}),
          name + ": a config checksum annotation restarts the pod on change")

    # Persistence: one PVC per pod through volumeClaimTemplates, or an emptyDir.
    persist = values.get("persistence", {}).get("enabled", True)
    vct = spec.get("volumeClaimTemplates", [])
    if persist:
        check(len(vct) == 1 and vct[0]["metadata"]["name"] == "data" and "data" not in volumes,
              name + ": data comes from volumeClaimTemplates")
        check(vct[0]["spec"]["resources"]["requests"]["storage"] == "10Gi",
              name + ": the claim asks for persistence.size")
    else:
        check(not vct and "emptyDir" in volumes.get("data", {}),
              name + ": without persistence, data is an emptyDir")

    # Auth: the Secret's files are mounted where the config file says.
    auth = values.get("auth", {})
    check(config.get("auth_enabled") == values.get("config", {}).get("auth_enabled"),
          name + ": auth_enabled (multi-tenancy) only as values.config sets it")
    if auth.get("enabled"):
        secret_name = auth.get("existingSecret") or sts["metadata"]["name"] + "-auth"
        check(volumes["auth"]["secret"]["secretName"] == secret_name,
              name + ": the auth volume is Secret " + secret_name)
        files = {}
        for key in ("basic_auth_file", "bearer_token_file"):
            d, f = config["auth"][key].rsplit("/", 1)
            files[key] = f
            check(mounts.get(d) == "auth", name + ": auth.%s lies in the auth mount" % key)
        if not auth.get("existingSecret"):
            s = one(objs, "Secret", secret_name)
            check(secret_data(s, files["basic_auth_file"]) == auth.get("basicAuth", "") and
                  secret_data(s, files["bearer_token_file"]) == auth.get("bearerTokens", ""),
                  name + ": the Secret's keys are the files the config names, with the "
                  "given credentials")
        else:
            check(not find(objs, "Secret"), name + ": no Secret created for an existing one")
    else:
        check(not find(objs, "Secret") and "auth" not in volumes and "auth" not in config,
              name + ": no auth Secret, mount or config without auth")

    sm = find(objs, "ServiceMonitor")
    if values.get("serviceMonitor", {}).get("enabled"):
        scraped = [s for s in services
                   if selects(sm[0]["spec"]["selector"], s["metadata"]["labels"])]
        check(len(scraped) == 1 and scraped == client,
              name + ": the ServiceMonitor scrapes the client Service only")
        ep = sm[0]["spec"]["endpoints"][0]
        check(ep["path"] == "/metrics" and
              ep["port"] in [p["name"] for p in client[0]["spec"]["ports"]],
              name + ": it scrapes /metrics on a named port of the Service")
    else:
        check(not sm, name + ": no ServiceMonitor unless asked")

    ing = find(objs, "Ingress")
    if values.get("ingress", {}).get("enabled"):
        for rule in ing[0]["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                svc = p["backend"]["service"]
                check(svc["name"] == client[0]["metadata"]["name"] and
                      svc["port"]["name"] in [x["name"] for x in client[0]["spec"]["ports"]],
                      name + ": the Ingress backend is the client Service's http port")
    else:
        check(not ing, name + ": no Ingress unless asked")

    pdb = find(objs, "PodDisruptionBudget")
    if values.get("podDisruptionBudget", {}).get("enabled", True):
        check(len(pdb) == 1 and selects(pdb[0]["spec"]["selector"], labels),
              name + ": the PodDisruptionBudget selects the pod")
    else:
        check(not pdb, name + ": no PodDisruptionBudget when disabled")
    for extra in values.get("extraArgs", []):
        check(extra in c["args"], name + ": extra argument %s is passed" % extra)


def main():
    require_helm()
    for name, values in VALUE_SETS.items():
        ok, out = helm_lint(values)
        check(ok, name + ": helm lint --strict" + ("" if ok else "\n" + out))
        objs, err = helm_template(values)
        if not check(objs is not None, name + ": helm template" + (": " + err if err else "")):
            continue
        ok, out = validate_schemas(objs)
        print(out.rstrip())
        check(ok, name + ": every object matches its Kubernetes schema")
        check_common(name, objs, values)

    # A changed config changes the checksum, so the pod restarts with it.
    a, _ = helm_template({})
    b, _ = helm_template({"config": {"retention": {"period": "744h"}}})
    ann = lambda objs: one(objs, "StatefulSet")["spec"]["template"]["metadata"]["annotations"]
    check(ann(a)["checksum/config"] != ann(b)["checksum/config"],
          "a config change changes checksum/config")
    _, cb = rendered_config(b)
    check(cb["retention"]["period"] == "744h" and cb["server"]["log_level"] == "info",
          "values.config keys reach the file, defaults kept beside them")

    # Values the chart refuses, with the reason.
    refused = {
        "auth on without credentials": ({"auth": {"enabled": True}}, "auth.enabled needs"),
        "two replicas": ({"replicas": 2}, "replicas"),
        "a chart-owned key in config": ({"config": {"storage": {"path": "/x"}}}, "config"),
        "a chart-owned auth file in config": (
            {"config": {"auth": {"bearer_token_file": "/x"}}}, "config"),
        "a port as text": ({"httpPort": "3100"}, "httpPort"),
    }
    for name, (values, want) in refused.items():
        objs, err = helm_template(values)
        check(objs is None and want in err,
              "refused: %s (%s)" % (name, " ".join(err.split())[:160]))

    # NOTES.txt tells how to add the Grafana data source.
    notes, err = helm_notes({})
    url = "http://r-sawmill.logs.svc.cluster.local:3100"
    check(notes is not None and url in notes and "type: loki" in notes,
          "NOTES.txt gives the Loki data source URL " + url + (err or ""))
    check(url + "/loki/api/v1/push" in notes, "NOTES.txt gives the push URL")
    notes, _ = helm_notes(AUTH)
    check("r-sawmill-auth" in notes, "NOTES.txt names the auth Secret when auth is on")
    notes, _ = helm_notes({"persistence": {"enabled": False}})
    check("WARNING" in notes, "NOTES.txt warns when persistence is off")
    notes, _ = helm_notes({"config": {"auth_enabled": True}})
    check("X-Scope-OrgID" in notes, "NOTES.txt asks for X-Scope-OrgID with auth_enabled")
    finish()


if __name__ == "__main__":
    main()
