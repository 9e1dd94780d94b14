/* task-pool: one submitter hands tasks to a pool of workers and gets the results back through
 * a callback, as multiprocessing.Pool.apply_async / apply and concurrent.futures executors do.
 * Tests "a pool speeds up work once the tasks are big enough to pay for their dispatch" and
 * answers how small a task can be before the dispatch eats the gain, per model.
 *
 * Worker 0 submits, workers 1..n-1 are the pool. A task is a header (id, submit time) plus
 * `arg_bytes` of payload (the arguments: the submitter writes a pattern derived from the id,
 * the analogue of pickling). The submitter keeps at most `inflight` tasks outstanding
 * (`mode=sync`: one, it waits for each result before it submits the next, like apply) and
 * puts them into a bounded submission queue of `capacity` slots; a pool worker takes one,
 * checks and transforms the payload word by word (unpickling the arguments and pickling the
 * result), does `task_us` of CPU work (cpu-spin's unit, SPIN_ITERS_PER_US iterations per us,
 * a checkpoint every us) and blocks `wait_us` (task_sleep_ns), and puts the result (value +
 * payload) into the result queue. The submitter drains results and passes each to its
 * callback, which checks the payload and counts: ops = results through the callback, so
 * ops_per_s is tasks/s.
 *
 * Queues: workloads/queue.c, `transport=shm` a ring in shared memory (under the process
 * driver the payload crosses the process boundary as bytes copied into and out of shared
 * memory), `transport=pipe` a pipe per direction, made in setup (multiprocessing's way;
 * needs workers that have setup's descriptors, which every driver here gives). The result queue holds `inflight` results, so a pool worker never waits to deliver
 * one (outstanding tasks <= inflight), whatever the submission queue's capacity: no deadlock
 * between a submitter waiting for room and a pool waiting for the submitter. With a pipe,
 * inflight is capped at what the result pipe holds.
 *
 * Shutdown (duration-bound): at the stop request the submitter stops submitting, closes the
 * submission queue and drains results until every pool worker has closed the result queue;
 * pool workers run every task they were given (a wait is cut short once stopping) and close
 * when the submission queue says QUEUE_END. So every submitted task comes back, and verify
 * checks it: each task ran exactly once (count + checksum of ids over the pool == submitted),
 * each result reached the callback exactly once (the same over the callback), no payload word
 * was corrupted either way, the values of the first results are right (recomputed), at most
 * `inflight` outstanding. `-O defect=lose|dup` drops a result / runs the callback twice on
 * one, to show that verify catches it.
 *
 * Metrics: tasks/s; overhead_us = pool x wall / tasks - (inline_us + wait_us), the time per
 * task a pool worker spends on anything but the task itself; inline_us, one task's CPU part
 * run inline (timed in setup, the best of 20 batches); speedup_vs_inline = tasks/s x
 * (inline_us + wait_us) / 1e6, how many inline workers' worth of tasks the pool got done (the
 * pool wins above 1: sweep task_us to find the break-even); latency percentiles submit ->
 * start and submit -> result (callback); max_in_flight. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/loghist.h"
#include "workloads/queue.h"
#include "workloads/spin.h"
#include "workloads/workload.h"

#define TP_MAX_ARG_BYTES 65536
#define TP_SNAP 16                /* verify recomputes the values of tasks 0..TP_SNAP-1 */
#define TP_INLINE_BATCHES 20      /* setup times the inline task in this many batches ... */
#define TP_INLINE_BATCH_US 200    /* ... of about this long each (at least one task) */

enum { TP_ASYNC, TP_SYNC };
enum { TP_SHM, TP_PIPE };
enum { TP_DEFECT_NONE, TP_DEFECT_LOSE, TP_DEFECT_DUP };

/* The header of a task and of its result; arg_words of payload follow. */
struct tp_msg {
	uint64_t id;
	uint64_t t_submit;            /* stamped by the submission queue as the task goes in */
	uint64_t value;               /* result: the task's CPU work on its id */
	uint32_t tag;                 /* the pool worker that ran it (QUEUE_EOS_TAG: end of stream) */
	uint32_t pad;
};

