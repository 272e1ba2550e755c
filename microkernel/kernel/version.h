#pragma once

namespace rayos {
constexpr const char* kVersion = "0.1.0";
#ifdef RAYOS_DEBUG
constexpr const char* kBuildKind = "debug build: UBSan, stack protector";
#else
constexpr const char* kBuildKind = "release build";
#endif
} // namespace rayos
