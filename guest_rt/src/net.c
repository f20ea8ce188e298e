/*
 * net.c - net devices: found in the manifest copy Skiff filled in (MAC,
 * MTU, attached), one frame per hypercall.
 */
#include "runtime.h"

#include "lib/kstring.h"

/* attached_net: handle's manifest entry if it is an attached net device, else NULL. */
static const struct skiff_mft_entry *attached_net(uint64_t handle)
{
	return skiff_mft_attached(handle, SKIFF_MFT_NET);
}

enum skiff_result skiff_net_find(const char *name, uint64_t *handle)
{
	return skiff_mft_find(name, SKIFF_MFT_NET, handle);
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
