/*
 * algorithms.c - qsort and bsearch; setjmp and longjmp.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define COUNT 1000

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int check_sorting(void)
{
	static int values[COUNT];
	long long sum_before = 0, sum_after = 0;
	int sorted = 1, found = 1, absent = 1;
	const char *words[] = { "pear", "apple", "fig", "kiwi", "banana" };

	group_begin("sorting");
	/* Even numbers only, so every odd number is known to be absent. */
	for (int i = 0; i < COUNT; i++) {
		values[i] = (int)(rng_next() % 100000) * 2 - 100000;
		sum_before += values[i];
	}
	qsort(values, COUNT, sizeof(values[0]), compare_ints);
	for (int i = 0; i < COUNT; i++) {
		sum_after += values[i];
		if (i > 0 && values[i - 1] > values[i])
			sorted = 0;
	}
	expect(sorted, "qsort orders 1000 random ints");
	expect(sum_before == sum_after, "qsort keeps the same elements");
	for (int i = 0; i < COUNT; i++) {
		int odd = values[i] + 1;

		found &= bsearch(&values[i], values, COUNT, sizeof(int), compare_ints) != NULL;
		absent &= bsearch(&odd, values, COUNT, sizeof(int), compare_ints) == NULL;
	}
	expect(found, "bsearch finds every element");
	expect(absent, "bsearch finds no absent element");
	qsort(words, 5, sizeof(words[0]), compare_strings);
	expect(strcmp(words[0], "apple") == 0 && strcmp(words[4], "pear") == 0,
	       "qsort orders strings");
	return group_end();
}

static jmp_buf env;

/* dive: recurse depth levels, then jump back out past every frame. */
static int dive(int depth, int value)
{
	volatile char frame[64];

	frame[0] = (char)depth;
	if (depth < 0)  /* never: a plain return keeps gcc from calling this endless */
		return value;
	if (depth == 0)
		longjmp(env, value);
	return dive(depth - 1, value) + frame[0];
}

int check_jumps(void)
{
	volatile int rounds = 0, passes = 0;
	int got;

	group_begin("setjmp");
	got = setjmp(env);
	if (got == 0) {
		rounds++;
		dive(100, 42);
	}
	expect(got == 42, "longjmp from 100 frames deep returns its value");
	expect(rounds == 1, "a volatile local keeps its value across longjmp");
	/* passes stops a longjmp that wrongly returns 0 from looping forever. */
	got = setjmp(env);
	passes++;
	if (got == 0 && passes == 1)
		longjmp(env, 0);
	expect(got == 1, "longjmp(env, 0) makes setjmp return 1 (C11 7.13.2.1)");
	return group_end();
}
