import MaestroMigration

/// Raised after the report is printed when some files or records were not imported: exit code 8.
struct PartialImport: Error {
    var count: Int
}

/// Prints the report of `migrate` or `import` and turns failures into the exit code.
enum ImportSummary {
    static func print(_ report: MigrationReport, source: String, json: Bool) throws {
        if json {
            try Output.json(report)
        } else {
            Swift.print(ReportText.render(report, source: source))
        }
        if report.hasFailures { throw PartialImport(count: report.failures.count) }
    }
}
