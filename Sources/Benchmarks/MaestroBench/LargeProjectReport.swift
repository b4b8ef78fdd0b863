import BenchReporting
import Foundation
import RedisTestSupport

extension LargeProject.Report {
    /// The human-readable table, each figure with its target and met/MISSED.
    func table() -> String {
        var lines = [
            "E. A large project: \(tasks) tasks (60% completed, 10% cancelled), \(sessions) sessions; seeded in "
                + String(format: "%.1f s", seedSeconds),
            "",
            "E1. Server time per call, µs: inside Redis (INFO commandstats), plus the server's layout of summary pages",
            row(["call", "calls", "median", "max", "target", ""], [42, 6, 8, 8, 10, 6]),
        ]
        for call in calls {
            let median = call.durations.median
            lines.append(
                row(
                    [
                        call.name, String(call.durations.count), String(Int(median)),
                        String(Int(call.durations.max() ?? 0)), call.target.map { "≤ \(Int($0))" } ?? "(reported)",
                        call.target.map { verdict(median <= $0) } ?? "",
                    ], [42, 6, 8, 8, 10, 6]))
        }
        for call in calls where call.outsideRedis.contains(where: { $0 > 0 }) {
            lines.append("\(call.name): of which the server's layout, median \(Int(call.outsideRedis.median)) µs")
        }
        if let page = calls.first(where: { $0.name == LargeProject.openSummaryPage }),
            let reads = calls.first(where: { $0.name == LargeProject.openSummaryPageReads })
        {
            lines.append(
                "a page of 1,000 summaries ÷ its reads alone, same run: "
                    + fixed(page.durations.median / reads.durations.median, 2))
        }
        lines += ["", "E2. Redis memory by key kind (MEMORY USAGE, SAMPLES 0)"]
        lines.append(row(["kind", "keys", "bytes/key"], [36, 8, 10]))
        for kind in memory {
            lines.append(row([kind.kind, String(kind.keys), String(Int(kind.bytes))], [36, 8, 10]))
        }
        let steady = archive.steadyStateBytesPerTask
        lines += [
            "",
            "E3. Redis memory per task and per update",
            "per live task: \(Int(bytesPerTask)) B; per archived task: \(Int(archive.bytesPerArchivedTask)) B "
                + "(\(archive.archived) finished tasks archived as if \(archive.ageDays) days had passed)",
            "per task at steady state, finished tasks archived: \(Int(steady)) B (target ≤ "
                + "\(Int(LargeProject.taskMemoryTarget)): \(verdict(steady <= LargeProject.taskMemoryTarget)))",
            "per progress update at steady state: \(Int(bytesPerUpdate)) B (target ≤ "
                + "\(Int(LargeProject.updateMemoryTarget)): \(verdict(bytesPerUpdate <= LargeProject.updateMemoryTarget)))",
        ]
        return lines.joined(separator: "\n")
    }

    /// One line of JSON with the same figures.
    func jsonLine() throws -> String {
        struct Call: Encodable {
            var calls: Int
            var medianMicroseconds: Int
            var maxMicroseconds: Int
            var target: Int?
        }
        struct Line: Encodable {
            var large: [String: Call]
            var memory: [String: Int]
            var bytesPerTask: Int
            var bytesPerArchivedTask: Int
            var bytesPerTaskSteadyState: Int
            var bytesPerUpdate: Int
            var tasks: Int
            var sessions: Int
        }
        let line = Line(
            large: Dictionary(
                uniqueKeysWithValues: calls.map {
                    (
                        $0.name,
                        Call(
                            calls: $0.durations.count, medianMicroseconds: Int($0.durations.median),
                            maxMicroseconds: Int($0.durations.max() ?? 0), target: $0.target.map { Int($0) })
                    )
                }),
            memory: Dictionary(uniqueKeysWithValues: memory.map { ($0.kind, Int($0.bytes)) }),
            bytesPerTask: Int(bytesPerTask), bytesPerArchivedTask: Int(archive.bytesPerArchivedTask),
            bytesPerTaskSteadyState: Int(archive.steadyStateBytesPerTask), bytesPerUpdate: Int(bytesPerUpdate),
            tasks: tasks, sessions: sessions)
        return try encodedLine(line)
    }

}
