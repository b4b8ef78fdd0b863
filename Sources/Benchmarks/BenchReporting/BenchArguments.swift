/// A benchmark's command line, read one argument at a time, with the checks an option's value needs; every
/// refusal names the option and what it takes.
public struct BenchArguments {
    private var remaining: ArraySlice<String>
    private let usage: String

    /// `arguments` without the program name; `usage` is shown when an option lacks its value or is unknown.
    public init(_ arguments: [String], usage: String) {
        remaining = arguments[...]
        self.usage = usage
    }

    /// The next argument, or nil at the end.
    public mutating func next() -> String? { remaining.popFirst() }

    /// The value after `option`.
    public mutating func value(of option: String) throws -> String {
        guard let value = remaining.popFirst() else { throw BenchError("\(option) needs a value\n\n\(usage)") }
        return value
    }

    /// The whole number after `option`, within `range`.
    public mutating func number(of option: String, in range: ClosedRange<Int>) throws -> Int {
        let text = try value(of: option)
        guard let number = Int(text), range.contains(number) else {
            throw BenchError("\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// The number of seconds after `option`, more than 0 and at most 600.
    public mutating func seconds(of option: String) throws -> Double {
        let text = try value(of: option)
        guard let seconds = Double(text), seconds > 0, seconds <= 600 else {
            throw BenchError("\(option) must be a number of seconds in (0, 600], got '\(text)'")
        }
        return seconds
    }

    /// The refusal of an argument no option matches.
    public func unknown(_ argument: String) -> BenchError { BenchError("unknown argument '\(argument)'\n\n\(usage)") }
}
