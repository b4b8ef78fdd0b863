import BenchReporting
import Foundation
import ProcessTestSupport
import RedisTestSupport

/// A maestro-server serving HTTPS on a free port with a certificate from a test CA made for the run (`openssl`),
/// on the benchmark's Redis; stopped with SIGTERM.
final class TLSServerProcess {
    /// The test CA and the server's certificate and key.
    struct Certificates {
        let directory: URL
        var ca: URL { directory.appendingPathComponent("ca.pem") }
        var certificate: URL { directory.appendingPathComponent("server.pem") }
        var key: URL { directory.appendingPathComponent("server.key") }

        /// A CA and a server certificate for 127.0.0.1 and localhost, signed by it.
        static func make() throws -> Certificates {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("maestro-bench-tls-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let certificates = Certificates(directory: directory)
            let openssl = try ExternalTools.onPath("openssl", package: "openssl")
            let path = { (name: String) in directory.appendingPathComponent(name).path }
            try ChildProcess.run(
                openssl,
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"),
                    "-days", "1", "-subj", "/CN=maestro-bench CA",
                ])
            try ChildProcess.run(
                openssl,
                [
                    "req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("server.key"), "-out", path("server.csr"),
                    "-subj", "/CN=localhost",
                ])
            try Data("subjectAltName=DNS:localhost,IP:127.0.0.1\n".utf8).write(to: URL(fileURLWithPath: path("ext")))
            try ChildProcess.run(
                openssl,
                [
                    "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                    "-CAcreateserial", "-out", path("server.pem"), "-days", "1", "-extfile", path("ext"),
                ])
            return certificates
        }
    }

    let certificates: Certificates
    let port: Int
    private let process: Process

    var url: String { "https://127.0.0.1:\(port)" }

    /// Starts `executable` on `redisURL` and waits until it answers over TLS.
    init(executable: URL, redisURL: String, userToken: String) throws {
        certificates = try Certificates.make()
        port = try Loopback.freePort()
        process = Process()
        process.executableURL = executable
        process.arguments = [
            "--port", String(port), "--tls-cert", certificates.certificate.path, "--tls-key", certificates.key.path,
            "--data-dir", certificates.directory.appendingPathComponent("data").path,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["MAESTRO_REDIS_URL"] = redisURL
        environment["MAESTRO_USER_TOKEN"] = userToken
        environment["LOG_LEVEL"] = "warning"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while (try? Loopback.socket(port: port)).map({ close($0) }) == nil {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw BenchError("\(executable.path) did not start serving HTTPS on port \(port)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: certificates.directory)
    }
}
