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
#
# Every step that fails ends the demo with a non-zero status, saying what
# failed and what to do. On every exit (success, failure, Ctrl-C, SIGTERM)
# it stops the WFM and the agent, removes the containers, networks and
# volumes of the device's Compose project (by its com.docker.compose.project
# label) and its scratch directory. It never reuses an earlier run's state:
# it removes what a killed run left (bin/.demo-state lists it; see
# tools/demo-state.sh) and refuses to start while its ports are taken.
# tools/demo-interrupt-check.sh (make demo-check) checks all of this.
#
# The device agent speaks Margo P1 (samples/agent.json: it onboards with a
# key of its own and signs its requests) unless --profile rc.3 (make demo
# PROFILE=rc.3) is given: then, once the WFM is up, the demo shows the Margo
# Identity Service's discovery document, issues the device's X.509-SVID
# with `cadenza identity issue`, shows that the device API wants it (mutual
# TLS) and starts the agent of samples/agent-rc3.json (rc.3, MIAF) on it;
# the deployment, its update and its deletion are the same, the WFM
# rendering rc.3 documents for that device (shown) and the device reporting
# rc.3 statuses. The WFM of samples/wfm.json serves both profiles on one
# listener; the cleanup is the same for both.
# Usage: tools/demo.sh [--profile p1|rc.3] (or make demo [PROFILE=rc.3]).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
# The device API profile of the agent: refused at once when unknown.
profile=p1
while [ $# -gt 0 ]; do
  case $1 in
    --profile) [ $# -ge 2 ] || { echo "tools/demo.sh: --profile needs a value: p1 or rc.3" >&2; exit 2; }; profile=${2:-p1}; shift 2 ;;
    --profile=*) profile=${1#--profile=}; profile=${profile:-p1}; shift ;;
    *) echo "tools/demo.sh: unknown argument \"$1\"; usage: tools/demo.sh [--profile p1|rc.3] (or make demo [PROFILE=rc.3])" >&2; exit 2 ;;
  esac
done
case $profile in
  p1 | rc.3) ;;
  *)
    echo "make demo: unknown PROFILE \"$profile\": use PROFILE=p1 (the default: the device agent speaks Margo P1, signed requests)" >&2
    echo "  or PROFILE=rc.3 (Margo rc.3, MIAF: the device agent on an X.509-SVID, mutual TLS); nothing was started" >&2
    exit 2 ;;
esac
missing=()
for tool in go python3 curl; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "make demo needs ${missing[*]} on the PATH: install Go 1.26 (https://go.dev/dl/) and, on Debian or Ubuntu," >&2
  echo "  apt-get install python3 curl   (Docker is optional: without it the demo says what it could not run)" >&2
  exit 2
fi
# shellcheck source=tools/demo-state.sh
. tools/demo-state.sh
say() { step=$*; printf '\n\033[1m== %s\033[0m\n' "$*"; }
indent() { sed 's/^/   /'; }

# What this run has started or made; cleanup removes all of it, on every
# exit: success, failure (fail, or any command that fails), SIGINT (Ctrl-C),
# SIGTERM, SIGHUP. SIGKILL leaves it: the next run removes it (remove_leftovers).
step="checking for a previous demo"
work="" wfm_pid="" agent_pid="" runtime=none kubeconfig="" helm_release=0 own_ledger=0
projects=() # the Compose projects of the device (see tools/demo-state.sh)

trap 'on_err $? $LINENO "$BASH_COMMAND" "${BASH_SOURCE[0]:-tools/demo.sh}"' ERR
trap 'interrupted INT 130' INT
trap 'interrupted TERM 143' TERM
trap 'interrupted HUP 129' HUP
trap cleanup EXIT

# find_kubeconfig prints the kubeconfig workload.helm would use: the first
# existing file of $KUBECONFIG, else ~/.kube/config.
find_kubeconfig() {
  local p paths=()
  IFS=: read -ra paths <<< "${KUBECONFIG:-}"
  for p in ${paths[@]+"${paths[@]}"} "${HOME:-/nonexistent}/.kube/config"; do
    if [ -n "$p" ] && [ -f "$p" ]; then echo "$p"; return 0; fi
  done
  return 1
}
# runtime: docker (Compose on the engine), helm (a kubeconfig's cluster) or none.
if docker_ok; then
  runtime=docker
