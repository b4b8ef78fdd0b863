#ifndef MAESTRO_COPENSSL_H
#define MAESTRO_COPENSSL_H

#include <stddef.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/// The OpenSSL functions the CLI's https:// needs, loaded from Debian's libssl3 with dlopen on first use: a `maestro`
/// that talks to Redis, or over plain http://, never pays for loading the library (a third of its start-up).
typedef struct {
    __typeof__(TLS_client_method) *TLS_client_method;
    __typeof__(SSL_CTX_new) *SSL_CTX_new;
    __typeof__(SSL_CTX_free) *SSL_CTX_free;
    __typeof__(SSL_CTX_ctrl) *SSL_CTX_ctrl;
    __typeof__(SSL_CTX_set_verify) *SSL_CTX_set_verify;
    __typeof__(SSL_CTX_load_verify_dir) *SSL_CTX_load_verify_dir;
    __typeof__(SSL_CTX_load_verify_file) *SSL_CTX_load_verify_file;
    __typeof__(SSL_new) *SSL_new;
    __typeof__(SSL_free) *SSL_free;
    __typeof__(SSL_ctrl) *SSL_ctrl;
    __typeof__(SSL_get0_param) *SSL_get0_param;
    __typeof__(SSL_set_hostflags) *SSL_set_hostflags;
    __typeof__(SSL_set1_host) *SSL_set1_host;
    __typeof__(SSL_set_fd) *SSL_set_fd;
    __typeof__(SSL_connect) *SSL_connect;
    __typeof__(SSL_get_verify_result) *SSL_get_verify_result;
    __typeof__(SSL_write) *SSL_write;
    __typeof__(SSL_read) *SSL_read;
    __typeof__(SSL_get_error) *SSL_get_error;
    __typeof__(X509_get_default_cert_dir) *X509_get_default_cert_dir;
    __typeof__(X509_get_default_cert_dir_env) *X509_get_default_cert_dir_env;
    __typeof__(X509_VERIFY_PARAM_set1_ip_asc) *X509_VERIFY_PARAM_set1_ip_asc;
    __typeof__(X509_verify_cert_error_string) *X509_verify_cert_error_string;
    __typeof__(ERR_get_error) *ERR_get_error;
    __typeof__(ERR_error_string_n) *ERR_error_string_n;
} copenssl_api;

/// Loads libssl (and with it libcrypto) once; NULL with the reason in `error` when it cannot.
const copenssl_api *copenssl_load(char *error, size_t error_size);

/// `SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)`, a macro over SSL_CTX_ctrl.
int copenssl_require_tls12(const copenssl_api *api, SSL_CTX *context);

/// `SSL_set_tlsext_host_name(ssl, name)` (SNI), a macro over SSL_ctrl.
int copenssl_set_server_name(const copenssl_api *api, SSL *ssl, const char *name);

#endif
