// civetweb also dlopen()s "libcrypto.so" by that unversioned name: this library has that soname
// and depends on the real libcrypto.so.3 (see libssl_shim.cpp).
extern "C" {
extern const int cproc_libcrypto_shim;
const int cproc_libcrypto_shim = 1;
}
