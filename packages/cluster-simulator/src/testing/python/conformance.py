"""Conformance of the simulator with the official Kubernetes Python client.

Run by src/pythonClient.test.ts against a simulator it started:

    python3 conformance.py KUBECONFIG CONTEXT ADMIN_URL

Each check prints one JSON line {"check": ..., "ok": true/false, ...}; the
jest test asserts on them, so a failing check names itself and what it saw.
"""
import json
import sys
import threading
import time
import traceback
import urllib.request
import warnings

from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

# The simulator serves TLS with a certificate made at start; the kubeconfig
# says insecure-skip-tls-verify, which urllib3 warns about on every request.
warnings.filterwarnings("ignore")

KUBECONFIG, CONTEXT, ADMIN_URL = sys.argv[1], sys.argv[2], sys.argv[3]
NS = "databases"
STS = "orders-db"


def report(check, ok, **seen):
    print(json.dumps({"check": check, "ok": bool(ok), **seen}, default=str), flush=True)


def check(name):
    def wrap(fn):
        def run(*args):
            try:
                fn(*args)
            except Exception as e:  # every failure becomes a report line
                report(name, False, error="%s: %s" % (type(e).__name__, e),
                       trace=traceback.format_exc(limit=3))
        run.__name__ = fn.__name__
        return run
    return wrap


@check("nodes")
def nodes(core):
    items = core.list_node().items
    info = items[0].status.node_info
    report("nodes", len(items) > 0 and isinstance(info, client.V1NodeSystemInfo)
           and bool(info.machine_id) and bool(info.boot_id) and bool(info.system_uuid),
           count=len(items), machineID=info.machine_id, kubelet=info.kubelet_version)


@check("statefulset")
def statefulset(apps):
    listed = apps.list_namespaced_stateful_set(NS)
    names = [s.metadata.name for s in listed.items]
    got = apps.read_namespaced_stateful_set(STS, NS)
    patched = apps.patch_namespaced_stateful_set(
        STS, NS, {"metadata": {"labels": {"conformance/python": "patched"}}})
    report("statefulset", STS in names and isinstance(got, client.V1StatefulSet)
           and patched.metadata.labels.get("conformance/python") == "patched"
           and int(patched.metadata.resource_version) > int(got.metadata.resource_version),
           names=names, labels=patched.metadata.labels)


@check("scale")
def scale(apps):
    s = apps.read_namespaced_stateful_set_scale(STS, NS)
    before = s.spec.replicas
    after = apps.patch_namespaced_stateful_set_scale(
        STS, NS, {"spec": {"replicas": before + 1}})
    sts = apps.read_namespaced_stateful_set(STS, NS)
    report("scale", isinstance(s, client.V1Scale)
           and after.spec.replicas == before + 1 and sts.spec.replicas == before + 1,
           selector=s.status.selector, before=before, after=after.spec.replicas)


@check("watch")
def watch_change(apps):
    rv = apps.list_namespaced_stateful_set(NS).metadata.resource_version
    w = watch.Watch()

    def change():
        time.sleep(0.5)
        apps.patch_namespaced_stateful_set(
            STS, NS, {"metadata": {"annotations": {"conformance/watched": "yes"}}})

    threading.Thread(target=change, daemon=True).start()
    seen = []
    # Watch.stream sends watch=True, which kube-apiserver reads as true.
    for ev in w.stream(apps.list_namespaced_stateful_set, NS,
                       resource_version=rv, timeout_seconds=10):
        obj = ev["object"]
        seen.append((ev["type"], obj.metadata.name))
        if (ev["type"] == "MODIFIED"
                and (obj.metadata.annotations or {}).get("conformance/watched") == "yes"):
            w.stop()
            break
    report("watch", seen and seen[-1] == ("MODIFIED", STS), seen=seen)


@check("apply")
def apply(api_client):
    dyn = dynamic.DynamicClient(api_client)
    res = dyn.resources.get(api_version="apps/v1", kind="StatefulSet")
    def body(value):
        return json.dumps({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": STS, "namespace": NS,
                         "labels": {"conformance/applied-by": value}},
        })
    # Another manager applies the label first and so owns it ...
    dyn.server_side_apply(res, body=body("other"), name=STS, namespace=NS,
                          field_manager="python-conformance-other")
    # ... so applying another value conflicts ...
    conflict = None
    try:
        dyn.server_side_apply(res, body=body("python"), name=STS,
                              namespace=NS, field_manager="python-conformance")
    except ApiException as e:
        conflict = e.status
    # ... unless forced, with the force=True the client sends.
    forced = dyn.server_side_apply(res, body=body("python"), name=STS, namespace=NS,
                                   field_manager="python-conformance",
                                   force_conflicts=True)
    report("apply", conflict == 409
           and forced.metadata.labels["conformance/applied-by"] == "python",
           conflict=conflict, labels=dict(forced.metadata.labels))


@check("events")
def events(events_api, core):
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    body = client.EventsV1Event(
        metadata=client.V1ObjectMeta(name="orders-db.python", namespace=NS),
        event_time=now, action="Checking", reason="Conformance",
        note="written through events.k8s.io/v1", type="Normal",
        reporting_controller="example.com/python-conformance",
        reporting_instance="python-conformance-1",
        regarding=client.V1ObjectReference(kind="StatefulSet", name=STS,
                                           namespace=NS, api_version="apps/v1"))
    events_api.create_namespaced_event(NS, body)
    listed = events_api.list_namespaced_event(NS).items
    mine = [e for e in listed if e.metadata.name == "orders-db.python"]
    as_core = core.read_namespaced_event("orders-db.python", NS)
    report("events", len(mine) == 1 and mine[0].note == body.note
           and mine[0].regarding.name == STS
           and mine[0].reporting_controller == body.reporting_controller
           and as_core.message == body.note and as_core.involved_object.name == STS,
           count=len(listed), note=mine[0].note if mine else None,
           coreMessage=as_core.message)


@check("gone")
def gone(apps, cluster):
    old = apps.list_namespaced_stateful_set(NS).metadata.resource_version
    apps.patch_namespaced_stateful_set(
        STS, NS, {"metadata": {"annotations": {"conformance/after": "compaction"}}})
    req = urllib.request.Request(
        "%s/clusters/%s/compact" % (ADMIN_URL, cluster), method="POST")
    urllib.request.urlopen(req).read()
    status = None
    try:
        for _ in watch.Watch().stream(apps.list_namespaced_stateful_set, NS,
                                      resource_version=old, timeout_seconds=5):
            pass
    except ApiException as e:
        status = e.status
    report("gone", status == 410, status=status)


def main():
    api_client = config.new_client_from_config(config_file=KUBECONFIG, context=CONTEXT)
    core = client.CoreV1Api(api_client)
    apps = client.AppsV1Api(api_client)
    nodes(core)
    statefulset(apps)
    scale(apps)
    watch_change(apps)
    apply(api_client)
    events(client.EventsV1Api(api_client), core)
    gone(apps, CONTEXT)


if __name__ == "__main__":
    main()
