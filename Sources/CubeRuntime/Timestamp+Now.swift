import CubeCore
#if canImport(Glibc)
import Glibc
#endif

extension Timestamp {
    /// The current monotonic and wall-clock time.
    package static var now: Timestamp {
        var mono = timespec()
        var wall = timespec()
        clock_gettime(CLOCK_MONOTONIC, &mono)
        clock_gettime(CLOCK_REALTIME, &wall)
        return Timestamp(monotonic: UInt64(mono.tv_sec) * 1_000_000_000 + UInt64(mono.tv_nsec), wall: Int64(wall.tv_sec))
    }
}
