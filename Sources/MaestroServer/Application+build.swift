import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The router of the server: the dashboard's files and every HTTP route of its role (documented in
/// docs/openapi.json). WebSocket upgrades of `/ws` are taken before routing, by `HTTP1RelayChannel`.
public func buildRouter(_ server: ServerContext) -> Router<MaestroRequestContext> {
    let router = Router(context: MaestroRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: QueryTokenGuard())
    if server.role.servesAPI {
        if let dashboard = server.dashboardDirectory {
            // no-cache: browsers revalidate, so an upgraded dashboard is picked up at once.
            let noCache = CacheControl([(MediaType(type: .any), [.noCache])])
            router.add(middleware: FileMiddleware(dashboard, cacheControl: noCache, searchForIndexHtml: true))
        }
    }
    // After the file middleware: the groups' middleware runs only for the routes they hold.
    let routes = RouteGroups(router, server: server)
    if server.role.servesAPI {
        TaskRoutes(server: server).register(on: routes)
        SessionRoutes(server: server).register(on: routes)
        StreamTicketRoutes(server: server).register(on: routes)
        ProjectRoutes(server: server).register(on: routes)
        ExportRoutes(server: server).register(on: routes)
        FleetRoutes(server: server).register(on: routes)
        WebhookRoutes(server: server).register(on: routes)
    }
    HealthRoutes(server: server).register(on: routes)
    if server.role.servesStreams { StreamRoutes(server: server).register(on: routes) }
    return router
}

/// Builds the HTTP server of the context's role: the API, its sweepers (leases, stale work, the archive) and webhook
/// deliveries, the live streams and the relay, and the health checks; over TLS (HTTPS and WSS on the same port) when
/// `tls` is given. Keep-alive connections idle for `idleTimeout` are closed (5 s, as Node's and Apache's defaults), so
/// a client that stops half-way through a request, or never sends one, holds nothing for long.
public func buildApplication(
    _ server: ServerContext, configuration: ApplicationConfiguration, tls: TLSConfiguration? = nil,
    idleTimeout: Duration = .seconds(5), logger: Logger
) throws -> some ApplicationProtocol {
    var services: [any Service] = []
    if server.role.servesStreams { services.append(server.relay) }
    if server.role.servesAPI {
        services.append(LeaseSweeper(server: server, interval: server.sweepInterval, logger: logger))
        services.append(StaleSweeper(server: server, interval: server.sweepInterval, logger: logger))
        services.append(ArchiveSweeper(server: server, logger: logger))
        if server.webhooks.deliveryEnabled { services.append(WebhookDispatcher(server: server, logger: logger)) }
    }
    let http: HTTPServerBuilder =
        server.role.servesStreams
        ? HTTPServerBuilder {
            HTTP1RelayChannel(responder: $0, server: server, idleTimeout: idleTimeout, isSecure: tls != nil)
        }
        : .http1(configuration: .init(idleTimeout: TimeAmount(idleTimeout)))
    return Application(
        router: buildRouter(server),
        server: try tls.map { try .tls(http, tlsConfiguration: $0) } ?? http,
        configuration: configuration,
        services: services,
        logger: logger
    )
}
