#!/usr/bin/env bats
# deploy/: checked offline (no Docker engine, no cluster, no network).
# The Dockerfile: every program has its image target, the runtime image
# installs the packages that provide the libraries the programs link, and
# images run as non-root.  The Kubernetes manifests of deploy/k8s:
# yamllint, and scripts/check-deploy's checks one by one (flags against
# each tool's --help, references, wiring, conventions, promtool), each
# shown to catch a broken copy of the manifests.

load helper

DOCKERFILE=$TOP/deploy/Dockerfile

progs() {
	sed -n 's/^PROGS[[:space:]]*=//p' "$TOP/Makefile" | tr ' ' '\n' | grep .
}

# Package names installed by the runtime stage's apt-get line.
runtime_pkgs() {
	awk '/^FROM .* AS runtime/ {r=1; next} /^FROM / {r=0} r' "$DOCKERFILE" |
		sed -n '/install -y/,/rm -rf/p' | tr -s ' \t\\' '\n' |
		grep -E '^[a-z0-9][a-z0-9.+-]+$' |
		grep -v -x -E 'apt-get|install|rm|DEBIAN_FRONTEND=noninteractive|-y|--no-install-recommends|-rf|&&'
}

# The Debian package that owns a shared library.  With merged /usr a path
# may be packaged under /lib or /usr/lib, and ldd may show either.
pkg_of() {
	local lib=$1 real cand dir
	real=$(readlink -f "$lib")
	for dir in /lib /usr/lib; do
		for cand in "$dir/${lib#*/lib/}" "$dir/${real#*/lib/}"; do
			dpkg -S "$cand" 2>/dev/null | head -n 1 | cut -d: -f1 | grep . && return 0
		done
	done
	return 1
}

@test "every program has a Dockerfile target that runs it" {
	for p in $(progs); do
		grep -q "^FROM runtime AS $p\$" "$DOCKERFILE"
		grep -q "^ENTRYPOINT \[\"/usr/bin/$p\"\]" "$DOCKERFILE"
	done
}

# The programs the Dockerfile copies into images.
image_progs() {
	sed -n 's|^COPY --from=build /out/usr/bin/\([^ ]*\) .*|\1|p' "$DOCKERFILE" | sort -u
}

@test "every image target's program is in PROGS, or not written yet" {
	for p in $(image_progs); do
		progs | grep -q -x "$p" && continue
		# A target may come before its program (query-merge's did); a
		# program written but missing from PROGS is a mistake.
		[ ! -d "$TOP/cmd/$p" ]
		echo "# $p: image target ready, cmd/$p not written yet" >&3
	done
}

@test "the runtime image has the package of every library the programs link" {
	# The release build: the sanitizer build links libasan, which no
	# image carries.
	pkgs=$(runtime_pkgs)
	[ -n "$pkgs" ]
	for p in $(image_progs); do
		bin=$TOP/build/bin/$p
		if ! progs | grep -q -x "$p" && [ ! -x "$bin" ]; then
			echo "# $p: not built yet, its libraries are not checked" >&3
			continue
		fi
		[ -x "$bin" ]
		# Direct dependencies only: apt brings the rest along.
		for so in $(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
			lib=$(ldd "$bin" | awk -v so="$so" '$1 == so {print $3}')
			pkg=$(pkg_of "$lib")
			# libc6 and libgcc-s1 are in every Debian image.
			case $pkg in libc6 | libgcc-s1) continue ;; esac
			echo "$p needs $lib from $pkg"
			grep -q -x "$pkg" <<<"$pkgs"
		done
	done
}

@test "images run as a non-root user" {
	user=$(awk '/^FROM .* AS runtime/ {r=1} r && /^USER / {print $2; exit}' "$DOCKERFILE")
	[ -n "$user" ]
	[ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ]
}

# --- the Kubernetes manifests -------------------------------------------

K8S=$TOP/deploy/k8s

# check_deploy CHECK [DIR]: one check of scripts/check-deploy over DIR
# (deploy/k8s), with our programs from $STRATA_BIN; its notes (what it
# skipped) go into the TAP stream.
check_deploy() {
	run --separate-stderr "$TOP/scripts/check-deploy" --bin "$STRATA_BIN" \
		--check "$1" "${2:-$K8S}"
	local line
	while IFS= read -r line; do
		[ -n "$line" ] && echo "# $line" >&3
	done <<<"$output"
	[ -z "$stderr" ] || echo "$stderr"
}

