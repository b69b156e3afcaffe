#!/usr/bin/env python3
"""Checks the Kubernetes manifests under deploy/kubernetes against what cproc_exporter needs.

    validate_manifests.py [--promtool PATH] [--self-test] DEPLOY_KUBERNETES_DIR

Every YAML document must be a Kubernetes object (apiVersion, kind, metadata.name), except the
plain Prometheus config under scrape-config/, which is checked with `promtool check config`
and by evaluating its relabel rules on a synthetic exporter pod. The DaemonSet must give the
exporter exactly what it needs (host /proc and cgroup tree read-only, CAP_SYS_PTRACE as uid 0,
nothing else) and the Service, ServiceMonitor, PodMonitor, NetworkPolicy and kustomization
must point at it consistently.

A subdirectory holding its own kustomization.yaml is a kustomize Component (events/: the
process lifecycle events). Its patches (RFC 6902 JSON patches with a target, and `$patch:
delete`) are applied here to the base objects, and the result is checked like the base, with
what the process events connector needs instead: hostNetwork, CAP_SYS_PTRACE and NET_ADMIN,
the listen address on the node's IP (downward API status.hostIP), and no NetworkPolicy (it
cannot protect a hostNetwork pod). Where kubectl is installed, `kubectl kustomize` renders the
base with each component and must agree with that. Every problem is printed as
    FILE[#DOC] (Kind/name): field.path: what is wrong
and the exit status is 1 if there is any. Exit 77 (ctest skip) if PyYAML is missing.

--self-test mutates the real manifests in memory, one fault at a time (a writable /proc mount,
an extra capability, a probe on the wrong port, ...), and fails unless the validator reports
each fault at the expected field: the checks above must be able to fail.
"""

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("SKIPPED: python3 module 'yaml' not found (Debian package python3-yaml; "
          "scripts/install-deps installs it)")
    sys.exit(77)

NAME_LABEL = "app.kubernetes.io/name"
APP = "cproc-exporter"
SCRAPE_DIR = "scrape-config"
OPERATOR_KINDS = ("ServiceMonitor", "PodMonitor")
# The objects `kubectl apply -k` must create; the monitors need CRDs and stay optional.
CORE_KINDS = ("ServiceAccount", "ConfigMap", "DaemonSet", "Service", "NetworkPolicy")


class Doc:
    def __init__(self, path, index, count, body):
        self.path, self.index, self.count, self.body = path, index, count, body

    @property
    def kind(self):
        return self.body.get("kind") if isinstance(self.body, dict) else None

    @property
    def name(self):
        meta = self.body.get("metadata") if isinstance(self.body, dict) else None
        return meta.get("name") if isinstance(meta, dict) else None

    def where(self):
        suffix = f"#{self.index}" if self.count > 1 else ""
        return f"{self.path}{suffix} ({self.kind}/{self.name})"


class Report:
    def __init__(self):
        self.problems = []

    def add(self, where, field, message):
        self.problems.append(f"{where}: {field}: {message}")


def get(obj, dotted, default=None):
    """get(obj, "spec.template.spec") without KeyErrors; list indices as numbers."""
    cur = obj
    for part in dotted.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return default
        if cur is None:
            return default
    return cur


def selects(selector, labels):
    """Whether a matchLabels-style selector selects an object with `labels` (empty selects
    nothing here: an empty selector is always a mistake in these manifests)."""
    if not isinstance(selector, dict) or not selector:
        return False
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


def parse_quantity(text):
    """Kubernetes quantity -> float (cores or bytes)."""
    text = str(text)
    m = re.fullmatch(r"([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?", text)
    if not m:
        return None
    value = float(m.group(1))
    factor = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
              "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[m.group(2)]
    return value * factor


def arg_value(args, flag):
    """Value of --flag=value or --flag value in a container's args/command."""
    for i, a in enumerate(args):
        if a.startswith(f"--{flag}="):
            return a.split("=", 1)[1]
        if a == f"--{flag}" and i + 1 < len(args):
            return args[i + 1]
    return None


def norm_path(p):
    return os.path.normpath(p) if isinstance(p, str) and p else p


# ---------------------------------------------------------------------------------------------
# Loading


def component_dirs(root):
    """Subdirectories of root with a kustomization.yaml of their own: kustomize components."""
    return sorted(os.path.join(root, d) for d in os.listdir(root)
                  if d != SCRAPE_DIR and os.path.isfile(os.path.join(root, d, "kustomization.yaml")))


def load(root):
    """Kubernetes documents, Prometheus config files, load errors (as problems). The files of
    components (component_dirs) are not base objects and are left out."""
    docs, prom_files, problems = [], [], []
    skip = set(component_dirs(root))
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if os.path.join(dirpath, d) not in skip)
        for fn in sorted(filenames):
            if not fn.endswith((".yaml", ".yml")):
                continue
            full = os.path.join(dirpath, fn)
            rel = os.path.relpath(full, root)
            if rel.split(os.sep)[0] == SCRAPE_DIR:
                try:
                    with open(full, encoding="utf-8") as f:
                        prom_files.append((full, yaml.safe_load(f)))
                except yaml.YAMLError as e:
                    problems.append(f"{rel}: invalid YAML: {e}")
                continue
            try:
                with open(full, encoding="utf-8") as f:
                    bodies = [b for b in yaml.safe_load_all(f) if b is not None]
            except yaml.YAMLError as e:
                problems.append(f"{rel}: invalid YAML: {e}")
                continue
            for i, body in enumerate(bodies):
                docs.append(Doc(rel, i, len(bodies), body))
    return docs, prom_files, problems


# ---------------------------------------------------------------------------------------------
# Checks on the Kubernetes objects


def check_common(doc, r):
    if not isinstance(doc.body, dict):
        r.add(doc.where(), "(document)", "is not a mapping")
        return
    for field in ("apiVersion", "kind"):
        if not doc.body.get(field):
            r.add(doc.where(), field, "missing")
    if doc.kind == "Kustomization":
        return
    if not doc.name:
        r.add(doc.where(), "metadata.name", "missing")
    if doc.kind != "Namespace":
        label = get(doc.body, "metadata.labels", {}).get(NAME_LABEL)
        if label != APP:
            r.add(doc.where(), f"metadata.labels.{NAME_LABEL}", f"is {label!r}, want {APP!r}")


def one(docs, kind, r, required=True):
    found = [d for d in docs if d.kind == kind]
    if len(found) > 1:
        r.add(", ".join(d.where() for d in found), kind, f"{len(found)} objects, want one")
    if not found and required:
        r.add("deploy/kubernetes", kind, "no such object")
    return found[0] if found else None


def exporter_container(ds):
    containers = get(ds.body, "spec.template.spec.containers", [])
    for c in containers:
        if c.get("name") == APP:
            return c
    return containers[0] if containers else None


def container_port(container):
    """(name, number) of the metrics port."""
    ports = container.get("ports") or []
    for p in ports:
        if p.get("name") == "metrics":
            return p.get("name"), p.get("containerPort")
    return (ports[0].get("name"), ports[0].get("containerPort")) if ports else (None, None)


