/*
 * skiff_abi.h - the binary contract between a guest and Skiff, as the guest
 * sees it: boot information, hypercall numbers and argument structs, the
 * manifest and the ELF notes. Wire-compatible with Solo5 hvt ABI 2; see
 * ../shared/docs/GUEST_ABI.md. Every layout ends in compile-time checks of
 * the offsets the ABI fixes, so a layout slip is a build error.
 *
 * Appliances normally use skiff.h; this header is for the runtime itself
 * and for tests that deliberately misuse the interface.
 */
#ifndef SKIFF_ABI_H
#define SKIFF_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest-physical layout fixed by the ABI. */
#define SKIFF_BOOT_INFO_GPA 0x10000u
#define SKIFF_GUEST_PML4_GPA 0x2000u
#define SKIFF_IMAGE_BASE 0x100000u
#define SKIFF_CMDLINE_MAX 8192u

/* The boot information the hypervisor leaves at SKIFF_BOOT_INFO_GPA. */
struct skiff_boot_info {
	uint64_t mem_size;        /* bytes of guest RAM, from gpa 0 */
	uint64_t kernel_end;      /* end of the loaded image, page-rounded */
	uint64_t cpu_cycle_freq;  /* TSC ticks per second */
	uint64_t cmdline;         /* gpa of a NUL-terminated string */
	uint64_t mft;             /* gpa of the manifest copy */
	uint32_t host_features;
	uint32_t guest_features;
	uint64_t net_ring;        /* 0 when not offered */
};

/* Hypercalls: a 4-byte OUT to SKIFF_HC_PORT(nr), EAX = gpa of the struct. */
#define SKIFF_HC_PORT_BASE 0x500u
#define SKIFF_HC_PORT(nr) ((uint16_t)(SKIFF_HC_PORT_BASE + (nr)))

enum skiff_hc_nr {
	SKIFF_HC_WALLTIME = 1,
	SKIFF_HC_PUTS = 2,
	SKIFF_HC_POLL = 3,
	SKIFF_HC_BLOCK_WRITE = 4,
	SKIFF_HC_BLOCK_READ = 5,
	SKIFF_HC_NET_WRITE = 6,
	SKIFF_HC_NET_READ = 7,
	SKIFF_HC_HALT = 8,
};

/*
 * Skiff's own calls live at ports 0x580..0x59f, a range no Solo5 guest
 * uses. 0x580 does nothing and returns: benchmarks time the round trip.
 */
#define SKIFF_CALL_PORT_FIRST 0x580u
#define SKIFF_CALL_PORT_LAST 0x59fu
#define SKIFF_CALL_NOP_PORT 0x580u
#define SKIFF_CALL_FREE_REPORT_PORT 0x581u
#define SKIFF_CALL_SNAPSHOT_PORT 0x582u

/* Result codes written into a call's ret field (Solo5's solo5_result_t). */
enum skiff_result {
	SKIFF_OK = 0,
	SKIFF_AGAIN = 1,
	SKIFF_EINVAL = 2,
	SKIFF_EUNSPEC = 3,
};

struct skiff_hc_walltime {
	uint64_t nsecs;           /* out */
};

struct skiff_hc_puts {
	uint64_t data;            /* gpa of the bytes */
	uint64_t len;
};

struct skiff_hc_poll {
	uint64_t timeout_nsecs;   /* in, relative */
	uint64_t ready_set;       /* out: handles with input ready */
	int32_t ret;              /* out */
};

struct skiff_hc_block {
	uint64_t handle;
	uint64_t offset;          /* bytes, block-aligned */
	uint64_t data;            /* gpa of one block */
	uint64_t len;             /* one block; in/out for BLOCK_READ */
	int32_t ret;              /* out: enum skiff_result */
};

struct skiff_hc_net {
	uint64_t handle;
	uint64_t data;            /* gpa of the frame */
	uint64_t len;             /* frame bytes; NET_READ: buffer size in, frame size out */
	int32_t ret;              /* out: enum skiff_result */
};

struct skiff_hc_halt {
	uint64_t cookie;          /* gpa of trap registers, or 0 */
	int32_t exit_status;
};

/*
 * Free-page reporting (port 0x581, docs/guest-abi.md "Free-page
 * reporting"): the guest names guest-physical ranges it does not need.
 * Skiff takes their frames back; every reported page reads as zero
 * afterwards (its contents are lost) and gets a fresh zeroed frame on its
 * next touch. A list Skiff refuses changes nothing: ret is SKIFF_EINVAL,
 * error says why and bad_index which entry (when one is to blame).
 */
#define SKIFF_FREE_REPORT_MAX_RANGES 64u
#define SKIFF_FREE_REPORT_MAX_PAGES 4096u   /* 4 KiB pages per call: 16 MiB */
#define SKIFF_FREE_REPORT_PAGE 4096u

struct skiff_free_range {
	uint64_t gpa;             /* 4 KiB-aligned, at or above kernel_end */
	uint64_t len;             /* bytes, a non-zero 4 KiB multiple */
};

enum skiff_free_error {
	SKIFF_FREE_OK = 0,
	SKIFF_FREE_E_COUNT = 1,      /* count is 0 or above SKIFF_FREE_REPORT_MAX_RANGES */
	SKIFF_FREE_E_LIST = 2,       /* the list itself is not inside guest RAM */
	SKIFF_FREE_E_UNALIGNED = 3,  /* gpa or len not a 4 KiB multiple, or len 0 */
	SKIFF_FREE_E_WRAPS = 4,      /* gpa + len passes 2^64 */
	SKIFF_FREE_E_OUTSIDE = 5,    /* ends beyond guest RAM */
	SKIFF_FREE_E_LOADER = 6,     /* starts below kernel_end: image, boot data, page tables */
	SKIFF_FREE_E_OVERLAP = 7,    /* overlaps the entry before it */
	SKIFF_FREE_E_ORDER = 8,      /* lies below the entry before it (ascending order) */
	SKIFF_FREE_E_TOO_BIG = 9,    /* the list adds up to more than the pages per call */
};

