#!/usr/bin/env bats
# Endpoint discovery (common/net/endpoint, query-merge --store): dns+,
# dnssrv+ and dnssrvnoa+ against a real dnsmasq, records changed under a
# running resolver's feet, and DNS servers that refuse or never answer.

load helper

setup() {
	D=$BATS_TEST_TMPDIR/work
	mkdir -p "$D"
	cd "$D"
	R=$STRATA_TOOLS/endpoint-resolve
	cat >hosts <<-EOF
	127.0.0.2 multi.test
	127.0.0.3 multi.test
	127.0.0.4 multi.test
	::1 multi.test
	127.0.0.11 a.srv.test
	127.0.0.12 b.srv.test
	127.0.0.13 b.srv.test
	127.0.0.20 hup.test
	EOF
}

# Milliseconds since the epoch, for "did not hang" checks.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# hosts_read N: dnsmasq has read the hosts file N times (or more).
hosts_read() {
	[ "$(grep -c "read $D/hosts - " "$DNSMASQ_LOG")" -ge "$1" ]
}

@test "dns+: every A and AAAA record, sorted, with scheme and path" {
	start_dnsmasq hosts
	run -0 --separate-stderr "$R" --server="$DNSMASQ_SERVER" \
		dns+multi.test:9090
	[ "$output" = "http://127.0.0.2:9090
http://127.0.0.3:9090
http://127.0.0.4:9090
http://[::1]:9090" ]
	[ -z "$stderr" ]
	run -0 "$R" --server="$DNSMASQ_SERVER" dns+https://a.srv.test:443/prom
	[ "$output" = "https://127.0.0.11:443/prom" ]
	# The lookups really went to dnsmasq.
	grep -q 'query\[AAAA\] multi.test from 127.0.0.1' "$DNSMASQ_LOG"
	# An IP literal needs no lookup; a URL is never resolved.
	run -0 "$R" --server="$DNSMASQ_SERVER" dns+127.0.0.9:1 \
		'dns+[::1]:2' http://multi.test:3 multi.test:4
	[ "$output" = "http://127.0.0.9:1
http://[::1]:2
http://multi.test:3
http://multi.test:4" ]
	! grep -q '127.0.0.9' "$DNSMASQ_LOG"
}

@test "dnssrv+: each SRV target's addresses with its port; dnssrvnoa+: the targets" {
	start_dnsmasq hosts \
		--srv-host=_http._tcp.prom.test,b.srv.test,9002,10,5 \
		--srv-host=_http._tcp.prom.test,a.srv.test,9001,20,5
	run -0 --separate-stderr "$R" --server="$DNSMASQ_SERVER" \
		dnssrv+_http._tcp.prom.test
	[ "$output" = "http://127.0.0.11:9001
http://127.0.0.12:9002
http://127.0.0.13:9002" ]
	[ -z "$stderr" ]
	run -0 "$R" --server="$DNSMASQ_SERVER" dnssrvnoa+_http._tcp.prom.test
	[ "$output" = "http://a.srv.test:9001
http://b.srv.test:9002" ]
	# A port in the spec wins over the records' (Thanos).
	run -0 "$R" --server="$DNSMASQ_SERVER" \
		dnssrv+https://_http._tcp.prom.test:7/x \
		dnssrvnoa+_http._tcp.prom.test:8
	[ "$output" = "https://127.0.0.11:7/x
https://127.0.0.12:7/x
https://127.0.0.13:7/x
http://a.srv.test:8
http://b.srv.test:8" ]
	grep -q 'query\[SRV\] _http._tcp.prom.test' "$DNSMASQ_LOG"
}

@test "an answer too big for UDP comes over TCP: 60 SRV records" {
	args=()
	for i in $(seq 1 60); do
		args+=("--srv-host=_http._tcp.big.test,target-$i.big.test,$((9000 + i))")
	done
	start_dnsmasq hosts "${args[@]}"
	run -0 --separate-stderr "$R" --server="$DNSMASQ_SERVER" \
		dnssrvnoa+_http._tcp.big.test
	[ "${#lines[@]}" -eq 60 ]
	[ "${lines[0]}" = http://target-1.big.test:9001 ]
	[ "$output" = "$(for i in $(seq 1 60); do
		echo "http://target-$i.big.test:$((9000 + i))"; done | sort)" ]
	[ -z "$stderr" ]
}

@test "NXDOMAIN, no records and targets without addresses: no URLs, no error" {
	start_dnsmasq hosts \
		--srv-host=_http._tcp.half.test,a.srv.test,9001 \
		--srv-host=_http._tcp.half.test,gone.test,9009
	run -0 --separate-stderr "$R" --server="$DNSMASQ_SERVER" \
		dns+nope.test:1 dnssrv+_http._tcp.nope.test \
		dnssrvnoa+_http._tcp.nope.test dnssrv+a.srv.test
	[ -z "$output" ]
	[ -z "$stderr" ]
	grep -q 'nope.test is NXDOMAIN' "$DNSMASQ_LOG"
	# a.srv.test has no AAAA record, gone.test no address at all.
	run -0 --separate-stderr "$R" --server="$DNSMASQ_SERVER" \
		dnssrv+_http._tcp.half.test
	[ "$output" = "http://127.0.0.11:9001" ]
	[ -z "$stderr" ]
}

@test "a record added or removed, then SIGHUP: the next resolve sees it" {
	start_dnsmasq hosts
	run -0 "$R" --server="$DNSMASQ_SERVER" dns+hup.test:9090
	[ "$output" = "http://127.0.0.20:9090" ]
	echo "127.0.0.21 hup.test" >>hosts
	sed -i '/^127.0.0.20 /d' hosts
	echo "127.0.0.22 new.test" >>hosts
	kill -HUP "$DNSMASQ_PID"
	wait_until 5 hosts_read 2
	run -0 "$R" --server="$DNSMASQ_SERVER" dns+hup.test:9090 \
		dns+new.test:1
	[ "$output" = "http://127.0.0.21:9090
http://127.0.0.22:1" ]
}

@test "one resolver across refreshes sees the records change" {
	start_dnsmasq hosts --srv-host=_http._tcp.r.test,a.srv.test,9001
	mkfifo go
	"$R" --server="$DNSMASQ_SERVER" --rounds=2 dns+hup.test:1 \
		dnssrv+_http._tcp.r.test <go >out 2>err 3>&- &
	pid=$!
	exec 5>go
	wait_until 5 grep -q '^--$' out
	echo "127.0.0.14 a.srv.test" >>hosts
	echo "127.0.0.23 hup.test" >>hosts
	kill -HUP "$DNSMASQ_PID"
	wait_until 5 hosts_read 2
	echo >&5
	exec 5>&-
	wait "$pid"
	[ "$(cat out)" = "http://127.0.0.20:1
http://127.0.0.11:9001
--
http://127.0.0.20:1
http://127.0.0.23:1
http://127.0.0.11:9001
http://127.0.0.14:9001" ]
	[ ! -s err ]
}

@test "a DNS server that refuses or never answers: an error soon, never a hang" {
	# Nobody on the port: the kernel refuses at once.
	port=$(freeport)
	t0=$(now_ms)
	run -1 --separate-stderr "$R" --server="127.0.0.1:$port" \
		dns+multi.test:9090
	[ -z "$output" ]
	[ "$stderr" = "endpoint-resolve: endpoint 'dns+multi.test:9090': lookup A multi.test at 127.0.0.1:$port: connection refused" ]
	[ $(($(now_ms) - t0)) -lt 2000 ]

	# A socket that takes queries and never answers: 2 tries of 1 s,
	# then an error.
	port=$(freeport)
	bg python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").close()
time.sleep(120)' "$port" "$D/blackhole.ready"
	wait_until 5 test -e "$D/blackhole.ready"
	t0=$(now_ms)
	run -1 --separate-stderr "$R" --server="127.0.0.1:$port" \
		dnssrv+_http._tcp.prom.test dns+127.0.0.1:1
	elapsed=$(($(now_ms) - t0))
	[ "$output" = "http://127.0.0.1:1" ]
	[ "$stderr" = "endpoint-resolve: endpoint 'dnssrv+_http._tcp.prom.test': lookup SRV _http._tcp.prom.test at 127.0.0.1:$port: no answer in time" ]
	[ "$elapsed" -ge 1500 ]
	[ "$elapsed" -lt 5000 ]

	# dnsmasq with no upstream refuses names outside its own (no
	# --local here): an error at once, not a timeout.
	DNSMASQ_LOG=$BATS_TEST_TMPDIR/refusing.log
	port=$(freeport)
	bg /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--pid-file= --user="$(id -un)" --log-facility=- --no-resolv \
		--no-hosts --port="$port" --listen-address=127.0.0.1 \
		--bind-interfaces --addn-hosts="$D/hosts" >"$DNSMASQ_LOG" 2>&1
	wait_until 5 grep -q "read $D/hosts" "$DNSMASQ_LOG"
	t0=$(now_ms)
	run -1 --separate-stderr "$R" --server="127.0.0.1:$port" \
		dns+elsewhere.example:1
	[ "$stderr" = "endpoint-resolve: endpoint 'dns+elsewhere.example:1': lookup A elsewhere.example at 127.0.0.1:$port: refused or unusable answer" ]
	[ $(($(now_ms) - t0)) -lt 2000 ]
}

@test "no server given: /etc/hosts and IP literals still resolve" {
	run -0 "$R" dns+localhost:9090 dns+10.1.2.3:1 http://x.invalid:2
	[[ ${lines[0]} == http://127.0.0.1:9090 ]]
	[[ $output == *"http://10.1.2.3:1
http://x.invalid:2" ]]
}

@test "bad specs and bad servers: one line naming them" {
	run -1 --separate-stderr "$R" dns+prom dnsa+prom:1 '' ftp://x:1 \
		dns+127.0.0.1:5
	[ "$output" = "http://127.0.0.1:5" ]
	[ "$stderr" = "endpoint-resolve: endpoint 'dns+prom': missing port
endpoint-resolve: endpoint 'dnsa+prom:1': unknown prefix 'dnsa+' (want dns+, dnssrv+ or dnssrvnoa+)
endpoint-resolve: empty endpoint
endpoint-resolve: endpoint 'ftp://x:1': unsupported scheme (want http:// or https://)" ]
	run -2 --separate-stderr "$R" --server=localhost:53 dns+a:1
	[ "$stderr" = "endpoint-resolve: DNS server 'localhost:53': not an IPv4 ADDR[:PORT]" ]
	run -2 "$R"
	run -0 "$R" --help
	[[ $output == usage:* ]]
}
