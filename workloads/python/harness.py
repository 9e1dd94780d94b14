"""bench's Python harness: runs one repetition of a workload's Python twin in this interpreter.

drivers/python.c starts `python -E -s -B harness.py ...` once per repetition, before the clock
starts, so interpreter start-up, imports and worker creation are outside the measured region.
The protocol, in full:

  block   a shared-memory file (the --block fd) of 64-bit words: a header line, then one line
          of LINE_WORDS words per worker (the layout is WORD_* below and struct py_line in
          drivers/python.c). A worker writes its own line; the driver samples `ops`, mirrors
          the lines into bench's worker slots and writes `brk` (stop, or a fault).
  gate    every worker parks after creation; the driver writes one byte on the --gate fd and
          the main thread opens the gate (threading.Event, multiprocessing.Event, asyncio.Event).
  stop    the driver sets `brk` in every line; workers look at it once per op.
  report  once every worker is done, the main thread writes the workload's verification on the
          --report fd, one line each: `metric NAME VALUE`, `value NAME TEXT`, `fail REASON`, `end`.

Models (--model): thread (threading.Thread, the real GIL), process (multiprocessing, fork),
asyncio (one event loop, one task per worker). A workload twin is a module of this directory
named after the workload (shared-counter -> shared_counter.py) with setup(ctx), run(w) (thread,
process), async arun(w) (asyncio) and verify(ctx, results); see cpu_spin.py, the smallest.
"""
import ctypes
import importlib
import mmap
import os
import resource
import sys
import threading
import time
import traceback

# One worker's line: 32 words of 64 bits (struct py_line in drivers/python.c).
LINE_WORDS = 32
HEADER_WORDS = 8
WORD_OPS, WORD_BRK, WORD_STATE, WORD_BEGIN, WORD_END = 0, 1, 2, 3, 4
WORD_UTIME, WORD_STIME, WORD_NVCSW, WORD_NIVCSW = 5, 6, 7, 8
WORD_BOUND, WORD_CPU, WORD_FAULT, WORD_TID = 9, 10, 11, 12
WORD_ERR, ERR_BYTES = 16, 128                 # the last 16 words: why the worker failed
READY, RUNNING, DONE, FAILED = 1, 2, 3, 4
FAULTS = {1: "crash", 2: "abort", 3: "hang", 4: "exit1", 5: "oom"}  # enum task_fault


def thread_stat(field):
    """A field of /proc/thread-self/stat after the command: 36 the CPU it last ran on; -1 before
    the command is the thread id (bench reads that thread's schedstat)."""
    try:
        with open("/proc/thread-self/stat") as f:
            text = f.read()
        return int(text.split()[0]) if field < 0 else int(text.rsplit(")", 1)[1].split()[field])
    except (OSError, IndexError, ValueError):
        return -1


def last_cpu():
    return thread_stat(36)


class Worker:
    """What a workload's run(w) sees: its id, the knobs, the shared state setup() made, and
    its line (w.line[WORD_BRK] is the stop request; w.op(n) publishes n ops done)."""

    def __init__(self, ctx, wid):
        self.id = wid
        self.ctx = ctx
        self.knobs = ctx.knobs
        self.shared = ctx.shared
        self.nworkers = ctx.nworkers
        self.line = (ctypes.c_int64 * LINE_WORDS).from_buffer(ctx.block, 8 * (HEADER_WORDS + wid * LINE_WORDS))

    def stopping(self):
        return self.line[WORD_BRK] != 0

    def op(self, done):
        """Publish this worker's count of ops (the driver samples it while the worker runs)."""
        self.line[WORD_OPS] = done

    def fail(self, text):
        data = text.encode("utf-8", "replace")[:ERR_BYTES - 1]
        ctypes.memmove(ctypes.addressof(self.line) + 8 * WORD_ERR, data + b"\0", len(data) + 1)


def rusage_of(model):
    # A process worker is its whole process (a multiprocessing.Queue has a feeder thread).
    return resource.getrusage(resource.RUSAGE_SELF if model == "process" else resource.RUSAGE_THREAD)


def account(line, ru0, ru1):
    line[WORD_UTIME] = int((ru1.ru_utime - ru0.ru_utime) * 1e9)
    line[WORD_STIME] = int((ru1.ru_stime - ru0.ru_stime) * 1e9)
    line[WORD_NVCSW] = ru1.ru_nvcsw - ru0.ru_nvcsw
    line[WORD_NIVCSW] = ru1.ru_nivcsw - ru0.ru_nivcsw


