/// A refusal by the rules of the product: what was refused, the current state, and what is allowed.
public struct MaestroError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable wire name, as used in Redis error replies and HTTP error bodies.
        public let name: String
        /// Creates a code from its wire name.
        public init(_ name: String) { self.name = name }

        /// An argument is malformed: a bad id, an over-long or invalid-UTF-8 text, an unknown status.
        public static let invalidInput = Code("INVALID_INPUT")
        /// The state machine does not allow this change from the current state.
        public static let invalidTransition = Code("INVALID_TRANSITION")
        /// The task or session does not exist (in this project).
        public static let notFound = Code("NOT_FOUND")
        /// The caller proved no right to this change (wrong or missing session token).
        public static let forbidden = Code("FORBIDDEN")
        /// The change clashes with existing data (an id already taken, a task with subtasks).
        public static let conflict = Code("CONFLICT")
        /// The Redis user lacks a command or key the function library needs; the call changed nothing.
        public static let permissionDenied = Code("NOPERM")

        public var description: String { name }
    }

    /// The kind of refusal.
    public var code: Code
    /// A sentence a person can act on.
    public var message: String
    /// The current state, for refused transitions (`none` when there is no entry yet).
    public var current: String?
    /// The allowed targets from the current state, for refused transitions.
    public var allowed: [String]?

    /// Creates a refusal.
    public init(_ code: Code, _ message: String, current: String? = nil, allowed: [String]? = nil) {
        self.code = code
        self.message = message
        self.current = current
        self.allowed = allowed
    }

    public var description: String { message }
}
