#!/usr/bin/env bash
# One command, a whole Margo flow on this machine, with no server to
# install: a WFM and a device agent on loopback (embedded stores in a
# scratch directory); the sample application published the Margo way (its
# ApplicationDescription in a local git application registry, its compose
# package as an OCI artifact in a local OCI layout); the registry added to
# the WFM's catalog; the application deployed to the agent's device through
# the operator API (`cadenza deploy`), pulled by the device through its
# artifacts provider and run by Compose on the local Docker engine; a
# parameter changed, then the deployment deleted. Every step and status is
# shown as it happens. Usage: tools/demo.sh (or make demo).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
indent() { sed 's/^/   /'; }
work=$(mktemp -d)
pids=()
volume=""
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "$volume" ] && docker volume rm "$volume" >/dev/null 2>&1 || true
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

say "Starting a device agent (its local API on http://127.0.0.1:18081)"
sed -e "s#var/wfm/ca.pem#$work/wfm/ca.pem#" -e "s#var/agent#$work/agent#g" \
    -e 's#127.0.0.1:8443#127.0.0.1:18443#' -e 's#127.0.0.1:8081#127.0.0.1:18081#' \
    -e 's#"pollInterval": "15s"#"pollInterval": "1s"#' samples/agent.json > "$work/agent.json"
python3 - "$work/agent.json" "$work" <<'EOF'
# The agent pulls oci:// compose packages through an artifacts.oras provider
# bound to workload.compose's "artifacts" role; each registry host the demo
# published is served from its OCI layout directory instead of the network.
import json, os, sys
path, work = sys.argv[1], sys.argv[2]
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
for p in provs.values():
    if p["type"] == "workload.compose":
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
grep -E "artifact cache open|compose workload provider ready|device identity created|onboarded|capabilities reported|accepted a new desired state" "$work/agent.log" | indent

if ! docker info >/dev/null 2>&1; then
  say "No Docker engine is reachable here: the agent has onboarded and verified its desired state;"
  echo "   start dockerd (or give the agent a Helm provider and a kubeconfig) to run workloads."
  exit 0
fi
say "Building the sample application's image (cadenza-demo/echo:1, no registry needed)"
go run ./tools/demoimage | indent

say "A parameter value the application's configuration schema refuses (greeting: 1 to 64 characters)"
cadenza deploy cadenza-demo-echo --name echo-demo --device "$client" --set-string greeting= 2>&1 | indent || true

say "Deploying cadenza-demo-echo to the device (cadenza deploy: POST /fleet/v1/deployments)"
cadenza deploy cadenza-demo-echo --name echo-demo --device "$client" --set-string greeting="hello from the catalog flow" | indent

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
say "Per-device status (GET /fleet/v1/deployments/echo-demo/devices) as the device reports it"
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
