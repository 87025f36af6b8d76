#!/usr/bin/env bats
# The bucket layer (common/bucket) through bucket-cli: against moto's S3
# server with every signature checked (awscli as the independent client
# that cross-checks what we wrote), and against a directory bucket.

load helper

setup() {
	CLI=$STRATA_TOOLS/bucket-cli
	[ -x "$CLI" ] || skip "no $CLI (make asan builds it)"
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'hello world\n' >hello.txt
}

need_moto() {
	command -v moto_server >/dev/null || skip "moto_server not installed"
	command -v aws >/dev/null || skip "awscli not installed"
	start_moto
	OBJ=--objstore.config-file=$MOTO_DIR/objstore.yml
}

# yml NAME [SED...]: the moto objstore.yml edited by sed, as NAME.
yml() {
	local name=$1
	shift
	sed "$@" "$MOTO_DIR/objstore.yml" >"$name"
}

@test "bucket: s3 put, get, range, head, list and delete with signatures checked" {
	need_moto
	run -0 "$CLI" "$OBJ" put 01H/meta.json hello.txt
	run -0 "$CLI" "$OBJ" get 01H/meta.json
	[ "$output" = "hello world" ]
	run -0 "$CLI" "$OBJ" get 01H/meta.json 6 5
	[ "$output" = "world" ]
	run -0 "$CLI" "$OBJ" get 01H/meta.json 6 -
	[ "$output" = "world" ]
	run -0 "$CLI" "$OBJ" head 01H/meta.json
	[[ $output == "size=12 mtime="[1-9]* ]]
	run -0 "$CLI" "$OBJ" exists 01H/meta.json
	[ "$output" = 1 ]
	run -0 "$CLI" "$OBJ" exists 01H/none
	[ "$output" = 0 ]

	# Names that need encoding, in the path and in list queries.
	run -0 "$CLI" "$OBJ" putmem '01H/chunks/sp ace+plus&amp=%.txt' hello.txt
	run -0 "$CLI" "$OBJ" put '01H/chunks/ünï~.txt' hello.txt
	run -0 "$CLI" "$OBJ" put 01H-x hello.txt
	run -0 "$CLI" "$OBJ" ls
	[ "$output" = "$(printf '01H-x\n01H/')" ]
	run -0 "$CLI" "$OBJ" ls -l 01H/
	[ "$output" = "$(printf '0 01H/chunks/\n12 01H/meta.json')" ]
	run -0 "$CLI" "$OBJ" ls -r
	[ "$output" = "$(printf '%s\n' 01H-x '01H/chunks/sp ace+plus&amp=%.txt' \
	    '01H/chunks/ünï~.txt' 01H/meta.json)" ]
	run -0 "$CLI" "$OBJ" get '01H/chunks/sp ace+plus&amp=%.txt'
	[ "$output" = "hello world" ]

	# awscli reads what we wrote, and we read what it wrote.
	run -0 moto_aws s3 cp 's3://strata/01H/chunks/ünï~.txt' -
	[ "$output" = "hello world" ]
	run -0 moto_aws s3 ls s3://strata/01H/chunks/
	[[ $output == *"sp ace+plus&amp=%.txt"* ]]
	printf 'from aws\n' | moto_aws s3 cp - s3://strata/byaws/x.txt
	run -0 "$CLI" "$OBJ" get byaws/x.txt
	[ "$output" = "from aws" ]

	# Not found is its own result (exit 3), named with bucket and key.
	run -0 "$CLI" "$OBJ" rm 01H/meta.json
	run -3 --separate-stderr "$CLI" "$OBJ" get 01H/meta.json
	[ "$stderr" = "bucket-cli: get s3://strata/01H/meta.json: not found" ]
	run -3 "$CLI" "$OBJ" head 01H/meta.json
	# Deleting what is not there is fine, as on S3.
	run -0 "$CLI" "$OBJ" rm 01H/meta.json
	run -1 --separate-stderr "$CLI" "$OBJ" get 01H-x 100 1
	[[ $stderr == *"get s3://strata/01H-x: range starts at byte 100, past the end"* ]]

	# get to a file is atomic: the whole object, or the file untouched.
	run -0 "$CLI" "$OBJ" getfile 01H-x out.txt
	cmp hello.txt out.txt
	run -3 "$CLI" "$OBJ" getfile none out.txt
	cmp hello.txt out.txt
	[ -z "$(find . -name '.out.txt.*')" ]
}

