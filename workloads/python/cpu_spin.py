"""cpu-spin in Python: the twin of workloads/cpu_spin.c.

One op is one spin unit, the very mixer of workloads/spin.h (multiply/xor-shift steps on a
64-bit word), written in Python: `iters` steps per op (~1 us in C, ~100 us in CPython).
Verification as in C: each worker publishes its state after SNAP_OPS ops and bench recomputes
it with the C unit, so the two implementations must agree bit for bit.
"""
SNAP_OPS = 64
MASK = (1 << 64) - 1


def spin_seed(worker):
    return 0x243f6a8885a308d3 ^ ((worker * 0x13198a2e03707344) & MASK) ^ 1


def spin_unit(x, iters):
    for i in range(iters):
        x ^= x >> 31
        x = (x * 0x9e3779b97f4a7c15) & MASK
        x = (x + i) & MASK
    return x


def setup(ctx):
    iters = int(ctx.knobs["iters"]) * (100 + int(ctx.knobs["extra_work_pct"])) // 100
    return {"iters": min(iters, 0xffffffff)}


def run(w):
    iters = w.shared["iters"]
    x, n, snap = spin_seed(w.id), 0, None
    while not w.stopping():
        x = spin_unit(x, iters)
        n += 1
        if n == SNAP_OPS:
            snap = x
        w.op(n)
    return {"snap": snap}


async def arun(w):
    return run(w)      # no await in a CPU loop: the other tasks run only once this one ends


def verify(ctx, results):
    metrics = {"iters_per_op": ctx.shared["iters"]}
    for i, res in enumerate(results):
        if res and res["snap"] is not None:
            metrics["snap.%d" % i] = "%#x" % res["snap"]    # bench recomputes it in C
    return metrics, None
