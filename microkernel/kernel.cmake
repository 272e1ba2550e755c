# The kernel image, linked twice: the first link has an empty symbol table;
# its text symbols are turned into the .ksyms section of the second link
# (the table sits after .text, so text addresses are the same in both).
# A final check verifies the multiboot load layout.

file(GLOB RAYOS_KERNEL_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/*.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/*.S
  ${CMAKE_CURRENT_SOURCE_DIR}/kernel/*.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/mm/*.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/object/*.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/cap/*.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/syscall/*.cpp)

# Pure kernel logic that host unit tests compile directly.
set(RAYOS_KERNEL_HOST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/mm/frame_allocator.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/mm/paging.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/cap/derivation.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/cap/cspace.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/object/untyped.cpp
  PARENT_SCOPE)

set(RAYOS_KERNEL_LDSCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/kernel.ld)

add_library(rayos_kernel_objects OBJECT ${RAYOS_KERNEL_SOURCES})
rayos_kernel_flags(rayos_kernel_objects)
target_include_directories(rayos_kernel_objects PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
  ${CMAKE_CURRENT_SOURCE_DIR}/lib)
target_link_libraries(rayos_kernel_objects PRIVATE rayos_abi)
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/boot.S
  ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/entry.S PROPERTIES
  INCLUDE_DIRECTORIES ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64)

set(KSYMS_EMPTY ${CMAKE_CURRENT_BINARY_DIR}/ksyms_empty.S)
set(KSYMS_FULL ${CMAKE_CURRENT_BINARY_DIR}/ksyms.S)
set(GEN_KSYMS ${CMAKE_CURRENT_SOURCE_DIR}/tools/gen_ksyms.py)
add_custom_command(OUTPUT ${KSYMS_EMPTY}
  COMMAND ${Python3_EXECUTABLE} ${GEN_KSYMS} --empty --out ${KSYMS_EMPTY}
  DEPENDS ${GEN_KSYMS})

function(rayos_kernel_link target ksyms)
  add_executable(${target} ${ksyms} $<TARGET_OBJECTS:rayos_kernel_objects>
    $<TARGET_OBJECTS:rayos_lib_kernel>)
  target_link_options(${target} PRIVATE ${RAYOS_FREESTANDING_LINK_FLAGS} -Wl,-T,${RAYOS_KERNEL_LDSCRIPT}
    -Wl,--no-warn-rwx-segments)
  set_target_properties(${target} PROPERTIES SUFFIX ".elf" LINK_DEPENDS ${RAYOS_KERNEL_LDSCRIPT})
endfunction()

rayos_kernel_link(rayos_kernel_stage1 ${KSYMS_EMPTY})
add_custom_command(OUTPUT ${KSYMS_FULL}
  COMMAND ${Python3_EXECUTABLE} ${GEN_KSYMS} --nm ${CMAKE_NM} --elf $<TARGET_FILE:rayos_kernel_stage1>
    --out ${KSYMS_FULL}
  DEPENDS rayos_kernel_stage1 ${GEN_KSYMS})
rayos_kernel_link(kernel ${KSYMS_FULL})
add_custom_command(TARGET kernel POST_BUILD
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_image.py
    --nm ${CMAKE_NM} --readelf ${CMAKE_READELF} --stage1 $<TARGET_FILE:rayos_kernel_stage1>
    $<TARGET_FILE:kernel>
  VERBATIM)
