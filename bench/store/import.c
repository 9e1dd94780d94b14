/* import: results files into the history store, loaded by a pool of threads and recorded in
 * file order by the calling thread (see import.h).
 *
 * File i travels through slot i % window: a loader claims i (the shared index `next`) only
 * when i < written + window, so the slot is free (its previous file is recorded), frees that
 * previous file, loads file i there without the lock, and marks it ready; the writer waits for
 * the slot of file `written`, records it and opens the slot for file written + window. The
 * mutex orders every hand-off (claim -> ready -> recorded), so a slot has one owner at a time.
 *
 * A loader, not the writer, frees the files: glibc gives each thread its own malloc arena, and
 * a free from another thread takes the owner's arena lock while the owner allocates in it. With
 * the writer freeing, `store-timing --import 1` on 100 files of the default matrix made 2,400
 * context switches (5,000 page faults), with the loaders freeing 359 (2,700), and its CPU time
 * per file was lower in each of 3 interleaved rounds (load 2.4-3.7: 18.3/17.1, 18.6/17.7,
 * 32.4/24.3 ms); with 2 loaders the CPU time was a tie. */
#define _GNU_SOURCE
#include "bench/store/import.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct slot {
	struct results_file *f, *spent;
	int rc, ready;
	char err[1200];
};

struct import {
	struct history *h;
	char *const *paths;
	unsigned n, window, next, written, nthreads;
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t ready;    /* a slot is ready: the writer waits on it */
	pthread_cond_t room;     /* the writer moved on, or stops: the loaders wait on it */
	struct slot *slots;
};

unsigned import_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > IMPORT_MAX_JOBS ? IMPORT_MAX_JOBS : (unsigned)n;
}

static void load_one(struct import *im, unsigned i, struct slot *s)
{
	s->f = NULL;
	s->rc = results_file_load(im->paths[i], &s->f, s->err, sizeof s->err);
}

static void *loader(void *arg)
{
	struct import *im = arg;
	pthread_mutex_lock(&im->mu);
	for (;;) {
		while (!im->stop && im->next < im->n && im->next >= im->written + im->window)
			pthread_cond_wait(&im->room, &im->mu);
		if (im->stop || im->next >= im->n)
			break;
		unsigned i = im->next++;
		struct slot *s = &im->slots[i % im->window];
		struct results_file *spent = s->spent;
		s->spent = NULL;
		pthread_mutex_unlock(&im->mu);
		results_file_free(spent);
		load_one(im, i, s);
		pthread_mutex_lock(&im->mu);
		s->ready = 1;
		pthread_cond_signal(&im->ready);
	}
	pthread_mutex_unlock(&im->mu);
	return NULL;
}

/* The slot of file i, once loaded (by the writer itself when no loader runs). */
static struct slot *wait_loaded(struct import *im, unsigned i)
{
	struct slot *s = &im->slots[i % im->window];
	if (!im->nthreads) {
		load_one(im, i, s);
		return s;
	}
	pthread_mutex_lock(&im->mu);
	while (!s->ready)
		pthread_cond_wait(&im->ready, &im->mu);
	pthread_mutex_unlock(&im->mu);
	return s;
}

/* Records file i (loaded in s) and reports it; the slot is emptied. 0, or the failure. */
static int record(struct import *im, unsigned i, struct slot *s, const char *rev, import_report_fn report,
                  void *arg)
{
	struct import_result r = { .index = i, .path = im->paths[i], .rc = s->rc, .err = s->err };
	if (!r.rc) {
		r.rc = history_add(im->h, s->f, rev, &r.added, s->err, sizeof s->err);
		r.stored = r.rc != 0;
	}
	if (!im->nthreads)
		results_file_free(s->f);
	if (report)
		report(arg, &r);
	pthread_mutex_lock(&im->mu);
	if (im->nthreads)
		s->spent = s->f;
	s->f = NULL;
	s->ready = 0;
	im->written++;
	im->stop |= r.stored;
	pthread_cond_broadcast(&im->room);
	pthread_mutex_unlock(&im->mu);
	return r.rc;
}

static unsigned start_loaders(struct import *im, pthread_t *t, unsigned jobs)
{
	/* jansson's hash seed is its one global state: seeded before any thread parses
	 * (results_load_threads_init, with jansson's own words) */
	results_load_threads_init();
	unsigned k = 0;
	while (k < jobs && !pthread_create(&t[k], NULL, loader, im))
		k++;
	return k;
}

int import_files(struct history *h, char *const *paths, unsigned n, const struct import_opts *o,
                 import_report_fn report, void *arg)
{
	unsigned jobs = o && o->jobs ? o->jobs : import_default_jobs();
	if (jobs > IMPORT_MAX_JOBS)
		jobs = IMPORT_MAX_JOBS;
	if (jobs > n)
		jobs = n;
	struct import im = { .h = h, .paths = paths, .n = n, .window = IMPORT_WINDOW(jobs ? jobs : 1) };
	pthread_t t[IMPORT_MAX_JOBS];
	if (!n)
		return 0;
	if (!(im.slots = calloc(im.window, sizeof *im.slots)))
		return -ENOMEM;
	pthread_mutex_init(&im.mu, NULL);
	pthread_cond_init(&im.ready, NULL);
	pthread_cond_init(&im.room, NULL);
	im.nthreads = start_loaders(&im, t, jobs);
	int first = 0;
	for (unsigned i = 0; i < n && !im.stop; i++) {
		int rc = record(&im, i, wait_loaded(&im, i), o ? o->rev : NULL, report, arg);
		if (rc && !first)
			first = rc;
	}
	pthread_mutex_lock(&im.mu);
	im.stop = 1;
	pthread_cond_broadcast(&im.room);
	pthread_mutex_unlock(&im.mu);
	for (unsigned k = 0; k < im.nthreads; k++)
		pthread_join(t[k], NULL);
	for (unsigned k = 0; k < im.window; k++) { /* loaded after a failure of the store; spent */
		results_file_free(im.slots[k].f);
		results_file_free(im.slots[k].spent);
	}
	pthread_cond_destroy(&im.room);
	pthread_cond_destroy(&im.ready);
	pthread_mutex_destroy(&im.mu);
	free(im.slots);
	return first;
}
