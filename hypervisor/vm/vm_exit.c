/*
 * vm_exit.c - running a vCPU and handling its exits.
 *
 * Deny by default: an exit this file does not expect ends the guest with a
 * decoded report. The hot path (a hypercall OUT) goes straight from the exit
 * record to the dispatcher and back into the guest. General registers are
 * read and written in the vCPU's register file (vcpu.gpr, hal/hal.h)
 * directly; only other registers go through hal->reg_read / reg_write.
 */
#include "hypervisor/vm/vm.h"

#include "hypervisor/time/apic_timer.h"
#include "hypervisor/console.h"
#include "hypervisor/debug/gdb_stub.h"
#include "hypervisor/vm/cpuid_policy.h"
#include "hypervisor/vm/hypercall.h"
#include "hypervisor/vm/reclaim/vm_free_report.h"
#include "hypervisor/vm/vm_memory.h"
#include "hypervisor/vm/vm_ring_tick.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/pv/pv.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/mem/shadow/shadow.h"
#include "lib/errno.h"
#include "hypervisor/time/time.h"
#include "net/uplink.h"

#define VECTOR_GP 13

static void console_sink(void *ctx, const char *bytes, uint64_t len)
{
	vm_console_write(ctx, bytes, len);
}

static uint64_t walltime_source(void *ctx)
{
	(void)ctx;
	return walltime_ns();
}

static const struct hypercall_block *block_source(void *ctx, uint64_t handle)
{
	return vm_block(ctx, handle);
}

static struct net_port *net_source(void *ctx, uint64_t handle)
{
	return vm_net_port(ctx, handle);
}

static uint64_t net_ready_source(void *ctx)
{
	return vm_net_ready(ctx);
}

static int net_ring_source(void *ctx, uint64_t handle, uint64_t gpa, const char **why)
{
	return vm_net_ring(ctx, handle, gpa, why);
}

/* What hypercalls of vm may reach: built once per vm_run, not per call. */
static struct hypercall_env hypercall_env_of(struct vm *vm)
{
	return (struct hypercall_env){
		.mem = vm->mem, .ctx = vm,
		.console = console_sink, .walltime_ns = walltime_source,
		.block = block_source,
		.sw = vm->net_count ? net_the_switch() : NULL,
		.net = vm->net_count ? net_source : NULL,
		.net_ready = vm->net_count ? net_ready_source : NULL,
		.net_ring = vm->net_count ? net_ring_source : NULL,
		.free_report = vm_free_report, .protected_end = vm->kernel_end,
	};
}

/* Returns true when the guest keeps running. */
static bool handle_hypercall(struct vm *vm, const struct hypercall_env *env,
			     const struct hal_exit *exit)
{
	struct hypercall_result res;
	uint64_t arg = vm->vcpu.gpr[HAL_REG_RAX] & 0xffffffffu;

	if (pv_is_port(exit->io.port))
		pv_call(vm, exit->io.port, arg, &res);
	else
		hypercall_dispatch(env, exit->io.port, arg, &res);
	switch (res.action) {
	case HC_DO_CONTINUE:
		hal->advance(&vm->vcpu, exit);
		return true;
	case HC_DO_REPEAT:
		/* RIP stays at the OUT: a pending slice end is taken first. */
		return true;
	case HC_DO_SNAPSHOT:
		return vm_clone_snapshot_call(vm, exit, arg, res.snapshot_flags);
	case HC_DO_SLEEP:
		hal->advance(&vm->vcpu, exit);
		/* clone=: its first POLL is the snapshot, unless it made the call. */
		if (res.poll_wait && vm_clone_poll_snapshot(vm))
			return false;
		vm->wake_tsc = tsc_read() + ns_to_tsc(res.sleep_ns);
		vm->state = VM_SLEEPING;
		vm->polling = res.poll_wait;
		vm->poll_arg = arg;
		return false;
	case HC_DO_HALT:
		vm_end(vm, res.status, VM_END_HALT, "halted with status %u", res.status);
		return false;
	case HC_DO_KILL:
	default:
		vm_end(vm, 1, VM_END_KILLED, "bad hypercall: %s", res.why);
		return false;
	}
}

