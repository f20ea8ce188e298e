/*
 * pv.c - one VM's paravirtual MMU: its calls, the guest-physical map's
 * read-only narrowing of registered table pages, and keeping the shadows
 * the CPU walks in step with validated updates (pv.h, docs/pv-mmu.md).
 */
#include "hypervisor/mem/pv/pv.h"

#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/mem/pv/pv_check.h"
#include "hypervisor/mem/shadow/shadow_internal.h"
#include "hypervisor/mem/shadow/shadow.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_memory.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

struct pv_stats {
	uint64_t registers, unregisters, batches, updates, cr3_loads, refused, flushes;
	uint64_t peak_registered;
};

struct pv_mmu {
	struct pv_tables t;
	uint64_t pages_hpa, pages_bytes;
	uint64_t root;        /* the table base loaded by call (0: none yet) */
	struct pv_stats stats;
};

/* The argument struct every PV call shares (docs/guest-abi.md). */
#define ARG_A 0u
#define ARG_B 8u
#define ARG_DONE 16u
#define ARG_ERROR 24u
#define ARG_DETAIL 32u

static uint64_t *entry_of(void *ctx, uint64_t gpa)
{
	struct vm *vm = ctx;

	return guest_ptr(&vm->mem, gpa, sizeof(uint64_t));
}

/*
 * table_changed: an update changed the present entry at gpa: shadow.c
 * drops what may translate through it (and flushes).
 */
static void table_changed(void *ctx, uint64_t gpa)
{
	struct vm *vm = ctx;

	if (shadow_table_written(vm, gpa))
		vm->pv->stats.flushes++;
}

int pv_create(struct vm *vm)
{
	uint64_t state = frame_alloc();
	uint64_t pages = vm->mem.size / PV_PAGE;
	struct pv_mmu *pv = (struct pv_mmu *)(uintptr_t)state;

	_Static_assert(sizeof(struct pv_mmu) <= FRAME_SIZE, "PV state fits a frame");
	if (!state)
		return -ENOMEM;
	pv->pages_bytes = (pages * sizeof(struct pv_page) + FRAME_SIZE - 1) &
		~(uint64_t)(FRAME_SIZE - 1);
	pv->pages_hpa = frames_alloc_contiguous(pv->pages_bytes, FRAME_SIZE);
	vm->pv = pv;
	if (!pv->pages_hpa)
		return -ENOMEM;
	memset((void *)(uintptr_t)pv->pages_hpa, 0, pv->pages_bytes);
	pv->t = (struct pv_tables){
		.pages = (struct pv_page *)(uintptr_t)pv->pages_hpa,
		.ram_size = vm->mem.size & ~(uint64_t)(PV_PAGE - 1),
		.phys_bits = vm->shadow->phys_bits,
		.entry = entry_of,
		.stale = table_changed,
		.ctx = vm,
	};
	return 0;
}

void pv_destroy(struct vm *vm)
{
	struct pv_mmu *pv = vm->pv;
	const struct pv_stats *s;

	if (!pv)
		return;
	s = &pv->stats;
	log_printf("guest %s: pv registered=%llu peak_tables=%llu unregistered=%llu batches=%llu "
		   "updates=%llu cr3_loads=%llu flushes=%llu refused=%llu",
		   vm->name, (unsigned long long)s->registers,
		   (unsigned long long)s->peak_registered, (unsigned long long)s->unregisters,
		   (unsigned long long)s->batches, (unsigned long long)s->updates,
		   (unsigned long long)s->cr3_loads, (unsigned long long)s->flushes,
		   (unsigned long long)s->refused);
	if (pv->pages_hpa)
		frames_free(pv->pages_hpa, pv->pages_bytes);
	frames_free((uint64_t)(uintptr_t)pv, FRAME_SIZE);
	vm->pv = NULL;
}

bool pv_is_table(const struct vm *vm, uint64_t gpa)
{
	return vm->pv && pv_level_of(&vm->pv->t, gpa) != 0;
}

