// The compression pager: serves page faults in its clients' paged regions
// (rayos/paging.h). Its manifest entry grants it, per client, the client's
// faults and address space (grant slots 8 + 2i and 9 + 2i); its arguments
// name each client's region and budget: "<name>:<region pages>:<budget
// frames> ...", in grant order. Faults outside a region, and faults it
// cannot serve, go on to init.
#include "client.h"
#include "store.h"

#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/mapping.h>
#include <rayos/paging.h>
#include <rayos/program.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

#include <new>

using namespace rayos;
using namespace rayos::pager;

namespace {

constexpr uint32_t kMaxClients = 4;
constexpr uint32_t kStorePages = 256; // 1 MiB of compressed store

alignas(4096) uint8_t store_arena[kStorePages * Store::kPage];
uint64_t next_slot = program::kFirstFreeSlot + 8; // (32-34: no receive window needed)

uint64_t make(abi::ObjectType type, uint64_t size_bits = 0) {
    uint64_t slot = next_slot;
    if (slot >= (1u << program::kCNodeRadix) ||
        inv::untyped_retype(program::kSlotMemory, uint64_t(type), size_bits, program::kSlotCNode,
                            slot, 1) != 1)
        return 0;
    ++next_slot;
    return slot;
}

// A client's memory through the kernel: frames of the pager's own memory,
// mapped into the client's address space, copied with frame_read/write.
class KernelMemory final : public ClientMemory {
public:
    KernelMemory(uint64_t vspace, uint32_t budget) : vspace_(vspace), budget_(budget) {}

    bool read_frame(uint32_t frame, uint8_t* page) override {
        uint64_t f = slot(frame);
        return f && inv::frame_read(f, 0, reinterpret_cast<uint64_t>(page), paging::kPageSize) >= 0;
    }
    bool write_frame(uint32_t frame, const uint8_t* page) override {
        uint64_t f = slot(frame);
        return f &&
               inv::frame_write(f, 0, reinterpret_cast<uint64_t>(page), paging::kPageSize) >= 0;
    }
    bool map(uint32_t frame, uint32_t page) override {
        uint64_t f = slot(frame);
        uint64_t address = paging::kRegionBase + uint64_t(page) * paging::kPageSize;
        return f && map_frame(f, vspace_, address, abi::kMapWritable,
                              [] { return make(abi::ObjectType::PageTable); }) == abi::Status::Ok;
    }
    bool unmap(uint32_t frame) override {
        uint64_t f = slot(frame);
        return f && inv::frame_unmap(f) == 0;
    }
    bool take_accessed(uint32_t frame) override {
        uint64_t f = slot(frame);
        int64_t status = f ? inv::frame_status(f, 1) : 0;
        return status > 0 && (status & int64_t(abi::kFrameAccessed));
    }

private:
    // The frame's capability, made the first time it is used.
    uint64_t slot(uint32_t frame) {
        if (frame >= budget_ || frame >= kMaxFrames) return 0;
        if (!frames_[frame]) frames_[frame] = make(abi::ObjectType::Frame, 12);
        return frames_[frame];
    }

    static constexpr uint32_t kMaxFrames = 64;
    uint64_t vspace_;
    uint32_t budget_;
    uint64_t frames_[kMaxFrames] = {};
};

struct Served {
    uint64_t badge = 0;       // of its faults
    uint64_t init_faults = 0; // init's fault endpoint for it (to pass faults on)
    KernelMemory* memory = nullptr;
    Client* client = nullptr;
};

Served clients[kMaxClients];
uint32_t client_count = 0;

// "<name>:<pages>:<budget>" at `args`; advances past it.
bool parse_client(const char*& args, ClientConfig& config) {
    while (*args == ' ')
        ++args;
    if (!*args) return false;
    uint32_t n = 0;
    while (*args && *args != ':' && n + 1 < sizeof(config.name))
        config.name[n++] = *args++;
    uint32_t* fields[2] = {&config.region_pages, &config.budget_frames};
    for (uint32_t* field : fields) {
        if (*args++ != ':') return false;
        *field = 0;
        while (*args >= '0' && *args <= '9')
            *field = *field * 10 + uint32_t(*args++ - '0');
    }
    return config.region_pages > 0 && config.region_pages <= Client::kMaxPages &&
           config.budget_frames > 0 && config.budget_frames <= 64;
}

[[noreturn]] void stop(const char* why) {
    print("pager: %s; stopping\n", why);
    exit_thread(1);
}

} // namespace

int main(const char* args) {
    static Store store(store_arena, kStorePages);
    for (const char* rest = args; client_count < kMaxClients;) {
        ClientConfig config;
        if (!parse_client(rest, config)) break;
        Served& s = clients[client_count];
        s.init_faults = program::kFirstGrantSlot + 2 * client_count;
        inv::SlotInfo info{};
        if (inv::slot_info(program::kSlotCNode, s.init_faults, 64, info) !=
            int64_t(abi::ObjectType::Endpoint))
            stop("a client's fault grant is missing");
        s.badge = info.word;
        static KernelMemory memories[kMaxClients] = {KernelMemory(0, 0), KernelMemory(0, 0),
                                                     KernelMemory(0, 0), KernelMemory(0, 0)};
        memories[client_count] =
            KernelMemory(program::kFirstGrantSlot + 2 * client_count + 1, config.budget_frames);
        s.memory = &memories[client_count];
        alignas(Client) static uint8_t storage[kMaxClients][sizeof(Client)];
        s.client = new (storage[client_count]) Client(config, *s.memory, store);
        print("pager: serving '%s': %u pages, %u resident\n", config.name, config.region_pages,
              config.budget_frames);
        ++client_count;
    }
    if (client_count == 0) stop("no clients in its arguments");

    Message m;
    if (ipc::recv(program::kSlotEndpoint, program::kSlotReply, m) < 0) stop("cannot receive");
    for (;;) {
        uint64_t label = abi::MessageInfo::label(m.info);
        Served* s = nullptr;
        for (uint32_t i = 0; i < client_count; ++i)
            if (clients[i].badge == m.badge) s = &clients[i];
        bool served = false;
        if (s && label == abi::kFaultPage) {
            uint64_t address = m.words[2];
            uint64_t end = paging::kRegionBase +
                           uint64_t(s->client->config().region_pages) * paging::kPageSize;
            if (address >= paging::kRegionBase && address < end) {
                uint32_t page = uint32_t((address - paging::kRegionBase) / paging::kPageSize);
                served = s->client->fault(page, uint64_t(sys::clock_ticks()));
                if (!served)
                    print("pager: cannot serve '%s' at page %u\n", s->client->config().name, page);
            }
        }
        if (!served && s) {
            // Not ours to serve: init supervises it as any crash.
            Message forward = m;
            (void)ipc::call(s->init_faults, forward);
        }
        m.info = abi::MessageInfo::make(served ? abi::kFaultResume : abi::kFaultStop, 0);
        if (ipc::reply_recv(program::kSlotEndpoint, program::kSlotReply, m) < 0)
            stop("cannot receive");
    }
}
