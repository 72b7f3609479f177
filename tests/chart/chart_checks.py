"""What the chart tests do with a rendered chart: render it with the
chart-render tool (Helm's way), split and parse the manifests, lint them,
validate them against the Kubernetes API types (k8s_schema), check that the
pieces refer to each other correctly, and pass the sidecar's config to
`kafka-sidecar check-config` with the environment the pod would give it.

Paths come from the environment, set by tests/chart/CMakeLists.txt:
KS_CHART_RENDER (the renderer), KS_BINARY (kafka-sidecar).
"""
import base64
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

import k8s_schema

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CHART = REPO / "charts" / "kafka-sidecar"
VALUES = HERE / "values"
YAMLLINT_CONFIG = HERE / "yamllint.yaml"


@dataclass
class Manifest:
    source: str  # e.g. kafka-sidecar/templates/workload.yaml
    text: str
    obj: dict

    @property
    def kind(self):
        return self.obj.get("kind")

    @property
    def name(self):
        return (self.obj.get("metadata") or {}).get("name")


@dataclass
class Rendered:
    stream: str
    manifests: list

    def of_kind(self, kind):
        return [m for m in self.manifests if m.kind == kind]

    def one(self, kind):
        found = self.of_kind(kind)
        assert len(found) == 1, f"expected one {kind}, got {len(found)}"
        return found[0].obj

    def workload(self):
        found = self.of_kind("Deployment") + self.of_kind("StatefulSet")
        assert len(found) == 1, f"expected one Deployment or StatefulSet, got {len(found)}"
        return found[0].obj


def renderer():
    path = os.environ.get("KS_CHART_RENDER")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError(f"KS_CHART_RENDER={path!r} is not an executable (run through ctest)")
    return path


def run_render(values_files=(), kube_version=None, extra=()):
    """Runs the renderer; returns the CompletedProcess (never raises on a
    failed render: failing renders are tested too)."""
    cmd = [renderer(), "--release-name", "shop", "--namespace", "shop"]
    if kube_version:
        cmd += ["--kube-version", kube_version]
    for f in values_files:
        cmd += ["-f", str(f)]
    cmd += list(extra) + [str(CHART)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


_SOURCE = re.compile(r"^---\n# Source: (\S+)\n", re.M)


def parse_stream(stream):
    """Splits `helm template` output into manifests; every document must
    parse as YAML (one document each)."""
    parts = _SOURCE.split(stream)
    assert parts[0] == "", f"output does not start with '---' and '# Source:': {stream[:80]!r}"
    manifests = []
    for source, text in zip(parts[1::2], parts[2::2]):
        docs = list(yaml.safe_load_all(text))
        assert len(docs) == 1, f"{source}: {len(docs)} YAML documents in one manifest"
        manifests.append(Manifest(source, text, docs[0]))
    # The whole stream parses too, as kubectl apply -f reads it.
    assert len([d for d in yaml.safe_load_all(stream) if d is not None]) == len(manifests)
    return manifests


def render(values_files=(), kube_version=None):
    """Renders and parses; a failed render fails the test with Helm's error."""
    result = run_render(values_files, kube_version)
    if result.returncode != 0:
        raise AssertionError(f"render failed ({result.returncode}):\n{result.stderr}")
    return Rendered(result.stdout, parse_stream(result.stdout))


def yamllint(text):
    """yamllint's problems with `text` (with the checked-in config)."""
    exe = shutil.which("yamllint") or "/usr/bin/yamllint"
    result = subprocess.run([exe, "-f", "parsable", "-c", str(YAMLLINT_CONFIG), "-"],
                            input=text, capture_output=True, text=True, timeout=60)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"yamllint failed to run: {result.stderr}")
    return [line for line in result.stdout.splitlines() if line.strip()]


def api_problems(rendered):
    """Problems of every manifest against the API types, by source."""
    problems = []
    for m in rendered.manifests:
        problems += [f"{m.source} ({m.kind} {m.name}){p}" for p in k8s_schema.validate(m.obj)]
    return problems


# --- how the pieces refer to each other

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


def pod_containers(pod_spec):
    return (pod_spec.get("initContainers") or []) + (pod_spec.get("containers") or [])