static void put_u64(uint8_t *arg, unsigned at, uint64_t v)
{
	memcpy(arg + at, &v, sizeof(v));
}

static uint64_t get_u64(const uint8_t *arg, unsigned at)
{
	uint64_t v;

	memcpy(&v, arg + at, sizeof(v));
	return v;
}

/* answer: the call's outcome into its struct; a refusal is logged. */
static void answer(struct vm *vm, uint8_t *arg, enum pv_error err, uint64_t done,
		   uint64_t detail, const char *call)
{
	uint32_t e = (uint32_t)err;

	put_u64(arg, ARG_DONE, done);
	memcpy(arg + ARG_ERROR, &e, sizeof(e));
	put_u64(arg, ARG_DETAIL, detail);
	if (err == PV_OK || !vm->pv)
		return;
	vm->pv->stats.refused++;
	log_printf("guest %s: pv %s refused: %s (error %u, detail 0x%llx)", vm->name, call,
		   pv_error_name(err), (unsigned)err, (unsigned long long)detail);
}

/* set_table_perms: the guest-physical map follows a page's registration
 * (read-only while registered); through the one invalidation path. */
static int set_table_perms(struct vm *vm, uint64_t gpa, bool table)
{
	bool was_stale = vm->nested.stale;
	int rc = np_protect(&vm->nested, gpa, PV_PAGE, table ? NP_READ : PLAIN_RAM_PERMS);

	/*
	 * Narrowing: no CPU walks this VM's guest-physical map (shadow paging)
	 * and its one vCPU is here, in this call, so the shadows' writable
	 * leaves of the page are the only stale copies of the old permissions.
	 * When the reverse map finds and drops them all, nothing else needs
	 * invalidating; otherwise the one invalidation path drops every shadow.
	 */
	if (table && rc == 0 && !was_stale && shadow_page_narrowed(vm, gpa))
		vm->nested.stale = false;
	mem_flush_if_stale(&vm->space);
	return rc;
}

static enum pv_error do_register(struct vm *vm, uint64_t gpa, uint64_t level, uint64_t *detail)
{
	struct pv_mmu *pv = vm->pv;
	unsigned perms = 0;
	uint64_t hpa;
	enum pv_error err;

	*detail = gpa;
	if (pv_level_of(&pv->t, gpa) && !(gpa & (PV_PAGE - 1)))
		return PV_E_REGISTERED;
	if ((gpa & (PV_PAGE - 1)) || gpa >= pv->t.ram_size || !guest_ptr(&vm->mem, gpa, PV_PAGE) ||
	    np_lookup(&vm->nested, gpa, &hpa, &perms, NULL) != 0 || perms != PLAIN_RAM_PERMS)
		return PV_E_PAGE;
	if ((err = pv_register(&pv->t, gpa, level > 4 ? 0 : (unsigned)level, detail)) != PV_OK)
		return err;
	if (set_table_perms(vm, gpa, true) != 0) {
		(void)pv_unregister(&pv->t, gpa, 0);
		*detail = gpa;
		return PV_E_PAGE;
	}
	pv->stats.registers++;
	if (pv->t.registered > pv->stats.peak_registered)
		pv->stats.peak_registered = pv->t.registered;
	return PV_OK;
}

static enum pv_error do_unregister(struct vm *vm, uint64_t gpa, uint64_t *detail)
{
	struct pv_mmu *pv = vm->pv;
	enum pv_error err = pv_unregister(&pv->t, gpa, pv->root ? pv->root : ~UINT64_C(0));

	*detail = gpa;
	if (err != PV_OK)
		return err;
	(void)set_table_perms(vm, gpa, false);   /* widening: never short of pages */
	pv->stats.unregisters++;
	return PV_OK;
}

