/*
 * gdb_stub.c - serving gdb for the one debugged guest (gdb_stub.h): the
 * packet loop on COM4 and the stops (entry, breakpoint, step, end).
 */
#include "hypervisor/debug/gdb_stub.h"

#include "hypervisor/console.h"
#include "hypervisor/debug/gdb_commands.h"
#include "hypervisor/debug/gdb_guest.h"
#include "hypervisor/debug/gdb_packet.h"
#include "hypervisor/debug/gdb_uart.h"
#include "hypervisor/options.h"
#include "hypervisor/vm/vm.h"
#include "lib/format.h"
#include "lib/kstring.h"

#define VECTOR_DB 1
#define VECTOR_BP 3
#define STOP_TRAP "S05"

struct vm *gdb_stub_debugged;      /* NULL: nobody is debugged */
static struct gdb_target target;
static struct gdb_session session;
static struct gdb_rx rx;
static bool stepping;
static uint64_t step_from;         /* RIP where the step started */
static char reply[GDB_REPLY_MAX + 1];
static char frame[GDB_REPLY_MAX + 8];
static size_t frame_len;           /* the last reply sent, for a '-' */
static unsigned long bad_packets;

static void send_reply(const char *body)
{
	frame_len = gdb_frame(body, strlen(body), frame, sizeof frame);
	gdb_uart_write(frame, frame_len);
}

/* answer: act on one received event; returns the resume action, or GDB_STAY. */
static enum gdb_action answer(enum gdb_rx_event event)
{
	enum gdb_action action;

	switch (event) {
	case GDB_RX_PACKET:
		gdb_uart_write("+", 1);
		action = gdb_command(&session, &target, rx.body, rx.len, reply);
		if (action == GDB_STAY || reply[0])
			send_reply(reply);
		return action;
	case GDB_RX_BAD_SUM:
		bad_packets++;
		gdb_uart_write("-", 1);
		return GDB_STAY;
	case GDB_RX_TOO_LONG:
		bad_packets++;
		gdb_uart_write("+", 1);
		send_reply("E01");
		return GDB_STAY;
	case GDB_RX_NAK:
		gdb_uart_write(frame, frame_len);
		return GDB_STAY;
	default:
		return GDB_STAY;   /* acks, and Ctrl-C while already stopped */
	}
}

static void stop_debugging(const char *why)
{
	struct vm *vm = gdb_stub_debugged;

	gdb_stub_debugged = NULL;
	stepping = false;
	if (vm->vcpu_ready) {
		hal->single_step(&vm->vcpu, false);
		hal->debug_traps(&vm->vcpu, false);
	}
	log_printf("gdb: guest %s %s (%lu malformed packets refused)", vm->name, why,
		   bad_packets);
}

/* serve: the guest is stopped; answer gdb until it resumes the guest. */
static void serve(struct vm *vm)
{
	enum gdb_action action = GDB_STAY;

	while (action == GDB_STAY)
		action = answer(gdb_rx_byte(&rx, gdb_uart_read()));
	if (action == GDB_DETACH) {
		stop_debugging("detached: it runs on undebugged");
		return;
	}
	stepping = action == GDB_STEP;
	step_from = hal->reg_read(&vm->vcpu, HAL_REG_RIP);
	hal->single_step(&vm->vcpu, stepping);
}

/* stopped: report a stop to gdb (which waits for it), then serve. */
static void stopped(struct vm *vm)
{
	stepping = false;
	hal->single_step(&vm->vcpu, false);
	send_reply(STOP_TRAP);
	serve(vm);
}

static struct vm *find_guest(struct vm **vms, unsigned count, const char *name)
{
	for (unsigned i = 0; i < count; i++)
		if (strcmp(vms[i]->name, name) == 0)
			return vms[i];
	return NULL;
}

void gdb_stub_start(struct vm **vms, unsigned count)
{
	const char *name = skiff_options.gdb_guest;
	struct vm *vm;

	if (!name[0])
		return;
	vm = find_guest(vms, count, name);
	if (!vm || vm->state == VM_ENDED || !vm->vcpu_ready) {
		log_printf("gdb=%s: no running guest has that name: nothing to debug", name);
		return;
	}
	if (!gdb_uart_init()) {
		log_printf("gdb=%s: the machine has no COM4 for the debugger: not debugging", name);
		return;
	}
	gdb_stub_debugged = vm;
	target = gdb_guest_target(vm);
	hal->debug_traps(&vm->vcpu, true);
	log_printf("gdb: guest %s stopped at its entry 0x%llx: waiting for gdb on COM4",
		   vm->name, (unsigned long long)hal->reg_read(&vm->vcpu, HAL_REG_RIP));
	serve(vm);   /* gdb asks why it stopped ('?') itself */
}

bool gdb_stub_exception(struct vm *vm, const struct hal_exit *exit)
{
	uint8_t vector = exit->exception.vector;

	if (vector != VECTOR_BP && vector != VECTOR_DB)
		return false;
	/* Our own INT3 stops with RIP on it, where gdb put the breakpoint;
	 * the guest's own INT3 is reported after it, as a CPU would. */
	if (vector == VECTOR_BP && !gdb_breakpoint_at(&session, exit->rip))
		hal->reg_write(&vm->vcpu, HAL_REG_RIP, exit->rip + 1);
	else if (vector == VECTOR_BP)
		hal->reg_write(&vm->vcpu, HAL_REG_RIP, exit->rip);
	stopped(vm);
	return true;
}

static void ended(struct vm *vm)
{
	char status[4];

	format(status, sizeof status, "W%02x", vm->status);
	send_reply(status);
	stop_debugging("ended");
}

/*
 * running_byte: gdb sent something while the guest runs. Ctrl-C stops
 * it; a detach (gdb or skiff-run's relay giving up) takes the
 * breakpoints out at once; anything else waits for no answer.
 */
static void running_byte(struct vm *vm, enum gdb_rx_event event)
{
	if (event == GDB_RX_INTERRUPT) {
		stopped(vm);
	} else if (event == GDB_RX_PACKET && (rx.body[0] == 'D' || rx.body[0] == 'k')) {
		(void)answer(event);
		stop_debugging("detached while running: it runs on undebugged");
	}
}

void gdb_stub_after_exit(struct vm *vm)
{
	if (vm->state == VM_ENDED) {
		ended(vm);
		return;
	}
	if (stepping && hal->reg_read(&vm->vcpu, HAL_REG_RIP) != step_from) {
		stopped(vm);
		return;
	}
	while (gdb_stub_debugged && gdb_uart_ready())
		running_byte(vm, gdb_rx_byte(&rx, gdb_uart_read()));
}