def port_matches(port, cport):
    name, number = cport
    return port is not None and (port == name or port == number or str(port) == str(number))


def check_daemonset(ds, docs, r, events=False):
    """events: the DaemonSet as the events component makes it (hostNetwork, NET_ADMIN, the
    listen address on the node's IP)."""
    w = ds.where()
    spec = get(ds.body, "spec.template.spec", {})
    pod_labels = get(ds.body, "spec.template.metadata.labels", {})
    if not selects(get(ds.body, "spec.selector.matchLabels"), pod_labels):
        r.add(w, "spec.selector.matchLabels", f"does not select the pod template labels {pod_labels}")
    if pod_labels.get(NAME_LABEL) != APP:
        r.add(w, f"spec.template.metadata.labels.{NAME_LABEL}", f"want {APP!r}")

    c = exporter_container(ds)
    if c is None:
        r.add(w, "spec.template.spec.containers", "no container")
        return
    cw = f"spec.template.spec.containers[{c.get('name')}]"
    args = list(c.get("command") or []) + list(c.get("args") or [])

    # Paths: the flags and the host mounts must agree.
    volumes = {v.get("name"): v for v in spec.get("volumes") or []}
    mounts = c.get("volumeMounts") or []

    def host_mount(host_paths, mount_paths):
        """The mount of a hostPath volume with path in host_paths at one of mount_paths."""
        for m in mounts:
            v = volumes.get(m.get("name"), {})
            hp = norm_path(get(v, "hostPath.path"))
            if hp in host_paths and norm_path(m.get("mountPath")) in mount_paths:
                return m
        return None

    procfs = arg_value(args, "path.procfs")
    if procfs != "/host/proc":
        r.add(w, f"{cw}.args", f"--path.procfs is {procfs!r}, want '/host/proc'")
    host_pid = spec.get("hostPID") is True
    proc_mount = host_mount({"/proc"}, {"/host/proc"})
    if proc_mount is None:
        r.add(w, f"{cw}.volumeMounts",
              "no hostPath /proc mounted at /host/proc" + ("" if host_pid else " (and no hostPID)"))
    elif proc_mount.get("readOnly") is not True:
        r.add(w, f"{cw}.volumeMounts[{proc_mount.get('name')}].readOnly", "host /proc must be read-only")

    sysfs = arg_value(args, "path.sysfs")
    if not sysfs:
        r.add(w, f"{cw}.args", "--path.sysfs missing (the exporter reads <sysfs>/fs/cgroup)")
    else:
        sysfs = norm_path(sysfs)
        cg = host_mount({"/sys"}, {sysfs}) or host_mount({"/sys/fs/cgroup"}, {sysfs + "/fs/cgroup"})
        if cg is None:
            r.add(w, f"{cw}.volumeMounts",
                  f"neither hostPath /sys at {sysfs} nor /sys/fs/cgroup at {sysfs}/fs/cgroup "
                  "(--path.sysfs)")
        elif cg.get("readOnly") is not True:
            r.add(w, f"{cw}.volumeMounts[{cg.get('name')}].readOnly", "host cgroup tree must be read-only")

    # Never write to the host: every hostPath read-only, and no *OrCreate types.
    for m in mounts:
        v = volumes.get(m.get("name"))
        if v is None:
            r.add(w, f"{cw}.volumeMounts[{m.get('name')}]", "mounts a volume that is not defined")
            continue
        if "hostPath" in v:
            if m.get("readOnly") is not True:
                r.add(w, f"{cw}.volumeMounts[{m.get('name')}].readOnly",
                      f"hostPath {get(v, 'hostPath.path')} must be read-only")
            if str(get(v, "hostPath.type", "")).endswith("OrCreate"):
                r.add(w, f"spec.template.spec.volumes[{m.get('name')}].hostPath.type",
                      "*OrCreate would create files on the host")
            if not str(m.get("mountPath", "")).startswith("/host/"):
                r.add(w, f"{cw}.volumeMounts[{m.get('name')}].mountPath",
                      "host paths belong under /host/")

    # Privileges: uid 0 with only CAP_SYS_PTRACE.
    sc = c.get("securityContext") or {}
    psc = spec.get("securityContext") or {}
    caps = sc.get("capabilities") or {}
    drop = [str(x).upper() for x in caps.get("drop") or []]
    add = [str(x).upper().removeprefix("CAP_") for x in caps.get("add") or []]
    if drop != ["ALL"]:
        r.add(w, f"{cw}.securityContext.capabilities.drop", f"is {caps.get('drop')}, want [ALL]")
    want_caps = ["NET_ADMIN", "SYS_PTRACE"] if events else ["SYS_PTRACE"]
    if sorted(add) != want_caps:
        r.add(w, f"{cw}.securityContext.capabilities.add",
              f"is {caps.get('add')}, want {want_caps} only" +
              (" (NET_ADMIN: the kernel's check for subscribing to process events)" if events else ""))
    if sc.get("readOnlyRootFilesystem") is not True:
        r.add(w, f"{cw}.securityContext.readOnlyRootFilesystem", "want true")
    if sc.get("allowPrivilegeEscalation") is not False:
        r.add(w, f"{cw}.securityContext.allowPrivilegeEscalation", "want false")
    if sc.get("privileged") is True:
        r.add(w, f"{cw}.securityContext.privileged", "must not be privileged")
    seccomp = get(sc, "seccompProfile.type") or get(psc, "seccompProfile.type")
    if seccomp != "RuntimeDefault":
        r.add(w, f"{cw}.securityContext.seccompProfile.type", f"is {seccomp!r}, want RuntimeDefault")
    uid = sc.get("runAsUser", psc.get("runAsUser"))
    if uid != 0:
        r.add(w, f"{cw}.securityContext.runAsUser",
              f"is {uid!r}, want 0 (added capabilities are not effective for other uids)")
    if events:
        if spec.get("hostNetwork") is not True:
            r.add(w, "spec.template.spec.hostNetwork",
                  "want true (the process events connector exists only in the node's network namespace)")
        if not host_pid:
            r.add(w, "spec.template.spec.hostPID",
                  "want true (the connector answers only listeners in the node's PID namespace)")
        if spec.get("hostUsers") is False:
            r.add(w, "spec.template.spec.hostUsers",
                  "must not be false (the connector answers only the node's user namespace)")
        for p in c.get("ports") or []:
            if p.get("hostPort") and p.get("hostPort") != p.get("containerPort"):
                r.add(w, f"{cw}.ports", "with hostNetwork a hostPort must equal the containerPort")
    else:
        if spec.get("hostNetwork") is True:
            r.add(w, "spec.template.spec.hostNetwork", "not needed; must not be true")
        if any(p.get("hostPort") for p in c.get("ports") or []):
            r.add(w, f"{cw}.ports", "no hostPort: Prometheus scrapes the pod IP")

    # Resources.
    res = c.get("resources") or {}
    for section in ("requests", "limits"):
        for key in ("cpu", "memory"):
            q = get(res, f"{section}.{key}")
            if q is None:
                r.add(w, f"{cw}.resources.{section}.{key}", "missing")
            elif parse_quantity(q) is None:
                r.add(w, f"{cw}.resources.{section}.{key}", f"{q!r} is not a quantity")
    for key in ("cpu", "memory"):
        req, lim = get(res, f"requests.{key}"), get(res, f"limits.{key}")
        if req is not None and lim is not None:
            rq, lq = parse_quantity(req), parse_quantity(lim)
            if rq is not None and lq is not None and rq > lq:
                r.add(w, f"{cw}.resources.requests.{key}", f"{req} exceeds the limit {lim}")

    # Port and probes.
    cport = container_port(c)
    if cport[1] is None:
        r.add(w, f"{cw}.ports", "no containerPort")
    elif cport[0] != "metrics":
        r.add(w, f"{cw}.ports", "the metrics port must be named 'metrics'")
    for probe in ("livenessProbe", "readinessProbe"):
        p = c.get(probe)
        if not p:
            r.add(w, f"{cw}.{probe}", "missing")
            continue
        if get(p, "httpGet.path") != "/-/healthy":
            r.add(w, f"{cw}.{probe}.httpGet.path", f"is {get(p, 'httpGet.path')!r}, want '/-/healthy'")
        if not port_matches(get(p, "httpGet.port"), cport):
            r.add(w, f"{cw}.{probe}.httpGet.port",
                  f"{get(p, 'httpGet.port')!r} is not the container port {cport}")

    # Scheduling everywhere, no API token.
    tol = spec.get("tolerations") or []
    if not any(t.get("operator") == "Exists" and not t.get("key") and not t.get("effect") for t in tol):
        r.add(w, "spec.template.spec.tolerations", "want {operator: Exists} to run on every node")
    if spec.get("automountServiceAccountToken") is not False:
        r.add(w, "spec.template.spec.automountServiceAccountToken", "want false (no API access needed)")
    sa = spec.get("serviceAccountName")
    if sa and not any(d.kind == "ServiceAccount" and d.name == sa for d in docs):
        r.add(w, "spec.template.spec.serviceAccountName", f"ServiceAccount {sa!r} is not defined")

    # The config file: a mounted ConfigMap key, with a listen port equal to the container port
    # and the exporter itself on the namespace-sharing allow-list.
    config_file = arg_value(args, "config.file")
    if not config_file:
        r.add(w, f"{cw}.args", "--config.file missing")
        return
    config_text = None
    for m in mounts:
        mp = norm_path(m.get("mountPath", ""))
        if os.path.dirname(norm_path(config_file)) != mp:
            continue
        cm_name = get(volumes.get(m.get("name"), {}), "configMap.name")
        cm = next((d for d in docs if d.kind == "ConfigMap" and d.name == cm_name), None)
        if cm is None:
            r.add(w, f"spec.template.spec.volumes[{m.get('name')}].configMap.name",
                  f"ConfigMap {cm_name!r} is not defined")
            return
        key = os.path.basename(config_file)
        config_text = get(cm.body, "data", {}).get(key)
        if config_text is None:
            r.add(cm.where(), f"data.{key}", f"missing (the DaemonSet reads {config_file})")
            return
        cw_cm = cm.where()
        break
    else:
        r.add(w, f"{cw}.volumeMounts", f"nothing mounted at {os.path.dirname(config_file)} for --config.file")
        return
    try:
        config = yaml.safe_load(config_text) or {}
    except yaml.YAMLError as e:
        r.add(cw_cm, "data", f"config file is not valid YAML: {e}")
        return
    listen = arg_value(args, "web.listen-address") or get(config, "web.listen_address") or ":19256"
    listen_host, _, listen_port = str(listen).rpartition(":")
    if cport[1] is not None and listen_port != str(cport[1]):
        r.add(w, f"{cw}.ports", f"containerPort {cport[1]} but the exporter listens on {listen!r}")
    if events:
        # In the node's network namespace: listen on the node's address, not on every interface.
        m = re.fullmatch(r"\$\((\w+)\)", listen_host)
        env = {e.get("name"): e for e in c.get("env") or []}
        field = get(env.get(m.group(1), {}), "valueFrom.fieldRef.fieldPath") if m else None
        if not m:
            r.add(w, f"{cw}.args --web.listen-address",
                  f"{listen!r}: with hostNetwork listen on the node's IP ($(NODE_IP):port from "
                  "status.hostIP), not on every interface of the node")
        elif field not in ("status.hostIP", "status.podIP"):
            r.add(w, f"{cw}.env[{m.group(1)}]",
                  f"is {field!r}, want a fieldRef to status.hostIP (the node's IP)")
    allow = get(config, "namespace_sharing.allow", [])
    if not isinstance(allow, list) or c.get("name") not in allow:
        r.add(cw_cm, "data.config.yml namespace_sharing.allow",
              f"must list the exporter's own container name {c.get('name')!r}")
    sections = {"web", "path", "scan", "log", "namespace_sharing", "runtime", "config"}
    for section in config:
        if section not in sections:
            r.add(cw_cm, f"data.config.yml {section}", f"unknown section (known: {sorted(sections)})")


