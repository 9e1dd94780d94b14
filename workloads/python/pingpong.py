"""pingpong in Python: the twin of workloads/pingpong.c (mode=wait), the cost of one handoff.

Workers pair up (0,1), (2,3), ...; each pair shares a token and a Condition (threading,
multiprocessing, asyncio): side 0 moves when the token is even, side 1 when it is odd, a move
adds 1 and notifies the other side. Ops = round trips (counted by side 0). Verification as in
C: each side found the token exactly two moves after its previous move, the moves of both
sides add up to the token, and they alternate. handoff_ns = the pair's wall / handoffs.
defect=skip: side 0's first move adds 3 (verify must catch it).
"""

WAIT_S = 0.01      # a waiter looks at the stop request this often


class Token:
    value = 0


def setup(ctx):
    npairs = ctx.nworkers // 2
    if ctx.model == "process":
        import multiprocessing
        mp = multiprocessing.get_context("fork")
        pairs = [(mp.RawValue("q", 0), mp.Condition()) for _ in range(npairs)]
    elif ctx.model == "asyncio":
        import asyncio
        pairs = [(Token(), asyncio.Condition()) for _ in range(npairs)]
    else:
        import threading
        pairs = [(Token(), threading.Condition()) for _ in range(npairs)]
    return {"pairs": pairs, "defect": ctx.knobs["defect"]}


class Side:
    """One side's accounts; move() is its turn, once the token is its parity."""

    def __init__(self, w):
        self.w, self.side = w, w.id % 2
        self.want, self.moves, self.bad = self.side, 0, 0
        self.skip = w.shared["defect"] == "skip" and self.side == 0

    def mine(self, token):
        return token.value % 2 == self.side

    def move(self, token):
        v = token.value
        if v != self.want:
            self.bad += 1
        self.want = v + 2
        token.value = v + (3 if self.skip and self.moves == 0 else 1)
        self.moves += 1
        if self.side == 0 and v != 0:
            self.w.op(self.moves - 1)   # the token came back: one round trip

    def result(self):
        return {"moves": self.moves, "bad": self.bad}


def run(w):
    if w.id // 2 >= len(w.shared["pairs"]):
        return None                        # the odd one out
    token, cond = w.shared["pairs"][w.id // 2]
    me = Side(w)
    if me.side == 0:                       # the first move, even if the stop came first
        with cond:
            me.move(token)
            cond.notify()
    while not w.stopping():
        with cond:
            while not me.mine(token) and not w.stopping():
                cond.wait(WAIT_S)
            if me.mine(token) and not w.stopping():
                me.move(token)
                cond.notify()
    return me.result()


async def arun(w):
    if w.id // 2 >= len(w.shared["pairs"]):
        return None
    token, cond = w.shared["pairs"][w.id // 2]
    me = Side(w)
    import asyncio
    if me.side == 0:
        async with cond:
            me.move(token)
            cond.notify()
    while not w.stopping():
        async with cond:
            while not me.mine(token) and not w.stopping():
                try:
                    await asyncio.wait_for(cond.wait(), WAIT_S)
                except asyncio.TimeoutError:
                    pass
            if me.mine(token) and not w.stopping():
                me.move(token)
                cond.notify()
    return me.result()


def verify(ctx, results):
    pairs = ctx.shared["pairs"]
    ns = 0.0
    for k, (token, _) in enumerate(pairs):
        a, b = results[2 * k], results[2 * k + 1]
        for i, x in enumerate((a, b)):
            if x["bad"]:
                return {}, "pair %d side %d: %d turns out of alternation" % (k, i, x["bad"])
        if a["moves"] + b["moves"] != token.value:
            return {}, "pair %d: %d + %d moves but the token is at %d" % (k, a["moves"], b["moves"], token.value)
        if a["moves"] - b["moves"] not in (0, 1):
            return {}, "pair %d: side 0 moved %d times, side 1 %d (not alternating)" % (k, a["moves"], b["moves"])
        (b0, e0), (b1, e1) = ctx.span(2 * k), ctx.span(2 * k + 1)
        if a["moves"] + b["moves"]:
            ns += (max(e0, e1) - min(b0, b1)) / (a["moves"] + b["moves"])
    return {"pairs": len(pairs), "handoff_ns": ns / len(pairs) if pairs else 0}, None
