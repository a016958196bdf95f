#!/usr/bin/env bash
# The design's Slurm array on a real one-node Slurm cluster on this machine (issue 13): start
# munged, slurmctld and slurmd with a throw-away configuration, submit
# deploy/slurm/design-array.sbatch as a 3-task array for a small design, wait, merge the shards,
# and check that design.json and design.html equal one process's, byte for byte.
# Exit 0: passed; 1: failed; 77: skipped (Slurm not installed, not root, or the daemons would not
# start), with the reason on the last line. .ci/run installs slurm-wlm and munge and runs it.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

skip() { echo "slurm test skipped: $*"; exit 77; }
command -v sbatch >/dev/null && command -v slurmctld >/dev/null && command -v munged >/dev/null ||
  skip "Slurm or munge is not installed (Debian packages slurm-wlm and munge)"
[ "$(id -u)" = 0 ] || skip "the one-node cluster runs its daemons as root; run as root"
[ -f dist/src/cli/main.js ] || skip "ecasim is not built (npm run build)"

work=$(mktemp -d /tmp/ecasim-slurm.XXXXXX)
started=()
cleanup() {
  local pids=()
  for pidfile in "${started[@]}"; do
    [ -s "$pidfile" ] && pids+=("$(cat "$pidfile")") && kill "${pids[-1]}" 2>/dev/null
  done
  # the daemons write their state as they stop: wait for them before removing it
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  rm -rf "$work"
}
trap cleanup EXIT

# munge: the credential service Slurm authenticates with
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  [ -s /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || create-munge-key -f >/dev/null 2>&1; }
  runuser -u munge -- munged || skip "munged would not start"
  sleep 1
  munge -n | unmunge >/dev/null 2>&1 || skip "munge credentials do not verify"
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
mkdir -p "$work/state" "$work/spool" "$work/shards"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=ecasim-test
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ecasim Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF" || skip "slurmctld would not start ($(tail -1 "$work/slurmctld.log" 2>/dev/null))"
started+=("$work/slurmctld.pid")
slurmd -f "$SLURM_CONF" || skip "slurmd would not start ($(tail -1 "$work/slurmd.log" 2>/dev/null))"
started+=("$work/slurmd.pid")
for _ in $(seq 1 30); do
  sinfo -h -o '%t' 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o '%t' | grep -q idle || skip "the node did not come up ($(sinfo -h 2>&1 | head -1))"
echo "slurm: one-node cluster up ($(sinfo -h -o '%P %D %t %C'))"

# a small design: 6 trials, one scenario, m = 2, a registry of 200 re-fitted every trial
cat "$root/examples/nsclc/fit.yaml" > "$work/fit.yaml"
printf '\ncovariance: { method: information }\n' >> "$work/fit.yaml"
cat > "$work/design.yaml" <<DESIGN
name: slurm test design
protocol: $root/protocols/nsclc-os.yaml
truth:
  model: $root/examples/nsclc/truth-model.json
  fit: fit.yaml
  registry: { accrual: 60, studyDuration: 72, dropoutRate: 0.005 }
trials: 6
seed: 13
estimandN: 2000
scenarios: { effect: [1, 0.7], treatedN: 40, controlRatio: 1, replicates: 2, registryN: 200 }
DESIGN

export ECASIM="node $root/bin/ecasim.js"
t0=$(date +%s)
sbatch --wait --array=0-2 --chdir="$work" --output="$work/task-%a.out" \
  "$root/deploy/slurm/design-array.sbatch" "$work/design.yaml" "$work/shards" ||
  { echo "slurm test failed: the array job did not complete"; cat "$work"/task-*.out; exit 1; }
echo "slurm: array job of 3 tasks done in $(($(date +%s) - t0)) s: $(ls "$work/shards" | tr '\n' ' ')"
$ECASIM merge "$work"/shards/shard-*-of-3.json --out "$work/merged" >/dev/null ||
  { echo "slurm test failed: merge"; exit 1; }
$ECASIM design "$work/design.yaml" --out "$work/single" --quiet >/dev/null ||
  { echo "slurm test failed: the single-process run"; exit 1; }
for f in design.json design.html; do
  cmp -s "$work/merged/$f" "$work/single/$f" ||
    { echo "slurm test failed: $f of the merged Slurm shards differs from one process's"; exit 1; }
done
echo "slurm test passed: 3 array tasks merged to the bytes of one process (design.json, design.html)"
