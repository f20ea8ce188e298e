/*
 * program.c - an ordinary C program, built outside the Skiff tree.
 *
 * The outside test (run.cmake) copies this file to a temporary folder and
 * builds it there with `skiff-cc -O2 program.c -o program.elf -lm`, as a
 * user of an installed toolchain would, then boots it and compares its
 * output (expected.txt) and exit status: 3, which success by accident
 * (0) or a crash (1, 255) cannot imitate. Nothing here knows about Skiff.
 */
/* First, as C11 code may: skiff-cc must find gcc's header, not newlib's. */
#include <stdatomic.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* compare_ints: qsort's comparison for ints, ascending. */
static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int numbers[] = { 42, -7, 19, 0, 3 };
	size_t count = sizeof(numbers) / sizeof(numbers[0]);
	char words[] = "alpha,beta,gamma";
	char *copy, *word;
	const char *who = getenv("WHO");
	struct timespec t0, t1;
	time_t now = time(NULL);
	volatile double two = 2.0, sixth = M_PI / 6;
	atomic_int started = 0;

	atomic_fetch_add(&started, 1);
	printf("hello, %s\n", atomic_load(&started) == 1 && who ? who : "nobody");
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);

	qsort(numbers, count, sizeof(numbers[0]), compare_ints);
	printf("sorted:");
	for (size_t i = 0; i < count; i++)
		printf(" %d", numbers[i]);
	printf("\n");

	for (word = strtok(words, ","); word; word = strtok(NULL, ","))
		printf("word %zu: %s\n", strlen(word), word);

	copy = malloc(64);
	if (!copy)
		return 1;
	snprintf(copy, 64, "%s-%05.1f-%x", "fmt", 3.14159, 255u);
	printf("%s\n", copy);
	free(copy);

	printf("sqrt(2) = %.6f\n", sqrt(two));
	printf("sin(pi/6) = %.6f\n", sin(sixth));
	printf("pow(2, 10) = %.0f, floor(-1.5) = %.1f\n", pow(two, 10), floor(-1.5));

	/* The wall clock is after 2017; CLOCK_MONOTONIC does not go back. */
	printf("time after 2017: %s\n", now > 1483228800 ? "yes" : "no");
	if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0 ||
	    clock_gettime(CLOCK_MONOTONIC, &t1) != 0)
		return 1;
	printf("monotonic: %s\n", (t1.tv_sec > t0.tv_sec ||
				   (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec))
				  ? "ok" : "went back");
	printf("done\n");
	return 3;
}
