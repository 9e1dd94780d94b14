"""shared-counter in Python: the twin of workloads/shared_counter.c, the tutorials' own code.

Every worker runs `counter.value += 1` until stopped. counter is an object with a `value`
attribute (threads, asyncio) or a multiprocessing.RawValue in shared memory (processes), so
the statement is the same read-modify-write everywhere:
  sync=none    counter.value += 1                 (racy: the GIL decides where it is cut)
  sync=mutex   with lock: counter.value += 1      (threading.Lock / multiprocessing.Lock / asyncio.Lock)
  sync=local   threading.local() counters, summed at the end (a plain local under processes)
gap_us puts time.sleep(gap) (asyncio.sleep) between the read and the write, inside the lock.
Verification as in C: expected = the increments the workers made, final = the counter;
bench checks them with shared_counter_check() (none may lose updates, nothing may invent them).
"""
import threading
import time


class Counter:
    value = 0


def setup(ctx):
    sync = ctx.knobs["sync"]
    if ctx.model == "process":
        import multiprocessing
        mp = multiprocessing.get_context("fork")
        return {"sync": sync, "counter": mp.RawValue("q", 0), "lock": mp.Lock(), "local": threading.local()}
    if ctx.model == "asyncio":
        import asyncio
        return {"sync": sync, "counter": Counter(), "lock": asyncio.Lock(), "local": threading.local()}
    return {"sync": sync, "counter": Counter(), "lock": threading.Lock(), "local": threading.local()}


BATCH = 1000   # increments between two looks at the stop request (gap_us=0): the tutorials' loop


def increments(sync, counter, lock, mine, n):
    """n increments, each the statement of its mode, in a tight loop as the tutorials write it."""
    if sync == "none":
        for _ in range(n):
            counter.value += 1
    elif sync == "mutex":
        for _ in range(n):
            with lock:
                counter.value += 1
    else:
        for _ in range(n):
            mine.value += 1


def increment_with_gap(sync, counter, lock, mine, gap):
    """One increment with time.sleep(gap) between the read and the write."""
    if sync == "none":
        v = counter.value
        time.sleep(gap)
        counter.value = v + 1
    elif sync == "mutex":
        with lock:
            v = counter.value
            time.sleep(gap)
            counter.value = v + 1
    else:
        time.sleep(gap)
        mine.value += 1


def run(w):
    s, gap = w.shared, int(w.knobs["gap_us"]) / 1e6
    counter, lock, sync = s["counter"], s["lock"], s["sync"]
    mine = s["local"]
    mine.value = 0
    done = 0
    while not w.stopping():
        if gap:
            increment_with_gap(sync, counter, lock, mine, gap)
            done += 1
        else:
            increments(sync, counter, lock, mine, BATCH)
            done += BATCH
        w.op(done)
    return {"done": done, "local": mine.value}


async def arun(w):
    import asyncio
    s, gap = w.shared, int(w.knobs["gap_us"]) / 1e6
    counter, lock, sync = s["counter"], s["lock"], s["sync"]
    done = local = 0
    while not w.stopping():
        if sync == "none":
            v = counter.value
            if gap:
                await asyncio.sleep(gap)
            counter.value = v + 1
        elif sync == "mutex":
            async with lock:
                v = counter.value
                if gap:
                    await asyncio.sleep(gap)
                counter.value = v + 1
        else:
            if gap:
                await asyncio.sleep(gap)
            local += 1
        done += 1
        w.op(done)
        if not gap:
            await asyncio.sleep(0)        # let the other tasks in: asyncio switches only at awaits
    return {"done": done, "local": local}


def verify(ctx, results):
    expected = sum(r["done"] for r in results)
    if ctx.shared["sync"] == "local":
        final = sum(r["local"] for r in results)
    else:
        final = ctx.shared["counter"].value
    lost = expected - final if final <= expected else 0
    return {"expected": expected, "final": final, "lost_updates": lost,
            "lost_fraction": lost / expected if expected else 0}, None
