/*
 * manifest.c - devices as the manifest copy Skiff filled in shows them
 * (sizes, MAC and MTU, 'attached'): the lookups block.c and net.c share.
 */
#include "runtime.h"

#include "lib/kstring.h"

/* manifest: the copy in guest memory, or NULL when the image has none. */
static const struct skiff_mft *manifest(void)
{
	return (const struct skiff_mft *)(uintptr_t)skiff_boot_info()->mft;
}

const struct skiff_mft_entry *skiff_mft_attached(uint64_t handle, uint32_t type)
{
	const struct skiff_mft *m = manifest();
	const struct skiff_mft_entry *e;

	if (!m || handle == 0 || handle >= m->entries || handle >= SKIFF_MFT_MAX_ENTRIES)
		return NULL;
	e = &m->e[handle];
	if (e->type != type || !e->attached)
		return NULL;
	return e;
}

enum skiff_result skiff_mft_find(const char *name, uint32_t type, uint64_t *handle)
{
	const struct skiff_mft *m = manifest();

	if (!m)
		return SKIFF_EINVAL;
	for (uint64_t h = 1; h < m->entries && h < SKIFF_MFT_MAX_ENTRIES; h++) {
		if (strncmp(m->e[h].name, name, SKIFF_MFT_NAME_SIZE) == 0 &&
		    skiff_mft_attached(h, type)) {
			*handle = h;
			return SKIFF_OK;
		}
	}
	return SKIFF_EINVAL;
}
