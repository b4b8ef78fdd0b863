/// A failure of the store itself rather than a refusal by the rules: library problems and odd replies.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The Maestro function library is not loaded in Redis.
        public static let libraryMissing = Code("libraryMissing")
        /// Redis has another version of the function library than this client speaks.
        public static let staleLibrary = Code("staleLibrary")
        /// Redis answered with something the store cannot read.
        public static let unexpectedReply = Code("unexpectedReply")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong and what to do about it.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