def bind(w):
    """Pin the calling thread (or process) to the PU bench placed this worker on."""
    pu = w.ctx.pus[w.id]
    w.line[WORD_TID] = thread_stat(-1)
    w.line[WORD_BOUND] = -1
    if pu >= 0:
        os.sched_setaffinity(0, {pu})
        w.line[WORD_BOUND] = pu if os.sched_getaffinity(0) == {pu} else -2


def injected_fault(w):
    """A fault bench asked for (-O fault=...), done the way a Python worker would die."""
    kind = FAULTS.get(w.line[WORD_FAULT])
    if not kind:
        return
    w.line[WORD_FAULT] = 0
    if kind == "crash":
        ctypes.string_at(0)               # a segfault, as a bad ctypes call makes one
    elif kind == "abort":
        os.abort()
    elif kind == "exit1":
        os._exit(1)
    elif kind == "oom":
        raise MemoryError("injected fault: out of memory")
    while True:                           # hang: ignore the stop request
        time.sleep(1)


def finish(w, ok, err, ru0, model):
    w.line[WORD_END] = time.monotonic_ns()
    account(w.line, ru0, rusage_of(model))
    w.line[WORD_CPU] = last_cpu()
    if not ok:
        w.fail(err)
    w.line[WORD_STATE] = DONE if ok else FAILED


def worker_main(ctx, wid, gate, mod, results):
    """The body of every thread and process worker: bind, park at the gate, run, account."""
    w = Worker(ctx, wid)
    bind(w)
    w.line[WORD_STATE] = READY
    gate.wait()
    w.line[WORD_STATE] = RUNNING
    ru0 = rusage_of(ctx.model)
    w.line[WORD_BEGIN] = time.monotonic_ns()
    ok, err = True, ""
    try:
        if wid == ctx.raise_in:
            raise RuntimeError("worker %d: exception raised on request (-O py_raise)" % wid)
        results[wid] = mod.run(w)
        injected_fault(w)
    except BaseException as e:            # a Python exception fails this worker, and its cell
        ok, err = False, "%s: %s" % (type(e).__name__, e)
    finish(w, ok, err, ru0, ctx.model)
    return ok


class Context:
    def __init__(self, args, block):
        self.model = args["model"]
        self.nworkers = int(args["workers"])
        self.pus = [int(p) for p in args["pus"].split(",")]
        self.knobs = args["knobs"]
        self.raise_in = int(args.get("raise", "-1"))
        self.block = block
        self.shared = None

    def span(self, i):
        """When worker i began and ended its run (CLOCK_MONOTONIC ns), for verify."""
        line = Worker(self, i).line
        return line[WORD_BEGIN], line[WORD_END]


def run_threads(ctx, mod, gate_fd):
    gate = threading.Event()
    results = [None] * ctx.nworkers
    ts = [threading.Thread(target=worker_main, args=(ctx, i, gate, mod, results)) for i in range(ctx.nworkers)]
    for t in ts:
        t.start()
    os.read(gate_fd, 1)
    gate.set()
    for t in ts:
        t.join()
    return results


def run_processes(ctx, mod, gate_fd):
    import multiprocessing
    mp = multiprocessing.get_context("fork")   # bench's process driver forks too
    gate = mp.Event()
    out = mp.SimpleQueue()

    def body(i):
        res = {}
        ok = worker_main(ctx, i, gate, mod, res)
        out.put((i, res.get(i)))
        sys.exit(0 if ok else 1)         # not os._exit: a multiprocessing.Queue flushes at exit

    ps = [mp.Process(target=body, args=(i,)) for i in range(ctx.nworkers)]
    for p in ps:
        p.start()
    os.read(gate_fd, 1)
    gate.set()
    for i, p in enumerate(ps):
        p.join()
        w = Worker(ctx, i)
        if p.exitcode and w.line[WORD_STATE] != FAILED:   # died without saying why: a signal
            w.fail("worker process %d died: %s" % (p.pid, describe_exit(p.exitcode)))
            w.line[WORD_STATE] = FAILED
    results = [None] * ctx.nworkers
    while not out.empty():                                # small: each worker's summary
        i, res = out.get()
        results[i] = res
    return results


