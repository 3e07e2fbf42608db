#!/usr/bin/env bash
# One command, a whole Margo flow on this machine, with no server to
# install: a WFM and a device agent on loopback (embedded stores in a
# scratch directory); the sample application published the Margo way (its
# ApplicationDescription in a local git application registry, its compose
# package and its Helm chart as OCI artifacts in a local OCI layout); the
# registry added to the WFM's catalog; the application deployed to the
# agent's device through the operator API (`cadenza deploy`), pulled by the
# device through its artifacts provider and run; a parameter changed, then
# the deployment deleted. Every step and status is shown as it happens.
#
# Where it runs: by Compose on the Docker engine when one is reachable;
# otherwise through Helm on the cluster of the kubeconfig ($KUBECONFIG, else
# ~/.kube/config) when there is one; where neither exists, the device still
# fetches and verifies its desired state and pulls the package, the demo
# shows what it did and why it cannot run it, and says what to do next.
# Usage: tools/demo.sh (or make demo).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in go python3 curl; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "make demo needs ${missing[*]} on the PATH: install Go 1.26 (https://go.dev/dl/) and, on Debian or Ubuntu," >&2
  echo "  apt-get install python3 curl   (Docker is optional: without it the demo says what it could not run)" >&2
  exit 2
fi
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
indent() { sed 's/^/   /'; }
work=$(mktemp -d)
pids=()
volume=""
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$volume" ]; then docker volume rm "$volume" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# until SECONDS CMD...: run CMD every 0.5s until it succeeds, at most SECONDS.
until_ok() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

say "Building bin/cadenza (the first build takes a few minutes)"
go build -o bin/cadenza ./host
cadenza() { bin/cadenza "$@"; } # for foreground commands: in the background, a function is a subshell that ignores SIGINT

say "Starting the WFM on https://127.0.0.1:18443 (state in $work/wfm)"
sed -e "s#var/#$work/#g" -e 's#127.0.0.1:8443#127.0.0.1:18443#' samples/wfm.json > "$work/wfm.json"
python3 - "$work/wfm.json" <<'EOF'
# The operator deployments (managers.rollout) beside the catalog, if the
# sample config does not declare them yet.
import json, sys
path = sys.argv[1]
cfg = json.load(open(path))
fleet = next(v for v in cfg["vendors"] if v["type"] == "vendors.fleet")
if not any(m.get("type") == "managers.rollout" for m in fleet["managers"]):
    fleet["managers"].append({"name": "rollout", "type": "managers.rollout", "uses": {"state": "store"}, "interval": "30s"})
json.dump(cfg, open(path, "w"), indent=2)
EOF
bin/cadenza run --config "$work/wfm.json" 2> "$work/wfm.log" &
pids+=($!)
until_ok 10 grep -q "host started" "$work/wfm.log" || { cat "$work/wfm.log"; exit 1; }
grep -E "CA certificate written|server certificate issued|serving" "$work/wfm.log" | indent
export CADENZA_SERVER=https://127.0.0.1:18443/fleet/v1 CADENZA_CACERT="$work/wfm/ca.pem" CADENZA_TOKEN=sandbox-token

say "Publishing the sample application: a git application registry and an OCI layout (no server)"
go run ./tools/demorepo -apps samples/apps -git "$work/apps.git" -oci "$work/oci" | indent

say "Adding the registry to the WFM's catalog (cadenza registry add: POST /fleet/v1/registries)"
cadenza registry add demo --url "$work/apps.git" | indent
cadenza registry sync demo | indent

say "The catalog (cadenza app list, cadenza app show)"
cadenza app list | indent
cadenza app show cadenza-demo-echo | indent

# find_kubeconfig prints the kubeconfig workload.helm would use: the first
# existing file of $KUBECONFIG, else ~/.kube/config.
find_kubeconfig() {
  local p paths=()
  IFS=: read -ra paths <<< "${KUBECONFIG:-}"
  for p in "${paths[@]}" "${HOME:-/nonexistent}/.kube/config"; do
    if [ -n "$p" ] && [ -f "$p" ]; then echo "$p"; return 0; fi
  done
  return 1
}
# runtime: docker (Compose on the engine), helm (a kubeconfig's cluster) or none.
kubeconfig=""
if docker info >/dev/null 2>&1; then
  runtime=docker
elif kubeconfig=$(find_kubeconfig); then
  runtime=helm
else
  runtime=none
