/* coro_switch: building the first frame of a fresh context (see coro_switch.h). The switch
 * itself is in coro_switch_<arch>.S. */
#include "drivers/coro_switch.h"

#include <stdint.h>
#include <stdlib.h>

#if CORO_SWITCH_ASM
/* The first code a fresh context runs (in the .S file): moves the argument and the function
 * out of the callee-saved registers coro_make preloaded, and calls fn(arg). */
void coro_trampoline(void);
#endif

void *coro_make(void *stack_hi, void (*fn)(void *), void *arg)
{
#if defined(__x86_64__)
	/* Frame popped by coro_switch: r15 r14 r13 r12 rbx rbp, then `ret` into the trampoline
	 * with rsp 16-byte aligned, so that its `call` enters fn as the ABI wants. */
	uintptr_t top = (uintptr_t)stack_hi & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 72);
	sp[0] = 0;                          /* r15 */
	sp[1] = 0;                          /* r14 */
	sp[2] = (uint64_t)(uintptr_t)fn;    /* r13 */
	sp[3] = (uint64_t)(uintptr_t)arg;   /* r12 */
	sp[4] = 0;                          /* rbx */
	sp[5] = 0;                          /* rbp: ends frame-pointer walks */
	sp[6] = (uint64_t)(uintptr_t)coro_trampoline;
	sp[7] = 0;                          /* a zero return address above: ends unwinding */
	return sp;
#elif defined(__aarch64__)
	/* Frame of coro_switch: x19..x30 then d8..d15, 160 bytes, sp 16-byte aligned. */
	uintptr_t top = (uintptr_t)stack_hi & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 160 - 16);
	for (int i = 0; i < 22; i++)
		sp[i] = 0;
	sp[0] = (uint64_t)(uintptr_t)arg;   /* x19 */
	sp[1] = (uint64_t)(uintptr_t)fn;    /* x20 */
	sp[10] = 0;                         /* x29: ends frame-pointer walks */
	sp[11] = (uint64_t)(uintptr_t)coro_trampoline; /* x30: where `ret` goes */
	return sp;
#else
	(void)stack_hi;
	(void)fn;
	(void)arg;
	abort(); /* the driver refuses backend=fast on other architectures */
#endif
}

#if !CORO_SWITCH_ASM
void coro_switch(void **save_sp, void *load_sp)
{
	(void)save_sp;
	(void)load_sp;
	abort();
}
#endif
