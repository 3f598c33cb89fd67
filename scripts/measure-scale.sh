#!/usr/bin/env bash
# The scale targets of issue 17 that a test cannot hold: memory (VmHWM/VmRSS from /proc), time,
# and what the emulator writes to its --state database, for one binary.
#
#   scripts/measure-scale.sh [BIN]      BIN defaults to $CARGO_TARGET_DIR/debug/agentcore-tui
#
# Targets: emulator with 20k recommendations <= 150 MB; --local TUI showing 10k <= 120 MB;
# headless `recs list --json` over 10k <= 0.5 s; an idle emulator writes nothing; a write costs
# the records it changed. Numbers from a debug build are upper bounds of a release build's.
# Every process it starts listens on 127.0.0.1 only and is stopped on exit; it needs tmux for the TUI.
set -euo pipefail

BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/agentcore-tui}
[ -x "$BIN" ] || { echo "no binary at $BIN: build it (cargo build) or pass its path" >&2; exit 2; }
BIN=$(realpath "$BIN")
work=$(mktemp -d)
chmod 700 "$work"
pids=()
session="measure-scale-$$"
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    tmux kill-session -t "$session" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

status() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status"; }
io() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/io"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
mb() { echo "$(( $1 / 1024 )) MB"; }

# start_emulator NAME ARGS...: sets EMU_PID and EMU_URL.
start_emulator() {
    local name=$1; shift
    "$BIN" emulator --port 0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
    EMU_PID=$!
    pids+=("$EMU_PID")
    for _ in $(seq 600); do
        EMU_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/$name.out" | head -1 || true)
        [ -n "$EMU_URL" ] && return 0
        kill -0 "$EMU_PID" 2>/dev/null || { cat "$work/$name.err" >&2; exit 1; }
        sleep 0.1
    done
    echo "emulator $name did not start" >&2
    exit 1
}

stop_emulator() { kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true; }

app() {
    AWS_ENDPOINT_URL=$EMU_URL AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
        AWS_REGION=us-east-1 AGENTCORE_TUI_DATA_DIR="$work/data" \
        AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none" "$BIN" "$@"
}

echo "binary: $BIN"

echo "== emulator, 20k recommendations, no --state"
start_emulator mem --world demo --recommendations 20000
echo "after start: VmRSS $(mb "$(status "$EMU_PID" VmRSS)"), VmHWM $(mb "$(status "$EMU_PID" VmHWM)")"
app recs list --json >/dev/null
echo "after a full list: VmRSS $(mb "$(status "$EMU_PID" VmRSS)"), VmHWM $(mb "$(status "$EMU_PID" VmHWM)")  (target <= 150 MB)"
stop_emulator

echo "== emulator, 10k recommendations, --state"
state="$work/state/world.db"
mkdir -p "$work/state"
start_emulator disk --world demo --recommendations 10000 --state "$state"
echo "state file: $(du -k "$state" | cut -f1) KB, after start VmHWM $(mb "$(status "$EMU_PID" VmHWM)")"
ticks=$(cpu_ticks "$EMU_PID"); wb=$(io "$EMU_PID" write_bytes); sw=$(io "$EMU_PID" syscw)
sleep 10
echo "idle 10 s: $(( $(cpu_ticks "$EMU_PID") - ticks )) CPU ticks, $(( $(io "$EMU_PID" write_bytes) - wb )) bytes written, $(( $(io "$EMU_PID" syscw) - sw )) write calls"
wb=$(io "$EMU_PID" write_bytes); ticks=$(cpu_ticks "$EMU_PID")
start=$(date +%s%N)
app recs list --json >"$work/list.json"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "headless recs list --json over $(grep -o '"arn"' "$work/list.json" | wc -l) recommendations: $ms ms (target <= 500 ms), of which the emulator's CPU $(( ($(cpu_ticks "$EMU_PID") - ticks) * 10 )) ms; emulator wrote $(( $(io "$EMU_PID" write_bytes) - wb )) bytes for it"
for _ in 1 2 3 4 5; do app recs list --json >/dev/null; done
echo "5 more lists: $(( $(io "$EMU_PID" write_bytes) - wb )) bytes written in all"
victim=$(grep -m1 -o '"id": *"[^"]*"' "$work/list.json" | sed 's/.*"\([^"]*\)"$/\1/')
wb=$(io "$EMU_PID" write_bytes)
app recs delete --yes "$victim" >/dev/null
echo "one recs delete: $(( $(io "$EMU_PID" write_bytes) - wb )) bytes written"
stop_emulator

if command -v tmux >/dev/null; then
    echo "== --local TUI, 10k recommendations, the list open (F2)"
    mkdir -p "$work/tui"
    tmux new-session -d -s "$session" -x 100 -y 30 \
        "env AGENTCORE_TUI_DATA_DIR=$work/tui AGENTCORE_EMULATOR_RECOMMENDATIONS=10000 NO_COLOR=1 $BIN --local"
    sleep 3
    tmux send-keys -t "$session" F2
    tui=$(tmux list-panes -t "$session" -F '#{pane_pid}')
    for _ in $(seq 60); do
        tmux capture-pane -p -t "$session" | grep -q "10[0-9][0-9][0-9]" && break
        sleep 0.5
    done
    sleep 2
    for k in End Home PageDown PageDown Enter Escape; do tmux send-keys -t "$session" "$k"; sleep 0.3; done
    echo "TUI process: VmRSS $(mb "$(status "$tui" VmRSS)"), VmHWM $(mb "$(status "$tui" VmHWM)")  (target <= 120 MB)"
    tmux capture-pane -p -t "$session" | head -5
fi