def check_service(svc, ds, r):
    w = svc.where()
    pod_labels = get(ds.body, "spec.template.metadata.labels", {})
    if not selects(get(svc.body, "spec.selector"), pod_labels):
        r.add(w, "spec.selector", f"{get(svc.body, 'spec.selector')} does not select the DaemonSet's pods {pod_labels}")
    if get(svc.body, "spec.clusterIP") != "None":
        r.add(w, "spec.clusterIP", "want None (headless: one endpoint per node)")
    cport = container_port(exporter_container(ds) or {})
    ports = get(svc.body, "spec.ports", [])
    metrics = [p for p in ports if p.get("name") == "metrics"]
    if not metrics:
        r.add(w, "spec.ports", "no port named 'metrics'")
    for p in metrics:
        if not port_matches(p.get("targetPort", p.get("port")), cport):
            r.add(w, "spec.ports[metrics].targetPort", f"{p.get('targetPort')!r} is not the container port {cport}")
        if p.get("port") != 19256:
            r.add(w, "spec.ports[metrics].port", f"is {p.get('port')}, want 19256")


def namespace_of(doc, default="monitoring"):
    return get(doc.body, "metadata.namespace") or default


def check_monitor(mon, target, target_ports, r):
    """ServiceMonitor (target = Service) or PodMonitor (target = DaemonSet pod template)."""
    w = mon.where()
    if mon.body.get("apiVersion") != "monitoring.coreos.com/v1":
        r.add(w, "apiVersion", "want monitoring.coreos.com/v1")
    if mon.kind == "ServiceMonitor":
        labels, what = get(target.body, "metadata.labels", {}), "the Service's labels"
        endpoints_field = "endpoints"
    else:
        labels, what = get(target.body, "spec.template.metadata.labels", {}), "the DaemonSet's pod labels"
        endpoints_field = "podMetricsEndpoints"
    sel = get(mon.body, "spec.selector.matchLabels")
    if not selects(sel, labels):
        r.add(w, "spec.selector.matchLabels", f"{sel} does not match {what} {labels}")
    ns_sel = get(mon.body, "spec.namespaceSelector", {})
    if not ns_sel.get("any") and namespace_of(target) not in (ns_sel.get("matchNames") or [namespace_of(mon)]):
        r.add(w, "spec.namespaceSelector", f"does not include namespace {namespace_of(target)!r}")
    eps = get(mon.body, f"spec.{endpoints_field}", [])
    if not eps:
        r.add(w, f"spec.{endpoints_field}", "missing")
    for i, ep in enumerate(eps):
        f = f"spec.{endpoints_field}[{i}]"
        if ep.get("port") not in target_ports:
            r.add(w, f"{f}.port", f"{ep.get('port')!r} is not a port name of {target.where()} {sorted(target_ports)}")
        if ep.get("path", "/metrics") != "/metrics":
            r.add(w, f"{f}.path", f"is {ep.get('path')!r}, want /metrics")
        if ep.get("honorLabels") is not True:
            r.add(w, f"{f}.honorLabels", "want true (else container/pod/namespace become exported_*)")
        # The user relabelings run after the operator's own: simulate them on a typical target.
        rules = [snake_rule(x) for x in ep.get("relabelings") or []]
        meta = {"__address__": "10.0.0.5:19256", "__meta_kubernetes_pod_node_name": "node-a",
                "job": f"{namespace_of(mon)}/{mon.name}", "instance": "10.0.0.5:19256",
                "namespace": "monitoring", "pod": "cproc-exporter-x7k2p",
                "container": APP, "endpoint": "metrics", "service": APP}
        out = relabel(meta, rules, r, w, f"{f}.relabelings")
        expect_target(out, r, w, f"{f}.relabelings")