static bool handle_io(struct vm *vm, const struct hypercall_env *env,
		      const struct hal_exit *exit)
{
	const char *dir = exit->io.is_write ? "write to" : "read from";

	if (exit->io.is_write && exit->io.size == 4 && !exit->io.is_string &&
	    hypercall_is_port(exit->io.port))
		return handle_hypercall(vm, env, exit);
	vm_end(vm, 1, VM_END_KILLED, "port I/O %s port 0x%x (%u bytes%s) is not permitted",
	       dir, exit->io.port, exit->io.size, exit->io.is_string ? ", string" : "");
	return false;
}

static bool handle_cpuid(struct vm *vm, const struct hal_exit *exit)
{
	uint64_t *gpr = vm->vcpu.gpr;
	uint32_t leaf = (uint32_t)gpr[HAL_REG_RAX];
	uint32_t subleaf = (uint32_t)gpr[HAL_REG_RCX];
	struct cpuid_regs r = cpuid(leaf, subleaf);

	cpuid_policy_apply(leaf, subleaf, &r);
	gpr[HAL_REG_RAX] = r.eax;
	gpr[HAL_REG_RBX] = r.ebx;
	gpr[HAL_REG_RCX] = r.ecx;
	gpr[HAL_REG_RDX] = r.edx;
	hal->advance(&vm->vcpu, exit);
	return true;
}

/* EFER bits a guest may change: SCE, LME, NXE (LMA follows LME by hardware). */
#define GUEST_EFER_WRITABLE (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

static void msr_result(struct vm *vm, uint64_t value)
{
	vm->vcpu.gpr[HAL_REG_RAX] = (uint32_t)value;
	vm->vcpu.gpr[HAL_REG_RDX] = value >> 32;
}

/*
 * MSRs: FS and GS base pass through without exits. Of the rest, a guest may
 * read and write its own EFER (within the bits above) and read the TSC;
 * everything else raises #GP in the guest, as on a CPU without that MSR.
 */
static bool handle_msr(struct vm *vm, const struct hal_exit *exit)
{
	uint32_t index = exit->msr.index;
	bool write = exit->reason == HAL_EXIT_MSR_WRITE;

	if (index == MSR_EFER && !write) {
		msr_result(vm, vm->shadow ? shadow_guest_efer(vm) :
			   hal->reg_read(&vm->vcpu, HAL_REG_EFER));
	} else if (index == MSR_EFER && !(exit->msr.value & ~(uint64_t)GUEST_EFER_WRITABLE)) {
		if (vm->shadow)
			shadow_write_efer(vm, exit->msr.value);
		else
			hal->reg_write(&vm->vcpu, HAL_REG_EFER, exit->msr.value);
	} else if (index == 0x10 && !write) {
		msr_result(vm, tsc_read());
	} else {
		hal->inject_exception(&vm->vcpu, VECTOR_GP, true, 0);
		return true;
	}
	hal->advance(&vm->vcpu, exit);
	return true;
}

static const char *access_name(unsigned access)
{
	if (access & HAL_ACCESS_EXEC)
		return "execute";
	return (access & HAL_ACCESS_WRITE) ? "write" : "read";
}

