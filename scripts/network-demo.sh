#!/usr/bin/env bash
# A demo network of cubes on loopback (docs/network.md).
#
#   scripts/network-demo.sh start DIR [N]   N nodes n1..nN (default 5): a ring plus one chord
#                                           (n1-n3), fresh keys under DIR; returns once every
#                                           node sees the whole topology
#   scripts/network-demo.sh restart DIR NODE starts NODE again as it was started (after a
#                                           kill -9, say); returns once it sees every node
#   scripts/network-demo.sh rotate DIR NODE rotates NODE's identity key with the network running
#                                           (docs/security.md, "Node key rotation"): `cube keygen
#                                           --rotate` writes DIR/NODE.key.<n> and its proof, NODE
#                                           restarts with both; the others follow on the proof
#   scripts/network-demo.sh stop DIR        stops every node, unmounts, leaves nothing running
#
# Each node runs the default configuration (with its sample zenki; the storage zenka's blobs
# in DIR/<node>/blobs) from DIR/<node>/conf, with its own stores (state.directory =
# DIR/<node>/state: market and learned keys), and leaves its unix socket at DIR/<node>.sock
# and, when FUSE is usable, its mount at DIR/<node>.mnt.
# Environment: CUBE (the cube binary; default: build .build/debug/cube), P7_DEMO_PORT (first
# TCP port, default 27101; node i listens on P7_DEMO_PORT + i - 1), P7_DEMO_TIMEOUT (seconds
# to wait for the topology, default 30), P7_DEMO_CONFIG (a configuration directory every node
# runs instead of the default one, e.g. with a balanced zenka: README "Pooling machines"; its
# cube.conf and zenki/ are linked, so an edit and `cube reload` reach every node),
# P7_DEMO_SET (`key = value` settings, separated by `;`, for every node, e.g.
# 'market.charge-interval = 5': README "A market between machines").
set -euo pipefail

