"""Validates rendered manifests against the Kubernetes API types.

The types are the model classes of the official Kubernetes Python client
(Debian's python3-kubernetes: kubernetes.client.V1Deployment etc.). Each
model lists its fields (attribute_map: Python name -> JSON name) and their
types (openapi_types: 'str', 'int', 'bool', 'list[V1Container]',
'dict(str, str)', 'object', another model). A manifest is walked against
them: an unknown field, a value of the wrong type, or a missing required
field (the model's constructor refuses None for those) is an error.

The client is 22.6.0, the Kubernetes 1.22 API. Fields added since then
that the chart uses are allowed through NEWER_FIELDS, each with the version
that added it; nothing else gets past. Custom resources (ServiceMonitor)
have small hand-written schemas in CUSTOM_SCHEMAS.
"""
import re

import kubernetes.client as k8s

_CONFIG = k8s.Configuration()  # client_side_validation: required fields checked
_CONFIG.client_side_validation = True


class NewerField:
    """A field the client's models predate."""

    def __init__(self, since, python_type, check, why):
        self.since = since
        self.python_type = python_type
        self.check = check  # (path, value) -> error message or None
        self.why = why


# (model, JSON field) -> NewerField. Keep this list short and exact.
NEWER_FIELDS = {
    ("V1Container", "restartPolicy"): NewerField(
        since="1.28 (alpha; beta and on by default in 1.29)",
        python_type=str,
        why="native sidecar containers (KEP-753): an init container that keeps running",
        check=lambda path, value: None
        if ".initContainers[" in path and value == "Always"
        else "restartPolicy on a container is only 'Always', on an init container (a native sidecar)",
    ),
}

# Fields typed 'object' in the models that the API defines as IntOrString.
INT_OR_STRING = {
    ("V1HTTPGetAction", "port"),
    ("V1TCPSocketAction", "port"),
    ("V1ServicePort", "target_port"),
    ("V1RollingUpdateDeployment", "max_surge"),
    ("V1RollingUpdateDeployment", "max_unavailable"),
    ("V1RollingUpdateStatefulSetStrategy", "max_unavailable"),
    ("V1PodDisruptionBudgetSpec", "max_unavailable"),
    ("V1PodDisruptionBudgetSpec", "min_available"),
    ("V1NetworkPolicyPort", "port"),
}

# Fields the models type as str (or dict of str) that the API defines as
# resource.Quantity: a number or a string such as "500m" or "10Gi".
QUANTITY_FIELDS = {
    ("V1ResourceRequirements", "limits"),
    ("V1ResourceRequirements", "requests"),
    ("V1EmptyDirVolumeSource", "size_limit"),
}
_QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$")

_PRIMITIVES = {"str": str, "int": int, "bool": bool, "datetime": str, "date": str}


def _type_name(value):
    return type(value).__name__ if value is not None else "null"


def check_value(type_name, value, path, errors, field=None):
    if value is None:
        errors.append(f"{path}: null where {type_name} is expected")
        return
    if field in QUANTITY_FIELDS:
        values = value.items() if type_name.startswith("dict(") else [(None, value)]
        if type_name.startswith("dict(") and not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping of quantities, got {_type_name(value)}")
            return
        for key, q in values:
            at = f"{path}.{key}" if key is not None else path
            if isinstance(q, bool) or not isinstance(q, (str, int, float)) or not _QUANTITY.match(str(q)):
                errors.append(f"{at}: {q!r} is not a Kubernetes quantity (e.g. 500m, 128Mi, 2)")
        return
    m = re.fullmatch(r"list\[(.+)\]", type_name)
    if m:
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list ({type_name}), got {_type_name(value)}")
            return
        for i, item in enumerate(value):
            check_value(m.group(1), item, f"{path}[{i}]", errors)
        return
    m = re.fullmatch(r"dict\((\w+), (.+)\)", type_name)
    if m:
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping ({type_name}), got {_type_name(value)}")
            return
        for key, item in value.items():
            if not isinstance(key, str):
                errors.append(f"{path}: key {key!r} is not a string")
            check_value(m.group(2), item, f"{path}.{key}", errors)
        return
    if type_name == "object":
        if field in INT_OR_STRING and (isinstance(value, bool) or not isinstance(value, (int, str))):
            errors.append(f"{path}: expected an int or a string, got {_type_name(value)}")
        return
    if type_name == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected a number, got {_type_name(value)}")
        return
    if type_name in _PRIMITIVES:
        expected = _PRIMITIVES[type_name]
        # bool is an int in Python, not in Kubernetes.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            errors.append(f"{path}: expected {type_name}, got {_type_name(value)} {value!r}")
        return
    check_model(type_name, value, path, errors)


