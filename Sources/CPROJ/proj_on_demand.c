// PROJ, loaded when first called rather than when the program starts.
//
// Linking libproj costs every start of the program the C++ initialisers of PROJ and of the
// libraries it pulls in (curl, TLS, TIFF, ...: tools/bench/README.md has the figure), which is
// most of a one-point lookup and buys nothing when no coordinate needs transforming. So the executable does not link it: each
// PROJ function the Swift code calls is defined here (same name, same prototype, hidden from
// other libraries: see CPROJ.h) and forwards to the real one, found with dlopen/dlsym on the
// first call. If libproj cannot be loaded, the functions fail the way PROJ reports failure
// (NULL, 0, HUGE_VAL) and gk_proj_load_error() says why.
#include "CPROJ.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static struct {
    PJ_CONTEXT *(*context_create)(void);
    PJ_CONTEXT *(*context_destroy)(PJ_CONTEXT *);
    int (*context_set_enable_network)(PJ_CONTEXT *, int);
    int (*context_errno)(PJ_CONTEXT *);
    const char *(*context_errno_string)(PJ_CONTEXT *, int);
    PJ *(*create)(PJ_CONTEXT *, const char *);
    PJ *(*create_crs_to_crs)(PJ_CONTEXT *, const char *, const char *, PJ_AREA *);
    PJ *(*normalize_for_visualization)(PJ_CONTEXT *, const PJ *);
    PJ *(*destroy)(PJ *);
    PJ_TYPE (*get_type)(const PJ *);
    const char *(*get_name)(const PJ *);
    int (*get_area_of_use)(PJ_CONTEXT *, const PJ *, double *, double *, double *, double *, const char **);
    const char *(*as_wkt)(PJ_CONTEXT *, const PJ *, PJ_WKT_TYPE, const char *const *);
    PJ *(*crs_get_datum_forced)(PJ_CONTEXT *, const PJ *);
    int (*coordoperation_has_ballpark_transformation)(PJ_CONTEXT *, const PJ *);
    PJ_COORD (*trans)(PJ *, PJ_DIRECTION, PJ_COORD);
} fn;

static void load(void) {
    // The soname of PROJ 9 first, then the development link, which names whatever PROJ is
    // installed (its C API has kept these functions since PROJ 6).
    static const char *const names[] = {"libproj.so.25", "libproj.so", "libproj.so.22"};
    void *library = NULL;
    const char *why = "not found";
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!library) why = dlerror();
    }
    if (!library) {
        snprintf(failure, sizeof failure, "cannot load the PROJ library (libproj.so.25): %s; install PROJ (Debian: apt-get install libproj25 proj-data)", why);
        return;
    }
    struct { void **slot; const char *name; } symbols[] = {
        {(void **)&fn.context_create, "proj_context_create"},
        {(void **)&fn.context_destroy, "proj_context_destroy"},
        {(void **)&fn.context_set_enable_network, "proj_context_set_enable_network"},
        {(void **)&fn.context_errno, "proj_context_errno"},
        {(void **)&fn.context_errno_string, "proj_context_errno_string"},
        {(void **)&fn.create, "proj_create"},
        {(void **)&fn.create_crs_to_crs, "proj_create_crs_to_crs"},
        {(void **)&fn.normalize_for_visualization, "proj_normalize_for_visualization"},
        {(void **)&fn.destroy, "proj_destroy"},
        {(void **)&fn.get_type, "proj_get_type"},
        {(void **)&fn.get_name, "proj_get_name"},
        {(void **)&fn.get_area_of_use, "proj_get_area_of_use"},
        {(void **)&fn.as_wkt, "proj_as_wkt"},
        {(void **)&fn.crs_get_datum_forced, "proj_crs_get_datum_forced"},
        {(void **)&fn.coordoperation_has_ballpark_transformation, "proj_coordoperation_has_ballpark_transformation"},
        {(void **)&fn.trans, "proj_trans"},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        *symbols[i].slot = dlsym(library, symbols[i].name);
        if (!*symbols[i].slot) {
            snprintf(failure, sizeof failure, "the PROJ library has no %s (too old a PROJ?)", symbols[i].name);
            memset(&fn, 0, sizeof fn);
            return;
        }
    }
}

// True when the real functions are there.
static int ready(void) {
    pthread_once(&once, load);
    return fn.context_create != NULL;
}

const char *gk_proj_load_error(void) { return ready() ? NULL : failure; }

PJ_CONTEXT *proj_context_create(void) { return ready() ? fn.context_create() : NULL; }
PJ_CONTEXT *proj_context_destroy(PJ_CONTEXT *ctx) { return ready() ? fn.context_destroy(ctx) : NULL; }
int proj_context_set_enable_network(PJ_CONTEXT *ctx, int enabled) {
    return ready() ? fn.context_set_enable_network(ctx, enabled) : 0;
}
int proj_context_errno(PJ_CONTEXT *ctx) { return ready() ? fn.context_errno(ctx) : -1; }
const char *proj_context_errno_string(PJ_CONTEXT *ctx, int err) {
    return ready() ? fn.context_errno_string(ctx, err) : failure;
}
PJ *proj_create(PJ_CONTEXT *ctx, const char *definition) { return ready() ? fn.create(ctx, definition) : NULL; }
PJ *proj_create_crs_to_crs(PJ_CONTEXT *ctx, const char *source, const char *target, PJ_AREA *area) {
    return ready() ? fn.create_crs_to_crs(ctx, source, target, area) : NULL;
}
PJ *proj_normalize_for_visualization(PJ_CONTEXT *ctx, const PJ *obj) {
    return ready() ? fn.normalize_for_visualization(ctx, obj) : NULL;
}
PJ *proj_destroy(PJ *p) { return ready() ? fn.destroy(p) : NULL; }
PJ_TYPE proj_get_type(const PJ *obj) { return ready() ? fn.get_type(obj) : PJ_TYPE_UNKNOWN; }
const char *proj_get_name(const PJ *obj) { return ready() ? fn.get_name(obj) : NULL; }
int proj_get_area_of_use(PJ_CONTEXT *ctx, const PJ *obj, double *west, double *south, double *east, double *north,
                         const char **name) {
    return ready() ? fn.get_area_of_use(ctx, obj, west, south, east, north, name) : 0;
}
const char *proj_as_wkt(PJ_CONTEXT *ctx, const PJ *obj, PJ_WKT_TYPE type, const char *const *options) {
    return ready() ? fn.as_wkt(ctx, obj, type, options) : NULL;
}
PJ *proj_crs_get_datum_forced(PJ_CONTEXT *ctx, const PJ *crs) { return ready() ? fn.crs_get_datum_forced(ctx, crs) : NULL; }
int proj_coordoperation_has_ballpark_transformation(PJ_CONTEXT *ctx, const PJ *op) {
    return ready() ? fn.coordoperation_has_ballpark_transformation(ctx, op) : 0;
}

// Filling the union needs no library.
PJ_COORD proj_coord(double x, double y, double z, double t) {
    PJ_COORD c;
    c.v[0] = x;
    c.v[1] = y;
    c.v[2] = z;
    c.v[3] = t;
    return c;
}

PJ_COORD proj_trans(PJ *p, PJ_DIRECTION direction, PJ_COORD coord) {
    if (ready()) return fn.trans(p, direction, coord);
    return proj_coord(HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL);
}
