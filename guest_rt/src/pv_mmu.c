/*
 * pv_mmu.c - the paravirtual MMU's calls (pv_mmu.h).
 */
#include "pv_mmu.h"

#include "runtime.h"

void pv_mmu_call(uint16_t port, struct skiff_hc_pv *arg)
{
	skiff_hypercall_raw(port, (uint32_t)(uintptr_t)arg);
}

static int call(uint16_t port, uint64_t a, uint64_t b, struct skiff_hc_pv *out)
{
	*out = (struct skiff_hc_pv){ .a = a, .b = b };
	pv_mmu_call(port, out);
	return out->error ? -(int)out->error : 0;
}

int pv_mmu_active(void)
{
	struct skiff_hc_pv c;

	return call(SKIFF_CALL_PV_QUERY_PORT, 0, 0, &c) == 0;
}

int pv_mmu_register(uint64_t page, unsigned level)
{
	struct skiff_hc_pv c;

	return call(SKIFF_CALL_PV_REGISTER_PORT, page, level, &c);
}

int pv_mmu_unregister(uint64_t page)
{
	struct skiff_hc_pv c;

	return call(SKIFF_CALL_PV_UNREGISTER_PORT, page, 0, &c);
}

int pv_mmu_update(const struct pv_mmu_update *list, size_t count, size_t *applied,
		  uint64_t *detail)
{
	struct skiff_hc_pv c;
	int rc = call(SKIFF_CALL_PV_UPDATE_PORT, (uint64_t)(uintptr_t)list, count, &c);

	if (applied)
		*applied = (size_t)c.done;
	if (detail)
		*detail = c.detail;
	return rc;
}

int pv_mmu_set(uint64_t entry, uint64_t value)
{
	struct pv_mmu_update u = { entry, value };

	return pv_mmu_update(&u, 1, NULL, NULL);
}

int pv_mmu_load_cr3(uint64_t cr3)
{
	struct skiff_hc_pv c;

	return call(SKIFF_CALL_PV_LOAD_CR3_PORT, cr3, 0, &c);
}
