# no_undefined.cmake - fail if the static image ELF has any undefined
# symbol. A static link already refuses strong undefined references, but a
# weak one links silently as address 0 and crashes only when called.
# Run as: cmake -DELF=image.elf -DNM=nm -P no_undefined.cmake
execute_process(COMMAND ${NM} -u ${ELF} OUTPUT_VARIABLE undefined
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -u ${ELF} failed")
endif()
if(NOT undefined STREQUAL "")
  message(FATAL_ERROR "${ELF} has undefined symbols:\n${undefined}")
endif()
message(STATUS "${ELF}: no undefined symbols")