fi

say "Starting a device agent (its local API on http://127.0.0.1:18081)"
case $runtime in
  docker) echo "   its workloads run on the Docker engine (workload.compose)" ;;
  helm) echo "   no Docker engine is reachable; its workloads run through Helm on the cluster of $kubeconfig (workload.helm)" ;;
  none) echo "   no Docker engine is reachable and no kubeconfig exists (\$KUBECONFIG, ~/.kube/config): nothing can run its workloads" ;;
esac
sed -e "s#var/wfm/ca.pem#$work/wfm/ca.pem#" -e "s#var/agent#$work/agent#g" \
    -e 's#127.0.0.1:8443#127.0.0.1:18443#' -e 's#127.0.0.1:8081#127.0.0.1:18081#' \
    -e 's#"pollInterval": "15s"#"pollInterval": "1s"#' samples/agent.json > "$work/agent.json"
python3 - "$work/agent.json" "$work" "$kubeconfig" <<'EOF'
# The agent pulls oci:// compose packages and charts through an
# artifacts.oras provider bound to the workload providers' "artifacts" role;
# each registry host the demo published is served from its OCI layout
# directory instead of the network. With a kubeconfig, a workload.helm
# provider runs helm profiles on its cluster (managers.sync's "helm" role).
import json, os, sys
path, work, kubeconfig = sys.argv[1], sys.argv[2], sys.argv[3]
cfg = json.load(open(path))
provs = cfg["providers"]
name = next((n for n, p in provs.items() if p["type"] == "artifacts.oras"), None)
if name is None:  # declared before the compose provider that uses it
    name = "artifacts"
    provs = {name: {"type": "artifacts.oras", "config": {"cacheDir": work + "/agent/artifacts"}}, **provs}
oci = os.path.join(work, "oci")
regs = provs[name].setdefault("config", {}).setdefault("registries", {})
for host in sorted(os.listdir(oci)):
    regs[host] = {"layout": os.path.join(oci, host)}
if kubeconfig and not any(p["type"] == "workload.helm" for p in provs.values()):
    provs["helm"] = {"type": "workload.helm", "config": {"kubeconfig": kubeconfig}}
    sync = next(m for v in cfg["vendors"] for m in v.get("managers", []) if m["type"] == "managers.sync")
    sync.setdefault("uses", {})["helm"] = "helm"
for p in provs.values():
    if p["type"] in ("workload.compose", "workload.helm"):
        p.setdefault("uses", {}).setdefault("artifacts", name)
cfg["providers"] = provs
json.dump(cfg, open(path, "w"), indent=2)
EOF
bin/cadenza run --config "$work/agent.json" 2> "$work/agent.log" &
pids+=($!)
agent() { curl -s "http://127.0.0.1:18081/agent/v1$1"; }
client=""
onboarded() {
  client=$(agent /status 2>/dev/null | python3 -c 'import sys, json; d = json.load(sys.stdin); print(d["clientId"] if d.get("onboarded") else "")' 2>/dev/null || true)
  [ -n "$client" ]
}
until_ok 15 onboarded || { cat "$work/agent.log"; exit 1; }
until_ok 10 grep -q "accepted a new desired state" "$work/agent.log" || true
grep -E "artifact cache open|workload provider ready|helm provider ready|device identity created|onboarded|capabilities reported|accepted a new desired state" "$work/agent.log" | indent

if [ "$runtime" = docker ]; then
  say "Building the sample application's image (cadenza-demo/echo:1, no registry needed)"
  go run ./tools/demoimage | indent
fi

say "A parameter value the application's configuration schema refuses (greeting: 1 to 64 characters)"
cadenza deploy cadenza-demo-echo --name echo-demo --device "$client" --set-string greeting= 2>&1 | indent || true

# deploy ARGS...: cadenza deploy of the sample application to the device.
deploy() {
  say "Deploying cadenza-demo-echo to the device (cadenza deploy${*:+ $*}: POST /fleet/v1/deployments)"
  cadenza deploy cadenza-demo-echo --name echo-demo --device "$client" --set-string greeting="hello from the catalog flow" "$@" | indent
}

