"""Deployment files, checked statically (no Docker engine or cluster runs here): the Kubernetes manifests against
Kubernetes' own schemas, and compose, the cluster script, the manifests and the image agreeing on ports, variable
names and health paths."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_validate import validate
from kubernetes_validate.utils import ValidationError as ManifestError

from connectors.registry import Registry
from gateway.config import load_config
from tests.conftest import ROOT

BASE = ROOT / "deploy" / "base"
K8S_VERSION = "1.30"


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
    compose_env = {name: "x" for name in config_variables(ROOT / "config" / "compose.yaml")}
    compose_env |= {"STACKONE_URL": "http://stackone-sandbox:9001", "BINDBEE_URL": "http://bindbee-sandbox:9002"}
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
