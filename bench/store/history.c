/* history: the SQLite results history (see history.h). The only module that includes
 * sqlite3.h. */
#define _GNU_SOURCE
#include "bench/store/history.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/core/log.h"
#include "bench/stats/compare.h"
#include "bench/stats/fmt.h"
#include "bench/stats/stats.h"
#include "bench/store/escape.h"
#include "bench/store/results.h"

#define HISTORY_APP_ID 0x626e6368 /* "bnch" */

/* ---- schema: one migration per version, applied in order from the store's user_version ---- */

static int migrate_cells(sqlite3 *db);

/* A migration: sql, then fill (a step in C, or NULL), then after (or NULL). */
struct migration {
	const char *sql;
	int (*fill)(sqlite3 *db);
	const char *after;
};

static const struct migration migrations[HISTORY_SCHEMA + 1] = {
	[1].sql = "CREATE TABLE run(id INTEGER PRIMARY KEY, ident TEXT NOT NULL UNIQUE, created_utc TEXT,"
	      " revision TEXT, host TEXT, machine TEXT, tool_version TEXT, argv TEXT, source TEXT,"
	      " interrupted INTEGER NOT NULL DEFAULT 0, imported_utc TEXT);"
	      "CREATE INDEX run_time ON run(created_utc, id);"
	      "CREATE TABLE cellkey(id INTEGER PRIMARY KEY, identity TEXT NOT NULL UNIQUE, workload TEXT NOT NULL,"
	      " driver TEXT NOT NULL, workers INTEGER NOT NULL, pin TEXT NOT NULL, knobs TEXT NOT NULL);"
	      "CREATE TABLE metricset(id INTEGER PRIMARY KEY, names TEXT NOT NULL UNIQUE);"
	      "CREATE TABLE cell(id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	      " key INTEGER NOT NULL REFERENCES cellkey(id), status TEXT NOT NULL, error TEXT, primary_metric TEXT"
	      " NOT NULL, higher INTEGER NOT NULL, metricset INTEGER NOT NULL REFERENCES metricset(id));"
	      "CREATE INDEX cell_key ON cell(key, run);"
	      "CREATE INDEX cell_run ON cell(run);"
	      "CREATE TABLE rep(cell INTEGER NOT NULL REFERENCES cell(id) ON DELETE CASCADE, idx INTEGER NOT NULL,"
	      " ok INTEGER NOT NULL, vals BLOB NOT NULL, PRIMARY KEY(cell, idx)) WITHOUT ROWID;",
	/* 2: results schema 2 marks disturbed repetitions (contract of issue 15) */
	[2].sql = "ALTER TABLE rep ADD COLUMN disturbed INTEGER NOT NULL DEFAULT 0;",
	/* 3: the repetitions of one cell identity together (clustered by cellkey, then run), and
	 * the cells of one identity in a covering index: the series of a cell over 10,000 runs
	 * reads a few contiguous pages instead of a page per repetition */
	[3].sql = "CREATE TABLE rep3(key INTEGER NOT NULL, run INTEGER NOT NULL, cell INTEGER NOT NULL, idx INTEGER NOT NULL,"
	      " ok INTEGER NOT NULL, disturbed INTEGER NOT NULL DEFAULT 0, vals BLOB NOT NULL,"
	      " PRIMARY KEY(key, run, cell, idx)) WITHOUT ROWID;"
	      "INSERT INTO rep3 SELECT c.key, c.run, p.cell, p.idx, p.ok, p.disturbed, p.vals FROM rep p"
	      " JOIN cell c ON c.id = p.cell;"
	      "DROP TABLE rep;"
	      "ALTER TABLE rep3 RENAME TO rep;"
	      "DROP INDEX cell_key;"
	      "CREATE INDEX cell_key ON cell(key, run, id, status, metricset);",
	/* 4: one row per cell of a run (ids kept: the cells of a run stay in file order), its
	 * repetitions in blobs and the statistics of every metric precomputed (migrate_cells); a
	 * series is the range of cell_series for the cell's identity, already in time order */
	[4] = { "CREATE TABLE cell4(id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES run(id),"
	        " key INTEGER NOT NULL REFERENCES cellkey(id), created_utc TEXT, status TEXT NOT NULL, error TEXT,"
	        " primary_metric TEXT NOT NULL, higher INTEGER NOT NULL, metricset INTEGER NOT NULL"
	        " REFERENCES metricset(id), nreps INTEGER NOT NULL, flags BLOB NOT NULL, vals BLOB NOT NULL,"
	        " stats BLOB NOT NULL);",
	        migrate_cells,
	        "DROP TABLE rep;"
	        "DROP TABLE cell;"
	        "ALTER TABLE cell4 RENAME TO cell;"
	        "CREATE INDEX cell_series ON cell(key, created_utc, run);" },
};

enum { ST_RUN, ST_KEY_ADD, ST_KEY_GET, ST_MSET_ADD, ST_MSET_GET, ST_CELL, ST_CELL_V3, ST_REP, ST_REP_V2, ST_REP_V1,
       ST_COUNT };
static const char *const stmt_sql[ST_COUNT] = {
	[ST_RUN] = "INSERT OR IGNORE INTO run(ident, created_utc, revision, host, machine, tool_version, argv,"
	           " source, interrupted, imported_utc) VALUES(?,?,?,?,?,?,?,?,?,?)",
	[ST_KEY_ADD] = "INSERT INTO cellkey(identity, workload, driver, workers, pin, knobs)"
	               " VALUES(?,?,?,?,?,?)",
	[ST_KEY_GET] = "SELECT id FROM cellkey WHERE identity = ?",
	[ST_MSET_ADD] = "INSERT INTO metricset(names) VALUES(?)",
	[ST_MSET_GET] = "SELECT id FROM metricset WHERE names = ?",
	[ST_CELL] = "INSERT INTO cell(run, key, status, error, primary_metric, higher, metricset, created_utc, nreps,"
	            " flags, vals, stats) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
	/* schemas 1 to 3 (tests building an older store) */
	[ST_CELL_V3] = "INSERT INTO cell(run, key, status, error, primary_metric, higher, metricset)"
	               " VALUES(?,?,?,?,?,?,?)",
	[ST_REP] = "INSERT INTO rep(key, run, cell, idx, ok, disturbed, vals) VALUES(?,?,?,?,?,?,?)",
	[ST_REP_V2] = "INSERT INTO rep(cell, idx, ok, disturbed, vals) VALUES(?,?,?,?,?)",
	[ST_REP_V1] = "INSERT INTO rep(cell, idx, ok, vals) VALUES(?,?,?,?)",
};

struct history {
	sqlite3 *db;
	char *path;
	int schema;
	sqlite3_stmt *st[ST_COUNT];
};

