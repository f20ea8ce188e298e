# Build rules shared by every part of Skiff.
#
# Three kinds of code are compiled here, each with its own flags:
#  - freestanding hypervisor code (skiff_hypervisor_part),
#  - guest code (see guest_rt/CMakeLists.txt),
#  - host unit tests with sanitizers (skiff_host_test).

# Layering: generic code sees only the generic folders. A VMCB or VMCS header
# lives in its backend folder, which is not on generic code's include path,
# so including one from generic code is a build error. The check in
# cmake/check_layering.cmake also catches relative-path includes.
set(SKIFF_GENERIC_FOLDERS lib hal nested_paging hypervisor drivers net)
set(SKIFF_GENERIC_INCLUDE ${CMAKE_BINARY_DIR}/generic_include)
file(MAKE_DIRECTORY ${SKIFF_GENERIC_INCLUDE})
foreach(folder ${SKIFF_GENERIC_FOLDERS})
  if(NOT EXISTS ${SKIFF_GENERIC_INCLUDE}/${folder})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${folder}
         ${SKIFF_GENERIC_INCLUDE}/${folder} SYMBOLIC)
  endif()
endforeach()

set(SKIFF_WARNINGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wno-unused-parameter)

# Flags for everything that runs inside the hypervisor: no SSE (it would
# clobber guests' XMM registers), no red zone (exceptions push onto the
# stack), no PIE, no libc.
set(SKIFF_FREESTANDING_FLAGS -std=c11 -ffreestanding -fno-pic -fno-pie
    -mno-red-zone -mgeneral-regs-only -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -O2 -g
    ${SKIFF_WARNINGS})

# skiff_hypervisor_part(NAME GENERIC|BACKEND SOURCES...)
# An object library that becomes part of the hypervisor image. GENERIC parts
# may include only generic folders; BACKEND parts also see ept/, npt/ and
# their own folder.
function(skiff_hypervisor_part name kind)
  add_library(${name} OBJECT ${ARGN})
  target_compile_options(${name} PRIVATE ${SKIFF_FREESTANDING_FLAGS})
  if(kind STREQUAL "GENERIC")
    target_include_directories(${name} PRIVATE ${SKIFF_GENERIC_INCLUDE})
  elseif(kind STREQUAL "BACKEND")
    target_include_directories(${name} PRIVATE ${SKIFF_GENERIC_INCLUDE}
      ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  else()
    message(FATAL_ERROR "skiff_hypervisor_part: kind must be GENERIC or BACKEND")
  endif()
  set_property(GLOBAL APPEND PROPERTY SKIFF_HYPERVISOR_PARTS ${name})
endfunction()

# skiff_host_test(NAME SOURCES...)
# A host program built with AddressSanitizer and UBSan, run by CTest. Host
# tests compile hypervisor sources that are written to be portable (parsers,
# validators, the nested-paging engine) with SKIFF_HOSTED defined.
function(skiff_host_test name)
  add_executable(${name} ${ARGN})
  target_compile_options(${name} PRIVATE -std=c11 -g -O1 -DSKIFF_HOSTED -D_DEFAULT_SOURCE
    -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer ${SKIFF_WARNINGS})
  target_link_options(${name} PRIVATE -fsanitize=address,undefined)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}
    ${CMAKE_SOURCE_DIR}/tests/unit)
  add_test(NAME unit.${name} COMMAND ${name})
  set_tests_properties(unit.${name} PROPERTIES TIMEOUT 120 LABELS unit)
endfunction()
