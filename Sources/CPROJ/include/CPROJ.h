#ifndef GRIDKEEPER_CPROJ_H
#define GRIDKEEPER_CPROJ_H

// PROJ's own declarations; the functions behind them are defined in proj_on_demand.c, which
// resolves them from libproj on first use, so a run that transforms nothing never loads PROJ.
// Hidden: they are this program's, and libproj's own calls must never bind to them.
#define PROJ_DLL __attribute__((visibility("hidden")))
#include <proj.h>

/// NULL once PROJ is loaded (loading it if need be); else why it could not be.
const char *gk_proj_load_error(void);

#endif
