import Hummingbird
import MaestroDomain
import MaestroStore

/// `GET /api/fleet` (user): every session across projects and hosts with what it is doing — lifecycle, host, pid,
/// heartbeat age, its progress entries by status and how many are stale — and totals by host and by project.
/// Filters: `project`, `host`, `lifecycle` (comma-separated), `stale` (true: sessions with stale work; false: none).
struct FleetRoutes {
    let server: ServerContext

    struct Filter {
        var host: String?
        var lifecycles: Set<SessionLifecycle>?
        var stale: Bool?

        func admits(_ row: ListFleetSessions.Row) -> Bool {
            (host == nil || row.session.host == host) && (lifecycles?.contains(row.session.status) ?? true)
                && (stale == nil || stale == (row.stale > 0))
        }
    }

    struct FleetSession: Encodable {
        var projectId: String
        var session: SessionRecord
        var progress: [String: Int]
        var stale: Int
        var heartbeatAgeSeconds: Int?
    }

    /// Sessions counted by lifecycle, and how many of them have stale work, for one host or one project.
    struct Total: Encodable {
        var host: String?
        var projectId: String?
        var sessions = 0
        var lifecycle: [String: Int] = [:]
        var withStaleWork = 0

        mutating func add(_ row: FleetSession) {
            sessions += 1
            lifecycle[row.session.status.rawValue, default: 0] += 1
            if row.stale > 0 { withStaleWork += 1 }
        }
    }

    struct Fleet: Encodable {
        var sessions: [FleetSession]
        var totals: Totals
        /// Each project's stream position the fleet reflects: live clients resume from it.
        var cursors: [String: String]
    }

    struct Totals: Encodable {
        var sessions: Int
        var byHost: [Total]
        var byProject: [Total]
    }

    func register(on routes: RouteGroups) {
        routes.user.get("/api/fleet") { request, _ in
            let projects: [String]
            if let project = request.uri.queryParameters.get("project") {
                projects = [try server.scope(project).projectId]
            } else {
                projects = try await server.pool.execute(RegisteredProjects())
            }
            let filter = Filter(
                host: request.uri.queryParameters.get("host"), lifecycles: try Self.lifecycles(of: request),
                stale: try request.flag("stale"))
            var fleet = Fleet(sessions: [], totals: Totals(sessions: 0, byHost: [], byProject: []), cursors: [:])
            for projectId in projects {
                let scope = try server.scope(projectId)
                var offset = 0
                while true {
                    let page = try await server.run(ListFleetSessions(scope: scope, offset: offset, limit: 1000))
                    fleet.cursors[projectId] = fleet.cursors[projectId] ?? page.cursor
                    fleet.sessions += page.sessions.filter(filter.admits).map {
                        FleetSession(
                            projectId: projectId, session: $0.session, progress: $0.progress, stale: $0.stale,
                            heartbeatAgeSeconds: $0.heartbeatAgeSeconds)
                    }
                    offset += page.sessions.count
                    if page.sessions.isEmpty || offset >= page.total { break }
                }
            }
            fleet.totals = Self.totals(of: fleet.sessions)
            return try Response.json(fleet)
        }
    }

    private static func lifecycles(of request: Request) throws -> Set<SessionLifecycle>? {
        guard let text = request.uri.queryParameters.get("lifecycle") else { return nil }
        return Set(
            try text.split(separator: ",").map { name in
                guard let lifecycle = SessionLifecycle(rawValue: String(name)) else {
                    throw APIError.badRequest("unknown lifecycle '\(name)'; use spawning, active, stopped, failed")
                }
                return lifecycle
            })
    }

    private static func totals(of sessions: [FleetSession]) -> Totals {
        var byHost: [String: Total] = [:]
        var byProject: [String: Total] = [:]
        for row in sessions {
            byHost[row.session.host ?? "", default: Total(host: row.session.host)].add(row)
            byProject[row.projectId, default: Total(projectId: row.projectId)].add(row)
        }
        return Totals(
            sessions: sessions.count,
            byHost: byHost.sorted { $0.key < $1.key }.map(\.value),
            byProject: byProject.sorted { $0.key < $1.key }.map(\.value))
    }
}