@test "bucket: s3 listing follows continuation tokens past 1000 keys" {
	need_moto
	run -0 "$CLI" "$OBJ" fill many 1001
	run -0 "$CLI" "$OBJ" ls -r many/
	[ "${#lines[@]}" -eq 1001 ]
	[ "${lines[0]}" = many/000000 ]
	[ "${lines[1000]}" = many/001000 ]
	run -0 "$CLI" "$OBJ" ls many/
	[ "${#lines[@]}" -eq 1001 ]
	run -0 "$CLI" "$OBJ" ls
	[ "$output" = many/ ]
	# awscli agrees.
	[ "$(moto_aws s3 ls s3://strata/many/ | wc -l)" -eq 1001 ]
	# Small pages (a test knob of the URL form), v2 and v1, with the
	# key from the environment.
	export AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET
	url="s3://strata?endpoint=$S3_ENDPOINT&insecure=true&max_keys=7"
	run -0 "$CLI" --bucket="$url" ls -r many/
	[ "${#lines[@]}" -eq 1001 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 1001 ]
	run -0 "$CLI" --bucket="$url&list_objects_version=v1" ls many/
	[ "${#lines[@]}" -eq 1001 ]
	[ "${lines[1000]}" = many/001000 ]
	[ "$(grep -c 'continuation-token=' "$MOTO_DIR/moto.log")" -ge 143 ]
	# A prefix in the URL: names come back relative to it.
	run -0 "$CLI" --bucket="s3://strata/many?endpoint=$S3_ENDPOINT&insecure=true" ls 00100
	[ "$output" = "$(printf '%s\n' 001000)" ]
}

@test "bucket: s3 multipart upload in 5 MiB parts, checked with awscli" {
	need_moto
	yml mp.yml 's/^  region: .*/&\n  part_size: 5242880/'
	# 17 MiB: four parts, and more than the 16 MiB an error document
	# may take in memory, so downloads must stream.
	head -c $((17 * 1024 * 1024 + 7)) /dev/urandom >big.bin
	run -0 --separate-stderr "$CLI" --stats --objstore.config-file=mp.yml put big/chunks/000001 big.bin
	[[ $stderr == *"stats upload ops=1 failures=0 bytes=17825799"* ]]
	moto_aws s3 cp s3://strata/big/chunks/000001 - | cmp - big.bin
	# The ETag of a multipart object says how many parts.
	run -0 moto_aws s3api head-object --bucket strata --key big/chunks/000001
	[ "$(jq -r .ContentLength <<<"$output")" -eq 17825799 ]
	[[ $(jq -r .ETag <<<"$output") == *-4'"' ]]
	run -0 moto_aws s3api list-multipart-uploads --bucket strata
	[ "$(jq '.Uploads // [] | length' <<<"$output")" -eq 0 ]
	# From memory too; and reads back across a part boundary.
	run -0 "$CLI" --objstore.config-file=mp.yml putmem big/mem big.bin
	moto_aws s3 cp s3://strata/big/mem - | cmp - big.bin
	"$CLI" "$OBJ" get big/mem 5242870 20 >range.bin
	tail -c +5242871 big.bin | head -c 20 | cmp - range.bin
	run -0 "$CLI" "$OBJ" getfile big/chunks/000001 back.bin
	cmp big.bin back.bin
	run -0 "$CLI" "$OBJ" get big/chunks/000001 >/dev/null
	"$CLI" "$OBJ" get big/chunks/000001 | cmp - big.bin
	# Below the part size: one plain PUT.
	run -0 moto_aws s3api head-object --bucket strata --key big/mem
	head -c 1000 big.bin >small.bin
	run -0 "$CLI" --objstore.config-file=mp.yml put big/small small.bin
	run -0 moto_aws s3api head-object --bucket strata --key big/small
	[[ $(jq -r .ETag <<<"$output") != *-* ]]
}

@test "bucket: s3 multipart failure aborts the upload, leaving no parts" {
	need_moto
	# The oracle first: an upload left open does show.
	id=$(moto_aws s3api create-multipart-upload --bucket strata --key open | jq -r .UploadId)
	run -0 moto_aws s3api list-multipart-uploads --bucket strata
	[ "$(jq '.Uploads | length' <<<"$output")" -eq 1 ]
	moto_aws s3api abort-multipart-upload --bucket strata --key open --upload-id "$id"
	# 1 MiB parts: S3 refuses to complete (EntityTooSmall), we abort.
	yml small.yml 's/^  region: .*/&\n  part_size: 1048576/'
	head -c 3000000 /dev/urandom >med.bin
	run -1 --separate-stderr "$CLI" --objstore.config-file=small.yml put mp/med.bin med.bin
	[[ $stderr == "bucket-cli: put s3://strata/mp/med.bin: 400 EntityTooSmall"* ]]
	run -0 moto_aws s3api list-multipart-uploads --bucket strata
	[ "$(jq '.Uploads // [] | length' <<<"$output")" -eq 0 ]
	grep -q 'DELETE /strata/mp/med.bin?uploadId=' "$MOTO_DIR/moto.log"
	run -3 "$CLI" "$OBJ" head mp/med.bin
}

