import AsyncHTTPClient
import MaestroWebhooks
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Sends one webhook request: resolves and checks the target (`TargetResolver`), connects to the checked address
/// only, posts the signed message, follows no redirect, and reads at most `responseBodyLimit` bytes of the answer,
/// which it drops — response bodies are never stored or logged. The whole attempt takes at most `timeout`.
struct WebhookSender: Sendable {
    /// How one attempt went.
    enum Outcome: Sendable, Equatable {
        /// A 2xx answer.
        case delivered(status: Int)
        /// Any other answer (`status`), or none: `error` says what happened, in words.
        case failed(status: Int?, error: String)
    }

    let settings: WebhookSettings

    func send(to url: String, _ message: WebhookMessage) async -> Outcome {
        let started = ContinuousClock.now
        let target: WebhookTarget
        let address: String
        do {
            target = try WebhookTarget(url)
            address = try await TargetResolver.address(
                for: target, allowPrivate: settings.allowPrivateTargets, timeout: settings.timeout)
        } catch {
            return .failed(status: nil, error: Self.describe(error, timeout: settings.timeout))
        }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(settings.timeout), read: TimeAmount(settings.timeout)))
        // A refused or failed connection fails this attempt at once (the retry schedule decides what comes next),
        // rather than being tried again until the timeout with a slot of this webhook held.
        configuration.connectionPool.retryConnectionEstablishment = false
        // Connect to the address just checked, whatever the name resolves to by now; TLS still verifies the name.
        if target.literalAddress == nil { configuration.dnsOverride = [target.host: address] }
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for header in message.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(message.body)
        let outcome: Outcome
        do {
            let remaining = settings.timeout - (ContinuousClock.now - started)
            let response = try await client.execute(request, deadline: .now() + TimeAmount(remaining))
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read >= settings.responseBodyLimit { break }
            }
            let status = Int(response.status.code)
            outcome =
                (200..<300).contains(status)
                ? .delivered(status: status) : .failed(status: status, error: Self.describeStatus(status))
        } catch {
            outcome = .failed(status: nil, error: Self.describe(error, timeout: settings.timeout))
        }
        try? await client.shutdown()
        return outcome
    }

    static func describeStatus(_ status: Int) -> String {
        (300..<400).contains(status) ? "HTTP \(status) (redirects are not followed)" : "HTTP \(status)"
    }

    /// A failure in a few words (one line, at most 300 characters): what a person reads in the delivery list.
    static func describe(_ error: any Error, timeout: Duration) -> String {
        let text: String
        switch error {
        case let refusal as TargetResolver.Refusal:
            text = refusal.message
        case let error as HTTPClientError
        where [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(error):
            text = "timed out after \(timeout)"
        case let error as HTTPClientError where error == .remoteConnectionClosed:
            text = "the receiver closed the connection without an answer"
        case let error as IOError:
            text = String(cString: strerror(error.errnoCode))
        case let error as NIOConnectionError:
            text = error.connectionErrors.first.map { failure in
                (failure.error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(failure.error)"
            } ?? "cannot connect"
        default:
            text = "\(error)"
        }
        let line = String(text.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? " " : $0 })
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
    }
}