static bool handle_nested_fault(struct vm *vm, const struct hal_exit *exit)
{
	uint64_t gpa = exit->npf.gpa;
	bool write = exit->npf.access & HAL_ACCESS_WRITE;
	unsigned perms;
	bool mapped = exit->npf.mapped;

	/* Reclaim on another CPU may have changed a present entry since the
	 * exit (write-protected it for a look, then restored or unmapped it):
	 * go by the table as it is now. An entry the exit found absent stays
	 * absent, as only this CPU maps while it holds the claim: a first
	 * touch needs no second walk. */
	if (mapped && gpa < vm->mem.size) {
		mapped = np_lookup(&vm->nested, gpa, NULL, &perms, NULL) == 0;
		if (mapped && exit->npf.access && (perms & exit->npf.access) == exit->npf.access) {
			/* Allowed again: the guest retries, without the narrower
			 * entry this CPU may have cached meanwhile. */
			mem_flush_at_entry(&vm->space, this_cpu_index());
			return true;
		}
	}
	if ((!mapped || write) && gpa < vm->mem.size) {
		int rc = -ENOENT;

		/* A clone's write to a page it shares: its own copy. */
		if (write && vm->clone.index)
			rc = vm_clone_write_fault(vm, gpa);
		if (rc == -ENOENT && !mapped)
			rc = vm_first_touch(vm, gpa);
		if (rc == 0)
			return true;  /* the guest retries the access */
		if (rc == -ENOMEM) {
			vm_end(vm, 1, VM_END_KILLED,
			       "out of memory: no frame left for its first touch of gpa 0x%llx "
			       "(mem %llu MiB, resident %llu KiB, peak %llu KiB; Skiff has %llu KiB free)",
			       (unsigned long long)gpa, (unsigned long long)(vm->mem.size >> 20),
			       (unsigned long long)(vm->pages.resident * 4),
			       (unsigned long long)(vm->pages.peak * 4),
			       (unsigned long long)(frames_free_bytes() >> 10));
			return false;
		}
		if (rc == -EIO) {
			vm_end(vm, 1, VM_END_KILLED,
			       "swap read failed: its page at gpa 0x%llx could not be read back from swap (disk error)",
			       (unsigned long long)gpa);
			return false;
		}
	}
	if (gpa >= vm->mem.size)
		vm_end(vm, 1, VM_END_KILLED,
		       "nested page fault: %s at gpa 0x%llx, outside its RAM [0, 0x%llx), rip 0x%llx",
		       access_name(exit->npf.access), (unsigned long long)gpa,
		       (unsigned long long)vm->mem.size, (unsigned long long)exit->rip);
	else
		vm_end(vm, 1, VM_END_KILLED,
		       "nested page fault: %s at gpa 0x%llx denied by its segment permissions, rip 0x%llx",
		       access_name(exit->npf.access), (unsigned long long)gpa,
		       (unsigned long long)exit->rip);
	return false;
}