def describe_exit(code):
    if code < 0:
        import signal
        return "killed by signal %d (%s)" % (-code, signal.Signals(-code).name)
    return "exit status %d" % code


async def aworker(ctx, wid, gate, mod, results):
    w = Worker(ctx, wid)
    w.line[WORD_BOUND] = ctx.pus[0] if ctx.pus[0] >= 0 else -1   # one thread: the loop's PU
    w.line[WORD_TID] = thread_stat(-1)
    w.line[WORD_STATE] = READY
    await gate.wait()
    w.line[WORD_STATE] = RUNNING
    w.line[WORD_BEGIN] = time.monotonic_ns()
    ok, err = True, ""
    try:
        if wid == ctx.raise_in:
            raise RuntimeError("worker %d: exception raised on request (-O py_raise)" % wid)
        results[wid] = await mod.arun(w)
        injected_fault(w)
    except Exception as e:
        ok, err = False, "%s: %s" % (type(e).__name__, e)
    w.line[WORD_END] = time.monotonic_ns()
    w.line[WORD_CPU] = last_cpu()
    if not ok:
        w.fail(err)
    w.line[WORD_STATE] = DONE if ok else FAILED


def run_asyncio(ctx, mod, gate_fd):
    """One event loop on this thread; the tasks share its CPU time, which is split between them
    in proportion to their wall time in run (asyncio cannot tell which task used it)."""
    import asyncio
    results = [None] * ctx.nworkers
    if ctx.pus[0] >= 0:
        os.sched_setaffinity(0, {ctx.pus[0]})

    async def main():
        gate = asyncio.Event()
        loop = asyncio.get_event_loop()
        loop.add_reader(gate_fd, lambda: (os.read(gate_fd, 1), gate.set()))
        ctx.shared = mod.setup(ctx)
        tasks = [loop.create_task(aworker(ctx, i, gate, mod, results)) for i in range(ctx.nworkers)]
        ru0 = rusage_of("asyncio")
        await asyncio.gather(*tasks)
        ru1 = rusage_of("asyncio")
        walls = [Worker(ctx, i).line[WORD_END] - Worker(ctx, i).line[WORD_BEGIN] for i in range(ctx.nworkers)]
        for i in range(ctx.nworkers):
            line = Worker(ctx, i).line
            share = walls[i] / sum(walls) if sum(walls) > 0 else 1.0 / ctx.nworkers
            line[WORD_UTIME] = int((ru1.ru_utime - ru0.ru_utime) * 1e9 * share)
            line[WORD_STIME] = int((ru1.ru_stime - ru0.ru_stime) * 1e9 * share)
    asyncio.run(main())
    return results


def parse(argv):
    args, knobs = {}, {}
    it = iter(argv)
    for a in it:
        if a == "--knob":
            k, _, v = next(it).partition("=")
            knobs[k] = v
        elif a.startswith("--"):
            args[a[2:]] = next(it)
    args["knobs"] = knobs
    return args


def report(fd, lines):
    os.write(fd, "".join(line.replace("\n", " ") + "\n" for line in lines).encode())


def main(argv):
    args = parse(argv)
    rep = int(args["report"])
    try:
        size = int(args["block-size"])
        block = mmap.mmap(int(args["block"]), size)
        ctx = Context(args, block)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        mod = importlib.import_module(args["workload"].replace("-", "_"))
        gate_fd = int(args["gate"])
        if ctx.model == "asyncio":
            results = run_asyncio(ctx, mod, gate_fd)
        else:
            ctx.shared = mod.setup(ctx)
            results = (run_threads if ctx.model == "thread" else run_processes)(ctx, mod, gate_fd)
        states = [Worker(ctx, i).line[WORD_STATE] for i in range(ctx.nworkers)]
        if FAILED in states:
            report(rep, ["fail a worker failed", "end"])
            return 0
        metrics, error = mod.verify(ctx, results)
        lines = ["%s %s %s" % ("metric" if isinstance(v, (int, float)) else "value", k, v) for k, v in metrics.items()]
        lines += ["python_version %d.%d.%d" % sys.version_info[:3]]
        if error:
            lines.append("fail " + error)
        report(rep, lines + ["end"])
    except BaseException as e:
        report(rep, ["fail harness: %s: %s" % (type(e).__name__, str(e) or traceback.format_exc(limit=1))])
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
