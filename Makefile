# strata: GNU make.  "make" builds, "make check" installs what is missing,
# builds, and runs every test; see README.md.
PROGS	 = tsdb-watch block-upload config-envsubst store-serve dedup-filter query-merge
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
VERSION	:= $(shell cat VERSION 2>/dev/null || echo 0.0.0-dev)
O	?= build
HARDEN	?= -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE
CFLAGS	+= -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wvla $(HARDEN) \
	   -MMD -MP -Icommon -I$(O)/gen -DVERSION='"$(VERSION)"'
LDFLAGS	?= -pie -Wl,-z,relro,-z,now -Wl,--as-needed
LDLIBS	+= -lcurl -ljansson -lyaml -lsnappy -lb64 -lmicrohttpd -lprotobuf-c \
	   -lpcre2-8 -lz -lresolv -lpthread -lm
# Protobuf messages: common/<layer>/<name>.proto, compiled by protoc-c
# into $(O)/gen/<layer>/<name>.pb-c.{c,h} and linked into libcommon.a.
PROTO	:= $(wildcard common/*/*.proto)
PROTOC	:= $(patsubst common/%.proto,$(O)/gen/%.pb-c.c,$(PROTO))
PROTOH	:= $(PROTOC:.c=.h)
LIBOBJ	:= $(patsubst %.c,$(O)/%.o,$(wildcard common/*/*.c)) $(PROTOC:.c=.o)
CMDOBJ	:= $(patsubst %.c,$(O)/%.o,$(wildcard cmd/*/*.c))
UNIT	:= $(patsubst tests/unit/%.c,$(O)/unit/%,$(wildcard tests/unit/*.c))
TOOLS	:= $(patsubst tests/tools/%.c,$(O)/tools/%,$(wildcard tests/tools/*.c))
FUZZ	:= $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(wildcard tests/fuzz/*.c))
BENCHP	:= $(patsubst bench/%.c,$(O)/bench/%,$(wildcard bench/*.c))
FUZZ_SECONDS ?= 3

all: $(PROGS:%=$(O)/bin/%)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(O)/gen/%.pb-c.c $(O)/gen/%.pb-c.h: common/%.proto
	@mkdir -p $(@D)
	protoc-c --proto_path=common --c_out=$(O)/gen $<
# Generated code is not ours to warn about: only -Werror is relaxed.
$(PROTOC:.c=.o): %.o: %.c
	$(CC) $(CFLAGS) -Wno-error -c -o $@ $<
# Everything may include a generated header: make them first.
$(LIBOBJ) $(CMDOBJ): | $(PROTOH)
$(O)/libcommon.a: $(LIBOBJ)
	$(AR) rcs $@ $^
# One link rule per program: $(O)/bin/NAME <- cmd/NAME/*.c + libcommon.a
$(foreach p,$(PROGS),$(eval $(O)/bin/$(p): \
	$(filter $(O)/cmd/$(p)/%,$(CMDOBJ)) $(O)/libcommon.a))
$(O)/bin/%:
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(O)/unit/%: tests/unit/%.c $(O)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)
$(O)/tools/%: tests/tools/%.c $(O)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)
$(O)/bench/%: bench/%.c $(O)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)
# libFuzzer targets: built only in the fuzz tree (clang, see fuzz-build).
$(O)/fuzz/%: tests/fuzz/%.c $(O)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ \
	  $(filter %.c %.a,$^) $(LDLIBS)
-include $(LIBOBJ:.o=.d) $(CMDOBJ:.o=.d) $(UNIT:=.d) $(TOOLS:=.d) $(FUZZ:=.d) \
	$(BENCHP:=.d)

# check: deps, the release build, the sanitizer build with its unit tests,
# a short run of every fuzzer, then every bats test against the sanitizer
# build's programs.  The last line is "N passed, N failed".
# The builds use every core: CI runs a bare "make check".
JOBS	?= $(shell nproc 2>/dev/null || echo 2)
check: deps
	$(MAKE) -j$(JOBS) all
	$(MAKE) -j$(JOBS) asan
	$(MAKE) -j$(JOBS) fuzz-build
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)
	scripts/run-bats build-asan

# Own object dir: sanitizer and release objects never mix.
asan:
	$(MAKE) O=build-asan LDFLAGS= HARDEN='-O1 -fno-omit-frame-pointer \
	  -fsanitize=address,undefined -fno-sanitize-recover=all' \
	  all testtools unit

# Fuzzers: clang's libFuzzer over the decoders, each run FUZZ_SECONDS
# from its seed corpus in tests/fuzz/corpus/NAME (make fuzz FUZZ_SECONDS=600
# for a long run).  New inputs go to a scratch dir, never into the tree.
fuzz-build:
	$(MAKE) O=build-fuzz CC=clang LDFLAGS= HARDEN='-O1 -g \
	  -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	  -fno-sanitize-recover=all' \
	  fuzzers
fuzzers: $(FUZZ)
fuzz: fuzz-build
	@for f in $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c)); do \
	  scratch=$$(mktemp -d); \
	  echo "fuzz $$f: $(FUZZ_SECONDS)s"; \
	  build-fuzz/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
	    $$scratch $$( [ -d tests/fuzz/corpus/$$f ] && echo tests/fuzz/corpus/$$f ) \
	    >$$scratch.log 2>&1 || { tail -n 40 $$scratch.log; rm -rf $$scratch $$scratch.log; exit 1; }; \
	  grep -E '^Done [0-9]+ runs' $$scratch.log | tail -n 1; \
	  rm -rf $$scratch $$scratch.log; \
	done

unit: $(UNIT)
	@for t in $(UNIT); do $$t || exit 1; done

testtools: $(TOOLS)

# bench: every bench/*.sh, each measuring us against a real peer in the
# same run, with peak RSS.
bench: deps all $(BENCHP)
	@for b in bench/*.sh; do echo "== $$b"; $$b || exit 1; done

demo: deps all $(O)/tools/freeport
	scripts/demo

deps:
	scripts/install-deps

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(PROGS:%=$(O)/bin/%) $(DESTDIR)$(BINDIR)
	install -m 644 $(PROGS:%=man/%.1) $(DESTDIR)$(MANDIR)/man1

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all check asan unit testtools fuzz fuzz-build fuzzers bench demo deps \
	install clean
