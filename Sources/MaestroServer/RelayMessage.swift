/// What a relay client receives: one event as `{"id","type","payload"}` JSON text, or a control message.
public enum RelayMessage: Sendable, Equatable {
    /// An event; `json` is exactly the text sent to the client.
    case event(id: StreamID, json: String)
    /// The client's position was trimmed from the stream: it must load a fresh snapshot.
    case resync(reason: String)
    /// Nothing happened for a while; SSE sends a comment so proxies keep the connection (WebSocket pings itself).
    case keepAlive

    /// The text frame sent to the client.
    public var text: String {
        switch self {
        case .event(_, let json): json
        case .resync(let reason):
            #"{"id":null,"type":"resync","payload":{"reason":"# + JSONText.quote(reason) + "}}"
        case .keepAlive: ""
        }
    }
}