elif kubeconfig=$(find_kubeconfig); then
  runtime=helm
else
  runtime=none
fi

# No stale state: what a previous run left is removed (or the demo refuses
# to start, saying why), and its ports must be free, so that nothing shown
# below can come from an earlier run.
remove_leftovers || fail "another demo is running, or a previous one left state that could not be removed (above)" \
  "do what the message above says, then run make demo again"
ledger_add "demo $$"
own_ledger=1
for port in 18443 18081; do
  if port_busy "$port"; then
    fail "port $port of 127.0.0.1 is in use, by $(port_holder "$port")" \
      "stop what listens on it (make demo needs 127.0.0.1:18443 for the WFM and :18081 for the agent), then run make demo again"
  fi
done
if [ "$runtime" = docker ]; then
  remove_orphan_projects || fail "could not remove the Compose projects an earlier demo left (above)" "remove them as said above, then run make demo again"
  if port_busy 18080 || [ -n "$(docker ps -q --filter publish=18080)" ]; then
    fail "port 18080 of 127.0.0.1, where the sample application answers, is in use, by $(port_holder 18080)" \
      "stop it (a container: docker rm -f NAME), then run make demo again"
  fi
fi
work=$(mktemp -d "${demo_scratch_prefix}XXXXXX")
ledger_add "dir $work"

say "Building bin/cadenza (the first build takes a few minutes)"
go build -o bin/cadenza ./host || fail "go build failed (above)" "fix the build error (Go 1.26 is needed), then run make demo again"
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
wfm_pid=$!
ledger_add "pid $wfm_pid $work/wfm.json"
until_ok 10 grep -q "host started" "$work/wfm.log" || fail "the WFM did not start within 10 s" "its log below says why; fix it and run make demo again"
if [ "$profile" = rc.3 ]; then
  grep -E "CA certificate written|server certificate issued|trust domain ready|trust bundle anchors written|serving" "$work/wfm.log" | indent || true
  echo "   one listener for both profiles: P1 (signed requests) and rc.3 (mutual TLS, client certificates"
  echo "   verified against $work/wfm/bundle.pem, the trust bundle's anchors)"
else
  grep -E "CA certificate written|server certificate issued|serving" "$work/wfm.log" | indent || true
fi
export CADENZA_SERVER=https://127.0.0.1:18443/fleet/v1 CADENZA_CACERT="$work/wfm/ca.pem" CADENZA_TOKEN=sandbox-token

