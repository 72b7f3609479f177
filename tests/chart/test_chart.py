"""The Helm chart (charts/kafka-sidecar), rendered the way Helm renders it.

For the default values and each value set in values/: every manifest parses
as YAML, passes yamllint, validates against the Kubernetes API types, the
pieces refer to each other correctly, and the sidecar's config passes
`kafka-sidecar check-config` with the environment the pod gives it. Then
the properties each value set is there for. BrokenValues shows that each
kind of mistake makes the render or a check fail.

Run by ctest (tests/chart/CMakeLists.txt), one class or test per ctest
test: `test_chart.py ValueSets.test_emptydir`.
"""
import re
import sys
import tempfile
import unittest
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_checks as cc  # noqa: E402

SIDECAR = "kafka-sidecar"


def write_values(tmp, text):
    path = Path(tmp) / f"values-{abs(hash(text))}.yaml"
    path.write_text(text)
    return path


class ChartTest(unittest.TestCase):
    maxDiff = None

    def check_all(self, values_files=(), existing_secrets=(), kube_version=None, existing_claims=()):
        """The checks every valid value set passes; returns the render."""
        rendered = cc.render(values_files, kube_version)
        self.assertEqual(cc.yamllint(rendered.stream), [], "yamllint")
        self.assertEqual(cc.api_problems(rendered), [], "Kubernetes API types")
        self.assertEqual(cc.reference_problems(rendered, existing_secrets, existing_claims), [],
                         "references")
        self.check_sidecar(rendered)
        config_text = cc.sidecar_config(rendered)
        env = cc.sidecar_environment(rendered)
        # Every ${VAR} without a default is given by the pod.
        for var in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", config_text):
            self.assertIn(var, env, f"${{{var}}} in the config, not in the sidecar's env")
        result = cc.check_config(config_text, env)
        self.assertEqual(result.returncode, 0,
                         f"check-config refused the rendered config:\n{result.stdout}{result.stderr}")
        self.assertIn(": valid.", result.stdout)
        return rendered

    def check_sidecar(self, rendered, from_chart=True):
        """What the chart promises about the sidecar in every value set
        (and the by-hand snippet follows, but for the chart's own names)."""
        container = cc.sidecar_container(rendered, SIDECAR)
        config = yaml.safe_load(cc.sidecar_config(rendered))
        admin_port = config["admin"]["port"]
        self.assertEqual(config["admin"]["address"], "0.0.0.0")
        self.assertEqual(config["listener"]["address"], "127.0.0.1")
        self.assertEqual(container["args"], ["run", "--config", "/etc/kafka-sidecar/config.yaml"])
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        self.assertEqual(ports["admin"], admin_port)
        for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"),
                            ("readinessProbe", "/readyz")):
            self.assertEqual(container[probe]["httpGet"], {"path": path, "port": "admin"}, probe)
        security = container["securityContext"]
        self.assertIs(security["runAsNonRoot"], True)
        self.assertIs(security["readOnlyRootFilesystem"], True)
        self.assertIs(security["allowPrivilegeEscalation"], False)
        self.assertEqual(security["capabilities"]["drop"], ["ALL"])
        self.assertTrue(container["resources"]["requests"] and container["resources"]["limits"])
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        self.assertTrue(mounts["/etc/kafka-sidecar"]["readOnly"])
        self.assertFalse(mounts[config["buffer"]["dir"]].get("readOnly", False))
        pod = rendered.workload()["spec"]["template"]["spec"]
        delay = 0
        pre_stop = (container.get("lifecycle") or {}).get("preStop")
        if pre_stop:
            delay = int(pre_stop["exec"]["command"][1])
        # SIGTERM drain (10 s) plus a margin, after any preStop wait.
        self.assertGreaterEqual(pod["terminationGracePeriodSeconds"], delay + 15)
        if not from_chart:
            return
        self.assertEqual(mounts[config["buffer"]["dir"]]["name"], "buffer")
        self.assertIn("checksum/config", rendered.workload()["spec"]["template"]["metadata"]["annotations"])
        metrics = [m.obj for m in rendered.of_kind("Service") if m.name.endswith("-metrics")]
        self.assertEqual(len(metrics), 1)
        self.assertEqual([(p["name"], p["targetPort"]) for p in metrics[0]["spec"]["ports"]],
                         [("metrics", "admin")])

    def assert_render_fails(self, values_text, message, kube_version=None):
        with tempfile.TemporaryDirectory() as tmp:
            result = cc.run_render([write_values(tmp, values_text)], kube_version)
        self.assertNotEqual(result.returncode, 0, f"rendered although broken:\n{values_text}")
        self.assertIn(message, result.stderr)
        self.assertEqual(result.stdout, "")
        return result.stderr


