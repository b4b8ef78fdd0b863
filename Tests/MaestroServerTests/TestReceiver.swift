import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization

/// A webhook receiver on a free loopback port for one test: records every request it gets (headers and body) and
/// answers each with the next status of `answers` (200 once they run out).
final class TestReceiver: Sendable {
    struct Request: Sendable {
        var headers: [String: String]
        var body: [UInt8]

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }
    }

    private let state: Mutex<(requests: [Request], answers: [Int])>

    init(answers: [Int] = []) { state = Mutex(([], answers)) }

    var requests: [Request] { state.withLock { $0.requests } }

    /// Answers the next requests with these statuses.
    func answer(_ statuses: [Int]) { state.withLock { $0.answers = statuses } }

    /// Runs `body` with this receiver listening; its URL is `http://127.0.0.1:<port>/hook`.
    func run(_ body: @Sendable (_ url: String) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let status = self.state.withLock { state -> Int in
                state.requests.append(Request(headers: headers, body: Array(buffer: bytes)))
                return state.answers.isEmpty ? 200 : state.answers.removeFirst()
            }
            return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: "a body nobody reads")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)/hook") }
    }

    /// Waits until `count` requests came, for up to `timeout`.
    func wait(for count: Int, timeout: Duration = .seconds(10)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while requests.count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return requests
    }
}