/* One per worker, in shared memory, written only by its worker, read by verify after join. */
struct tp_worker {
	struct loghist lat;           /* pool: submit -> start; submitter: submit -> callback */
	uint64_t ran, ran_sum;        /* pool: tasks run, sum of tp_mix(id) */
	uint64_t bad_words;           /* payload words not as written (pool: arguments; submitter: results) */
	uint64_t busy_ns;             /* pool: time spent in task bodies */
} __attribute__((aligned(TASK_CACHELINE)));

struct tp_shared {
	struct queue subq, resq;
	/* read-only after setup */
	unsigned iters, npool, inflight, mode, defect;
	uint64_t wait_ns;
	size_t arg_words, item_size;
	double inline_us;
	/* the submitter's accounts */
	uint64_t submitted, sub_sum, received, recv_sum, max_in_flight, outstanding;
	uint64_t snap[TP_SNAP];       /* value received for task id i, if bit i of snap_mask */
	uint64_t snap_mask;
	struct tp_worker w[];
};

static const struct knob tp_knobs[] = {
	{ "task_us", KNOB_INT, "10", 0, 1000000, NULL, "CPU work per task, microseconds (cpu-spin's unit)" },
	{ "wait_us", KNOB_INT, "0", 0, 10000000, NULL, "a blocking wait per task after its CPU work, microseconds" },
	{ "arg_bytes", KNOB_INT, "64", 0, TP_MAX_ARG_BYTES, NULL,
	  "payload copied into each task and back (rounded up to 8 bytes), the analogue of pickling" },
	{ "mode", KNOB_ENUM, "async", 0, 0, "async|sync",
	  "async: up to `inflight` tasks outstanding (apply_async); sync: wait for each result (apply)" },
	{ "inflight", KNOB_INT, "0", 0, 1 << 20, NULL, "most tasks outstanding at once (0: 2 per pool worker)" },
	{ "capacity", KNOB_INT, "0", 0, 1 << 20, NULL, "submission queue slots (0: inflight)" },
	{ "share", KNOB_ENUM, "memory", 0, 0, "memory|messages",
	  "memory: the queues of `transport`; messages: the task API's channels (under mpi: MPI messages), the "
	  "submitter sends the tasks to the pool workers in turn, the distributed managers' master/worker" },
	{ "transport", KNOB_ENUM, "shm", 0, 0, "shm|pipe",
	  "shm: queues in shared memory; pipe: a pipe per direction (multiprocessing's way)" },
	{ "defect", KNOB_ENUM, "none", 0, 0, "none|lose|dup",
	  "inject a bug (a pool worker drops its first result / the callback runs twice on the first) to show verify catches it" },
	{ 0 }
};

