// The sample Echo service (tests/system/echo.capnp), shared by the Echo
// server threads of the IDL tests (echo_server.cpp) and the echo program
// init starts from a manifest (echo_program.cpp).
#pragma once

#include <rayos/idl/echo.rpc.h>

#include <cstdint>

namespace rayos::test {

class EchoService final : public idl::echo::EchoServer {
public:
    // `offset` is added to every sum (so callers can tell servers apart);
    // `self_endpoint` is what `self` returns (0: self is refused).
    explicit EchoService(uint64_t offset = 0, uint64_t self_endpoint = 0)
        : offset_(offset), self_endpoint_(self_endpoint) {}

    RpcError add(rpc::CallContext&, idl::echo::AddRequest::Reader params,
                 idl::echo::AddResult::Builder result) override {
        if (params.a() == 0xDEAD) { // how supervision tests make it crash
            static volatile uintptr_t nowhere = 0x18;
            *reinterpret_cast<volatile uint64_t*>(nowhere) = 1;
        }
        result.set_sum(params.a() + params.b() + offset_);
        return RpcError::Ok;
    }

    RpcError reverse(rpc::CallContext&, idl::echo::Payload::Reader params,
                     idl::echo::Payload::Builder result) override {
        wire::Data in = params.bytes();
        uint8_t* out = result.init_bytes(in.size);
        if (!out) return RpcError::NoSpace;
        for (uint32_t i = 0; i < in.size; ++i)
            out[i] = in.ptr[in.size - 1 - i];
        return RpcError::Ok;
    }

    RpcError forward(rpc::CallContext&, idl::echo::ForwardRequest::Reader params,
                     idl::echo::AddResult::Builder result) override {
        if (!params.target().valid()) return RpcError::MissingCapability;
        // The granted capability, used while the call lasts.
        idl::echo::EchoClient target(params.target());
        auto call = target.add();
        call.params().set_a(params.a());
        call.params().set_b(params.b());
        auto answer = call.send();
        if (!answer) return answer.error();
        result.set_sum(answer->sum());
        return RpcError::Ok;
    }

    RpcError whoami(rpc::CallContext& call, idl::echo::SelfRequest::Reader,
                    idl::echo::WhoResult::Builder result) override {
        result.set_badge(call.badge());
        return RpcError::Ok;
    }

    RpcError self(rpc::CallContext&, idl::echo::SelfRequest::Reader,
                  idl::echo::SelfResult::Builder result) override {
        if (!self_endpoint_) return RpcError::UnknownMethod;
        result.set_echo(self_endpoint_);
        return RpcError::Ok;
    }

private:
    uint64_t offset_;
    uint64_t self_endpoint_;
};

} // namespace rayos::test
