#!/usr/bin/env bash
# Checks that make demo (tools/demo.sh) leaves nothing behind, whatever ends
# it: it runs the demo several times and signals it at a different step each
# time, the way a terminal's Ctrl-C does (SIGINT to its whole process group)
# or a supervisor does (SIGTERM to the script alone), lets one run complete,
# kills one with SIGKILL (no cleanup can run) and checks that the next run
# removes what that one left, and checks that the demo refuses to start
# while its application port is taken. After each run it asserts that:
#   - the demo exited with the expected status (130 SIGINT, 143 SIGTERM,
#     0 success, 1 refused) and, when interrupted, said so;
#   - no container, network or volume of its Compose projects remains (by
#     the com.docker.compose.project label; the projects are the ones the
#     demo printed plus every new *-echo project seen on the engine);
#   - no process of the demo remains (its process group, anything running
#     from its scratch directory), its scratch directory is gone, its ports
#     (18443, 18081, 18080) are free and its ledger (bin/.demo-state) is gone.
# It needs a Docker engine and takes a few minutes (more when the build
# cache is cold). Usage: tools/demo-interrupt-check.sh [SCENARIO...]
# (make demo-check [SCENARIOS="..."]); scenarios: wfm onboarded installing installed
# update-term deleting complete killed-rerun port-taken (default: all).
set -uo pipefail
cd "$(dirname "$0")/.."
set -m # each demo runs in its own process group, with SIGINT not ignored

if ! docker info >/dev/null 2>&1; then
  echo "demo-interrupt-check needs a Docker engine (docker info fails): the demo's Compose objects are what it checks" >&2
  exit 2
fi
ledger=bin/.demo-state
if [ -s "$ledger" ]; then
  echo "note: $ledger exists (a previous demo did not clean up); the first run removes what it lists" >&2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results=()
failures=0

# objects: every compose-labelled container, network and volume as
# "kind id project", sorted.
objects() {
  {
    docker ps -a --filter label=com.docker.compose.project --format 'container {{.ID}} {{.Label "com.docker.compose.project"}}'
    docker network ls --filter label=com.docker.compose.project --format 'network {{.ID}} {{.Label "com.docker.compose.project"}}'
    docker volume ls --filter label=com.docker.compose.project --format 'volume {{.Name}} {{.Label "com.docker.compose.project"}}'
  } 2>/dev/null | sort
}
# of_project P: the objects labelled com.docker.compose.project=P.
of_project() { objects | awk -v p="$1" '$3 == p'; }
port_free() {
  python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
EOF
}

