# Sourced by scripts/opensearch/{start,stop} and scripts/elasticsearch/{start,stop}:
# one implementation of a throwaway single-node search server for the tests,
# built from Maven Central jars and run by a small embedded launcher.
#
# Why shared: both servers' test nodes are built, started, waited for and
# stopped the same way; only names, the launcher class and JVM options differ.
#
# The caller sets, before calling node_start_main or node_stop_main:
#   NODE_PRODUCT      display name (OpenSearch, Elasticsearch)
#   NODE_FILE         base name of the work dir's files and of the config file
#                     (opensearch -> opensearch.pid, opensearch.log, config/opensearch.yml)
#   NODE_MAIN_CLASS   the launcher's main class (also how its process is recognised)
#   NODE_FIRST_PORT   first HTTP port the config file allows (for messages)
#   NODE_CACHE        where the build (jars and compiled classes) is cached
#   NODE_WAIT_SECONDS how long to wait for the node to be ready
#   NODE_JVM_OPTS     (array) JVM options, the work dir's temp dir excluded
#   HERE              the caller's directory: pom.xml, src/main/java, config/
# Progress goes to stderr; start prints <NODE_FILE upper-cased>_URL=http://127.0.0.1:PORT last on stdout.

NODE_LOG_TAIL_LINES=80
NODE_TERM_WAIT_SECONDS=20
NODE_KILL_WAIT_SECONDS=10

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [[ "$(id -u)" -eq 0 ]]; }

# --- Java and Maven -----------------------------------------------------------

java_tool() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/$1" ]]; then
        printf '%s\n' "$JAVA_HOME/bin/$1"
    else
        command -v "$1"
    fi
}

ensure_java_tools() {
    if java_tool java >/dev/null && java_tool javac >/dev/null && command -v mvn >/dev/null; then
        return 0
    fi
    is_root || die "java, javac (17 or newer) and mvn are needed" \
        "(Debian: apt-get install openjdk-17-jdk-headless maven)"
    say "installing Java and Maven (apt-get)"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless maven
}

# --- cached build -------------------------------------------------------------

# Changes whenever pom.xml or the sources change.
build_key() {
    (
        cd "$HERE"
        find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum
    ) | sha256sum | cut -c1-16
}

# True if a running process has DIR/ on its command line (its classpath).
in_use() {
    local f args
    for f in /proc/[0-9]*/cmdline; do
        args="$(tr '\0' ' ' <"$f" 2>/dev/null)" || continue
        [[ "$args" == *"$1/"* ]] && return 0
    done
    return 1
}

# Sets BUILD to $NODE_CACHE/build-KEY holding lib/ (jars from Maven Central)
# and classes/ (the compiled sources), building it first if needed. One
# directory per KEY: a rebuild never touches the classpath of a running node.
ensure_build() {
    local key tmp dir
    key="$(build_key)"
    BUILD="$NODE_CACHE/build-$key"
    [[ -f "$BUILD/done" ]] && return 0

    mkdir -p "$NODE_CACHE"
    # Parallel starts: one builds, the others wait and reuse its result.
    exec 9>"$NODE_CACHE/lock"
    flock 9
    if [[ ! -f "$BUILD/done" ]]; then
        say "building the $NODE_PRODUCT test node in $NODE_CACHE (jars from Maven Central)"
        tmp="$NODE_CACHE/tmp-$key"
        rm -rf "$tmp"
        mkdir -p "$tmp"
        # -f: no need to cd; copy-dependencies writes only to outputDirectory.
        # Maven's output is shown only on failure (our stdout is for the URL).
        if ! mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies \
            -DincludeScope=runtime -DoutputDirectory="$tmp/lib" >"$tmp/maven.log" 2>&1; then
            cat "$tmp/maven.log" >&2
            die "could not fetch the $NODE_PRODUCT jars with Maven (see above)"
        fi
        # shellcheck disable=SC2046  # source paths have no spaces
        "$(java_tool javac)" --release 17 -encoding UTF-8 -nowarn -d "$tmp/classes" \
            -cp "$tmp/lib/*" $(find "$HERE/src/main/java" -name '*.java') ||
            die "could not compile the $NODE_PRODUCT test node's sources"
        touch "$tmp/done"
        rm -rf "$BUILD"
        mv "$tmp" "$BUILD"
        # Drop builds of older sources, unless a running node still uses one.
        for dir in "$NODE_CACHE"/build-*; do
            [[ "$dir" == "$BUILD" ]] || in_use "$dir" || rm -rf "$dir"
        done
    fi
    exec 9>&-
}

# --- node ---------------------------------------------------------------------

