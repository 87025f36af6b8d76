# helper.bash: what every bats file loads.  Programs come from $STRATA_BIN
# (make check: the sanitizer build); real peers (Prometheus, moto) are
# started on free 127.0.0.1 ports and stopped by their saved PID in
# teardown, never by name.

bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${STRATA_BIN:=$TOP/build/bin}"
: "${STRATA_TOOLS:=$TOP/build/tools}"
PATH=$STRATA_BIN:$PATH
# shellcheck source=../scripts/pyenv-path
. "$TOP/scripts/pyenv-path"

# Start a background process; remember its PID for teardown.  fd 3 is
# bats' own: a child holding it open would stall the run.
bg() {
	"$@" 3>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
}

# Stop everything bg started, in reverse order, and reap it.
stop_all() {
	local pid
	[ -f "$BATS_TEST_TMPDIR/pids" ] || return 0
	for pid in $(tac "$BATS_TEST_TMPDIR/pids"); do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $(tac "$BATS_TEST_TMPDIR/pids"); do
		wait "$pid" 2>/dev/null || true
	done
	rm -f "$BATS_TEST_TMPDIR/pids"
}

teardown() {
	stop_all
}

freeport() {
	"$STRATA_TOOLS/freeport"
}

# wait_until SECONDS CMD...: run CMD every 0.1 s until it succeeds.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.1
	done
}

# start_prometheus CONFIG [ARGS...]: a real Prometheus on a free loopback
# port with lifecycle endpoints on; sets PROM_URL, PROM_PID, PROM_LOG.
start_prometheus() {
	local config=$1 port
	shift
	port=$(freeport)
	PROM_URL=http://127.0.0.1:$port
	PROM_LOG=$BATS_TEST_TMPDIR/prometheus-$port.log
	mkdir -p "$BATS_TEST_TMPDIR/prom-$port"
	bg prometheus --config.file="$config" \
		--storage.tsdb.path="$BATS_TEST_TMPDIR/prom-$port" \
		--web.listen-address="127.0.0.1:$port" \
		--web.enable-lifecycle "$@" >"$PROM_LOG" 2>&1
	PROM_PID=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
}

prometheus_ready() {
	curl -sf "$PROM_URL/-/ready" >/dev/null
}

# The loaded config of the Prometheus at PROM_URL, as YAML.
prometheus_config() {
	curl -sf "$PROM_URL/api/v1/status/config" | jq -r .data.yaml
}

# make_blocks OM DIR: real blocks from OpenMetrics text with promtool, and
# the wal/ directory 2.42's "promtool tsdb dump" insists on.
make_blocks() {
	promtool tsdb create-blocks-from openmetrics -q "$1" "$2" >/dev/null
	mkdir -p "$2/wal"
}

# dump_oracle DIR [ARGS...]: what promtool says the blocks hold.  It
# writes chunks_head/ into the directory, so it dumps a copy.
dump_oracle() {
	local dir=$1 copy
	shift
	copy=$(mktemp -d "$BATS_TEST_TMPDIR/oracle.XXXXXX")
	cp -r "$dir"/. "$copy"
	mkdir -p "$copy/wal"
	promtool tsdb dump "$@" "$copy"
	rm -rf "$copy"
}

# start_moto: moto's S3 server on a free loopback port with SigV4
# signatures checked (scripts/start-moto-s3), a user, its key and the
# bucket "strata".  Sets S3_ENDPOINT, S3_KEY, S3_SECRET, MOTO_PID and
# MOTO_DIR (which holds objstore.yml and moto.log); MOTO_PID is stopped
# by teardown like anything bg started.
start_moto() {
	MOTO_DIR=$BATS_TEST_TMPDIR/moto
	"$TOP/scripts/start-moto-s3" "$MOTO_DIR" >/dev/null 3>&- || return 1
	# shellcheck source=/dev/null
	. "$MOTO_DIR/env"
	echo "$MOTO_PID" >>"$BATS_TEST_TMPDIR/pids"
}

# moto_aws ARGS...: awscli against the moto of start_moto, with its key.
moto_aws() {
	AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET \
	    AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null \
	    AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	    aws --endpoint-url "http://$S3_ENDPOINT" "$@"
}

# start_dnsmasq HOSTS [ARGS...]: a real dnsmasq (Debian dnsmasq-base) on
# 127.0.0.1 at a free port, as the DNS server of service discovery tests
# (query-merge --store.sd-dns-server=$DNSMASQ_SERVER).  It answers only
# from HOSTS, an /etc/hosts-style file ("127.0.0.2 a.test" lines; several
# lines for one name give several A/AAAA records; created empty if
# missing), and from ARGS such as --srv-host=_http._tcp.x.test,a.test,9090
# (one per SRV record).  Every other name is NXDOMAIN (--local=/#/),
# nothing is forwarded, /etc/hosts and resolv.conf are not read.  After
# editing HOSTS, "kill -HUP $DNSMASQ_PID" makes it re-read the file (and
# drop its cache).  It runs as the current user (--user, so that the file
# stays readable after a root dnsmasq would drop privileges).  Sets
# DNSMASQ_SERVER (127.0.0.1:PORT), DNSMASQ_PORT, DNSMASQ_PID and
# DNSMASQ_LOG (every query is logged); teardown stops it.  Returns 1 if
# it does not come up.
start_dnsmasq() {
	local hosts=$1 try
	shift
	case $hosts in /*) ;; *) hosts=$PWD/$hosts ;; esac
	[ -e "$hosts" ] || : >"$hosts"
	# freeport's port is free for TCP; dnsmasq also needs it for UDP,
	# so a lost race is retried with another port.
	for try in 1 2 3; do
		DNSMASQ_PORT=$(freeport)
		DNSMASQ_SERVER=127.0.0.1:$DNSMASQ_PORT
		DNSMASQ_LOG=$BATS_TEST_TMPDIR/dnsmasq-$DNSMASQ_PORT.log
		bg /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null \
			--pid-file= --user="$(id -un)" --log-facility=- \
			--log-queries --no-resolv --no-hosts --local=/#/ \
			--port="$DNSMASQ_PORT" --listen-address=127.0.0.1 \
			--bind-interfaces --addn-hosts="$hosts" "$@" \
			>"$DNSMASQ_LOG" 2>&1
		DNSMASQ_PID=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
		# It logs reading HOSTS once its sockets are bound.
		if wait_until 5 dnsmasq_up "$hosts"; then
			return 0
		fi
		kill "$DNSMASQ_PID" 2>/dev/null || true
	done
	cat "$DNSMASQ_LOG" >&2
	return 1
}

dnsmasq_up() {
	grep -q "read $1 - " "$DNSMASQ_LOG" && return 0
	kill -0 "$DNSMASQ_PID" 2>/dev/null || return 2
	return 1
}