# start_demo OUT: starts the demo in its own process group; sets demo_pid.
start_demo() {
  : > "$1"
  tools/demo.sh > "$1" 2>&1 &
  demo_pid=$!
}
# alive PID: the process exists and has not exited.
alive() {
  local s
  s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  s=${s// /}
  [ -n "$s" ] && [ "${s#Z}" = "$s" ]
}
# wait_for OUT REGEX SECONDS: until OUT has a line matching REGEX; fails
# when the demo ended first or after SECONDS.
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -Eq -- "$2" "$1"; do
    alive "$demo_pid" || return 1
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
# wait_exit SECONDS: waits for the demo to end; sets rc (-1: still running).
wait_exit() {
  local deadline=$((SECONDS + $1))
  while alive "$demo_pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if alive "$demo_pid"; then rc=-1; return; fi
  wait "$demo_pid"
  rc=$?
}
# projects_of OUT: the Compose projects the demo printed.
projects_of() { grep -oE 'Compose project [0-9a-z_-]+' "$1" | awk '{print $3}' | sort -u; }
scratch_of() { grep -oE '/[^ )]*cadenza-demo\.[A-Za-z0-9]+' "$1" | head -1; }
# last_step OUT: the demo's last step header (shortened), and the device's
# last state it printed, if any.
last_step() {
  local step state
  step=$(grep -E '^.\[1m== ' "$1" | grep -v 'Interrupted\|Cleaning up' | tail -1 | sed -e 's/^.\[1m== //' -e 's/.\[0m$//' | cut -c1-34)
  state=$(grep -E '^   device [^ ]+: [a-z]+$' "$1" | tail -1 | awk '{print $3}')
  echo "$step${state:+ [device: $state]}"
}

# verify NAME OUT BEFORE PGID [PROJECTS...]: asserts nothing of the demo is left;
# prints the problems and removes what it finds (so the next scenario starts
# clean). Returns 1 when something was left.
verify() {
  local name=$1 out=$2 before=$3 pgid=$4 p scratch left="" procs
  shift 4
  objects > "$tmp/after"
  # The demo's projects: every one it printed, and every new *-echo project
  # (the sample application's component) whose containers ran from a demo
  # scratch directory, even one the demo never learnt of. Other new projects
  # (someone else's on this engine) are named, not touched.
  { printf '%s\n' "$@"; projects_of "$out"; } | grep -v '^$' | sort -u > "$tmp/projects"
  for p in $(comm -13 "$before" "$tmp/after" | awk '$3 ~ /-echo$/ {print $3}' | sort -u); do
    grep -qx -- "$p" "$tmp/projects" && continue
    if docker ps -a --filter "label=com.docker.compose.project=$p" --format '{{.Label "com.docker.compose.project.working_dir"}}' |
      grep -q '/cadenza-demo\.'; then
      echo "$p" >> "$tmp/projects"
    else
      echo "   note: Compose project $p appeared during the run and is not attributable to the demo (left alone)" >&2
    fi
  done
  while read -r p; do
    of_project "$p" > "$tmp/left"
    if [ -s "$tmp/left" ]; then
      left+="$(awk '{print $1}' "$tmp/left" | sort | uniq -c | awk '{printf "%s %s(s), ", $1, $2}')of $p; "
      awk '$1 == "container" {print $2}' "$tmp/left" | xargs -r docker rm -f -v >/dev/null 2>&1
      awk '$1 == "network" {print $2}' "$tmp/left" | xargs -r docker network rm >/dev/null 2>&1
      awk '$1 == "volume" {print $2}' "$tmp/left" | xargs -r docker volume rm -f >/dev/null 2>&1
    fi
  done < "$tmp/projects"
  # Processes that still run (an exited child not reaped yet, a zombie, does
  # not count), given 5 s to finish exiting.
  scratch=$(scratch_of "$out")
  local deadline=$((SECONDS + 5))
  while :; do
    procs=$({ pgrep -g "$pgid"; [ -z "$scratch" ] || pgrep -f -- "$scratch"; } 2>/dev/null | sort -u |
      while read -r p; do alive "$p" && printf '%s ' "$p"; done)
    [ -n "$procs" ] && [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.5
  done
  if [ -n "${procs// /}" ]; then
    left+="processes $procs($(ps -o args= -p "${procs%% *}" 2>/dev/null | cut -c1-60)); "
    kill -KILL -- -"$pgid" 2>/dev/null
  fi
  if [ -n "$scratch" ] && [ -e "$scratch" ]; then left+="scratch directory $scratch; "; rm -rf "$scratch"; fi
  for p in 18443 18081 18080; do port_free "$p" || left+="port $p still in use; "; done
  if [ -e "$ledger" ]; then left+="$ledger; "; fi
  checked_projects=$(wc -l < "$tmp/projects")
  if [ -n "$left" ]; then
    echo "   LEFT BEHIND: $left" >&2
    return 1
  fi
  return 0
}

# record NAME SIGNAL STEP RC WANT SECS OBJS OK: one line of the summary.
record() {
  local status=PASS
  if [ "$8" != 0 ] || [ "$4" != "$5" ]; then status=FAIL; failures=$((failures + 1)); fi
  results+=("$(printf '%-12s %-14s %-56s %4s %4s %5s %6s  %s' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$status")")
  echo "-> $status: exit $4 (want $5), ${6}s from signal to exit, $7 demo objects at the signal, ${checked_projects:-0} project(s) checked"
}

# interrupt NAME REGEX SIGNAL TARGET [installing]: runs the demo, sends
# SIGNAL to TARGET (group: the process group, as Ctrl-C; script: the demo
# script alone) once its output matches REGEX, then verifies.
interrupt() {
  local name=$1 regex=$2 sig=$3 target=$4 mode=${5:-} out="$tmp/$1.out" want objs=0 t0 p
  echo "== $name: SIG$sig to the demo's $target once its output matches /$regex/"
  objects > "$tmp/before"
  start_demo "$out"
  if ! wait_for "$out" "$regex" 600; then
    wait_exit 5
    echo "   the demo never reached /$regex/ (exit $rc); its output ends with:" >&2
    tail -n 15 "$out" | sed 's/^/   | /' >&2
    verify "$name" "$out" "$tmp/before" "$demo_pid"
    record "$name" "SIG$sig" "(not reached)" "$rc" "-" - - 1
    return
  fi
  if [ "$mode" = installing ]; then
    # Wait for the device's Compose objects to appear, and signal before
    # the device reports installed.
    p=$(projects_of "$out" | head -1)
    local deadline=$((SECONDS + 60))
    until [ -n "$(of_project "$p")" ] || grep -q ': installed$' "$out" || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.05; done
  fi
  for p in $(projects_of "$out"); do objs=$((objs + $(of_project "$p" | wc -l))); done
  local step; step=$(last_step "$out")
  t0=$SECONDS
  if [ "$target" = group ]; then kill -"$sig" -- -"$demo_pid"; else kill -"$sig" "$demo_pid"; fi
  wait_exit 120
  case $sig in INT) want=130 ;; TERM) want=143 ;; esac
  if [ "$rc" = -1 ]; then
    echo "   the demo was still running 120 s after SIG$sig" >&2
    kill -KILL -- -"$demo_pid" 2>/dev/null; wait_exit 10
  fi
  local ok=0
  grep -q "Interrupted by SIG$sig" "$out" || { echo "   the demo did not say it was interrupted" >&2; ok=1; }
  verify "$name" "$out" "$tmp/before" "$demo_pid" || ok=1
  sed -n '/== Interrupted/,$p' "$out" | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^/   | /'
  record "$name" "SIG$sig>$target" "$step" "$rc" "$want" "$((SECONDS - t0))" "$objs" "$ok"
}

