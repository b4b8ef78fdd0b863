import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The router of the server: the dashboard's files and every HTTP route of its role (documented in
/// docs/openapi.json). WebSocket upgrades of `/ws` are taken before routing, by `HTTP1RelayChannel`.
public func buildRouter(_ server: ServerContext) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    if server.role.servesAPI {
        if let dashboard = server.dashboardDirectory {
            // no-cache: browsers revalidate, so an upgraded dashboard is picked up at once.
            let noCache = CacheControl([(MediaType(type: .any), [.noCache])])
            router.add(middleware: FileMiddleware(dashboard, cacheControl: noCache, searchForIndexHtml: true))
        }
        TaskRoutes(server: server).register(on: router)
        SessionRoutes(server: server).register(on: router)
    }
    HealthRoutes(server: server).register(on: router)
    if server.role.servesStreams { StreamRoutes(server: server).register(on: router) }
    return router
}

/// Builds the HTTP server of the context's role: the API and the lease sweeper, the live streams and the relay,
/// and the health checks.
public func buildApplication(
    _ server: ServerContext, configuration: ApplicationConfiguration, logger: Logger
) -> some ApplicationProtocol {
    var services: [any Service] = []
    if server.role.servesStreams { services.append(server.relay) }
    if server.role.servesAPI {
        services.append(LeaseSweeper(server: server, interval: server.leaseSweepInterval, logger: logger))
    }
    // Keep-alive connections idle for 5 s are closed (as Node's and Apache's defaults), so a client that stops
    // half-way through a request, or never sends one, holds nothing for long.
    let idleTimeout = Duration.seconds(5)
    return Application(
        router: buildRouter(server),
        server: server.role.servesStreams
            ? HTTPServerBuilder { HTTP1RelayChannel(responder: $0, server: server, idleTimeout: idleTimeout) }
            : .http1(configuration: .init(idleTimeout: TimeAmount(idleTimeout))),
        configuration: configuration,
        services: services,
        logger: logger
    )
}
