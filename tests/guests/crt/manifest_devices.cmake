# manifest_devices.cmake - the manifest note of crt_devices declares three
# entries: the reserved one, block "storage" (handle 1), net "service" (2).
# Run as: cmake -DELF=crt_devices.elf -P manifest_devices.cmake
# The note is found in the file's bytes by its type and owner
# (0x3154464d "MFT1", "Solo5\0\0\0"); its descriptor follows.
file(READ ${ELF} hex HEX)
string(FIND "${hex}" "4d465431536f6c6f35000000" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${ELF}: no manifest note")
endif()
# Descriptor: 4 bytes padding, version, entries (12 bytes), then 104-byte entries
# (name[68], type u32, ...). Offsets in hex digits are twice the bytes.
math(EXPR body "${at} + 24")
math(EXPR entries_at "${body} + 16")
string(SUBSTRING "${hex}" ${entries_at} 8 entries)
if(NOT entries STREQUAL "03000000")
  message(FATAL_ERROR "${ELF}: manifest has entries ${entries}, expected 03000000")
endif()
foreach(check "1;73746f7261676500;01000000" "2;7365727669636500;02000000")
  list(GET check 0 index)
  list(GET check 1 name)
  list(GET check 2 type)
  math(EXPR name_at "${body} + (12 + 104 * ${index}) * 2")
  math(EXPR type_at "${name_at} + 68 * 2")
  string(SUBSTRING "${hex}" ${name_at} 16 got_name)
  string(SUBSTRING "${hex}" ${type_at} 8 got_type)
  if(NOT got_name STREQUAL name OR NOT got_type STREQUAL type)
    message(FATAL_ERROR "${ELF}: entry ${index} is ${got_name}/${got_type}, expected ${name}/${type}")
  endif()
endforeach()
message(STATUS "${ELF}: manifest declares block storage (1), net service (2)")