complete() {
  local out="$tmp/complete.out"
  echo "== complete: the demo runs to its end"
  objects > "$tmp/before"
  start_demo "$out"
  wait_exit 900
  local ok=0
  [ "$rc" = 0 ] || { tail -n 20 "$out" | sed 's/^/   | /' >&2; }
  verify complete "$out" "$tmp/before" "$demo_pid" || ok=1
  sed -n '/== Cleaning up/,$p' "$out" | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^/   | /'
  record complete "-" "$(last_step "$out")" "$rc" 0 - - "$ok"
}

# killed_rerun: SIGKILL to the whole demo once the application runs (no
# cleanup can run), check that it did leave things, then run the demo again:
# it must remove them and complete, leaving nothing of either run.
killed_rerun() {
  local out="$tmp/killed.out" out2="$tmp/rerun.out" objs=0 p ok=0 first
  echo "== killed-rerun: SIGKILL to the demo's process group while its application runs, then make demo again"
  objects > "$tmp/before"
  start_demo "$out"
  if ! wait_for "$out" '== The running container' 600; then
    wait_exit 5; verify killed-rerun "$out" "$tmp/before" "$demo_pid"
    record killed-rerun "SIGKILL>group" "(not reached)" "$rc" - - - 1; return
  fi
  sleep 1
  first=$demo_pid
  kill -KILL -- -"$demo_pid"; wait_exit 30
  for p in $(projects_of "$out"); do objs=$((objs + $(of_project "$p" | wc -l))); done
  echo "   killed (exit $rc): $objs object(s) of its Compose project left, scratch $(scratch_of "$out") $( [ -d "$(scratch_of "$out")" ] && echo present || echo absent), ledger $( [ -s "$ledger" ] && echo present || echo absent)"
  [ "$objs" -gt 0 ] || { echo "   the killed demo left no Compose object: this scenario checks nothing" >&2; ok=1; }
  start_demo "$out2"
  wait_exit 900
  [ "$rc" = 0 ] || { tail -n 20 "$out2" | sed 's/^/   | /' >&2; ok=1; }
  sed -n '/previous demo did not clean up/,/== Building/p' "$out2" | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^/   | /'
  # Both runs: the killed one's projects, processes and scratch too.
  verify killed-rerun "$out" "$tmp/before" "$first" $(projects_of "$out2") || ok=1
  verify killed-rerun "$out2" "$tmp/before" "$demo_pid" || ok=1
  record killed-rerun "KILL,rerun" "then a full run" "$rc" 0 - "$objs" "$ok"
}

# port_taken: something else answers on 18080 (where the demo's application
# answers): the demo must refuse at once, with a message, leaving nothing.
port_taken() {
  local out="$tmp/port.out" ok=0 holder t0
  echo "== port-taken: another server listens on 127.0.0.1:18080"
  objects > "$tmp/before"
  python3 -m http.server --bind 127.0.0.1 18080 >/dev/null 2>&1 &
  holder=$!
  sleep 1
  t0=$SECONDS
  start_demo "$out"
  wait_exit 300
  kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
  grep -q 'port 18080' "$out" || { echo "   the demo did not name port 18080" >&2; ok=1; }
  grep -m1 -A1 'make demo failed' "$out" | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^/   | /'
  verify port-taken "$out" "$tmp/before" "$demo_pid" || ok=1
  record port-taken "-" "refused at start" "$rc" 1 "$((SECONDS - t0))" - "$ok"
}

run() {
  case $1 in
    wfm) interrupt wfm '== Publishing the sample application' INT group ;;
    onboarded) interrupt onboarded "== Building the sample application's image" INT group ;;
    installing) interrupt installing 'the device runs it as the Compose project' INT group installing ;;
    installed) interrupt installed '== The running container' INT group ;;
    update-term) interrupt update-term '== Changing the greeting' TERM script ;;
    deleting) interrupt deleting '== Deleting the deployment' INT group ;;
    complete) complete ;;
    killed-rerun) killed_rerun ;;
    port-taken) port_taken ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(wfm onboarded installing installed update-term deleting complete killed-rerun port-taken)
for s in "${scenarios[@]}"; do run "$s"; echo; done

echo "== Summary (exit: the demo's status; s: seconds from the signal to its exit; objs: its Compose objects when signalled)"
printf '%-12s %-14s %-56s %4s %4s %5s %6s  %s\n' SCENARIO SIGNAL "STEP WHEN SIGNALLED" EXIT WANT S OBJS RESULT
printf '%s\n' "${results[@]}"
if [ "$failures" -gt 0 ]; then
  echo "$failures scenario(s) failed"
  exit 1
fi
echo "every scenario passed: nothing of the demo was left behind"
