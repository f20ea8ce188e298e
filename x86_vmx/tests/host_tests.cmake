# Host unit tests of the Intel VMX backend's portable parts:
# capability and control decisions, exit decoding, MSR bitmap, VPIDs.
set(vmx_dir ${CMAKE_SOURCE_DIR}/x86_vmx)
skiff_host_test(vmx_caps_test ${vmx_dir}/tests/vmx_caps_test.c
                ${vmx_dir}/vmx_caps.c ${vmx_dir}/vmx_controls.c
                ${CMAKE_SOURCE_DIR}/lib/format.c)
target_include_directories(vmx_caps_test PRIVATE ${vmx_dir})
skiff_host_test(vmx_decode_test ${vmx_dir}/tests/vmx_decode_test.c
                ${vmx_dir}/vmx_decode.c ${vmx_dir}/vmx_names.c
                ${CMAKE_SOURCE_DIR}/lib/format.c)
target_include_directories(vmx_decode_test PRIVATE ${vmx_dir})
skiff_host_test(vmx_tables_test ${vmx_dir}/tests/vmx_tables_test.c
                ${vmx_dir}/vmx_msr_bitmap.c ${vmx_dir}/vmx_vpid.c
                ${CMAKE_SOURCE_DIR}/hal/tag_pool.c)
target_include_directories(vmx_tables_test PRIVATE ${vmx_dir})
