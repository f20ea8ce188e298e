/*
 * guest_tables.S - guest_tables_switch(gdtr, idtr): loading a GDT needs a
 * far return to reload CS, which C cannot express.
 */
	.text
	.globl guest_tables_switch
guest_tables_switch:
	lgdt (%rdi)                     /* the new GDT (Skiff's selectors) */
	lidt (%rsi)                     /* the new IDT */
	movw $0x10, %ax                 /* data selector */
	movw %ax, %ds                   /* reload DS from the new GDT */
	movw %ax, %es                   /* ES */
	movw %ax, %ss                   /* SS */
	popq %rax                       /* our return address */
	pushq $0x08                     /* code selector for the far return */
	pushq %rax                      /* and where to go */
	lretq                           /* reload CS from the new GDT and return */
