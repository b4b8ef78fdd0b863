import MaestroDomain

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An export written while it is read, page by page, never whole in memory (the server streams
/// `GET /api/export` this way): `opening`, each session through `element`, `betweenLists`, each task through
/// `element`, then `closing`. The parts make one `ProjectExport` document, keys in the order `maestro export` sorts
/// them; a document cut short is not valid JSON, so it cannot pass for a whole export.
extension ProjectExport {
    /// Everything up to the first session: the envelope, and the project record as of `cursor`.
    public static func opening(
        projectId: String, exportedAt: String, cursor: String, project: ProjectRecord?
    ) throws -> [UInt8] {
        struct Envelope: Encodable {
            var cursor: String
            var exportedAt: String
            var format = ProjectExport.formatName
            var formatVersion = ProjectExport.currentFormatVersion
            var project: ProjectRecord?
            var projectId: String
        }
        var bytes = Array(
            try encoder.encode(
                Envelope(cursor: cursor, exportedAt: exportedAt, project: project, projectId: projectId)))
        bytes.removeLast()  // the envelope's closing brace: the lists follow
        return bytes + Array(#","sessions":["#.utf8)
    }

    /// One session or task, with the comma before it unless it is the first of its list.
    public static func element(_ item: some Encodable, first: Bool) throws -> [UInt8] {
        (first ? [] : [UInt8(ascii: ",")]) + Array(try encoder.encode(item))
    }

    /// Between the last session and the first task.
    public static let betweenLists = Array(#"],"tasks":["#.utf8)

    /// After the last task.
    public static let closing = Array("]}\n".utf8)

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
