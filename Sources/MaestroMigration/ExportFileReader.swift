import MaestroDomain
import MaestroStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads an export file back into an import batch. A file that is not an export at all is refused as a
/// whole; a record in it that cannot be read is reported and the others are imported.
public enum ExportFileReader {
    /// The batch to import into `projectId` (the export's own project when nil) and the report so far.
    public static func batch(
        from bytes: [UInt8], into projectId: String? = nil, dryRun: Bool = false
    ) throws(MappingFailure) -> (batch: ImportBatch, report: MigrationReport) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch {
            if case .failure(let failure) = Result(catching: { () throws(JSONParser.Failure) in
                try JSONParser.parse(bytes)
            }) {
                throw MappingFailure("not an export file: \(failure)")
            }
            throw MappingFailure("not an export file: \(describe(error))")
        }
        guard document.format == ProjectExport.formatName else {
            throw MappingFailure(
                "not an export file: its format is '\(document.format)', not '\(ProjectExport.formatName)'")
        }
        guard document.formatVersion == ProjectExport.currentFormatVersion else {
            throw MappingFailure(
                "the export file has format version \(document.formatVersion); this maestro reads version "
                    + "\(ProjectExport.currentFormatVersion)")
        }
        let target = projectId ?? document.projectId
        do {
            try Validation.identifier(target, "project id")
        } catch {
            throw MappingFailure(error.message)
        }
        var report = MigrationReport(dryRun: dryRun)
        var batch = ImportBatch(projectId: target)
        func failed(_ kind: MigrationReport.RecordKind, _ index: Int?, _ error: any Error) {
            report[kind].failed += 1
            let path = index.map { "\(kind.rawValue)s[\($0)]" } ?? kind.rawValue
            report.failures.append(
                MigrationReport.Failure(path: path, kind: kind, projectId: target, message: describe(error)))
        }
        switch document.project?.result {
        case .success(var project):
            project.id = target
            batch.project = project
        case .failure(let error): failed(.project, nil, error)
        case nil: break
        }
        var tasks: [TaskRecord] = []
        for (index, task) in document.tasks.enumerated() {
            switch task.result {
            case .success(var record):
                record.projectId = target
                tasks.append(record)
            case .failure(let error): failed(.task, index, error)
            }
        }
        let index = Dictionary(tasks.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        batch.tasks = TaskOrdering.parentsFirst(tasks.map { $0.parentId.flatMap { index[$0] } }).order.map { tasks[$0] }
        for (index, session) in document.sessions.enumerated() {
            switch session.result {
            case .success(var exported):
                exported.session.projectId = target
                batch.sessions.append(exported)
            case .failure(let error): failed(.session, index, error)
            }
        }
        return (batch, report)
    }

    /// A decoding error as a sentence: what was wrong and where.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path.hasPrefix(".") ? String(path.dropFirst()) : path)"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.debugDescription + path(context)
        @unknown default: return "\(error)"
        }
    }

    /// The file's layout, with each record read on its own so one bad record does not spoil the others.
    private struct Document: Decodable {
        var format: String
        var formatVersion: Int
        var projectId: String
        var project: Lenient<ProjectRecord>?
        var tasks: [Lenient<TaskRecord>]
        var sessions: [Lenient<ExportedSession>]
    }

    /// A value, or why it could not be decoded.
    private struct Lenient<Value: Decodable>: Decodable {
        var result: Result<Value, any Error>

        init(from decoder: any Decoder) throws {
            result = Result { try Value(from: decoder) }
        }
    }
}
