/// Either side of the comparison, as a round drives it: connect everyone, count what arrives, close.
protocol ReceiverGroup: AnyObject {
    /// How many receivers the group holds.
    var count: Int { get }
    /// Measured events received so far, by all receivers together.
    var framesReceived: Int { get }
    /// Connects every receiver; returns once each is subscribed to the project's events.
    func open(timeout: Double) throws
    /// Disconnects every receiver and returns what each one saw.
    func close() throws -> [ReceiverResult]
}

extension WebSocketReceivers: ReceiverGroup {
    func close() throws -> [ReceiverResult] { try close(timeout: 60) }
}

extension RawSubscribers: ReceiverGroup {}
