# tests/model: spin models of the kernel's protocols, checked by `make test`.
# unotify.pml is the U-notification sleep/wake protocol (docs/unotify-protocol.md);
# aipc.pml is asynchronous IPC's co_status protocol (docs/aipc-protocol.md).
# check-unotify and check-aipc (one runner, check-lib) build and run each model's
# checks (the real protocol, and mutants spin must reject) and print one TAP line per
# check, so the harness runs them as host tests and counts every check in the closing
# line. By hand: tests/model/check-NAME [CHECK...] (--list names them).

HOST_TESTS += tests/model/check-unotify tests/model/check-aipc
