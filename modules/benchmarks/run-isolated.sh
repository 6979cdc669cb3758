#!/usr/bin/env bash
# Runs every benchmark of target/benchmarks.jar in its own JMH invocation, each one only when the rest
# of the machine is quiet, and runs it again (up to 4 tries) when something else used more than
# QUIET_PERCENT (default 15) % of one core while it ran. For shared build machines, where a concurrent
# `mvn verify` and its PostgreSQL take cores from the benchmark. Results:
# target/isolated/<benchmark>[-<param>].json and .log, the highest foreign CPU seen in .busy, and all
# of them merged into target/jmh.json. Usage: modules/benchmarks/run-isolated.sh [regex] [extra JMH args]
set -euo pipefail
cd "$(dirname "$0")"
jar=target/benchmarks.jar
out=target/isolated
mkdir -p "$out"
regex=${1:-.}
shift || true

QUIET_PERCENT=${QUIET_PERCENT:-15}

# % of one core that every process but this script's JMH JVMs used over the next 2 s: per-process CPU
# time from /proc of the processes alive at both ends, so a JVM that starts or ends cannot skew it
# (a process living less than 2 s is missed)
foreign_cpu() {
  python3 - << 'PY'
import os, re, time
mine = re.compile(rb"benchmarks\.jar|ForkedMain")
def sample():
    cpu = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if mine.search(open(f"/proc/{pid}/cmdline", "rb").read()):
                continue
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            cpu[pid] = int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return cpu
before = sample()
time.sleep(2)
after = sample()
ticks = sum(t - before[pid] for pid, t in after.items() if pid in before)
print(int(ticks * 100 / (2 * os.sysconf("SC_CLK_TCK"))))
PY
}

wait_quiet() {
  local quiet=0
  while (( quiet < 3 )); do
    if (( $(foreign_cpu) <= QUIET_PERCENT )); then quiet=$((quiet + 1)); else quiet=0; fi
  done
}

runs=()
while read -r bench; do
  [[ -z $bench ]] && continue
  params=$(java -jar "$jar" -lp "^${bench}\$" | awk -F'= ' '/param "sessionsPerBatch"/ {gsub(/[{} ]/, "", $2); print $2}')
  if [[ -n $params ]]; then
    IFS=, read -ra values <<< "$params"
    for v in "${values[@]}"; do runs+=("$bench|sessionsPerBatch=$v"); done
  else
    runs+=("$bench|")
  fi
done < <(java -jar "$jar" -l | grep -E '^ *dev\.contextwatch\.' | grep -E "$regex" | sed 's/^ *//')

for run in "${runs[@]}"; do
  bench=${run%%|*}
  param=${run#*|}
  name=${bench##*.benchmarks.}
  name=${name#dev.contextwatch.}
  file=$out/$name${param:+-${param#*=}}
  for try in 1 2 3 4; do
    wait_quiet
    java -jar "$jar" "^${bench}\$" ${param:+-p "$param"} -rf json -rff "$file.json" "$@" > "$file.log" 2>&1 &
    pid=$!
    busy=0
    while kill -0 "$pid" 2> /dev/null; do
      c=$(foreign_cpu)
      if (( c > busy )); then busy=$c; fi
    done
    wait "$pid"
    echo "$busy" > "$file.busy"
    echo "$(date -u +%T) $name ${param} try $try: the rest of the machine used up to ${busy}% of a core"
    if (( busy <= QUIET_PERCENT )); then break; fi
  done
done

python3 - "$out" target/jmh.json <<'PY'
import glob, json, sys
merged = []
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    merged += json.load(open(f))
json.dump(merged, open(sys.argv[2], "w"), indent=2)
print(f"{len(merged)} results merged into {sys.argv[2]}")
PY
