"""deploy/k8s: every manifest parsed and cross-checked (roles, ports, probes, Services and Ingress routes against the
pods, environment variables the server or the CLI reads, Secret keys, the ConfigMap copies of deploy's files), and
validated against the Kubernetes schemas (kubernetes-validate)."""

from __future__ import annotations

import re

import pytest
import yaml

from deploy_files import (CLI_ENV, DEPLOY, K8S, PLACEHOLDER_ROLES, SERVER_ENV, check_server_command, flag_value,
                          redis_url, redis_url_user)


def _manifests() -> list[tuple[str, dict]]:
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                documents.append((path.name, document))
    return documents


def _labels_match(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def _containers(workload: dict) -> list[dict]:
    spec = workload["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec.get("containers", [])


def _check_env(expect, where: str, container: dict, readable: set[str], config_maps: dict[str, dict]):
    names = [item["name"] for item in container.get("env", [])]
    for index, item in enumerate(container.get("env", [])):
        for reference in re.findall(r"\$\(([A-Z_]+)\)", item.get("value", "")):
            expect(reference in names[:index], f"{where}: {item['name']} uses $({reference}) before it is defined")
    referenced = {
        ref for item in container.get("env", []) for ref in re.findall(r"\$\(([A-Z_]+)\)", item.get("value", ""))
    }
    unknown = set(names) - readable - referenced
    expect(not unknown, f"{where} sets {sorted(unknown)}, which it never reads (and no other variable uses)")
    for source in container.get("envFrom", []):
        name = source.get("configMapRef", {}).get("name")
        expect(name in config_maps, f"{where} loads ConfigMap {name}, which no manifest defines")
        unknown = set(config_maps.get(name, {}).get("data", {})) - readable
        expect(not unknown, f"{where} loads {sorted(unknown)} from ConfigMap {name}, which it never reads")


def test_kubernetes_manifests(expect):
    documents = _manifests()
    by_kind: dict[str, list[dict]] = {}
    for _, document in documents:
        by_kind.setdefault(document.get("kind"), []).append(document)
    for kind, count in (
        ("Namespace", 1),
        ("ConfigMap", 2),
        ("Secret", 1),
        ("StatefulSet", 1),
        ("Service", 3),
        ("Deployment", 2),
        ("PodDisruptionBudget", 2),
        ("Job", 1),
        ("Ingress", 1),
    ):
        expect(
            len(by_kind.get(kind, [])) >= count,
            f"deploy/k8s has {len(by_kind.get(kind, []))} {kind}, expected {count}+",
        )

    kustomization = next((d for _, d in documents if d.get("kind") == "Kustomization"), {})
    listed = set(kustomization.get("resources", []))
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    expect(
        listed == files - {"secret.example.yaml"},
        f"kustomization.yaml lists {sorted(listed)}; it should list every manifest but the Secret template "
        f"({sorted(files)})",
    )

    secret = by_kind["Secret"][0]
    expect(
        all(str(value).startswith("change-me") for value in secret.get("stringData", {}).values())
        and not secret.get("data"),
        "the Secret template must hold change-me placeholders only",
    )
    secret_keys = set(secret.get("stringData", {}))
    config_maps = {d["metadata"]["name"]: d for d in by_kind["ConfigMap"]}
    workloads = by_kind["Deployment"] + by_kind["StatefulSet"] + by_kind["Job"]
    for workload in workloads:
        for container in _containers(workload):
            for item in container.get("env", []):
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    expect(
                        ref.get("name") == secret["metadata"]["name"] and ref.get("key") in secret_keys,
                        f"{workload['metadata']['name']} reads secret key {ref} that the template does not define",
                    )
    namespaces = {
        d["metadata"].get("namespace") for _, d in documents if d.get("kind") not in ("Namespace", "Kustomization")
    }
    expect(namespaces == {by_kind["Namespace"][0]["metadata"]["name"]}, f"manifests use namespaces {namespaces}")

    redis_config = config_maps.get("maestro-redis", {}).get("data", {})
    for key, path in (
        ("maestro.conf", "redis/maestro.conf"),
        ("users.acl", "users.acl"),
        ("render-acl.sh", "redis/render-acl.sh"),
    ):
        expect(
            redis_config.get(key) == (DEPLOY / path).read_text(),
            f"ConfigMap maestro-redis's {key} differs from deploy/{path}: paste the file into configmap.yaml again",
        )

    services = {d["metadata"]["name"]: d for d in by_kind["Service"]}
    redis_service = next((s for s in services.values() if any(p.get("port") == 6379 for p in s["spec"]["ports"])), None)
    expect(redis_service is not None, "no Service exposes Redis on 6379")
    roles = {}
    for deployment in by_kind["Deployment"]:
        name = deployment["metadata"]["name"]
        template = deployment["spec"]["template"]
        expect(
            _labels_match(deployment["spec"]["selector"]["matchLabels"], template["metadata"]["labels"]),
            f"Deployment {name}'s selector does not match its pod labels",
        )
        container = template["spec"]["containers"][0]
        command = container.get("command", []) + container.get("args", [])
        role = flag_value(command, "--role")
        roles[role] = deployment
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        expect(role in ("api", "relay"), f"Deployment {name} must run --role api or --role relay: {command}")
        check_server_command(expect, f"Deployment {name}", command, role, ports.get("http"))
        expect(flag_value(command, "--host") == "0.0.0.0", f"Deployment {name} must listen on 0.0.0.0")
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = container.get(probe, {}).get("httpGet", {})
            expect(get.get("path") == path, f"Deployment {name}'s {probe} must GET {path}, gets {get.get('path')}")
            expect(
                get.get("port") in ports or get.get("port") in ports.values(),
                f"Deployment {name}'s {probe} port {get.get('port')} is not one of its container ports {ports}",
            )
        resources = container.get("resources", {})
        expect(
            {"cpu", "memory"} <= set(resources.get("requests", {})) and "memory" in resources.get("limits", {}),
            f"Deployment {name} must request cpu and memory and limit memory: {resources}",
        )
        security = {**template["spec"].get("securityContext", {}), **container.get("securityContext", {})}
        expect(
            security.get("runAsNonRoot") is True and security.get("runAsUser", 0) != 0,
            f"Deployment {name} must run as a non-root user: {security}",
        )
        _check_env(expect, f"Deployment {name}", container, SERVER_ENV, config_maps)
        url = next(
            (item.get("value", "") for item in container.get("env", []) if item["name"] == "MAESTRO_REDIS_URL"), ""
        )
        wanted_user = {"api": "maestro-server", "relay": "maestro-relay"}.get(role)
        expect(
            redis_url_user(url) == wanted_user,
            f"Deployment {name} logs in to Redis as {redis_url_user(url)}, not {wanted_user}",
        )
        expect(
            redis_service and redis_url(url).hostname == redis_service["metadata"]["name"] and redis_url(url).port == 6379,
            f"Deployment {name}'s MAESTRO_REDIS_URL {url} does not name the Redis Service",
        )
        expect(
            "MAESTRO_USER_TOKEN" in {item["name"] for item in container.get("env", [])},
            f"Deployment {name} lacks MAESTRO_USER_TOKEN (api and relays must share it)",
        )
        pdbs = [
            p
            for p in by_kind["PodDisruptionBudget"]
            if _labels_match(p["spec"]["selector"]["matchLabels"], template["metadata"]["labels"])
        ]
        expect(
            len(pdbs) == 1 and pdbs[0]["spec"].get("minAvailable", 0) < deployment["spec"]["replicas"],
            f"Deployment {name} needs one PodDisruptionBudget with minAvailable below its "
            f"{deployment['spec']['replicas']} replicas",
        )
    expect(
        set(roles) == {"api", "relay"}, f"the Deployments run roles {sorted(map(str, roles))}, expected api and relay"
    )

    workload_pods = [
        (w["metadata"]["name"], w["spec"]["template"]) for w in by_kind["Deployment"] + by_kind["StatefulSet"]
    ]
    service_roles = {}
    for name, service in services.items():
        matches = [
            (workload, template)
            for workload, template in workload_pods
            if _labels_match(service["spec"].get("selector", {}), template["metadata"]["labels"])
        ]
        expect(len(matches) == 1, f"Service {name} selects {[m[0] for m in matches]}, expected exactly one workload")
        if len(matches) != 1:
            continue
        ports = {
            p.get("name"): p["containerPort"] for c in matches[0][1]["spec"]["containers"] for p in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            expect(
                target in ports or target in ports.values(),
                f"Service {name} targets port {target}; the pods have {ports}",
            )
        for role, deployment in roles.items():
            if deployment["metadata"]["name"] == matches[0][0]:
                service_roles[role] = name
    relay_service = services.get(service_roles.get("relay"), {})
    expect(
        relay_service.get("spec", {}).get("sessionAffinity", "None") == "None",
        "the relay Service must not use session affinity (clients resume on any relay)",
    )

    routes = {}
    for ingress in by_kind["Ingress"]:
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = services.get(backend["name"])
                expect(
                    service is not None,
                    f"Ingress {ingress['metadata']['name']} routes {path['path']} to missing Service {backend['name']}",
                )
                port = backend["port"].get("name", backend["port"].get("number"))
                expect(
                    service and any(port in (p.get("name"), p["port"]) for p in service["spec"]["ports"]),
                    f"Ingress routes {path['path']} to port {port}, which Service {backend['name']} does not have",
                )
                routes[path["path"]] = backend["name"]
    for path, role in (("/", "api"), ("/ws", "relay"), ("/events", "relay")):
        expect(
            routes.get(path) == service_roles.get(role),
            f"the Ingress must send {path} to the {role} Service ({service_roles.get(role)}), "
            f"sends it to {routes.get(path)}",
        )

    job = by_kind["Job"][0]
    container = job["spec"]["template"]["spec"]["containers"][0]
    expect(
        container.get("command") == ["maestro", "setup"], f"the Job runs {container.get('command')}, not maestro setup"
    )
    _check_env(expect, "the setup Job", container, CLI_ENV, config_maps)
    url = next((item.get("value", "") for item in container.get("env", []) if item["name"] == "MAESTRO_REDIS_URL"), "")
    expect(redis_url_user(url) == "maestro-admin", f"the setup Job logs in as {redis_url_user(url)}, not maestro-admin")

    statefulset = by_kind["StatefulSet"][0]
    redis = statefulset["spec"]["template"]["spec"]["containers"][0]
    init = statefulset["spec"]["template"]["spec"].get("initContainers", [{}])[0]
    rendered = init.get("command", [])[-1:]
    expect(
        rendered and flag_value(redis.get("command", []), "--aclfile") == rendered[0],
        f"Redis must load the ACL its init container renders ({rendered}), "
        f"loads {flag_value(redis.get('command', []), '--aclfile')}",
    )
    init_env = {item["name"] for item in init.get("env", [])}
    expect(
        {f"REDIS_{role.upper()}_PASSWORD" for role in PLACEHOLDER_ROLES} <= init_env,
        f"the render-acl init container lacks passwords: has {sorted(init_env)}",
    )
    expect(
        redis.get("readinessProbe") and redis.get("livenessProbe"),
        "the Redis container needs readiness and liveness probes",
    )


def test_kubernetes_manifests_match_the_kubernetes_schemas(expect):
    try:
        import kubernetes_validate
    except ImportError as error:
        pytest.skip(f"kubernetes-validate is not installed (pip install kubernetes-validate): {error}")
    version = "1.30.0"  # the oldest Kubernetes these manifests are written for
    try:
        kubernetes_validate.validate({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "probe"}}, version)
    except kubernetes_validate.SchemaNotFoundError:
        version = kubernetes_validate.latest_version()  # a newer kubernetes-validate that dropped 1.30's schemas
    for name, document in _manifests():
        if document.get("kind") == "Kustomization":
            continue
        try:
            kubernetes_validate.validate(document, version, strict=True)
            problem = None
        except kubernetes_validate.ValidationError as error:
            problem = str(error).splitlines()[0]
        expect(
            problem is None,
            f"{name}: {document.get('kind')} {document['metadata'].get('name')} is not valid "
            f"Kubernetes {version}: {problem}",
        )