@test "bucket: s3 wrong secret is a clear 403 naming bucket and object, never the secret" {
	need_moto
	run -0 "$CLI" "$OBJ" put k hello.txt
	yml bad.yml 's/^  secret_key: .*/  secret_key: Wr0ngSecretValue42/'
	run -1 --separate-stderr "$CLI" --objstore.config-file=bad.yml get k
	[ "$stderr" = "bucket-cli: get s3://strata/k: 403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method." ]
	run -1 --separate-stderr "$CLI" --objstore.config-file=bad.yml put k2 hello.txt
	[[ $stderr == "bucket-cli: put s3://strata/k2: 403 SignatureDoesNotMatch"* ]]
	run -1 --separate-stderr "$CLI" --objstore.config-file=bad.yml head k
	[[ $stderr == "bucket-cli: head s3://strata/k: 403 Forbidden"* ]]
	run -1 --separate-stderr "$CLI" --objstore.config-file=bad.yml ls
	[[ $stderr == "bucket-cli: list s3://strata: 403 SignatureDoesNotMatch"* ]]
	# 4xx is never retried: one attempt each.
	[ "$(grep -c '"GET /strata/k HTTP/1.1" 403' "$MOTO_DIR/moto.log")" -eq 1 ]
	run -1 --separate-stderr "$CLI" --objstore.config-file=bad.yml putmem k3 hello.txt
	[[ $stderr == "bucket-cli: put s3://strata/k3: 403 "* ]]
	[[ $stderr != *Wr0ngSecretValue42* && $stderr != *"$S3_SECRET"* ]]
	# An unknown key id.
	yml badkey.yml 's/^  access_key: .*/  access_key: AKIANOSUCHKEY0000000/'
	run -1 --separate-stderr "$CLI" --objstore.config-file=badkey.yml get k
	[[ $stderr == "bucket-cli: get s3://strata/k: 403 InvalidAccessKeyId"* ]]
	[[ $stderr != *"$S3_SECRET"* ]]
	# Only half a key pair is refused before any request.
	yml half.yml '/^  secret_key:/d'
	run -1 --separate-stderr "$CLI" --objstore.config-file=half.yml get k
	[[ $stderr == *"access_key and secret_key go together"* ]]
}

@test "bucket: objstore YAML variants against moto" {
	need_moto
	# type in lower case, and the seed's signature_version2: false.
	yml lower.yml -e 's/^type: S3/type: s3/' -e 's/^  insecure: true/&\n  signature_version2: false/'
	run -0 "$CLI" --objstore.config-file=lower.yml put a hello.txt
	run -0 "$CLI" --objstore.config-file=lower.yml get a
	[ "$output" = "hello world" ]
	# A prefix puts everything under it.
	yml prefix.yml -e '1i prefix: tenant-a/'
	run -0 "$CLI" --objstore.config-file=prefix.yml put b hello.txt
	run -0 moto_aws s3 cp s3://strata/tenant-a/b -
	[ "$output" = "hello world" ]
	run -0 "$CLI" --objstore.config-file=prefix.yml ls
	[ "$output" = b ]
	# Keys from the environment when the file has none.
	yml nokeys.yml -e '/^  access_key:/d' -e '/^  secret_key:/d'
	AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET \
	    run -0 "$CLI" --objstore.config-file=nokeys.yml get a
	[ "$output" = "hello world" ]
	# Strict parsing, with Thanos' words.
	yml unknown.yml 's/^  insecure: true/&\n  insecure_tls: true/'
	run -1 --separate-stderr "$CLI" --objstore.config-file=unknown.yml get a
	[ "$stderr" = "bucket-cli: unknown.yml:8: unknown key 'insecure_tls' in s3 config" ]
	yml noend.yml '/^  endpoint:/d'
	run -1 --separate-stderr "$CLI" --objstore.config-file=noend.yml get a
	[ "$stderr" = "bucket-cli: noend.yml: no s3 endpoint in config file" ]
	yml v2.yml 's/^  insecure: true/&\n  signature_version2: true/'
	run -1 --separate-stderr "$CLI" --objstore.config-file=v2.yml get a
	[[ $stderr == *"v2.yml:8: signature_version2 is not supported"* ]]
	printf 'type: GCS\nconfig:\n  bucket: b\n' >gcs.yml
	run -1 --separate-stderr "$CLI" --objstore.config-file=gcs.yml get a
	[[ $stderr == "bucket-cli: gcs.yml: bucket with type GCS is not supported"* ]]
	# Secrets never in a URL.
	run -1 --separate-stderr "$CLI" --bucket="s3://strata?endpoint=$S3_ENDPOINT&secret_key=x" get a
	[[ $stderr == *"secret_key does not belong in a URL"* ]]
}

