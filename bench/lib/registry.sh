# Sourced by bench scripts: a throwaway docker-registry (Debian package docker-registry) on a free loopback port,
# its storage under $work/registry. The caller sets $work and calls stop_registry from its EXIT trap.
#   start_registry   (re)starts it with empty storage; sets $host (127.0.0.1:PORT) and $registry_pid
#   stop_registry    stops it (idempotent)

registry_pid=
host=127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_registry() {
    if [ -n "$registry_pid" ]; then
        kill "$registry_pid" 2>/dev/null || true
        wait "$registry_pid" 2>/dev/null || true
        registry_pid=
    fi
}

start_registry() {
    stop_registry
    rm -rf "$work/registry"
    mkdir -p "$work/registry/storage"
    cat >"$work/registry/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/storage
  delete:
    enabled: true
http:
  addr: $host
  secret: wharf-bench
YML
    docker-registry serve "$work/registry/config.yml" >"$work/registry.log" 2>&1 &
    registry_pid=$!
    for _ in $(seq 100); do
        if curl -sf "http://$host/v2/" >/dev/null 2>&1; then
            return
        fi
        sleep 0.1
    done
    echo "$(basename "$0"): docker-registry did not start: $(cat "$work/registry.log")" >&2
    exit 1
}
