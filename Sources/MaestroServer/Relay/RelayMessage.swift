import MaestroDomain

/// What a relay client receives: one event as `{"id","type","payload"}` JSON text, or a control message.
public enum RelayMessage: Sendable, Equatable {
    /// An event, read from the project's stream.
    case event(WireEvent)
    /// The client's position was trimmed from the stream: it must load a fresh snapshot.
    case resync(reason: String)
    /// Nothing happened for a while; SSE sends a comment so proxies keep the connection (WebSocket pings itself).
    case keepAlive

    /// The text frame sent to the client.
    public var text: String {
        switch self {
        case .event(let event): event.text
        case .resync(let reason):
            #"{"id":null,"type":"resync","payload":{"reason":"# + JSONText.quote(reason) + "}}"
        case .keepAlive: ""
        }
    }
}
