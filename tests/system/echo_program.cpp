// A program started by init from the manifest: serves Echo (echo.capnp) on
// the endpoint in its slot 1 (rayos/program.h).
#include <rayos/idl/echo.rpc.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>

#include <new>

namespace {

using namespace rayos;
using namespace rayos::idl::echo;

class EchoService final : public EchoServer {
public:
    RpcError add(rpc::CallContext&, AddRequest::Reader p, AddResult::Builder r) override {
        if (p.a() == 0xDEAD) { // the supervision test's way to make it crash
            static volatile uintptr_t nowhere = 0x18;
            *reinterpret_cast<volatile uint64_t*>(nowhere) = 1;
        }
        r.set_sum(p.a() + p.b());
        return RpcError::Ok;
    }
    RpcError reverse(rpc::CallContext&, Payload::Reader p, Payload::Builder r) override {
        wire::Data in = p.bytes();
        uint8_t* out = r.init_bytes(in.size);
        if (!out) return RpcError::NoSpace;
        for (uint32_t i = 0; i < in.size; ++i)
            out[i] = in.ptr[in.size - 1 - i];
        return RpcError::Ok;
    }
    RpcError forward(rpc::CallContext&, ForwardRequest::Reader, AddResult::Builder) override {
        return RpcError::UnknownMethod; // this server does not call others
    }
    RpcError whoami(rpc::CallContext& call, SelfRequest::Reader, WhoResult::Builder r) override {
        r.set_badge(call.badge());
        return RpcError::Ok;
    }
    RpcError self(rpc::CallContext&, SelfRequest::Reader, SelfResult::Builder) override {
        return RpcError::UnknownMethod; // its endpoint in slot 1 can receive: not for clients
    }
};

} // namespace

int main(const char* args) {
    print("echo_program: serving (%s)\n", args);
    static EchoService echo;
    rpc::ServerConfig config{program::kSlotEndpoint, program::kSlotReply, program::kSlotCNode,
                             program::kFirstFreeSlot};
    alignas(rpc::Server) static uint8_t storage[sizeof(rpc::Server)];
    auto* server = new (storage) rpc::Server(config, echo);
    RpcError e = server->run();
    print("echo_program: stopped: %s\n", rpc_error_name(e));
    return 1;
}
