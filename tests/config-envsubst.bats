#!/usr/bin/env bats
# config-envsubst: substitution rules, atomic and change-only writes, and
# --watch against a real Prometheus 2.42 with --web.enable-lifecycle.

load helper

setup() {
	# A directory of our own: bats keeps files in BATS_TEST_TMPDIR.
	D=$BATS_TEST_TMPDIR/work
	mkdir -p "$D"
	cd "$D"
}

# A Prometheus config template with the seed deployment's external labels.
write_template() {
	cat >"$1" <<'YML'
global:
  scrape_interval: 15s
  external_labels:
    cluster: $(CLUSTER)
    replica: $(POD_NAME)
YML
}

@test "--help prints usage on stdout and exits 0" {
	run -0 --separate-stderr config-envsubst --help
	[[ $output == usage:* ]]
	[[ $output == *--reloader.config-envsubst-file* ]]
	[ -z "$stderr" ]
}

@test "--version prints the version; a bad flag is a usage error" {
	run -0 config-envsubst --version
	[[ $output =~ ^config-envsubst\ [0-9]+\.[0-9]+ ]]
	run -2 --separate-stderr config-envsubst --bogus a b
	[[ $stderr == *usage:* ]]
	run -2 config-envsubst only-one-operand
	run -2 config-envsubst a b c
}

@test "a write error on stdout is reported with exit 1" {
	run -1 bash -c 'config-envsubst --version >/dev/full'
	[[ $output == *"write <stdout>"* ]]
}

@test "replaces \$(NAME) with the environment" {
	write_template t.yml
	CLUSTER=eu1 POD_NAME=prometheus-0 run -0 config-envsubst t.yml out.yml
	[[ $output == *"event=render"*"changed=true"* ]]
	grep -qx '    cluster: eu1' out.yml
	grep -qx '    replica: prometheus-0' out.yml
	[ "$(stat -c %a out.yml)" = 644 ]
}

@test "only complete \$(NAME) references are substituted (Thanos' rules)" {
	printf '%s\n' 'a=$(A) b=$A c=${A} d=$() e=$(A-B) f=$$(A) g=$(A)$(B)' \
		'h=$(1X) i=$(E) j=$( k=$(A' 'l=$(A)' '$(' '$' >t
	run -0 env A=x B=y 1X=digit E= config-envsubst t out
	[ "$(sed -n 1p out)" = 'a=x b=$A c=${A} d=$() e=$(A-B) f=$x g=xy' ]
	[ "$(sed -n 2p out)" = 'h=digit i= j=$( k=$(A' ]
	[ "$(sed -n 3p out)" = 'l=x' ]
	[ "$(sed -n 4p out)" = '$(' ]
	[ "$(sed -n 5p out)" = '$' ]
	# Values are inserted as they are, never re-expanded.
	printf 'v=$(A)\n' >t2
	run -0 env 'A=$(B)' B=no config-envsubst t2 out2
	[ "$(cat out2)" = 'v=$(B)' ]
	# A template without a trailing newline stays that way.
	printf 'x=$(A)' >t3
	run -0 env A=1 config-envsubst t3 out3
	[ "$(od -An -c out3 | tr -d ' ')" = 'x=1' ]
}

@test "an unset variable names itself and its line, and OUTPUT is untouched" {
	write_template t.yml
	echo 'precious old config' >out.yml
	before=$(stat -c '%i %Y' out.yml)
	run -1 --separate-stderr env -u POD_NAME CLUSTER=eu1 config-envsubst t.yml out.yml
	[ "$stderr" = 'config-envsubst: t.yml:5: environment variable "POD_NAME" is not set' ]
	[ -z "$output" ]
	[ "$(cat out.yml)" = 'precious old config' ]
	[ "$(stat -c '%i %Y' out.yml)" = "$before" ]
	# No temporary file left behind.
	[ "$(ls -A | grep -v -e "^out.yml$" -e "^t.yml$")" = "" ]
}

@test "OUTPUT is rewritten only when its content changes, by rename" {
	write_template t.yml
	export CLUSTER=eu1 POD_NAME=p0
	run -0 config-envsubst t.yml out.yml
	ino=$(stat -c %i out.yml)
	touch -d '2020-01-01 00:00:00' out.yml
	mtime=$(stat -c %Y out.yml)
	run -0 config-envsubst t.yml out.yml
	[[ $output == *"changed=false"* ]]
	[ "$(stat -c %i out.yml)" = "$ino" ]
	[ "$(stat -c %Y out.yml)" = "$mtime" ]
	POD_NAME=p1 run -0 config-envsubst t.yml out.yml
	[[ $output == *"changed=true"* ]]
	grep -q 'replica: p1' out.yml
	# Replaced by rename: a reader holding the old file keeps the old one.
	[ "$(stat -c %i out.yml)" != "$ino" ]
}

