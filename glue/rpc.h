#ifndef SECSETUP_RPC_H
#define SECSETUP_RPC_H

#include "core/rpc.h"

/* secsetup.list, secsetup.show, secsetup.delete, secsetup.stats (never keys). */
extern rpc_export_t secsetup_rpc_cmds[];

#endif