if [ "$profile" = rc.3 ]; then
  say "rc.3: the Margo Identity Service's discovery document (curl --cacert $work/wfm/ca.pem https://127.0.0.1:18443/.well-known/margo)"
  discovery=$(curl -fsS --max-time 5 --cacert "$work/wfm/ca.pem" https://127.0.0.1:18443/.well-known/margo) ||
    fail "the WFM does not serve the identity service's discovery document (/.well-known/margo)" \
      "samples/wfm.json needs its managers.identity (the rc.3 identity service); restore it, then run make demo again"
  echo "$discovery" | indent
  bundle_uri=$(python3 -c 'import sys, json; print(json.load(sys.stdin)["trustBundleUri"])' <<< "$discovery")
  curl -fsS --max-time 5 --cacert "$work/wfm/ca.pem" "$bundle_uri" | python3 -c '
import sys, json
keys = json.load(sys.stdin).get("keys", [])
print("the trust bundle (%s): %d anchor(s) for X.509-SVIDs" % (sys.argv[1], sum(1 for k in keys if k.get("use") == "x509-svid")))' "$bundle_uri" | indent ||
    fail "the trust bundle $bundle_uri could not be read" "the WFM log below says why; fix it and run make demo again"
fi

say "Publishing the sample application: a git application registry and an OCI layout (no server)"
go run ./tools/demorepo -apps samples/apps -git "$work/apps.git" -oci "$work/oci" | indent ||
  fail "publishing the sample application (go run ./tools/demorepo) failed (above)" "fix what it reports in samples/apps, then run make demo again"

say "Adding the registry to the WFM's catalog (cadenza registry add: POST /fleet/v1/registries)"
cadenza registry add demo --url "$work/apps.git" | indent || fail "cadenza registry add failed (above)" "see the WFM log below, then run make demo again"
cadenza registry sync demo | indent || fail "cadenza registry sync failed (above)" "fix what it reports about the registry, then run make demo again"

say "The catalog (cadenza app list, cadenza app show)"
cadenza app list | indent || fail "cadenza app list failed (above)" "see the WFM log below, then run make demo again"
cadenza app show cadenza-demo-echo | indent || fail "the catalog has no cadenza-demo-echo (above)" "check that samples/apps/echo is a valid package (go run ./tools/demorepo -apps samples/apps -git DIR -oci DIR)"

rc3_client=rc3-client # the client id of the rc.3 device: its SVID's spiffe://.../client/rc3-client
# rc3_curl PATH [CURL ARGS...]: the WFM's device API over mutual TLS, with the device's SVID.
rc3_curl() {
  local path=$1; shift
  curl -sS --max-time 5 --cacert "$work/agent/svid-ca.pem" --cert "$work/agent/svid-cert.pem" --key "$work/agent/svid-key.pem" "$@" "https://127.0.0.1:18443$path"
}
if [ "$profile" = rc.3 ]; then
  say "rc.3: issuing the device's X.509-SVID (cadenza identity issue $rc3_client --out $work/agent: POST /fleet/v1/clients/$rc3_client/svid)"
  cadenza identity issue "$rc3_client" --out "$work/agent" | indent ||
    fail "cadenza identity issue failed (above)" "see the WFM log below, then run make demo again"
  say "rc.3: the device API wants the SVID (GET /api/v1/deployments without a client certificate, then with it)"
  out=$(curl -sS --max-time 5 --cacert "$work/agent/svid-ca.pem" https://127.0.0.1:18443/api/v1/deployments 2>&1 || true)
  python3 -c '
import sys, json
try:
    p = json.loads(sys.argv[1])
    print("without: %s %s: %s" % (p["status"], p.get("type", ""), p.get("detail", "")))
except (ValueError, KeyError, TypeError):
    print("without:", sys.argv[1])' "$out" | indent
  out=$(rc3_curl /api/v1/deployments -f) ||
    fail "the WFM refused the device's fresh SVID on its device API (above)" "see the WFM log below, then run make demo again"
  echo "   with the SVID: $out"
fi

if [ "$profile" = rc.3 ]; then
  say "Starting a device agent in rc.3 (MIAF) mode on that SVID (samples/agent-rc3.json; its local API on http://127.0.0.1:18081)"
else
  say "Starting a device agent (its local API on http://127.0.0.1:18081)"
fi
case $runtime in
  docker) echo "   its workloads run on the Docker engine (workload.compose)" ;;
  helm) echo "   no Docker engine is reachable; its workloads run through Helm on the cluster of $kubeconfig (workload.helm)" ;;
  none) echo "   no Docker engine is reachable and no kubeconfig exists (\$KUBECONFIG, ~/.kube/config): nothing can run its workloads" ;;
esac
if [ "$profile" = rc.3 ]; then
  # Its SVID, key and trust anchors (svid-*.pem), state, artifact cache and
  # Compose projects all in $work/agent, where the cleanup looks.
  sed -e "s#var/agent-rc3#$work/agent#g" -e "s#var/oci/#$work/oci/#g" \
      -e 's#127.0.0.1:8443#127.0.0.1:18443#' -e 's#127.0.0.1:8082#127.0.0.1:18081#' \
      -e 's#"pollInterval": "15s"#"pollInterval": "1s"#' samples/agent-rc3.json > "$work/agent.json"
  if grep -Eq '"var/|127\.0\.0\.1:(8443|8082)' "$work/agent.json" || ! grep -q '"profile": "rc.3"' "$work/agent.json"; then
    fail "samples/agent-rc3.json is not the rc.3 agent config the demo adapts (a profile \"rc.3\", paths in var/agent-rc3, the WFM on 127.0.0.1:8443, listening on 127.0.0.1:8082)" \
      "restore samples/agent-rc3.json (or adapt tools/demo.sh to it), then run make demo again"
  fi
else
  sed -e "s#var/wfm/ca.pem#$work/wfm/ca.pem#" -e "s#var/agent#$work/agent#g" \
      -e 's#127.0.0.1:8443#127.0.0.1:18443#' -e 's#127.0.0.1:8081#127.0.0.1:18081#' \
      -e 's#"pollInterval": "15s"#"pollInterval": "1s"#' samples/agent.json > "$work/agent.json"
