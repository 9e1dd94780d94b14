/* coro_switch for AArch64 AAPCS64 (see coro_switch.h). Assembles to nothing elsewhere. */
#if defined(__aarch64__)
	.text

/* void coro_switch(void **save_sp, void *load_sp): x0 = save_sp, x1 = load_sp */
	.globl	coro_switch
	.type	coro_switch, %function
	.p2align 4
coro_switch:
	.cfi_startproc
	sub	sp, sp, #160
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #160
	ret
	.cfi_endproc
	.size	coro_switch, .-coro_switch

/* First code of a fresh context: x19 = arg, x20 = fn (preloaded by coro_make). */
	.globl	coro_trampoline
	.type	coro_trampoline, %function
	.p2align 4
coro_trampoline:
	.cfi_startproc
	.cfi_undefined x30
	mov	x0, x19
	blr	x20
	brk	#0		/* fn must not return */
	.cfi_endproc
	.size	coro_trampoline, .-coro_trampoline
#endif
	.section .note.GNU-stack, "", %progbits
