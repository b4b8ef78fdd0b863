/// Resident memory of one process before and after it holds `connections` idle connections.
struct IdleMemory {
    var connections: Int
    var beforeKiB: Int
    var afterKiB: Int

    /// What one idle connection costs the process, in KiB of RSS.
    var perConnectionKiB: Double { Double(afterKiB - beforeKiB) / Double(connections) }

    /// The target for maestro-server: at most this many KiB per idle WebSocket connection.
    static let target = 5.0
}
