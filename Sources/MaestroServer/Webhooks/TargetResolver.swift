import MaestroWebhooks
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Finds the address a webhook delivery connects to: the host's addresses from the system resolver, every one of
/// them checked (`TargetAddress`), and the first one pinned for the connection — so a name that resolves elsewhere a
/// moment later (DNS rebinding) cannot redirect the request into the server's own networks.
enum TargetResolver {
    /// Why a target cannot be delivered to; its message is what a person sees (a 400 at creation, a delivery's
    /// last error afterwards).
    struct Refusal: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// The address to connect to (text form) for `target`; throws `Refusal` when the host does not resolve in time,
    /// or (unless `allowPrivate`) when any of its addresses is not on the public internet.
    static func address(for target: WebhookTarget, allowPrivate: Bool, timeout: Duration) async throws -> String {
        let addresses: [[UInt8]]
        if let literal = target.literalAddress {
            addresses = [literal]
        } else {
            addresses = try await lookUp(target.host, timeout: timeout)
        }
        guard let first = addresses.first else { throw Refusal(message: "\(target.host) has no address") }
        if !allowPrivate {
            for address in addresses {
                if let refusal = TargetAddress.refusal(address) {
                    let via = target.literalAddress == nil ? "\(target.host) resolves to " : ""
                    throw Refusal(
                        message: "\(via)\(TargetAddress.text(address)), a \(refusal.rawValue) address: webhooks are "
                            + "only delivered to public addresses (the server's --allow-private-webhook-targets "
                            + "lifts this)")
                }
            }
        }
        return TargetAddress.text(first)
    }

    /// The host's addresses (IPv4 and IPv6, in the resolver's order, without repeats), waiting at most `timeout`.
    static func lookUp(_ host: String, timeout: Duration) async throws -> [[UInt8]] {
        let waiter = Waiter()
        return try await withCheckedThrowingContinuation { continuation in
            waiter.pending.withLock { $0 = continuation }
            let finish = waiter.finish
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled {
                    finish(.failure(Refusal(message: "resolving \(host) took longer than \(timeout)")))
                }
            }
            NIOThreadPool.singleton.submit { state in
                defer { timer.cancel() }
                guard state == .active else { return finish(.failure(Refusal(message: "the server is stopping"))) }
                finish(Result { try resolve(host) })
            }
        }
    }

    /// The continuation of one look-up, resumed once: by the resolver or by the timeout, whichever comes first.
    private final class Waiter: Sendable {
        let pending = Mutex<CheckedContinuation<[[UInt8]], any Error>?>(nil)

        func finish(_ result: Result<[[UInt8]], any Error>) {
            pending.withLock { continuation in
                continuation?.resume(with: result)
                continuation = nil
            }
        }
    }

    /// getaddrinfo(3), blocking.
    private static func resolve(_ host: String) throws -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw Refusal(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var node = list
        while let info = node?.pointee {
            var bytes: [UInt8]?
            if info.ai_family == AF_INET {
                bytes = info.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                }
            } else if info.ai_family == AF_INET6 {
                bytes = info.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                }
            }
            if let bytes, !addresses.contains(bytes) { addresses.append(bytes) }
            node = info.ai_next
        }
        return addresses
    }
}