def check_networkpolicy(np_doc, ds, r):
    w = np_doc.where()
    pod_labels = get(ds.body, "spec.template.metadata.labels", {})
    if not selects(get(np_doc.body, "spec.podSelector.matchLabels"), pod_labels):
        r.add(w, "spec.podSelector.matchLabels", f"does not select the DaemonSet's pods {pod_labels}")
    if "Ingress" not in (get(np_doc.body, "spec.policyTypes") or ["Ingress"]):
        r.add(w, "spec.policyTypes", "must include Ingress")
    cport = container_port(exporter_container(ds) or {})
    ok = False
    for i, rule in enumerate(get(np_doc.body, "spec.ingress", [])):
        ports = rule.get("ports") or []
        covers = any(port_matches(p.get("port"), cport) and p.get("protocol", "TCP") == "TCP" for p in ports)
        from_prom = any((get(f, "podSelector.matchLabels", {}) or {}).get(NAME_LABEL) == "prometheus"
                        for f in rule.get("from") or [])
        if covers and from_prom:
            ok = True
        if not ports:
            r.add(w, f"spec.ingress[{i}].ports", "missing: would open every port")
        if not rule.get("from"):
            r.add(w, f"spec.ingress[{i}].from", "missing: would allow every source")
    if not ok:
        r.add(w, "spec.ingress",
              f"no rule allows TCP {cport} from pods labelled {NAME_LABEL}=prometheus")


def check_kustomization(k, docs, root, r):
    w = k.where()
    resources = k.body.get("resources") or []
    listed = set()
    for res in resources:
        path = os.path.normpath(os.path.join(os.path.dirname(os.path.join(root, k.path)), res))
        if not os.path.isfile(path):
            r.add(w, "resources", f"{res!r} does not exist")
        listed.add(os.path.relpath(path, root))
    for d in docs:
        if d.kind in CORE_KINDS and d.path not in listed:
            r.add(w, "resources", f"{d.path} ({d.kind}) is not listed")
        if d.kind in OPERATOR_KINDS and d.path in listed:
            r.add(w, "resources", f"{d.path} needs the Prometheus Operator CRDs; keep it optional")
    for comp in k.body.get("components") or []:
        if not os.path.isfile(os.path.join(os.path.dirname(os.path.join(root, k.path)), comp,
                                           "kustomization.yaml")):
            r.add(w, "components", f"{comp!r} is not a directory with a kustomization.yaml")
    ds = next((d for d in docs if d.kind == "DaemonSet"), None)
    image = (exporter_container(ds) or {}).get("image", "") if ds else ""
    for img in k.body.get("images") or []:
        if img.get("name") != image.split(":")[0]:
            r.add(w, "images[].name", f"{img.get('name')!r} does not match the DaemonSet image {image!r}")


def check_namespace(ns, r):
    level = get(ns.body, "metadata.labels", {}).get("pod-security.kubernetes.io/enforce")
    if level != "privileged":
        r.add(ns.where(), "metadata.labels.pod-security.kubernetes.io/enforce",
              f"is {level!r}: hostPID, hostPath and SYS_PTRACE need 'privileged'")


# ---------------------------------------------------------------------------------------------
# Prometheus relabeling, enough of it to evaluate our rules


def snake_rule(rule):
    """Operator relabeling (camelCase) -> Prometheus relabel_config (snake_case)."""
    names = {"sourceLabels": "source_labels", "targetLabel": "target_label"}
    return {names.get(k, k): v for k, v in rule.items()}


def relabel(labels, rules, r, where, field):
    """Apply relabel_configs to a label set; None if the target is dropped."""
    labels = dict(labels)
    for i, rule in enumerate(rules):
        action = str(rule.get("action", "replace")).lower()
        try:
            regex = re.compile("^(?:" + str(rule.get("regex", "(.*)")) + ")$")
        except re.error as e:
            r.add(where, f"{field}[{i}].regex", f"invalid: {e}")
            return labels
        value = rule.get("separator", ";").join(labels.get(s, "") for s in rule.get("source_labels") or [])
        if action == "keep":
            if not regex.match(value):
                return None
        elif action == "drop":
            if regex.match(value):
                return None
        elif action == "replace":
            m = regex.match(value)
            if m and rule.get("target_label"):
                repl = re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", str(rule.get("replacement", "$1")))
                new = m.expand(repl)
                if new:
                    labels[rule["target_label"]] = new
                else:
                    labels.pop(rule["target_label"], None)
        elif action == "labeldrop":
            labels = {k: v for k, v in labels.items() if not regex.match(k)}
        elif action == "labelkeep":
            labels = {k: v for k, v in labels.items() if regex.match(k)}
        else:
            r.add(where, f"{field}[{i}].action", f"{action!r} is not simulated by this test")
    return labels


