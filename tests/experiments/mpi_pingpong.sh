#!/usr/bin/env bash
# bench's mpi cells against bare MPI programs, in one run (issue 21; the osu_latency method):
#   pingpong: `bench run -d mpi -w pingpong -n 2 -O share=messages` (handoff_ns: one way)
#             vs `mpi-bare pingpong` (8-byte MPI_Send/MPI_Recv, one way)
#   fop:      `bench run -d mpi -w shared-counter -n 2 -O share=messages -O sync=atomic`
#             (ns per MPI_Fetch_and_op of one rank: workers / ops_per_s) vs `mpi-bare fop`
#             and per CPU-second of the ranks (sum of their CPU time / operations: what a
#             loaded machine's share of the CPU does not change)
#   lost:     the lost-update fraction of sync=none (MPI_Get then MPI_Put) over the rounds
# ROUNDS rounds (default 5), in each the four runs in a rotated order so a drift of the machine
# hits them alike; medians over the rounds, and the ratios bench/bare. Both sides bind one rank
# per core (bench: --pin spread; bare: mpirun --bind-to core), both under the same mpirun
# switches. The load (uptime) before and after is printed: state it with the figures.
# Usage: tests/experiments/mpi_pingpong.sh BUILD_DIR   (needs build/bench, build/mpi-bare)
set -euo pipefail
B=${1:?usage: $0 BUILD_DIR}
ROUNDS=${ROUNDS:-5}
DUR=${DUR:-1}
ITERS=${ITERS:-200000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN=(mpirun --bind-to core --map-by core --oversubscribe --mca btl_vader_single_copy_mechanism none)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r=d['cells'][0]['reps']; \
import statistics as s; print(s.median([x[sys.argv[2]] for x in r]))" "$@"; }
bare_pp() { "${MPIRUN[@]}" -np 2 "$B/mpi-bare" pingpong "$ITERS" | sed -n 's/^[a-z-]* ns_per_op=\([0-9.]*\).*/\1/p' >>"$tmp/bare_pp"; }
bare_fop() { "${MPIRUN[@]}" -np 2 "$B/mpi-bare" fop "$ITERS" | sed -n 's/^[a-z-]* ns_per_op=\([0-9.]*\).*cpu_ns_per_op=\([0-9.]*\).*/\1 \2/p' >>"$tmp/bare_fop"; }
bench_pp() {
	"$B/bench" run -d mpi -w pingpong -n 2 -O share=messages --duration "$DUR" --reps 3 --keep-disturbed \
		-o "$tmp/pp.json" >/dev/null 2>&1 || true
	json "$tmp/pp.json" handoff_ns >>"$tmp/bench_pp"
}
bench_fop() {
	"$B/bench" run -d mpi -w shared-counter -n 2 -O share=messages -O sync=atomic,none --duration "$DUR" \
		--reps 3 --keep-disturbed -o "$tmp/sc.json" >/dev/null 2>&1 || true
	python3 - "$tmp/sc.json" >>"$tmp/bench_fop" <<'PY'
import json, statistics as s, sys
d = json.load(open(sys.argv[1]))
out = {}
for c in d["cells"]:
    out[c["knobs"]["sync"]] = c["reps"]
at = s.median([2e9 / r["ops_per_s"] for r in out["atomic"]])
lost = s.median([r["lost_fraction"] for r in out["none"]])
cpu = s.median([sum(r["worker_cpu_s"]) * 1e9 / r["ops"] for r in out["atomic"]])
print(at, lost, cpu)
PY
}
steps=(bare_pp bench_pp bare_fop bench_fop)
for ((i = 0; i < ROUNDS; i++)); do
	for ((k = 0; k < 4; k++)); do "${steps[(i + k) % 4]}"; done
done
echo "load after:  $(uptime)"
python3 - "$tmp" <<'PY'
import statistics as s, sys
d = sys.argv[1]
col = lambda f, i=0: [float(l.split()[i]) for l in open(f"{d}/{f}") if l.strip()]
bp, bb = s.median(col("bench_pp")), s.median(col("bare_pp"))
fp, fb = s.median(col("bench_fop")), s.median(col("bare_fop"))
lost = s.median(col("bench_fop", 1))
fpc, fbc = s.median(col("bench_fop", 2)), s.median(col("bare_fop", 1))
print(f"pingpong one-way ns: bench mpi {bp:.0f}  bare MPI {bb:.0f}  ratio {bp / bb:.2f}")
print(f"fetch_and_op ns/op:  bench mpi {fp:.0f}  bare MPI {fb:.0f}  ratio {fp / fb:.2f}")
print(f"fetch_and_op CPU ns/op (load-proof): bench mpi {fpc:.0f}  bare MPI {fbc:.0f}  ratio {fpc / fbc:.2f}")
print(f"sync=none (MPI_Get + MPI_Put) lost-update fraction, median: {lost:.3f}")
PY
