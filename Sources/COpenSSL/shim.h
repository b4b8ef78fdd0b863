#ifndef MAESTRO_COPENSSL_SHIM_H
#define MAESTRO_COPENSSL_SHIM_H

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/// `SSL_CTX_set_min_proto_version` is a macro; Swift needs a function.
static inline int copenssl_require_tls12(SSL_CTX *context) {
    return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

/// `SSL_set_tlsext_host_name` (SNI) is a macro too.
static inline int copenssl_set_server_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

#endif