def expect_target(out, r, where, field):
    if out is None:
        r.add(where, field, "drops the exporter pod's target")
        return
    if out.get("instance") != "node-a":
        r.add(where, field, f"instance is {out.get('instance')!r}, want the node name")
    if out.get("job") != "cproc":
        r.add(where, field, f"job is {out.get('job')!r}, want 'cproc' (alert rules, dashboard)")
    for label in ("pod", "namespace", "container"):
        if label in out:
            r.add(where, field, f"target label {label!r} would attach the exporter pod's identity to node-wide series")


def check_scrape_config(path, config, ds, promtool, r, root):
    w = os.path.relpath(path, root)
    if not isinstance(config, dict):
        r.add(w, "(file)", "not a Prometheus config (mapping)")
        return
    jobs = [j for j in config.get("scrape_configs") or [] if j.get("job_name") == "cproc"]
    if len(jobs) != 1:
        r.add(w, "scrape_configs", "want exactly one job named 'cproc' (the alert rules select job=\"cproc\")")
        return
    job = jobs[0]
    sds = job.get("kubernetes_sd_configs") or []
    if not any(sd.get("role") == "pod" for sd in sds):
        r.add(w, "scrape_configs[cproc].kubernetes_sd_configs", "want role: pod")
    if job.get("honor_labels") is not True:
        r.add(w, "scrape_configs[cproc].honor_labels", "want true (the series' container/pod/namespace labels)")

    pod_labels = get(ds.body, "spec.template.metadata.labels", {}) if ds else {}
    cport = container_port(exporter_container(ds) or {}) if ds else ("metrics", 19256)
    rules = job.get("relabel_configs") or []

    def meta(labels, port_name, phase="Running"):
        m = {"__address__": f"10.0.0.5:{cport[1]}", "job": "cproc", "__meta_kubernetes_namespace": "monitoring",
             "__meta_kubernetes_pod_node_name": "node-a", "__meta_kubernetes_pod_phase": phase,
             "__meta_kubernetes_pod_container_port_name": port_name or "",
             "__meta_kubernetes_pod_container_port_number": str(cport[1])}
        for k, v in labels.items():
            m["__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", k)] = v
        m["instance"] = m["__address__"]
        return m

    field = "scrape_configs[cproc].relabel_configs"
    expect_target(relabel(meta(pod_labels, cport[0]), rules, r, w, field), r, w,
                  f"{field} (the DaemonSet's pod, port {cport[0]!r})")
    if relabel(meta({NAME_LABEL: "node-exporter"}, cport[0]), rules, r, w, field) is not None:
        r.add(w, field, "keeps a pod that is not the exporter")
    if relabel(meta(pod_labels, "other-port"), rules, r, w, field) is not None:
        r.add(w, field, "keeps a port of the exporter pod other than the metrics port")

    if not promtool:
        return
    if not os.access(promtool, os.X_OK):
        r.add(w, "promtool", f"{promtool} not found (Debian package prometheus)")
        return
    out = subprocess.run([promtool, "check", "config", path], capture_output=True, text=True)
    text = out.stdout + out.stderr
    if out.returncode == 0:
        print(f"promtool check config {w}: OK")
        return
    if "kubernetes_sd_configs not found" not in text:
        r.add(w, "promtool check config", text.strip().replace("\n", " | "))
        return
    # Debian's prometheus is built without Kubernetes service discovery. Check everything else
    # of the file: the same job with a static target in place of kubernetes_sd_configs.
    print(f"note: {promtool} has no Kubernetes service discovery (Debian build); checking "
          f"{w} with kubernetes_sd_configs replaced by a static target")
    stripped = copy.deepcopy(config)
    for j in stripped.get("scrape_configs") or []:
        if j.pop("kubernetes_sd_configs", None) is not None:
            j["static_configs"] = [{"targets": [f"placeholder:{cport[1]}"]}]
    with tempfile.TemporaryDirectory() as tmp:
        copy_path = os.path.join(tmp, "prometheus.yml")
        with open(copy_path, "w", encoding="utf-8") as f:
            yaml.safe_dump(stripped, f)
        out = subprocess.run([promtool, "check", "config", copy_path], capture_output=True, text=True)
        if out.returncode != 0:
            r.add(w, "promtool check config", (out.stdout + out.stderr).strip().replace("\n", " | "))
        else:
            print(f"promtool check config {w} (static stand-in for kubernetes_sd_configs): OK")


# ---------------------------------------------------------------------------------------------
# Components (kustomize `kind: Component` in a subdirectory): their patches applied here, as
# kustomize would, to the base objects.

# The components this validator knows, and the DaemonSet profile each must produce.
COMPONENT_PROFILES = {"events": {"events": True}}


def load_components(root):
    """One dict per component directory: rel, kustomization body, patches {path: content}."""
    comps, problems = [], []
    for d in component_dirs(root):
        rel = os.path.relpath(d, root)
        comp = {"rel": rel, "dir": d, "kustomization": {}, "patches": {}}
        try:
            with open(os.path.join(d, "kustomization.yaml"), encoding="utf-8") as f:
                comp["kustomization"] = yaml.safe_load(f) or {}
        except yaml.YAMLError as e:
            problems.append(f"{rel}/kustomization.yaml: invalid YAML: {e}")
        for patch in comp["kustomization"].get("patches") or []:
            path = patch.get("path") if isinstance(patch, dict) else None
            if not path or not os.path.isfile(os.path.join(d, path)):
                continue  # reported by check_component
            try:
                with open(os.path.join(d, path), encoding="utf-8") as f:
                    comp["patches"][path] = yaml.safe_load(f)
            except yaml.YAMLError as e:
                problems.append(f"{rel}/{path}: invalid YAML: {e}")
        comps.append(comp)
    return comps, problems


def pointer(path):
    """RFC 6901 JSON pointer -> list of reference tokens."""
    if not path.startswith("/"):
        raise ValueError(f"{path!r} is not a JSON pointer")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def json_patch(body, ops):
    """Applies RFC 6902 add/replace/remove operations to body in place."""
    for op in ops:
        *parents, last = pointer(op.get("path", ""))
        cur = body
        for t in parents:
            cur = cur[int(t)] if isinstance(cur, list) else cur[t]
        kind = op.get("op")
        if isinstance(cur, list):
            if kind == "add" and last == "-":
                cur.append(copy.deepcopy(op["value"]))
            elif kind == "add":
                cur.insert(int(last), copy.deepcopy(op["value"]))
            elif kind == "replace":
                cur[int(last)] = copy.deepcopy(op["value"])
            elif kind == "remove":
                del cur[int(last)]
            else:
                raise ValueError(f"op {kind!r} is not simulated by this test")
        else:
            if kind in ("add", "replace"):
                if kind == "replace" and last not in cur:
                    raise KeyError(op["path"])
                cur[last] = copy.deepcopy(op["value"])
            elif kind == "remove":
                del cur[last]
            else:
                raise ValueError(f"op {kind!r} is not simulated by this test")


