import MaestroDomain
import MaestroWebhooks
import Testing

@Suite("Which webhooks want an event")
struct DeliveryMatchingTests {
    static func registration(
        _ id: String, events: [String], projectId: String? = nil, statuses: [SessionStatus]? = nil, created: UInt64 = 1000
    ) -> WebhookRegistration {
        WebhookRegistration(
            webhook: Webhook(
                id: id, url: "https://example.com/", events: events, projectId: projectId, statuses: statuses,
                format: .standard, createdAt: "1970-01-01T00:00:01.000Z"),
            secret: "whsec_x", createdAtMillis: created, request: "")
    }

    static func event(_ ms: UInt64, _ type: EventType, status: String? = nil) -> WireEvent {
        let payload = status.map { #"{"taskId":"t","sessionId":"s","status":"\#($0)"}"# } ?? #"{"taskId":"t"}"#
        return WireEvent(id: StreamID(milliseconds: ms, sequence: 0), type: type, payload: Array(payload.utf8))
    }

    @Test("by type, by session status, by project and by creation time; entries that are not events go to none")
    func matching() {
        let webhooks = [
            Self.registration("all", events: ["*"]),
            Self.registration("attention", events: ["task:session_status"], statuses: [.needsInput, .blocked]),
            Self.registration("created", events: ["task:created", "task:session_status"], projectId: "p"),
            Self.registration("other", events: ["*"], projectId: "q"),
            Self.registration("late", events: ["*"], created: 5000),
        ]
        let targets = DeliveryMatching.targets(
            events: [
                Self.event(2000, .taskCreated), Self.event(3000, .taskSessionStatus, status: "blocked"),
                Self.event(4000, .taskSessionStatus, status: "working"), Self.event(6000, .sessionActive),
            ],
            otherEntries: [StreamID(milliseconds: 7000, sequence: 0)], projectId: "p", webhooks: webhooks)
        #expect(targets.map(\.eventId.milliseconds) == [2000, 3000, 4000, 6000, 7000])
        #expect(targets.map(\.webhookIds) == [
            ["all", "created"], ["all", "attention", "created"], ["all", "created"], ["all", "late"], [],
        ])
    }

    @Test("event types and statuses are checked when a webhook is made")
    func validation() throws {
        try Webhook.validate(events: ["*"], statuses: nil, projectId: nil)
        try Webhook.validate(events: ["task:session_status"], statuses: [.failed], projectId: "p-1")
        for (events, statuses, project) in [
            ([String](), nil, nil), (["task:nope"], nil, nil), (["*", "task:created"], nil, nil),
            (["*"], [SessionStatus](), nil), (["*"], nil, "bad project"),
        ] as [([String], [SessionStatus]?, String?)] {
            #expect(throws: MaestroError.self) {
                try Webhook.validate(events: events, statuses: statuses, projectId: project)
            }
        }
    }
}
