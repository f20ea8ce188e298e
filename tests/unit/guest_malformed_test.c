/*
 * guest_malformed_test.c - checks a malformed.list (written by
 * tests/guests/malformed/make_malformed.py) against the loader: the good
 * image it was made from must check and load, and every listed image must
 * be refused with a message containing its fragment, at the default guest
 * memory size that boot tests use.
 *
 * usage: guest_malformed_test [LIST GOOD.elf]; without arguments the
 * paths compiled in as MALFORMED_LIST and MALFORMED_GOOD.
 */
#include <stdint.h>
#include <stdlib.h>

#include "guest_test.h"
#include "hypervisor/loader/guest_cmdline.h"
#include "hypervisor/loader/guest_image.h"
#include "lib/errno.h"

#define MIN_IMAGES 8

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	data = malloc((size_t)size + 1);
	if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		data = NULL;
	}
	*len = (size_t)size;
out:
	if (f != NULL)
		fclose(f);
	if (data == NULL)
		fprintf(stderr, "cannot read %s\n", path);
	return data;
}

static void check_good(const char *path)
{
	static struct guest_image img;
	char err[256] = "";
	size_t len = 0;
	uint8_t *data = read_file(path, &len);
	uint8_t *mem = calloc(1, GUEST_DEFAULT_MEM);

	CHECK(data != NULL && mem != NULL);
	if (data != NULL && mem != NULL) {
		CHECK_EQ(guest_image_check(data, len, GUEST_DEFAULT_MEM, &img,
					   err, sizeof(err)), 0);
		if (err[0] != '\0')
			fprintf(stderr, "%s: %s\n", path, err);
		/* Images made for boot tests declare no devices. */
		if (img.device_count == 0)
			CHECK_EQ(guest_image_load(data, len, &img, mem,
						  GUEST_DEFAULT_MEM, "", 1000000,
						  NULL, 0, err, sizeof(err)), 0);
	}
	free(mem);
	free(data);
}

/* check_bad: dir/name must be refused with fragment in the message. */
static void check_bad(const char *dir, const char *name, const char *fragment)
{
	static struct guest_image img;
	char path[4096 + 1024 + 2], err[256] = "";
	size_t len = 0;
	uint8_t *data;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	data = read_file(path, &len);
	CHECK(data != NULL);
	if (data == NULL)
		return;
	CHECK_EQ(guest_image_check(data, len, GUEST_DEFAULT_MEM, &img, err,
				   sizeof(err)), -ENOEXEC);
	CHECK_MSG(err, fragment);
	printf("%s: %s\n", name, err);
	free(data);
}

/* check_list: every line "file<TAB>fragment" of the list. */
static void check_list(const char *list)
{
	char dir[4096], line[1024];
	unsigned images = 0;
	const char *slash = strrchr(list, '/');
	FILE *f = fopen(list, "r");

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - list) : 1,
		 slash ? list : ".");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (nl != NULL)
			*nl = '\0';
		CHECK(tab != NULL && tab[1] != '\0');
		if (tab == NULL)
			continue;
		*tab = '\0';
		check_bad(dir, line, tab + 1);
		images++;
	}
	fclose(f);
	CHECK(images >= MIN_IMAGES);
}

int main(int argc, char **argv)
{
	const char *list = argc > 2 ? argv[1] : MALFORMED_LIST;
	const char *good = argc > 2 ? argv[2] : MALFORMED_GOOD;

	check_good(good);
	check_list(list);
	return guest_test_result("guest_malformed_test");
}
