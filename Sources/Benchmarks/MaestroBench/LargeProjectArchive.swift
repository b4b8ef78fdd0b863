import Foundation
import MaestroDomain
import MaestroStore
import RedisClient

/// The archive's share of a long-lived project's memory: the finished tasks are made to look `ageDays` old and the
/// archive sweep moves them, as the server's sweeper would once that time has passed; then Redis's memory per
/// archived task, and per task of the whole project in that steady state.
struct ArchiveMemory {
    static let ageDays = 15

    var archived: Int
    var bytesPerArchivedTask: Double
    var steadyStateBytesPerTask: Double
    var ageDays: Int { Self.ageDays }
}

extension LargeProject {
    func archiveMemory(_ scope: ProjectScope, _ connection: RedisConnection) throws -> ArchiveMemory {
        let old = Date().addingTimeInterval(-Double(ArchiveMemory.ageDays) * 86_400)
            .formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        for status in [TaskStatus.completed, .cancelled] {
            let ids =
                try connection.send(RedisCommand("ZRANGE", scope.keyPrefix + "tasks/" + status.rawValue, "0", "-1"))
                .array?.compactMap(\.string) ?? []
            for start in stride(from: 0, to: ids.count, by: 1000) {
                _ = try connection.pipeline(
                    ids[start..<min(ids.count, start + 1000)].map {
                        RedisCommand("HSET", scope.keyPrefix + "task:" + $0, "updatedAt", old)
                    })
            }
        }
        var archived = 0
        while true {
            let step = try connection.run(ArchiveSweep(scope: scope, batch: 1000))
            archived += step.archived.count
            if step.passDone { break }
        }
        progress("archived \(archived) finished tasks")
        let keys =
            try connection.send(RedisCommand("KEYS", scope.keyPrefix + "archived:*")).array?.compactMap(\.string)
            ?? []
        let sample = Array(keys.prefix(2000))
        var sampled = 0.0
        for key in sample {
            sampled += Double(try connection.send(RedisCommand("MEMORY", "USAGE", key, "SAMPLES", "0")).integer ?? 0)
        }
        let index = Double(
            try connection.send(RedisCommand("MEMORY", "USAGE", scope.keyPrefix + "archive", "SAMPLES", "0")).integer
                ?? 0)
        let perArchived = sample.isEmpty ? 0 : sampled / Double(sample.count) + index / Double(max(1, keys.count))
        let live = try bytesPerTask(scope, connection)
        let liveCount = Double(tasks - keys.count)
        let steady = (live * liveCount + perArchived * Double(keys.count)) / Double(tasks)
        return ArchiveMemory(archived: archived, bytesPerArchivedTask: perArchived, steadyStateBytesPerTask: steady)
    }
}
