# The build every script shares (sourced): its own folder, .build-test, without debug
# information (-gnone for Swift, -g0 for C: two BoringSSL copies make the debug info of a cold
# build most of its time; 7 min 41 s instead of 10–12 min on the 2-core machine). A plain
# `swift build` keeps building .build with debug information, for a debugger, and the two never
# rebuild each other. Usage: source scripts/lib/build-settings.sh; swift build "${build_settings[@]}" …
# The index store stays on: on Linux, SwiftPM finds the tests through it (with
# --disable-index-store the test build fails: "index store path does not exist").
build_settings=(--scratch-path .build-test -Xswiftc -gnone -Xcc -g0)