# True if PID is a live (not zombie) process of the test node; a recycled
# PID of some other program is never signalled.
node_alive() {
    local pid="$1" state
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [[ "$state" != Z ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$NODE_MAIN_CLASS"
}

node_pid() { cat "$WORK/$NODE_FILE.pid" 2>/dev/null; }

show_log_tail() {
    local log="$WORK/$NODE_FILE.log"
    if [[ -s "$log" ]]; then
        printf -- '--- %s node log (last %s lines of %s) ---\n' "$NODE_PRODUCT" "$NODE_LOG_TAIL_LINES" "$log" >&2
        tail -n "$NODE_LOG_TAIL_LINES" "$log" >&2
        printf -- '-------------------------------------------------\n' >&2
    fi
}

fail() {
    show_log_tail
    "$HERE/stop" "$WORK" >&2 || true
    die "$@"
}

prepare_home() {
    local home="$WORK/home"
    mkdir -p "$home/config" "$home/data" "$home/logs" "$home/tmp"
    # Always the committed config, so edits take effect on the next start.
    cp "$HERE/config/$NODE_FILE.yml" "$HERE/config/log4j2.properties" "$home/config/"
    rm -f "$WORK/http.port"
}

launch_node() {
    local home="$WORK/home" java
    java="$(java_tool java)"
    local opts=("${NODE_JVM_OPTS[@]}" -Djava.io.tmpdir="$home/tmp")
    # setsid: own session, so the node outlives this script and ignores the
    # terminal; all standard streams redirected, so a caller capturing our
    # stdout with $(...) does not wait for the node.
    (
        cd "$home"
        exec setsid "$java" "${opts[@]}" -cp "$BUILD/classes:$BUILD/lib/*" "$NODE_MAIN_CLASS" \
            "$WORK/http.port" "path.home=$home" "path.data=$home/data" "path.logs=$home/logs"
    ) </dev/null >>"$WORK/$NODE_FILE.log" 2>&1 &
    printf '%s\n' "$!" >"$WORK/$NODE_FILE.pid"
}

# True once the cluster is at least yellow (HTTP 200; 408 while waiting).
health_ok() {
    local url="http://127.0.0.1:$1/_cluster/health?wait_for_status=yellow&timeout=2s"
    if command -v curl >/dev/null; then
        curl -fsS -o /dev/null -m 10 "$url" 2>/dev/null
    else
        python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' \
            "$url" 2>/dev/null
    fi
}

wait_for_node() {
    local deadline=$((SECONDS + NODE_WAIT_SECONDS)) pid port=""
    pid="$(node_pid)"
    while :; do
        node_alive "$pid" || fail "the $NODE_PRODUCT node exited during startup"
        if [[ -z "$port" && -s "$WORK/http.port" ]]; then
            port="$(cat "$WORK/http.port")"
        fi
        if [[ -n "$port" ]] && health_ok "$port"; then
            HTTP_PORT="$port"
            return 0
        fi
        ((SECONDS < deadline)) ||
            fail "$NODE_PRODUCT not ready (cluster health yellow) after $NODE_WAIT_SECONDS s"
        sleep 1
    done
}

# node_start_main WORKDIR
node_start_main() {
    [[ $# -eq 1 && -n "$1" ]] || die "usage: $HERE/start WORKDIR"
    mkdir -p "$1"
    WORK="$(cd "$1" && pwd)"
    if node_alive "$(node_pid)"; then
        die "an $NODE_PRODUCT node already runs from $WORK (pid $(node_pid))"
    fi

    ensure_java_tools
    ensure_build
    prepare_home

    local started=$SECONDS
    say "starting $NODE_PRODUCT on 127.0.0.1 (first free port from $NODE_FIRST_PORT; log $WORK/$NODE_FILE.log)"
    launch_node
    wait_for_node
    say "$NODE_PRODUCT ready on 127.0.0.1:$HTTP_PORT ($((SECONDS - started)) s)"
    printf '%s_URL=http://127.0.0.1:%s\n' "${NODE_FILE^^}" "$HTTP_PORT"
}

# Waits up to $2 seconds for PID $1 to end.
wait_gone() {
    local deadline=$((SECONDS + $2))
    while node_alive "$1"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# node_stop_main WORKDIR: TERM (the node closes cleanly), then KILL if it still
# runs after 20 s. Does nothing, successfully, when no node runs from WORKDIR.
# Leaves WORKDIR itself (log, data) to the caller.
node_stop_main() {
    [[ $# -eq 1 && -n "$1" ]] || die "usage: $HERE/stop WORKDIR"
    local work="$1" pid
    pid="$(cat "$work/$NODE_FILE.pid" 2>/dev/null)" || pid=""
    if node_alive "$pid"; then
        say "stopping $NODE_PRODUCT (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" "$NODE_TERM_WAIT_SECONDS"; then
            printf 'warning: %s (pid %s) still running after %s s, killing it\n' \
                "$NODE_PRODUCT" "$pid" "$NODE_TERM_WAIT_SECONDS" >&2
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" "$NODE_KILL_WAIT_SECONDS" ||
                die "could not stop $NODE_PRODUCT (pid $pid)"
        fi
    fi
    rm -f "$work/$NODE_FILE.pid" "$work/http.port"
}