def reference_problems(rendered, existing_secrets=(), existing_claims=()):
    """What the API server or the kubelet would refuse, or what would not
    work, beyond field types: names, labels, selectors, volumes, ports and
    the Secrets and ConfigMaps referred to."""
    problems = []
    for m in rendered.manifests:
        name = m.name or ""
        limit_ok = len(name) <= (63 if m.kind == "Service" else 253)
        pattern = _DNS_LABEL if m.kind == "Service" else _DNS_SUBDOMAIN
        if not pattern.match(name) or not limit_ok:
            problems.append(f"{m.kind} {name!r}: not a valid name for its kind")
        for key, value in ((m.obj.get("metadata") or {}).get("labels") or {}).items():
            if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
                problems.append(f"{m.kind} {name}: label {key}={value!r} is not a valid label value")

    workload = rendered.workload()
    template = workload["spec"]["template"]
    pod = template["spec"]
    pod_labels = template["metadata"].get("labels") or {}
    selector = workload["spec"]["selector"]["matchLabels"]
    if any(pod_labels.get(k) != v for k, v in selector.items()):
        problems.append(f"selector {selector} does not match the pod's labels {pod_labels}")

    containers = pod_containers(pod)
    names = [c["name"] for c in containers]
    if len(set(names)) != len(names):
        problems.append(f"container names repeat: {names}")
    volumes = {v["name"] for v in pod.get("volumes") or []}
    volumes |= {t["metadata"]["name"] for t in workload["spec"].get("volumeClaimTemplates") or []}
    configmaps = {m.name for m in rendered.of_kind("ConfigMap")}
    secrets = {m.name for m in rendered.of_kind("Secret")} | set(existing_secrets)
    for v in pod.get("volumes") or []:
        if "configMap" in v and v["configMap"]["name"] not in configmaps:
            problems.append(f"volume {v['name']}: ConfigMap {v['configMap']['name']} is not rendered")
        if "persistentVolumeClaim" in v:
            claims = {m.name for m in rendered.of_kind("PersistentVolumeClaim")} | set(existing_claims)
            claim = v["persistentVolumeClaim"]["claimName"]
            if claim not in claims:
                problems.append(f"volume {v['name']}: claim {claim} is not rendered")
    all_ports = set()
    for c in containers:
        ports = {p["name"] for p in c.get("ports") or [] if "name" in p}
        all_ports |= ports
        for p in ports:
            if len(p) > 15 or not _PORT_NAME.match(p):
                problems.append(f"container {c['name']}: port name {p!r} is not an IANA service name")
        for mount in c.get("volumeMounts") or []:
            if mount["name"] not in volumes:
                problems.append(f"container {c['name']}: volumeMount {mount['name']} has no volume")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            port = ((c.get(probe) or {}).get("httpGet") or {}).get("port")
            if isinstance(port, str) and port not in ports:
                problems.append(f"container {c['name']}: {probe} port {port} is not one of its ports")
        for env in c.get("env") or []:
            if not _ENV_NAME.match(env["name"]):
                problems.append(f"container {c['name']}: env name {env['name']!r} is invalid")
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref and ref["name"] not in secrets:
                problems.append(f"container {c['name']}: env {env['name']} needs Secret {ref['name']}")
    for m in rendered.of_kind("Service"):
        sel = m.obj["spec"].get("selector") or {}
        if any(pod_labels.get(k) != v for k, v in sel.items()):
            problems.append(f"Service {m.name}: selector {sel} does not select the pods")
        for port in m.obj["spec"].get("ports") or []:
            target = port.get("targetPort")
            if isinstance(target, str) and target not in all_ports:
                problems.append(f"Service {m.name}: targetPort {target} is no container's port")
    if workload["kind"] == "StatefulSet":
        services = {m.name: m.obj for m in rendered.of_kind("Service")}
        governing = services.get(workload["spec"]["serviceName"])
        if governing is None or governing["spec"].get("clusterIP") != "None":
            problems.append(f"StatefulSet: serviceName {workload['spec']['serviceName']} is no headless Service")
    for m in rendered.of_kind("ServiceMonitor"):
        match = m.obj["spec"]["selector"].get("matchLabels") or {}
        targets = [s for s in rendered.of_kind("Service")
                   if all((s.obj["metadata"].get("labels") or {}).get(k) == v for k, v in match.items())]
        if not targets:
            problems.append(f"ServiceMonitor {m.name}: selects no Service")
        for ep in m.obj["spec"]["endpoints"]:
            if not any(ep["port"] in {p.get("name") for p in s.obj["spec"]["ports"]} for s in targets):
                problems.append(f"ServiceMonitor {m.name}: port {ep['port']} is no selected Service's port name")
    return problems


# --- the sidecar's own config

def sidecar_container(rendered, name="kafka-sidecar"):
    pod = rendered.workload()["spec"]["template"]["spec"]
    found = [c for c in pod_containers(pod) if c["name"] == name]
    assert len(found) == 1, f"expected one container {name}"
    return found[0]


def sidecar_config(rendered):
    return rendered.one("ConfigMap")["data"]["config.yaml"]


def sidecar_environment(rendered, existing_secret_value="from-an-existing-secret"):
    """The variables the pod gives the sidecar: plain values, and Secret
    keys decoded from the rendered Secret (or a stand-in for a Secret that
    exists in the cluster)."""
    secrets = {m.name: m.obj for m in rendered.of_kind("Secret")}
    env = {}
    for var in sidecar_container(rendered).get("env") or []:
        if "value" in var:
            env[var["name"]] = var["value"]
            continue
        ref = var["valueFrom"]["secretKeyRef"]
        secret = secrets.get(ref["name"])
        if secret is None:
            env[var["name"]] = existing_secret_value
        else:
            env[var["name"]] = base64.b64decode(secret["data"][ref["key"]]).decode()
    return env


def check_config(config_text, env):
    """Runs `kafka-sidecar check-config` on the config with exactly `env`
    (plus PATH); returns the CompletedProcess."""
    binary = os.environ.get("KS_BINARY")
    if not binary or not os.access(binary, os.X_OK):
        raise RuntimeError(f"KS_BINARY={binary!r} is not an executable (run through ctest)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(config_text)
        return subprocess.run([binary, "check-config", str(path)], capture_output=True, text=True,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
                              timeout=60)
