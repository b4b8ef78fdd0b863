/// One change as published: its stream id, its type and its payload (JSON text, spec §6.3).
public struct MaestroEvent: Sendable, Equatable {
    /// The event's id in the project's event stream; clients resume from it.
    public var id: String
    public var type: EventType
    /// The payload as JSON text, exactly as stored and published.
    public var payload: String

    /// Creates an event.
    public init(id: String, type: EventType, payload: String) {
        self.id = id
        self.type = type
        self.payload = payload
    }
}
