# Hypercall argument checks and the CPUID policy, on the host.
skiff_host_test(hypercall
  ${CMAKE_SOURCE_DIR}/tests/unit/test_hypercall.c
  ${CMAKE_SOURCE_DIR}/hypervisor/vm/hypercall.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/free_report.c
  ${CMAKE_SOURCE_DIR}/hypervisor/vm/cpuid_policy.c
  ${CMAKE_SOURCE_DIR}/net/switch.c
  ${CMAKE_SOURCE_DIR}/lib/format.c)
