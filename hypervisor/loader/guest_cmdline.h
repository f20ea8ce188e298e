/*
 * guest_cmdline.h - the grammar of a guest module's command line.
 *
 *   NAME [mem=SIZE] [count=N] [clone=N] [cpu=K] [paging=nested|shadow|pv] [shadow_cache=K]
 *        [block.DEV=MODULE-PATH]...
 *        [net.DEV=NETWORK[,mac=XX:XX:XX:XX:XX:XX]]... [-- ARG...]
 *
 * NAME: 1..31 characters from [A-Za-z0-9_.-], starting with a letter or
 * digit. SIZE: bytes with an optional K/M/G suffix, rounded up to 2 MiB,
 * at least 2 MiB and at most 4 GiB (default 32M). count: instances of this
 * image (1..GUEST_MAX_COUNT, default 1), named NAME.1 ... NAME.N when N > 1.
 * clone: boot the image once, snapshot it at its first POLL or its
 * SNAPSHOT call, and start N copy-on-write clones NAME.1 ... NAME.N from
 * the snapshot (1..GUEST_MAX_COUNT; not with count= > 1; docs/clones.md).
 * cpu: the CPU (0..63, by Skiff's numbering) every instance runs on;
 * whether that CPU was started is checked when the guest is placed.
 * net.DEV attaches NET device DEV to the switch's network NETWORK (1..31
 * of [A-Za-z0-9_.-]), with a unicast MAC or, without mac=, one derived
 * from the guest's and device's names (net/switch.h). paging: how the
 * guest's memory is virtualized (default: nested where the CPU has NPT/EPT,
 * else shadow; pv: the paravirtual MMU, docs/pv-mmu.md); shadow_cache: how many
 * shadow roots shadow paging keeps (1..16, default 4). Words
 * are separated by single or repeated spaces; everything after the first
 * "--" word is the guest's own command line, passed on exactly (words
 * re-joined by single spaces). See docs/command-line.md.
 */
#ifndef SKIFF_GUEST_CMDLINE_H
#define SKIFF_GUEST_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_NAME_MAX 32           /* bytes, NUL included */
#define GUEST_MAX_BLOCKS 8
#define GUEST_MAX_NETS 8
#define GUEST_NETWORK_NAME_MAX 32   /* bytes, NUL included */
#define GUEST_DEFAULT_MEM (32u << 20)
#define GUEST_MAX_COUNT 16320u      /* HOST_WINDOW_COUNT: every guest Skiff can hold */
#define GUEST_MAX_CPU 63u            /* SMP_MAX_CPUS - 1 */

struct guest_block_arg {
	char device[68];       /* manifest name */
	char module[128];      /* path of the module that backs it */
};

struct guest_net_arg {
	char device[68];       /* manifest name */
	char network[GUEST_NETWORK_NAME_MAX];
	bool has_mac;
	uint8_t mac[6];        /* when has_mac */
};

enum guest_paging {
	GUEST_PAGING_DEFAULT,  /* not given: the CPU decides */
	GUEST_PAGING_NESTED,
	GUEST_PAGING_SHADOW,
	GUEST_PAGING_PV,
};

#define GUEST_SHADOW_CACHE_MAX 16u

struct guest_config {
	char name[GUEST_NAME_MAX];
	uint64_t mem_size;
	unsigned count;
	unsigned clone_count;    /* clone=N, 0 when not given */
	enum guest_paging paging;
	unsigned shadow_cache;   /* 0: the default */
	bool has_cpu;            /* cpu= given: pinned to cpu */
	unsigned cpu;
	unsigned block_count;
	struct guest_block_arg blocks[GUEST_MAX_BLOCKS];
	unsigned net_count;
	struct guest_net_arg nets[GUEST_MAX_NETS];
	char args[8192];         /* the guest's own command line */
};

/*
 * guest_cmdline_parse: parse a module command line (NUL-terminated, as
 * GRUB passes it, without the module's path). Returns 0 and fills *out,
 * or -EINVAL with a message naming the offending word in err.
 */
int guest_cmdline_parse(const char *cmdline, struct guest_config *out,
			char *err, size_t errlen);

#endif
