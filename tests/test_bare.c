/* The bare C programs of `bench bare`: each runs briefly and returns a figure; the
 * producer-consumer ones (bench/bare/pc.h) only do so when what they moved passes the
 * workload's verdict (every item exactly once, in order, intact), else they return -1. */
#include <string.h>

#include "bench/bare/bare.h"
#include "drivers/coro_switch.h"
#include "tests/test.h"

#define BARE_PTR(n) &bare_##n,
static const struct bare *const all[] = { BARES(BARE_PTR) };

static double bare(const char *name)
{
	const int pus[2] = { -1, -1 }; /* no pinning: any machine */
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		if (!strcmp(all[i]->name, name))
			return all[i]->bare(0.02, pus, all[i]->workers);
	TEST_FAIL("no bare program '%s'", name);
}

TEST(bare, producer_consumer_bare_programs_move_items_and_verify)
{
	/* Twice each: the second run starts from fresh state, not the first one's leftovers. */
	for (int k = 0; k < 2; k++) {
		CHECK(bare("pc-lock") > 0);
		CHECK(bare("pc-spsc") > 0);
	}
}

TEST(bare, every_other_bare_program_runs)
{
	CHECK(bare("cpu-spin") > 0);
	CHECK(bare("pingpong-1pu") > 0);
	CHECK(bare("coro-switch-ucontext") > 0);
	if (CORO_SWITCH_ASM)
		CHECK(bare("coro-switch") > 0);
}
