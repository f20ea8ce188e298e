/*
 * zpool.c - the compressed page pool (zpool.h), over LZ4's block format.
 *
 * LZ4 (third_party/lz4) is compiled unmodified in its freestanding mode;
 * this file is the glue. Compression uses a state of our own (static:
 * LZ4's default keeps 16 KiB on the stack, more than Skiff's stacks spare)
 * reset cheaply between pages. One CPU runs the pool today, so the
 * static state and scratch buffer need no lock.
 */
#include "hypervisor/evict/zpool.h"

#include <stdbool.h>

#define LZ4_STATIC_LINKING_ONLY  /* LZ4_compress_fast_extState_fastReset */
#include "lz4/lz4.h"

#include "lib/errno.h"
#include "lib/kstring.h"

#define MAX_STORED (ZPOOL_MAX_CHUNKS * ZPOOL_CHUNK_SIZE)
#define ZPOOL_LOOK_FRAMES 64u
#define FULL_MASK ((uint16_t)0xffffu)

static LZ4_stream_t lz4_state;
static bool lz4_ready;
static char scratch[MAX_STORED];

/* A handle: frame index above, first chunk in the low 4 bits. */
static uint32_t make_handle(uint32_t index, unsigned chunk)
{
	return index << 4 | chunk;
}

static uint8_t *chunk_at(const struct zpool *z, uint32_t index, unsigned chunk)
{
	uint64_t hpa = z->frame_hpa[index];
	uint8_t *frame = z->frames.to_virt ? z->frames.to_virt(z->frames.ctx, hpa)
					   : (uint8_t *)(uintptr_t)hpa;

	return frame + chunk * ZPOOL_CHUNK_SIZE;
}

static uint16_t run_mask(unsigned first, unsigned count)
{
	return (uint16_t)(((1u << count) - 1) << first);
}

int zpool_init(struct zpool *z, const struct zpool_frames *frames, uint64_t *frame_hpa,
	       uint16_t *chunks_used, uint32_t max_frames)
{
	if (!z || !frames || !frames->get || !frames->put || !frame_hpa || !chunks_used ||
	    max_frames == 0 || max_frames > ZPOOL_FRAMES_MAX)
		return -EINVAL;
	*z = (struct zpool){ .frames = *frames, .frame_hpa = frame_hpa,
			     .chunks_used = chunks_used, .max_frames = max_frames };
	memset(frame_hpa, 0, max_frames * sizeof(*frame_hpa));
	memset(chunks_used, 0, max_frames * sizeof(*chunks_used));
	return 0;
}

/* free_run: the first chunk of count free chunks in a row of mask, or -1. */
static int free_run(uint16_t mask, unsigned count)
{
	for (unsigned first = 0; first + count <= ZPOOL_CHUNKS_PER_FRAME; first++)
		if ((mask & run_mask(first, count)) == 0)
			return (int)first;
	return -1;
}

/*
 * find_room: a frame index and chunk with count free chunks: first among
 * the frames held (from the cursor, so stores spread instead of rescanning
 * full frames), then in a new frame. false when neither.
 */
static bool find_room(struct zpool *z, unsigned count, uint32_t *index, unsigned *chunk)
{
	uint32_t unused = z->max_frames, looked = 0;

	for (uint32_t n = 0; n < z->max_frames; n++) {
		uint32_t i = (z->cursor + n) % z->max_frames;
		int first;

		if (z->frame_hpa[i] == 0) {
			if (unused == z->max_frames)
				unused = i;
			continue;
		}
		/* Bounded: past ZPOOL_LOOK_FRAMES held frames a new one is cheaper. */
		if (++looked > ZPOOL_LOOK_FRAMES && unused != z->max_frames)
			break;
		if (z->chunks_used[i] == FULL_MASK || (first = free_run(z->chunks_used[i], count)) < 0)
			continue;
		*index = z->cursor = i;
		*chunk = (unsigned)first;
		return true;
	}
	if (unused == z->max_frames || (z->frame_hpa[unused] = z->frames.get(z->frames.ctx)) == 0)
		return false;
	z->frame_count++;
	if (z->frame_count > z->peak_frames)
		z->peak_frames = z->frame_count;
	*index = z->cursor = unused;
	*chunk = 0;
	return true;
}