@test "a gzip template is decompressed first, whatever its name" {
	printf 'replica: $(POD_NAME)\n' | gzip >t.yml
	POD_NAME=p0 run -0 config-envsubst t.yml out.yml
	[ "$(cat out.yml)" = 'replica: p0' ]
	head -c 20 t.yml >bad
	echo keep >out.yml
	run -1 --separate-stderr config-envsubst bad out.yml
	[[ $stderr == "config-envsubst: bad: gzip: "* ]]
	[ "$(cat out.yml)" = keep ]
}

@test "Thanos' flag names work like the operands" {
	write_template t.yml
	CLUSTER=c POD_NAME=p run -0 config-envsubst \
		--reloader.config-file=t.yml --reloader.config-envsubst-file=o.yml
	grep -q 'replica: p' o.yml
	run -2 config-envsubst --reloader.config-file=t.yml other.yml x.yml
}

@test "bad input: missing template, unwritable output, bad durations" {
	run -1 --separate-stderr config-envsubst nope.yml out.yml
	[ "$stderr" = 'config-envsubst: nope.yml: No such file or directory' ]
	[ ! -e out.yml ]
	echo 'a: 1' >t.yml
	run -1 --separate-stderr config-envsubst t.yml no/such/dir/out.yml
	[[ $stderr == *"no/such/dir/out.yml"* ]]
	run -2 --separate-stderr config-envsubst --watch --reloader.watch-interval=5x t.yml out.yml
	[[ $stderr == *"reloader.watch-interval"*"5x"* ]]
	run -2 config-envsubst --prometheus.url=ftp://x t.yml out.yml
	run -2 config-envsubst --reloader.rule-dir=. t.yml out.yml
}

# --- --watch against a real Prometheus -----------------------------------

# Start config-envsubst --watch writing events to $D/events.
start_watch() {
	bg config-envsubst --watch --reloader.watch-interval=1h \
		--reloader.retry-interval=500ms "$@" >"$D/events" 2>"$D/watch.log"
	WATCH_PID=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
}

config_has() {
	prometheus_config | grep -q -- "$1"
}

reloads() {
	grep -c 'event=reload ' "$D/events" || true
}

@test "--watch: an edited template is live in Prometheus after the reload" {
	write_template t.yml
	export CLUSTER=eu1 POD_NAME=prometheus-0
	config-envsubst t.yml prometheus.yml
	start_prometheus prometheus.yml
	wait_until 30 prometheus_ready
	start_watch --prometheus.url="$PROM_URL" t.yml prometheus.yml
	wait_until 20 grep -q 'event=reload .*status=200' events
	config_has 'replica: prometheus-0'
	# In-place write, as an editor does it.
	sed -i 's/cluster: .*/cluster: eu2-$(POD_NAME)/' t.yml
	wait_until 20 config_has 'cluster: eu2-prometheus-0'
	grep -q 'event=render .*changed=true' events
	# Rename over the template, as kubectl cp or an atomic writer does.
	sed 's/eu2/eu3/' t.yml >t.new && mv t.new t.yml
	wait_until 20 config_has 'cluster: eu3-prometheus-0'
}

@test "--watch: a ConfigMap-style ..data symlink swap is picked up" {
	mkdir -p cm/..2026_v1 cm/..2026_v2
	write_template cm/..2026_v1/prometheus.yaml.tmpl
	write_template cm/..2026_v2/prometheus.yaml.tmpl
	sed -i 's/cluster: .*/cluster: swapped/' cm/..2026_v2/prometheus.yaml.tmpl
	ln -s ..2026_v1 cm/..data
	ln -s ..data/prometheus.yaml.tmpl cm/prometheus.yaml.tmpl
	export CLUSTER=first POD_NAME=prometheus-1
	config-envsubst cm/prometheus.yaml.tmpl prometheus.yml
	start_prometheus prometheus.yml
	wait_until 30 prometheus_ready
	start_watch --prometheus.url="$PROM_URL" \
		--reloader.config-file=cm/prometheus.yaml.tmpl \
		--reloader.config-envsubst-file=prometheus.yml
	wait_until 20 grep -q 'event=reload ' events
	config_has 'cluster: first'
	# kubelet's atomic update: new symlink renamed over ..data.
	ln -s ..2026_v2 cm/..data_tmp
	mv -T cm/..data_tmp cm/..data
	wait_until 20 config_has 'cluster: swapped'
	[ "$(reloads)" -eq 2 ]
}