/* One line for an SQLite failure: a file that is not a store, or a damaged one, is -EINVAL. */
static int db_fail(sqlite3 *db, const char *path, int rc, const char *what, char *err, size_t errlen)
{
	int code = rc & 0xff;
	const char *msg = db && (sqlite3_errcode(db) & 0xff) == code ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT || code == SQLITE_FORMAT) {
		snprintf(err, errlen, "%s is not a bench history database, or it is damaged (%s): move it away to start"
		         " a new one; the results files are untouched", path, msg);
		return -EINVAL;
	}
	snprintf(err, errlen, "%s: %s failed: %s", path, what, msg);
	return code == SQLITE_BUSY || code == SQLITE_LOCKED ? -EBUSY : code == SQLITE_FULL ? -ENOSPC
	       : code == SQLITE_READONLY || code == SQLITE_PERM || code == SQLITE_CANTOPEN ? -EACCES : -EIO;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		*out = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Copy the store to path.v<version>.bak before a migration (SQLite's online backup). */
static int backup(sqlite3 *db, const char *path, int version, char *err, size_t errlen)
{
	char bak[4200];
	sqlite3 *to = NULL;
	snprintf(bak, sizeof bak, "%s.v%d.bak", path, version);
	int rc = sqlite3_open_v2(bak, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(to, "main", db, "main") : NULL;
	if (b) {
		rc = sqlite3_backup_step(b, -1);
		rc = sqlite3_backup_finish(b) == SQLITE_OK && rc == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	} else if (rc == SQLITE_OK) {
		rc = sqlite3_errcode(to);
	}
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: backup to %s before the upgrade failed: %s", path, bak,
		         to ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
	sqlite3_close(to);
	return rc == SQLITE_OK ? 0 : -EIO;
}

/* Bring the store from its version to target, in one IMMEDIATE transaction (a concurrent
 * opener waits, then sees the new version). */
static int migrate(sqlite3 *db, const char *path, int target, char *err, size_t errlen)
{
	int v = 0, rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "PRAGMA user_version", &v);
	for (int k = v + 1; rc == SQLITE_OK && k <= target; k++) {
		char sql[96];
		const struct migration *m = &migrations[k];
		rc = sqlite3_exec(db, m->sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK && m->fill)
			rc = m->fill(db);
		if (rc == SQLITE_OK && m->after)
			rc = sqlite3_exec(db, m->after, NULL, NULL, NULL);
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", k, HISTORY_APP_ID);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	int e = db_fail(db, path, rc, "upgrade", err, errlen);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return e;
}

/* The store's version, checked: a bench store (or an empty file), not newer than this bench. */
static int check_version(sqlite3 *db, const char *path, int *version, char *err, size_t errlen)
{
	int app = 0, tables = 0, rc = pragma_int(db, "PRAGMA user_version", version);
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables);
	if (rc != SQLITE_OK)
		return db_fail(db, path, rc, "reading the schema", err, errlen);
	if ((tables || *version) && app != HISTORY_APP_ID) {
		snprintf(err, errlen, "%s is an SQLite database, but not a bench history database", path);
		return -EINVAL;
	}
	if (*version > HISTORY_SCHEMA) {
		snprintf(err, errlen, "%s has history schema %d, newer than this bench's (%d): use a newer bench", path,
		         *version, HISTORY_SCHEMA);
		return -EPROTO;
	}
	return 0;
}

/* WAL mode (kept in the file). Changing the journal mode does not wait on the busy handler
 * when another connection holds a lock (two processes creating the store at once): retry. */
static int set_wal(sqlite3 *db)
{
	for (int waited_ms = 0;; waited_ms += 5) {
		int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) || waited_ms >= HISTORY_BUSY_MS)
			return rc;
		usleep(5000);
	}
}

static int open_db(const char *path, enum history_mode mode, sqlite3 **out, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st)) {
		if (errno != ENOENT || mode == HISTORY_READ) {
			int e = errno;
			snprintf(err, errlen, "%s: %s%s", path, strerror(e),
			         e == ENOENT ? " (bench run records each run there; bench store add FILE.json imports files)" : "");
			return -e;
		}
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return -EINVAL;
	}
	int rc = sqlite3_open_v2(path, out, SQLITE_OPEN_READWRITE | (mode == HISTORY_CREATE ? SQLITE_OPEN_CREATE : 0),
	                         NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(*out, HISTORY_BUSY_MS);
	if (rc == SQLITE_OK)
		rc = set_wal(*out);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(*out, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_fail(*out, path, rc, "open", err, errlen);
}

static int open_at(const char *path, enum history_mode mode, int target, struct history **out, char *err,
                   size_t errlen)
{
	struct history *h = calloc(1, sizeof *h);
	int v = 0, rc = -ENOMEM;
	*out = NULL;
	if (!h || !(h->path = strdup(path)))
		goto fail;
	if ((rc = open_db(path, mode, &h->db, err, errlen)) || (rc = check_version(h->db, path, &v, err, errlen)))
		goto fail;
	if (v && v < target && (rc = backup(h->db, path, v, err, errlen)))
		goto fail;
	if (v < target && (rc = migrate(h->db, path, target, err, errlen)))
		goto fail;
	if ((rc = check_version(h->db, path, &h->schema, err, errlen)))
		goto fail;
	*out = h;
	return 0;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	history_close(h);
	return rc;
}

int history_open(const char *path, enum history_mode mode, struct history **out, char *err, size_t errlen)
{
	return open_at(path, mode, HISTORY_SCHEMA, out, err, errlen);
}

int history_create_at(const char *path, int version, const char *const *files, unsigned nfiles, char *err,
                      size_t errlen)
{
	struct history *h;
	struct history_added a;
	if (version < 1 || version > HISTORY_SCHEMA)
		return -EINVAL;
	int rc = open_at(path, HISTORY_CREATE, version, &h, err, errlen);
	for (unsigned i = 0; !rc && i < nfiles; i++)
		rc = history_add_file(h, files[i], NULL, &a, err, errlen);
	history_close(h);
	return rc;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(h->st[i]);
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}

int history_schema(const struct history *h)
{
	return h->schema;
}

/* ---- identity and fingerprint: two 64-bit FNV-1a streams over the canonical content ---- */

struct hash2 {
	uint64_t a, b;
};

static void hput(struct hash2 *h, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "\x01null");
	do {
		h->a = (h->a ^ *p) * 0x100000001b3ull;
		h->b = (h->b ^ *p) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
	} while (*p++);
}

/* The 17 significant digits of a (1e-4 <= a < 1e17, finite) as %.17g rounds them, exactly:
 * a = m 2^e, D = a 10^k rounded half to even in 128-bit integers, k = 16 - X (X the decimal
 * exponent of a). 0 with *d and *x, or -1 when a is out of reach (the caller uses printf). */
static int digits17(double a, unsigned long long *d, int *x)
{
	int E;
	double f = frexp(a, &E);
	unsigned __int128 m = (unsigned __int128)(unsigned long long)ldexp(f, 53), n, one = 1;
	int s = 53 - E, X = (int)floor(log10(a));
	if (s <= 0 || s >= 120)
		return -1;
	for (int tries = 0; tries < 3; tries++) {
		int k = 16 - X;
		if (k < 0 || k > 21)
			return -1;
		n = m;
		for (int i = 0; i < k; i++)
			n *= 10;
		unsigned __int128 q = n >> s, rem = n & ((one << s) - 1), half = one << (s - 1);
		if (q >= 100000000000000000ull) { /* X was one too small (log10 rounds) */
			X++;
			continue;
		}
		if (q < 10000000000000000ull) {
			X--;
			continue;
		}
		if (rem > half || (rem == half && (q & 1)))
			q++;
		if (q == 100000000000000000ull) {
			q = 10000000000000000ull;
			X++;
		}
		*d = (unsigned long long)q;
		*x = X;
		return 0;
	}
	return -1;
}

