/*
 * svm_vmcb_init.c - a new guest's VMCB: the Solo5 hvt entry state (64-bit
 * mode, flat segments, busy TSS) and Skiff's controls (intercepts, maps,
 * ASID, nested paging). Plain C over memory, so host tests check the result
 * against the VMRUN consistency rules.
 */
#include "hypervisor/cpu.h"
#include "lib/kstring.h"
#include "svm.h"

/* Power-on PAT (WB, WT, UC-, UC twice), which guests expect. */
#define GUEST_PAT UINT64_C(0x0007040600070406)
/* Architectural reset values of the debug registers. */
#define DR6_INIT UINT64_C(0xffff0ff0)
#define DR7_INIT UINT64_C(0x400)
#define FLAT_LIMIT 0xffffffffu

static void set_segment(struct vmcb_segment *s, uint16_t selector,
			uint16_t attrib, uint32_t limit, uint64_t base)
{
	s->selector = selector;
	s->attrib = attrib;
	s->limit = limit;
	s->base = base;
}

/* Segments, descriptor tables and TR as the guest ABI describes them. */
static void set_guest_segments(struct vmcb_save *s, const struct hal_boot_state *b)
{
	const uint16_t code = VMCB_ATTR_TYPE_CODE_RX_ACCESSED | VMCB_ATTR_S |
		VMCB_ATTR_P | VMCB_ATTR_L | VMCB_ATTR_G;
	const uint16_t data = VMCB_ATTR_TYPE_DATA_RW_ACCESSED | VMCB_ATTR_S |
		VMCB_ATTR_P | VMCB_ATTR_DB | VMCB_ATTR_G;
	const uint16_t tss = VMCB_ATTR_TYPE_TSS64_BUSY | VMCB_ATTR_P;

	set_segment(&s->cs, b->code_selector, code, FLAT_LIMIT, 0);
	set_segment(&s->ss, b->data_selector, data, FLAT_LIMIT, 0);
	set_segment(&s->ds, b->data_selector, data, FLAT_LIMIT, 0);
	set_segment(&s->es, b->data_selector, data, FLAT_LIMIT, 0);
	set_segment(&s->fs, b->data_selector, data, FLAT_LIMIT, 0);
	set_segment(&s->gs, b->data_selector, data, FLAT_LIMIT, 0);
	set_segment(&s->gdtr, 0, 0, b->gdt_limit, b->gdt_base);
	set_segment(&s->idtr, 0, 0, 0, 0);  /* no IDT: the guest loads its own */
	set_segment(&s->ldtr, 0, 0, 0, 0);  /* null LDT */
	set_segment(&s->tr, b->tss_selector, tss, b->tss_limit, b->tss_base);
}

static void set_guest_state(struct vmcb_save *s, uint64_t gpr[HAL_GPR_COUNT],
			    const struct hal_boot_state *b)
{
	set_guest_segments(s, b);
	s->cpl = 0;
	s->cr0 = b->cr0;
	s->cr3 = b->cr3;
	s->cr4 = b->cr4;
	s->efer = b->efer | EFER_SVME;  /* VMRUN refuses a guest without it */
	s->rflags = b->rflags;
	s->rip = b->rip;
	s->rsp = b->rsp;
	s->rax = 0;
	s->dr6 = DR6_INIT;
	s->dr7 = DR7_INIT;
	s->g_pat = GUEST_PAT;
	memset(gpr, 0, HAL_GPR_COUNT * sizeof(gpr[0]));
	gpr[HAL_REG_RDI] = b->rdi;
}

static void set_controls(struct vmcb_control *c, const struct svm_vmcb_params *p)
{
	svm_set_intercepts(c);
	c->iopm_base_pa = p->iopm_pa;
	c->msrpm_base_pa = p->msrpm_pa;
	c->guest_asid = p->asid;
	c->tlb_control = p->tlb_control;
	/* Guest IF masks only virtual interrupts; physical ones stay the host's. */
	c->vintr = VMCB_V_INTR_MASKING;
	c->np_control = VMCB_NP_ENABLE;
	c->n_cr3 = p->n_cr3;
	c->clean_bits = 0;  /* nothing cached: the CPU reloads every field */
}

void svm_vmcb_init(struct vmcb *vmcb, uint64_t gpr[HAL_GPR_COUNT],
		   const struct hal_boot_state *boot, const struct svm_vmcb_params *p)
{
	memset(vmcb, 0, sizeof(*vmcb));
	set_controls(&vmcb->control, p);
	set_guest_state(&vmcb->save, gpr, boot);
}
