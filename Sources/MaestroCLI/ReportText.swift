import MaestroMigration

/// A migration or import report as text for people: a table of outcomes, then each kind of notice, each
/// list cut after `maximumLines` (the `--json` report has everything).
enum ReportText {
    static let maximumLines = 20

    static func render(_ report: MigrationReport, source: String) -> String {
        var lines = [
            "\(source)" + (report.dryRun ? " (dry run: nothing was written; the counts are what would happen)" : ""),
            "",
            "  " + pad("", 10) + ["created", "updated", "unchanged", "skipped", "failed"].map { pad($0, 10) }.joined(),
        ]
        for kind in MigrationReport.RecordKind.allCases {
            let counts = report[kind]
            lines.append(
                "  " + pad(kind.rawValue + "s", 10, left: true)
                    + [counts.created, counts.updated, counts.unchanged, counts.skipped, counts.failed]
                    .map { pad(String($0), 10) }.joined())
        }
        section(
            "Skipped: Redis has a newer record, kept as it is", &lines,
            report.skipped.map { skip in
                "\(skip.kind.rawValue) \(skip.projectId)/\(skip.id): Redis has \(skip.current), this one is "
                    + "\(skip.incoming)" + (skip.reason == "conflict" ? " (same time, different content)" : "")
            })
        // One line per old value; the value it became is shown when it is the same for every record.
        let fallbacks = Dictionary(grouping: report.fallbacks) { "\($0.kind.rawValue) \($0.field) \"\($0.value)\"" }
            .sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }
        section(
            "Values mapped by fallback (the old values stay in each record's extra data)", &lines,
            fallbacks.map { text, items in
                let targets = Set(items.map(\.mappedTo))
                let target = targets.count == 1 ? targets.first! : "a value per record"
                let ids = items.prefix(3).map { "\($0.projectId)/\($0.id)" }.joined(separator: ", ")
                return "\(text) → \(target)  ×\(items.count)  (\(ids)\(items.count > 3 ? ", …" : ""))"
            })
        var extraByKind: [String: [String]] = [:]
        for (key, count) in report.extraFields.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            extraByKind[parts[0], default: []].append("\(parts.last!) ×\(count)")
        }
        section(
            "Fields kept as extra data", &lines,
            extraByKind.keys.sorted().map { "\($0): " + extraByKind[$0]!.joined(separator: ", ") })
        section(
            "Warnings", &lines,
            report.warnings.map { "\($0.kind.rawValue) \($0.projectId)/\($0.id): \($0.message)" })
        section(
            "Not imported", &lines,
            report.failures.map { failure in
                let place = failure.path ?? "\(failure.kind?.rawValue ?? "record") \(failure.id ?? "")"
                return "\(place): \(failure.message)"
            })
        section("Ignored (not .json record files)", &lines, report.ignoredFiles)
        lines.append("")
        let changed = MigrationReport.RecordKind.allCases.reduce(0) { $0 + report[$1].imported }
        if report.hasFailures {
            lines.append(
                "\(report.failures.count) file(s) or record(s) could not be imported (see above); the rest "
                    + (report.dryRun ? "would be." : "was."))
        } else if changed == 0 && report.skipped.isEmpty {
            lines.append("Nothing to change: Redis already holds every record.")
        } else {
            lines.append(report.dryRun ? "Dry run complete." : "Done.")
        }
        return lines.joined(separator: "\n")
    }

    private static func section(_ title: String, _ lines: inout [String], _ items: [String]) {
        guard !items.isEmpty else { return }
        lines += ["", "\(title):"]
        lines += items.prefix(maximumLines).map { "  " + $0 }
        if items.count > maximumLines { lines.append("  … and \(items.count - maximumLines) more (--json lists all)") }
    }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + padding : padding + text
    }
}