/* v as %.17g writes it, into t (40 bytes); the text. Integers below 1e17 and numbers from 1e-4
 * up (the values of a results file, nearly all) without printf: the cost of a run's identity. */
const char *history_num_text(double v, char t[40])
{
	char *e = t + 39, dig[18];
	unsigned long long u;
	int x;
	*e = 0;
	if (v == floor(v) && fabs(v) < 1e17 && !(v == 0 && signbit(v))) {
		u = (unsigned long long)(v < 0 ? -v : v);
		do
			*--e = (char)('0' + u % 10);
		while (u /= 10);
	} else if (fabs(v) >= 1e-4 && fabs(v) < 1e17 && !digits17(fabs(v), &u, &x)) {
		for (int i = 16; i >= 0; i--, u /= 10) /* 17 digits; the point after x + 1 of them */
			dig[i] = (char)('0' + u % 10);
		int last = 16;
		while (last > x && dig[last] == '0')
			last--;
		for (int i = last; i >= 0; i--) {
			*--e = dig[i];
			if (i == x + 1 && x >= 0 && i <= last)
				*--e = '.';
		}
		for (int z = x + 1; x < 0 && z < 0; z++)
			*--e = '0';
		if (x < 0) {
			*--e = '.';
			*--e = '0';
		}
	} else {
		snprintf(t, 40, "%.17g", v);
		return t;
	}
	if (v < 0)
		*--e = '-';
	return e;
}

static void hnum(struct hash2 *h, double v)
{
	char t[40];
	hput(h, history_num_text(v, t));
}

static struct hash2 hinit(void)
{
	return (struct hash2){ 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };
}

void history_run_ident(const struct results_file *f, char out[33])
{
	struct hash2 h = hinit();
	char id[1024];
	hput(&h, f->created_utc);
	hput(&h, f->tool_version);
	hput(&h, f->tool_git);
	hput(&h, f->argv);
	hnum(&h, f->interrupted);
	for (unsigned i = 0; i < f->nmachine; i++) {
		hput(&h, f->machine[i].key);
		hput(&h, f->machine[i].value);
	}
	for (unsigned i = 0; i < f->ncells; i++) {
		const struct results_file_cell *c = &f->cells[i];
		compare_cell_identity(f, i, id, sizeof id);
		hput(&h, id);
		hput(&h, c->status);
		hput(&h, c->error);
		for (unsigned r = 0; r < c->nreps; r++) {
			hnum(&h, c->reps[r].ok);
			for (unsigned m = 0; m < c->reps[r].nmetrics; m++) {
				hput(&h, c->reps[r].metrics[m].name);
				hnum(&h, c->reps[r].metrics[m].value);
			}
		}
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.a, (unsigned long long)h.b);
}

static void machine_fingerprint(const struct results_file *f, char out[17])
{
	static const char *const keys[] = { "host", "arch", "cpu.brand", "online_cpus", "topology.pus",
		                            "topology.cores", "cgroup.quota_cpus" };
	struct hash2 h = hinit();
	for (unsigned i = 0; i < sizeof keys / sizeof *keys; i++)
		hput(&h, results_file_machine(f, keys[i]));
	snprintf(out, 17, "%016llx", (unsigned long long)h.a);
}

/* The revision a file records: a top-level "revision", else tool.git unless unknown. */
static const char *file_revision(const struct results_file *f, char *buf, size_t len)
{
	if (!results_file_scalar(f, "revision", buf, len) && buf[0] && strcmp(buf, "null"))
		return buf;
	if (f->tool_git && f->tool_git[0] && strcmp(f->tool_git, "unknown"))
		return f->tool_git;
	return NULL;
}

/* ---- adding a run ---- */

static int stmt(struct history *h, int which, sqlite3_stmt **out)
{
	int rc = SQLITE_OK;
	if (!h->st[which])
		rc = sqlite3_prepare_v3(h->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &h->st[which], NULL);
	*out = h->st[which];
	if (rc == SQLITE_OK)
		sqlite3_reset(*out);
	return rc;
}

/* Bind the texts (NULL: SQL null) and integers of a statement; '%' in fmt: s = text, i = int64. */
static int bind(sqlite3_stmt *s, const char *fmt, ...)
{
	va_list ap;
	int rc = sqlite3_clear_bindings(s);
	va_start(ap, fmt);
	for (int i = 1; rc == SQLITE_OK && fmt[i - 1]; i++) {
		if (fmt[i - 1] == 's') {
			const char *t = va_arg(ap, const char *);
			rc = t ? sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
		} else {
			rc = sqlite3_bind_int64(s, i, va_arg(ap, long long));
		}
	}
	va_end(ap);
	return rc;
}

