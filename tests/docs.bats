#!/usr/bin/env bats
# Every program: a man page that lints clean and documents exactly the
# flags its --help lists, and a README section.

load helper

progs() {
	sed -n 's/^PROGS[[:space:]]*=//p' "$TOP/Makefile" | tr ' ' '\n' | grep .
}

@test "every man page lints clean (mandoc -Tlint, groff -ww)" {
	for m in "$TOP"/man/*.1; do
		run -0 mandoc -Tlint -Wwarning "$m"
		[ -z "$output" ]
		run -0 groff -mdoc -ww -z "$m"
		[ -z "$output" ]
	done
}

@test "every program has a man page, a README section and --help" {
	for p in $(progs); do
		[ -f "$TOP/man/$p.1" ]
		grep -q "^\.Dt $(tr a-z A-Z <<<"$p") 1\$" "$TOP/man/$p.1"
		grep -q "^## .*$p" "$TOP/README.md"
		run -0 "$p" --help
		[[ $output == usage:* ]]
	done
}

@test "the flags in --help and in the man page are the same" {
	for p in $(progs); do
		help=$("$p" --help | grep -o -E -- '--[a-z][a-z0-9.-]*' | sort -u)
		man=$(grep -o -E -- 'Fl \\-[a-z][a-z0-9.-]*' "$TOP/man/$p.1" |
			sed 's/^Fl \\-/--/' | sort -u)
		diff <(echo "$help") <(echo "$man")
	done
}
