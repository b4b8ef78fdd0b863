/// One event as every client receives it (spec §6.3): `{"id":"<stream id>","type":"<type>","payload":{…}}`,
/// built once per event from the project's event stream.
public struct WireEvent: Sendable, Equatable {
    /// The event's stream id; clients resume from it.
    public let id: StreamID
    public let type: EventType
    /// The JSON text of the whole message.
    public let json: [UInt8]

    /// The message for a stream entry; `payload` must be a JSON object's text (see `isObject`).
    public init(id: StreamID, type: EventType, payload: [UInt8]) {
        self.id = id
        self.type = type
        // Stream ids and event type names never need escaping.
        json = Array(#"{"id":"\#(id)","type":"\#(type.rawValue)","payload":"#.utf8) + payload + [UInt8(ascii: "}")]
    }

    /// The message as text.
    public var text: String { String(decoding: json, as: UTF8.self) }

    /// Whether `bytes` hold exactly one JSON object (whitespace around it allowed): what a payload written by the
    /// function library always is, so a message built around it is valid JSON.
    public static func isObject(_ bytes: [UInt8]) -> Bool {
        (try? JSONParser.parse(bytes))?.objectValue != nil
    }
}