@test "deploy/ passes yamllint (strict, deploy/.yamllint)" {
	run -0 yamllint -s -c "$TOP/deploy/.yamllint" "$TOP/deploy"
	[ -z "$output" ]
	# The template is linted too.
	run -0 yamllint --list-files -c "$TOP/deploy/.yamllint" "$TOP/deploy"
	grep -q 'prometheus.yaml.tmpl$' <<<"$output"
}

@test "manifests: every YAML file and YAML value of a ConfigMap or Secret parses" {
	check_deploy yaml
	[ "$status" -eq 0 ]
}

@test "manifests: kustomization.yaml lists every manifest, and what it lists exists" {
	check_deploy kustomize
	[ "$status" -eq 0 ]
}

@test "manifests: every container uses only flags its program's --help lists" {
	check_deploy flags
	[ "$status" -eq 0 ]
}

@test "manifests: every ConfigMap, Secret, Service, ServiceAccount, volume, port referenced exists" {
	check_deploy refs
	[ "$status" -eq 0 ]
}

@test "manifests: the containers of a pod are wired together" {
	check_deploy wiring
	[ "$status" -eq 0 ]
}

@test "manifests: resources, non-root security contexts, probes, pinned images" {
	check_deploy conventions
	[ "$status" -eq 0 ]
}

@test "manifests: Prometheus' rendered config and its rules pass promtool" {
	command -v promtool >/dev/null
	check_deploy prometheus
	[ "$status" -eq 0 ]
	[[ $output != *"not built"* ]]
}

@test "manifests: kubectl kustomize renders the objects check-deploy reads" {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	kubectl kustomize "$K8S" >"$BATS_TEST_TMPDIR/rendered.yaml"
	run -0 "$TOP/scripts/check-deploy" --list "$BATS_TEST_TMPDIR/rendered.yaml"
	rendered=$output
	run -0 "$TOP/scripts/check-deploy" --list "$K8S"
	[ "$output" = "$rendered" ]
	[ "$(wc -l <<<"$output")" -ge 20 ]
}

# broken CHECK EXPECTED FILE SED-SCRIPT: a copy of deploy/ with FILE
# edited by SED-SCRIPT fails CHECK with a message containing EXPECTED.
broken() {
	local check=$1 expected=$2 file=$3 script=$4 copy
	copy=$(mktemp -d "$BATS_TEST_TMPDIR/deploy.XXXXXX")
	cp -r "$TOP/deploy" "$copy/"
	sed -i "$script" "$copy/deploy/$file"
	# The edit must have changed something.
	! cmp -s "$TOP/deploy/$file" "$copy/deploy/$file"
	run --separate-stderr "$TOP/scripts/check-deploy" --bin "$STRATA_BIN" \
		--dockerfile "$copy/deploy/Dockerfile" --check "$check" \
		"$copy/deploy/k8s"
	if [ "$status" -ne 1 ] || [[ $stderr != *"$expected"* ]]; then
		echo "check $check on $file ($script): status $status, wanted 1 and '$expected' in:"
		echo "$stderr"
		return 1
	fi
}

@test "check-deploy: yaml and kustomize catch a bad file, an unlisted one, a missing one" {
	broken yaml "does not parse" k8s/prometheus.yaml.tmpl 's/regex: replica/regex: [replica/'
	broken kustomize "not listed in" k8s/kustomization.yaml '/- minio-service.yaml/d'
	broken kustomize "resource 'minio-svc.yaml' does not exist" k8s/kustomization.yaml \
		's/- minio-service.yaml/- minio-svc.yaml/'
}

@test "check-deploy: flags catches an unknown flag, a path off any volume, an unset \$(VAR)" {
	broken flags "flag --sync-intervall is not in store-serve --help" \
		k8s/store-serve-statefulset.yaml 's/--sync-interval=/--sync-intervall=/'
	broken flags "flag --tsdb-path is not in tsdb-watch --help" \
		k8s/prometheus-statefulset.yaml 's/tsdb-watch --tsdb.path=/tsdb-watch --tsdb-path=/'
	broken flags "prometheus refuses its arguments" \
		k8s/prometheus-statefulset.yaml 's/--storage.tsdb.retention.time=6h/--storage.tsdb.no-lockfile/'
	broken flags "which image strata/shipper does not have" \
		k8s/prometheus-statefulset.yaml 's/^\( *\)tsdb-watch /\1tsdb-wach /'
	broken flags "no volume is mounted there" \
		k8s/store-serve-statefulset.yaml 's|--data-dir=/data|--data-dir=/var/strata|'
	broken flags "writes to a read-only mount" \
		k8s/prometheus-statefulset.yaml 's|mountPath: /etc/prometheus-shared$|&\n              readOnly: true|'
	broken flags '$(HOSTIP) in its arguments is not in its env' \
		k8s/node-exporter-daemonset.yaml 's/\$(HOST_IP)/$(HOSTIP)/'
}

