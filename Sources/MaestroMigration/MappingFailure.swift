/// Why an old file cannot become a record at all (an invalid id, not an object): reported, not imported.
public struct MappingFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The project the file belongs to, when that much could be read.
    public var projectId: String?

    public init(_ message: String, projectId: String? = nil) {
        self.message = message
        self.projectId = projectId
    }

    public var description: String { message }
}
