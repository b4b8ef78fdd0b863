/// Why the relay benchmark could not run or could not trust a measurement; the message says what to do.
struct RelayBenchError: Error, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