/* Returns true when the guest keeps running. */
static bool handle_exit(struct vm *vm, const struct hypercall_env *env,
			const struct hal_exit *exit)
{
	switch (exit->reason) {
	case HAL_EXIT_IO:
		return handle_io(vm, env, exit);
	case HAL_EXIT_CPUID:
		return handle_cpuid(vm, exit);
	case HAL_EXIT_MSR_READ:
	case HAL_EXIT_MSR_WRITE:
		return handle_msr(vm, exit);
	case HAL_EXIT_NESTED_FAULT:
		return handle_nested_fault(vm, exit);
	case HAL_EXIT_EXTERNAL_INTR:
		/* Take the interrupt; the slice timer (or a ring tick before
		 * the slice's end), or a kick for a guest woken here, may make
		 * it yield the CPU (vm_ring_tick.h). */
		return vm_timer_exit(vm, apic_timer_take_expired());
	case HAL_EXIT_SLICE_END:
		return vm_timer_exit(vm, true);
	case HAL_EXIT_NMI:
		return true;
	case HAL_EXIT_HLT:
		vm_end(vm, 1, VM_END_KILLED, "executed HLT at rip 0x%llx (guests end with the HALT hypercall)",
		       (unsigned long long)exit->rip);
		return false;
	case HAL_EXIT_TRIPLE_FAULT:
		vm_end(vm, 1, VM_END_KILLED, "triple fault at rip 0x%llx", (unsigned long long)exit->rip);
		return false;
	case HAL_EXIT_FORBIDDEN_INSN:
		vm_end(vm, 1, VM_END_KILLED, "executed %s at rip 0x%llx, which guests may not use",
		       exit->insn.name ? exit->insn.name : "a forbidden instruction",
		       (unsigned long long)exit->rip);
		return false;
	case HAL_EXIT_CR_ACCESS:
	case HAL_EXIT_INVLPG:
	case HAL_EXIT_INVPCID:
		if (vm->shadow)
			return shadow_handle_exit(vm, exit);
		vm_end(vm, 1, VM_END_KILLED, "executed %s at rip 0x%llx, which guests may not use",
		       exit->reason == HAL_EXIT_INVLPG ? "INVLPG" :
		       exit->reason == HAL_EXIT_INVPCID ? "INVPCID" : "MOV CR (CR8, or CR0.CD/NW)",
		       (unsigned long long)exit->rip);
		return false;
	case HAL_EXIT_EXCEPTION:
		if (gdb_stub_debugging(vm) && gdb_stub_exception(vm, exit))
			return true;
		if (vm->shadow && exit->exception.vector == 14)
			return shadow_handle_exit(vm, exit);
		vm_end(vm, 1, VM_END_KILLED, "exception %u (error 0x%x) at rip 0x%llx",
		       exit->exception.vector, exit->exception.error, (unsigned long long)exit->rip);
		return false;
	case HAL_EXIT_ENTRY_FAILED:
		vm_end(vm, 1, VM_END_KILLED, "the CPU refused to enter it: %s", exit->detail);
		return false;
	default:
		vm_end(vm, 1, VM_END_KILLED, "unhandled exit %s (code 0x%llx): %s",
		       hal_exit_reason_name(exit->reason), (unsigned long long)exit->vendor_code,
		       exit->detail);
		return false;
	}
}

/*
 * enter_guest: one world switch. The claim is given up while the guest
 * runs, so that reclaim on another CPU may take its pages (kicking it out
 * first, mem_invalidate.h), and taken back before the exit is looked at.
 */
static void enter_guest(struct vm *vm, struct hal_exit *exit)
{
	unsigned cpu = this_cpu_index();

	vm_unclaim(vm);
	mem_enter(&vm->space, cpu);
	hal->run(&vm->vcpu, exit);
	mem_leave(cpu);
	vm_claim(vm);
}

void vm_run(struct vm *vm)
{
	const struct hypercall_env env = hypercall_env_of(vm);
	struct hal_exit exit;
	unsigned exits = 0;
	bool keep;

	/* Its memory is this CPU's to touch until the guest runs (vm.h). */
	vm_claim(vm);
	/* Frames queued while it was out go onto its rings before it looks. */
	if (vm->net_count)
		vm_net_rings_serve(vm);
	/* Back from POLL (timeout or a frame): report what is ready now. */
	if (vm->polling) {
		hypercall_poll_complete(&env, vm->poll_arg);
		vm->polling = false;
	}
	mem_flush_if_stale(&vm->space);
	for (;;) {
		enter_guest(vm, &exit);
		if ((unsigned)exit.reason < HAL_EXIT_REASON_COUNT)
			vm->exit_count[exit.reason]++;
		keep = handle_exit(vm, &env, &exit);
		if (gdb_stub_debugging(vm))
			gdb_stub_after_exit(vm);
		/* Any exit is a chance to serve the rings: no kick needed. */
		if (vm->net_count && vm->state != VM_ENDED)
			vm_net_rings_serve(vm);
		if (!keep)
			break;
		/*
		 * The slice ends here too: a guest that exits all the time (a
		 * CPUID loop) may never be inside when the timer's interrupt is
		 * recognised, on CPUs and emulators that check for it only after
		 * a guest instruction. Every 64th exit is often enough and keeps
		 * the clock read off the common path.
		 */
		if ((++exits & 63) == 0 && tsc_read() >= vm->slice_deadline) {
			vm->slices++;
			break;
		}
	}
	vm_unclaim(vm);
}
