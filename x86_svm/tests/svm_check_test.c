/*
 * svm_check_test.c - the VMCB Skiff builds for a guest, and the VMRUN
 * consistency checker: the built VMCB passes, and breaking any one rule
 * makes the checker name exactly that rule.
 */
#include <string.h>

#include "check.h"
#include "svm_test_vmcb.h"

static void test_built_vmcb(void)
{
	struct vmcb v;
	uint64_t g[HAL_GPR_COUNT];
	test_vmcb(&v, g);

	CHECK(v.save.cs.selector == 0x08 && v.save.cs.attrib == 0xa9b);
	CHECK(v.save.cs.limit == 0xffffffff && v.save.cs.base == 0);
	CHECK(v.save.ss.selector == 0x10 && v.save.ss.attrib == 0xc93);
	CHECK(v.save.ds.attrib == 0xc93 && v.save.es.attrib == 0xc93);
	CHECK(v.save.fs.attrib == 0xc93 && v.save.gs.attrib == 0xc93);
	CHECK(v.save.tr.selector == 0x18 && v.save.tr.attrib == 0x08b);
	CHECK(v.save.gdtr.base == 0x1000 && v.save.gdtr.limit == 23);
	CHECK(v.save.idtr.base == 0 && v.save.idtr.limit == 0);
	CHECK(v.save.cr0 == 0x80010021 && v.save.cr3 == 0x2000 && v.save.cr4 == 0x620);
	CHECK(v.save.efer == 0x1500);  /* LME, LMA and SVME */
	CHECK(v.save.rflags == 2 && v.save.rip == 0x100000);
	CHECK(v.save.rsp == 0x4000000 - 8 && v.save.rax == 0);
	CHECK(v.save.g_pat == 0x0007040600070406ull && v.save.cpl == 0);
	CHECK(g[HAL_REG_RDI] == 0x10000);
	int others_zero = 1;
	for (int r = 0; r < 16; r++)
		if (r != HAL_REG_RDI && g[r] != 0)
			others_zero = 0;
	CHECK(others_zero);
	CHECK(v.control.guest_asid == 1 && v.control.tlb_control == 1);
	CHECK(v.control.np_control == 1 && v.control.n_cr3 == 0x12345000);
	CHECK(v.control.iopm_base_pa == 0x200000 && v.control.msrpm_base_pa == 0x204000);
	CHECK(v.control.vintr == (1ull << 24) && v.control.clean_bits == 0);
	CHECK(v.control.event_inject == 0);
	CHECK(svm_check_vmcb(&v, &test_caps_qemu) == NULL);
}

/* Each case breaks one rule of a good VMCB; the checker must name it. */
static void break_svme(struct vmcb *v) { v->save.efer &= ~0x1000ull; }
static void break_nw(struct vmcb *v) { v->save.cr0 |= 1ull << 29; }
static void break_cr0_high(struct vmcb *v) { v->save.cr0 |= 1ull << 40; }
static void break_cr3(struct vmcb *v) { v->save.cr3 |= 1ull << 45; }
static void break_cr4(struct vmcb *v) { v->save.cr4 |= 1ull << 13; }
static void break_dr6(struct vmcb *v) { v->save.dr6 |= 1ull << 32; }
static void break_dr7(struct vmcb *v) { v->save.dr7 |= 1ull << 63; }
static void break_efer(struct vmcb *v) { v->save.efer |= 1ull << 9; }
static void break_pae(struct vmcb *v) { v->save.cr4 &= ~0x20ull; }
static void break_pe(struct vmcb *v) { v->save.cr0 &= ~1ull; }
static void break_cs(struct vmcb *v) { v->save.cs.attrib |= 1u << 10; }
static void break_vmrun(struct vmcb *v) { v->control.intercept[4] &= ~1u; }
static void break_iopm(struct vmcb *v) { v->control.iopm_base_pa = (1ull << 40) - 0x1000; }
static void break_msrpm(struct vmcb *v) { v->control.msrpm_base_pa = 1ull << 41; }
static void break_event_type(struct vmcb *v) { v->control.event_inject = (1ull << 31) | (5u << 8) | 13; }
static void break_event_nmi(struct vmcb *v) { v->control.event_inject = (1ull << 31) | (3u << 8) | 2; }
static void break_event_vector(struct vmcb *v) { v->control.event_inject = (1ull << 31) | (3u << 8) | 40; }
static void break_asid(struct vmcb *v) { v->control.guest_asid = 0; }
static void break_ncr3(struct vmcb *v) { v->control.n_cr3 = 1ull << 50; }