def check_model(model_name, obj, path, errors):
    model = getattr(k8s, model_name, None)
    if model is None:
        errors.append(f"{path}: the client has no model {model_name}")
        return
    if not isinstance(obj, dict):
        errors.append(f"{path}: expected a mapping ({model_name}), got {_type_name(obj)}")
        return
    by_json = {json_name: attr for attr, json_name in model.attribute_map.items()}
    present = {}
    for key, value in obj.items():
        at = f"{path}.{key}"
        attr = by_json.get(key)
        if attr is None:
            newer = NEWER_FIELDS.get((model_name, key))
            if newer is None:
                errors.append(f"{at}: unknown field (not in {model_name})")
            elif not isinstance(value, newer.python_type):
                errors.append(f"{at}: expected {newer.python_type.__name__}, got {_type_name(value)}")
            elif (problem := newer.check(at, value)) is not None:
                errors.append(f"{at}: {problem}")
            continue
        check_value(model.openapi_types[attr], value, at, errors, field=(model_name, attr))
        present[attr] = value
    try:
        model(local_vars_configuration=_CONFIG, **present)
    except ValueError as e:
        errors.append(f"{path}: {model_name}: {e}")


# --- custom resources

_DURATION = re.compile(r"^(0|(\d+(ms|s|m|h|d|w|y))+)$")


def _check_servicemonitor(doc, errors):
    """The fields of monitoring.coreos.com/v1 ServiceMonitor the chart uses,
    with the operator's CRD types: unknown fields and wrong types fail."""

    def mapping(value, path, fields):
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping, got {_type_name(value)}")
            return
        for key, item in value.items():
            if key not in fields:
                errors.append(f"{path}.{key}: unknown field (this check knows {sorted(fields)})")
            else:
                fields[key](item, f"{path}.{key}")

    def string(value, path):
        if not isinstance(value, str):
            errors.append(f"{path}: expected str, got {_type_name(value)}")

    def duration(value, path):
        if not isinstance(value, str) or not _DURATION.match(value):
            errors.append(f"{path}: {value!r} is not a Prometheus duration (e.g. 30s)")

    def string_map(value, path):
        check_value("dict(str, str)", value, path, errors)

    def string_list(value, path):
        check_value("list[str]", value, path, errors)

    def list_of(fields):
        def check(value, path):
            if not isinstance(value, list):
                errors.append(f"{path}: expected a list, got {_type_name(value)}")
                return
            for i, item in enumerate(value):
                mapping(item, f"{path}[{i}]", fields)
        return check

    relabel = list_of({
        "sourceLabels": string_list, "separator": string, "targetLabel": string,
        "regex": string, "replacement": string, "action": string,
        "modulus": lambda v, p: check_value("int", v, p, errors),
    })
    endpoint = {
        "port": string, "path": string, "scheme": string, "interval": duration,
        "scrapeTimeout": duration, "honorLabels": lambda v, p: check_value("bool", v, p, errors),
        "relabelings": relabel, "metricRelabelings": relabel,
    }
    spec = {
        "selector": lambda v, p: check_model("V1LabelSelector", v, p, errors),
        "namespaceSelector": lambda v, p: mapping(v, p, {
            "any": lambda v2, p2: check_value("bool", v2, p2, errors),
            "matchNames": string_list}),
        "endpoints": list_of(endpoint),
        "jobLabel": string,
        "targetLabels": string_list,
    }
    mapping(doc, "", {
        "apiVersion": string, "kind": string,
        "metadata": lambda v, p: check_model("V1ObjectMeta", v, p, errors),
        "spec": lambda v, p: mapping(v, p, spec),
    })
    if not isinstance(doc.get("spec"), dict) or "selector" not in doc["spec"] or not doc["spec"].get("endpoints"):
        errors.append(".spec: selector and at least one endpoint are required")
    for i, ep in enumerate((doc.get("spec") or {}).get("endpoints") or []):
        if isinstance(ep, dict) and "port" not in ep:
            errors.append(f".spec.endpoints[{i}]: port is required (the Service port's name)")


CUSTOM_SCHEMAS = {("monitoring.coreos.com/v1", "ServiceMonitor"): _check_servicemonitor}


def model_for(api_version, kind):
    """kubernetes.client's model name for apiVersion/kind: V1Deployment for
    apps/v1 Deployment, V1ConfigMap for v1 ConfigMap."""
    version = api_version.split("/")[-1]
    return version[0].upper() + version[1:] + kind


def validate(doc):
    """Returns the list of problems of one manifest (empty when valid)."""
    errors = []
    if not isinstance(doc, dict):
        return [f"a manifest must be a mapping, got {_type_name(doc)}"]
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return ["apiVersion and kind are required strings"]
    custom = CUSTOM_SCHEMAS.get((api_version, kind))
    if custom is not None:
        custom(doc, errors)
    else:
        name = model_for(api_version, kind)
        if getattr(k8s, name, None) is None:
            return [f"no API type for {api_version} {kind} (and no hand-written schema)"]
        check_model(name, doc, "", errors)
    metadata = doc.get("metadata") or {}
    if not metadata.get("name"):
        errors.append(".metadata.name is required")
    return errors
