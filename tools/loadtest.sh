#!/usr/bin/env bash
# Measures the running binary: starts a WFM on a scratch directory, runs the
# load generator in 304 and 200 mode, reports memory, and stops the WFM.
# Usage: tools/loadtest.sh [clients] [seconds] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-50}; secs=${2:-10}; conc=${3:-8}
go build -o bin/cadenza ./host
go build -o bin/loadgen ./tools/loadgen
work=$(mktemp -d)
trap 'kill -INT $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
sed -e "s#var/#$work/#g" -e 's#127.0.0.1:8443#127.0.0.1:18443#' samples/wfm.json > "$work/wfm.json"
bin/cadenza run --config "$work/wfm.json" 2> "$work/wfm.log" &
pid=$!
for _ in $(seq 1 100); do grep -q "host started" "$work/wfm.log" && break; sleep 0.1; done
grep -q "host started" "$work/wfm.log" || { cat "$work/wfm.log"; exit 1; }
url=https://127.0.0.1:18443/api/v1
rss() { awk '/VmRSS/ {print $2" kB"}' /proc/$pid/status; }
echo "WFM RSS before: $(rss)"
bin/loadgen -url $url -clients "$clients" -duration "${secs}s" -concurrency "$conc" -mode 304
bin/loadgen -url $url -clients "$clients" -duration "${secs}s" -concurrency "$conc" -mode 200
echo "WFM RSS after $((2*clients)) clients: $(rss)"
