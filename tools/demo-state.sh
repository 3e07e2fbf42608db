# What make demo starts and leaves on this machine, how it removes it, and
# how the demo ends (fail, on_err, interrupted, cleanup).
# Sourced by tools/demo.sh (bash); not a command of its own.
#
# A demo run starts two processes (the WFM and the device agent), makes a
# scratch directory ($TMPDIR/cadenza-demo.XXXXXX) and, with a Docker engine,
# the device runs the sample application as a Compose project named
# "<deployment id>-echo": a container, a network and a volume, all labelled
# com.docker.compose.project=<project>. Each of these is written to the
# ledger ($demo_ledger) as soon as it exists, so that the run's own cleanup
# (on every exit: success, failure, SIGINT, SIGTERM) and, if that cleanup
# never ran (SIGKILL, a crash), the next run's start remove exactly them:
#
#   demo PID                 the demo script
#   dir PATH                 its scratch directory
#   pid PID CONFIG           a process it started, with its config file
#   project NAME             a Compose project of its device
#
# Every function here tolerates what is already gone.

demo_ledger=${CADENZA_DEMO_LEDGER:-bin/.demo-state}
demo_scratch_prefix="${TMPDIR:-/tmp}"
demo_scratch_prefix="${demo_scratch_prefix%/}/cadenza-demo."

# ledger_add LINE: remembers LINE in the ledger.
ledger_add() { mkdir -p "$(dirname "$demo_ledger")" && printf '%s\n' "$*" >> "$demo_ledger"; }

# running PID: the process exists and has not exited (a zombie child has).
running() {
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ -n "$stat" ] && [ "${stat#Z}" = "$stat" ]
}

# stop_process NAME PID: SIGINT (the host's graceful shutdown), then SIGKILL
# after 15 s; reaps it when it is a child of this shell. Says what it did.
stop_process() {
  local name=$1 pid=$2 deadline
  if ! running "$pid"; then
    wait "$pid" 2>/dev/null || true
    echo "   the $name (pid $pid) had exited"
    return 0
  fi
  kill -INT "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 15))
  while running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if running "$pid"; then
    echo "   the $name (pid $pid) did not stop within 15 s of SIGINT: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  wait "$pid" 2>/dev/null || true
  if running "$pid"; then
    echo "   the $name (pid $pid) is still running: stop it with kill -KILL $pid" >&2
    return 1
  fi
  echo "   stopped the $name (pid $pid)"
}

# docker_ok: a Docker engine answers.
docker_ok() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

# project_objects PROJECT: the containers, networks and volumes labelled
# com.docker.compose.project=PROJECT, one "kind id" a line.
project_objects() {
  local f="label=com.docker.compose.project=$1" id
  for id in $(docker ps -aq --filter "$f"); do echo "container $id"; done
  for id in $(docker network ls -q --filter "$f"); do echo "network $id"; done
  for id in $(docker volume ls -q --filter "$f"); do echo "volume $id"; done
}

# remove_project PROJECT: removes its containers, then networks and volumes,
# and checks none is left. Says what it removed or what is left.
remove_project() {
  local p=$1 f="label=com.docker.compose.project=$1" c n v left
  c=$(docker ps -aq --filter "$f") n=$(docker network ls -q --filter "$f") v=$(docker volume ls -q --filter "$f")
  [ -z "$c" ] || docker rm -f -v $c >/dev/null 2>&1 || true
  [ -z "$n" ] || docker network rm $n >/dev/null 2>&1 || true
  v=$(docker volume ls -q --filter "$f") # the anonymous ones went with their containers
  [ -z "$v" ] || docker volume rm -f $v >/dev/null 2>&1 || true
  left=$(project_objects "$p")
  if [ -n "$left" ]; then
    echo "   could not remove all of Compose project $p; left: $(echo $left)" >&2
    echo "   remove them with: docker rm -f \$(docker ps -aq --filter $f); docker network rm \$(docker network ls -q --filter $f); docker volume rm \$(docker volume ls -q --filter $f)" >&2
    return 1
  fi
  if [ -n "$c$n$v" ]; then
    echo "   removed Compose project $p: $(echo $c | wc -w) container(s), $(echo $n | wc -w) network(s), $(echo $v | wc -w) volume(s)"
  fi
}