@test "check-deploy: refs catches a missing Secret, key, port, and a Service that is not headless" {
	broken refs "Secret thanos-objstore does not exist" \
		k8s/store-serve-statefulset.yaml 's/secretName: thanos-objectstorage/secretName: thanos-objstore/'
	broken refs "Secret minio-credentials has no key USER" \
		k8s/minio-bucket-job.yaml 's/key: MINIO_ROOT_USER/key: USER/'
	broken refs "has no TCP port named 'grpc'" \
		k8s/query-merge-deployment.yaml 's/dnssrv+_http/dnssrv+_grpc/'
	broken refs "make it headless" k8s/store-api-service.yaml '/clusterIP: None/d'
	broken refs "names port 9009 of Service minio/minio" \
		k8s/objstore-secret.yaml 's/svc.cluster.local:9000/svc.cluster.local:9009/'
	broken refs "livenessProbe: no port named reloader" \
		k8s/prometheus-statefulset.yaml 's/port: http-reloader/port: reloader/'
	broken refs "serviceAccountName prometheus-sa does not exist" \
		k8s/prometheus-statefulset.yaml 's/serviceAccountName: prometheus/serviceAccountName: prometheus-sa/'
}

@test "check-deploy: wiring catches a template variable, rules, TSDB and keys that do not meet" {
	broken wiring 'uses $(ZONE), which is not in' \
		k8s/prometheus.yaml.tmpl 's/cluster: prometheus-ha/cluster: $(ZONE)/'
	broken wiring "no key of ConfigMap prometheus-rules matches" \
		k8s/prometheus.yaml.tmpl 's/\*rules.yaml/*.rules/'
	broken wiring "is not Prometheus' --storage.tsdb.path" \
		k8s/prometheus-statefulset.yaml 's/tsdb-watch --tsdb.path=\/prometheus/tsdb-watch --tsdb.path=\/prometheus\/wal/'
	broken wiring "MINIO_ROOT_USER/MINIO_ROOT_PASSWORD" \
		k8s/objstore-secret.yaml 's/secret_key: .*/secret_key: other-secret/'
	broken wiring "no Job makes it" k8s/objstore-secret.yaml 's/bucket: prometheus/bucket: blocks/'
	broken wiring "no container of the pod listens there" \
		k8s/prometheus-statefulset.yaml 's|--prometheus.url=http://localhost:9090 *$|--prometheus.url=http://localhost:9091|'
}

@test "check-deploy: conventions catches a root filesystem, a probe, a limit, an image tag" {
	broken conventions "readOnlyRootFilesystem is not true" \
		k8s/store-serve-statefulset.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
	broken conventions "readinessProbe is not httpGet /-/ready" \
		k8s/query-merge-deployment.yaml 's|path: /-/ready|path: /-/healthy|'
	broken conventions "no livenessProbe" \
		k8s/node-exporter-daemonset.yaml 's/livenessProbe:/startupProbe:/'
	broken conventions "no memory request and limit" \
		k8s/minio-deployment.yaml 's/limits: {cpu: "1", memory: 1Gi}/limits: {cpu: "1"}/'
	broken conventions "tag is not the VERSION" \
		k8s/store-serve-statefulset.yaml 's/store-serve:[0-9.]*/store-serve:0.0.1/'
	broken conventions "has no target query-merger" \
		k8s/query-merge-deployment.yaml 's|strata/query-merge:|strata/query-merger:|'
	broken conventions "runAsNonRoot is not true" \
		k8s/minio-deployment.yaml 's/runAsNonRoot: true/runAsNonRoot: false/'
}

@test "check-deploy: prometheus catches a bad relabel action and a bad rule" {
	command -v promtool >/dev/null
	broken prometheus 'unknown relabel action' \
		k8s/prometheus.yaml.tmpl 's/action: labeldrop/action: labeldropp/'
	broken prometheus 'promtool check rules' rules/alert-rules.yaml 's/> 0$/> > 0/'
}
