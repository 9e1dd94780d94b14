/* The driver table, expanded from DRIVERS(X), and the ops check done at start-up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/driver.h"

#define DRIVER_PTR(n) &driver_##n,
const struct driver_ops *const driver_table[] = { DRIVERS(DRIVER_PTR) };
#undef DRIVER_PTR
const unsigned driver_count = sizeof driver_table / sizeof driver_table[0];

const struct driver_ops *driver_find(const char *name)
{
	for (unsigned i = 0; i < driver_count; i++)
		if (!strcmp(driver_table[i]->name, name))
			return driver_table[i];
	return NULL;
}

int driver_check(const struct driver_ops *o, char *why, size_t len)
{
	const char *miss = NULL;
	if (!o->name || !*o->name)
		miss = "name";
	else if (!o->summary)
		miss = "summary";
	else if (!o->init) miss = "init";
	else if (!o->shm_alloc) miss = "shm_alloc";
	else if (!o->spawn) miss = "spawn";
	else if (!o->start) miss = "start";
	else if (!o->stop) miss = "stop";
	else if (!o->join) miss = "join";
	else if (!o->cleanup) miss = "cleanup";
	else if (!o->checkpoint) miss = "checkpoint";
	else if (!o->yield) miss = "yield";
	else if (!o->sleep_ns) miss = "sleep_ns";
	else if (!o->wait) miss = "wait";
	else if (!o->wake) miss = "wake";
	if (o->version != DRIVER_API_VERSION) {
		snprintf(why, len, "driver %s: API version %d, bench expects %d", o->name ? o->name : "?",
		         o->version, DRIVER_API_VERSION);
		return -EINVAL;
	}
	if (miss) {
		snprintf(why, len, "driver %s: missing %s", o->name ? o->name : "?", miss);
		return -EINVAL;
	}
	if (o->flags & ~(unsigned)(TASK_CAPS_ALL | DRIVER_SELF_ACCOUNTING | DRIVER_FOREIGN | DRIVER_EXEC)) {
		snprintf(why, len, "driver %s: unknown flags %#x", o->name,
		         o->flags & ~(unsigned)(TASK_CAPS_ALL | DRIVER_SELF_ACCOUNTING | DRIVER_FOREIGN | DRIVER_EXEC));
		return -EINVAL;
	}
	return 0;
}
