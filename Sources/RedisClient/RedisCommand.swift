import CHiredis

#if canImport(Glibc)
    import Glibc
#endif

/// One Redis command as its argument vector; every argument is sent as raw bytes (binary safe, NUL allowed).
public struct RedisCommand: Sendable, Equatable {
    /// The command name followed by its arguments.
    public var arguments: [[UInt8]]

    /// Creates a command from byte arguments.
    public init(arguments: [[UInt8]]) {
        precondition(!arguments.isEmpty, "a Redis command needs a name")
        self.arguments = arguments
    }

    /// Creates a command from a name and text arguments (UTF-8 encoded).
    public init(_ name: String, _ arguments: [String] = []) {
        self.init(arguments: ([name] + arguments).map { Array($0.utf8) })
    }

    /// Creates a command from a name and text arguments (UTF-8 encoded).
    public init(_ name: String, _ arguments: String...) {
        self.init(name, arguments)
    }

    /// The RESP bytes hiredis sends for this command.
    public func encoded() -> [UInt8] {
        withArgv { argc, argv, lengths in
            var target: UnsafeMutablePointer<CChar>?
            let length = redisFormatCommandArgv(&target, argc, argv, lengths)
            guard length >= 0, let target else { fatalError("hiredis could not allocate a command buffer") }
            defer { redisFreeCommand(target) }
            return UnsafeRawBufferPointer(start: target, count: Int(length)).map { $0 }
        }
    }

    /// Calls `body` with the argc/argv/argvlen triple hiredis takes, valid only during the call.
    func withArgv<Result>(
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) throws -> Result
    ) rethrows -> Result {
        let count = arguments.count
        let lengths = arguments.map(\.count)
        let total = lengths.reduce(0, +)
        // One contiguous copy of all arguments, so every pointer stays valid for the whole call.
        var storage = [CChar](repeating: 0, count: max(total, 1))
        return try storage.withUnsafeMutableBufferPointer { buffer in
            var offsets = [Int]()
            offsets.reserveCapacity(count)
            var offset = 0
            for argument in arguments {
                offsets.append(offset)
                argument.withUnsafeBytes { raw in
                    guard !raw.isEmpty else { return }
                    UnsafeMutableRawBufferPointer(
                        rebasing: UnsafeMutableRawBufferPointer(buffer)[offset..<offset + raw.count]
                    )
                    .copyMemory(from: raw)
                }
                offset += argument.count
            }
            let base = UnsafePointer(buffer.baseAddress!)
            var argv = offsets.map { Optional(base + $0) }
            return try argv.withUnsafeMutableBufferPointer { argvBuffer in
                try lengths.withUnsafeBufferPointer { lengthBuffer in
                    try body(Int32(count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }
}