class ValueSets(ChartTest):
    def test_default(self):
        r = self.check_all()
        workload = r.workload()
        self.assertEqual(workload["kind"], "Deployment")
        self.assertEqual(workload["spec"]["strategy"], {"type": "Recreate"})
        pod = workload["spec"]["template"]["spec"]
        # No app: the sidecar alone, as a plain container.
        self.assertEqual([c["name"] for c in pod["containers"]], [SIDECAR])
        self.assertNotIn("initContainers", pod)
        claim = r.one("PersistentVolumeClaim")
        self.assertEqual(claim["spec"]["resources"]["requests"]["storage"], "10Gi")
        self.assertEqual(claim["metadata"]["annotations"]["helm.sh/resource-policy"], "keep")
        self.assertEqual(r.of_kind("Secret"), [])
        self.assertEqual(r.of_kind("ServiceMonitor"), [])
        self.assertEqual([m.kind for m in r.manifests],
                         ["ConfigMap", "PersistentVolumeClaim", "Service", "Deployment"])

    def test_native_statefulset(self):
        r = self.check_all([cc.VALUES / "native-statefulset.yaml"])
        workload = r.workload()
        self.assertEqual(workload["kind"], "StatefulSet")
        self.assertEqual(workload["spec"]["replicas"], 3)
        pod = workload["spec"]["template"]["spec"]
        sidecar = pod["initContainers"][0]
        self.assertEqual(sidecar["name"], SIDECAR)
        self.assertEqual(sidecar["restartPolicy"], "Always")
        self.assertNotIn("lifecycle", sidecar, "a native sidecar is stopped after the app")
        self.assertEqual([c["name"] for c in pod["containers"]], ["app"])
        app = pod["containers"][0]
        self.assertEqual(app["image"], "registry.example.com/shop/orders:1.4.2")
        self.assertIn({"name": "KAFKA_BOOTSTRAP_SERVERS", "value": "localhost:9092"}, app["env"])
        self.assertEqual(sidecar["image"], "registry.example.com/platform/kafka-sidecar:0.1.0")
        (template,) = workload["spec"]["volumeClaimTemplates"]
        self.assertEqual(template["metadata"]["name"], "buffer")
        self.assertEqual(template["spec"]["resources"]["requests"]["storage"], "20Gi")
        self.assertEqual(template["spec"]["storageClassName"], "fast-ssd")
        self.assertNotIn("buffer", {v["name"] for v in pod["volumes"]})
        self.assertEqual(r.of_kind("PersistentVolumeClaim"), [])
        config = yaml.safe_load(cc.sidecar_config(r))
        self.assertEqual(config["topics"], {"orders": {"partitions": 6}})
        self.assertNotIn("groups", config, "an empty groups list is left out (check-config refuses it)")

    def test_native_sidecar_at_exactly_1_29(self):
        self.check_all([cc.VALUES / "native-statefulset.yaml"], kube_version="v1.29.0")

    def test_plain_deployment_pvc(self):
        r = self.check_all([cc.VALUES / "plain-deployment-pvc.yaml"], kube_version="v1.27.3")
        workload = r.workload()
        self.assertEqual(workload["kind"], "Deployment")
        self.assertEqual(workload["spec"]["strategy"], {"type": "Recreate"})
        pod = workload["spec"]["template"]["spec"]
        self.assertNotIn("initContainers", pod)
        self.assertEqual([c["name"] for c in pod["containers"]], ["app", SIDECAR])
        sidecar = pod["containers"][1]
        self.assertNotIn("restartPolicy", sidecar)
        self.assertEqual(sidecar["lifecycle"]["preStop"]["exec"]["command"], ["sleep", "10"])
        self.assertEqual(pod["terminationGracePeriodSeconds"], 30)
        self.assertIn({"name": "BOOTSTRAP", "value": "localhost:9092"}, pod["containers"][0]["env"])
        claim = r.one("PersistentVolumeClaim")
        self.assertEqual(claim["spec"]["storageClassName"], "")
        self.assertNotIn("annotations", claim["metadata"])
        volumes = {v["name"]: v for v in pod["volumes"]}
        self.assertEqual(volumes["buffer"]["persistentVolumeClaim"]["claimName"], claim["metadata"]["name"])
        # ${KAFKA_BOOTSTRAP} in the config comes from sidecar.env.
        self.assertIn("${KAFKA_BOOTSTRAP}", cc.sidecar_config(r))
        described = cc.check_config(cc.sidecar_config(r), cc.sidecar_environment(r)).stdout
        self.assertIn("kafka.kafka.svc:9092", described)

    def test_existing_claim_and_probe_defaults_dropped(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = self.check_all([write_values(tmp, "persistence: {existingClaim: orders-buffer}\n"
                                                  "sidecar: {startupProbe: null}\n")],
                               existing_claims=["orders-buffer"])
        self.assertEqual(r.of_kind("PersistentVolumeClaim"), [])
        pod = r.workload()["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        self.assertEqual(volumes["buffer"]["persistentVolumeClaim"], {"claimName": "orders-buffer"})
        # null removes the chart's timing; the probe itself stays.
        self.assertEqual(cc.sidecar_container(r)["startupProbe"],
                         {"httpGet": {"path": "/healthz", "port": "admin"}})

    def test_statefulset_emptydir(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = self.check_all([write_values(tmp, "workload: {kind: StatefulSet, replicas: 2}\n"
                                                  "persistence: {type: emptyDir}\n")])
        workload = r.workload()
        self.assertNotIn("volumeClaimTemplates", workload["spec"])
        volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(volumes["buffer"]["emptyDir"], {})

    def test_emptydir(self):
        r = self.check_all([cc.VALUES / "emptydir.yaml"])
        workload = r.workload()
        self.assertEqual(workload["kind"], "Deployment")
        self.assertEqual(workload["spec"]["replicas"], 2)
        self.assertNotIn("strategy", workload["spec"])
        volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(volumes["buffer"], {"name": "buffer", "emptyDir": {"sizeLimit": "2Gi"}})
        self.assertEqual(r.of_kind("PersistentVolumeClaim"), [])
        # The warning travels with the manifest.
        self.assertIn("WARNING: an emptyDir dies with the pod", r.stream)

    def test_emptydir_without_limits(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = self.check_all([cc.VALUES / "emptydir.yaml",
                                write_values(tmp, "persistence: {emptyDir: {sizeLimit: ''}}\n")])
        volumes = {v["name"]: v for v in r.workload()["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(volumes["buffer"]["emptyDir"], {})

    def test_sasl_multi_cluster(self):
        values = cc.VALUES / "sasl-multi-cluster.yaml"
        r = self.check_all([values])
        passwords = yaml.safe_load(values.read_text())["sasl"]["passwords"]
        secret = r.one("Secret")
        self.assertEqual(set(secret["data"]), {"main", "payments.eu-1"})
        configmap_text = next(m.text for m in r.manifests if m.kind == "ConfigMap")
        for password in passwords.values():
            self.assertNotIn(password, configmap_text)
            self.assertNotIn(password, r.stream, "a password in clear anywhere in the manifests")
        config = yaml.safe_load(cc.sidecar_config(r))
        self.assertEqual(config["clusters"]["main"]["sasl"]["password"], "${KS_SASL_PASSWORD_MAIN}")
        self.assertEqual(config["clusters"]["payments.eu-1"]["sasl"]["password"],
                         "${KS_SASL_PASSWORD_PAYMENTS_EU_1}")
        self.assertEqual(config["routes"], [
            {"topics": "payments.*", "cluster": "payments.eu-1"},
            {"topics": "*", "cluster": "main", "rename": "shop.{topic}"},
        ])
        self.assertEqual(config["groups"], [{"groups": "billing-*", "cluster": "payments.eu-1"}])
        sidecar = cc.sidecar_container(r, SIDECAR)
        refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in sidecar["env"] if "valueFrom" in e}
        self.assertEqual(refs, {
            "KS_SASL_PASSWORD_MAIN": {"name": secret["metadata"]["name"], "key": "main"},
            "KS_SASL_PASSWORD_PAYMENTS_EU_1": {"name": secret["metadata"]["name"], "key": "payments.eu-1"},
        })
        # The pod gives the sidecar the passwords (decoded from the Secret):
        # check-config accepts them and never prints them.
        env = cc.sidecar_environment(r)
        self.assertEqual(env["KS_SASL_PASSWORD_PAYMENTS_EU_1"], passwords["payments.eu-1"])
        described = cc.check_config(cc.sidecar_config(r), env).stdout
        self.assertIn("shop.{topic}", described)
        for password in passwords.values():
            self.assertNotIn(password, described)
        mounts = {m["name"]: m for m in sidecar["volumeMounts"]}
        self.assertEqual(mounts["tls"]["mountPath"], "/etc/kafka-sidecar-tls")
        monitor = r.one("ServiceMonitor")
        self.assertEqual(monitor["metadata"]["labels"]["release"], "prometheus")
        self.assertEqual(monitor["spec"]["endpoints"][0]["port"], "metrics")
        self.assertEqual(monitor["spec"]["endpoints"][0]["interval"], "15s")
        annotations = r.workload()["spec"]["template"]["metadata"]["annotations"]
        self.assertIn("checksum/sasl", annotations)

    def test_sasl_existing_secret(self):
        with tempfile.TemporaryDirectory() as tmp:
            override = write_values(tmp, "sasl: {existingSecret: kafka-credentials, passwords: null}\n")
            r = self.check_all([cc.VALUES / "sasl-multi-cluster.yaml", override],
                               existing_secrets=["kafka-credentials"])
        self.assertEqual(r.of_kind("Secret"), [])
        sidecar = cc.sidecar_container(r, SIDECAR)
        names = {e["valueFrom"]["secretKeyRef"]["name"] for e in sidecar["env"] if "valueFrom" in e}
        self.assertEqual(names, {"kafka-credentials"})
        self.assertNotIn("checksum/sasl", r.workload()["spec"]["template"]["metadata"]["annotations"])


class ExistingDeploymentSnippet(ChartTest):
    """charts/kafka-sidecar/examples/existing-deployment-snippet.yaml, the
    by-hand recipe, passes the same checks as the chart's output."""

    def test_snippet(self):
        path = cc.CHART / "examples" / "existing-deployment-snippet.yaml"
        text = path.read_text()
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        rendered = cc.Rendered(text, [cc.Manifest(path.name, "", d) for d in docs])
        self.assertEqual([m.kind for m in rendered.manifests],
                         ["ConfigMap", "PersistentVolumeClaim", "Deployment"])
        self.assertEqual(cc.yamllint(text), [], "yamllint")
        self.assertEqual(cc.api_problems(rendered), [], "Kubernetes API types")
        self.assertEqual(cc.reference_problems(rendered), [], "references")
        self.check_sidecar(rendered, from_chart=False)
        result = cc.check_config(cc.sidecar_config(rendered), {})
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class BrokenValues(ChartTest):
    """Each kind of mistake fails somewhere: the render (Helm's own failure,
    with a message naming the value), the API types, the references, or
    check-config. Without these, the checks above could pass vacuously."""

    def render_with(self, values_text, base=()):
        with tempfile.TemporaryDirectory() as tmp:
            return cc.render(list(base) + [write_values(tmp, values_text)])

    def test_wrong_type_fails_api_validation(self):
        r = self.render_with(
            "app: {enabled: true, image: {repository: shop/orders}, ports: [{containerPort: '8080'}]}\n")
        problems = cc.api_problems(r)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("containers[0].ports[0].containerPort: expected int, got str '8080'", problems[0])

    def test_unknown_field_fails_api_validation(self):
        problems = cc.api_problems(self.render_with("sidecar: {securityContext: {runAsUsr: 1000}}\n"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("securityContext.runAsUsr: unknown field (not in V1SecurityContext)", problems[0])

    def test_missing_required_field_fails_api_validation(self):
        problems = cc.api_problems(self.render_with("workload: {extraVolumes: [{emptyDir: {}}]}\n"))
        self.assertTrue(any("Invalid value for `name`, must not be `None`" in p for p in problems), problems)

    def test_bad_quantity_fails_api_validation(self):
        problems = cc.api_problems(self.render_with("sidecar: {resources: {limits: {memory: lots}}}\n"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("limits.memory: 'lots' is not a Kubernetes quantity", problems[0])

    def test_restart_policy_only_on_init_containers(self):
        problems = cc.api_problems(self.render_with(
            "app: {enabled: true, image: {repository: shop/orders}}\n"
            "workload: {initContainers: [{name: migrate, image: shop/migrate, restartPolicy: OnFailure}]}\n"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("initContainers[1].restartPolicy", problems[0])

    def test_dangling_volume_mount_fails_references(self):
        r = self.render_with("sidecar: {extraVolumeMounts: [{name: certs, mountPath: /certs}]}\n")
        self.assertEqual(cc.api_problems(r), [])
        problems = cc.reference_problems(r)
        self.assertEqual(problems, ["container kafka-sidecar: volumeMount certs has no volume"])

    def test_missing_app_image_fails_render(self):
        self.assert_render_fails("app: {enabled: true}\n",
                                 "app.image.repository is required when app.enabled is true")

    def test_missing_sasl_password_fails_render(self):
        self.assert_render_fails(
            "config: {clusters: [{name: main, bootstrap: ['k:9092'],"
            " sasl: {mechanism: PLAIN, username: u}}]}\n",
            "sasl.passwords.main is required")

    def test_password_in_values_fails_render(self):
        stderr = self.assert_render_fails(
            "config: {clusters: [{name: main, bootstrap: ['k:9092'],"
            " sasl: {mechanism: PLAIN, username: u, password: hunter2}}]}\n",
            "sasl.password must not be in the values")
        self.assertNotIn("hunter2", stderr)

    def test_shared_buffer_fails_render(self):
        self.assert_render_fails("workload: {replicas: 2}\n",
                                 "two sidecars must never open the same buffer")

    def test_native_sidecar_before_1_29_fails_render(self):
        self.assert_render_fails("app: {enabled: true, image: {repository: shop/orders}}\n",
                                 "sidecar.native needs Kubernetes 1.29 or later", kube_version="v1.28.5")

    def test_kube_version_below_chart_minimum_fails_render(self):
        self.assert_render_fails("{}\n", "chart requires kubeVersion: >=1.23.0-0", kube_version="v1.22.0")

    def test_short_grace_period_fails_render(self):
        self.assert_render_fails("workload: {terminationGracePeriodSeconds: 12}\n",
                                 "give at least 20")

    def test_admin_on_loopback_fails_render(self):
        self.assert_render_fails("config: {admin: {address: 127.0.0.1}}\n", "is a loopback address")

    def test_small_volume_fails_render(self):
        self.assert_render_fails("persistence: {size: 5Gi}\n",
                                 "persistence.size 5Gi is smaller than what the buffer may hold")

    def test_existing_secret_and_passwords_fails_render(self):
        self.assert_render_fails("sasl: {existingSecret: creds, passwords: {main: x}}\n",
                                 "give sasl.existingSecret or sasl.passwords, not both")

    def test_buffer_dir_elsewhere_fails_render(self):
        self.assert_render_fails("config: {buffer: {dir: /data}}\n",
                                 "config.buffer.dir (/data) is set by the chart to persistence.mountPath")

    def test_unknown_workload_kind_fails_render(self):
        self.assert_render_fails("workload: {kind: DaemonSet}\n",
                                 "workload.kind must be Deployment or StatefulSet, not DaemonSet")

    def test_bad_sidecar_setting_fails_check_config(self):
        r = self.render_with("config: {buffer: {fsync: sometimes}}\n")
        result = cc.check_config(cc.sidecar_config(r), cc.sidecar_environment(r))
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("buffer.fsync", result.stdout + result.stderr)

    def test_unset_variable_fails_check_config(self):
        r = self.render_with("config: {clusters: [{name: main, bootstrap: ['${KAFKA_BOOTSTRAP}']}]}\n")
        result = cc.check_config(cc.sidecar_config(r), cc.sidecar_environment(r))
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("environment variable KAFKA_BOOTSTRAP is not set", result.stdout + result.stderr)

    def test_yamllint_catches_style_problems(self):
        stream = cc.render().stream
        broken = stream.replace("kind: ConfigMap\n", "kind: ConfigMap  \n", 1)
        problems = cc.yamllint(broken)
        self.assertTrue(any("trailing-spaces" in p for p in problems), problems)

    def test_unparsable_output_fails(self):
        with self.assertRaises(yaml.YAMLError):
            cc.parse_stream("---\n# Source: x/templates/a.yaml\nkind: [unclosed\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
