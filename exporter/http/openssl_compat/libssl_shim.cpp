// Debian 12's civetweb 1.15 was built for the OpenSSL 1.1 API and dlopen()s "libssl.so" by that
// name, looking up SSL_get_peer_certificate, which OpenSSL 3 only has as a macro for
// SSL_get1_peer_certificate (civetweb issue #1334). This library has the soname "libssl.so",
// depends on the real libssl.so.3 and supplies that one function, so civetweb's TLS works
// without libssl-dev on the host.
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate
extern "C" X509* SSL_get_peer_certificate(const SSL* ssl);
extern "C" X509* SSL_get_peer_certificate(const SSL* ssl) { return SSL_get1_peer_certificate(ssl); }