static enum pv_error do_update(struct vm *vm, uint64_t list_gpa, uint64_t count,
			       uint64_t *applied, uint64_t *detail, uint64_t *bad_index)
{
	struct pv_mmu *pv = vm->pv;
	const struct pv_update *list;
	enum pv_error err;
	bool flush = false;

	*applied = 0;
	*bad_index = 0;
	pv->t.nxe = (shadow_guest_efer(vm) & EFER_NXE) != 0;
	if (count > PV_BATCH_MAX) {
		*detail = count;
		return PV_E_BATCH;
	}
	list = guest_ptr(&vm->mem, list_gpa, count * sizeof(struct pv_update));
	if (!list) {
		*detail = list_gpa;
		return PV_E_BATCH;
	}
	pv->stats.batches++;
	err = pv_apply_batch(&pv->t, list, count, applied, &flush, detail);
	pv->stats.updates += *applied;
	*bad_index = *applied;
	return err;
}

static enum pv_error do_load_cr3(struct vm *vm, uint64_t cr3, bool *keep)
{
	struct pv_mmu *pv = vm->pv;
	enum pv_error err = pv_check_root(&pv->t, cr3);

	if (err != PV_OK)
		return err;
	pv->root = cr3 & PTE_ADDR;
	pv->stats.cr3_loads++;
	*keep = shadow_cr3_load(vm, cr3);
	return PV_OK;
}

void pv_call(struct vm *vm, uint16_t port, uint64_t arg_gpa, struct hypercall_result *res)
{
	static const char *const names[] = { "register", "unregister", "update", "load-cr3", "query" };
	const char *name = names[port - SKIFF_CALL_PV_REGISTER];
	uint8_t *arg = guest_ptr(&vm->mem, arg_gpa, SKIFF_CALL_PV_ARG_SIZE);
	uint64_t a, b, done = 0, detail = 0, bad = 0;
	enum pv_error err = PV_OK;
	bool keep = true;
	char what[96];

	memset(res, 0, sizeof(*res));
	res->action = HC_DO_CONTINUE;
	if (!arg) {
		res->action = HC_DO_KILL;
		format(res->why, sizeof(res->why),
		       "skiff-pv-%s: argument struct at 0x%llx (%u bytes) is not inside guest memory",
		       name, (unsigned long long)arg_gpa, SKIFF_CALL_PV_ARG_SIZE);
		return;
	}
	a = get_u64(arg, ARG_A);
	b = get_u64(arg, ARG_B);
	if (!vm->pv)
		err = PV_E_MODE;
	else if (port == SKIFF_CALL_PV_REGISTER)
		err = do_register(vm, a, b, &detail);
	else if (port == SKIFF_CALL_PV_UNREGISTER)
		err = do_unregister(vm, a, &detail);
	else if (port == SKIFF_CALL_PV_UPDATE)
		err = do_update(vm, a, b, &done, &detail, &bad);
	else if (port == SKIFF_CALL_PV_LOAD_CR3)
		err = do_load_cr3(vm, a, &keep);
	else
		done = PV_BATCH_MAX;
	if (!keep) {
		res->action = HC_DO_KILL;
		format(res->why, sizeof(res->why), "skiff-pv-load-cr3: no memory for its shadow");
		return;
	}
	/* The struct again: an update may have filled pages meanwhile. */
	arg = guest_ptr(&vm->mem, arg_gpa, SKIFF_CALL_PV_ARG_SIZE);
	if (port == SKIFF_CALL_PV_UPDATE && err != PV_OK && err != PV_E_BATCH) {
		format(what, sizeof(what), "update (entry %llu of %llu; the %llu before it applied)",
		       (unsigned long long)bad, (unsigned long long)b, (unsigned long long)done);
		name = what;
	}
	answer(vm, arg, err, done, detail, name);
}

bool pv_mov_cr3_refused(struct vm *vm, uint64_t value)
{
	if (!vm->pv || !vm->pv->root)
		return false;
	vm_end(vm, 1, VM_END_KILLED,
	       "paging=pv: wrote CR3 = 0x%llx with MOV at rip 0x%llx (a PV guest loads CR3 "
	       "through call 0x593)", (unsigned long long)value,
	       (unsigned long long)hal->reg_read(&vm->vcpu, HAL_REG_RIP));
	return true;
}