/* The id of the row whose text is key; SQLITE_NOTFOUND when none. */
static int find_row(struct history *h, int get, const char *key, long long *id)
{
	sqlite3_stmt *s;
	int rc = stmt(h, get, &s);
	if (rc == SQLITE_OK && (rc = bind(s, "s", key)) == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	/* A statement left on a row keeps its read transaction open after COMMIT: the next BEGIN
	 * IMMEDIATE of this connection would then fail at once (SQLITE_BUSY_SNAPSHOT) as soon as
	 * another process has written. */
	sqlite3_reset(s);
	if (rc == SQLITE_OK)
		return rc;
	return rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc;
}

static int key_id(struct history *h, const struct results_file *f, unsigned ci, long long *id)
{
	const struct results_file_cell *c = &f->cells[ci];
	char identity[1024], knobs[900];
	size_t off = 0;
	knobs[0] = 0;
	for (const struct results_kv *kv = c->knobs_by_name; kv < c->knobs_by_name + c->nknobs && off < sizeof knobs; kv++)
		off += (size_t)snprintf(knobs + off, sizeof knobs - off, "%s%s=%s", off ? " " : "", kv->key, kv->value);
	compare_cell_identity(f, ci, identity, sizeof identity);
	int rc = find_row(h, ST_KEY_GET, identity, id);
	if (rc != SQLITE_NOTFOUND)
		return rc;
	sqlite3_stmt *s;
	if ((rc = stmt(h, ST_KEY_ADD, &s)) || (rc = bind(s, "sssiss", identity, c->workload, c->driver,
	                                                 (long long)c->workers, c->pin, knobs)))
		return rc;
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		return rc;
	*id = sqlite3_last_insert_rowid(h->db);
	return SQLITE_OK;
}

/* The position of name in names[0..n), looked up first at *guess (the repetitions of a cell
 * list their metrics in the same order, so the guess is nearly always right); n when absent. */
static unsigned name_index(const char *const *names, unsigned n, const char *name, unsigned *guess)
{
	unsigned k = *guess < n && !strcmp(names[*guess], name) ? *guess : 0;
	while (k < n && strcmp(names[k], name))
		k++;
	*guess = k + 1;
	return k;
}

/* The metric names of a cell's repetitions, first-seen order, then the derived metrics
 * (RESULTS_DERIVED_METRICS, stored as the loader computes them). */
static int metric_names(const struct results_file_cell *c, const char **names, unsigned max, unsigned *n)
{
	unsigned guess = 1;
	*n = 0;
	names[(*n)++] = RESULTS_DERIVED_METRICS;
	for (unsigned r = 0; r < c->nreps; r++)
		for (unsigned m = 0; m < c->reps[r].nmetrics; m++) {
			const char *name = c->reps[r].metrics[m].name;
			if (name_index(names, *n, name, &guess) == *n) {
				if (*n == max)
					return -E2BIG;
				names[(*n)++] = name;
			}
		}
	return 0;
}

#define MAX_METRICS 256

static int mset_id(struct history *h, const char **names, unsigned n, long long *id)
{
	char text[MAX_METRICS * (ESC_NAME_MAX + 1) + 1];
	size_t off = 0;
	text[0] = 0;
	for (unsigned i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, sizeof text - off, "%s%s", i ? " " : "", names[i]);
	int rc = find_row(h, ST_MSET_GET, text, id);
	if (rc != SQLITE_NOTFOUND)
		return rc;
	sqlite3_stmt *s;
	if ((rc = stmt(h, ST_MSET_ADD, &s)) || (rc = bind(s, "s", text)) || (rc = sqlite3_step(s)) != SQLITE_DONE)
		return rc;
	*id = sqlite3_last_insert_rowid(h->db);
	return SQLITE_OK;
}

/* A repetition's values in the order of names, at out[0], out[stride], ... (NaN: absent). */
static void rep_values(const struct results_rep *r, const char *const *names, unsigned n, double *out,
                       size_t stride)
{
	unsigned guess = 1;
	for (unsigned i = 0; i < n; i++)
		out[i * stride] = NAN;
	out[0] = results_rep_metric(r, names[0]); /* RESULTS_DERIVED_METRICS */
	for (unsigned m = 0; m < r->nmetrics; m++) {
		unsigned k = name_index(names, n, r->metrics[m].name, &guess);
		if (k < n)
			out[k * stride] = r->metrics[m].value;
	}
}

static void put_val(unsigned char *p, double v)
{
	uint64_t u;
	memcpy(&u, &v, 8);
	for (unsigned b = 0; b < 8; b++)
		p[b] = (unsigned char)(u >> (8 * b));
}

static double decode_val(const unsigned char *p)
{
	uint64_t u = 0;
	double v;
	for (unsigned b = 0; b < 8; b++)
		u |= (uint64_t)p[b] << (8 * b);
	memcpy(&v, &u, 8);
	return v;
}

/* Whether a repetition was disturbed and left out of its run's summary (results schema 2,
 * the loader's flags): history's series leave it out the same way (a run made with
 * --keep-disturbed counted it, so history counts it too). */
static int rep_disturbed(const struct results_rep *r)
{
	return r->disturbed && !r->counted;
}

/* ---- a cell of a run as schema 4 keeps it ---- */

#define REP_OK 1
#define REP_DISTURBED 2
#define STATS_PER_METRIC 3 /* median, ci_lo, ci_hi */

/* flags: per repetition REP_OK | REP_DISTURBED; vals: per metric (the metric set's order) the
 * nreps values, NaN when absent; stats: per metric the median and 95% CI of the mean of the
 * values that count (ok, finite, not disturbed: a point of the series), NaN without values (CI:
 * with fewer than two). In the blobs every double is 8 little-endian bytes. */
struct cellrec {
	unsigned nreps, nmetrics;
	unsigned char *flags, *vals, *stats;
};

static int cellrec_init(struct cellrec *c, unsigned nreps, unsigned nmetrics)
{
	size_t nv = (size_t)nreps * nmetrics;
	*c = (struct cellrec){ nreps, nmetrics, malloc(nreps + 1), malloc(nv * 8 + 1),
		               malloc((size_t)nmetrics * STATS_PER_METRIC * 8 + 1) };
	return c->flags && c->vals && c->stats ? SQLITE_OK : SQLITE_NOMEM;
}

static void cellrec_free(struct cellrec *c)
{
	free(c->flags);
	free(c->vals);
	free(c->stats);
}

/* Fill c->stats from c->flags and c->vals. */
static int cellrec_stats(struct cellrec *c)
{
	double *x = malloc((c->nreps + 1) * sizeof *x);
	if (!x)
		return SQLITE_NOMEM;
	for (unsigned m = 0; m < c->nmetrics; m++) {
		struct stats_summary st;
		size_t n = 0;
		for (unsigned r = 0; r < c->nreps; r++) {
			double v = decode_val(c->vals + ((size_t)m * c->nreps + r) * 8);
			if (c->flags[r] == REP_OK && isfinite(v))
				x[n++] = v;
		}
		int have = n && !stats_summarize(x, n, &st);
		unsigned char *s = c->stats + (size_t)m * STATS_PER_METRIC * 8;
		put_val(s, have ? st.median : NAN);
		put_val(s + 8, have && n > 1 ? st.ci_lo : NAN);
		put_val(s + 16, have && n > 1 ? st.ci_hi : NAN);
	}
	free(x);
	return SQLITE_OK;
}

/* Bind nreps, flags, vals and stats to the parameters from col on. */
static int cellrec_bind(sqlite3_stmt *s, int col, const struct cellrec *c)
{
	int rc = sqlite3_bind_int64(s, col, c->nreps);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(s, col + 1, c->flags, (int)c->nreps, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(s, col + 2, c->vals, (int)((size_t)c->nreps * c->nmetrics * 8), SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(s, col + 3, c->stats, (int)((size_t)c->nmetrics * STATS_PER_METRIC * 8),
		                       SQLITE_STATIC);
	return rc;
}

/* The record of loaded cell c, its metrics names[0..n). */
static int cellrec_of(const struct results_file_cell *c, const char *const *names, unsigned n, struct cellrec *out)
{
	double v[MAX_METRICS];
	int rc = cellrec_init(out, c->nreps, n);
	for (unsigned r = 0; rc == SQLITE_OK && r < c->nreps; r++) {
		out->flags[r] = (unsigned char)((c->reps[r].ok ? REP_OK : 0) | (rep_disturbed(&c->reps[r]) ? REP_DISTURBED : 0));
		rep_values(&c->reps[r], names, n, v, 1);
		for (unsigned m = 0; m < n; m++)
			put_val(out->vals + ((size_t)m * c->nreps + r) * 8, v[m]);
	}
	return rc == SQLITE_OK ? cellrec_stats(out) : rc;
}

/* Schemas 1 to 3 (tests building an older store): a row per repetition. */
static int add_reps_v3(struct history *h, const struct results_file_cell *c, const char *const *names, unsigned n,
                       long long key, long long run, long long cell)
{
	double v[MAX_METRICS];
	unsigned char vals[MAX_METRICS * 8];
	int ver = h->schema < 2 ? 1 : h->schema, nb = ver == 1 ? 3 : ver == 2 ? 4 : 6, rc = SQLITE_OK;
	for (unsigned r = 0; rc == SQLITE_OK && r < c->nreps; r++) {
		sqlite3_stmt *s;
		long long ok = c->reps[r].ok, dist = rep_disturbed(&c->reps[r]);
		rep_values(&c->reps[r], names, n, v, 1);
		for (unsigned m = 0; m < n; m++)
			put_val(vals + m * 8, v[m]);
		if ((rc = stmt(h, ver == 1 ? ST_REP_V1 : ver == 2 ? ST_REP_V2 : ST_REP, &s)) ||
		    (rc = ver < 3 ? bind(s, ver == 1 ? "iii" : "iiii", cell, (long long)r, ok, dist)
		                  : bind(s, "iiiiii", key, run, cell, (long long)r, ok, dist)) ||
		    (rc = sqlite3_bind_blob(s, nb + 1, vals, (int)(n * 8), SQLITE_TRANSIENT)))
			return rc;
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(h->db);
	}
	return rc;
}

static int add_cell(struct history *h, const struct results_file *f, unsigned ci, long long run, unsigned *nreps)
{
	const struct results_file_cell *c = &f->cells[ci];
	const char *names[MAX_METRICS];
	struct cellrec rec = { 0 };
	unsigned n;
	long long key, mset;
	sqlite3_stmt *s;
	int v4 = h->schema >= 4, rc = metric_names(c, names, MAX_METRICS, &n) ? SQLITE_TOOBIG : key_id(h, f, ci, &key);
	if (rc || (rc = mset_id(h, names, n, &mset)) || (rc = stmt(h, v4 ? ST_CELL : ST_CELL_V3, &s)) ||
	    (rc = bind(s, "iisssii", run, key, c->status, c->error, c->primary, (long long)c->higher_is_better, mset)))
		return rc;
	if (v4 && (rc = cellrec_of(c, names, n, &rec)) == SQLITE_OK &&
	    (rc = sqlite3_bind_text(s, 8, f->created_utc, -1, SQLITE_STATIC)) == SQLITE_OK)
		rc = cellrec_bind(s, 9, &rec);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(h->db);
	sqlite3_clear_bindings(s);
	cellrec_free(&rec);
	if (rc == SQLITE_OK && !v4)
		rc = add_reps_v3(h, c, names, n, key, run, sqlite3_last_insert_rowid(h->db));
	if (rc == SQLITE_OK)
		*nreps += c->nreps;
	return rc;
}

/* ---- migration 3 -> 4: the repetition rows of each cell into one row ---- */

/* The record of the cell of row q (its id, key, run: columns 0-2; nreps: 10; names: 9) from
 * its repetition rows (reps: bound to key, run, cell). A value the row lacks is NaN. */
static int cellrec_from_rows(sqlite3_stmt *q, sqlite3_stmt *reps, struct cellrec *c)
{
	const char *names = (const char *)sqlite3_column_text(q, 9);
	unsigned nm = 1, r = 0;
	for (const char *p = names ? names : ""; *p; p++)
		nm += *p == ' ';
	int rc = cellrec_init(c, (unsigned)sqlite3_column_int(q, 10), nm);
	if (rc == SQLITE_OK)
		rc = bind(reps, "iii", sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 0));
	while (rc == SQLITE_OK && (rc = sqlite3_step(reps)) == SQLITE_ROW && r < c->nreps) {
		const unsigned char *v = sqlite3_column_blob(reps, 2);
		unsigned have = (unsigned)sqlite3_column_bytes(reps, 2) / 8;
		c->flags[r] = (unsigned char)((sqlite3_column_int(reps, 0) ? REP_OK : 0) |
		                              (sqlite3_column_int(reps, 1) ? REP_DISTURBED : 0));
		for (unsigned m = 0; m < nm; m++)
			put_val(c->vals + ((size_t)m * c->nreps + r) * 8, m < have ? decode_val(v + m * 8) : NAN);
		r++;
		rc = SQLITE_OK;
	}
	sqlite3_reset(reps);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		rc = r == c->nreps ? SQLITE_OK : SQLITE_CORRUPT;
	return rc == SQLITE_OK ? cellrec_stats(c) : rc;
}

static int migrate_cells(sqlite3 *db)
{
	sqlite3_stmt *q = NULL, *reps = NULL, *ins = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT c.id, c.run, c.key, r.created_utc, c.status, c.error, c.primary_metric,"
	                                " c.higher, c.metricset, m.names, (SELECT count(*) FROM rep p WHERE p.key = c.key"
	                                " AND p.run = c.run AND p.cell = c.id) FROM cell c JOIN run r ON r.id = c.run"
	                                " JOIN metricset m ON m.id = c.metricset ORDER BY c.id", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT ok, disturbed, vals FROM rep WHERE key = ? AND run = ? AND cell = ?"
		                            " ORDER BY idx", -1, &reps, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO cell4(id, run, key, created_utc, status, error, primary_metric,"
		                            " higher, metricset, nreps, flags, vals, stats) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
		                        -1, &ins, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct cellrec c;
		rc = cellrec_from_rows(q, reps, &c);
		for (int i = 0; rc == SQLITE_OK && i < 9; i++)
			rc = sqlite3_bind_value(ins, i + 1, sqlite3_column_value(q, i));
		if (rc == SQLITE_OK && (rc = cellrec_bind(ins, 10, &c)) == SQLITE_OK)
			rc = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		cellrec_free(&c);
	}
	sqlite3_finalize(q);
	sqlite3_finalize(reps);
	sqlite3_finalize(ins);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int add_run(struct history *h, const struct results_file *f, const char *rev, struct history_added *a)
{
	char ident[33], fp[17], revbuf[256], now[32];
	const char *revision = file_revision(f, revbuf, sizeof revbuf);
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	history_run_ident(f, ident);
	machine_fingerprint(f, fp);
	sqlite3_stmt *s;
	int rc = stmt(h, ST_RUN, &s);
	if (rc || (rc = bind(s, "ssssssssi", ident, f->created_utc, revision ? revision : rev,
	                     results_file_machine(f, "host"), fp, f->tool_version, f->argv, f->path,
	                     (long long)f->interrupted)) ||
	    (rc = sqlite3_bind_text(s, 10, now, -1, SQLITE_TRANSIENT)) || (rc = sqlite3_step(s)) != SQLITE_DONE)
		return rc;
	if (!sqlite3_changes(h->db)) { /* already there */
		sqlite3_stmt *q;
		rc = sqlite3_prepare_v2(h->db, "SELECT id FROM run WHERE ident = ?", -1, &q, NULL);
		if (rc == SQLITE_OK && (rc = bind(q, "s", ident)) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
			a->run = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
		return rc;
	}
	a->added = 1;
	a->run = sqlite3_last_insert_rowid(h->db);
	rc = SQLITE_OK;
	for (unsigned i = 0; !rc && i < f->ncells; i++, a->ncells++)
		rc = add_cell(h, f, i, a->run, &a->nreps);
	return rc;
}

int history_add(struct history *h, const struct results_file *f, const char *rev, struct history_added *a,
                char *err, size_t errlen)
{
	*a = (struct history_added){ 0 };
	int rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = add_run(h, f, rev, a);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	int e = rc == SQLITE_TOOBIG ? (snprintf(err, errlen, "%s: a cell has more than %d metrics", f->path,
	                                        MAX_METRICS), -E2BIG)
	                            : db_fail(h->db, h->path, rc, "recording a run", err, errlen);
	sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	*a = (struct history_added){ 0 };
	return e;
}

int history_add_file(struct history *h, const char *path, const char *rev, struct history_added *a, char *err,
                     size_t errlen)
{
	struct results_file *f;
	int rc = results_file_load(path, &f, err, errlen);
	if (rc)
		return rc;
	rc = history_add(h, f, rev, a, err, errlen);
	results_file_free(f);
	return rc;
}

/* ---- queries ---- */

/* Room for one more element (of size bytes) in the array at *(void **)arr, n used of *cap
 * (first: the capacity of a new array). SQLITE_OK or SQLITE_NOMEM. */
static int grow(void *arr, unsigned n, unsigned *cap, size_t size, unsigned first)
{
	void **p = arr, *q;
	unsigned c = *cap ? 2 * *cap : first;
	if (n < *cap)
		return SQLITE_OK;
	if (!(q = realloc(*p, (size_t)c * size)))
		return SQLITE_NOMEM;
	*p = q;
	*cap = c;
	return SQLITE_OK;
}

static char *dup_col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? strdup((const char *)t) : NULL;
}

int history_counts(struct history *h, long long *runs, long long *reps, char *err, size_t errlen)
{
	int r = 0, p = 0, rc = pragma_int(h->db, "SELECT count(*) FROM run", &r);
	if (rc == SQLITE_OK)
		rc = pragma_int(h->db, "SELECT coalesce(sum(nreps), 0) FROM cell", &p);
	*runs = r;
	*reps = p;
	return rc == SQLITE_OK ? 0 : db_fail(h->db, h->path, rc, "counting", err, errlen);
}

void history_cells_free(struct history_cell *c, unsigned n)
{
	for (unsigned i = 0; c && i < n; i++) {
		free(c[i].identity);
		free(c[i].workload);
		free(c[i].driver);
		free(c[i].pin);
		free(c[i].knobs);
	}
	free(c);
}

int history_cells(struct history *h, struct history_cell **out, unsigned *n, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	unsigned cap = 0;
	*out = NULL;
	*n = 0;
	int rc = sqlite3_prepare_v2(h->db, "SELECT id, identity, workload, driver, workers, pin, knobs FROM cellkey"
	                                   " ORDER BY identity", -1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = grow(out, *n, &cap, sizeof **out, 64)))
			break;
		struct history_cell *c = &(*out)[(*n)++];
		*c = (struct history_cell){ sqlite3_column_int64(s, 0), dup_col(s, 1), dup_col(s, 2), dup_col(s, 3),
			                    dup_col(s, 5), dup_col(s, 6), (unsigned)sqlite3_column_int(s, 4) };
		rc = !c->identity || !c->workload || !c->driver || !c->pin || !c->knobs ? SQLITE_NOMEM : SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	history_cells_free(*out, *n);
	*out = NULL;
	*n = 0;
	return db_fail(h->db, h->path, rc, "listing the cells", err, errlen);
}

void history_series_free(struct history_series *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct history_point *p = &s->p[i];
		free(p->revision);
		free(p->created_utc);
		free(p->machine);
		free(p->status);
		free(p->vals);
	}
	free(s->p);
	free(s->identity);
	free(s->metric);
	*s = (struct history_series){ 0 };
}

/* The position of metric in a space-separated list of names, or -1; *count: how many names. */
static int name_pos(const char *names, const char *metric, unsigned *count)
{
	size_t len = strlen(metric);
	int pos = -1;
	*count = 0;
	for (const char *p = names; *p; ++*count) {
		size_t k = strcspn(p, " ");
		if (pos < 0 && k == len && !memcmp(p, metric, len))
			pos = (int)*count;
		p += k + (p[k] == ' ');
	}
	return pos;
}

/* Where metric is in each metric set: pos (-1: absent) of n names. */
struct msetpos {
	long long id;
	int pos;
	unsigned n;
};

static int mset_positions(struct history *h, const char *metric, struct msetpos **out, unsigned *nout)
{
	sqlite3_stmt *q;
	unsigned cap = 0;
	*out = NULL;
	*nout = 0;
	int rc = sqlite3_prepare_v2(h->db, "SELECT id, names FROM metricset", -1, &q, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((rc = grow(out, *nout, &cap, sizeof **out, 16)))
			break;
		const char *names = (const char *)sqlite3_column_text(q, 1);
		struct msetpos *m = &(*out)[(*nout)++];
		m->id = sqlite3_column_int64(q, 0);
		m->pos = names ? name_pos(names, metric, &m->n) : -1;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A new point from a row of the series query (run, revision, created_utc, machine, status). */
static int point_new(struct history_series *s, sqlite3_stmt *q, unsigned *cap)
{
	if (grow(&s->p, s->n, cap, sizeof *s->p, 64))
		return SQLITE_NOMEM;
	struct history_point *p = &s->p[s->n++];
	*p = (struct history_point){ sqlite3_column_int64(q, 0), dup_col(q, 1), dup_col(q, 2), dup_col(q, 3),
		                     dup_col(q, 4), .median = NAN, .ci_lo = NAN, .ci_hi = NAN };
	return p->created_utc && p->machine && p->status ? SQLITE_OK : SQLITE_NOMEM;
}

/* The values and statistics of the metric at pos (of nm) in the cell of row q (nreps, flags,
 * vals, stats: columns 6-9) into p. Blobs of the wrong size: SQLITE_CORRUPT. */
static int point_fill(struct history_point *p, sqlite3_stmt *q, int pos, unsigned nm)
{
	unsigned nreps = (unsigned)sqlite3_column_int(q, 6);
	const unsigned char *flags = sqlite3_column_blob(q, 7), *vals = sqlite3_column_blob(q, 8),
	                    *stats = sqlite3_column_blob(q, 9);
	if ((unsigned)sqlite3_column_bytes(q, 7) != nreps || (size_t)sqlite3_column_bytes(q, 8) != (size_t)nreps * nm * 8 ||
	    (size_t)sqlite3_column_bytes(q, 9) != (size_t)nm * STATS_PER_METRIC * 8)
		return SQLITE_CORRUPT;
	if (pos < 0 || !nreps)
		return SQLITE_OK;
	if (!(p->vals = malloc(nreps * sizeof *p->vals)))
		return SQLITE_NOMEM;
	vals += (size_t)pos * nreps * 8;
	for (unsigned r = 0; r < nreps; r++) {
		double v = decode_val(vals + r * 8);
		if (!(flags[r] & REP_OK) || !isfinite(v))
			continue;
		if (flags[r] & REP_DISTURBED)
			p->ndisturbed++;
		else
			p->vals[p->nvals++] = v;
	}
	stats += (size_t)pos * STATS_PER_METRIC * 8;
	p->median = decode_val(stats);
	p->ci_lo = decode_val(stats + 8);
	p->ci_hi = decode_val(stats + 16);
	return SQLITE_OK;
}

/* The condition on c.key for cells: a list of ids "[1,2]", or one id "1" (then the rows come
 * from the index cell_series in their order: no sort). */
static const char *key_match(const char *cells)
{
	return cells[0] == '[' ? "c.key IN (SELECT value FROM json_each(?))" : "c.key = CAST(? AS INTEGER)";
}

/* The cell's identity, and unless out->metric is set, its primary metric in its newest run;
 * the direction of out->metric when it is that primary metric. SQLITE_NOTFOUND: no such cell. */
static int series_metric(struct history *h, const char *cells, struct history_series *out)
{
	sqlite3_stmt *s;
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT c.primary_metric, c.higher, k.identity FROM cell c JOIN cellkey k ON k.id = c.key"
	         " WHERE %s ORDER BY c.created_utc DESC, c.run DESC LIMIT 1", key_match(cells));
	int found = 0, rc = sqlite3_prepare_v2(h->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = bind(s, "s", cells)) == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(s, 0);
		found = 1;
		if (!out->metric && m)
			out->metric = strdup(m);
		if (m && out->metric && !strcmp(out->metric, m))
			out->higher = sqlite3_column_int(s, 1);
		out->identity = dup_col(s, 2);
		rc = out->metric && out->identity ? SQLITE_DONE : SQLITE_NOMEM;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? (found ? SQLITE_OK : SQLITE_NOTFOUND) : rc;
}

/* The points: a row of cell per point, in the order of the index cell_series. */
static int series_rows(struct history *h, const char *cells, struct history_series *out)
{
	sqlite3_stmt *q;
	struct msetpos *mp;
	unsigned cap = 0, nmp, k = 0;
	char sql[300];
	int rc = mset_positions(h, out->metric, &mp, &nmp);
	snprintf(sql, sizeof sql, "SELECT r.id, r.revision, r.created_utc, r.machine, c.status, c.metricset, c.nreps,"
	         " c.flags, c.vals, c.stats FROM cell c JOIN run r ON r.id = c.run WHERE %s"
	         " ORDER BY c.created_utc, c.run, c.id", key_match(cells));
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(h->db, sql, -1, &q, NULL);
	if (rc != SQLITE_OK) {
		free(mp);
		return rc;
	}
	rc = bind(q, "s", cells);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		long long ms = sqlite3_column_int64(q, 5);
		if (k >= nmp || mp[k].id != ms)
			for (k = 0; k < nmp && mp[k].id != ms; k++)
				;
		rc = point_new(out, q, &cap);
		if (rc == SQLITE_OK)
			rc = k < nmp ? point_fill(&out->p[out->n - 1], q, mp[k].pos, mp[k].n) : SQLITE_CORRUPT;
	}
	sqlite3_finalize(q);
	free(mp);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int history_series_get(struct history *h, const long long *cells, unsigned ncells, const char *metric,
                       struct history_series *out, char *err, size_t errlen)
{
	char *list = malloc(22 * (size_t)ncells + 3);
	size_t off = 0;
	*out = (struct history_series){ .higher = metric ? compare_known_direction(metric) : -1 };
	if (!list || (metric && !(out->metric = strdup(metric)))) {
		free(list);
		snprintf(err, errlen, "%s: out of memory", h->path);
		return -ENOMEM;
	}
	if (ncells != 1)
		list[off++] = '[';
	for (unsigned i = 0; i < ncells; i++)
		off += (size_t)sprintf(list + off, "%s%lld", i ? "," : "", cells[i]);
	strcpy(list + off, ncells != 1 ? "]" : "");
	int rc = series_metric(h, list, out);
	if (rc == SQLITE_OK)
		rc = series_rows(h, list, out);
	free(list);
	if (rc == SQLITE_OK)
		return 0;
	history_series_free(out);
	if (rc == SQLITE_NOTFOUND) {
		snprintf(err, errlen, "%s: no such cell", h->path);
		return -ENOENT;
	}
	return db_fail(h->db, h->path, rc, "reading a series", err, errlen);
}

int history_changes(const struct history_series *s, const struct cp_opts *o, struct cp_change **out,
                    unsigned *nout)
{
	double *x = malloc((s->n ? s->n : 1) * sizeof *x);
	unsigned *at = malloc((s->n ? s->n : 1) * sizeof *at), m = 0;
	int rc = -ENOMEM;
	*out = NULL;
	*nout = 0;
	if (x && at) {
		for (unsigned i = 0; i < s->n; i++)
			if (s->p[i].nvals && !strcmp(s->p[i].status, "ok")) {
				at[m] = i;
				x[m++] = s->p[i].median;
			}
		rc = cp_detect(x, m, o, out, nout);
		for (unsigned k = 0; !rc && k < *nout; k++)
			(*out)[k].index = at[(*out)[k].index];
	}
	free(x);
	free(at);
	return rc;
}

const char *history_change_kind(const struct history_series *s, const struct cp_change *c)
{
	if (s->higher < 0 || c->change == 0 || isnan(c->change))
		return "change";
	return (c->change < 0) == (s->higher == 1) ? "regression" : "improvement";
}

/* ---- a base results file from the history (bench compare --base-from-history) ---- */

/* A text as JSON: a number, true/false/null as they are, anything else a string. */
static void json_scalar(FILE *f, const char *v)
{
	char *end;
	double d = strtod(v, &end);
	if ((*v && !*end && isfinite(d) && !strchr(v, 'x') && !strchr(v, 'X') && !strchr(v, 'n') && !strchr(v, 'N')) ||
	    !strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "null"))
		fputs(v, f);
	else
		esc_fputs(f, ESC_JSON, v);
}

/* The flattened machine fields of f (dotted keys, in document order, so the keys of one
 * object are together) as nested objects again. */
#define MACHINE_DEPTH 8
static void write_machine(FILE *out, const struct results_file *f)
{
	char open[MACHINE_DEPTH][128];
	int comma[MACHINE_DEPTH + 1] = { 0 };
	unsigned nopen = 0;
	fputs("{", out);
	for (unsigned i = 0; i < f->nmachine; i++) {
		char parts[MACHINE_DEPTH + 1][128];
		unsigned n = 0, common = 0;
		for (const char *p = f->machine[i].key; n <= MACHINE_DEPTH; p += strcspn(p, ".") + 1) {
			snprintf(parts[n++], sizeof parts[0], "%.*s", (int)strcspn(p, "."), p);
			if (!p[strcspn(p, ".")])
				break;
		}
		while (common < nopen && common + 1 < n && !strcmp(open[common], parts[common]))
			common++;
		for (; nopen > common; nopen--)
			fputs("}", out);
		for (; nopen + 1 < n && nopen < MACHINE_DEPTH; nopen++) {
			fputs(comma[nopen] ? "," : "", out);
			esc_fputs(out, ESC_JSON, parts[nopen]);
			fputs(":{", out);
			comma[nopen] = 1;
			comma[nopen + 1] = 0;
			snprintf(open[nopen], sizeof open[0], "%s", parts[nopen]);
		}
		fputs(comma[nopen] ? "," : "", out);
		esc_fputs(out, ESC_JSON, parts[n - 1]);
		fputs(":", out);
		json_scalar(out, f->machine[i].value);
		comma[nopen] = 1;
	}
	for (; nopen; nopen--)
		fputs("}", out);
	fputs("}", out);
}

/* Keep only the points measured on the machine fp, leaving out run skip. */
static void series_keep(struct history_series *s, const char *fp, long long skip)
{
	unsigned n = 0;
	for (unsigned i = 0; i < s->n; i++) {
		struct history_point *p = &s->p[i];
		if (p->run != skip && !strcmp(p->machine, fp)) {
			s->p[n++] = *p;
			continue;
		}
		free(p->revision);
		free(p->created_utc);
		free(p->machine);
		free(p->status);
		free(p->vals);
	}
	s->n = n;
}

/* The first point of the last stable segment of s (at most o->window points back). */
static unsigned stable_from(const struct history_series *s, const struct cp_opts *o)
{
	struct cp_change *c;
	unsigned n, from = 0;
	if (!history_changes(s, o, &c, &n) && n)
		from = c[n - 1].index;
	free(c);
	return s->n > o->window && from < s->n - o->window ? s->n - o->window : from;
}

static void write_cell(FILE *out, const struct results_file_cell *c, const struct history_series *s, unsigned from)
{
	static const char *const keys[] = { "workload", "driver", "pin" };
	const char *vals[] = { c->workload, c->driver, c->pin };
	for (unsigned i = 0; i < 3; i++) {
		fprintf(out, "%s\"%s\":", i ? "," : "{", keys[i]);
		esc_fputs(out, ESC_JSON, vals[i]);
	}
	fprintf(out, ",\"workers\":%u,\"status\":\"ok\",\"error\":null,\"primary\":{\"metric\":", c->workers);
	esc_fputs(out, ESC_JSON, s->metric);
	fprintf(out, ",\"better\":\"%s\"},\"knobs\":{", (s->higher >= 0 ? s->higher : c->higher_is_better) ? "higher" : "lower");
	for (unsigned k = 0; k < c->nknobs; k++) {
		fputs(k ? "," : "", out);
		esc_fputs(out, ESC_JSON, c->knobs[k].key);
		fputs(":", out);
		esc_fputs(out, ESC_JSON, c->knobs[k].value);
	}
	fputs("},\"reps\":[", out);
	unsigned idx = 0;
	for (unsigned i = from; i < s->n; i++)
		for (unsigned v = 0; !strcmp(s->p[i].status, "ok") && v < s->p[i].nvals; v++) {
			fprintf(out, "%s{\"index\":%u,\"status\":\"ok\",", idx ? "," : "", idx);
			esc_fputs(out, ESC_JSON, s->metric);
			fputs(":", out);
			fmt_json_number(out, s->p[i].vals[v]);
			fputs("}", out);
			idx++;
		}
	fputs("]}", out);
}

static void write_header(FILE *out, const struct results_file *new)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "{\"schema_version\":%d,\"tool\":{\"name\":\"bench\",\"version\":", RESULTS_SCHEMA_VERSION);
	esc_fputs(out, ESC_JSON, new->tool_version ? new->tool_version : "");
	fprintf(out, ",\"git\":\"history\"},\"created_utc\":\"%s\",\"interrupted\":false,\"machine\":", now);
	write_machine(out, new);
	fputs(",\"config\":{\"argv\":[\"bench\",\"compare\",\"--base-from-history\"]", out);
	if (isfinite(new->duration_s) && new->duration_s > 0) {
		fputs(",\"duration_s\":", out);
		fmt_json_number(out, new->duration_s);
	}
	fprintf(out, ",\"warmup\":%u},\"cells\":[", new->warmup);
}

