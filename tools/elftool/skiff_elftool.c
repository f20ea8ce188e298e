/*
 * skiff_elftool.c - what Skiff will see in a guest image, on the host.
 *
 *   skiff-elftool [--mem SIZE] IMAGE
 *
 * Runs the hypervisor's own image checks (hypervisor/loader, compiled for
 * the host: one piece of code, so a refusal here reads exactly as Skiff's
 * "refused:" line would) and prints the ABI, the entry point, the segments
 * with the permissions Skiff maps them with, the manifest's devices and the
 * memory the image needs. SIZE is skiff-run's --mem: MiB when bare digits,
 * else Skiff's mem= syntax (K, M or G suffix).
 *
 * Exit status: 0 when Skiff would accept the image, 1 when it would refuse
 * it (the reason on standard error), 2 for bad usage or an unreadable file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hypervisor/loader/guest_cmdline.h"
#include "hypervisor/loader/guest_image.h"
#include "nested_paging/nested_paging.h"

#define MIB (1024u * 1024u)
#define MEM_WORD_MAX 64

static const char *prog = "skiff-elftool";

/* read_file: the whole file into a malloc'd buffer; NULL (errno set) on failure. */
static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	FILE *f;
	void *data = NULL;
	long size;

	if (stat(path, &st) != 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc(size > 0 ? (size_t)size : 1);
		if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
			free(data);
			data = NULL;
			errno = EIO;
		}
		*len = (size_t)size;
	}
	fclose(f);
	return data;
}

/*
 * mem_size_of: the guest RAM for skiff-run's --mem text, through Skiff's own
 * module-line parser (so limits and rounding are Skiff's). Returns 0 and
 * sets *size, or -1 after printing Skiff's message.
 */
static int mem_size_of(const char *text, uint64_t *size)
{
	static struct guest_config cfg;
	char line[MEM_WORD_MAX + 16], err[256];
	size_t n = strlen(text);
	bool digits = n > 0 && strspn(text, "0123456789") == n;

	if (n > MEM_WORD_MAX) {
		fprintf(stderr, "%s: --mem %s: too long\n", prog, text);
		return -1;
	}
	snprintf(line, sizeof line, "image mem=%s%s", text, digits ? "M" : "");
	if (guest_cmdline_parse(line, &cfg, err, sizeof err) != 0) {
		fprintf(stderr, "%s: --mem %s: %s\n", prog, text, err);
		return -1;
	}
	*size = cfg.mem_size;
	return 0;
}

static const char *perms_text(unsigned perms)
{
	static char text[4];

	text[0] = (perms & NP_READ) ? 'r' : '-';
	text[1] = (perms & NP_WRITE) ? 'w' : '-';
	text[2] = (perms & NP_EXEC) ? 'x' : '-';
	return text;
}

static const char *device_type(uint32_t type)
{
	return type == GUEST_DEV_BLOCK ? "block" : type == GUEST_DEV_NET ? "net" : "?";
}

/* print_image: the report for an image that passed the checks. */
static void print_image(const char *path, const struct guest_image *img, uint64_t mem_size)
{
	uint64_t need = img->kernel_end + (256u * 1024u);

	printf("image: %s\n", path);
	printf("abi: Solo5 hvt, version 2\n");
	printf("entry: 0x%llx\n", (unsigned long long)img->entry);
	printf("segments:\n");
	for (unsigned i = 0; i < img->segment_count; i++) {
		const struct guest_segment *s = &img->segments[i];

		printf("  0x%08llx-0x%08llx %s  (program header %u: %llu bytes from the file, %llu in memory)\n",
		       (unsigned long long)s->start, (unsigned long long)s->end,
		       perms_text(s->perms), s->phdr_index, (unsigned long long)s->file_size,
		       (unsigned long long)s->load_size);
	}
	printf("devices:%s\n", img->device_count ? "" : " none");
	for (unsigned i = 0; i < img->device_count; i++)
		printf("  %s %s  (skiff-run --block %s=FILE)\n", device_type(img->devices[i].type),
		       img->devices[i].name, img->devices[i].name);
	printf("memory: the image ends at 0x%llx (%llu KiB); checked against %llu MiB of guest RAM\n",
	       (unsigned long long)img->kernel_end,
	       (unsigned long long)((img->kernel_end + 1023) / 1024),
	       (unsigned long long)(mem_size / MIB));
	printf("memory: at least %llu MiB with room for the 256 KiB stack and its guard page\n",
	       (unsigned long long)((need + 2 * MIB - 1) / (2 * MIB) * 2));
}

static int usage(void)
{
	fprintf(stderr, "usage: %s [--mem SIZE] IMAGE\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	static struct guest_image img;
	uint64_t mem_size = GUEST_DEFAULT_MEM;
	const char *path = NULL;
	char err[256];
	size_t len = 0;
	void *elf;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: %s [--mem SIZE] IMAGE\n"
			       "Print what Skiff will see in IMAGE (ABI, segments, devices, memory),\n"
			       "or refuse it with Skiff's own message (exit status 1).\n", prog);
			return 0;
		}
		if (strcmp(argv[i], "--mem") == 0 && i + 1 < argc) {
			if (mem_size_of(argv[++i], &mem_size) != 0)
				return 2;
		} else if (argv[i][0] == '-' || path) {
			return usage();
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return usage();
	elf = read_file(path, &len);
	if (!elf) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 2;
	}
	if (guest_image_check(elf, len, mem_size, &img, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s: refused: %s\n", prog, path, err);
		free(elf);
		return 1;
	}
	print_image(path, &img, mem_size);
	free(elf);
	return 0;
}