static void test_each_rule(void)
{
	static const struct {
		void (*apply)(struct vmcb *v);
		const char *rule_start;
	} cases[] = {
		{ break_svme, "EFER.SVME" },
		{ break_nw, "CR0.NW" },
		{ break_cr0_high, "CR0 bits" },
		{ break_cr3, "CR3" },
		{ break_cr4, "CR4" },
		{ break_dr6, "DR6" },
		{ break_dr7, "DR7" },
		{ break_efer, "EFER reserved" },
		{ break_pae, "EFER.LME and CR0.PG set with CR4.PAE" },
		{ break_pe, "EFER.LME and CR0.PG set with CR0.PE" },
		{ break_cs, "long mode with CS.L and CS.D" },
		{ break_vmrun, "VMRUN intercept" },
		{ break_iopm, "IOPM or MSRPM" },
		{ break_msrpm, "IOPM or MSRPM" },
		{ break_event_type, "EVENTINJ" },
		{ break_event_nmi, "EVENTINJ" },
		{ break_event_vector, "EVENTINJ" },
		{ break_asid, "guest ASID" },
		{ break_ncr3, "nCR3" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmcb v;
		uint64_t g[HAL_GPR_COUNT];
		test_vmcb(&v, g);
		cases[i].apply(&v);
		const char *rule = svm_check_vmcb(&v, &test_caps_qemu);
		CHECK(rule != NULL);
		if (rule && strncmp(rule, cases[i].rule_start, strlen(cases[i].rule_start)) != 0) {
			fprintf(stderr, "case %zu: got \"%s\", want \"%s...\"\n", i, rule,
				cases[i].rule_start);
			CHECK(!"rule named");
		}
	}
}

static void test_rule_details(void)
{
	struct vmcb v;
	uint64_t g[HAL_GPR_COUNT];

	/* CD and NW both set is legal; NW alone is not. */
	test_vmcb(&v, g);
	v.save.cr0 |= (1ull << 29) | (1ull << 30);
	CHECK(svm_check_vmcb(&v, &test_caps_qemu) == NULL);

	/* A CPU without long mode refuses LME. */
	struct svm_caps no_lm = test_caps_qemu;
	no_lm.long_mode = false;
	test_vmcb(&v, g);
	CHECK(strstr(svm_check_vmcb(&v, &no_lm), "no long mode") != NULL);

	/* Legacy (non-long) paging: CR3 has 32 bits. */
	test_vmcb(&v, g);
	v.save.efer &= ~0x500ull;
	v.save.cr3 = 1ull << 33;
	CHECK(strncmp(svm_check_vmcb(&v, &test_caps_qemu), "CR3", 3) == 0);

	/* A valid exception injection passes; the maps' low 12 bits are ignored. */
	test_vmcb(&v, g);
	v.control.event_inject = (1ull << 31) | (1ull << 11) | (3u << 8) | 14 | (6ull << 32);
	v.control.msrpm_base_pa = (1ull << 40) - 0x2000 + 0xfff;
	CHECK(svm_check_vmcb(&v, &test_caps_qemu) == NULL);

	/* The first failing rule in the manual's order wins. */
	test_vmcb(&v, g);
	break_asid(&v);
	break_svme(&v);
	CHECK(strncmp(svm_check_vmcb(&v, &test_caps_qemu), "EFER.SVME", 9) == 0);
}

int main(void)
{
	test_built_vmcb();
	test_each_rule();
	test_rule_details();
	return check_report("svm_check");
}
