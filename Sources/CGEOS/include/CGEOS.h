#ifndef GRIDKEEPER_CGEOS_H
#define GRIDKEEPER_CGEOS_H

// GEOS's own declarations (reentrant API only); the functions behind them are defined in
// geos_on_demand.c, which resolves them from libgeos_c on first use, so a run that needs no
// GEOS never loads it. Hidden: they are this program's, and libgeos_c's own calls must never
// bind to them. A GEOS function used without a definition there fails to link.
#define GEOS_USE_ONLY_R_API
#pragma GCC visibility push(hidden)
#include <geos_c.h>
#pragma GCC visibility pop

/// NULL once GEOS is loaded (loading it if need be); else why it could not be.
const char *gk_geos_load_error(void);

#endif