@test "--watch: a rule file added to a rule dir gets loaded" {
	mkdir rules
	cat >t.yml <<YML
global:
  external_labels:
    replica: \$(POD_NAME)
rule_files:
  - $D/rules/*.yaml
YML
	export POD_NAME=p0
	config-envsubst t.yml prometheus.yml
	start_prometheus prometheus.yml
	wait_until 30 prometheus_ready
	start_watch --prometheus.url="$PROM_URL" --reloader.rule-dir=rules \
		t.yml prometheus.yml
	wait_until 20 grep -q 'event=reload ' events
	[ "$(curl -sf "$PROM_URL/api/v1/rules" | jq '.data.groups | length')" -eq 0 ]
	cat >rules/a.yaml <<'YML'
groups:
  - name: strata-test
    rules:
      - alert: StrataAlwaysFiring
        expr: vector(1)
YML
	wait_until 20 bash -c "curl -sf '$PROM_URL/api/v1/rules' | jq -e '.data.groups[0].name == \"strata-test\"'"
	grep -q 'event=rules .*changed=true' events
	# A file in a subdirectory counts too; removing a file reloads again.
	rm rules/a.yaml
	wait_until 20 bash -c "curl -sf '$PROM_URL/api/v1/rules' | jq -e '.data.groups | length == 0'"
}

@test "--watch: Prometheus started after config-envsubst still gets its reload" {
	write_template t.yml
	export CLUSTER=late POD_NAME=p0
	port=$(freeport)
	start_watch --prometheus.url="http://127.0.0.1:$port/" t.yml prometheus.yml
	wait_until 20 grep -q 'event=reload-failed .*attempt=2' events
	[ -s prometheus.yml ]
	# Now the Prometheus it was waiting for comes up on that port.
	PROM_URL=http://127.0.0.1:$port
	PROM_LOG=$D/prom.log
	bg prometheus --config.file=prometheus.yml --storage.tsdb.path="$D/data" \
		--web.listen-address="127.0.0.1:$port" --web.enable-lifecycle \
		>"$PROM_LOG" 2>&1
	wait_until 30 grep -q "event=reload url=http://127.0.0.1:$port/-/reload status=200" events
	config_has 'cluster: late'
	# And it keeps working after that.
	sed -i 's/cluster: .*/cluster: later/' t.yml
	wait_until 20 config_has 'cluster: later'
}

@test "--watch: a bad edit keeps the last good config; SIGTERM exits 0" {
	write_template t.yml
	export CLUSTER=good POD_NAME=p0
	port=$(freeport)
	start_watch --prometheus.url="http://127.0.0.1:$port" t.yml out.yml
	wait_until 20 grep -q 'cluster: good' out.yml
	echo 'extra: $(NOT_SET_ANYWHERE)' >>t.yml
	wait_until 20 grep -q 'event=error .*NOT_SET_ANYWHERE' events
	grep -q 't.yml:6: environment variable \\"NOT_SET_ANYWHERE\\" is not set' events
	grep -q 'cluster: good' out.yml
	run -1 grep -q extra out.yml
	sleep 0.5; [ "$(grep -c 'event=error' events)" -eq 1 ]
	sed -i '/NOT_SET/d; s/[$](CLUSTER)/fixed/' t.yml
	wait_until 20 grep -q 'cluster: fixed' out.yml
	kill -TERM "$WATCH_PID"
	rc=0
	wait "$WATCH_PID" || rc=$?
	[ "$rc" -eq 0 ]
	grep -q 'msg=exiting' watch.log
}

@test "--watch: an unset variable at start is fatal, as in Thanos" {
	echo 'x: $(NOT_SET_ANYWHERE)' >t.yml
	run -1 --separate-stderr config-envsubst --watch t.yml out.yml
	[[ $stderr == *'t.yml:1: environment variable "NOT_SET_ANYWHERE" is not set' ]]
	[ ! -e out.yml ]
	run -1 --separate-stderr config-envsubst --watch --reloader.rule-dir=missing t.yml2 out.yml
}

@test "--watch without an output: the config file itself is watched" {
	cat >prometheus.yml <<'YML'
global:
  external_labels:
    replica: plain
YML
	start_prometheus prometheus.yml
	wait_until 30 prometheus_ready
	start_watch --prometheus.url="$PROM_URL" --reloader.config-file=prometheus.yml
	wait_until 20 grep -q 'event=reload ' events
	sed -i 's/plain/edited/' prometheus.yml
	wait_until 20 config_has 'replica: edited'
}

@test "--watch --http-address: health, readiness and the reloader's metrics" {
	write_template t.yml
	export CLUSTER=m POD_NAME=p0
	config-envsubst t.yml prometheus.yml
	start_prometheus prometheus.yml
	wait_until 30 prometheus_ready
	port=$(freeport)
	start_watch --prometheus.url="$PROM_URL" --http-address="127.0.0.1:$port" \
		t.yml prometheus.yml
	wait_until 20 grep -q 'event=reload ' events
	run -0 curl -sf "http://127.0.0.1:$port/-/healthy"
	run -0 curl -sf "http://127.0.0.1:$port/-/ready"
	curl -sf "http://127.0.0.1:$port/metrics" >metrics
	grep -qx 'reloader_reloads_total 1' metrics
	grep -qx 'reloader_last_reload_successful 1' metrics
	awk '$1 == "reloader_last_reload_success_timestamp_seconds" && $2 > 1.7e9 {ok = 1} END {exit !ok}' metrics
	grep -q '^process_resident_memory_bytes ' metrics
	promtool check metrics <metrics
	sed -i 's/cluster: .*/cluster: changed/' t.yml
	wait_until 20 config_has 'cluster: changed'
	wait_until 10 bash -c "curl -sf http://127.0.0.1:$port/metrics | grep -qx 'reloader_reloads_total 2'"
	curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^reloader_config_apply_operations_total [1-9]'
	run -2 config-envsubst --http-address=127.0.0.1:1 t.yml out.yml
}