int zpool_store(struct zpool *z, const void *page, uint32_t *handle)
{
	uint32_t index;
	unsigned chunk, count;
	int len;

	if (!lz4_ready) {
		LZ4_initStream(&lz4_state, sizeof(lz4_state));
		lz4_ready = true;
	}
	len = LZ4_compress_fast_extState_fastReset(&lz4_state, page, scratch, ZPOOL_PAGE_SIZE,
						   MAX_STORED - ZPOOL_LENGTH_BYTES, 1);
	if (len <= 0) {
		z->refused++;
		return -E2BIG;
	}
	count = (len + ZPOOL_LENGTH_BYTES + ZPOOL_CHUNK_SIZE - 1) / ZPOOL_CHUNK_SIZE;
	if (!find_room(z, count, &index, &chunk))
		return -ENOSPC;
	uint8_t *dst = chunk_at(z, index, chunk);

	dst[0] = (uint8_t)len;
	dst[1] = (uint8_t)(len >> 8);
	memcpy(dst + ZPOOL_LENGTH_BYTES, scratch, (size_t)len);
	z->chunks_used[index] |= run_mask(chunk, count);
	z->pages++;
	z->bytes += (uint64_t)len + ZPOOL_LENGTH_BYTES;
	z->stored++;
	*handle = make_handle(index, chunk);
	return 0;
}

/*
 * stored_at: the compressed length and chunk count of handle's page, or
 * false when the handle names no stored page (its first chunk free, or a
 * length that does not fit the chunks in use behind it).
 */
static bool stored_at(const struct zpool *z, uint32_t handle, unsigned *len, unsigned *count)
{
	uint32_t index = handle >> 4;
	unsigned chunk = handle & 15u;
	const uint8_t *src;

	if (index >= z->max_frames || z->frame_hpa[index] == 0 ||
	    !(z->chunks_used[index] & run_mask(chunk, 1)))
		return false;
	src = chunk_at(z, index, chunk);
	*len = src[0] | (unsigned)src[1] << 8;
	*count = (*len + ZPOOL_LENGTH_BYTES + ZPOOL_CHUNK_SIZE - 1) / ZPOOL_CHUNK_SIZE;
	if (*len == 0 || *count > ZPOOL_MAX_CHUNKS || chunk + *count > ZPOOL_CHUNKS_PER_FRAME)
		return false;
	uint16_t run = run_mask(chunk, *count);

	return (z->chunks_used[index] & run) == run;
}

/* release: free handle's chunks (scrubbed); an empty frame goes back. */
static void release(struct zpool *z, uint32_t handle, unsigned len, unsigned count)
{
	uint32_t index = handle >> 4;
	unsigned chunk = handle & 15u;

	memset(chunk_at(z, index, chunk), 0, count * ZPOOL_CHUNK_SIZE);
	z->chunks_used[index] &= (uint16_t)~run_mask(chunk, count);
	z->pages--;
	z->bytes -= len + ZPOOL_LENGTH_BYTES;
	if (z->chunks_used[index] == 0) {
		/* Chunks never used hold whatever the frame held before. */
		memset(chunk_at(z, index, 0), 0, ZPOOL_PAGE_SIZE);
		z->frames.put(z->frames.ctx, z->frame_hpa[index]);
		z->frame_hpa[index] = 0;
		z->frame_count--;
	}
}

int zpool_load(struct zpool *z, uint32_t handle, void *page)
{
	unsigned len, count;

	if (!stored_at(z, handle, &len, &count))
		return -EINVAL;
	const char *src = (const char *)chunk_at(z, handle >> 4, handle & 15u) + ZPOOL_LENGTH_BYTES;

	if (LZ4_decompress_safe(src, page, (int)len, ZPOOL_PAGE_SIZE) != (int)ZPOOL_PAGE_SIZE)
		return -EINVAL;
	release(z, handle, len, count);
	z->loaded++;
	return 0;
}

int zpool_free(struct zpool *z, uint32_t handle)
{
	unsigned len, count;

	if (!stored_at(z, handle, &len, &count))
		return -EINVAL;
	release(z, handle, len, count);
	return 0;
}
