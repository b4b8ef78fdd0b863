import Hummingbird
import HummingbirdCore
import Logging

/// The router of the server: the dashboard's files and every HTTP route (documented in docs/openapi.json).
/// WebSocket upgrades of `/ws` are taken before routing, by `HTTP1RelayChannel`.
public func buildRouter(_ server: ServerContext) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    if let dashboard = server.dashboardDirectory {
        // no-cache: browsers revalidate, so an upgraded dashboard is picked up at once.
        let noCache = CacheControl([(MediaType(type: .any), [.noCache])])
        router.add(middleware: FileMiddleware(dashboard, cacheControl: noCache, searchForIndexHtml: true))
    }
    TaskRoutes(server: server).register(on: router)
    SessionRoutes(server: server).register(on: router)
    HealthRoutes(server: server).register(on: router)
    StreamRoutes(server: server).register(on: router)
    return router
}

/// Builds the HTTP server: the API, the live streams and the health checks, with the relay and the lease sweeper
/// as services.
public func buildApplication(
    _ server: ServerContext, configuration: ApplicationConfiguration, logger: Logger
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(server),
        server: HTTPServerBuilder { responder in
            // Keep-alive connections idle for 5 s are closed (as Node's and Apache's defaults), so a client that
            // stops half-way through a request, or never sends one, holds nothing for long.
            HTTP1RelayChannel(responder: responder, server: server, idleTimeout: .seconds(5))
        },
        configuration: configuration,
        services: [server.relay, LeaseSweeper(server: server, interval: server.leaseSweepInterval, logger: logger)],
        logger: logger
    )
}
