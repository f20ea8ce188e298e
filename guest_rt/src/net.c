/*
 * net.c - net devices: found in the manifest copy Skiff filled in (MAC,
 * MTU, attached), one frame per hypercall.
 */
#include "runtime.h"

#include "lib/kstring.h"

static const struct skiff_mft *manifest(void)
{
	return (const struct skiff_mft *)(uintptr_t)skiff_boot_info()->mft;
}

/* attached_net: handle's manifest entry if it is an attached net device. */
static const struct skiff_mft_entry *attached_net(uint64_t handle)
{
	const struct skiff_mft *m = manifest();
	const struct skiff_mft_entry *e;

	if (!skiff_boot_info()->mft || handle == 0 || handle >= m->entries ||
	    handle >= SKIFF_MFT_MAX_ENTRIES)
		return NULL;
	e = &m->e[handle];
	if (e->type != SKIFF_MFT_NET || !e->attached)
		return NULL;
	return e;
}

enum skiff_result skiff_net_find(const char *name, uint64_t *handle)
{
	const struct skiff_mft *m = manifest();

	if (!skiff_boot_info()->mft)
		return SKIFF_EINVAL;
	for (uint64_t h = 1; h < m->entries && h < SKIFF_MFT_MAX_ENTRIES; h++) {
		if (strncmp(m->e[h].name, name, SKIFF_MFT_NAME_SIZE) == 0 &&
		    attached_net(h)) {
			*handle = h;
			return SKIFF_OK;
		}
	}
	return SKIFF_EINVAL;
}

enum skiff_result skiff_net_info(uint64_t handle, struct skiff_net_info *info)
{
	const struct skiff_mft_entry *e = attached_net(handle);

	if (!e)
		return SKIFF_EINVAL;
	memcpy(info->mac, e->u.net.mac, 6);
	info->mtu = e->u.net.mtu;
	return SKIFF_OK;
}

enum skiff_result skiff_net_write(uint64_t handle, const void *frame, size_t len)
{
	struct skiff_hc_net call = {
		.handle = handle, .data = (uintptr_t)frame, .len = len, .ret = SKIFF_EUNSPEC,
	};

	skiff_hypercall(SKIFF_HC_NET_WRITE, &call);
	return (enum skiff_result)call.ret;
}

enum skiff_result skiff_net_read(uint64_t handle, void *buf, size_t cap, size_t *len)
{
	struct skiff_hc_net call = {
		.handle = handle, .data = (uintptr_t)buf, .len = cap, .ret = SKIFF_EUNSPEC,
	};

	skiff_hypercall(SKIFF_HC_NET_READ, &call);
	if (call.ret == SKIFF_OK)
		*len = call.len;
	return (enum skiff_result)call.ret;
}
