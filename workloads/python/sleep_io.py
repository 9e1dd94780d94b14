"""sleep-io in Python: the twin of workloads/sleep_io.c, time.sleep() standing for I/O.

The first nworkers - spinners workers are waiters: each takes the limiter (a Semaphore of
`limit`, when limit > 0), does `count` waits of time.sleep(wait_us) (asyncio.sleep), records
how late each returned, releases the limiter and ends. The last `spinners` workers spin on
cpu-spin's unit until every waiter is done (a CPU-bound neighbour: the GIL convoy).
Rounds are counted structurally as in C (a waiter that got in after the first `limit` is in
1 + the highest round that had left); bench checks the tally with sleep_io_check().
"""
import threading
import time

from cpu_spin import spin_seed, spin_unit

SPIN_ITERS = 600                      # SPIN_DEFAULT_ITERS of workloads/spin.h


class Book:
    """The limiter's bookkeeping: who is inside, rounds (guarded by `lock`)."""
    def __init__(self, values, lock):
        self.v, self.lock = values, lock    # v: inside, max_inside, entries, max_left, waiters_done, progress


def setup(ctx):
    k = ctx.knobs
    limit, spinners = int(k["limit"]), int(k["spinners"])
    nwaiters = ctx.nworkers - spinners
    if ctx.model == "process":
        import multiprocessing
        mp = multiprocessing.get_context("fork")
        book = Book(mp.RawArray("q", 6), mp.Lock())
        sem = mp.Semaphore(limit) if limit else None
    elif ctx.model == "asyncio":
        import asyncio
        book = Book([0] * 6, threading.Lock())
        sem = asyncio.Semaphore(limit) if limit else None
    else:
        book = Book([0] * 6, threading.Lock())
        sem = threading.Semaphore(limit) if limit else None
    wait_ns = int(k["wait_us"]) * 1000
    spin_max = int(k["spin_max_ms"]) / 1e3 or max(0.1, 20 * wait_ns / 1e9)
    return {"book": book, "sem": sem, "limit": limit, "count": int(k["count"]), "wait_ns": wait_ns,
            "nwaiters": nwaiters, "spin_max_s": spin_max}


def enter(s):
    b = s["book"]
    with b.lock:
        b.v[0] += 1
        b.v[1] = max(b.v[1], b.v[0])
        b.v[2] += 1
        return 1 if b.v[2] <= s["limit"] else 1 + b.v[3]


def leave(s, rnd):
    b = s["book"]
    with b.lock:
        b.v[3] = max(b.v[3], rnd)
        b.v[0] -= 1


def progress(s, key):
    b = s["book"]
    with b.lock:
        b.v[key] += 1


class Waits:
    """One waiter's record (how late each wait returned, its round), shared by run and arun."""

    def __init__(self, w):
        self.w, self.s, self.over, self.round = w, w.shared, [], 1

    def more(self):
        return len(self.over) < self.s["count"] and not self.w.stopping()

    def waited(self, t0):
        self.over.append(time.monotonic_ns() - t0 - self.s["wait_ns"])
        progress(self.s, 5)
        self.w.op(len(self.over))

    def result(self):
        return {"over": self.over, "round": self.round}


def run(w):
    s = w.shared
    if w.id >= s["nwaiters"]:
        return spinner(w, s)
    me = Waits(w)
    try:
        if s["sem"]:
            s["sem"].acquire()
            me.round = enter(s)
        while me.more():
            t0 = time.monotonic_ns()
            time.sleep(s["wait_ns"] / 1e9)
            me.waited(t0)
        if s["sem"]:
            leave(s, me.round)
            s["sem"].release()
    finally:
        progress(s, 4)
    return me.result()


def spinner(w, s):
    x, units, seen = spin_seed(w.id), 0, s["book"].v[5]
    give_up, gave_up = time.monotonic() + s["spin_max_s"], 0
    while not w.stopping() and s["book"].v[4] < s["nwaiters"]:
        x = spin_unit(x, SPIN_ITERS)
        units += 1
        if s["book"].v[5] != seen:
            seen, give_up = s["book"].v[5], time.monotonic() + s["spin_max_s"]
        elif time.monotonic() >= give_up:
            gave_up = 1
            break
    return {"units": units, "gave_up": gave_up}


async def arun(w):
    import asyncio
    s = w.shared
    if w.id >= s["nwaiters"]:
        return spinner(w, s)      # never awaits: the waiters wait for it (spin_max_ms bounds it)
    me = Waits(w)
    try:
        if s["sem"]:
            await s["sem"].acquire()
            me.round = enter(s)
        while me.more():
            t0 = time.monotonic_ns()
            await asyncio.sleep(s["wait_ns"] / 1e9)
            me.waited(t0)
        if s["sem"]:
            leave(s, me.round)
            s["sem"].release()
    finally:
        progress(s, 4)
    return me.result()


def quantile(xs, q):
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


def verify(ctx, results):
    s = ctx.shared
    waiters = [r for r in results[:s["nwaiters"]] if r]
    over = sorted(o for r in waiters for o in r["over"])
    spans = [ctx.span(i) for i in range(s["nwaiters"])]
    begin, end = min(b for b, _ in spans), max(e for _, e in spans)
    ideal_rounds = 1 if not s["limit"] or s["limit"] >= s["nwaiters"] else -(-s["nwaiters"] // s["limit"])
    ideal = s["count"] * s["wait_ns"] / 1e9 * ideal_rounds
    wall = (end - begin) / 1e9 if end > begin else 0.0
    spin = [r for r in results[s["nwaiters"]:] if r]
    m = {"waiters": s["nwaiters"], "spinners": ctx.nworkers - s["nwaiters"],
         "spinners_gave_up": sum(r["gave_up"] for r in spin),
         "waits": len(over), "short_waiters": sum(1 for r in waiters if len(r["over"]) < s["count"])
         + s["nwaiters"] - len(waiters),
         "early": sum(1 for o in over if o < 0), "max_inside": s["book"].v[1],
         "rounds": max((r["round"] for r in waiters), default=0), "ideal_rounds": ideal_rounds,
         "ideal_wall_s": ideal, "waiter_wall_s": wall, "overlap_efficiency": ideal / wall if wall else 0,
         "waiter_overshoot_p50_us": quantile(over, 0.5) / 1e3, "waiter_overshoot_p90_us": quantile(over, 0.9) / 1e3,
         "waiter_overshoot_p99_us": quantile(over, 0.99) / 1e3,
         "waiter_overshoot_mean_us": sum(over) / len(over) / 1e3 if over else 0,
         "waiter_overshoot_max_us": max(over) / 1e3 if over else 0}
    if spin:
        m["spinner_units"] = sum(r["units"] for r in spin)
    return m, None