def apply_component(comp, base_docs, r):
    """The base objects with the component's patches applied (problems go to r)."""
    w = f"{comp['rel']}/kustomization.yaml"
    k = comp["kustomization"]
    if k.get("kind") != "Component" or k.get("apiVersion") != "kustomize.config.k8s.io/v1alpha1":
        r.add(w, "kind", "want kind: Component, apiVersion: kustomize.config.k8s.io/v1alpha1 "
              "(a Kustomization inside the base would be a cycle for kustomize)")
    for key in ("resources", "namespace", "images"):
        if k.get(key):
            r.add(w, key, "a component only patches the base's objects")
    docs = copy.deepcopy(base_docs)
    for i, patch in enumerate(k.get("patches") or []):
        path = patch.get("path") if isinstance(patch, dict) else None
        if not path or not os.path.isfile(os.path.join(comp["dir"], path)):
            r.add(w, f"patches[{i}].path", f"{path!r} does not exist")
            continue
        content = comp["patches"].get(path)
        target = patch.get("target")
        if isinstance(content, list) and target:
            group = target.get("group")
            hits = [d for d in docs if d.kind == target.get("kind") and d.name == target.get("name")
                    and (not group or str(d.body.get("apiVersion", "")).startswith(group + "/"))]
            if not hits:
                r.add(w, f"patches[{i}].target", f"{target} matches no base object")
            for d in hits:
                try:
                    json_patch(d.body, content)
                except (KeyError, IndexError, ValueError, TypeError) as e:
                    r.add(w, f"patches[{i}] ({path})", f"does not apply to {d.where()}: {e!r}")
        elif isinstance(content, dict) and content.get("$patch") == "delete" and not target:
            kind, name = content.get("kind"), get(content, "metadata.name")
            before = len(docs)
            docs = [d for d in docs if not (d.kind == kind and d.name == name)]
            if len(docs) == before:
                r.add(w, f"patches[{i}] ({path})", f"deletes {kind}/{name}, which the base does not have")
        else:
            r.add(w, f"patches[{i}] ({path})",
                  "not simulated by this test (JSON patch with a target, or `$patch: delete`)")
    return docs


def check_component(comp, base_docs, r):
    profile = COMPONENT_PROFILES.get(comp["rel"])
    if profile is None:
        r.add(comp["rel"], "(component)", f"unknown component (known: {sorted(COMPONENT_PROFILES)})")
        return
    sub = Report()
    docs = apply_component(comp, base_docs, sub)
    ds = one(docs, "DaemonSet", sub)
    if ds:
        check_daemonset(ds, docs, sub, **profile)
        svc = next((d for d in docs if d.kind == "Service"), None)
        if svc:
            check_service(svc, ds, sub)
        for mon in (d for d in docs if d.kind == "PodMonitor"):
            ports = {p.get("name") for c in get(ds.body, "spec.template.spec.containers", [])
                     for p in c.get("ports") or []}
            check_monitor(mon, ds, ports, sub)
    if profile.get("events"):
        for np_doc in (d for d in docs if d.kind == "NetworkPolicy"):
            sub.add(np_doc.where(), "NetworkPolicy",
                    "kept: it selects pods by pod IP and cannot protect a hostNetwork pod's port "
                    "(delete it with `$patch: delete`)")
    r.problems.extend(f"with {comp['rel']}/: {p}" for p in sub.problems)


# ---------------------------------------------------------------------------------------------


def validate(root, docs, prom_files, load_problems, promtool, components=()):
    r = Report()
    r.problems.extend(load_problems)
    for d in docs:
        check_common(d, r)
    ds = one(docs, "DaemonSet", r)
    for kind in CORE_KINDS:
        one(docs, kind, r)
    if ds:
        check_daemonset(ds, docs, r)
        svc = next((d for d in docs if d.kind == "Service"), None)
        if svc:
            check_service(svc, ds, r)
        for mon in (d for d in docs if d.kind in OPERATOR_KINDS):
            if mon.kind == "ServiceMonitor":
                if svc is None:
                    r.add(mon.where(), "spec.selector", "there is no Service to select")
                    continue
                target, ports = svc, {p.get("name") for p in get(svc.body, "spec.ports", [])}
            else:
                target = ds
                ports = {p.get("name") for c in get(ds.body, "spec.template.spec.containers", [])
                         for p in c.get("ports") or []}
            check_monitor(mon, target, ports, r)
        for np_doc in (d for d in docs if d.kind == "NetworkPolicy"):
            check_networkpolicy(np_doc, ds, r)
    for kind in OPERATOR_KINDS:
        if not any(d.kind == kind for d in docs):
            r.add("deploy/kubernetes", kind, "no such object")
    for ns in (d for d in docs if d.kind == "Namespace"):
        check_namespace(ns, r)
    k = one(docs, "Kustomization", r)
    if k:
        check_kustomization(k, docs, root, r)
    if not prom_files:
        r.add(f"deploy/kubernetes/{SCRAPE_DIR}", "(files)", "no plain Prometheus scrape config")
    for path, config in prom_files:
        check_scrape_config(path, config, ds, promtool, r, root)
    for comp in components:
        check_component(comp, docs, r)
    return r.problems


def pod_facts(daemonset_body):
    """What a component changes in the exporter's pod, for comparing two renderings."""
    spec = get(daemonset_body, "spec.template.spec", {})
    c = (spec.get("containers") or [{}])[0]
    return {"hostNetwork": spec.get("hostNetwork"), "hostPID": spec.get("hostPID"),
            "capabilities": get(c, "securityContext.capabilities"), "args": c.get("args"),
            "env": c.get("env"), "ports": c.get("ports")}


def check_kustomize_components(root, components, base_docs):
    """`kubectl kustomize` of the base with each component, from an overlay outside the base
    (as users write it), must agree with the patches as this test applies them."""
    kubectl = shutil.which("kubectl")
    problems = []
    if not kubectl or not components:
        return problems
    in_base = listed_components(root, components)
    for comp in components:
        if comp in in_base:
            # Uncommented in the base's kustomization.yaml: the base renders with it already.
            out = subprocess.run([kubectl, "kustomize", root], capture_output=True, text=True)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                overlay = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                           "resources": [os.path.relpath(root, tmp)],
                           "components": [os.path.relpath(comp["dir"], tmp)]}
                with open(os.path.join(tmp, "kustomization.yaml"), "w", encoding="utf-8") as f:
                    yaml.safe_dump(overlay, f)
                out = subprocess.run([kubectl, "kustomize", tmp], capture_output=True, text=True)
        if out.returncode != 0:
            problems.append(f"{comp['rel']}: kubectl kustomize with the component failed: "
                            f"{out.stderr.strip()}")
            continue
        rendered = [d for d in yaml.safe_load_all(out.stdout) if d]
        mine = base_docs
        for other in in_base + ([] if comp in in_base else [comp]):
            mine = apply_component(other, mine, Report())
        kinds = sorted(d.get("kind") for d in rendered)
        # The monitors need CRDs and are not in the base's resources.
        my_kinds = sorted(d.kind for d in mine if d.kind not in OPERATOR_KINDS + ("Kustomization",))
        if kinds != my_kinds:
            problems.append(f"{comp['rel']}: kubectl kustomize renders {kinds}, "
                            f"this test's patching {my_kinds}")
        ds = next((d for d in rendered if d.get("kind") == "DaemonSet"), None)
        my_ds = next((d for d in mine if d.kind == "DaemonSet"), None)
        if ds is None or my_ds is None or pod_facts(ds) != pod_facts(my_ds.body):
            mine_facts = pod_facts(my_ds.body if my_ds else {})
            problems.append(f"{comp['rel']}: kubectl kustomize renders the DaemonSet's pod as "
                            f"{pod_facts(ds or {})}, this test's patching as {mine_facts}")
        else:
            print(f"kubectl kustomize with {comp['rel']}/: {len(rendered)} objects, "
                  "the DaemonSet's pod as this test patches it")
    return problems


