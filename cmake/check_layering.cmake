# Fails when generic code includes a vendor header (VMCB/VMCS or anything
# from x86_svm/ or x86_vmx/). Run by the build (target layering_check) and
# by CTest. Usage: cmake -DSOURCE_DIR=... -P check_layering.cmake
set(generic lib hal nested_paging hypervisor drivers net guest_rt)
set(bad "")
foreach(folder ${generic})
  file(GLOB_RECURSE files ${SOURCE_DIR}/${folder}/*.c ${SOURCE_DIR}/${folder}/*.h
       ${SOURCE_DIR}/${folder}/*.S)
  # A folder with nothing to check means a wrong SOURCE_DIR or a moved
  # folder: passing then would check nothing at all.
  if(NOT files)
    message(FATAL_ERROR "layering check: no sources under ${SOURCE_DIR}/${folder}")
  endif()
  foreach(f ${files})
    file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"][^>\"]*(vmcb|vmcs|x86_svm/|x86_vmx/)")
    if(lines)
      list(APPEND bad "${f}: ${lines}")
    endif()
  endforeach()
endforeach()
if(bad)
  string(REPLACE ";" "\n" bad "${bad}")
  message(FATAL_ERROR "generic code includes a vendor header:\n${bad}")
endif()
