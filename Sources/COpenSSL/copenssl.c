#include "copenssl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static copenssl_api api;
static const copenssl_api *loaded;
static char failure[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define LOAD(name)                                                                                  \
    do {                                                                                            \
        api.name = (__typeof__(api.name))dlsym(library, #name);                                     \
        if (api.name == NULL) {                                                                     \
            snprintf(failure, sizeof failure, "libssl.so.3 has no %s: %s", #name, dlerror());        \
            return;                                                                                 \
        }                                                                                           \
    } while (0)

static void load(void) {
    void *library = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(failure, sizeof failure, "cannot load OpenSSL (libssl.so.3; Debian: libssl3): %s", dlerror());
        return;
    }
    LOAD(TLS_client_method);
    LOAD(SSL_CTX_new);
    LOAD(SSL_CTX_free);
    LOAD(SSL_CTX_ctrl);
    LOAD(SSL_CTX_set_verify);
    LOAD(SSL_CTX_load_verify_dir);
    LOAD(SSL_CTX_load_verify_file);
    LOAD(SSL_new);
    LOAD(SSL_free);
    LOAD(SSL_ctrl);
    LOAD(SSL_get0_param);
    LOAD(SSL_set_hostflags);
    LOAD(SSL_set1_host);
    LOAD(SSL_set_fd);
    LOAD(SSL_connect);
    LOAD(SSL_get_verify_result);
    LOAD(SSL_write);
    LOAD(SSL_read);
    LOAD(SSL_get_error);
    LOAD(X509_get_default_cert_dir);
    LOAD(X509_get_default_cert_dir_env);
    LOAD(X509_VERIFY_PARAM_set1_ip_asc);
    LOAD(X509_verify_cert_error_string);
    LOAD(ERR_get_error);
    LOAD(ERR_error_string_n);
    loaded = &api;
}

const copenssl_api *copenssl_load(char *error, size_t error_size) {
    pthread_once(&once, load);
    if (loaded == NULL && error != NULL) snprintf(error, error_size, "%s", failure);
    return loaded;
}

int copenssl_require_tls12(const copenssl_api *openssl, SSL_CTX *context) {
    return (int)openssl->SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
}

int copenssl_set_server_name(const copenssl_api *openssl, SSL *ssl, const char *name) {
    return (int)openssl->SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)name);
}
