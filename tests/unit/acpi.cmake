# Host unit tests of the ACPI table parser (hypervisor/acpi/).
skiff_host_test(acpi_test ${CMAKE_SOURCE_DIR}/tests/unit/acpi_test.c
                ${CMAKE_SOURCE_DIR}/tests/unit/acpi_builder.c
                ${CMAKE_SOURCE_DIR}/hypervisor/acpi/acpi_tables.c
                ${CMAKE_SOURCE_DIR}/hypervisor/acpi/acpi_fadt.c
                ${CMAKE_SOURCE_DIR}/hypervisor/acpi/acpi_madt.c
                ${CMAKE_SOURCE_DIR}/hypervisor/acpi/acpi_s5.c
                ${CMAKE_SOURCE_DIR}/lib/format.c)
