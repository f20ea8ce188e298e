/*
 * traps.S - the hostile guest's exception entry points and attack stubs.
 *
 * Every instruction Skiff is expected to stop lives in a small stub
 * function here, as the first instruction that can fault, with the stack
 * exactly as the caller left it (return address on top). When the CPU
 * raises #BP, #UD or #GP inside a stub, trap_common records the vector and
 * resumes the caller as if the stub had executed `ret`, so the C code sees
 * an ordinary return and reads trap_last_vector to learn what happened.
 * A trap anywhere else is a bug of the test: the guest halts with status 3.
 *
 * Frame built by the entry points (lowest address first):
 *   vector, error code (0 when the CPU pushes none), RIP, CS, RFLAGS, RSP, SS
 */

	.set HALT_PORT, 0x508           /* hypercall HALT: port 0x500 + 8 */

	.section .data
	.balign 8
	.globl trap_count
trap_count:
	.quad 0                         /* traps taken inside the stubs */
	.globl trap_last_vector
trap_last_vector:
	.quad 0                         /* vector of the latest such trap */
unexpected_halt:
	.quad 0                         /* HALT struct: cookie (none) */
	.long 3                         /* exit_status 3: a trap outside the stubs */
	.long 0                         /* padding to the struct's size */

	.text

/* ---- entry points: make every frame look alike, then share one body ---- */

	.globl trap_entry_bp
trap_entry_bp:
	pushq $0                        /* #BP has no error code: push a zero one */
	pushq $3                        /* vector 3 */
	jmp trap_common                 /* handle it */

	.globl trap_entry_ud
trap_entry_ud:
	pushq $0                        /* #UD has no error code: push a zero one */
	pushq $6                        /* vector 6 */
	jmp trap_common                 /* handle it */

	.globl trap_entry_gp
trap_entry_gp:
	pushq $13                       /* #GP: the CPU pushed the error code already */
	jmp trap_common                 /* handle it */

/*
 * trap_common: with RAX and RCX saved the frame's offsets grow by 16:
 * vector 16, error 24, RIP 32, CS 40, RFLAGS 48, RSP 56, SS 64.
 */
trap_common:
	pushq %rax                      /* save RAX: it is the interrupted code's */
	pushq %rcx                      /* save RCX likewise */
	movq 32(%rsp), %rax             /* the faulting RIP */
	leaq stubs_start(%rip), %rcx    /* first byte of the stubs */
	cmpq %rcx, %rax                 /* below the stubs? */
	jb trap_unexpected              /* then no stub faulted: give up */
	leaq stubs_end(%rip), %rcx      /* first byte after the stubs */
	cmpq %rcx, %rax                 /* at or above their end? */
	jae trap_unexpected             /* likewise */
	movq 16(%rsp), %rax             /* the vector */
	movq %rax, trap_last_vector(%rip) /* tell the C code which trap it was */
	incq trap_count(%rip)           /* and that one more happened */
	movq 56(%rsp), %rcx             /* the interrupted RSP: the stub's return address is on top */
	movq (%rcx), %rax               /* that return address */
	movq %rax, 32(%rsp)             /* resume there instead of at the stub */
	addq $8, %rcx                   /* and pop it, as `ret` would */
	movq %rcx, 56(%rsp)             /* the RSP to resume with */
	popq %rcx                       /* restore RCX */
	popq %rax                       /* restore RAX */
	addq $16, %rsp                  /* drop vector and error code */
	iretq                           /* back to the stub's caller */

trap_unexpected:
	leaq unexpected_halt(%rip), %rax /* EAX: the HALT struct's address (below 4 GiB) */
	movw $HALT_PORT, %dx            /* the HALT hypercall's port */
	outl %eax, %dx                  /* halt with status 3; does not return */
1:	jmp 1b                          /* never reached */

/* ---- attack stubs: the first instruction that can fault comes first ---- */

	.section .text.stubs, "ax"
stubs_start:

/* stub_rdmsr(index): RDMSR; returns EDX:EAX as one value. */
	.globl stub_rdmsr
stub_rdmsr:
	movl %edi, %ecx                 /* ECX: the MSR's index */
	rdmsr                           /* may raise #GP */
	shlq $32, %rdx                  /* high half into place */
	orq %rdx, %rax                  /* combine with the low half */
	ret                             /* value in RAX */

/* stub_wrmsr(index, value): WRMSR of value. */
	.globl stub_wrmsr
stub_wrmsr:
	movl %edi, %ecx                 /* ECX: the MSR's index */
	movl %esi, %eax                 /* EAX: low half of the value */
	movq %rsi, %rdx                 /* RDX: the value ... */
	shrq $32, %rdx                  /* ... shifted to its high half */
	wrmsr                           /* may raise #GP */
	ret                             /* done */

/* stub_vmrun(vmcb): VMRUN with RAX = a page-aligned address in guest RAM. */
	.globl stub_vmrun
stub_vmrun:
	movq %rdi, %rax                 /* RAX: the would-be VMCB */
	.byte 0x0f, 0x01, 0xd8          /* VMRUN */
	ret                             /* reached only if it did nothing */

/* stub_vmmcall(): VMMCALL (AMD's hypercall instruction). */
	.globl stub_vmmcall
stub_vmmcall:
	.byte 0x0f, 0x01, 0xd9          /* VMMCALL */
	ret                             /* reached only if it did nothing */

/* stub_vmcall(): VMCALL (Intel's hypercall instruction). */
	.globl stub_vmcall
stub_vmcall:
	.byte 0x0f, 0x01, 0xc1          /* VMCALL */
	ret                             /* reached only if it did nothing */

/* stub_vmxon(region): VMXON with a page-aligned region in guest RAM. */
	.globl stub_vmxon
