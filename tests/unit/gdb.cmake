# The GDB stub's portable parts: packet framing, commands against a fake
# target, the guest page walk.
skiff_host_test(gdb_stub_test
  ${CMAKE_SOURCE_DIR}/tests/unit/gdb_stub_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/debug/gdb_packet.c
  ${CMAKE_SOURCE_DIR}/hypervisor/debug/gdb_commands.c
  ${CMAKE_SOURCE_DIR}/hypervisor/debug/gdb_regs.c
  ${CMAKE_SOURCE_DIR}/hypervisor/debug/gdb_walk.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/guest_walk.c)
