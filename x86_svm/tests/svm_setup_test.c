/*
 * svm_setup_test.c - the shared pieces of every SVM guest: the intercept
 * table, the I/O and MSR permission maps, and the ASID allocator.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "svm.h"

static bool intercepted(const struct vmcb_control *c, unsigned word, unsigned bit)
{
	return (c->intercept[word] >> bit) & 1u;
}

static void test_intercepts(void)
{
	struct vmcb_control c;
	memset(&c, 0xff, sizeof(c));  /* stale bits must be cleared */
	svm_set_intercepts(&c);

	/* Bits from the APM's VMCB layout table, independent of the code's table. */
	static const struct { unsigned word, bit; } required[] = {
		{ 3, 0 }, { 3, 1 }, { 3, 2 }, { 3, 3 },  /* INTR NMI SMI INIT */
		{ 3, 18 }, { 3, 19 }, { 3, 22 }, { 3, 24 },  /* CPUID RSM INVD HLT */
		{ 3, 26 }, { 3, 27 }, { 3, 28 }, { 3, 29 },  /* INVLPGA IOIO MSR task switch */
		{ 3, 30 }, { 3, 31 },  /* FERR_FREEZE SHUTDOWN */
		{ 4, 0 }, { 4, 1 }, { 4, 2 }, { 4, 3 }, { 4, 4 }, { 4, 5 },  /* VMRUN..CLGI */
		{ 4, 6 }, { 4, 10 }, { 4, 11 }, { 4, 13 },  /* SKINIT MONITOR MWAIT XSETBV */
		{ 3, 15 }, { 4, 9 }, { 2, 18 },  /* RDPMC WBINVD #MC */
		{ 1, 0 }, { 1, 1 }, { 1, 2 }, { 1, 3 }, { 1, 6 }, { 1, 7 },  /* DR0-3, 6, 7 reads */
		{ 1, 16 }, { 1, 17 }, { 1, 18 }, { 1, 19 }, { 1, 22 }, { 1, 23 },  /* and writes */
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		CHECK(intercepted(&c, required[i].word, required[i].bit));

	/*
	 * Nothing beyond the table: no CR intercepts (CR8 is the virtual TPR
	 * under V_INTR_MASKING), every DR0-DR7 access, #DF (Bochs lacks
	 * SHUTDOWN) and #MC, no RDTSC.
	 */
	unsigned set_bits = 0;
	for (unsigned w = 0; w < VMCB_INTERCEPT_WORDS; w++)
		set_bits += (unsigned)__builtin_popcount(c.intercept[w]);
	CHECK(set_bits == svm_intercept_count);
	CHECK(c.intercept[0] == 0 && c.intercept[1] == 0x00ff00ffu);
	CHECK(c.intercept[2] == ((1u << 8) | (1u << 18)));
	CHECK(c.intercept[5] == 0);
	CHECK(!intercepted(&c, 3, 14));  /* RDTSC: guests read their clock freely */

	/* Every row names a distinct bit and has a name. */
	for (size_t i = 0; i < svm_intercept_count; i++) {
		CHECK(svm_intercepts[i].name && svm_intercepts[i].name[0]);
		CHECK(svm_intercepts[i].word < VMCB_INTERCEPT_WORDS && svm_intercepts[i].bit < 32);
		for (size_t j = i + 1; j < svm_intercept_count; j++)
			CHECK(svm_intercepts[i].word != svm_intercepts[j].word ||
			      svm_intercepts[i].bit != svm_intercepts[j].bit);
	}
}

static void test_msrpm(void)
{
	uint8_t *map = malloc(SVM_MSRPM_BYTES);
	memset(map, 0, SVM_MSRPM_BYTES);
	svm_msrpm_fill(map);

	/* FS_BASE (0xc0000100) and GS_BASE (0xc0000101): bits 0-3 of byte 0x840. */
	CHECK(map[0x840] == 0xf0);
	CHECK(!svm_msrpm_intercepts(map, 0xc0000100, false));
	CHECK(!svm_msrpm_intercepts(map, 0xc0000100, true));
	CHECK(!svm_msrpm_intercepts(map, 0xc0000101, false));
	CHECK(!svm_msrpm_intercepts(map, 0xc0000101, true));
	static const uint32_t still[] = {
		0xc0000102, 0xc0000080, 0x10, 0x1b, 0x277, 0x1fff, 0xc0000000,
		0xc0001fff, 0xc0010000, 0xc0010117, 0xc0011fff,
	};
	for (size_t i = 0; i < sizeof(still) / sizeof(still[0]); i++) {
		CHECK(svm_msrpm_intercepts(map, still[i], false));
		CHECK(svm_msrpm_intercepts(map, still[i], true));
	}
	/* Every byte but 0x840 stays all ones. */
	size_t ones = 0;
	for (size_t i = 0; i < SVM_MSRPM_BYTES; i++)
		ones += map[i] == 0xff;
	CHECK(ones == SVM_MSRPM_BYTES - 1);

	/* MSR 0x1b (APIC base) read bit is bit 0x36 of range 0: byte 6, bit 6. */
	CHECK(svm_msrpm_pass_through(map, 0x1b) == 0);
	CHECK(map[6] == 0x3f);
	/* Outside the three ranges: refused, and reported as intercepted. */
	CHECK(svm_msrpm_pass_through(map, 0x40000000) == -EINVAL);
	CHECK(svm_msrpm_pass_through(map, 0xc0002000) == -EINVAL);
	CHECK(svm_msrpm_intercepts(map, 0x40000000, false));
	free(map);
}

