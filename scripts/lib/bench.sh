# Shared by the benchmark scripts (sourced, not run): the release build of the benchmark
# tools and small helpers for timing and reading their JSON lines.

# Builds the named products in release mode into .build-release; prints only errors.
build_release() {
  local log
  log=$(mktemp)
  for product in "$@"; do
    swift build -c release --product "$product" --scratch-path .build-release >"$log" 2>&1 \
      || { grep -E "error" "$log" >&2; rm -f "$log"; exit 1; }
  done
  rm -f "$log"
}

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
# A number from a one-line JSON object: field NAME JSON.
field() { sed -n "s/.*\"$1\" *: *\([0-9.e+-]*\).*/\1/p" <<<"$2" | head -1; }
