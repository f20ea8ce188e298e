# Host unit tests of the SMP choices and start order (hypervisor/smp/).
skiff_host_test(smp_test ${CMAKE_SOURCE_DIR}/tests/unit/smp_test.c
                ${CMAKE_SOURCE_DIR}/hypervisor/smp/smp_plan.c
                ${CMAKE_SOURCE_DIR}/hypervisor/smp/smp_bringup.c
                ${CMAKE_SOURCE_DIR}/lib/format.c)
