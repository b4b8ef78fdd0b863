#ifndef MAESTRO_CHIREDIS_SHIM_H
#define MAESTRO_CHIREDIS_SHIM_H

#include <hiredis.h>

/// `errstr` imports into Swift as a 128-element tuple; this hands it over as a C string.
static inline const char *chiredis_context_errstr(const redisContext *context) {
    return context->errstr;
}

/// The reader's error text, for replies parsed without a socket.
static inline const char *chiredis_reader_errstr(const redisReader *reader) {
    return reader->errstr;
}

#endif
