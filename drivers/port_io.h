/*
 * port_io.h - x86 port I/O for device drivers: single transfers of 8, 16
 * and 32 bits and the string forms that move a block of 16-bit words (the
 * ATA data port). Prefixed io_ so that they never clash with the few
 * wrappers of hypervisor/cpu.h.
 */
#ifndef SKIFF_DRIVERS_PORT_IO_H
#define SKIFF_DRIVERS_PORT_IO_H

#include <stddef.h>
#include <stdint.h>

static inline uint8_t io_in8(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t io_in16(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t io_in32(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void io_out8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void io_out16(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void io_out32(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* io_in16_string: read count words from port into buf (REP INSW). */
static inline void io_in16_string(uint16_t port, void *buf, size_t count)
{
	__asm__ volatile("rep insw" : "+D"(buf), "+c"(count) : "d"(port) : "memory");
}

/* io_out16_string: write count words from buf to port (REP OUTSW). */
static inline void io_out16_string(uint16_t port, const void *buf, size_t count)
{
	__asm__ volatile("rep outsw" : "+S"(buf), "+c"(count) : "d"(port) : "memory");
}

#endif
