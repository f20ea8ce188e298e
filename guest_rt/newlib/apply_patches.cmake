# Applies every guest_rt/newlib/patches/*.patch, in name order, to a freshly
# unpacked newlib tree. Run by the ExternalProject patch step as
#   cmake -DSOURCE_DIR=... -DPATCH_DIR=... -P apply_patches.cmake
# The imported source is never edited by hand: each change to it is a file
# here, so the tarball plus this folder always reproduce the tree we build.
# Fails (and so stops the build) if a patch does not apply cleanly.
if(NOT SOURCE_DIR OR NOT PATCH_DIR)
  message(FATAL_ERROR "apply_patches.cmake: SOURCE_DIR and PATCH_DIR are required")
endif()
file(GLOB patches "${PATCH_DIR}/*.patch")
list(SORT patches)
foreach(p IN LISTS patches)
  message(STATUS "newlib: applying ${p}")
  execute_process(COMMAND patch -p1 --forward --batch -i "${p}"
                  WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "newlib: patch ${p} does not apply")
  endif()
endforeach()
