/*
 * vmcb.h - the AMD Virtual Machine Control Block (APM vol. 2, appendix B).
 *
 * A VMCB is one 4 KiB page: a control area (offsets 0x000..0x3ff: what to
 * intercept, the exit record, event injection, nested paging) and a state
 * save area (0x400..0xfff: the guest's segments, control registers, RIP,
 * RSP, RAX and the MSRs VMLOAD and VMSAVE move). Only the fields Skiff uses
 * are named; the rest is padding, and every named offset is checked below
 * against the manual, so a typo in the layout is a build error.
 *
 * Private to x86_svm/: generic code never sees a VMCB.
 */
#ifndef SKIFF_SVM_VMCB_H
#define SKIFF_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

/* A segment register as the VMCB stores it (attributes compressed). */
struct vmcb_segment {
	uint16_t selector;
	uint16_t attrib;   /* descriptor bits 47:40 in 7:0, bits 55:52 in 11:8 */
	uint32_t limit;
	uint64_t base;
};

/* Intercept words: the 32-bit vectors at offsets 0x000, 0x004, ... 0x014. */
enum vmcb_intercept_word {
	VMCB_WORD_CR = 0,         /* CR reads 15:0, CR writes 31:16 */
	VMCB_WORD_DR = 1,         /* DR reads 15:0, DR writes 31:16 */
	VMCB_WORD_EXCEPTION = 2,  /* one bit per exception vector */
	VMCB_WORD_MISC1 = 3,      /* INTR ... SHUTDOWN */
	VMCB_WORD_MISC2 = 4,      /* VMRUN ... */
	VMCB_WORD_MISC3 = 5,
	VMCB_INTERCEPT_WORDS = 6,
};

struct vmcb_control {
	uint32_t intercept[VMCB_INTERCEPT_WORDS];  /* 0x000 */
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_filter_threshold;   /* 0x03c */
	uint16_t pause_filter_count;       /* 0x03e */
	uint64_t iopm_base_pa;             /* 0x040 */
	uint64_t msrpm_base_pa;            /* 0x048 */
	uint64_t tsc_offset;               /* 0x050 */
	uint32_t guest_asid;               /* 0x058 */
	uint8_t tlb_control;               /* 0x05c */
	uint8_t reserved_05d[3];
	uint64_t vintr;                    /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING... */
	uint64_t interrupt_shadow;         /* 0x068 */
	uint64_t exit_code;                /* 0x070 */
	uint64_t exit_info1;               /* 0x078 */
	uint64_t exit_info2;               /* 0x080 */
	uint64_t exit_int_info;            /* 0x088 */
	uint64_t np_control;               /* 0x090: bit 0 NP_ENABLE */
	uint64_t avic_apic_bar;            /* 0x098 */
	uint64_t ghcb_pa;                  /* 0x0a0 */
	uint64_t event_inject;             /* 0x0a8 */
	uint64_t n_cr3;                    /* 0x0b0 */
	uint64_t virt_ext;                 /* 0x0b8: LBR and VMSAVE/VMLOAD virtualization */
	uint32_t clean_bits;               /* 0x0c0 */
	uint32_t reserved_0c4;
	uint64_t next_rip;                 /* 0x0c8: written only with NRIP save */
	uint8_t insn_bytes_fetched;        /* 0x0d0 */
	uint8_t insn_bytes[15];            /* 0x0d1 */
	uint8_t reserved_0e0[0x400 - 0x0e0];
};

