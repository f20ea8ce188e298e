/*
 * vmx_tables_test.c - host tests of the MSR bitmap (which MSR accesses
 * exit), the VPID allocator, and the CR0/CR4 guest-view arithmetic.
 */
#include <asm/prctl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot_check.h"
#include "lib/errno.h"
#include "vmx_cr.h"
#include "vmx_msr_bitmap.h"
#include "vmx_vpid.h"

static void test_msr_bitmap(void)
{
	uint8_t *bitmap = malloc(VMX_MSR_BITMAP_SIZE);  /* exact: ASan sees overruns */

	vmx_msr_bitmap_init(bitmap);
	CHECK(!vmx_msr_bitmap_exits(bitmap, 0xc0000100, false));  /* FS_BASE */
	CHECK(!vmx_msr_bitmap_exits(bitmap, 0xc0000100, true));
	CHECK(!vmx_msr_bitmap_exits(bitmap, 0xc0000101, false));  /* GS_BASE */
	CHECK(!vmx_msr_bitmap_exits(bitmap, 0xc0000101, true));
	CHECK(vmx_msr_bitmap_exits(bitmap, 0xc0000102, true));    /* KERNEL_GS_BASE */
	CHECK(vmx_msr_bitmap_exits(bitmap, 0xc0000102, false));
	CHECK(vmx_msr_bitmap_exits(bitmap, 0xc0000080, true));    /* EFER */
	CHECK(vmx_msr_bitmap_exits(bitmap, 0xc00000ff, false));
	CHECK(vmx_msr_bitmap_exits(bitmap, 0x10, false));         /* TSC */
	CHECK(vmx_msr_bitmap_exits(bitmap, 0x100, true));         /* same bit as FS_BASE, low range */
	CHECK(vmx_msr_bitmap_exits(bitmap, 0x1fff, true));
	CHECK(vmx_msr_bitmap_exits(bitmap, 0xc0001fff, true));
	CHECK(vmx_msr_bitmap_exits(bitmap, 0x2000, false));       /* outside both ranges */
	CHECK(vmx_msr_bitmap_exits(bitmap, 0x40000000, true));
	/* The four passes are the only clear bits: 4 KiB * 8 - 4. */
	{
		unsigned i, clear = 0;

		for (i = 0; i < VMX_MSR_BITMAP_SIZE * 8; i++)
			clear += !((bitmap[i / 8] >> (i % 8)) & 1);
		CHECK(clear == 4);
	}
	free(bitmap);
}

static void test_vpid(void)
{
	struct tag_slot a = { 0, 0 }, b = { 0, 0 }, c = { 0, 0 };

	vpid_init(0);
	CHECK(vpid_pool_size() == VMX_VPID_MAX);
	CHECK(vpid_claim(&a) == TAG_FRESH && a.tag == 1);
	CHECK(vpid_claim(&a) == TAG_KEPT && a.tag == 1);
	/* asids=2: the third vCPU starts a new generation */
	vpid_init(2);
	a = b = c = (struct tag_slot){ 0, 0 };
	CHECK(vpid_pool_size() == 2);
	CHECK(vpid_claim(&a) == TAG_FRESH && a.tag == 1);
	CHECK(vpid_claim(&b) == TAG_FRESH && b.tag == 2);
	CHECK(vpid_claim(&c) == TAG_FLUSH_ALL && c.tag == 1);
	CHECK(vpid_claim(&a) == TAG_FRESH && a.tag == 2);
	CHECK(vpid_claim(&b) == TAG_FLUSH_ALL && b.tag == 1);
}

/* Two CPUs as Skiff sees them: this_cpu() reads %gs:0 (arch_prctl sets it). */
static struct percpu fake_cpus[2];

static void become_cpu(unsigned index)
{
	fake_cpus[index].self = &fake_cpus[index];
	fake_cpus[index].index = index;
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)&fake_cpus[index]) == 0);
}

/* Each CPU has its own VPID pool: CPU 0's new generation leaves CPU 1's tags valid. */
static void test_vpid_per_cpu(void)
{
	struct tag_slot a = { 0, 0 }, b = { 0, 0 }, c = { 0, 0 }, on1 = { 0, 0 };

	vpid_init(2);
	become_cpu(1);
	CHECK(vpid_claim(&on1) == TAG_FRESH && on1.tag == 1);
	become_cpu(0);
	CHECK(vpid_claim(&a) == TAG_FRESH && a.tag == 1);
	CHECK(vpid_claim(&b) == TAG_FRESH && b.tag == 2);
	CHECK(vpid_claim(&c) == TAG_FLUSH_ALL);
	become_cpu(1);
	CHECK(vpid_current(&on1));
	become_cpu(0);
	CHECK(!vpid_current(&a));
}

/* A vCPU moved from CPU 0 to CPU 1 (vmx_vcpu_arrive_cpu): its slot of CPU
 * 0's pool would read as current on CPU 1 with CPU 1's guest's VPID. */
static void test_vpid_after_move(void)
{
	struct tag_slot moved = { 0, 0 }, native = { 0, 0 };

	vpid_init(0);
	become_cpu(1);
	CHECK(vpid_claim(&native) == TAG_FRESH);
	become_cpu(0);
	CHECK(vpid_claim(&moved) == TAG_FRESH && moved.tag == native.tag);
	become_cpu(1);
	CHECK(vpid_current(&moved));   /* what a move must not trust */
	tag_slot_drop(&moved);
	CHECK(!vpid_current(&moved));
	CHECK(vpid_claim(&moved) == TAG_FRESH && moved.tag != native.tag);
	CHECK(vpid_current(&native) && vpid_current(&moved));
}

static void test_control_registers(void)
{
	uint64_t cr4_fixed0 = 0x2000, cr4_fixed1 = 0x3727ff;
	uint64_t cr0_fixed0 = 0x80000021, cr0_fixed1 = 0xffffffff;
	uint64_t mask4 = vmx_cr_host_mask(cr4_fixed0, cr4_fixed1);
	uint64_t mask0 = vmx_cr_host_mask(cr0_fixed0, cr0_fixed1);
	uint64_t real4 = vmx_cr_real(0x620, cr4_fixed0, cr4_fixed1);

	CHECK(real4 == 0x2620);                          /* VMXE forced */
	CHECK(vmx_cr_guest_view(real4, 0x620, mask4) == 0x620);  /* and hidden */
	CHECK(mask4 & 0x2000);
	CHECK(mask4 & (UINT64_C(1) << 22));              /* not allowed to be 1 */
	CHECK(!(mask4 & 0x200));                          /* OSFXSR is the guest's */
	CHECK(vmx_cr_real(0x80010021, cr0_fixed0, cr0_fixed1) == 0x80010021);
	CHECK(vmx_cr_real(0x10, cr0_fixed0, cr0_fixed1) == 0x80000031);
	/* A guest-owned bit (TS) reads from the real register. */
	CHECK(vmx_cr_guest_view(0x80010029, 0x80010021, mask0) == 0x80010029);
	CHECK(vmx_cr_guest_view(0x80000021, 0x00000020, mask0) == 0x20);
}

int main(void)
{
	become_cpu(0);
	test_msr_bitmap();
	test_vpid();
	test_vpid_per_cpu();
	test_vpid_after_move();
	test_control_registers();
	return check_report("vmx_tables_test");
}
