/* coro_switch: the bare context switch of the coroutine driver, hand-written in assembly for
 * x86-64 (coro_switch_x86_64.S) and aarch64 (coro_switch_aarch64.S).
 *
 * A context is just a saved stack pointer: coro_switch() pushes the callee-saved registers
 * of the ABI on the current stack, stores the stack pointer in *save_sp, loads load_sp and
 * pops the registers saved there, returning into the other context. Only what the ABI says
 * a call preserves is saved (x86-64: rbx rbp r12-r15; aarch64: x19-x30, d8-d15); the signal
 * mask is not touched (no syscall, unlike swapcontext), and neither are the x87/SSE control
 * words (MXCSR, FPCR): no workload changes the rounding mode, so every coroutine of a thread
 * shares them, as with boost.context built without its FPU option.
 *
 * Used by the coroutine driver (drivers/coroutine.c) and by the bare switch loop of
 * `bench bare coro-switch` (bench/bare_coro_switch.c). */
#ifndef BENCH_CORO_SWITCH_H
#define BENCH_CORO_SWITCH_H

#include <stddef.h>

#if defined(__x86_64__) || defined(__aarch64__)
#define CORO_SWITCH_ASM 1
#else
#define CORO_SWITCH_ASM 0
#endif

/* Save the current context in *save_sp and resume the one saved in load_sp. Returns when
 * some context switches back to *save_sp. */
void coro_switch(void **save_sp, void *load_sp);

/* Prepare a fresh context on the stack [stack_lo, stack_hi) that, when first switched to,
 * calls fn(arg). fn must never return (it switches away for good at its end). Returns the
 * context's stack pointer, for coro_switch(). */
void *coro_make(void *stack_hi, void (*fn)(void *), void *arg);

#endif
