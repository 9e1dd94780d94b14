/* rep_proto: the one-repetition protocol between `bench ab` and `bench rep`, which may be
 * binaries of different commits. Part of the store room (jansson stays here).
 *
 * Handshake: `bench rep --protocol-version` prints one line, "bench rep protocol N". A bench
 * without the command (older than protocol 1) exits 2 and prints something else.
 *
 * A run: `bench rep --protocol N -w W -d D -n K [-O k=v]... [--pin P] [--duration S]
 * [--warmup K] [--timeout S]` runs one cell with K warm-ups and ONE measured repetition, in
 * its own cell process, exactly as `bench run` runs a cell, and prints one line of JSON:
 *
 *   {"protocol": 1, "bench": {"version": "0.9.0", "git": "abc123"},
 *    "cell": {"workload": W, "driver": D, "workers": K, "pin": P, "placement": [...],
 *             "knobs": {...}, "primary": {"metric": M, "better": "higher"|"lower"},
 *             "status": "ok"|"failed"|"skipped"|..., "error": null|"..."},
 *    "warmups": K, "rep": {the repetition object, as a results file's "reps" holds it} | null}
 *
 * "rep" is the cell's last measured repetition (null when none ran: skipped, or failed
 * before). Readers treat the contract's optional keys of a repetition as the contract says
 * (disturbed absent = false). A change of any of this is a new protocol number: a bench
 * refuses a --protocol it does not speak, and bench ab refuses a binary that does not speak
 * its own, each with one line. */
#ifndef BENCH_REP_PROTO_H
#define BENCH_REP_PROTO_H

#include <stddef.h>

#define REP_PROTOCOL 1
#define REP_PROTOCOL_BANNER "bench rep protocol"

/* The protocol line (malloc'd, no newline) of cell_json (results_cell_json() of a finished
 * one-repetition cell) and the bench that ran it; NULL on out of memory or a malformed cell. */
char *rep_proto_encode(const char *cell_json, const char *version, const char *git);

/* A decoded protocol line. */
struct rep_msg {
	int protocol;
	char version[64], git[64];
	char workload[64], driver[64];
	unsigned workers;
	char status[16];               /* the cell's */
	char error[300];               /* the cell's error, or "" */
	char metric[64];               /* the primary metric */
	char *rep_json;                /* the repetition, compact JSON (malloc'd), or NULL */
	int rep_ok;                    /* its status is "ok" */
	int disturbed;                 /* its "disturbed" is true (absent: false) */
	char disturbed_by[128];
	double value;                  /* its primary metric, NAN when absent */
	/* its interference record (0 when absent) and the distinct PUs its workers were bound to
	 * (0: unbound or unknown) */
	double wall_s, steal_s, other_load_pu_cores, run_delay_s, helper_cpu_s;
	unsigned npus;
};

/* Decode one line. 0; -EPROTO when the line speaks another protocol (err says which), or
 * -EINVAL for anything malformed, with a one-line reason in err. m->rep_json is freed with
 * rep_proto_free (also after an error). */
int rep_proto_decode(const char *line, struct rep_msg *m, char *err, size_t errlen);
void rep_proto_free(struct rep_msg *m);

#endif