def listed_components(root, components):
    """The components the base's own kustomization.yaml lists (commented out as shipped)."""
    try:
        with open(os.path.join(root, "kustomization.yaml"), encoding="utf-8") as f:
            listed = {os.path.normpath(os.path.join(root, c))
                      for c in (yaml.safe_load(f) or {}).get("components") or []}
    except (OSError, yaml.YAMLError):
        return []
    return [c for c in components if os.path.normpath(c["dir"]) in listed]


def check_kustomize_build(root, components=()):
    """`kubectl kustomize` renders the base (only where kubectl is installed; it is optional),
    with the components its kustomization.yaml lists: what those delete is not expected."""
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("SKIPPED PART: `kubectl kustomize` render of the base and its components not checked "
              "(kubectl is not installed)")
        return []
    out = subprocess.run([kubectl, "kustomize", root], capture_output=True, text=True)
    if out.returncode != 0:
        return [f"kustomization.yaml: kubectl kustomize failed: {out.stderr.strip()}"]
    rendered = [d for d in yaml.safe_load_all(out.stdout) if d]
    problems = []
    kinds = {d.get("kind") for d in rendered}
    deleted = {get(content, "kind") for c in components for content in c["patches"].values()
               if isinstance(content, dict) and content.get("$patch") == "delete"}
    for kind in CORE_KINDS + ("Namespace",):
        if kind not in kinds and kind not in deleted:
            problems.append(f"kustomization.yaml: kubectl kustomize output: no {kind}")
    for d in rendered:
        if d.get("kind") != "Namespace" and not get(d, "metadata.namespace"):
            problems.append(f"kustomization.yaml: kubectl kustomize output: {d.get('kind')}/"
                            f"{get(d, 'metadata.name')} has no namespace")
    print(f"kubectl kustomize: {len(rendered)} objects ({', '.join(sorted(kinds))})")
    return problems


# Self-test: each mutation must produce a problem whose text contains the expected fragment.
def find(docs, kind):
    return next(d for d in docs if d.kind == kind).body


def ds_container(docs):
    return find(docs, "DaemonSet")["spec"]["template"]["spec"]["containers"][0]


def mount_named(docs, host_path):
    spec = find(docs, "DaemonSet")["spec"]["template"]["spec"]
    name = next(v["name"] for v in spec["volumes"] if get(v, "hostPath.path") == host_path)
    return next(m for m in ds_container(docs)["volumeMounts"] if m["name"] == name)


def set_config(docs, fn):
    cm = find(docs, "ConfigMap")
    config = yaml.safe_load(cm["data"]["config.yml"])
    fn(config)
    cm["data"]["config.yml"] = yaml.safe_dump(config)


MUTATIONS = [
    ("host /proc mounted writable", "readOnly",
     lambda d: mount_named(d, "/proc").pop("readOnly")),
    ("host cgroup tree mounted writable", "cgroup tree must be read-only",
     lambda d: mount_named(d, "/sys/fs/cgroup").__setitem__("readOnly", False)),
    ("no /proc mount", "no hostPath /proc mounted at /host/proc",
     lambda d: mount_named(d, "/proc").__setitem__("mountPath", "/hostproc")),
    ("wrong --path.procfs", "--path.procfs",
     lambda d: ds_container(d).__setitem__("args", [a for a in ds_container(d)["args"] if "procfs" not in a])),
    ("extra capability", "capabilities.add",
     lambda d: ds_container(d)["securityContext"]["capabilities"]["add"].append("NET_ADMIN")),
    ("capabilities not dropped", "capabilities.drop",
     lambda d: ds_container(d)["securityContext"]["capabilities"].__setitem__("drop", ["NET_RAW"])),
    ("writable root filesystem", "readOnlyRootFilesystem",
     lambda d: ds_container(d)["securityContext"].__setitem__("readOnlyRootFilesystem", False)),
    ("privilege escalation", "allowPrivilegeEscalation",
     lambda d: ds_container(d)["securityContext"].pop("allowPrivilegeEscalation")),
    ("no seccomp profile", "seccompProfile",
     lambda d: (ds_container(d)["securityContext"].pop("seccompProfile"),
                find(d, "DaemonSet")["spec"]["template"]["spec"]["securityContext"].pop("seccompProfile"))),
    ("non-root uid", "runAsUser",
     lambda d: ds_container(d)["securityContext"].__setitem__("runAsUser", 65534)),
    ("no memory limit", "resources.limits.memory",
     lambda d: ds_container(d)["resources"]["limits"].pop("memory")),
    ("request above limit", "exceeds the limit",
     lambda d: ds_container(d)["resources"]["requests"].__setitem__("cpu", "2")),
    ("liveness probe on another port", "livenessProbe.httpGet.port",
     lambda d: ds_container(d)["livenessProbe"]["httpGet"].__setitem__("port", 9100)),
    ("readiness probe on another path", "readinessProbe.httpGet.path",
     lambda d: ds_container(d)["readinessProbe"]["httpGet"].__setitem__("path", "/metrics")),
    ("container port differs from the listen address", "listens on",
     lambda d: ds_container(d)["ports"][0].__setitem__("containerPort", 9256)),
    ("exporter not on its allow-list", "namespace_sharing.allow",
     lambda d: set_config(d, lambda c: c["namespace_sharing"]["allow"].remove(APP))),
    ("no tolerations", "tolerations",
     lambda d: find(d, "DaemonSet")["spec"]["template"]["spec"].pop("tolerations")),
    ("Service selects other pods", "does not select the DaemonSet's pods",
     lambda d: find(d, "Service")["spec"].__setitem__("selector", {NAME_LABEL: "node-exporter"})),
    ("Service targets another port", "spec.ports[metrics].targetPort",
     lambda d: find(d, "Service")["spec"]["ports"][0].__setitem__("targetPort", "http")),
    ("ServiceMonitor selects nothing", "ServiceMonitor/cproc-exporter): spec.selector.matchLabels",
     lambda d: find(d, "ServiceMonitor")["spec"]["selector"].__setitem__("matchLabels", {"app": "x"})),
    ("ServiceMonitor on an unknown port", "endpoints[0].port",
     lambda d: find(d, "ServiceMonitor")["spec"]["endpoints"][0].__setitem__("port", "http")),
    ("ServiceMonitor keeps the service name as job", "job is",
     lambda d: find(d, "ServiceMonitor")["spec"]["endpoints"][0].__setitem__(
         "relabelings", [x for x in find(d, "ServiceMonitor")["spec"]["endpoints"][0]["relabelings"]
                         if x.get("targetLabel") != "job"])),
    ("PodMonitor selects nothing", "PodMonitor/cproc-exporter): spec.selector.matchLabels",
     lambda d: find(d, "PodMonitor")["spec"]["selector"]["matchLabels"].__setitem__(NAME_LABEL, "x")),
    ("PodMonitor without honorLabels", "honorLabels",
     lambda d: find(d, "PodMonitor")["spec"]["podMetricsEndpoints"][0].pop("honorLabels")),
    ("NetworkPolicy on another port", "no rule allows TCP",
     lambda d: find(d, "NetworkPolicy")["spec"]["ingress"][0]["ports"][0].__setitem__("port", 9100)),
    ("NetworkPolicy from other pods", "no rule allows TCP",
     lambda d: find(d, "NetworkPolicy")["spec"]["ingress"][0]["from"][0]["podSelector"].__setitem__(
         "matchLabels", {NAME_LABEL: "grafana"})),
    ("kustomization lists a missing file", "does not exist",
     lambda d: find(d, "Kustomization")["resources"].append("missing.yaml")),
    ("kustomization misses the DaemonSet", "daemonset.yaml (DaemonSet) is not listed",
     lambda d: find(d, "Kustomization")["resources"].remove("daemonset.yaml")),
    ("document without metadata.name", "metadata.name",
     lambda d: find(d, "ConfigMap")["metadata"].pop("name")),
]