fi
python3 - "$work/agent.json" "$work" "$kubeconfig" <<'EOF'
# The agent pulls oci:// compose packages and charts through an
# artifacts.oras provider bound to the workload providers' "artifacts" role;
# each registry host the demo published is served from its OCI layout
# directory instead of the network. With a kubeconfig, a workload.helm
# provider, added to managers.sync's "workload" list, runs helm profiles on its cluster.
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
    uses = sync.setdefault("uses", {})
    runtimes = uses.get("workload", [])
    runtimes = [runtimes] if isinstance(runtimes, str) else list(runtimes)
    uses["workload"] = runtimes + ["helm"]
for p in provs.values():
    if p["type"] in ("workload.compose", "workload.helm"):
        p.setdefault("uses", {}).setdefault("artifacts", name)
cfg["providers"] = provs
json.dump(cfg, open(path, "w"), indent=2)
EOF
bin/cadenza run --config "$work/agent.json" 2> "$work/agent.log" &
agent_pid=$!
ledger_add "pid $agent_pid $work/agent.json"
agent() { curl -s "http://127.0.0.1:18081/agent/v1$1"; }
client=""
onboarded() {
  client=$(agent /status 2>/dev/null | python3 -c 'import sys, json; d = json.load(sys.stdin); print(d["clientId"] if d.get("onboarded") else "")' 2>/dev/null || true)
  [ -n "$client" ]
}
if [ "$profile" = rc.3 ]; then
  until_ok 15 onboarded || fail "the rc.3 device agent did not connect to the WFM within 15 s (no \"rc.3 client ready\")" "its log below says why; fix it and run make demo again"
  until_ok 10 grep -q "accepted a new desired state" "$work/agent.log" || true
  grep -E "artifact cache open|workload provider ready|helm provider ready|trust bundle updated|rc.3 client ready|capabilities reported|accepted a new desired state" "$work/agent.log" | indent || true
  agent /status | python3 -c '
import sys, json
s = json.load(sys.stdin).get("svid") or {}
print("the SVID it presents (GET /agent/v1/status): %s, serial %s, valid until %s" % (s.get("spiffeId", "none"), s.get("serial", "-"), s.get("notAfter", "-")))' | indent || true
  say "rc.3: the device's capabilities as the WFM received them (cadenza device show $client)"
  cadenza device show "$client" | indent || fail "the WFM has no capabilities of client $client (above)" "the agent log below says why; fix it and run make demo again"
else
  until_ok 15 onboarded || fail "the device agent did not onboard with the WFM within 15 s" "its log below says why; fix it and run make demo again"
  until_ok 10 grep -q "accepted a new desired state" "$work/agent.log" || true
  grep -E "artifact cache open|workload provider ready|helm provider ready|device identity created|onboarded|capabilities reported|accepted a new desired state" "$work/agent.log" | indent || true
fi

if [ "$runtime" = docker ]; then
  say "Building the sample application's image (cadenza-demo/echo:1, no registry needed)"
  go run ./tools/demoimage | indent ||
    fail "building the image cadenza-demo/echo:1 (go run ./tools/demoimage) failed (above)" "check that the Docker engine works (docker info), then run make demo again"
fi

say "A parameter value the application's configuration schema refuses (greeting: 1 to 64 characters)"
cadenza deploy cadenza-demo-echo --name echo-demo --device "$client" --set-string greeting= 2>&1 | indent || true

