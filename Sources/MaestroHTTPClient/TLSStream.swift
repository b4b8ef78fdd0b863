import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// TLS over a connected socket, with OpenSSL (Debian's libssl, the library curl itself uses for TLS): the server's
/// certificate must chain to a system CA or one in `caFile` (MAESTRO_CA_FILE) and name `host`. An untrusted or
/// mismatched certificate fails the handshake, before the CLI writes a byte of its request.
final class TLSStream: ByteStream {
    private let openssl: UnsafePointer<copenssl_api>
    private let socket: TCPSocket
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Runs the handshake; takes over `socket` (closes it on failure too).
    init(socket: TCPSocket, host: String, caFile: String?) throws {
        self.socket = socket
        var reason = [CChar](repeating: 0, count: 256)
        guard let openssl = copenssl_load(&reason, reason.count) else {
            socket.close()
            throw TransportFailure(.unreachable, reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        self.openssl = openssl
        let api = openssl.pointee
        guard let context = api.SSL_CTX_new(api.TLS_client_method()) else {
            socket.close()
            throw TransportFailure(.unreachable, "cannot set up TLS: \(lastError(openssl))")
        }
        self.context = context
        // An SSL copies its context's settings when it is made: the context is complete first.
        do {
            try Self.configure(context, caFile: caFile, openssl: openssl)
        } catch {
            api.SSL_CTX_free(context)
            socket.close()
            throw error
        }
        guard let ssl = api.SSL_new(context) else {
            api.SSL_CTX_free(context)
            socket.close()
            throw TransportFailure(.unreachable, "cannot set up TLS: \(lastError(openssl))")
        }
        self.ssl = ssl
        do {
            try expect(host: host)
            try handshake(host: host, caFile: caFile)
        } catch {
            close()
            throw error
        }
    }

    /// TLS 1.2 or newer, the peer verified against the trusted CAs.
    private static func configure(
        _ context: OpaquePointer, caFile: String?, openssl: UnsafePointer<copenssl_api>
    ) throws {
        let api = openssl.pointee
        _ = copenssl_require_tls12(openssl, context)
        api.SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        // The system's CAs as a hashed directory (/etc/ssl/certs, or SSL_CERT_DIR): each certificate is read only
        // when a chain needs it. A whole bundle (SSL_CERT_FILE) is not loaded: parsing its 140 certificates would
        // take longer than the rest of the command. Then the operator's own bundle, MAESTRO_CA_FILE.
        let directory =
            getenv(api.X509_get_default_cert_dir_env()!).map { String(cString: $0) }
            ?? String(cString: api.X509_get_default_cert_dir()!)
        _ = api.SSL_CTX_load_verify_dir(context, directory)
        if let caFile {
            guard api.SSL_CTX_load_verify_file(context, caFile) == 1 else {
                throw TransportFailure(
                    .untrusted,
                    "cannot read MAESTRO_CA_FILE \(caFile) as PEM certificates: \(lastError(openssl))")
            }
        }
    }

    /// The name (or address) the certificate must carry, and SNI for a name.
    private func expect(host: String) throws {
        let api = openssl.pointee
        var address = in6_addr()
        let isAddress =
            inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
        if isAddress {
            _ = api.X509_VERIFY_PARAM_set1_ip_asc(api.SSL_get0_param(ssl), host)
        } else {
            _ = copenssl_set_server_name(openssl, ssl, host)
            api.SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            _ = api.SSL_set1_host(ssl, host)
        }
        _ = api.SSL_set_fd(ssl, socket.descriptor)
    }

    private func handshake(host: String, caFile: String?) throws {
        let api = openssl.pointee
        guard api.SSL_connect(ssl) != 1 else { return }
        let verification = api.SSL_get_verify_result(ssl)
        if verification != X509_V_OK {
            let reason =
                api.X509_verify_cert_error_string(verification).map { String(cString: $0) } ?? "code \(verification)"
            let hint =
                caFile == nil
                ? "set MAESTRO_CA_FILE to a PEM bundle holding the CA that signed it"
                : "MAESTRO_CA_FILE (\(caFile!)) does not hold the CA that signed it, or it names another host"
            throw TransportFailure(
                .untrusted,
                "the TLS certificate of \(socket.peer) is not trusted: \(reason); nothing was sent (\(hint))")
        }
        throw TransportFailure(.unreachable, "the TLS handshake with \(socket.peer) failed: \(lastError(openssl))")
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                openssl.pointee.SSL_write(ssl, $0.baseAddress, Int32($0.count))
            }
            guard written > 0 else {
                throw TransportFailure(.unreachable, "lost the TLS connection to \(socket.peer) while sending")
            }
            offset += Int(written)
        }
    }

    func read(into buffer: inout [UInt8]) throws -> Int {
        let count = buffer.withUnsafeMutableBytes { openssl.pointee.SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        if count > 0 { return Int(count) }
        switch openssl.pointee.SSL_get_error(ssl, count) {
        case SSL_ERROR_ZERO_RETURN: return 0
        case SSL_ERROR_SYSCALL where errno == 0: return 0  // closed without close_notify: the response is complete
        default:
            throw TransportFailure(.unreachable, "lost the TLS connection to \(socket.peer): \(lastError(openssl))")
        }
    }

    func close() {
        openssl.pointee.SSL_free(ssl)
        openssl.pointee.SSL_CTX_free(context)
        socket.close()
    }
}

/// OpenSSL's newest queued error, as text.
private func lastError(_ openssl: UnsafePointer<copenssl_api>) -> String {
    let code = openssl.pointee.ERR_get_error()
    guard code != 0 else { return String(cString: strerror(errno)) }
    var text = [CChar](repeating: 0, count: 256)
    openssl.pointee.ERR_error_string_n(code, &text, text.count)
    return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
