import NIOSSL

/// HTTPS and WSS for maestro-server: a certificate chain and its private key, both PEM files.
public enum ServerTLS {
    /// Why the files cannot serve TLS, in words a person can act on.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The server configuration for `certificateFile` (the server's certificate first, then any intermediates) and
    /// `keyFile`; TLS 1.2 or newer.
    public static func configuration(certificateFile: String, keyFile: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw Failure(description: "cannot read the TLS certificate \(certificateFile) as PEM: \(error)")
        }
        guard !chain.isEmpty else { throw Failure(description: "\(certificateFile) holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw Failure(description: "cannot read the TLS private key \(keyFile) as PEM: \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // A key that does not belong to the certificate fails here, at start-up, not at the first handshake.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw Failure(description: "\(keyFile) is not the private key of \(certificateFile): \(error)")
        }
        return configuration
    }
}
