import Foundation
import RedisTestSupport

extension LargeProject.Report {
    /// The human-readable table, each figure with its target and met/MISSED.
    func table() -> String {
        func verdict(_ met: Bool) -> String { met ? "met" : "MISSED" }
        var lines = [
            "E. A large project: \(tasks) tasks (60% completed, 10% cancelled), \(sessions) sessions; seeded in "
                + String(format: "%.1f s", seedSeconds),
            "",
            "E1. Time inside Redis per call (SLOWLOG), µs",
            pad(["call", "calls", "median", "max", "target", ""], [42, 6, 8, 8, 9, 6]),
        ]
        for call in calls {
            let maximum = call.durations.max() ?? 0
            lines.append(
                pad(
                    [
                        call.name, String(call.durations.count), String(Int(call.durations.median)),
                        String(Int(maximum)), "≤ \(Int(call.target))", verdict(maximum <= call.target),
                    ], [42, 6, 8, 8, 9, 6]))
        }
        lines += ["", "E2. Redis memory by key kind (MEMORY USAGE, SAMPLES 0)"]
        lines.append(pad(["kind", "keys", "bytes/key"], [36, 8, 10]))
        for kind in memory {
            lines.append(pad([kind.kind, String(kind.keys), String(Int(kind.bytes))], [36, 8, 10]))
        }
        lines += [
            "",
            "E3. per task: \(Int(bytesPerTask)) B (target ≤ \(Int(LargeProject.taskMemoryTarget)): "
                + "\(verdict(bytesPerTask <= LargeProject.taskMemoryTarget)));  per progress update at steady state: "
                + "\(Int(bytesPerUpdate)) B (target ≤ \(Int(LargeProject.updateMemoryTarget)): "
                + "\(verdict(bytesPerUpdate <= LargeProject.updateMemoryTarget)))",
        ]
        return lines.joined(separator: "\n")
    }

    /// One line of JSON with the same figures.
    func jsonLine() throws -> String {
        struct Call: Encodable {
            var calls: Int
            var medianMicroseconds: Int
            var maxMicroseconds: Int
            var target: Int
        }
        struct Line: Encodable {
            var large: [String: Call]
            var memory: [String: Int]
            var bytesPerTask: Int
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
                            maxMicroseconds: Int($0.durations.max() ?? 0), target: Int($0.target))
                    )
                }),
            memory: Dictionary(uniqueKeysWithValues: memory.map { ($0.kind, Int($0.bytes)) }),
            bytesPerTask: Int(bytesPerTask), bytesPerUpdate: Int(bytesPerUpdate), tasks: tasks, sessions: sessions)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }

    private func pad(_ cells: [String], _ widths: [Int]) -> String {
        zip(cells, widths).enumerated().map { index, pair in
            let padding = String(repeating: " ", count: max(0, pair.1 - pair.0.count))
            return index == 0 ? pair.0 + padding : padding + pair.0
        }.joined(separator: "  ")
    }
}
