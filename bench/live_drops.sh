#!/usr/bin/env bash
# live_drops.sh: the rate at which `wirescan live` starts to lose packets.
#
# Two network namespaces joined by an unshaped veth pair; `wirescan live`
# (AF_PACKET, TPACKET_V3, fanout, 2 workers by default) captures on one end,
# tcpreplay sends a synthetic HTTP/SMB2 mix (pcapgen.SyntheticMix, ~200 MB)
# onto the other at increasing rates. Each rate runs for STEP_SECONDS against
# a fresh wirescan (looping the capture with new addresses each time, so
# every loop is new flows); once wirescan has caught up, /metrics gives the
# packets the kernel handed to the sockets, the packets read and the kernel
# drops (ring full). The table goes to stdout and to OUT as markdown.
#
# Needs root. Installs tcpreplay with apt-get when it is missing. Run from
# the repository with `bash bench/live_drops.sh` (`make bench-live`).
# Settings (environment): RATES (Mbit/s, space-separated; "top" is
# tcpreplay --topspeed), STEP_SECONDS, WORKERS, MIX_MB, CACHE (where the mix
# is kept between runs), OUT, WIRESCAN_BIN (a binary to use instead of
# building one).
set -euo pipefail

cd "$(dirname "$0")/.."
RATES=${RATES:-"100 250 500 600 700 800 900 1000 1500 top"}
STEP_SECONDS=${STEP_SECONDS:-8}
WORKERS=${WORKERS:-2}
MIX_MB=${MIX_MB:-200}
CACHE=${CACHE:-${TMPDIR:-/tmp}/wirescan-bench}
OUT=${OUT:-bench/results/live-drops.md}
GO=${GO:-go}
PORT=19720 # wirescan's --metrics port, on the loopback of the receiving namespace

