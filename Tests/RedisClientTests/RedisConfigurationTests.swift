import RedisClient
import Testing

@Suite("Redis URL parsing")
struct RedisConfigurationTests {
    @Test func hostPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal:6380/3")
        #expect(configuration.endpoint == .tcp(host: "cache.internal", port: 6380))
        #expect(configuration.database == 3)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
    }

    @Test func defaultPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.endpoint == .tcp(host: "localhost", port: 6379))
        #expect(configuration.database == 0)
    }

    @Test func emptyPathMeansDatabaseZero() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost:7000/")
        #expect(configuration.endpoint == .tcp(host: "localhost", port: 7000))
        #expect(configuration.database == 0)
    }

    @Test func percentEncodedUserAndPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://al%40ice:p%3As%2Fs%20w%C3%A9@db.example:7000/1")
        #expect(configuration.username == "al@ice")
        #expect(configuration.password == "p:s/s w\u{E9}")
        #expect(configuration.endpoint == .tcp(host: "db.example", port: 7000))
        #expect(configuration.database == 1)
    }

    /// The last `@` separates credentials from the host, so an unencoded `@` in the password still works.
    @Test func unencodedAtSignInPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://bob:a@b@localhost")
        #expect(configuration.username == "bob")
        #expect(configuration.password == "a@b")
        #expect(configuration.endpoint == .tcp(host: "localhost", port: 6379))
    }

    @Test(arguments: ["redis://:s3cret@localhost:6380", "redis://s3cret@localhost:6380"])
    func passwordOnly(url: String) throws {
        let configuration = try RedisConfiguration(url: url)
        #expect(configuration.username == nil)
        #expect(configuration.password == "s3cret")
        #expect(configuration.endpoint == .tcp(host: "localhost", port: 6380))
    }

    @Test func ipv6HostAndPort() throws {
        let configuration = try RedisConfiguration(url: "redis://[::1]:6380/2")
        #expect(configuration.endpoint == .tcp(host: "::1", port: 6380))
        #expect(configuration.endpoint.description == "[::1]:6380")
        #expect(configuration.database == 2)
    }

    @Test func ipv6HostWithDefaultPort() throws {
        let configuration = try RedisConfiguration(url: "redis://[fe80::1]")
        #expect(configuration.endpoint == .tcp(host: "fe80::1", port: 6379))
    }

    @Test func unixSocketWithDatabase() throws {
        let configuration = try RedisConfiguration(url: "unix:///var/run/redis/redis.sock?db=2")
        #expect(configuration.endpoint == .unix(path: "/var/run/redis/redis.sock"))
        #expect(configuration.endpoint.description == "unix:/var/run/redis/redis.sock")
        #expect(configuration.database == 2)
    }

    @Test func unixSocketWithoutDatabase() throws {
        let configuration = try RedisConfiguration(url: "unix:///tmp/redis.sock")
        #expect(configuration.endpoint == .unix(path: "/tmp/redis.sock"))
        #expect(configuration.database == 0)
    }

    @Test func parsedURLKeepsDefaultTimeouts() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration == RedisConfiguration(endpoint: .tcp(host: "localhost", port: 6379)))
    }

    @Test(arguments: [
        "http://localhost:6379",
        "rediss://localhost:6379",
        "localhost:6379",
        "redis://localhost:0",
        "redis://localhost:65536",
        "redis://localhost:port",
        "redis://localhost:",
        "redis://localhost/db1",
        "redis://localhost/-1",
        "redis://[::1",
        "redis://[::1]x",
        "redis://user:%zz@localhost",
        "redis://user:pass%4@localhost",
        "unix://relative/redis.sock",
        "unix:///tmp/redis.sock?db=x",
        "unix:///tmp/redis.sock?database=1",
    ])
    func invalidURL(url: String) throws {
        let error = try #require(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error.code == .invalidURL)
        #expect(error.message.contains(url))
    }
}

@Suite("Redis URL parsing: cluster seeds")
struct RedisClusterURLTests {
    @Test func commaSeparatedHostsAreSeeds() throws {
        let configuration = try RedisConfiguration(url: "redis://user:pass@h1:7000,h2:7001,[::1]:7002,h4/")
        #expect(configuration.endpoint == .tcp(host: "h1", port: 7000))
        #expect(
            configuration.additionalEndpoints == [
                .tcp(host: "h2", port: 7001), .tcp(host: "::1", port: 7002), .tcp(host: "h4", port: 6379),
            ])
        #expect(configuration.username == "user")
        #expect(configuration.password == "pass")
    }

    @Test func singleHostHasNoSeeds() throws {
        #expect(try RedisConfiguration(url: "redis://h1:7000").additionalEndpoints.isEmpty)
    }

    @Test(arguments: ["redis://h1:7000,h2:0", "redis://h1:7000,[::1", "redis://h1:7000,h2:x/1"])
    func badSeedIsRefused(url: String) throws {
        let error = try #require(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error.code == .invalidURL)
    }
}