static void test_iopm(void)
{
	uint8_t *map = calloc(1, SVM_IOPM_BYTES);
	svm_iopm_fill(map);
	size_t ones = 0;
	for (size_t i = 0; i < SVM_IOPM_BYTES; i++)
		ones += map[i] == 0xff;
	CHECK(ones == SVM_IOPM_BYTES);
	free(map);
}

static void test_asids(void)
{
	struct vmcb_control c;
	struct tag_slot slots[20] = { { 0, 0 } };
	int flushes = 0;

	/* QEMU offers 16: guests share 1..15 and recycle them by generation. */
	svm_asid_init(16, 0);
	CHECK(svm_asid_pool_size() == 15);
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 15; i++) {
		c.tlb_control = 0;
		svm_asid_claim(&slots[i], &c);
		CHECK(c.guest_asid == (uint32_t)i + 1 && c.tlb_control == 0);
	}
	/* the 16th vCPU starts a new generation: flush every ASID */
	svm_asid_claim(&slots[15], &c);
	CHECK(c.guest_asid == 1 && c.tlb_control == 1);
	/* an old vCPU runs again: it gets a fresh ASID of the new generation */
	c.tlb_control = 0;
	svm_asid_claim(&slots[0], &c);
	CHECK(c.guest_asid == 2 && c.tlb_control == 0);
	/* and keeps it while the generation lasts, with no flush */
	c.guest_asid = 99;
	svm_asid_claim(&slots[0], &c);
	CHECK(c.guest_asid == 99 && c.tlb_control == 0);
	/* asids=2 caps the pool; Bochs offers 0x8000 */
	svm_asid_init(0x8000, 2);
	CHECK(svm_asid_pool_size() == 2);
	memset(slots, 0, sizeof(slots));
	for (int i = 0; i < 6; i++) {
		c.tlb_control = 0;
		svm_asid_claim(&slots[i], &c);
		CHECK(c.guest_asid >= 1 && c.guest_asid <= 2);
		flushes += c.tlb_control == 1;
	}
	CHECK(flushes == 2);
	svm_asid_init(0x8000, 0);
	CHECK(svm_asid_pool_size() == 0x7fff);
	svm_asid_init(0, 0);   /* a CPU reporting no ASIDs still gets one to share */
	CHECK(svm_asid_pool_size() == 1);
}

/* Two CPUs as Skiff sees them: this_cpu() reads %gs:0, so the test points
 * the GS base at one or the other (arch_prctl), as each real CPU's is. */
static struct percpu fake_cpus[2];

static void become_cpu(unsigned index)
{
	fake_cpus[index].self = &fake_cpus[index];
	fake_cpus[index].index = index;
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)&fake_cpus[index]) == 0);
}

/* Each CPU has its own pool: a generation started on one flushes there only. */
static void test_asids_per_cpu(void)
{
	struct vmcb_control c;
	struct tag_slot on0[3] = { { 0, 0 } }, on1 = { 0, 0 };

	svm_asid_init(0x8000, 2);
	memset(&c, 0, sizeof(c));
	become_cpu(1);
	svm_asid_claim(&on1, &c);
	CHECK(c.guest_asid == 1 && c.tlb_control == 0);
	become_cpu(0);
	for (int i = 0; i < 3; i++) {   /* the third starts CPU 0's second generation */
		c.tlb_control = 0;
		svm_asid_claim(&on0[i], &c);
	}
	CHECK(c.tlb_control == 1);
	become_cpu(1);
	CHECK(svm_asid_current(&on1));   /* CPU 1's guest keeps its ASID, unflushed */
	become_cpu(0);
	CHECK(!svm_asid_current(&on0[0]));
}

/*
 * A vCPU moved from CPU 0 to CPU 1 carries a slot of CPU 0's pool. Both
 * pools are in their first generation, so without dropping it the slot
 * reads as current on CPU 1, and its ASID is the one CPU 1 gave its own
 * guest: two guests would share cached translations there.
 */
static void test_asid_after_move(void)
{
	struct vmcb_control c;
	struct tag_slot moved = { 0, 0 }, native = { 0, 0 };

	svm_asid_init(0x8000, 0);
	memset(&c, 0, sizeof(c));
	become_cpu(1);
	svm_asid_claim(&native, &c);
	become_cpu(0);
	svm_asid_claim(&moved, &c);
	CHECK(moved.tag == native.tag);
	become_cpu(1);
	CHECK(svm_asid_current(&moved));   /* what a move must not trust */
	tag_slot_drop(&moved);             /* svm_vcpu_arrive_cpu */
	CHECK(!svm_asid_current(&moved));
	c.tlb_control = 0;
	CHECK(!svm_asid_claim(&moved, &c));
	CHECK(c.guest_asid == moved.tag && moved.tag != native.tag && c.tlb_control == 0);
	CHECK(svm_asid_current(&native) && svm_asid_current(&moved));
}

int main(void)
{
	become_cpu(0);
	test_intercepts();
	test_msrpm();
	test_iopm();
	test_asids();
	test_asids_per_cpu();
	test_asid_after_move();
	return check_report("svm_setup");
}
