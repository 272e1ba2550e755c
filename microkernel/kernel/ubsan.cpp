// Undefined-behaviour sanitizer runtime for debug kernels.
//
// g++ -fsanitize=undefined instruments the kernel with calls to the
// __ubsan_handle_* functions below (the interface of GCC's and Clang's
// runtime, implemented here from scratch because the real runtime needs
// libc). Any undefined behaviour in the kernel is a bug, so every handler
// reports what happened and where, then panics.
#include "panic.h"

#include <cstdint>

namespace {

struct SourceLocation {
    const char* file;
    uint32_t line;
    uint32_t column;
};

struct TypeDescriptor {
    uint16_t kind;
    uint16_t info;
    char name[1];
};

struct TypeMismatchData {
    SourceLocation location;
    const TypeDescriptor* type;
    unsigned char log_alignment;
    unsigned char type_check_kind;
};

struct OverflowData {
    SourceLocation location;
    const TypeDescriptor* type;
};

struct ShiftData {
    SourceLocation location;
    const TypeDescriptor* lhs_type;
    const TypeDescriptor* rhs_type;
};

struct OutOfBoundsData {
    SourceLocation location;
    const TypeDescriptor* array_type;
    const TypeDescriptor* index_type;
};

struct LocationOnlyData {
    SourceLocation location;
};

[[noreturn]] void report(const char* what, const SourceLocation& where) {
    rayos::panic("UBSan: %s at %s:%u:%u", what, where.file ? where.file : "?", where.line,
                 where.column);
}

} // namespace

extern "C" {

void __ubsan_handle_type_mismatch_v1(TypeMismatchData* data, uintptr_t pointer) {
    if (pointer == 0) report("null pointer use", data->location);
    if (data->log_alignment && (pointer & ((uintptr_t(1) << data->log_alignment) - 1)))
        report("misaligned pointer use", data->location);
    report("object too small for its type", data->location);
}
void __ubsan_handle_add_overflow(OverflowData* data, uintptr_t, uintptr_t) {
    report("signed addition overflow", data->location);
}
void __ubsan_handle_sub_overflow(OverflowData* data, uintptr_t, uintptr_t) {
    report("signed subtraction overflow", data->location);
}
void __ubsan_handle_mul_overflow(OverflowData* data, uintptr_t, uintptr_t) {
    report("signed multiplication overflow", data->location);
}
void __ubsan_handle_negate_overflow(OverflowData* data, uintptr_t) {
    report("signed negation overflow", data->location);
}
void __ubsan_handle_divrem_overflow(OverflowData* data, uintptr_t, uintptr_t) {
    report("division overflow or by zero", data->location);
}
void __ubsan_handle_shift_out_of_bounds(ShiftData* data, uintptr_t, uintptr_t) {
    report("shift out of bounds", data->location);
}
void __ubsan_handle_out_of_bounds(OutOfBoundsData* data, uintptr_t) {
    report("array index out of bounds", data->location);
}
void __ubsan_handle_vla_bound_not_positive(OverflowData* data, uintptr_t) {
    report("variable-length array bound not positive", data->location);
}
void __ubsan_handle_load_invalid_value(OverflowData* data, uintptr_t) {
    report("load of invalid value (bool or enum)", data->location);
}
void __ubsan_handle_builtin_unreachable(LocationOnlyData* data) {
    report("unreachable code reached", data->location);
}
void __ubsan_handle_missing_return(LocationOnlyData* data) {
    report("missing return value", data->location);
}
void __ubsan_handle_nonnull_arg(LocationOnlyData* data) {
    report("null passed as a nonnull argument", data->location);
}
void __ubsan_handle_nonnull_return_v1(LocationOnlyData*, SourceLocation* location) {
    report("null returned from a returns_nonnull function", *location);
}
void __ubsan_handle_pointer_overflow(LocationOnlyData* data, uintptr_t, uintptr_t) {
    report("pointer arithmetic overflow", data->location);
}
void __ubsan_handle_invalid_builtin(LocationOnlyData* data) {
    report("invalid builtin argument", data->location);
}
void __ubsan_handle_alignment_assumption(LocationOnlyData* data, uintptr_t, uintptr_t, uintptr_t) {
    report("alignment assumption violated", data->location);
}

} // extern "C"
