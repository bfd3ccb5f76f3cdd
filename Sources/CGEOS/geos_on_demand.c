// GEOS, loaded when first needed rather than when the program starts.
//
// Linking libgeos_c (and through it the C++ libgeos and libstdc++) costs every start of the
// program its relocations (tools/bench/README.md has the figure), though most runs of the bulk
// commands never call GEOS (the native kernel answers). So the executable does not link it: each GEOS function the Swift
// code calls is defined here (same name, the header's prototype, hidden: see CGEOS.h) and
// forwards to the real one, found with dlopen/dlsym on its first call. Every GEOS object
// comes from a context, and GEOSContext asks gk_geos_load_error() before making one, so the
// other functions run only with the library loaded; GEOS_init_r itself returns NULL without it.
#include "CGEOS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *library;
static char failure[512];

static void load(void) {
    // The soname of the GEOS C API (stable across GEOS 3.x), then the development link.
    static const char *const names[] = {"libgeos_c.so.1", "libgeos_c.so"};
    const char *why = "not found";
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!library) why = dlerror();
    }
    if (!library) {
        snprintf(failure, sizeof failure, "cannot load the GEOS library (libgeos_c.so.1): %s; install GEOS (Debian: apt-get install libgeos-c1v5)", why);
    }
}

const char *gk_geos_load_error(void) {
    pthread_once(&once, load);
    return library ? NULL : failure;
}

// The function `name` of the loaded library. Reached only through a context, i.e. with the
// library loaded; a missing symbol means a GEOS older than the one this was built against.
static void *symbol(const char *name) {
    const char *why = gk_geos_load_error();
    void *f = why ? NULL : dlsym(library, name);
    if (!f) {
        fprintf(stderr, "gridkeeper: the GEOS function %s is not available: %s\n", name, why ? why : "the GEOS library is too old");
        abort();
    }
    return f;
}

