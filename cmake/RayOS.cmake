# Compiler and linker flags for RayOS's three kinds of code, in one place.

set(RAYOS_WARNINGS -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)

set(RAYOS_FREESTANDING_FLAGS
    -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics
    -fno-use-cxa-atexit -fno-asynchronous-unwind-tables -fno-unwind-tables
    -fno-omit-frame-pointer -fno-pic -fno-pie -fno-plt -fno-stack-clash-protection
    -fcf-protection=none)

# Kernel: higher half (-mcmodel=kernel), no red zone (interrupts push on the
# current stack), no SSE/x87 (user FPU state is only saved on thread switch,
# so the kernel must never touch it).
set(RAYOS_KERNEL_FLAGS ${RAYOS_FREESTANDING_FLAGS} -mcmodel=kernel -mno-red-zone
    -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 -mno-80387)
# Debug kernels check undefined behaviour (own handlers, microkernel/kernel/
# ubsan.cpp) and use the stack protector with a global canary
# (the kernel has no %fs thread block).
set(RAYOS_KERNEL_DEBUG_FLAGS -fsanitize=undefined -fno-sanitize=vptr
    -fstack-protector-strong -mstack-protector-guard=global)

# Userspace: ordinary x86-64 System V code (SSE, red zone, stack protector
# reading the canary at %fs:0x28), linked static without libc.
set(RAYOS_USER_FLAGS ${RAYOS_FREESTANDING_FLAGS} -fstack-protector-strong)

set(RAYOS_FREESTANDING_LINK_FLAGS -nostdlib -static -no-pie -Wl,--build-id=none
    -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-dynamic-linker)

# Host unit tests: sanitizers catch what doctest assertions do not.
set(RAYOS_HOST_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all)

# rayos_kernel_target(<target>): apply kernel compile flags.
function(rayos_kernel_flags target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${RAYOS_KERNEL_FLAGS} ${RAYOS_WARNINGS}>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CONFIG:Debug>>:${RAYOS_KERNEL_DEBUG_FLAGS}>)
  target_compile_definitions(${target} PRIVATE RAYOS_KERNEL=1
    $<$<CONFIG:Debug>:RAYOS_DEBUG=1>)
endfunction()

# rayos_encode_manifests(<target> <file.manifest.txt>...): encodes system
# manifests written in capnp text form (idl/manifest.capnp, struct
# Manifest) with `capnp encode` into <file>.manifest.bin in the current
# binary directory; <target> builds them all.
function(rayos_encode_manifests target)
  set(outputs)
  foreach(text ${ARGN})
    get_filename_component(name ${text} NAME)
    string(REGEX REPLACE "\\.txt$" ".bin" name ${name})
    set(binary ${CMAKE_CURRENT_BINARY_DIR}/${name})
    add_custom_command(OUTPUT ${binary}
      COMMAND ${CAPNP} encode -I${PROJECT_SOURCE_DIR}/idl ${PROJECT_SOURCE_DIR}/idl/manifest.capnp
              Manifest < ${text} > ${binary}
      DEPENDS ${text} ${PROJECT_SOURCE_DIR}/idl/manifest.capnp
      COMMENT "Encoding ${name}")
    list(APPEND outputs ${binary})
  endforeach()
  add_custom_target(${target} ALL DEPENDS ${outputs})
endfunction()

function(rayos_user_flags target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${RAYOS_USER_FLAGS} ${RAYOS_WARNINGS}>)
  target_compile_definitions(${target} PRIVATE RAYOS_USER=1
    $<$<CONFIG:Debug>:RAYOS_DEBUG=1>)
endfunction()

# rayos_user_program(<name> SOURCES ...): a static freestanding user ELF
# linked with the runtime in ipc/.
function(rayos_user_program name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  rayos_user_flags(${name})
  target_link_libraries(${name} PRIVATE rayos_runtime)
  target_link_options(${name} PRIVATE ${RAYOS_FREESTANDING_LINK_FLAGS}
    -Wl,-T,${PROJECT_SOURCE_DIR}/ipc/src/user.ld -Wl,-u,_start)
  set_target_properties(${name} PROPERTIES SUFFIX ".elf"
    LINK_DEPENDS ${PROJECT_SOURCE_DIR}/ipc/src/user.ld)
endfunction()