# placements prints "clientId deploymentId state" per device of the deployment.
# "- - gone" once the WFM has dropped the deployment.
placements() {
  local out
  if ! out=$(cadenza deployment show echo-demo -o json 2>&1); then
    if grep -q "no deployment" <<< "$out"; then echo "- - gone"; fi
    return 0
  fi
  python3 -c '
import sys, json
for d in json.load(sys.stdin)["devices"]:
    print(d["clientId"], d.get("deploymentId") or "-", d.get("state") or "-")' <<< "$out"
}
# follow prints each new per-device state until one of the states in $1
# (a regex), at most $2 seconds.
follow() {
  local want=$1 last="" line
  local deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    line=$(placements || true)
    if [ -n "$line" ] && [ "$line" != "$last" ]; then
      echo "$line" | awk '$3 == "gone" {print "   the WFM has dropped the deployment: every device removed it"; next} {print "   device " $1 ": " $3}'
      last=$line
    fi
    if grep -Eq " ($want)\$" <<< "$line"; then return 0; fi
    sleep 0.5
  done
  echo "   (no '$want' state within $2 s; the agent log follows)"; tail -20 "$work/agent.log" | indent
  return 1
}
status_title="Per-device status (GET /fleet/v1/deployments/echo-demo/devices) as the device reports it"
# agent_view prints the device's own view of its deployments (GET
# /agent/v1/deployments) and its last errors (GET /agent/v1/errors).
agent_view() {
  agent /deployments | python3 -c '
import sys, json
for d in json.load(sys.stdin)["items"]:
    print("deployment %s (%s, profile type %s, namespace %s): %s" % (d["deploymentId"], d.get("name", ""), d.get("profileType", ""), d.get("namespace") or "-", d["state"]))
    print("  digest %s: the YAML the manifest names, checked against it before it was accepted" % d.get("digest", "-"))
    for c in d.get("components", []):
        e = c.get("error") or {}
        print("  component %s: %s%s" % (c["name"], c["state"], (" [%s] %s" % (e.get("code", ""), e.get("message", ""))) if e else ""))
    if d.get("attempts"):
        print("  attempts %d, next retry %s" % (d["attempts"], d.get("nextRetry") or "none (permanent)"))' | indent
  echo "   last errors (GET /agent/v1/errors?limit=3):"
  agent "/errors?limit=3" | python3 -c '
import sys, json
for e in json.load(sys.stdin)["items"]:
    print("  %s %s %s: %s" % (e.get("time", "")[:19], e.get("kind", ""), e.get("code", ""), e.get("message", "")))' | indent
}

if [ "$runtime" = none ]; then
  deploy
  say "$status_title"
  state=failed
  follow "installed|failed" 90 || state=timeout
  say "What the device did (its log)"
  grep -E "accepted a new desired state.* changed=[1-9]|applying component|compose package pulled|compose package unavailable|compose up|component failed" "$work/agent.log" | head -6 | indent || true
  say "The device's own view (GET http://127.0.0.1:18081/agent/v1/deployments and /errors)"
  agent_view
  say "No Docker engine and no Kubernetes cluster here: the device could not run the workload"
  echo "   What the device did: it fetched its desired state from the WFM (the manifest), downloaded"
  echo "   the deployment's YAML and checked it against the digest the manifest names before accepting it;"
  if grep -q "compose package pulled" "$work/agent.log"; then
    echo "   then it pulled the compose package oci://registry.cadenza.demo/apps/echo:1.0.0 from the OCI"
    echo "   layout through its artifacts provider (every blob checked against its digest) and could not"
    echo "   start it: no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}."
  else
    echo "   then it could not run it (see its log and errors above)."
  fi
  if [ "$state" = timeout ]; then echo "   (it had not reported failed within 90 s: it keeps retrying with a backoff)"; fi
  echo "   There is no kubeconfig either (\$KUBECONFIG, ~/.kube/config), so no Helm cluster to use."
  echo "   Next: start dockerd (or point DOCKER_HOST at a running engine), or set KUBECONFIG to a"
  echo "   cluster's kubeconfig (kind, k3d, minikube...), then run make demo again."
  exit 0
fi