/* The id of the run of f in the store, or -1. */
static long long run_of(struct history *h, const struct results_file *f)
{
	char ident[33];
	sqlite3_stmt *q;
	long long id = -1;
	history_run_ident(f, ident);
	if (sqlite3_prepare_v2(h->db, "SELECT id FROM run WHERE ident = ?", -1, &q, NULL) == SQLITE_OK &&
	    bind(q, "s", ident) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return id;
}

/* Write the cells of new that have history; *ncells: how many. 0 or -errno with err. */
static int write_cells(struct history *h, FILE *out, const struct results_file *new, const char *metric,
                       const struct cp_opts *o, unsigned *ncells, char *err, size_t errlen)
{
	char fp[17], identity[1024];
	long long self = run_of(h, new), key;
	machine_fingerprint(new, fp);
	for (unsigned i = 0; i < new->ncells; i++) {
		struct history_series s;
		compare_cell_identity(new, i, identity, sizeof identity);
		int rc = find_row(h, ST_KEY_GET, identity, &key);
		if (rc == SQLITE_NOTFOUND)
			continue;
		if (rc != SQLITE_ROW && rc != SQLITE_OK)
			return db_fail(h->db, h->path, rc, "finding a cell", err, errlen);
		if ((rc = history_series_get(h, &key, 1, metric, &s, err, errlen)))
			return rc;
		series_keep(&s, fp, self);
		unsigned from = stable_from(&s, o), nvals = 0;
		for (unsigned p = from; p < s.n; p++)
			nvals += !strcmp(s.p[p].status, "ok") ? s.p[p].nvals : 0;
		if (nvals) {
			fputs(*ncells ? "," : "", out);
			write_cell(out, &new->cells[i], &s, from);
			(*ncells)++;
		}
		history_series_free(&s);
	}
	return 0;
}

int history_base_for(struct history *h, const struct results_file *new, const char *metric,
                     const struct cp_opts *o, const char *tmpdir, struct results_file **base, char *err,
                     size_t errlen)
{
	char path[4200];
	unsigned ncells = 0;
	*base = NULL;
	snprintf(path, sizeof path, "%s/bench-history-base-XXXXXX.json", tmpdir);
	int fd = mkstemps(path, 5), rc;
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a file in %s: %s", tmpdir, strerror(-rc));
		if (fd >= 0)
			close(fd), unlink(path);
		return rc;
	}
	write_header(out, new);
	rc = write_cells(h, out, new, metric, o, &ncells, err, errlen);
	fputs("]}\n", out);
	if (fclose(out) && !rc) {
		rc = -errno;
		snprintf(err, errlen, "write %s: %s", path, strerror(-rc));
	}
	if (!rc && !ncells) {
		snprintf(err, errlen, "%s: no cell of %s has a history on this machine", h->path, new->path);
		rc = -ENOENT;
	}
	if (!rc)
		rc = results_file_load(path, base, err, errlen);
	unlink(path);
	return rc;
}