/* splitmix64 finaliser: the checksum term and payload seed of task id. */
static inline uint64_t tp_mix(uint64_t id)
{
	uint64_t z = id + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Payload word i of task id, as the submitter writes it (the pool sends back its complement). */
static inline uint64_t tp_word(uint64_t seed, size_t i)
{
	return seed + i * 0x9e3779b97f4a7c15ull;
}

/* The CPU part of task id: `iters` steps of spin_unit in slices of about 1 us, a checkpoint
 * after each (t == NULL: none, for timing and recomputing it outside a worker). */
static uint64_t tp_work(struct task *t, uint64_t id, unsigned iters)
{
	uint64_t x = tp_mix(id);
	for (unsigned done = 0; done < iters;) {
		unsigned k = iters - done < SPIN_ITERS_PER_US ? iters - done : SPIN_ITERS_PER_US;
		x = spin_unit(x, k);
		done += k;
		if (t)
			task_checkpoint(t);
	}
	return x;
}

static inline uint64_t *tp_payload(struct tp_msg *m)
{
	return (uint64_t *)(m + 1);
}

/* ------------------------------------------------------------------ submitter */

/* The callback: check the returned payload, count, keep the first values for verify. */
static void tp_callback(struct task *t, struct tp_shared *s, struct tp_worker *me, struct tp_msg *m,
                        uint64_t *recv, uint64_t *sum)
{
	uint64_t now = task_now_ns(), seed = tp_mix(m->id), *w = tp_payload(m);
	loghist_add(&me->lat, now > m->t_submit ? now - m->t_submit : 0);
	for (size_t i = 0; i < s->arg_words; i++)
		if (w[i] != ~tp_word(seed, i))
			me->bad_words++;
	if (m->id < TP_SNAP) {
		s->snap[m->id] = m->value;
		s->snap_mask |= 1ull << m->id;
	}
	(*recv)++;
	*sum += seed;
	task_ops(t, 1);
}

static int submitter(struct task *t, struct tp_shared *s)
{
	struct tp_worker *me = &s->w[0];
	char *buf = malloc(2 * s->item_size);
	struct tp_msg *task = NULL, *res = NULL;
	uint64_t id = 0, sub_sum = 0, recv = 0, recv_sum = 0, out = 0, max_out = 0;
	int rc = 0, dup = s->defect == TP_DEFECT_DUP;
	if (!buf) {
		rc = task_fail(t, "out of memory for %zu bytes of task buffers", 2 * s->item_size);
		goto close;
	}
	task = (struct tp_msg *)buf;
	res = (struct tp_msg *)(buf + s->item_size);
	memset(task, 0, sizeof *task);
	while (!task_should_stop(t)) {
		while (out < s->inflight && !task_should_stop(t)) {
			uint64_t seed = tp_mix(id), *w = tp_payload(task);
			task->id = id;
			for (size_t i = 0; i < s->arg_words; i++)
				w[i] = tp_word(seed, i);
			if ((rc = queue_put(t, &s->subq, task, QUEUE_CANCEL)))
				break;
			sub_sum += seed;
			id++;
			if (++out > max_out)
				max_out = out;
		}
		if (rc)
			break;
		if (!out)
			continue;
		if ((rc = queue_get(t, &s->resq, res, QUEUE_CANCEL)))
			break;
		tp_callback(t, s, me, res, &recv, &recv_sum);
		if (dup) { /* the deliberate bug: the first result reaches the callback twice */
			tp_callback(t, s, me, res, &recv, &recv_sum);
			dup = 0;
		}
		out--;
		task_checkpoint(t);
	}
	if (rc == -ECANCELED || rc == QUEUE_END) /* stopping; or every pool worker left (they say why) */
		rc = 0;
close:;
	/* Every way out closes the submission queue, or the pool would wait for tasks forever. */
	int crc = queue_close(t, &s->subq);
	if (!rc)
		rc = crc;
	if (buf) {
		int g;
		while ((g = queue_get(t, &s->resq, res, 0)) == 0) {
			tp_callback(t, s, me, res, &recv, &recv_sum);
			out--;
			task_checkpoint(t);
		}
		if (g < 0 && !rc)
			rc = g;
	}
	s->submitted = id;
	s->sub_sum = sub_sum;
	s->received = recv;
	s->recv_sum = recv_sum;
	s->max_in_flight = max_out;
	s->outstanding = out;
	free(buf);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------ pool */

static int pool_worker(struct task *t, struct tp_shared *s)
{
	struct tp_worker *me = &s->w[t->id];
	struct tp_msg *m = malloc(s->item_size);
	uint64_t ran = 0, sum = 0, bad = 0, busy = 0;
	int rc = 0;
	if (!m) {
		rc = task_fail(t, "out of memory for %zu bytes of task buffer", s->item_size);
		goto close;
	}
	for (;;) {
		int g = queue_get(t, &s->subq, m, 0);
		if (g == QUEUE_END)
			break;
		if (g < 0) {
			rc = g;
			break;
		}
		uint64_t t0 = task_now_ns(), seed = tp_mix(m->id), *w = tp_payload(m);
		loghist_add(&me->lat, t0 > m->t_submit ? t0 - m->t_submit : 0);
		for (size_t i = 0; i < s->arg_words; i++) {
			if (w[i] != tp_word(seed, i))
				bad++;
			w[i] = ~w[i];
		}
		m->value = tp_work(t, m->id, s->iters);
		if (s->wait_ns)
			task_sleep_ns(t, s->wait_ns); /* cut short once the run stops: the task still ran */
		m->tag = t->id;
		busy += task_now_ns() - t0;
		ran++;
		sum += seed;
		if (s->defect == TP_DEFECT_LOSE && t->id == 1 && ran == 1)
			continue; /* the deliberate bug: this result never goes back */
		if ((rc = queue_put(t, &s->resq, m, 0)))
			break;
		task_checkpoint(t);
	}
	free(m);
close:
	me->ran = ran;
	me->ran_sum = sum;
	me->bad_words = bad;
	me->busy_ns = busy;
	/* Every way out closes the result queue, or the submitter would drain forever. */
	int crc = queue_close(t, &s->resq);
	return rc ? rc : crc;
}

static int tp_run(struct task *t)
{
	struct tp_shared *s = t->run->wl_shared;
	return t->id == 0 ? submitter(t, s) : pool_worker(t, s);
}

/* ------------------------------------------------------------------ parent side */

/* One task's CPU part run inline, in us: the best of 20 batches of about 200 us each (the
 * least disturbed). A task longer than a batch is timed as a batch of 200 us of its work and
 * scaled (the work is linear in its iterations), so setup stays short. */
static double tp_time_inline(unsigned iters)
{
	const unsigned most = TP_INLINE_BATCH_US * SPIN_ITERS_PER_US;
	unsigned run_iters = iters > most ? most : iters;
	uint64_t batch = most / (run_iters + SPIN_ITERS_PER_US) + 1, sink = 0;
	double best = 0;
	for (unsigned b = 0; b < TP_INLINE_BATCHES; b++) {
		uint64_t t0 = task_now_ns();
		for (uint64_t i = 0; i < batch; i++)
			sink += tp_work(NULL, i, run_iters);
		double us = (double)(task_now_ns() - t0) / 1e3 / (double)batch;
		if (!b || us < best)
			best = us;
	}
	__asm__ __volatile__("" : : "r"(sink)); /* keep the work */
	return iters > run_iters ? best * iters / run_iters : best;
}

static int tp_setup(struct run *r)
{
	unsigned n = r->nworkers, transport = (unsigned)run_knob_enum(r, "transport");
	int rc;
	if (transport == TP_PIPE && (rc = run_need_caps(r, TASK_CAP_INHERIT_FDS, "transport=pipe")))
		return rc;
	struct tp_shared *s = task_shm_alloc(r, sizeof *s + n * sizeof(struct tp_worker));
	if (!s)
		return run_fail(r, "out of shared memory");
	r->wl_shared = s;
	s->npool = n - 1;
	s->mode = (unsigned)run_knob_enum(r, "mode");
	s->defect = (unsigned)run_knob_enum(r, "defect");
	s->iters = (unsigned)run_knob_int(r, "task_us") * SPIN_ITERS_PER_US;
	s->wait_ns = (uint64_t)run_knob_int(r, "wait_us") * 1000u;
	s->arg_words = ((size_t)run_knob_int(r, "arg_bytes") + 7) / 8;
	s->item_size = sizeof(struct tp_msg) + s->arg_words * sizeof(uint64_t);
	uint64_t inflight = (uint64_t)run_knob_int(r, "inflight"), cap = (uint64_t)run_knob_int(r, "capacity");
	if (!inflight)
		inflight = 2 * (uint64_t)s->npool;
	if (s->mode == TP_SYNC)
		inflight = 1;
	if (!cap)
		cap = inflight;
	struct queue_config qc = { .kind = transport == TP_PIPE ? QUEUE_PIPE : QUEUE_RING, .cap = (unsigned)cap,
		                   .item_size = s->item_size, .nput = 1, .nget = s->npool,
		                   .stamp_off = offsetof(struct tp_msg, t_submit),
		                   .tag_off = offsetof(struct tp_msg, tag), .first_get = 1 };
	if (run_knob_enum(r, "share") == 1) {
		if (transport != TP_SHM)
			return run_fail(r, "share=messages replaces the queues: transport=pipe does not apply"), -ENOTSUP;
		if ((rc = run_need_caps(r, TASK_CAP_MESSAGES, "share=messages")))
			return rc;
		if (s->item_size > TASK_MSG_SIZE)
			return run_fail(r, "share=messages: a task of %zu bytes is above a message's %d (arg_bytes)",
			                s->item_size, TASK_MSG_SIZE), -ENOTSUP;
		qc.kind = QUEUE_MSG;
	}
	if ((rc = queue_init(r, &s->subq, &qc)) == -ENOSPC)
		return -ENOTSUP; /* more pool workers than channels: task_chan_new said so */
	if (rc)
		return run_fail(r, "submission queue (%u x %zu bytes): %s", qc.cap, qc.item_size,
		                rc == -E2BIG ? "more than 1 GiB" : strerror(-rc));
	qc.cap = (unsigned)inflight;
	qc.nput = s->npool;
	qc.nget = 1;
	qc.first_get = 0;
	qc.stamp_off = QUEUE_NO_FIELD;
	if ((rc = queue_init(r, &s->resq, &qc)))
		return run_fail(r, "result queue (%u x %zu bytes): %s", qc.cap, qc.item_size,
		                rc == -E2BIG ? "more than 1 GiB" : strerror(-rc));
	/* A pool worker must never wait to deliver a result: at most what the result queue holds
	 * may be outstanding (a ring holds inflight; a pipe what the kernel gave it). */
	if (queue_capacity(&s->resq) < inflight)
		inflight = queue_capacity(&s->resq);
	if (!inflight) {
		run_fail(r, "a result of %zu bytes does not fit in the result pipe (the kernel refused to enlarge it)",
		         s->item_size);
		return -ENOTSUP;
	}
	s->inflight = (unsigned)inflight;
	s->inline_us = tp_time_inline(s->iters);
	return 0;
}

/* count/sum of ids seen somewhere vs submitted: 0, or -1 with one line in r->err. */
static int tp_tally(struct run *r, const char *what, const char *many, uint64_t got, uint64_t got_sum,
                    uint64_t want, uint64_t want_sum)
{
	if (got < want)
		return run_fail(r, "%llu task(s) %s (submitted %llu)", (unsigned long long)(want - got), what,
		                (unsigned long long)want);
	if (got > want)
		return run_fail(r, "%llu task(s) %s (submitted %llu)", (unsigned long long)(got - want), many,
		                (unsigned long long)want);
	if (got_sum != want_sum)
		return run_fail(r, "checksum of %s tasks %#llx != submitted %#llx (one missing and another twice)",
		                many, (unsigned long long)got_sum, (unsigned long long)want_sum);
	return 0;
}

static int tp_verify(struct run *r)
{
	struct tp_shared *s = r->wl_shared;
	struct loghist start = { 0 };
	uint64_t ran = 0, ran_sum = 0, bad_args = 0, busy = 0, t0 = UINT64_MAX, t1 = 0;
	for (unsigned i = 0; i < r->nworkers; i++) {
		const struct task_slot *sl = &r->sh->slot[i];
		if (sl->t_begin_ns && sl->t_begin_ns < t0)
			t0 = sl->t_begin_ns;
		if (sl->t_end_ns > t1)
			t1 = sl->t_end_ns;
		if (!i)
			continue;
		loghist_merge(&start, &s->w[i].lat);
		ran += s->w[i].ran;
		ran_sum += s->w[i].ran_sum;
		bad_args += s->w[i].bad_words;
		busy += s->w[i].busy_ns;
	}
	double wall = t1 > t0 ? (double)(t1 - t0) / 1e9 : 0, tasks = (double)s->received;
	double tps = wall > 0 ? tasks / wall : 0, task_cost = s->inline_us + (double)s->wait_ns / 1e3;
	const struct loghist *res = &s->w[0].lat;
	run_metric(r, "tasks", tasks);
	run_metric(r, "submitted", (double)s->submitted);
	run_metric(r, "pool_workers", s->npool);
	run_metric(r, "inflight", s->inflight);
	run_metric(r, "capacity", queue_capacity(&s->subq));
	run_metric(r, "max_in_flight", (double)s->max_in_flight);
	run_metric(r, "arg_bytes", (double)(s->arg_words * sizeof(uint64_t)));
	run_metric(r, "inline_us", s->inline_us);
	run_metric(r, "busy_us", ran ? (double)busy / 1e3 / (double)ran : 0);
	run_metric(r, "overhead_us", tasks > 0 ? wall * 1e6 * s->npool / tasks - task_cost : 0);
	run_metric(r, "speedup_vs_inline", tps * task_cost / 1e6);
	run_metric(r, "start_latency_p50_us", loghist_quantile(&start, 0.50) / 1e3);
	run_metric(r, "start_latency_p90_us", loghist_quantile(&start, 0.90) / 1e3);
	run_metric(r, "start_latency_p99_us", loghist_quantile(&start, 0.99) / 1e3);
	run_metric(r, "start_latency_p999_us", loghist_quantile(&start, 0.999) / 1e3);
	run_metric(r, "result_latency_p50_us", loghist_quantile(res, 0.50) / 1e3);
	run_metric(r, "result_latency_p90_us", loghist_quantile(res, 0.90) / 1e3);
	run_metric(r, "result_latency_p99_us", loghist_quantile(res, 0.99) / 1e3);
	run_metric(r, "result_latency_p999_us", loghist_quantile(res, 0.999) / 1e3);

	if (tp_tally(r, "never ran", "ran more than once", ran, ran_sum, s->submitted, s->sub_sum) ||
	    tp_tally(r, "never reached the callback", "reached the callback more than once", s->received,
	             s->recv_sum, s->submitted, s->sub_sum))
		return -1;
	if (run_total_ops(r) != s->received)
		return run_fail(r, "bookkeeping: %llu results through the callback, %llu ops counted",
		                (unsigned long long)s->received, (unsigned long long)run_total_ops(r));
	if (bad_args || s->w[0].bad_words)
		return run_fail(r, "corrupt payload: %llu argument word(s), %llu result word(s)",
		                (unsigned long long)bad_args, (unsigned long long)s->w[0].bad_words);
	if (s->max_in_flight > s->inflight)
		return run_fail(r, "%llu tasks were outstanding at once, inflight is %u", (unsigned long long)s->max_in_flight,
		                s->inflight);
	if (start.n != ran || res->n != s->received)
		return run_fail(r, "bookkeeping: %llu start and %llu result latencies for %llu tasks",
		                (unsigned long long)start.n, (unsigned long long)res->n, (unsigned long long)ran);
	for (unsigned i = 0; i < TP_SNAP; i++)
		if ((s->snap_mask >> i & 1) && s->snap[i] != tp_work(NULL, i, s->iters))
			return run_fail(r, "task %u: result %#llx, expected %#llx", i, (unsigned long long)s->snap[i],
			                (unsigned long long)tp_work(NULL, i, s->iters));
	return 0;
}

static void tp_teardown(struct run *r)
{
	struct tp_shared *s = r->wl_shared;
	if (!s)
		return;
	queue_destroy(&s->subq);
	queue_destroy(&s->resq);
}

const struct workload workload_task_pool = {
	.name = "task-pool",
	.summary = "a submitter, a pool and a callback (Pool.apply_async): tasks/s, dispatch overhead, break-even",
	.version = WORKLOAD_API_VERSION,
	.min_workers = 2,
	.knobs = tp_knobs,
	.primary_metric = "ops_per_s",
	.op_unit = "tasks",
	.helpers = 1, /* worker 0 submits: n workers are a pool of n - 1 */
	.symmetric = 0,
	.higher_is_better = 1,
	.ci_target = 0.03, /* hand-offs: repetitions vary by 5-50% on a shared VM (issue 15) */
	.setup = tp_setup,
	.run = tp_run,
	.verify = tp_verify,
	.teardown = tp_teardown,
};
