import Hummingbird
import HummingbirdWebSocket
import Logging

/// The routers of the server: the dashboard's files, every HTTP route (documented in docs/openapi.json), and the
/// WebSocket upgrades.
public func buildRouters(_ server: ServerContext) -> (
    http: Router<BasicWebSocketRequestContext>, webSocket: Router<BasicWebSocketRequestContext>
) {
    let router = Router(context: BasicWebSocketRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    if let dashboard = server.dashboardDirectory {
        // no-cache: browsers revalidate, so an upgraded dashboard is picked up at once.
        let noCache = CacheControl([(MediaType(type: .any), [.noCache])])
        router.add(middleware: FileMiddleware(dashboard, cacheControl: noCache, searchForIndexHtml: true))
    }
    TaskRoutes(server: server).register(on: router)
    SessionRoutes(server: server).register(on: router)
    HealthRoutes(server: server).register(on: router)
    let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
    webSocketRouter.add(middleware: ErrorMiddleware())
    StreamRoutes(server: server).register(http: router, webSocket: webSocketRouter)
    return (router, webSocketRouter)
}

/// Builds the HTTP server: the API, the live streams and the health checks, with the relay and the lease sweeper
/// as services.
public func buildApplication(
    _ server: ServerContext, configuration: ApplicationConfiguration, logger: Logger
) -> some ApplicationProtocol {
    let (router, webSocketRouter) = buildRouters(server)
    return Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: webSocketRouter,
            configuration: .init(
                // Keep-alive connections idle for 5 s are closed (as Node's and Apache's defaults), so a client
                // that stops half-way through a request, or never sends one, holds nothing for long.
                http1: .init(idleTimeout: .seconds(5)),
                ws: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(20)), validateUTF8: true))),
        configuration: configuration,
        services: [server.relay, LeaseSweeper(server: server, interval: server.leaseSweepInterval, logger: logger)],
        logger: logger
    )
}