int history_compare_base(const char *db, const struct results_file *new, const char *metric,
                         struct results_file **base, char *err, size_t errlen)
{
	struct history *h;
	struct cp_opts o;
	const char *tmp = getenv("TMPDIR");
	cp_opts_default(&o);
	*base = NULL;
	int rc = history_open(db, HISTORY_READ, &h, err, errlen);
	if (!rc)
		rc = history_base_for(h, new, metric, &o, tmp && *tmp ? tmp : "/tmp", base, err, errlen);
	history_close(h);
	return rc;
}

/* ---- bench run's hook ---- */

int history_run_args(int *argc, char **argv, const char **db)
{
	int n = 1;
	*db = HISTORY_DEFAULT_DB;
	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--no-store")) {
			*db = NULL;
		} else if (!strncmp(argv[i], "--store=", 8) && argv[i][8]) {
			*db = argv[i] + 8;
		} else if (!strcmp(argv[i], "--store") || !strncmp(argv[i], "--store=", 8)) {
			if (argv[i][7] || i + 1 >= *argc) {
				log_err("run", "--store needs a value: --store DB (or --no-store)");
				return -EINVAL;
			}
			*db = argv[++i];
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	*argc = n;
	return 0;
}

int history_run_record(const char *db, const char *path, int rc)
{
	char err[1200], msg[1400], p[1400];
	struct history *h;
	struct history_added a;
	if (!db || (rc != EXIT_OK && rc != EXIT_FAIL))
		return rc;
	if (!strcmp(db, HISTORY_DEFAULT_DB))
		mkdir("results", 0755);
	int e = history_open(db, HISTORY_CREATE, &h, err, sizeof err);
	if (!e) {
		e = history_add_file(h, path, NULL, &a, err, sizeof err);
		history_close(h);
	}
	if (!e)
		return rc;
	log_err("history", "%s (the results file %s is written: bench store add it later, or run with --no-store)",
	        esc_term(msg, sizeof msg, err), esc_term(p, sizeof p, path));
	return rc == EXIT_OK ? EXIT_USAGE : rc;
}