struct skiff_hc_free_report {
	uint64_t ranges;          /* in: gpa of count struct skiff_free_range */
	uint64_t count;           /* in */
	uint64_t freed;           /* out: 4 KiB frames Skiff took back */
	int32_t ret;              /* out: SKIFF_OK or SKIFF_EINVAL */
	uint32_t error;           /* out: enum skiff_free_error */
	uint64_t bad_index;       /* out: the entry refused, when error names one */
};

/* SNAPSHOT (docs/clones.md): RAX returns the clone's number, 0 when refused. */
struct skiff_hc_snapshot {
	uint64_t flags;           /* in: must be 0 */
	int32_t ret;              /* out: SKIFF_OK in every clone, SKIFF_EINVAL refused */
	uint32_t reserved;
};

/* The manifest (MFT1): entry 0 is reserved, devices follow. */
#define SKIFF_MFT_VERSION 1u
#define SKIFF_MFT_MAX_ENTRIES 64u
#define SKIFF_MFT_NAME_SIZE 68u   /* bytes, NUL included */

enum skiff_mft_type {
	SKIFF_MFT_BLOCK = 1,
	SKIFF_MFT_NET = 2,
	SKIFF_MFT_RESERVED_FIRST = 1u << 30,
};

struct skiff_mft_entry {
	char name[SKIFF_MFT_NAME_SIZE];
	uint32_t type;
	union {
		struct {
			uint64_t capacity;    /* bytes */
			uint16_t block_size;  /* bytes */
		} block;
		struct {
			uint8_t mac[6];
			uint16_t mtu;
		} net;
	} u;
	uint64_t private_data;        /* the hypervisor's; guests ignore it */
	bool attached;
};

struct skiff_mft {
	uint32_t version;
	uint32_t entries;
	struct skiff_mft_entry e[];
};

/* ELF notes: owner "Solo5", name padded to 8 bytes. */
#define SKIFF_NOTE_OWNER "Solo5"
#define SKIFF_NOTE_ABI_TYPE 0x31494241u        /* "ABI1" */
#define SKIFF_NOTE_MANIFEST_TYPE 0x3154464du   /* "MFT1" */
#define SKIFF_ABI_TARGET_HVT 1u
#define SKIFF_ABI_VERSION 2u

struct skiff_note_header {
	uint32_t namesz;
	uint32_t descsz;
	uint32_t type;
	char name[8];
};

_Static_assert(sizeof(struct skiff_boot_info) == 56, "boot info is 56 bytes");
_Static_assert(offsetof(struct skiff_boot_info, cmdline) == 24, "cmdline @24");
_Static_assert(offsetof(struct skiff_boot_info, host_features) == 40,
	       "host_features @40");
_Static_assert(offsetof(struct skiff_boot_info, net_ring) == 48, "net_ring @48");
_Static_assert(offsetof(struct skiff_hc_poll, ret) == 16, "poll ret @16");
_Static_assert(offsetof(struct skiff_hc_block, ret) == 32, "block ret @32");
_Static_assert(offsetof(struct skiff_hc_net, ret) == 24, "net ret @24");
_Static_assert(offsetof(struct skiff_hc_halt, exit_status) == 8, "status @8");
_Static_assert(sizeof(struct skiff_free_range) == 16, "free range is 16 bytes");
_Static_assert(offsetof(struct skiff_hc_free_report, ret) == 24, "free report ret @24");
_Static_assert(sizeof(struct skiff_hc_free_report) == 40, "free report is 40 bytes");
_Static_assert(offsetof(struct skiff_hc_snapshot, ret) == 8, "snapshot ret @8");
_Static_assert(sizeof(struct skiff_mft_entry) == 104, "manifest entry is 104 bytes");
_Static_assert(offsetof(struct skiff_mft_entry, type) == 68, "type @68");
_Static_assert(offsetof(struct skiff_mft_entry, u) == 72, "union @72");
_Static_assert(offsetof(struct skiff_mft_entry, private_data) == 88, "private @88");
_Static_assert(offsetof(struct skiff_mft_entry, attached) == 96, "attached @96");
_Static_assert(offsetof(struct skiff_mft, e) == 8, "entries follow 8 bytes");
_Static_assert(sizeof(struct skiff_note_header) == 20, "note header is 20 bytes");

/*
 * skiff_hypercall_raw: the bare hypercall instruction: a 4-byte OUT of eax
 * to port. Needs nothing; does no checking at all, so tests can hand Skiff
 * hostile arguments. Returns when Skiff resumes the guest (it may not).
 */
static inline void skiff_hypercall_raw(uint16_t port, uint32_t eax)
{
	/* OUT with the port in DX: hypercall ports are above 0xff. */
	__asm__ volatile("outl %0, %1" : : "a"(eax), "d"(port) : "memory");
}

/*
 * skiff_hypercall: call nr with its argument struct arg (any struct of this
 * header, in guest RAM below 4 GiB: guests are identity-mapped, so the
 * pointer is the guest-physical address). Results land in *arg.
 */
static inline void skiff_hypercall(enum skiff_hc_nr nr, void *arg)
{
	skiff_hypercall_raw(SKIFF_HC_PORT(nr), (uint32_t)(uintptr_t)arg);
}

#endif