# deploy ARGS...: cadenza deploy of the sample application to the device.
deploy() {
  say "Deploying cadenza-demo-echo to the device (cadenza deploy${*:+ $*}: POST /fleet/v1/deployments)"
  cadenza deploy cadenza-demo-echo --name echo-demo --device "$client" --set-string greeting="hello from the catalog flow" "$@" | indent ||
    fail "cadenza deploy failed (above)" "see the WFM log below, then run make demo again"
  if [ "$profile" = rc.3 ]; then rc3_document; fi
}
# rc3_document shows the rc.3 ApplicationDeployment the WFM rendered for
# the device: its manifest, then the document it names, as the device gets them.
rc3_document() {
  local manifest info url
  say "rc.3: the ApplicationDeployment the WFM rendered for the device (GET /api/v1/deployments, then the document it names, with the SVID)"
  manifest=$(rc3_curl /api/v1/deployments -f) || fail "the device's manifest could not be read over mutual TLS (above)" "see the WFM log below, then run make demo again"
  info=$(python3 -c '
import sys, json
m = json.load(sys.stdin)
for d in m.get("deployments") or []:
    print("manifest version %d: deployment %s, digest %s" % (m["manifestVersion"], d["deploymentId"], d["digest"]))
    print(d["url"])
    break' <<< "$manifest") || true
  url=$(tail -n 1 <<< "$info")
  if [ -z "$url" ] || [ "$url" = "$info" ]; then
    fail "the device's manifest names no deployment: $manifest" "see the WFM log below, then run make demo again"
  fi
  head -n 1 <<< "$info" | indent
  rc3_curl "$url" -f | indent || fail "the deployment document $url could not be read over mutual TLS (above)" "see the WFM log below, then run make demo again"
}
# rc3_reports shows the rc.3 status reports the device sent (its log) and
# whether the WFM acknowledged them all (the agent's status queue is empty).
rc3_reports() {
  [ "$profile" = rc.3 ] || return 0
  echo "   the device's status reports (POST /api/v1/deployments/{id}/status, with adoptedManifestVersion), from its log:"
  grep -E "deployment status" "$work/agent.log" | indent || true
  queue_empty() { [ "$(agent /status | python3 -c 'import sys, json; print(json.load(sys.stdin).get("statusQueueDepth", 0))' 2>/dev/null)" = 0 ]; }
  if until_ok 5 queue_empty; then
    echo "   all acknowledged by the WFM (the agent's status queue is empty: GET /agent/v1/status)"
  else
    echo "   some are still queued on the device (GET /agent/v1/status: statusQueueDepth > 0); it keeps sending them"
  fi
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
    check_alive
    line=$(placements || true)
    if [ -n "$line" ] && [ "$line" != "$last" ]; then
      echo "$line" | awk '$3 == "gone" {print "   the WFM has dropped the deployment: every device removed it"; next} {print "   device " $1 ": " $3}'
      last=$line
    fi
    if grep -Eq " ($want)\$" <<< "$line"; then return 0; fi
    sleep 0.5
  done
  echo "   (no '$want' state within $2 s)"
  return 1
}
# state prints the device's state of the deployment ("gone" once dropped).
device_state() { placements | awk '{print $3; exit}'; }
status_title="Per-device status (GET /fleet/v1/deployments/echo-demo/devices) as the device reports it"
if [ "$profile" = rc.3 ]; then
  status_title="$status_title (rc.3 status documents over mutual TLS)"
fi
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
  rc3_reports
  say "What the device did (its log)"
  grep -E "accepted a new desired state.* changed=[1-9]|applying component|compose package pulled|compose package unavailable|compose up|component failed" "$work/agent.log" | head -6 | indent || true
  say "The device's own view (GET http://127.0.0.1:18081/agent/v1/deployments and /errors)"
  agent_view || true
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
  helm_release=1
  deploy --profile cadenza-demo-echo-helm --namespace "$ns"
  say "$status_title"
  follow "installed|failed" 180 || fail "the device reported neither installed nor failed within 180 s" \
    "check that the cluster of $kubeconfig is reachable, then run make demo again"
  grep -E "applying component|helm operation" "$work/agent.log" | indent || true
  rc3_reports
  if [ "$(device_state)" != installed ]; then
    say "The device could not install the Helm release"
    agent_view || true
    fail "the device could not install the Helm release (its errors above)" \
      "check that the cluster of $kubeconfig is reachable and that its nodes have cadenza-demo/echo:1, then run make demo again"
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
  cadenza deployment update echo-demo --set-string greeting="hello again, after an update" | indent ||
    fail "cadenza deployment update failed (above)" "see the WFM log below, then run make demo again"
  until_ok 180 grep -Eq "helm operation (done.*op=upgrading|failed)" "$work/agent.log" ||
    fail "the device did not upgrade the Helm release within 180 s" "its log below says where it stopped"
  grep -E "helm operation (done.*op=upgrading|failed)" "$work/agent.log" | indent || true
  greeting
  follow "installed|failed" 60 && [ "$(device_state)" = installed ] ||
    fail "the device did not report the upgraded release installed" "its log below says why"
  say "Deleting the deployment (cadenza deployment delete: DELETE /fleet/v1/deployments/echo-demo)"
  cadenza deployment delete echo-demo | indent ||
    fail "cadenza deployment delete failed (above)" "see the WFM log below, then run make demo again"
  follow "removed|gone" 180 || fail "the device did not remove the release within 180 s" "its log below says why"
  helm_release=0
  grep -E "helm uninstall done" "$work/agent.log" | indent || true
  echo "   (the namespace $ns stays: kubectl delete namespace $ns removes it)"
  say "Done"
  exit 0
fi

# The Docker engine: the device runs the application as the Compose project
# <deployment id>-echo (workload.compose's ProjectName), known as soon as the
# WFM has placed the deployment; cleanup removes it by its label.
deploy
dep=$(placements | awk '$2 != "-" {print $2; exit}')
[ -n "$dep" ] || fail "the WFM placed echo-demo on no device" "cadenza deployment show echo-demo says why"
project="$dep-echo"
projects+=("$project")
ledger_add "project $project"
echo "   the device runs it as the Compose project $project"
say "$status_title"
follow "installed|failed" 120 || fail "the device reported neither installed nor failed within 120 s" "its log below says where it stopped"
if [ "$(device_state)" != installed ]; then
  say "The device could not install the application"
  agent_view || true
  fail "the device could not install the application (its errors above)" \
    "check the Docker engine (docker info) and that cadenza-demo/echo:1 exists (go run ./tools/demoimage), then run make demo again"
fi
grep -E "compose package pulled|artifact pulled|compose up" "$work/agent.log" | indent || true
rc3_reports
cadenza deployment show echo-demo | indent || fail "cadenza deployment show failed (above)" "see the WFM log below"

# greeting prints what the application on port 18080 says its GREETING is.
greeting() {
  curl -fsS --max-time 5 http://127.0.0.1:18080/env | python3 -c 'import sys, json; print("   GREETING =", json.load(sys.stdin).get("GREETING"))'
}
# container prints the id of the project's running container that publishes
# port 18080: the one the demo talks to, and no one else's.
container() { docker ps -q --filter "label=com.docker.compose.project=$project" --filter publish=18080; }
say "The running container (docker ps), and what it says"
docker ps --filter "label=com.docker.compose.project=$project" --format '{{.ID}}  {{.Names}}  {{.Image}}  {{.Status}}  {{.Ports}}' | indent
before=$(container)
[ -n "$before" ] || fail "no running container of the Compose project $project publishes port 18080" "the agent log below says what Compose did"
greeting || fail "the application did not answer on http://127.0.0.1:18080/env" "docker logs $before may say why"

say "Changing the greeting (cadenza deployment update: PATCH /fleet/v1/deployments/echo-demo)"
cadenza deployment update echo-demo --set-string greeting="hello again, after an update" | indent ||
  fail "cadenza deployment update failed (above)" "see the WFM log below, then run make demo again"
recreated() {
  local now
  now=$(container)
  [ -n "$now" ] && [ "$now" != "$before" ] &&
    curl -fsS --max-time 5 http://127.0.0.1:18080/env 2>/dev/null | grep -q "hello again"
}
until_ok 120 recreated || fail "the container was not recreated with the new greeting within 120 s" "the agent log below says where it stopped"
docker ps --filter "label=com.docker.compose.project=$project" --format '{{.ID}}  {{.Names}}  {{.Status}}' | sed 's/^/   recreated: /'
greeting || fail "the recreated application did not answer on http://127.0.0.1:18080/env" "docker logs $(container) may say why"
follow "installed|failed" 60 && [ "$(device_state)" = installed ] ||
  fail "the device did not report the updated deployment installed" "the agent log below says why"

say "Deleting the deployment (cadenza deployment delete: DELETE /fleet/v1/deployments/echo-demo)"
cadenza deployment delete echo-demo | indent ||
  fail "cadenza deployment delete failed (above)" "see the WFM log below, then run make demo again"
gone() { [ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$project")" ]; }
follow "removed|gone" 120 || fail "the device did not remove the deployment within 120 s" "the agent log below says where it stopped"
until_ok 60 gone || fail "the containers of $project were still there 60 s after the device removed the deployment" "the agent log below says what Compose did"
echo "   no container of $project is left (the device keeps its volume, as compose down does; the cleanup below removes it)"
say "Done"