stub_vmxon:
	.byte 0xf3, 0x0f, 0xc7, 0x37    /* VMXON (%rdi) */
	ret                             /* reached only if it did nothing */

/* stub_vmload(vmcb): VMLOAD with RAX = a page-aligned address in guest RAM. */
	.globl stub_vmload
stub_vmload:
	movq %rdi, %rax                 /* RAX: the would-be VMCB */
	.byte 0x0f, 0x01, 0xda          /* VMLOAD */
	ret                             /* reached only if it did nothing */

/* stub_vmsave(vmcb): VMSAVE with RAX = a page-aligned address in guest RAM. */
	.globl stub_vmsave
stub_vmsave:
	movq %rdi, %rax                 /* RAX: the would-be VMCB */
	.byte 0x0f, 0x01, 0xdb          /* VMSAVE */
	ret                             /* reached only if it did nothing */

/* stub_clgi(): CLGI (would mask the host's interrupts if it took effect). */
	.globl stub_clgi
stub_clgi:
	.byte 0x0f, 0x01, 0xdd          /* CLGI */
	ret                             /* reached only if it did nothing */

/* stub_ud2(): raise #UD. */
	.globl stub_ud2
stub_ud2:
	ud2                             /* always #UD */
	ret                             /* never reached: the handler returns for us */

/* stub_int3(): raise #BP (a trap: the saved RIP is already the ret below). */
	.globl stub_int3
stub_int3:
	int3                            /* #BP */
	ret                             /* the handler resumes the caller directly */

/* stub_swapgs(): SWAPGS (exchanges GS base with the kernel GS base MSR). */
	.globl stub_swapgs
stub_swapgs:
	swapgs                          /* cannot fault in ring 0 */
	ret                             /* done */

/* ---- state stubs (isolation.c): reads and writes Skiff must switch or deny ---- */

/* stub_write_cr8(value): MOV to CR8 (the task priority). */
	.globl stub_write_cr8
stub_write_cr8:
	movq %rdi, %cr8                 /* VMX: exits; SVM: the virtual TPR */
	ret                             /* done */

/* stub_read_cr8(): MOV from CR8. */
	.globl stub_read_cr8
stub_read_cr8:
	movq %cr8, %rax                 /* VMX: exits; SVM: the virtual TPR */
	ret                             /* value in RAX */

/* stub_write_cr0(value): MOV to CR0. */
	.globl stub_write_cr0
stub_write_cr0:
	movq %rdi, %cr0                 /* may raise #GP or exit */
	ret                             /* done */

/* stub_write_cr4(value): MOV to CR4. */
	.globl stub_write_cr4
stub_write_cr4:
	movq %rdi, %cr4                 /* #GP for a bit the CPU does not have */
	ret                             /* done */

/* stub_write_dr0(value): MOV to DR0. */
	.globl stub_write_dr0
stub_write_dr0:
	movq %rdi, %dr0                 /* must exit */
	ret                             /* reached only if it did not */

/* stub_read_dr0(): MOV from DR0. */
	.globl stub_read_dr0
stub_read_dr0:
	movq %dr0, %rax                 /* must exit */
	ret                             /* reached only if it did not */

/* stub_rdpmc(): RDPMC of counter 0. */
	.globl stub_rdpmc
stub_rdpmc:
	xorl %ecx, %ecx                 /* ECX: counter 0 */
	rdpmc                           /* must exit (or #GP where no counter exists) */
	ret                             /* reached only if it did not */

/* stub_wbinvd(): WBINVD. */
	.globl stub_wbinvd
stub_wbinvd:
	wbinvd                          /* must exit */
	ret                             /* reached only if it did not */

/* stub_monitor(address): MONITOR on a guest address. */
	.globl stub_monitor
stub_monitor:
	movq %rdi, %rax                 /* RAX: the address to watch */
	xorl %ecx, %ecx                 /* ECX: no extensions */
	xorl %edx, %edx                 /* EDX: no hints */
	monitor                         /* must exit (or #UD without MONITOR) */
	ret                             /* reached only if it did not */

/* stub_mwait(): MWAIT with no hints. */
	.globl stub_mwait
stub_mwait:
	xorl %eax, %eax                 /* EAX: no hints (C1) */
	xorl %ecx, %ecx                 /* ECX: no extensions */
	mwait                           /* must exit (or #UD without MWAIT) */
	ret                             /* reached only if it did not */

/* stub_rdpkru(): RDPKRU; returns PKRU. */
	.globl stub_rdpkru
stub_rdpkru:
	xorl %ecx, %ecx                 /* ECX must be 0 */
	rdpkru                          /* #UD unless CR4.PKE */
	ret                             /* PKRU in EAX */

/* stub_wrpkru(value): WRPKRU. */
	.globl stub_wrpkru
stub_wrpkru:
	movl %edi, %eax                 /* EAX: the new PKRU */
	xorl %ecx, %ecx                 /* ECX must be 0 */
	xorl %edx, %edx                 /* EDX must be 0 */
	wrpkru                          /* #UD unless CR4.PKE */
	ret                             /* done */

/* stub_xgetbv(): XGETBV of XCR0. */
	.globl stub_xgetbv
stub_xgetbv:
	xorl %ecx, %ecx                 /* ECX: XCR0 */
	xgetbv                          /* #UD unless CR4.OSXSAVE */
	shlq $32, %rdx                  /* high half into place */
	orq %rdx, %rax                  /* combine with the low half */
	ret                             /* XCR0 in RAX */

/* stub_vzeroupper(): an AVX instruction. */
	.globl stub_vzeroupper
stub_vzeroupper:
	vzeroupper                      /* #UD unless XCR0 enables AVX state */
	ret                             /* done */

stubs_end:
