/* coro_switch for x86-64 System V (see coro_switch.h). Assembles to nothing elsewhere. */
#if defined(__x86_64__)
	.text

/* void coro_switch(void **save_sp, void *load_sp): rdi = save_sp, rsi = load_sp */
	.globl	coro_switch
	.type	coro_switch, @function
	.p2align 4
coro_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	/* A plain `ret`, which keeps the return stack buffer balanced: the driver switches from
	 * one call site, so the return is predicted, and so are the returns above it when both
	 * contexts blocked through the same code. Popping the address and jumping to it (as
	 * boost.context does) wins a bare loop that switches from two call sites (2.0 vs 7.3 ns
	 * per switch) but leaves the RSB one entry off, so every later return mispredicts: in
	 * the driver a yield took 14 ns instead of 9, a wait/wake hand-off 38 instead of 17. */
	ret
	.cfi_endproc
	.size	coro_switch, .-coro_switch

/* First code of a fresh context: r12 = arg, r13 = fn (preloaded by coro_make). */
	.globl	coro_trampoline
	.type	coro_trampoline, @function
	.p2align 4
coro_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r12, %rdi
	callq	*%r13
	ud2			/* fn must not return */
	.cfi_endproc
	.size	coro_trampoline, .-coro_trampoline
#endif
	.section .note.GNU-stack, "", @progbits
