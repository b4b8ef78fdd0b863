import MaestroWebhooks

/// How this server delivers webhooks.
public struct WebhookSettings: Sendable {
    /// Whether this process sends deliveries at all (the API works either way; other servers deliver).
    public var deliveryEnabled: Bool
    /// Whether targets on loopback, private, link-local and other non-public addresses are allowed (local receivers
    /// in development and tests); refused by default, at creation and at every delivery.
    public var allowPrivateTargets: Bool
    /// When failed deliveries are tried again, and how often.
    public var schedule: RetrySchedule
    /// How long a claimed delivery belongs to the server sending it: if that server dies, another sends it after
    /// this. Longer than `timeout`, or a slow receiver may get the event twice.
    public var lease: Duration
    /// How long one attempt may take, from resolving the host to the response's head.
    public var timeout: Duration
    /// How often each covered project's stream and due deliveries are looked at.
    public var pollInterval: Duration
    /// Deliveries this process sends at once, in all and to one webhook: a slow or dead endpoint holds at most its
    /// own share, so it never delays the others.
    public var concurrency: Int
    public var concurrencyPerWebhook: Int
    /// How much of a response body is read (and then dropped: bodies are never stored or logged).
    public var responseBodyLimit: Int

    public init(
        deliveryEnabled: Bool = true, allowPrivateTargets: Bool = false, schedule: RetrySchedule = .standard,
        lease: Duration = .seconds(30), timeout: Duration = .seconds(10), pollInterval: Duration = .milliseconds(200),
        concurrency: Int = 32, concurrencyPerWebhook: Int = 4, responseBodyLimit: Int = 64 * 1024
    ) {
        self.deliveryEnabled = deliveryEnabled
        self.allowPrivateTargets = allowPrivateTargets
        self.schedule = schedule
        self.lease = lease
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.concurrency = concurrency
        self.concurrencyPerWebhook = concurrencyPerWebhook
        self.responseBodyLimit = responseBodyLimit
    }
}
