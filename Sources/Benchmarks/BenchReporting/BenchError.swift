/// Why a benchmark could not run or could not trust a measurement; the message says what to do.
public struct BenchError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
