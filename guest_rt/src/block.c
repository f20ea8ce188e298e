/*
 * block.c - block devices: looked up in the manifest copy Skiff filled in,
 * moved one block per hypercall.
 */
#include "runtime.h"

#include "lib/kstring.h"

/* attached_block: handle's manifest entry if it is an attached block device, else NULL. */
static const struct skiff_mft_entry *attached_block(uint64_t handle)
{
	return skiff_mft_attached(handle, SKIFF_MFT_BLOCK);
}

enum skiff_result skiff_block_find(const char *name, uint64_t *handle)
{
	return skiff_mft_find(name, SKIFF_MFT_BLOCK, handle);
}

enum skiff_result skiff_block_info(uint64_t handle, struct skiff_block_info *info)
{
	const struct skiff_mft_entry *e = attached_block(handle);

	if (!e)
		return SKIFF_EINVAL;
	info->capacity = e->u.block.capacity;
	info->block_size = e->u.block.block_size;
	return SKIFF_OK;
}

/* block_call: one BLOCK_READ or BLOCK_WRITE; Skiff checks every field. */
static enum skiff_result block_call(enum skiff_hc_nr nr, uint64_t handle,
				    uint64_t offset, uintptr_t buf, size_t len)
{
	struct skiff_hc_block call = {
		.handle = handle,
		.offset = offset,
		.data = buf,
		.len = len,
		.ret = SKIFF_EUNSPEC,
	};

	skiff_hypercall(nr, &call);
	return (enum skiff_result)call.ret;
}

enum skiff_result skiff_block_read(uint64_t handle, uint64_t offset, void *buf,
				   size_t len)
{
	return block_call(SKIFF_HC_BLOCK_READ, handle, offset, (uintptr_t)buf, len);
}

enum skiff_result skiff_block_write(uint64_t handle, uint64_t offset,
				    const void *buf, size_t len)
{
	return block_call(SKIFF_HC_BLOCK_WRITE, handle, offset, (uintptr_t)buf,
			  len);
}
