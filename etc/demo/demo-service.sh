#!/bin/bash
# Demo group resource for clusterd's exec agent: runs org.clusterd.demo.DemoService.
#
#   demo-service.sh start|stop|status NODE GROUP PORT JOURNAL PIDFILE
#
# start   exit 0 if already running; else launch the service in the background (same
#         process group as the caller, on purpose: a test kills the daemon's group to
#         simulate a power loss), record its pid and wait up to START_WAIT seconds until
#         it answers on PORT as this NODE; exit 1 if it never does.
# stop    TERM, wait up to STOP_WAIT seconds, then KILL; remove PIDFILE; exit 0 (also when
#         it was not running); exit 1 only if the process survives KILL.
# status  exit 0 if the pid in PIDFILE is alive and is this DemoService, else 3.
#
# Environment: CLUSTERD_JAR (classpath for java, default ../../target/clusterd.jar next to
# this script), JAVA (default java), CLUSTERD_DEMO_BIND (default 127.0.0.1),
# CLUSTERD_DEMO_LOG (service output, default PIDFILE without .pid plus .log).
# The service's output goes to a file, never to our stdout: a caller that reads our output
# until end of file must not wait for the service.

usage() {
    echo "usage: $0 start|stop|status NODE GROUP PORT JOURNAL PIDFILE" >&2
    exit 2
}

[ $# -eq 6 ] || usage
ACTION=$1 NODE=$2 GROUP=$3 PORT=$4 JOURNAL=$5 PIDFILE=$6
JAR=${CLUSTERD_JAR:-$(dirname "$0")/../../target/clusterd.jar}
JAVA=${JAVA:-java}
BIND=${CLUSTERD_DEMO_BIND:-127.0.0.1}
LOG=${CLUSTERD_DEMO_LOG:-${PIDFILE%.pid}.log}
START_WAIT=10
STOP_WAIT=10
MAIN=org.clusterd.demo.DemoService

case $PORT in ''|*[!0-9]*) echo "PORT must be a number: $PORT" >&2; exit 2 ;; esac

# Alive and not a zombie (our container's init may not reap orphans promptly).
alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$state" ] && [ "$state" != Z ]
}

# Prints the recorded pid if it is alive and is the DemoService of this NODE and GROUP.
running_pid() {
    local pid cmdline
    [ -r "$PIDFILE" ] || return 1
    read -r pid < "$PIDFILE" || [ -n "$pid" ] || return 1
    case $pid in ''|*[!0-9]*) return 1 ;; esac
    alive "$pid" || return 1
    cmdline=" $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"
    case $cmdline in
        *" $MAIN --node $NODE "*) ;;
        *) return 1 ;;
    esac
    case $cmdline in
        *" --group $GROUP "*) echo "$pid" ;;
        *) return 1 ;;
    esac
}

# True if PORT answers with this node's and this pid's line (with SO_REUSEPORT another
# node's instance may share the port on one host, so any answer is not enough).
answers() {
    local connect=$BIND line
    [ "$connect" = 0.0.0.0 ] && connect=127.0.0.1
    line=$( (exec 3<>"/dev/tcp/$connect/$PORT" && read -r -t 2 reply <&3 && echo "$reply") 2>/dev/null )
    case $line in
        "$GROUP served by $NODE pid $1 "*) return 0 ;;
        *) return 1 ;;
    esac
}

do_start() {
    local pid i
    if running_pid > /dev/null; then
        return 0
    fi
    "$JAVA" -Xmx64m -cp "$JAR" "$MAIN" --node "$NODE" --group "$GROUP" --port "$PORT" \
        --journal "$JOURNAL" --bind "$BIND" < /dev/null >> "$LOG" 2>&1 &
    pid=$!
    echo "$pid" > "$PIDFILE"
    for ((i = 0; i < START_WAIT * 10; i++)); do
        if answers "$pid"; then
            return 0
        fi
        if ! alive "$pid"; then
            echo "$MAIN exited during start, see $LOG" >&2
            rm -f "$PIDFILE"
            return 1
        fi
        sleep 0.1
    done
    echo "$MAIN did not answer on port $PORT within ${START_WAIT}s, see $LOG; stopping it" >&2
    do_stop
    return 1
}

do_stop() {
    local pid i
    if ! pid=$(running_pid); then
        rm -f "$PIDFILE"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < STOP_WAIT * 10; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        echo "$MAIN pid $pid ignored TERM for ${STOP_WAIT}s, killing it" >&2
        kill -KILL "$pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
    fi
    if alive "$pid"; then
        echo "$MAIN pid $pid survived KILL" >&2
        return 1
    fi
    rm -f "$PIDFILE"
    return 0
}

case $ACTION in
    start) do_start ;;
    stop) do_stop ;;
    status) running_pid > /dev/null || exit 3 ;;
    *) usage ;;
esac
