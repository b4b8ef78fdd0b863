import MaestroDomain
import MaestroWebhooks
import Testing

@Suite("Standard Webhooks signatures")
struct WebhookSignatureTests {
    @Test("the specification's own vector: the reference libraries' sign() test")
    func knownVector() throws {
        let secret = try #require(WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8),
            secret: secret)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("any change to the id, the time or a byte of the body changes the signature")
    func bindsEverything() throws {
        let secret = WebhookSecret.generate()
        let body = Array(#"{"a":1}"#.utf8)
        let base = WebhookSignature.sign(id: "1-0", timestamp: 100, body: body, secret: secret)
        #expect(WebhookSignature.sign(id: "1-1", timestamp: 100, body: body, secret: secret) != base)
        #expect(WebhookSignature.sign(id: "1-0", timestamp: 101, body: body, secret: secret) != base)
        #expect(WebhookSignature.sign(id: "1-0", timestamp: 100, body: Array(#"{"a":2}"#.utf8), secret: secret) != base)
        #expect(WebhookSignature.sign(id: "1-0", timestamp: 100, body: body, secret: .generate()) != base)
    }

    @Test("secrets are whsec_ and the base64 of 32 random bytes, read back exactly; anything else is refused")
    func secrets() throws {
        let secret = WebhookSecret.generate()
        #expect(secret.text.hasPrefix("whsec_") && secret.text.count == 6 + 44)
        #expect(WebhookSecret(secret.text) == secret)
        #expect(WebhookSecret.generate() != secret)
        #expect("\(secret)" == "whsec_…", "a secret never describes itself")
        for bad in ["", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!", "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            #expect(WebhookSecret(bad) == nil, "\(bad)")
        }
    }

    @Test("a message carries the event as {id, type, projectId, payload} and the three signed headers")
    func standardMessage() throws {
        let secret = WebhookSecret.generate()
        let message = try WebhookMessage(
            eventId: "1700000000000-3", type: "task:session_status", projectId: "p1",
            payload: #"{"taskId":"t","status":"blocked","notes":"key \"x\""}"#, format: .standard, secret: secret,
            timestamp: 1_700_000_001)
        let body = String(decoding: message.body, as: UTF8.self)
        #expect(
            body == #"{"id":"1700000000000-3","type":"task:session_status","projectId":"p1","payload":"#
                + #"{"taskId":"t","status":"blocked","notes":"key \"x\""}}"#)
        let headers = Dictionary(uniqueKeysWithValues: message.headers.map { ($0.name, $0.value) })
        #expect(headers["webhook-id"] == "1700000000000-3")
        #expect(headers["webhook-timestamp"] == "1700000001")
        #expect(
            headers["webhook-signature"]
                == WebhookSignature.sign(id: "1700000000000-3", timestamp: 1_700_000_001, body: message.body, secret: secret))
        #expect(headers["content-type"] == "application/json")
        #expect(throws: MaestroError.self) {
            try WebhookMessage(
                eventId: "1-0", type: "task:created", projectId: "p", payload: "[1]", format: .standard,
                secret: secret, timestamp: 1)
        }
    }
}
