#!/usr/bin/env bash
# Coverage-guided fuzzing of the datagram decoder and the view behind it, with SharpFuzz and afl-fuzz.
# Usage: fuzz/run.sh [seconds]     (default 300; 0 runs until Ctrl-C)
# Needs afl-fuzz (Debian: apt-get install -y afl++). Results go to fuzz/out/ (see docs/security.md, "Fuzzing").
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-300}"
out="$here/out"
project="$here/ScuttlebuttAkka.Fuzz"

if ! command -v afl-fuzz >/dev/null; then
  echo "afl-fuzz not found: install it first (Debian: apt-get install -y afl++)" >&2
  exit 1
fi

cd "$here"
dotnet tool restore >/dev/null

# Two builds: a plain one writes the seeds and replays findings (instrumented code crashes outside afl-fuzz),
# and a copy whose ScuttlebuttAkka.dll is instrumented for afl-fuzz's coverage map.
rm -rf "$out/plain" "$out/instrumented" "$out/seeds"
dotnet publish "$project" -c Release -o "$out/plain" -v quiet -nologo
cp -r "$out/plain" "$out/instrumented"
dotnet sharpfuzz "$out/instrumented/ScuttlebuttAkka.dll"
dotnet "$out/plain/ScuttlebuttAkka.Fuzz.dll" --seeds "$out/seeds"

# SharpFuzz targets are not native AFL binaries; crashes are reported by the harness, not by core dumps.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
limit=()
if [ "$seconds" != "0" ]; then
  limit=(-V "$seconds")
  export AFL_NO_UI=1
fi

status=0
afl-fuzz "${limit[@]}" -i "$out/seeds" -o "$out/findings" -t 5000 -m none -- dotnet "$out/instrumented/ScuttlebuttAkka.Fuzz.dll" >"$out/afl.log" 2>&1 || status=$?

stats="$out/findings/default/fuzzer_stats"
if [ -f "$stats" ]; then
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|edges_found|stability|saved_crashes|saved_hangs) ' "$stats"
fi

crashes=("$out/findings/default/crashes/"id:*)
if [ -e "${crashes[0]}" ]; then
  echo "CRASHES FOUND; replay them with the plain build:" >&2
  echo "  dotnet $out/plain/ScuttlebuttAkka.Fuzz.dll --replay $out/findings/default/crashes/id:*" >&2
  exit 1
fi

if [ "$status" -ne 0 ]; then
  echo "afl-fuzz exited with $status; see $out/afl.log" >&2
  exit "$status"
fi