usage() { echo "usage: $0 start DIR [N] | restart DIR NODE | rotate DIR NODE | stop DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)

cube_binary() {
    if [ -n "${CUBE:-}" ]; then echo "$CUBE"; return; fi
    if [ ! -x "$root/.build/debug/cube" ]; then
        (cd "$root" && scripts/install-deps.sh >&2 && swift build --product cube >&2)
    fi
    echo "$root/.build/debug/cube"
}

# Whether this machine can mount: /dev/fuse, fusermount3 or root.
can_mount() { [ -c /dev/fuse ] && { [ "$(id -u)" -eq 0 ] || command -v fusermount3 >/dev/null; }; }

# Asks node $1 (socket $2) for `list nodes`; prints how many nodes it reaches, itself included.
reachable_count() {
    local reply
    reply=$(PROTOCOL_7_UNIX_PATH="$2" timeout 5 "$P7" list nodes 2>/dev/null) || { echo 0; return; }
    printf '%s\n' "$reply" | tail -n +3 | grep -vc unreachable || true
}

# Writes node $2's configuration directory $1/$2/conf: the default configuration (copied,
# its storage zenka's blobs in $1/$2/blobs), or P7_DEMO_CONFIG's *.conf and zenki/ linked, so
# an edit there reaches every node at its next reload; then zz-demo-node.conf, read last (a
# directory's *.conf files are read in name order, a later key wins): the node's own stores
# and P7_DEMO_SET.
node_config() {
    local dir=$1 node=$2 conf="$1/$2/conf" setting
    rm -rf "$conf"
    if [ -n "${P7_DEMO_CONFIG:-}" ]; then
        local source; source=$(cd "$P7_DEMO_CONFIG" && pwd)
        mkdir -p "$conf"
        for file in "$source"/*.conf; do ln -s "$file" "$conf/"; done
        if [ -d "$source/zenki" ]; then ln -s "$source/zenki" "$conf/zenki"; fi
    else
        "$cube" default-config --out "$conf" >/dev/null
        sed -i "s|^args = \(.*\)|args = \1 --dir $dir/$node/blobs|" "$conf/zenki/storage/zenka.conf"
    fi
    printf '# %s of the demo network in %s (scripts/network-demo.sh)\nstate.directory = %s\n' \
        "$node" "$dir" "$dir/$node/state" > "$conf/zz-demo-node.conf"
    IFS=';' read -ra settings <<< "${P7_DEMO_SET:-}"
    for setting in "${settings[@]}"; do
        [[ "$setting" == *=* ]] || continue
        printf '%s = %s\n' "$(echo "${setting%%=*}" | xargs)" "$(echo "${setting#*=}" | xargs)" >> "$conf/zz-demo-node.conf"
    done
}

# Starts node $2 of the demo in $1 with the arguments saved in $1/$2.args.
launch() {
    local dir=$1 node=$2 args
    mapfile -t args < "$dir/$node.args"
    if grep -qs " $dir/$node.mnt " /proc/mounts; then "$cube" unmount "$dir/$node.mnt" >/dev/null || true; fi
    # Each node works in its own directory: its zenki run under <socket directory>/zenki/.
    nohup "$cube" "${args[@]}" >> "$dir/$node.log" 2>&1 &
    echo $! > "$dir/$node.pid"
    ln -sfn "$dir/$node/cube.sock" "$dir/$node.sock"
}

# How many links node $1 (socket $2) has up.
up_links() {
    PROTOCOL_7_UNIX_PATH="$2" timeout 5 "$P7" links 2>/dev/null | tail -n +3 | grep -c ' up ' || true
}

# Waits until node $2 reaches all $3 nodes (P7_DEMO_TIMEOUT); false on timeout.
wait_for() {
    local dir=$1 node=$2 count=$3 deadline=$(( $(date +%s) + ${P7_DEMO_TIMEOUT:-30} ))
    until [ "$(reachable_count "$node" "$dir/$node.sock")" -eq "$count" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

start() {
    local dir=$1 count=${2:-5}
    [[ "$count" =~ ^[0-9]+$ ]] && [ "$count" -ge 2 ] && [ "$count" -le 50 ] || { echo "N must be 2..50" >&2; exit 2; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if ls "$dir"/*.pid >/dev/null 2>&1; then echo "$dir already holds a running demo: stop it first" >&2; exit 1; fi
    cube=$(cube_binary)
    P7="$(dirname "$cube")/p7"
    [ -x "$P7" ] || (cd "$root" && swift build --product p7 >&2)
    local base=${P7_DEMO_PORT:-27101} i
    : > "$dir/nodes"
    for ((i = 1; i <= count; i++)); do
        rm -f "$dir/n$i.key"
        local key; key=$("$cube" keygen --out "$dir/n$i.key" | awk '{print $NF}' | tail -1)
        echo "n$i $key" >> "$dir/nodes"
    done
    echo "$count" > "$dir/count"
    for ((i = 1; i <= count; i++)); do
        local node="n$i" next=$(( i % count + 1 ))
        # A fresh network: no market store of an earlier demo (restart keeps it).
        rm -rf "$dir/$node/state"
        mkdir -p "$dir/$node"
        node_config "$dir" "$node"
        local args=(run --config "$dir/$node/conf" --name "$node" --socket "$dir/$node/cube.sock"
                    --listen "tcp:127.0.0.1:$((base + i - 1))" --identity "$dir/$node.key" --nodes "$dir/nodes"
                    --peer "tcp:127.0.0.1:$((base + next - 1))")
        # The chord: n1 also links to n3 (a ring of 4 or more gets a shortcut).
        if [ "$i" -eq 1 ] && [ "$count" -ge 4 ]; then args+=(--peer "tcp:127.0.0.1:$((base + 2))"); fi
        if can_mount; then
            # A mount left stale by a killed node would make mkdir fail.
            if grep -qs " $dir/$node.mnt " /proc/mounts; then "$cube" unmount "$dir/$node.mnt" >/dev/null || true; fi
            mkdir -p "$dir/$node.mnt"
            args+=(--mount "$dir/$node.mnt")
        else
            args+=(--no-mount)
        fi
        printf '%s\n' "${args[@]}" > "$dir/$node.args"
        : > "$dir/$node.log"
        launch "$dir" "$node"
    done
    local started; started=$(date +%s%N)
    for ((i = 1; i <= count; i++)); do
        if ! wait_for "$dir" "n$i" "$count"; then
            echo "n$i does not see all $count nodes; logs in $dir/*.log" >&2; stop "$dir"; exit 1
        fi
    done
    for ((i = 1; i <= count; i++)); do up_links "n$i" "$dir/n$i.sock" > "$dir/n$i.links"; done
    echo "network of $count nodes up in $(( ($(date +%s%N) - started) / 1000000 )) ms after start-up: ring n1..n$count$([ "$count" -ge 4 ] && echo ' + chord n1-n3')"
    echo "  sockets: $dir/n<i>.sock   e.g. PROTOCOL_7_UNIX_PATH=$dir/n1.sock $P7 n$((count / 2 + 1)).calc.eval 2+3"
    if can_mount; then echo "  mounts:  $dir/n<i>.mnt   e.g. ls $dir/n1.mnt/nodes/"; fi
}

restart() {
    local dir=$1 node=$2 count pid
    [ -f "$dir/$node.args" ] || { echo "no node $node in $dir" >&2; exit 1; }
    cube=$(cube_binary)
    P7="$(dirname "$cube")/p7"
    pid=$(cat "$dir/$node.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$node is running (pid $pid): kill it first" >&2; exit 1; fi
    count=$(cat "$dir/count")
    launch "$dir" "$node"
    if ! wait_for "$dir" "$node" "$count"; then echo "$node does not see all $count nodes; log in $dir/$node.log" >&2; exit 1; fi
    # And until its own links are back: another node names a command's sender by the link it
    # came in on, so until then n3 would take a command of n1 relayed by n2 for n2's.
    local links deadline=$(( $(date +%s) + ${P7_DEMO_TIMEOUT:-30} ))
    links=$(cat "$dir/$node.links" 2>/dev/null || echo 0)
    until [ "$(up_links "$node" "$dir/$node.sock")" -ge "$links" ]; do
        if [ "$(date +%s)" -ge "$deadline" ]; then echo "$node has not all its $links links back" >&2; exit 1; fi
        sleep 0.1
    done
    echo "$node restarted (pid $(cat "$dir/$node.pid")), sees all $count nodes, its $links links up"
}

# Stops the node whose pid file is $1 (SIGTERM, SIGKILL after 5 s).
stop_pid() {
    local pid; pid=$(cat "$1")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

rotate() {
    local dir=$1 node=$2 old new generation=1
    [ -f "$dir/$node.args" ] || { echo "no node $node in $dir" >&2; exit 1; }
    cube=$(cube_binary)
    # The key the node runs with now: the argument after --identity.
    old=$(grep -A1 -x -- --identity "$dir/$node.args" | tail -n 1)
    while [ -e "$dir/$node.key.$generation" ]; do generation=$((generation + 1)); done
    new="$dir/$node.key.$generation"
    "$cube" keygen --rotate "$old" --out "$new" > /dev/null
    stop_pid "$dir/$node.pid"
    sed -i "s|^$old\$|$new|" "$dir/$node.args"
    # Read last, a later key wins: this proof replaces an earlier rotation's.
    printf 'auth.c25519.rotation = %s\n' "$new.rotation" >> "$dir/$node/conf/zz-demo-node.conf"
    echo "$node: key $new (proof $new.rotation), signed by $old"
    restart "$dir" "$node"
}

stop() {
    local dir=$1 pid node cube
    [ -d "$dir" ] || { echo "no such directory $dir" >&2; exit 1; }
    cube=$(cube_binary)
    for file in "$dir"/*.pid; do
        [ -e "$file" ] || continue
        node=$(basename "$file" .pid)
        stop_pid "$file"
        # Not `[ -d ]`: the mount of a killed node is stale and stat fails on it.
        if grep -qs " $dir/$node.mnt " /proc/mounts; then "$cube" unmount "$dir/$node.mnt" || true; fi
        rm -f "$file" "$dir/$node.sock"
    done
    echo "stopped the demo network in $dir"
}

case "${1:-}" in
    start) [ $# -ge 2 ] || usage; start "$2" "${3:-5}" ;;
    restart) [ $# -eq 3 ] || usage; restart "$2" "$3" ;;
    rotate) [ $# -eq 3 ] || usage; rotate "$2" "$3" ;;
    stop) [ $# -eq 2 ] || usage; stop "$2" ;;
    *) usage ;;
esac
