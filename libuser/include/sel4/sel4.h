// Umbrella header with upstream libsel4's name: code written for seL4 includes this.
#pragma once
#include "simple_types.h"
#include "constants.h"
#include "errors.h"
#include "syscall.h"
#include "invocation.h"
#include "objecttype.h"
#include "shared_types.h"
#include "bootinfo_types.h"
#include "functions.h"
#include "syscalls.h"
#include "bootinfo.h"
#include "client.h"