if [ "$runtime" = helm ]; then
  ns=cadenza-demo
  kube() { kubectl --kubeconfig "$kubeconfig" -n "$ns" "$@"; }
  say "The image: the cluster's nodes must already have cadenza-demo/echo:1"
  echo "   There is no image registry in this demo: the chart runs cadenza-demo/echo:1 with"
  echo "   imagePullPolicy IfNotPresent. Build it where a Docker engine runs (go run ./tools/demoimage)"
  echo "   and load it into the nodes, e.g. kind load docker-image cadenza-demo/echo:1 (minikube image"
  echo "   load, k3d image import). Without it the pod cannot start and the device reports failed"
  echo "   after the component's 2 minute timeout."
  deploy --profile cadenza-demo-echo-helm --namespace "$ns"
  say "$status_title"
  follow "installed|failed" 180
  grep -E "applying component|helm operation" "$work/agent.log" | indent || true
  if [ "$(placements | awk '{print $3; exit}')" != installed ]; then
    say "The device could not install the Helm release"
    agent_view
    echo "   Check that the cluster of $kubeconfig is reachable and that its nodes have cadenza-demo/echo:1."
    exit 1
  fi
  # greeting prints the GREETING the release's Deployment gives the server.
  greeting() {
    command -v kubectl >/dev/null || return 0
    kube get deployment -l app.kubernetes.io/name=echo \
      -o jsonpath='{range .items[*]}GREETING = {.spec.template.spec.containers[0].env[0].value}{"\n"}{end}' 2>&1 | indent || true
  }
  if command -v kubectl >/dev/null; then
    say "The release's pods (kubectl get pods -n $ns)"
    kube get pods -l app.kubernetes.io/name=echo -o wide 2>&1 | indent || true
    greeting
  else
    echo "   (kubectl is not installed here: the release's state is the one the device reports above)"
  fi
  say "Changing the greeting (cadenza deployment update: PATCH /fleet/v1/deployments/echo-demo)"
  cadenza deployment update echo-demo --set-string greeting="hello again, after an update" | indent
  if until_ok 180 grep -Eq "helm operation (done.*op=upgrading|failed)" "$work/agent.log"; then
    grep -E "helm operation (done.*op=upgrading|failed)" "$work/agent.log" | indent
    greeting
  else
    echo "   the release was not upgraded within 180 s"; tail -20 "$work/agent.log" | indent
  fi
  follow "installed|failed" 60 || true
  say "Deleting the deployment (cadenza deployment delete: DELETE /fleet/v1/deployments/echo-demo)"
  cadenza deployment delete echo-demo | indent
  follow "removed|gone" 180 || true
  grep -E "helm uninstall done" "$work/agent.log" | indent || true
  echo "   (the namespace $ns stays: kubectl delete namespace $ns removes it)"
  say "Done: logs were in $work (removed on exit)"
  exit 0
fi

deploy
say "$status_title"
follow "installed|failed" 120
dep=$(placements | awk '{print $2; exit}')
project="$dep-echo"
volume="${project}_data"
grep -E "compose package pulled|artifact pulled|compose up" "$work/agent.log" | indent
cadenza deployment show echo-demo | indent

say "The running container (docker ps), and what it says"
docker ps --filter "label=com.docker.compose.project=$project" --format '{{.ID}}  {{.Names}}  {{.Image}}  {{.Status}}  {{.Ports}}' | indent
before=$(docker ps -q --filter "label=com.docker.compose.project=$project")
curl -s http://127.0.0.1:18080/env | python3 -c 'import sys, json; print("   GREETING =", json.load(sys.stdin).get("GREETING"))'

say "Changing the greeting (cadenza deployment update: PATCH /fleet/v1/deployments/echo-demo)"
cadenza deployment update echo-demo --set-string greeting="hello again, after an update" | indent
recreated() {
  local now
  now=$(docker ps -q --filter "label=com.docker.compose.project=$project")
  [ -n "$now" ] && [ "$now" != "$before" ] &&
    curl -s http://127.0.0.1:18080/env | grep -q "hello again"
}
if until_ok 120 recreated; then
  docker ps --filter "label=com.docker.compose.project=$project" --format '{{.ID}}  {{.Names}}  {{.Status}}' | sed 's/^/   recreated: /'
  curl -s http://127.0.0.1:18080/env | python3 -c 'import sys, json; print("   GREETING =", json.load(sys.stdin).get("GREETING"))'
else
  echo "   the container was not recreated within 120 s"; tail -20 "$work/agent.log" | indent
fi
follow "installed|failed" 60 || true

say "Deleting the deployment (cadenza deployment delete: DELETE /fleet/v1/deployments/echo-demo)"
cadenza deployment delete echo-demo | indent
gone() { [ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$project")" ]; }
follow "removed|gone" 120 || true
if until_ok 60 gone; then echo "   no container of $project is left"; fi
say "Done: logs were in $work (removed on exit)"