struct vmcb_save {
	struct vmcb_segment es;            /* 0x400 */
	struct vmcb_segment cs;            /* 0x410 */
	struct vmcb_segment ss;            /* 0x420 */
	struct vmcb_segment ds;            /* 0x430 */
	struct vmcb_segment fs;            /* 0x440 */
	struct vmcb_segment gs;            /* 0x450 */
	struct vmcb_segment gdtr;          /* 0x460: only limit and base used */
	struct vmcb_segment ldtr;          /* 0x470 */
	struct vmcb_segment idtr;          /* 0x480: only limit and base used */
	struct vmcb_segment tr;            /* 0x490 */
	uint8_t reserved_4a0[0x4cb - 0x4a0];
	uint8_t cpl;                       /* 0x4cb */
	uint32_t reserved_4cc;
	uint64_t efer;                     /* 0x4d0 */
	uint8_t reserved_4d8[0x548 - 0x4d8];
	uint64_t cr4;                      /* 0x548 */
	uint64_t cr3;                      /* 0x550 */
	uint64_t cr0;                      /* 0x558 */
	uint64_t dr7;                      /* 0x560 */
	uint64_t dr6;                      /* 0x568 */
	uint64_t rflags;                   /* 0x570 */
	uint64_t rip;                      /* 0x578 */
	uint8_t reserved_580[0x5d8 - 0x580];
	uint64_t rsp;                      /* 0x5d8 */
	uint64_t s_cet;                    /* 0x5e0 */
	uint64_t ssp;                      /* 0x5e8 */
	uint64_t isst_addr;                /* 0x5f0 */
	uint64_t rax;                      /* 0x5f8 */
	uint64_t star;                     /* 0x600 */
	uint64_t lstar;                    /* 0x608 */
	uint64_t cstar;                    /* 0x610 */
	uint64_t sfmask;                   /* 0x618 */
	uint64_t kernel_gs_base;           /* 0x620 */
	uint64_t sysenter_cs;              /* 0x628 */
	uint64_t sysenter_esp;             /* 0x630 */
	uint64_t sysenter_eip;             /* 0x638 */
	uint64_t cr2;                      /* 0x640 */
	uint8_t reserved_648[0x668 - 0x648];
	uint64_t g_pat;                    /* 0x668 */
	uint64_t dbgctl;                   /* 0x670 */
	uint8_t reserved_678[0x1000 - 0x678];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

/* Offsets from the APM's VMCB layout tables, checked once here. */
#define VMCB_AT(field, offset) \
	_Static_assert(offsetof(struct vmcb, field) == (offset), "VMCB " #field)
VMCB_AT(control.intercept, 0x000);
VMCB_AT(control.iopm_base_pa, 0x040);
VMCB_AT(control.msrpm_base_pa, 0x048);
VMCB_AT(control.tsc_offset, 0x050);
VMCB_AT(control.guest_asid, 0x058);
VMCB_AT(control.tlb_control, 0x05c);
VMCB_AT(control.vintr, 0x060);
VMCB_AT(control.interrupt_shadow, 0x068);
VMCB_AT(control.exit_code, 0x070);
VMCB_AT(control.exit_info1, 0x078);
VMCB_AT(control.exit_info2, 0x080);
VMCB_AT(control.exit_int_info, 0x088);
VMCB_AT(control.np_control, 0x090);
VMCB_AT(control.event_inject, 0x0a8);
VMCB_AT(control.n_cr3, 0x0b0);
VMCB_AT(control.clean_bits, 0x0c0);
VMCB_AT(control.next_rip, 0x0c8);
VMCB_AT(control.insn_bytes, 0x0d1);
VMCB_AT(save.es, 0x400);
VMCB_AT(save.cs, 0x410);
VMCB_AT(save.ss, 0x420);
VMCB_AT(save.ds, 0x430);
VMCB_AT(save.fs, 0x440);
VMCB_AT(save.gs, 0x450);
VMCB_AT(save.gdtr, 0x460);
VMCB_AT(save.ldtr, 0x470);
VMCB_AT(save.idtr, 0x480);
VMCB_AT(save.tr, 0x490);
VMCB_AT(save.cpl, 0x4cb);
VMCB_AT(save.efer, 0x4d0);
VMCB_AT(save.cr4, 0x548);
VMCB_AT(save.cr3, 0x550);
VMCB_AT(save.cr0, 0x558);
VMCB_AT(save.dr7, 0x560);
VMCB_AT(save.dr6, 0x568);
VMCB_AT(save.rflags, 0x570);
VMCB_AT(save.rip, 0x578);
VMCB_AT(save.rsp, 0x5d8);
VMCB_AT(save.rax, 0x5f8);
VMCB_AT(save.star, 0x600);
VMCB_AT(save.kernel_gs_base, 0x620);
VMCB_AT(save.cr2, 0x640);
VMCB_AT(save.g_pat, 0x668);
#undef VMCB_AT
_Static_assert(sizeof(struct vmcb_segment) == 16, "VMCB segment size");
_Static_assert(sizeof(struct vmcb) == 4096, "a VMCB is one page");

/* Segment attributes (compressed descriptor bits). */
#define VMCB_ATTR_TYPE_CODE_RX_ACCESSED 0x00bu
#define VMCB_ATTR_TYPE_DATA_RW_ACCESSED 0x003u
#define VMCB_ATTR_TYPE_TSS64_BUSY       0x00bu
#define VMCB_ATTR_S        (1u << 4)    /* code or data, not system */
#define VMCB_ATTR_P        (1u << 7)
#define VMCB_ATTR_L        (1u << 9)    /* 64-bit code */
#define VMCB_ATTR_DB       (1u << 10)
#define VMCB_ATTR_G        (1u << 11)

/* control.vintr */
#define VMCB_V_INTR_MASKING (UINT64_C(1) << 24)
/* control.np_control */
#define VMCB_NP_ENABLE (UINT64_C(1) << 0)

/* control.event_inject (also the layout of exit_int_info). */
#define VMCB_EVENT_VECTOR_MASK   0xffu
#define VMCB_EVENT_TYPE_SHIFT    8
#define VMCB_EVENT_TYPE_MASK     (UINT64_C(7) << 8)
#define VMCB_EVENT_TYPE_INTR     (UINT64_C(0) << 8)
#define VMCB_EVENT_TYPE_NMI      (UINT64_C(2) << 8)
#define VMCB_EVENT_TYPE_EXCEPTION (UINT64_C(3) << 8)
#define VMCB_EVENT_TYPE_SOFT_INT (UINT64_C(4) << 8)
#define VMCB_EVENT_ERROR_VALID   (UINT64_C(1) << 11)
#define VMCB_EVENT_VALID         (UINT64_C(1) << 31)
#define VMCB_EVENT_ERROR_SHIFT   32

/* EXITINFO1 of an IOIO intercept. */
#define SVM_IOIO_IN        (1u << 0)
#define SVM_IOIO_STRING    (1u << 2)
#define SVM_IOIO_REP       (1u << 3)
#define SVM_IOIO_SIZE_SHIFT 4           /* bits 6:4: SZ8, SZ16, SZ32 one-hot */
#define SVM_IOIO_SIZE_MASK (7u << 4)
#define SVM_IOIO_PORT_SHIFT 16

/* EXITINFO1 of a nested page fault (a #PF-style error code). */
#define SVM_NPF_PRESENT    (1u << 0)
#define SVM_NPF_WRITE      (1u << 1)
#define SVM_NPF_FETCH      (1u << 4)

/* Exit codes (APM vol. 2, appendix C). */
#define SVM_EXIT_DR_BASE    0x020u   /* 0x20 + n: read DRn; 0x30 + n: write DRn */
#define SVM_EXIT_EXCEPTION_BASE 0x040u  /* 0x40 + vector, up to 0x5f */
#define SVM_EXIT_INTR       0x060u
#define SVM_EXIT_NMI        0x061u
#define SVM_EXIT_SMI        0x062u
#define SVM_EXIT_INIT       0x063u
#define SVM_EXIT_VINTR      0x064u
#define SVM_EXIT_RDTSC      0x06eu
#define SVM_EXIT_RDPMC      0x06fu
#define SVM_EXIT_CPUID      0x072u
#define SVM_EXIT_RSM        0x073u
#define SVM_EXIT_SWINT      0x075u   /* INTn intercept */
#define SVM_EXIT_INVD       0x076u
#define SVM_EXIT_PAUSE      0x077u
#define SVM_EXIT_HLT        0x078u
#define SVM_EXIT_INVLPG     0x079u
#define SVM_EXIT_INVLPGA    0x07au
#define SVM_EXIT_IOIO       0x07bu
#define SVM_EXIT_MSR        0x07cu
#define SVM_EXIT_TASK_SWITCH 0x07du
#define SVM_EXIT_FERR_FREEZE 0x07eu
#define SVM_EXIT_SHUTDOWN   0x07fu
#define SVM_EXIT_VMRUN      0x080u
#define SVM_EXIT_VMMCALL    0x081u
#define SVM_EXIT_VMLOAD     0x082u
#define SVM_EXIT_VMSAVE     0x083u
#define SVM_EXIT_STGI       0x084u
#define SVM_EXIT_CLGI       0x085u
#define SVM_EXIT_SKINIT     0x086u
#define SVM_EXIT_RDTSCP     0x087u
#define SVM_EXIT_ICEBP      0x088u
#define SVM_EXIT_WBINVD     0x089u
#define SVM_EXIT_MONITOR    0x08au
#define SVM_EXIT_MWAIT      0x08bu
#define SVM_EXIT_MWAIT_CONDITIONAL 0x08cu
#define SVM_EXIT_XSETBV     0x08du
#define SVM_EXIT_RDPRU      0x08eu
#define SVM_EXIT_NPF        0x400u
/*
 * -1 and -2 as 64-bit values. QEMU 7.2 stores only 32 bits (0xffffffff), so
 * the decoder compares the low 32 bits, where every code is distinct.
 */
#define SVM_EXIT_INVALID    UINT64_C(0xffffffffffffffff)   /* -1: VMRUN refused the VMCB */
#define SVM_EXIT_BUSY       UINT64_C(0xfffffffffffffffe)   /* -2 */

#endif
