/*
 * ports - port I/O that Skiff must deny. Arguments: PORT [read]
 *
 * PORT is a number (decimal or 0x-hex). The guest writes to it what would
 * do the most harm if it got through: 0xf4 (QEMU's debug-exit device) the
 * 32-bit value 0; 0x8900 (Bochs's shutdown port) the bytes "Shutdown";
 * 0xcf8 (PCI configuration address) a 32-bit enable-bit address; any
 * other port (0xe9, 0x3f8, 0x2f8, 0x20, 0x70, ...) the byte 'X'. With
 * "read" it reads a byte instead. Skiff must end the guest (status 1);
 * prints "ESCAPED" and exits 1 if the access returns.
 */
#include "skiff.h"

#include "lib/kstring.h"
#include "lib/parse.h"

#define QEMU_DEBUG_EXIT 0xf4u
#define BOCHS_SHUTDOWN 0x8900u
#define PCI_CONFIG_ADDRESS 0xcf8u

static void out8(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "d"(port) : "memory");
}

static void out32(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "d"(port) : "memory");
}

static uint8_t in8(uint16_t port)
{
	uint8_t value;

	__asm__ volatile("inb %1, %0" : "=a"(value) : "d"(port) : "memory");
	return value;
}

static void write_port(uint16_t port)
{
	static const char shutdown[] = "Shutdown";

	switch (port) {
	case QEMU_DEBUG_EXIT:
		out32(port, 0);
		break;
	case BOCHS_SHUTDOWN:
		for (size_t i = 0; i < sizeof(shutdown) - 1; i++)
			out8(port, (uint8_t)shutdown[i]);
		break;
	case PCI_CONFIG_ADDRESS:
		out32(port, 0x80000000u);
		break;
	default:
		out8(port, 'X');
		break;
	}
}

int main(int argc, char **argv)
{
	uint64_t port;
	bool read = argc > 2 && strcmp(argv[2], "read") == 0;

	if (argc < 2 || !parse_u64(argv[1], strlen(argv[1]), &port) ||
	    port > 0xffff) {
		skiff_puts("usage: ports PORT [read]\n");
		return SKIFF_EXIT_FAILURE;
	}
	skiff_printf("attempting %s port 0x%x\n", read ? "read from" : "write to",
		     (unsigned)port);
	if (read)
		skiff_printf("read 0x%x\n", in8((uint16_t)port));
	else
		write_port((uint16_t)port);
	skiff_printf("ESCAPED: port 0x%x access returned\n", (unsigned)port);
	return SKIFF_EXIT_FAILURE;
}
