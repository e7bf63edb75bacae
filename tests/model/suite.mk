# tests/model: spin models of the kernel's protocols, checked by `make test`.
# unotify.pml is the U-notification sleep/wake protocol (docs/unotify-protocol.md);
# check-unotify builds and runs each of its checks (the real protocol in two
# configurations, and mutants spin must reject) and prints one TAP line per check,
# so the harness runs it as a host test and counts every check in the closing line.
# By hand: tests/model/check-unotify [NAME...] (--list names them).

HOST_TESTS += tests/model/check-unotify
