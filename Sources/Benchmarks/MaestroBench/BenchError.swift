/// Why the benchmark could not run or could not trust a measurement; the message says what to do.
struct BenchError: Error, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