// Each forwarder finds its function once, typed as the header declares it; the pointer is
// published atomically, so threads that race on the first call at worst look it up twice.
#define RESOLVE(name)                                                             \
    static __typeof__(&name) cached;                                              \
    __typeof__(&name) f = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);             \
    if (!f) {                                                                     \
        f = (__typeof__(&name))symbol(#name);                                     \
        __atomic_store_n(&cached, f, __ATOMIC_RELEASE);                           \
    }
#define FORWARD(ret, name, params, args) ret name params { RESOLVE(name) return f args; }
#define FORWARD_VOID(name, params, args) void name params { RESOLVE(name) f args; }

GEOSContextHandle_t GEOS_init_r(void) {
    if (gk_geos_load_error()) return NULL;
    RESOLVE(GEOS_init_r)
    return f();
}

FORWARD(int, GEOSArea_r, (GEOSContextHandle_t handle, const GEOSGeometry* g, double *area), (handle, g, area))
FORWARD(GEOSGeometry *, GEOSBoundary_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(GEOSGeometry *, GEOSBuffer_r, (GEOSContextHandle_t handle, const GEOSGeometry* g, double width, int quadsegs), (handle, g, width, quadsegs))
FORWARD(char, GEOSContains_r, (GEOSContextHandle_t handle, const GEOSGeometry* g1, const GEOSGeometry* g2), (handle, g1, g2))
FORWARD(GEOSMessageHandler_r, GEOSContext_setErrorMessageHandler_r, (GEOSContextHandle_t extHandle, GEOSMessageHandler_r ef, void *userData), (extHandle, ef, userData))
FORWARD(GEOSGeometry *, GEOSCoverageUnion_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(char, GEOSCovers_r, (GEOSContextHandle_t handle, const GEOSGeometry* g1, const GEOSGeometry* g2), (handle, g1, g2))
FORWARD(GEOSGeometry *, GEOSDifference_r, (GEOSContextHandle_t handle, const GEOSGeometry* g1, const GEOSGeometry* g2), (handle, g1, g2))
FORWARD(int, GEOSDistance_r, (GEOSContextHandle_t handle, const GEOSGeometry* g1, const GEOSGeometry* g2, double *dist), (handle, g1, g2, dist))
FORWARD(char, GEOSEquals_r, (GEOSContextHandle_t handle, const GEOSGeometry* g1, const GEOSGeometry* g2), (handle, g1, g2))
FORWARD_VOID(GEOSFree_r, (GEOSContextHandle_t handle, void *buffer), (handle, buffer))
FORWARD(int, GEOSGeomGetX_r, (GEOSContextHandle_t handle, const GEOSGeometry *g, double *x), (handle, g, x))
FORWARD(int, GEOSGeomGetY_r, (GEOSContextHandle_t handle, const GEOSGeometry *g, double *y), (handle, g, y))
FORWARD(int, GEOSGeomTypeId_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(char *, GEOSGeomType_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(GEOSCoordSequence *, GEOSCoordSeq_copyFromBuffer_r, (GEOSContextHandle_t handle, const double* buf, unsigned int size, int hasZ, int hasM), (handle, buf, size, hasZ, hasM))
FORWARD(GEOSGeometry *, GEOSGeom_createEmptyLineString_r, (GEOSContextHandle_t handle), (handle))
FORWARD(GEOSGeometry *, GEOSGeom_createEmptyPoint_r, (GEOSContextHandle_t handle), (handle))
FORWARD(GEOSGeometry *, GEOSGeom_createEmptyPolygon_r, (GEOSContextHandle_t handle), (handle))
FORWARD(GEOSGeometry *, GEOSGeom_createLineString_r, (GEOSContextHandle_t handle, GEOSCoordSequence* s), (handle, s))
FORWARD(GEOSGeometry *, GEOSGeom_createLinearRing_r, (GEOSContextHandle_t handle, GEOSCoordSequence* s), (handle, s))
FORWARD(GEOSGeometry *, GEOSGeom_createPoint_r, (GEOSContextHandle_t handle, GEOSCoordSequence* s), (handle, s))
FORWARD(GEOSGeometry *, GEOSGeom_createPolygon_r, (GEOSContextHandle_t handle, GEOSGeometry* shell, GEOSGeometry** holes, unsigned int nholes), (handle, shell, holes, nholes))
FORWARD(GEOSGeometry *, GEOSGeom_clone_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(GEOSGeometry *, GEOSGeom_createCollection_r, (GEOSContextHandle_t handle, int type, GEOSGeometry* *geoms, unsigned int ngeoms), (handle, type, geoms, ngeoms))
FORWARD_VOID(GEOSGeom_destroy_r, (GEOSContextHandle_t handle, GEOSGeometry* g), (handle, g))
FORWARD(const GEOSGeometry *, GEOSGetGeometryN_r, (GEOSContextHandle_t handle, const GEOSGeometry* g, int n), (handle, g, n))
FORWARD(int, GEOSGetNumGeometries_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(GEOSGeometry *, GEOSInterpolate_r, (GEOSContextHandle_t handle, const GEOSGeometry *line, double d), (handle, line, d))
FORWARD(GEOSGeometry *, GEOSIntersection_r, (GEOSContextHandle_t handle, const GEOSGeometry* g1, const GEOSGeometry* g2), (handle, g1, g2))
FORWARD(char, GEOSIntersects_r, (GEOSContextHandle_t handle, const GEOSGeometry* g1, const GEOSGeometry* g2), (handle, g1, g2))
FORWARD(int, GEOSLength_r, (GEOSContextHandle_t handle, const GEOSGeometry* g, double *length), (handle, g, length))
FORWARD(GEOSMakeValidParams *, GEOSMakeValidParams_create_r, (GEOSContextHandle_t extHandle), (extHandle))
FORWARD_VOID(GEOSMakeValidParams_destroy_r, (GEOSContextHandle_t handle, GEOSMakeValidParams* parms), (handle, parms))
FORWARD(int, GEOSMakeValidParams_setKeepCollapsed_r, (GEOSContextHandle_t handle, GEOSMakeValidParams* p, int style), (handle, p, style))
FORWARD(int, GEOSMakeValidParams_setMethod_r, (GEOSContextHandle_t handle, GEOSMakeValidParams* p, enum GEOSMakeValidMethods method), (handle, p, method))
FORWARD(GEOSGeometry *, GEOSMakeValidWithParams_r, (GEOSContextHandle_t handle, const GEOSGeometry* g, const GEOSMakeValidParams* makeValidParams), (handle, g, makeValidParams))
FORWARD(int, GEOSNormalize_r, (GEOSContextHandle_t handle, GEOSGeometry* g), (handle, g))
FORWARD(GEOSGeometry *, GEOSPointOnSurface_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(const GEOSPreparedGeometry *, GEOSPrepare_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(char, GEOSPreparedContains_r, (GEOSContextHandle_t handle, const GEOSPreparedGeometry* pg1, const GEOSGeometry* g2), (handle, pg1, g2))
FORWARD(char, GEOSPreparedCovers_r, (GEOSContextHandle_t handle, const GEOSPreparedGeometry* pg1, const GEOSGeometry* g2), (handle, pg1, g2))
FORWARD(char, GEOSPreparedDistanceWithin_r, (GEOSContextHandle_t handle, const GEOSPreparedGeometry* pg1, const GEOSGeometry* g2, double dist), (handle, pg1, g2, dist))
FORWARD(int, GEOSPreparedDistance_r, (GEOSContextHandle_t handle, const GEOSPreparedGeometry* pg1, const GEOSGeometry* g2, double *dist), (handle, pg1, g2, dist))
FORWARD_VOID(GEOSPreparedGeom_destroy_r, (GEOSContextHandle_t handle, const GEOSPreparedGeometry* g), (handle, g))
FORWARD(char, GEOSPreparedIntersects_r, (GEOSContextHandle_t handle, const GEOSPreparedGeometry* pg1, const GEOSGeometry* g2), (handle, pg1, g2))
FORWARD(double, GEOSProject_r, (GEOSContextHandle_t handle, const GEOSGeometry *line, const GEOSGeometry *point), (handle, line, point))
FORWARD(GEOSGeometry *, GEOSUnaryUnion_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(GEOSGeometry *, GEOSUnion_r, (GEOSContextHandle_t handle, const GEOSGeometry* g1, const GEOSGeometry* g2), (handle, g1, g2))
FORWARD(GEOSWKBReader *, GEOSWKBReader_create_r, (GEOSContextHandle_t handle), (handle))
FORWARD(GEOSGeometry *, GEOSWKBReader_read_r, (GEOSContextHandle_t handle, GEOSWKBReader* reader, const unsigned char *wkb, size_t size), (handle, reader, wkb, size))
FORWARD(GEOSWKBWriter *, GEOSWKBWriter_create_r, (GEOSContextHandle_t handle), (handle))
FORWARD_VOID(GEOSWKBWriter_setByteOrder_r, (GEOSContextHandle_t handle, GEOSWKBWriter* writer, int byteOrder), (handle, writer, byteOrder))
FORWARD_VOID(GEOSWKBWriter_setOutputDimension_r, (GEOSContextHandle_t handle, GEOSWKBWriter* writer, int newDimension), (handle, writer, newDimension))
FORWARD(unsigned char *, GEOSWKBWriter_write_r, (GEOSContextHandle_t handle, GEOSWKBWriter* writer, const GEOSGeometry* g, size_t *size), (handle, writer, g, size))
FORWARD(GEOSWKTReader *, GEOSWKTReader_create_r, (GEOSContextHandle_t handle), (handle))
FORWARD_VOID(GEOSWKTReader_destroy_r, (GEOSContextHandle_t handle, GEOSWKTReader* reader), (handle, reader))
FORWARD(GEOSGeometry *, GEOSWKTReader_read_r, (GEOSContextHandle_t handle, GEOSWKTReader* reader, const char *wkt), (handle, reader, wkt))
FORWARD(GEOSWKTWriter *, GEOSWKTWriter_create_r, (GEOSContextHandle_t handle), (handle))
FORWARD_VOID(GEOSWKTWriter_destroy_r, (GEOSContextHandle_t handle, GEOSWKTWriter* writer), (handle, writer))
FORWARD_VOID(GEOSWKTWriter_setOutputDimension_r, (GEOSContextHandle_t handle, GEOSWKTWriter *writer, int dim), (handle, writer, dim))
FORWARD_VOID(GEOSWKTWriter_setRoundingPrecision_r, (GEOSContextHandle_t handle, GEOSWKTWriter *writer, int precision), (handle, writer, precision))
FORWARD_VOID(GEOSWKTWriter_setTrim_r, (GEOSContextHandle_t handle, GEOSWKTWriter *writer, char trim), (handle, writer, trim))
FORWARD(char *, GEOSWKTWriter_write_r, (GEOSContextHandle_t handle, GEOSWKTWriter* writer, const GEOSGeometry* g), (handle, writer, g))
FORWARD_VOID(GEOS_finish_r, (GEOSContextHandle_t handle), (handle))
FORWARD(char, GEOSisEmpty_r, (GEOSContextHandle_t handle, const GEOSGeometry* g), (handle, g))
FORWARD(char, GEOSisValidDetail_r, (GEOSContextHandle_t handle, const GEOSGeometry* g, int flags, char** reason, GEOSGeometry** location), (handle, g, flags, reason, location))