def scrape_job(prom_files):
    return prom_files[0][1]["scrape_configs"][0]


PROM_MUTATIONS = [
    ("scrape config keeps every pod", "keeps a pod that is not the exporter",
     lambda p: scrape_job(p).__setitem__("relabel_configs", [
         x for x in scrape_job(p)["relabel_configs"]
         if x.get("source_labels") != ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]])),
    ("scrape config keeps the pod IP as instance", "instance is",
     lambda p: scrape_job(p).__setitem__("relabel_configs", [
         x for x in scrape_job(p)["relabel_configs"] if x.get("target_label") != "instance"])),
    ("scrape config without honor_labels", "honor_labels",
     lambda p: scrape_job(p).pop("honor_labels")),
]


def component(comps, rel):
    return next(c for c in comps if c["rel"] == rel)


def patch_ops(comps, rel, path):
    return component(comps, rel)["patches"][path]


def events_ops(comps):
    return patch_ops(comps, "events", "daemonset-patch.yaml")


def drop_op(ops, test):
    ops[:] = [op for op in ops if not test(op)]


COMPONENT_MUTATIONS = [
    ("events without NET_ADMIN", "securityContext.capabilities.add: is ['SYS_PTRACE'], want ['NET_ADMIN',",
     lambda c: drop_op(events_ops(c), lambda op: op.get("value") == "NET_ADMIN")),
    ("events without hostNetwork", "with events/: daemonset.yaml (DaemonSet/cproc-exporter): "
     "spec.template.spec.hostNetwork: want true",
     lambda c: drop_op(events_ops(c), lambda op: op.get("path", "").endswith("/hostNetwork"))),
    ("events keeping the NetworkPolicy", "cannot protect a hostNetwork pod",
     lambda c: component(c, "events")["kustomization"]["patches"].pop(1)),
    ("events listening on every interface", "not on every interface",
     lambda c: next(op for op in events_ops(c) if "listen-address" in str(op.get("value")))
     .__setitem__("value", "--web.listen-address=:19256")),
    ("events NODE_IP from the node's name", "want a fieldRef to status.hostIP",
     lambda c: next(op for op in events_ops(c) if op.get("path", "").endswith("/env"))["value"][0]
     ["valueFrom"]["fieldRef"].__setitem__("fieldPath", "spec.nodeName")),
    ("events listening on another port", "listens on",
     lambda c: next(op for op in events_ops(c) if "listen-address" in str(op.get("value")))
     .__setitem__("value", "--web.listen-address=$(NODE_IP):9256")),
    ("events patch file missing", "does not exist",
     lambda c: component(c, "events")["kustomization"]["patches"][0].__setitem__("path", "missing.yaml")),
    ("events as a Kustomization", "want kind: Component",
     lambda c: component(c, "events")["kustomization"].__setitem__("kind", "Kustomization")),
]


def self_test(root, docs, prom_files, load_problems, components):
    base = validate(root, docs, prom_files, load_problems, None, components)
    if base:
        print("self-test needs manifests that pass; problems:")
        for p in base:
            print(f"  {p}")
        return 1
    # Each table mutates one of the three inputs; the other two stay as loaded.
    inputs = {"docs": docs, "prom_files": prom_files, "components": components}
    failures = 0
    for table, mutated_input in ((MUTATIONS, "docs"), (PROM_MUTATIONS, "prom_files"),
                                 (COMPONENT_MUTATIONS, "components")):
        for what, fragment, mutate in table:
            given = dict(inputs)
            given[mutated_input] = copy.deepcopy(inputs[mutated_input])
            mutate(given[mutated_input])
            problems = validate(root, given["docs"], given["prom_files"], load_problems, None,
                                given["components"])
            hit = [p for p in problems if fragment in p]
            if hit:
                print(f"ok: {what}: {hit[0]}")
            else:
                failures += 1
                print(f"FAIL: {what}: no problem mentioning {fragment!r}; got {problems or 'none'}")
    total = len(MUTATIONS) + len(PROM_MUTATIONS) + len(COMPONENT_MUTATIONS)
    print(f"{total - failures}/{total} faults detected")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", help="the deploy/kubernetes directory")
    ap.add_argument("--promtool", default=shutil.which("promtool") or "/usr/bin/promtool")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        print(f"FAIL: {root} is not a directory")
        return 1
    docs, prom_files, load_problems = load(root)
    components, component_problems = load_components(root)
    load_problems += component_problems
    if args.self_test:
        return self_test(root, docs, prom_files, load_problems, components)
    problems = validate(root, docs, prom_files, load_problems, args.promtool, components)
    problems += check_kustomize_build(root, listed_components(root, components))
    problems += check_kustomize_components(root, components, docs)
    kinds = ", ".join(f"{d.kind}/{d.name}" for d in docs)
    comps = ", ".join(c["rel"] + "/" for c in components) or "none"
    print(f"checked {len(docs)} documents ({kinds}), {len(prom_files)} Prometheus config(s) "
          f"and the base with each component ({comps})")
    if problems:
        print(f"FAIL: {len(problems)} problem(s):")
        for p in problems:
            print(f"  {p}")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
