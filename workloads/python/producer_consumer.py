"""producer-consumer in Python: the twin of workloads/producer_consumer.c.

Workers 0..P-1 produce items (producer, seq, time put, check) into one bounded queue, workers
P..P+C-1 consume them: queue.Queue (threads), multiprocessing.Queue (processes, and queue=pipe
under threads), asyncio.Queue (asyncio). After the stop request producers stop; the last one
puts one end-of-stream None per consumer; consumers drain the queue. Verification as in C:
every item's check field (pc_mix of workloads/pc.h), FIFO order per producer, and exactly
once: per producer, the count and the sum of pc_mix() over the items consumed, which bench
recomputes in C from the count. Ops = items consumed. defect=lose|dup|reorder injects a bug
(a consumer drops or doubles its first item, producer 0 sends seq 1 before seq 0).
"""
import threading
import time

MASK = (1 << 64) - 1
MIN_ITEMS = 2      # every producer puts at least these, however early the stop: defect=reorder swaps two


def pc_mix(producer, seq):
    z = (seq + (producer << 40) + 0x9e3779b97f4a7c15) & MASK
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & MASK
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & MASK
    return z ^ (z >> 31)


def roles(ctx):
    k = ctx.knobs
    p = int(k["producers"]) or max(1, ctx.nworkers // 2)
    c = int(k["consumers"]) or ctx.nworkers - p
    return p, c


def setup(ctx):
    nprod, ncons = roles(ctx)
    cap = int(ctx.knobs["capacity"])
    if ctx.model == "asyncio":
        import asyncio
        q, done, lock = asyncio.Queue(cap), [0], threading.Lock()
    elif ctx.model == "process" or ctx.knobs["queue"] == "pipe":
        import multiprocessing
        mp = multiprocessing.get_context("fork")
        q, done, lock = mp.Queue(cap), mp.RawArray("q", 1), mp.Lock()
    else:
        import queue
        q, done, lock = queue.Queue(cap), [0], threading.Lock()
    return {"q": q, "done": done, "lock": lock, "nprod": nprod, "ncons": ncons, "defect": ctx.knobs["defect"]}


def item(w, seq):
    if w.id == 0 and w.shared["defect"] == "reorder" and seq < 2:
        seq = 1 - seq                              # producer 0 sends seq 1 before seq 0
    return (w.id, seq, time.monotonic_ns(), pc_mix(w.id, seq) & 0xffffffff)


def producer_done(s):
    """1 if the caller is the last producer to finish (it then ends the stream)."""
    with s["lock"]:
        s["done"][0] += 1
        return s["done"][0] == s["nprod"]


class Books:
    """A consumer's accounts: per producer the next seq allowed, count and sum of pc_mix."""
    def __init__(self):
        self.next, self.count, self.sum = {}, {}, {}
        self.fifo = self.corrupt = self.n = 0
        self.lat_sum = self.lat_max = 0

    def take(self, it, defect):
        p, seq, t_ns, check = it
        lat = time.monotonic_ns() - t_ns
        self.lat_sum, self.lat_max = self.lat_sum + lat, max(self.lat_max, lat)
        if check != pc_mix(p, seq) & 0xffffffff:
            self.corrupt += 1
            return
        if seq < self.next.get(p, 0):
            self.fifo += 1
        self.next[p] = seq + 1
        copies = 0 if defect == "lose" and self.n == 0 else 2 if defect == "dup" and self.n == 0 else 1
        self.count[p] = self.count.get(p, 0) + copies
        self.sum[p] = (self.sum.get(p, 0) + copies * pc_mix(p, seq)) & MASK
        self.n += 1


def run(w):
    s = w.shared
    if w.id < s["nprod"]:
        seq = 0
        while seq < MIN_ITEMS or not w.stopping():
            s["q"].put(item(w, seq))
            seq += 1
        if producer_done(s):
            for _ in range(s["ncons"]):
                s["q"].put(None)
        return {"produced": seq}
    if w.id >= s["nprod"] + s["ncons"]:
        return None                                 # an idle worker
    books = Books()
    while True:
        it = s["q"].get()
        if it is None:
            break
        books.take(it, s["defect"])
        w.op(books.n)
    return books.__dict__


async def arun(w):
    s = w.shared
    if w.id < s["nprod"]:
        seq = 0
        while seq < MIN_ITEMS or not w.stopping():
            await s["q"].put(item(w, seq))
            seq += 1
        if producer_done(s):
            for _ in range(s["ncons"]):
                await s["q"].put(None)
        return {"produced": seq}
    if w.id >= s["nprod"] + s["ncons"]:
        return None
    books = Books()
    while True:
        it = await s["q"].get()
        if it is None:
            break
        books.take(it, s["defect"])
        w.op(books.n)
    return books.__dict__


def verify(ctx, results):
    s = ctx.shared
    cons = [r for r in results[s["nprod"]:s["nprod"] + s["ncons"]] if r]
    count, total = {}, {}
    for b in cons:
        for p, c in b["count"].items():
            count[p] = count.get(p, 0) + c
            total[p] = (total.get(p, 0) + b["sum"][p]) & MASK
    items = sum(b["n"] for b in cons)
    m = {"items": items, "producers": s["nprod"], "consumers": s["ncons"],
         "handoff_mean_us": sum(b["lat_sum"] for b in cons) / items / 1e3 if items else 0,
         "handoff_max_us": max((b["lat_max"] for b in cons), default=0) / 1e3}
    for p in range(s["nprod"]):
        produced = results[p]["produced"] if results[p] else 0
        m["psum.%d" % p] = "%d:%d:%#x" % (produced, count.get(p, 0), total.get(p, 0))
    fifo = sum(b["fifo"] for b in cons)
    corrupt = sum(b["corrupt"] for b in cons)
    if corrupt:
        return m, "%d item(s) with a wrong check field" % corrupt
    if fifo:
        return m, "%d item(s) out of FIFO order" % fifo
    return m, None