die() { echo "live_drops.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, AF_PACKET capture)"
for tool in ip curl; do command -v "$tool" >/dev/null || die "missing $tool"; done
if ! command -v tcpreplay >/dev/null; then
	echo "live_drops.sh: installing tcpreplay (apt-get)" >&2
	apt-get install -y tcpreplay >/dev/null 2>&1 ||
		{ apt-get update >/dev/null && apt-get install -y tcpreplay >/dev/null; } ||
		die "could not install tcpreplay"
fi

work=$(mktemp -d)
tx="wsbd$$-tx"
rx="wsbd$$-rx"
wpid=""
cleanup() {
	if [ -n "$wpid" ]; then kill -KILL "$wpid" 2>/dev/null || true; fi
	ip netns del "$tx" 2>/dev/null || true
	ip netns del "$rx" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The binary and the capture to replay (kept in CACHE: generating it takes
# a few seconds, and the same seed always gives the same capture).
# $WIRESCAN_BIN, else a private build (bin/wirescan may be rebuilt meanwhile).
bin=${WIRESCAN_BIN:-}
if [ -z "$bin" ]; then
	bin="$work/wirescan"
	rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	"$GO" build -trimpath -ldflags "-X main.version=$rev" -o "$bin" ./cmd/wirescan
fi
[ -x "$bin" ] || die "no wirescan binary at $bin"
mkdir -p "$CACHE"
mix="$CACHE/mix-${MIX_MB}m-seed1.pcap"
if [ ! -s "$mix" ]; then
	"$GO" run ./bench/cmd/mix -o "$mix.tmp" -mb "$MIX_MB" -seed 1
	mv "$mix.tmp" "$mix"
fi
mix_bytes=$(stat -c %s "$mix")

# The link: no addresses and no shaping; the receiving end drops the
# frames (they are for other hosts) after AF_PACKET saw them.
ip netns add "$tx"
ip netns add "$rx"
ip link add name wstx netns "$tx" type veth peer name wsrx netns "$rx"
ip -n "$tx" link set wstx up
ip -n "$rx" link set wsrx up
ip -n "$rx" link set lo up

metric() { # metric NAME FILE [FORMAT]: the sum of the samples of NAME (all labels)
	awk -v n="$1" -v f="${3:-%.0f}" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf f, s }' "$2"
}
scrape() { # scrape FILE
	ip netns exec "$rx" curl -sS --fail --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$1"
}

rows=()
onset=""
sustained="" # the lowest rate from which every step dropped
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for rate in $RATES; do
	step="$work/step-$rate"
	mkdir -p "$step"
	ip netns exec "$rx" "$bin" live -i wsrx --workers "$WORKERS" -l "$step" \
		--metrics "127.0.0.1:$PORT" --stats-interval 0 2>"$step/wirescan.log" &
	wpid=$!
	for _ in $(seq 100); do
		if ip netns exec "$rx" curl -sf --max-time 1 "http://127.0.0.1:$PORT/-/healthy" >/dev/null 2>&1; then break; fi
		kill -0 "$wpid" 2>/dev/null || die "wirescan live exited: $(cat "$step/wirescan.log")"
		sleep 0.1
	done

	speed=(--mbps="$rate")
	[ "$rate" = top ] && speed=(--topspeed)
	ip netns exec "$tx" tcpreplay -i wstx "${speed[@]}" --preload-pcap --loop=0 --unique-ip \
		--duration="$STEP_SECONDS" --no-flow-stats "$mix" >"$step/tcpreplay.log" 2>&1 ||
		die "tcpreplay failed: $(cat "$step/tcpreplay.log")"
	sent=$(awk '/Actual:/ { print $2; exit }' "$step/tcpreplay.log")
	achieved=$(awk '/Rated:/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^Mbps/) { print $i; exit } }' "$step/tcpreplay.log")

	# Let wirescan empty its rings: the packets read stop changing, and the
	# kernel counters (read once a second) cover them.
	prev=-1
	for _ in $(seq 60); do
		sleep 0.5
		scrape "$step/metrics" || continue
		read_pk=$(metric wirescan_capture_packets_total "$step/metrics")
		kern_pk=$(metric wirescan_capture_kernel_packets_total "$step/metrics")
		if [ "$read_pk" = "$prev" ] && [ "$kern_pk" -ge "$read_pk" ]; then break; fi
		prev=$read_pk
	done
	sleep 1.2
	scrape "$step/metrics"
	read_pk=$(metric wirescan_capture_packets_total "$step/metrics")
	kern_pk=$(metric wirescan_capture_kernel_packets_total "$step/metrics")
	drops=$(metric wirescan_capture_kernel_drops_total "$step/metrics")
	busy_s=$(metric wirescan_worker_busy_seconds_total "$step/metrics" %.1f)
	kill -TERM "$wpid"
	wait "$wpid" || die "wirescan live exited with status $? after SIGTERM: $(tail -5 "$step/wirescan.log")"
	wpid=""

	pct=$(awk -v d="$drops" -v k="$kern_pk" 'BEGIN { printf "%.2f", (k > 0 ? 100 * d / k : 0) }')
	label=$rate
	[ "$rate" = top ] && label="top speed"
	row="| $label | $achieved | $sent | $kern_pk | $read_pk | $drops | $pct | $busy_s |"
	rows+=("$row")
	echo "$row"
	if [ "$drops" -gt 0 ]; then
		[ -n "$onset" ] || onset="$label (achieved $achieved Mbit/s): $drops drops, $pct %"
		[ -n "$sustained" ] || sustained="$label (achieved $achieved Mbit/s)"
	else
		sustained=""
	fi
done

{
	echo "# wirescan live: drop onset"
	echo
	echo "$(date -u +%Y-%m-%d), \`bash bench/live_drops.sh\` (\`make bench-live\`), $("$bin" version)."
	echo "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r);"
	echo "tcpreplay $(tcpreplay --version 2>&1 | awk 'NR == 1 { print $3 }') and wirescan share the CPUs; load average $load_start at the start,"
	echo "$(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine makes the steps noisy)."
	echo
	echo "Setup: an unshaped veth pair between two namespaces; \`wirescan live -i wsrx --workers $WORKERS\`"
	echo "(default ring: 64 MiB per socket, 1 MiB blocks) on one end; \`tcpreplay --mbps R --loop=0 --unique-ip"
	echo "--duration=$STEP_SECONDS --preload-pcap\` on the other, a fresh wirescan per rate. Capture: pcapgen.SyntheticMix,"
	echo "$((mix_bytes >> 20)) MiB (benign HTTP and SMB2 transfers, frames up to 1514 bytes; \`go run ./bench/cmd/mix\`)."
	echo "Counters from /metrics once wirescan caught up: kernel packets = handed to the sockets (drops included),"
	echo "read = processed, drops = \`wirescan_capture_kernel_drops_total\` (ring full); busy = seconds the workers"
	echo "spent processing packets (\`wirescan_worker_busy_seconds_total\`, all workers; the step gives them $((WORKERS * STEP_SECONDS)) s"
	echo "of wall time, plus the catching up after it)."
	echo
	echo "| rate (Mbit/s) | achieved (Mbit/s) | sent packets | kernel packets | read | drops | drop % | busy (s) |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	printf '%s\n' "${rows[@]}"
	echo
	if [ -n "$onset" ]; then
		echo "First rate with drops: **$onset**."
		if [ -n "$sustained" ]; then
			echo "Every step from **$sustained** on dropped."
		else
			echo "The highest rate tried did not drop."
		fi
	else
		echo "No drops up to the highest rate tried."
	fi
	echo
	echo "Each step lasts ${STEP_SECONDS}s and the rings hold 64 MiB per worker, so a rate slightly above what"
	echo "the workers sustain shows drops only once the rings fill: the onset is where sustained overload shows"
	echo "within a step, not the exact capacity (busy approaching the workers' wall time is the sign of saturation)."
} >"$work/report.md"
mkdir -p "$(dirname "$OUT")"
cp "$work/report.md" "$OUT"
echo
cat "$OUT"
