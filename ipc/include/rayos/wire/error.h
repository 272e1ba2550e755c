// What can go wrong when a Cap'n Proto message is decoded, encoded or sent
// through an IDL call. One enum for the whole IDL layer: decoders, builders,
// client stubs and the server loop all report these, and an error reply
// carries one of them as its label.
#pragma once

#include <result.h>

#include <cstdint>

namespace rayos {

#define RAYOS_RPC_ERROR_LIST(X)                                                                    \
    X(Ok, 0, "success")                                                                            \
    /* Decoding: the message is malformed or hostile. */                                           \
    X(OutOfBounds, 1, "a pointer leads outside the message")                                       \
    X(BadPointer, 2, "a pointer is malformed")                                                     \
    X(WrongType, 3, "a pointer does not point at what the schema says")                            \
    X(TooDeep, 4, "nesting exceeds the depth limit")                                               \
    X(TraversalLimit, 5, "the message amplifies beyond the traversal limit")                       \
    X(TextNotTerminated, 6, "a Text is not NUL-terminated")                                        \
    X(BadFraming, 7, "the segment table is malformed")                                             \
    X(MissingCapability, 8, "a capability the message refers to was not transferred")              \
    /* Encoding. */                                                                                \
    X(NoSpace, 9, "the message does not fit its buffer (use a shared buffer)")                     \
    X(TooManyCapabilities, 10, "more capabilities than one message carries")                       \
    /* Calls. */                                                                                   \
    X(UnknownMethod, 11, "the server does not implement this method")                              \
    X(IpcFailed, 12, "the IPC failed: no such endpoint, missing rights, or the server went away")  \
    X(ServerFailed, 13, "the server could not perform the call")                                   \
    X(BadReply, 14, "the reply does not match the call")                                           \
    X(NoSharedBuffer, 15, "a shared-buffer call arrived without a usable frame")                   \
    X(CapabilitiesNotAllowed, 16, "this message cannot carry capabilities")                        \
    X(NoIpcBuffer, 17, "the calling thread has no IPC buffer (rpc::attach_ipc_buffer)")             \
    X(NotPermitted, 18, "the caller's manifest entry does not grant this interface")              \
    X(Busy, 19, "the server has too many calls waiting; try again later")

enum class RpcError : uint8_t {
#define RAYOS_RPC_ERROR_ENUM(name, value, text) name = value,
    RAYOS_RPC_ERROR_LIST(RAYOS_RPC_ERROR_ENUM)
#undef RAYOS_RPC_ERROR_ENUM
};
constexpr uint8_t kRpcErrorCount = 20;

constexpr const char* rpc_error_name(RpcError e) {
    switch (e) {
#define RAYOS_RPC_ERROR_NAME(name, value, text)                                                    \
    case RpcError::name:                                                                           \
        return #name;
        RAYOS_RPC_ERROR_LIST(RAYOS_RPC_ERROR_NAME)
#undef RAYOS_RPC_ERROR_NAME
    }
    return "UnknownRpcError";
}

constexpr const char* rpc_error_text(RpcError e) {
    switch (e) {
#define RAYOS_RPC_ERROR_TEXT(name, value, text)                                                    \
    case RpcError::name:                                                                           \
        return text;
        RAYOS_RPC_ERROR_LIST(RAYOS_RPC_ERROR_TEXT)
#undef RAYOS_RPC_ERROR_TEXT
    }
    return "unknown error";
}

template <typename T> using RpcResult = Result<T, RpcError>;
using RpcFailure = Error<RpcError>;

} // namespace rayos
