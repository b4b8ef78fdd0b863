import MaestroDomain

/// What importing one record did (or, in a dry run, would do).
public struct ImportOutcome: Codable, Sendable, Equatable {
    /// The kinds of outcome.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The record did not exist and was written.
        case created
        /// An older record (or, with the force policy, any record) was replaced.
        case updated
        /// Redis already held exactly this record; nothing was written.
        case unchanged
        /// Redis holds a newer record, or an equally recent but different one; it was kept.
        case skipped
    }

    public var outcome: Kind
    /// The record's id.
    public var id: String
    /// The task's version afterwards (tasks only; absent for a dry-run creation).
    public var version: Int?
    /// Why a record was skipped: `newer`, or `conflict` (same updatedAt, different content).
    public var reason: String?
    /// The updatedAt of the record Redis kept, for skipped records.
    public var current: String?
    /// The events the import emitted.
    public var eventIds: [String]
}

/// The project record, if there is one, and the stream position the read is consistent with.
public struct ProjectSnapshot: Codable, Sendable, Equatable {
    public var project: ProjectRecord?
    public var cursor: String
}

/// A session as exported: the record, and its token's SHA-1 so that the token keeps working after an import.
public struct ExportedSession: Codable, Sendable, Equatable {
    public var session: SessionRecord
    /// SHA-1 of the session's token (40 hex digits); the token itself is never stored.
    public var tokenHash: String?

    public init(session: SessionRecord, tokenHash: String? = nil) {
        self.session = session
        self.tokenHash = tokenHash
    }
}

/// One page of whole sessions for export.
public struct ExportedSessionPage: Codable, Sendable, Equatable {
    public var sessions: [ExportedSession]
    public var total: Int
    public var cursor: String
}
