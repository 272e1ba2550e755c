// Every generated types header of idl/, and one list of all their structs in
// a fixed order. The fuzz target's first input byte indexes this order and
// make_corpus writes its seeds with it, so both must use this list (append
// new schema files at the end to keep the committed seeds meaningful).
// make_corpus checks the list against the compiled schemas.
#pragma once

#include <rayos/idl/common.h>
#include <rayos/idl/console.h>
#include <rayos/idl/init.h>
#include <rayos/idl/lb.h>
#include <rayos/idl/manifest.h>
#include <rayos/idl/monitor.h>
#include <rayos/idl/pager.h>
#include <rayos/idl/predictor.h>
#include <rayos/idl/profiler.h>
#include <rayos/idl/txn.h>
#include <rayos/idl/inject.h>

// X(type) for every struct (not groups) of every schema file.
#define RAYOS_IDL_ALL_STRUCTS(X)                                                                   \
    RAYOS_IDL_STRUCTS_common(X) RAYOS_IDL_STRUCTS_console(X) RAYOS_IDL_STRUCTS_init(X)             \
        RAYOS_IDL_STRUCTS_lb(X) RAYOS_IDL_STRUCTS_manifest(X) RAYOS_IDL_STRUCTS_monitor(X)         \
            RAYOS_IDL_STRUCTS_pager(X) RAYOS_IDL_STRUCTS_predictor(X)                              \
                RAYOS_IDL_STRUCTS_profiler(X) RAYOS_IDL_STRUCTS_txn(X) RAYOS_IDL_STRUCTS_inject(X)