@test "bucket: an unreachable endpoint fails after its retries, naming the object" {
	need_moto
	port=$(freeport)
	yml dead.yml -e "s/^  endpoint: .*/  endpoint: 127.0.0.1:$port/" -e 's/^  insecure: true/&\n  max_retries: 3/'
	SECONDS=0
	run -1 --separate-stderr "$CLI" --objstore.config-file=dead.yml get x/y
	[[ $stderr == "bucket-cli: get s3://strata/x/y: Failed to connect to 127.0.0.1 port $port"* ]]
	[ "$SECONDS" -lt 10 ]
}

@test "bucket: directory bucket put, get, range, head, list, delete, atomic writes" {
	dir=$BATS_TEST_TMPDIR/b
	U=--bucket=file://$dir
	head -c 3000000 /dev/urandom >big.bin
	run -0 "$CLI" "$U" put 01H/chunks/000001 big.bin
	run -0 "$CLI" "$U" putmem 01H/meta.json hello.txt
	run -0 "$CLI" "$U" put 01H-x hello.txt
	cmp big.bin "$dir/01H/chunks/000001"
	cmp hello.txt "$dir/01H/meta.json"
	run -0 "$CLI" "$U" get 01H/meta.json 6 5
	[ "$output" = world ]
	run -0 "$CLI" "$U" head 01H/chunks/000001
	[[ $output == "size=3000000 mtime="* ]]
	# Empty directories and temporaries are not objects.
	mkdir -p "$dir/empty/deeper" 
	touch "$dir/01H/.strata-tmp-index.x1y2z3"
	run -0 "$CLI" "$U" ls
	[ "$output" = "$(printf '01H-x\n01H/')" ]
	run -0 "$CLI" "$U" ls -r -l
	[ "$output" = "$(printf '12 01H-x\n3000000 01H/chunks/000001\n12 01H/meta.json')" ]
	rm "$dir/01H/.strata-tmp-index.x1y2z3"
	# Writes leave no temporary file; replacing is all or nothing.
	run -0 "$CLI" "$U" put 01H/meta.json big.bin
	run -0 "$CLI" "$U" put 01H/meta.json hello.txt
	[ -z "$(find "$dir" -name '.strata-tmp-*')" ]
	cmp hello.txt "$dir/01H/meta.json"
	# Keys cannot leave the directory.
	run -1 --separate-stderr "$CLI" "$U" put ../escape hello.txt
	[[ $stderr == *"object name has an empty, '.' or '..' part"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/escape" ]
	# Delete prunes the directories it empties.
	run -0 "$CLI" "$U" rm 01H/chunks/000001
	[ ! -e "$dir/01H/chunks" ]
	run -3 --separate-stderr "$CLI" "$U" get 01H/chunks/000001
	[ "$stderr" = "bucket-cli: get file://$dir/01H/chunks/000001: not found" ]
	run -0 "$CLI" "$U" rm 01H/meta.json
	[ ! -e "$dir/01H" ]
	[ -d "$dir" ]
	# The same bucket from objstore YAML, with a prefix.
	printf 'type: FILESYSTEM\nprefix: t\nconfig:\n  directory: %s\n' "$dir" >fs.yml
	run -0 "$CLI" --objstore.config-file=fs.yml put k hello.txt
	cmp hello.txt "$dir/t/k"
	printf 'type: FILESYSTEM\nconfig: {}\n' >nodir.yml
	run -1 --separate-stderr "$CLI" --objstore.config-file=nodir.yml ls
	[ "$stderr" = "bucket-cli: nodir.yml: missing directory for filesystem bucket" ]
}
