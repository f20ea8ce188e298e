/*
 * probe.S - the probes, the #PF entry and the loading of GDT and IDT
 * (probe.h).
 */
	.set HALT_PORT, 0x508           /* hypercall HALT: port 0x500 + 8 */

	.section .data
	.balign 8
	.globl pf_count, pf_cr2, pf_error, gp_count
gp_count:
	.quad 0                         /* #GPs taken inside the probes */
pf_count:
	.quad 0                         /* #PFs taken inside the probes */
pf_cr2:
	.quad 0                         /* CR2 of the latest */
pf_error:
	.quad 0                         /* its error code */
unexpected_halt:
	.quad 0                         /* HALT struct: cookie (none) */
	.long 3                         /* exit status 3: a #PF outside the probes */
	.long 0                         /* padding */

	.text

/* probe_read(addr, out): the load is the first instruction that can fault. */
	.globl probe_read
probe_read:
	movq (%rdi), %rax               /* may fault */
	movq %rax, (%rsi)               /* *out = value */
	xorl %eax, %eax                 /* 0: no fault */
	ret

/* probe_write(addr, value) */
	.globl probe_write
probe_write:
	movq %rsi, (%rdi)               /* may fault */
	xorl %eax, %eax                 /* 0: no fault */
	ret
/* probe_cr3_load(value): MOV to CR3 that may #GP (reserved bits). */
	.globl probe_cr3_load
probe_cr3_load:
	movq %rdi, %cr3                 /* may fault */
	xorl %eax, %eax                 /* 0: no fault */
	ret

/* probe_cr4_write(value): MOV to CR4 that may #GP (PCIDE with CR3[11:0]). */
	.globl probe_cr4_write
probe_cr4_write:
	movq %rdi, %cr4                 /* may fault */
	xorl %eax, %eax                 /* 0: no fault */
	ret

/* probe_invpcid(type, descriptor): INVPCID that may #GP or #PF. */
	.globl probe_invpcid
probe_invpcid:
	invpcid (%rsi), %rdi            /* may fault */
	xorl %eax, %eax                 /* 0: no fault */
	ret
probes_end:

/* Where a faulting probe resumes: the return address is still on top. */
probe_faulted:
	movl $1, %eax                   /* 1: faulted */
	ret

/*
 * pf_entry: frame (lowest first) error code, RIP, CS, RFLAGS, RSP, SS;
 * with RAX and RCX pushed the error code is at 16, RIP at 24. A fault
 * outside the probes is recorded too, then halts the guest.
 */
	.globl pf_entry
pf_entry:
	pushq %rax                      /* save RAX */
	pushq %rcx                      /* save RCX */
	movq %cr2, %rax                 /* the faulting address */
	movq %rax, pf_cr2(%rip)         /* for the C code */
	movq 16(%rsp), %rax             /* the error code */
	movq %rax, pf_error(%rip)       /* for the C code */
	incq pf_count(%rip)             /* one more */
	jmp probe_resume                /* back into the probe, if it was one */

/* gp_entry: #GP (a non-canonical address); frame as for #PF, no CR2. */
	.globl gp_entry
gp_entry:
	pushq %rax                      /* save RAX */
	pushq %rcx                      /* save RCX */
	incq gp_count(%rip)             /* one more */
	/* fall through */

/* probe_resume: with the frame as above, resume a faulting probe at probe_faulted. */
probe_resume:
	movq 24(%rsp), %rax             /* the faulting RIP */
	leaq probe_read(%rip), %rcx     /* first probe byte */
	cmpq %rcx, %rax                 /* below the probes? */
	jb pf_unexpected                /* then not a probe: give up */
	leaq probes_end(%rip), %rcx     /* first byte after the probes */
	cmpq %rcx, %rax                 /* at or above their end? */
	jae pf_unexpected               /* likewise */
	leaq probe_faulted(%rip), %rax  /* resume there */
	movq %rax, 24(%rsp)             /* as the frame's RIP */
	popq %rcx                       /* restore RCX */
	popq %rax                       /* restore RAX */
	addq $8, %rsp                   /* drop the error code */
	iretq                           /* back into the probe's tail */

pf_unexpected:
	leaq unexpected_halt(%rip), %rax /* EAX: the HALT struct (below 4 GiB) */
	movw $HALT_PORT, %dx            /* the HALT hypercall's port */
	outl %eax, %dx                  /* halt with status 3 */
1:	jmp 1b                          /* never reached */

	.globl cr3_load
cr3_load:
	movq %rdi, %cr3                 /* switch address space */
	ret

	.globl cr3_read
cr3_read:
	movq %cr3, %rax                 /* the current table */
	ret

	.globl cr4_read
cr4_read:
	movq %cr4, %rax                 /* paging controls */
	ret

	.globl invlpg
invlpg:
	invlpg (%rdi)                   /* drop one translation */
	ret
