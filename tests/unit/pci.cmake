# PCI enumeration and BAR decoding against a model of configuration space.
skiff_host_test(pci_test
  ${CMAKE_SOURCE_DIR}/tests/unit/pci_test.c
  ${CMAKE_SOURCE_DIR}/drivers/pci/pci_scan.c)
