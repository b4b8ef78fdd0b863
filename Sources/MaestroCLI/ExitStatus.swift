import MaestroHTTPClient
import MaestroDomain
import MaestroStore
import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

/// The CLI's exit codes, and the one place where errors become a message and a code.
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    case failure = 1
    case noSession = 2
    case refused = 3
    case notFound = 4
    case unauthorized = 5
    case unreachable = 6
    case library = 7
    case partial = 8
    case noAnswer = 9
    case usage = 64

    /// What the code means, for help texts and docs.
    var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "unexpected failure"
        case .noSession: "no session context (MAESTRO_SESSION_ID unset)"
        case .refused: "refused transition or conflict; nothing changed"
        case .notFound: "unknown task or session"
        case .unauthorized: "wrong or missing session token, or Redis refused the login or a permission"
        case .unreachable:
            "Redis or maestro-server unreachable, the connection broke, or the server's TLS certificate is not trusted"
        case .library: "the Redis function library is missing or another version"
        case .partial: "migrate or import: some files or records were not imported (each is reported); the rest was"
        case .noAnswer: "task answer: no answer yet (without --wait), or --wait timed out"
        case .usage: "bad usage or invalid input; nothing changed"
        }
    }

    static var summary: String {
        allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }

    /// Prints `error: message` on stderr and exits with `code`.
    static func fail(_ message: String, code: ExitStatus) -> Never {
        printError("error: \(message)")
        exit(code.rawValue)
    }

    /// Reports any error thrown by a command and exits with its code.
    static func report(_ error: any Error) -> Never {
        switch error {
        case let error as NoSession:
            printError(error.message)
            exit(ExitStatus.noSession.rawValue)
        case let error as PartialImport:
            printError("error: \(error.count) file(s) or record(s) were not imported")
            exit(ExitStatus.partial.rawValue)
        case let error as UsageError:
            let path = error.commandPath.isEmpty ? [Maestro.root] : error.commandPath
            printError("error: \(error.message)")
            printError("usage: \(HelpText.usage(for: path))")
            printError("  See '\(path.map(\.name).joined(separator: " ")) --help' for more.")
            exit(ExitStatus.usage.rawValue)
        default:
            let (code, message) = classify(error)
            fail(message, code: code)
        }
    }

    /// The code and the message (without "error: ") of an error a command or an MCP tool ran into: the one
    /// mapping of failures, shared by the exit codes and `maestro mcp`'s tool errors.
    static func classify(_ error: any Error) -> (code: ExitStatus, message: String) {
        switch error {
        case let error as NoSession: (.noSession, error.message)
        case let error as PartialImport: (.partial, "\(error.count) file(s) or record(s) were not imported")
        case let error as NoAnswer: (.noAnswer, error.message)
        case let error as TransportFailure: (.unreachable, error.message)
        case let error as MaestroError: (code(for: error.code), error.message)
        case let error as StoreError: (error.code == .unexpectedReply ? .failure : .library, error.message)
        case let error as RedisError where error.code == .server && error.message.hasPrefix("NOPERM"):
            (.unauthorized, "Redis refused: \(error.message) (the Redis user lacks a permission; see deploy/redis)")
        case let error as RedisError: (code(for: error.code), error.message)
        case let error as UsageError: (.usage, error.message)
        default: (.failure, "\(error)")
        }
    }

    private static func code(for code: MaestroError.Code) -> ExitStatus {
        switch code {
        case .invalidTransition, .conflict: .refused
        case .notFound: .notFound
        case .forbidden, .permissionDenied: .unauthorized
        case .invalidInput: .usage
        default: .failure
        }
    }

    private static func code(for code: RedisError.Code) -> ExitStatus {
        switch code {
        case .connectionFailed, .connectionLost, .timedOut: .unreachable
        case .authentication: .unauthorized
        case .invalidURL: .usage
        default: .failure
        }
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    bytes.withUnsafeBytes { buffer in _ = write(STDERR_FILENO, buffer.baseAddress, buffer.count) }
}
