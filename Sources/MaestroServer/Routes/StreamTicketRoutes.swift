import Foundation
import Hummingbird
import MaestroStore

/// `POST /api/stream-tickets` (user): a short-lived, single-use ticket that opens one live stream
/// (`/ws?ticket=…`, `/events?ticket=…`), so that browsers, which cannot set headers there, never put the user token
/// in a URL.
struct StreamTicketRoutes {
    let server: ServerContext

    struct Issued: Encodable {
        var ticket: String
        /// ISO-8601 UTC.
        var expiresAt: String
    }

    func register(on routes: RouteGroups) {
        routes.user.post("/api/stream-tickets") { request, _ in
            let issue = IssueStreamTicket()
            try await server.pool.execute(issue)
            let expiresAt = Date().addingTimeInterval(StreamTickets.lifetime / .seconds(1))
            return try Response.json(
                Issued(ticket: issue.ticket, expiresAt: expiresAt.formatted(.iso8601)), status: .created)
        }
    }
}
