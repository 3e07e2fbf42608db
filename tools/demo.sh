#!/usr/bin/env bash
# One command, a whole Margo flow on this machine: a WFM and a device agent
# on loopback (embedded stores in a scratch directory), the sample
# application deployed to the agent through the operator API and run by
# Compose on the local Docker engine, each step and status shown as it
# happens, then removed. Usage: tools/demo.sh (or make demo).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

say "Building bin/cadenza (the first build takes a few minutes)"
go build -o bin/cadenza ./host

say "Starting the WFM on https://127.0.0.1:18443 (state in $work/wfm)"
sed -e "s#var/#$work/#g" -e 's#127.0.0.1:8443#127.0.0.1:18443#' samples/wfm.json > "$work/wfm.json"
bin/cadenza run --config "$work/wfm.json" 2> "$work/wfm.log" &
pids+=($!)
for _ in $(seq 1 100); do grep -q "host started" "$work/wfm.log" && break; sleep 0.1; done
grep -q "host started" "$work/wfm.log" || { cat "$work/wfm.log"; exit 1; }
grep -E "CA certificate written|server certificate issued|serving" "$work/wfm.log" | sed 's/^/   /'

say "Starting a device agent (its local API on http://127.0.0.1:18081)"
sed -e "s#var/wfm/ca.pem#$work/wfm/ca.pem#" -e "s#var/agent#$work/agent#g" \
    -e 's#127.0.0.1:8443#127.0.0.1:18443#' -e 's#127.0.0.1:8081#127.0.0.1:18081#' \
    -e 's#"pollInterval": "15s"#"pollInterval": "1s"#' samples/agent.json > "$work/agent.json"
bin/cadenza run --config "$work/agent.json" 2> "$work/agent.log" &
pids+=($!)
agent() { curl -s "http://127.0.0.1:18081/agent/v1$1"; }
client=""
for _ in $(seq 1 100); do
  client=$(agent /status 2>/dev/null | python3 -c 'import sys, json; d = json.load(sys.stdin); print(d["clientId"] if d.get("onboarded") else "")' 2>/dev/null || true)
  [ -n "$client" ] && break; sleep 0.1
done
[ -n "$client" ] || { cat "$work/agent.log"; exit 1; }
grep -E "device identity created|onboarded|capabilities reported|accepted a new desired state" "$work/agent.log" | sed 's/^/   /'

op() { curl -s --cacert "$work/wfm/ca.pem" -H "Authorization: Bearer sandbox-token" "$@"; }
base=https://127.0.0.1:18443/fleet/v1/clients/$client
dep=5b2e8f0a-3c4d-4e6f-8a9b-1c2d3e4f5a6b

if ! docker info >/dev/null 2>&1; then
  say "No Docker engine is reachable here: the agent has onboarded and verified its desired state;"
  echo "   start dockerd (or give the agent a Helm provider and a kubeconfig) to run workloads."
  exit 0
fi
say "Building the sample application's image (cadenza-demo/echo:1, no registry needed)"
go run ./tools/demoimage | sed 's/^/   /'

say "Assigning samples/apps/echo/deployment.yaml to the device (operator API)"
op -H 'Content-Type: application/yaml' -X PUT --data-binary @samples/apps/echo/deployment.yaml "$base/deployments" \
  | python3 -c 'import sys, json; d = json.load(sys.stdin); print("   deployment", d["deploymentId"], "digest", d["digest"])'

say "Status reports as the WFM receives them"
seen=0
for _ in $(seq 1 600); do
  states=$(op "$base/deployments/$dep/status" | python3 -c 'import sys, json; print(" ".join(i["state"] for i in reversed(json.load(sys.stdin).get("items", []))))' 2>/dev/null || true)
  n=$(wc -w <<< "$states")
  if [ "$n" -gt "$seen" ]; then for s in $(echo "$states" | cut -d' ' -f$((seen+1))-); do echo "   $s"; done; seen=$n; fi
  case "$states" in *installed*|*failed*) break;; esac
  sleep 0.2
done

say "The application answers, with the parameter the WFM sent (GREETING)"
curl -s http://127.0.0.1:18080/env | python3 -c 'import sys, json; print("   GREETING =", json.load(sys.stdin).get("GREETING"))'

say "Removing the deployment"
op -X DELETE "$base/deployments/$dep" -o /dev/null
for _ in $(seq 1 300); do
  s=$(agent /deployments | python3 -c 'import sys, json; print([d["state"] for d in json.load(sys.stdin)["items"]])')
  case "$s" in *removed*) echo "   agent: $s"; break;; esac
  sleep 0.2
done
docker volume rm "$dep-echo_data" >/dev/null 2>&1 || true
say "Done: logs were in $work (removed on exit)"