# demo_projects_of WORK: the Compose projects of the agent of scratch
# directory WORK: its compose provider's project directories (made before
# anything is created on the engine) and the containers whose working
# directory label lies under WORK.
demo_projects_of() {
  local work=$1 d
  for d in "$work"/agent/compose/*/; do
    [ -d "$d" ] && basename "$d"
  done
  docker ps -a --filter label=com.docker.compose.project \
    --format '{{.Label "com.docker.compose.project"}} {{.Label "com.docker.compose.project.working_dir"}}' 2>/dev/null |
    awk -v w="$work/" 'index($2, w) == 1 {print $1}'
}

# remove_leftovers: removes what a previous demo left behind, as its ledger
# records it. Refuses (returns 1, saying why) when that demo is still running.
remove_leftovers() {
  [ -s "$demo_ledger" ] || return 0
  local kind a b ok=0 with_docker=0
  while read -r kind a b; do
    if [ "$kind" = demo ] && [ "$a" != "$$" ] && ps -o args= -p "$a" 2>/dev/null | grep -q 'demo\.sh'; then
      echo "another make demo is running (pid $a): wait for it to end, or stop it with kill -INT $a" >&2
      return 1
    fi
  done < "$demo_ledger"
  echo "   a previous demo did not clean up (it was killed, or its cleanup failed): removing what it left ($demo_ledger)"
  if docker_ok; then with_docker=1; fi
  while read -r kind a b; do
    case $kind in
      pid)
        if ps -o args= -p "$a" 2>/dev/null | grep -qF -- "$b"; then stop_process "process of the previous demo" "$a" || ok=1; fi ;;
      dir)
        if [ "$with_docker" = 1 ] && [ -d "$a" ]; then
          while read -r b; do ledger_add "project $b"; done < <(demo_projects_of "$a" | sort -u)
        fi ;;
    esac
  done < "$demo_ledger"
  while read -r kind a b; do
    case $kind in
      project)
        if [ "$with_docker" = 1 ]; then remove_project "$a" || ok=1
        elif command -v docker >/dev/null 2>&1; then
          echo "   Compose project $a may be left on a Docker engine that does not answer now" >&2; ok=1
        fi ;;
    esac
  done < <(sort -u "$demo_ledger")
  while read -r kind a b; do
    if [ "$kind" = dir ] && [ "${a#"$demo_scratch_prefix"}" != "$a" ]; then rm -rf "$a" && echo "   removed $a"; fi
  done < "$demo_ledger"
  if [ "$ok" != 0 ]; then
    echo "could not remove everything the previous demo left (above): remove it, then delete $demo_ledger" >&2
    return 1
  fi
  rm -f "$demo_ledger"
}

# remove_orphan_projects: removes the Compose projects whose containers ran
# from a demo scratch directory (a run from another checkout, or from before
# the ledger). Call it only once no other demo runs (its ports are free).
remove_orphan_projects() {
  local p dir
  while read -r p dir; do
    [ -n "$p" ] || continue
    echo "   removing Compose project $p, left by an earlier demo in ${dir%%/agent/compose/*}"
    remove_project "$p" || return 1
    rm -rf "${dir%%/agent/compose/*}"
  done < <(docker ps -a --filter label=com.docker.compose.project \
      --format '{{.Label "com.docker.compose.project"}} {{.Label "com.docker.compose.project.working_dir"}}' 2>/dev/null |
      awk -v w="$demo_scratch_prefix" 'index($2, w) == 1 && index($2, "/agent/compose/") {print $1, $2}' | sort -u)
}

# port_busy PORT: something listens on 127.0.0.1:PORT (or holds it).
port_busy() {
  ! python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
EOF
}

# port_holder PORT: what holds PORT, as far as ss and docker can tell.
port_holder() {
  local who=""
  if command -v docker >/dev/null 2>&1; then
    who=$(docker ps --filter "publish=$1" --format 'container {{.Names}} ({{.Image}}, compose project {{.Label "com.docker.compose.project"}})' 2>/dev/null | head -1)
  fi
  if [ -z "$who" ] && command -v ss >/dev/null 2>&1; then
    who=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(.*)' | head -1)
  fi
  echo "${who:-an unknown process}"
}

# The demo's ends. These use the demo's variables: step, work, wfm_pid,
# agent_pid, runtime, projects, helm_release, kubeconfig, own_ledger and
# profile (p1 or rc.3: the same cleanup for both).

# show_logs prints the end of the WFM's and the agent's logs.
show_logs() {
  local f
  for f in wfm agent; do
    if [ -n "$work" ] && [ -s "$work/$f.log" ]; then
      echo "   the end of the $f log ($work/$f.log, removed on exit):" >&2
      tail -n 15 "$work/$f.log" | indent >&2
    fi
  done
}
# fail WHAT [NEXT]: says what failed and what to do, shows the end of the
# logs and exits 1 (cleanup follows). Call it in the main shell, not in $(...).
fail() {
  local next=${2:-}
  trap - ERR
  if [ "${profile:-p1}" != p1 ]; then next=${next//make demo again/make demo PROFILE=$profile again}; fi
  printf '\n\033[1;31mmake demo failed: %s\033[0m\n' "$1" >&2
  if [ -n "$next" ]; then echo "   what to do: $next" >&2; fi
  show_logs
  exit 1
}
# on_err: any other command failed (set -e would end the demo silently).
on_err() {
  local rc=$1 line=$2 cmd=$3 file=$4
  [ "$BASH_SUBSHELL" -eq 0 ] || exit "$rc" # the main shell reports it
  fail "during \"$step\": \`$cmd\` exited with status $rc (${file#./} line $line)" \
    "read the error above, fix its cause, and run make demo again (it removes what this run left)"
}
interrupted() {
  trap '' INT TERM HUP
  printf '\n\033[1m== Interrupted by SIG%s during "%s"\033[0m\n' "$1" "$step" >&2
  exit "$2"
}
cleanup() {
  local status=$? ok=0 p
  trap '' INT TERM HUP # finish cleaning up; every wait below is bounded
  trap - ERR
  set +e
  if [ -z "$work$wfm_pid$agent_pid$(jobs -p)" ]; then
    if [ "$own_ledger" = 1 ]; then rm -f "$demo_ledger"; fi
    exit "$status"
  fi
  say "Cleaning up: the processes, containers, networks and volumes of this demo, and $work"
  # The agent first: once it is gone nothing creates Compose objects. Then
  # any other background child (one started just before the signal came,
  # whose pid was not recorded yet), the WFM last.
  if [ -n "$agent_pid" ]; then stop_process agent "$agent_pid" || ok=1; fi
  for p in $(jobs -p); do
    if [ "$p" != "$wfm_pid" ] && [ "$p" != "$agent_pid" ] && running "$p"; then
      stop_process "process ($(ps -o args= -p "$p" 2>/dev/null | cut -c1-60))" "$p" || ok=1
    fi
  done
  if [ "$runtime" = docker ] && [ -n "$work" ]; then
    while read -r p; do projects+=("$p"); ledger_add "project $p"; done < <(demo_projects_of "$work")
    for p in $(printf '%s\n' ${projects[@]+"${projects[@]}"} | sort -u); do remove_project "$p" || ok=1; done
  fi
  if [ -n "$wfm_pid" ]; then stop_process WFM "$wfm_pid" || ok=1; fi
  if [ "$helm_release" = 1 ]; then
    echo "   the Helm release of echo-demo may still be in namespace cadenza-demo of $kubeconfig: kubectl --kubeconfig $kubeconfig delete namespace cadenza-demo removes it"
  fi
  if [ -n "$work" ]; then rm -rf "$work" && echo "   removed the scratch directory $work" || ok=1; fi
  if [ "$ok" = 0 ]; then
    if [ "$own_ledger" = 1 ]; then rm -f "$demo_ledger"; fi
  else
    echo "make demo could not clean up everything (above); it removes the rest at its next start ($demo_ledger lists it)" >&2
    if [ "$status" = 0 ]; then status=1; fi
  fi
  exit "$status"
}
# check_alive fails the demo when the WFM or the agent has exited.
check_alive() {
  if [ -n "$wfm_pid" ] && ! running "$wfm_pid"; then
    fail "the WFM (pid $wfm_pid) exited during \"$step\"" "its log below says why; fix it and run make demo again"
  fi
  if [ -n "$agent_pid" ] && ! running "$agent_pid"; then
    fail "the device agent (pid $agent_pid) exited during \"$step\"" "its log below says why; fix it and run make demo again"
  fi
}
# until_ok SECONDS CMD...: run CMD every 0.5s until it succeeds, at most SECONDS.
until_ok() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    check_alive
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
