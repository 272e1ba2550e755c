// The sample Echo server (see echo_server.h).
#include "echo_server.h"

#include "echo_service.h"

#include "caps.h"
#include "tcb_thread.h"

#include <rayos/invoke.h>
#include <rayos/runtime.h>

#include <new>

namespace rayos::test {
namespace {

// Each server thread's state; filled in before the address space is copied.
struct ServerStart {
    uint64_t tcb;
    uint64_t offset;
    rpc::ServerConfig config;
};

constexpr int kMaxServers = 4;
struct alignas(abi::kIpcBufferAlignment) AlignedBuffer {
    abi::IpcBuffer buffer;
};
AlignedBuffer buffers[kMaxServers];
ServerStart starts[kMaxServers];
int started = 0;
// Where this program maps its own shared buffers.
constexpr uint64_t kClientWindow = 0x610000000000;

void serve(void* arg) {
    auto* start = static_cast<ServerStart*>(arg);
    int index = int(start - starts);
    if (!rpc::attach_ipc_buffer(start->tcb, &buffers[index].buffer)) exit_thread(1);
    EchoService echo(start->offset, start->config.endpoint);
    // Static storage: the server is larger than a test thread's stack likes.
    alignas(rpc::Server) static uint8_t storage[kMaxServers][sizeof(rpc::Server)];
    auto* server = new (storage[index]) rpc::Server(start->config, echo);
    (void)server->run();
    exit_thread(2);
}

} // namespace

bool start_echo_server(EchoInstance& instance, uint64_t offset, uint64_t priority) {
    if (started == kMaxServers) return false;
    ServerStart& s = starts[started];
    uint64_t endpoint = make_object(abi::ObjectType::Endpoint);
    uint64_t reply = make_object(abi::ObjectType::Reply);
    uint64_t receive = fresh_slot();
    fresh_slot();
    fresh_slot();
    uint64_t vspace = make_object(abi::ObjectType::VSpace);
    auto t = start_tcb_thread(serve, &s, priority, 0, false);
    if (!endpoint || !reply || !vspace || !t.tcb) return false;
    s.tcb = t.tcb;
    s.offset = offset;
    s.config = {endpoint, reply, kRoot, receive};
    ++started;
    // The copy takes the state above with it (its memory is private).
    if (!copy_program_vspace(vspace) || inv::tcb_configure(t.tcb, 0, vspace, 0) != 0) return false;
    instance.endpoint = endpoint;
    instance.offset = offset;
    return inv::tcb_resume(t.tcb) == 0;
}

bool make_shared_buffer(rpc::SharedBuffer& buffer) {
    static int count = 0;
    uint64_t va = kClientWindow + uint64_t(count++) * 0x1000;
    uint64_t frame = make_object(abi::ObjectType::Frame, 12);
    if (!frame || !prepare_tables(abi::kInitSlotVSpace, va) ||
        inv::frame_map(frame, abi::kInitSlotVSpace, va, abi::kMapWritable) != 0)
        return false;
    buffer.frame = frame;
    buffer.words = reinterpret_cast<uint64_t*>(va);
    buffer.cnode = kRoot;
    return true;
}

} // namespace rayos::test
