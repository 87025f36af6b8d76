# strata: GNU make.  "make" builds, "make check" installs what is missing,
# builds, and runs every test; see README.md.
PROGS	 = config-envsubst
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
VERSION	:= $(shell cat VERSION 2>/dev/null || echo 0.0.0-dev)
O	?= build
HARDEN	?= -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE
CFLAGS	+= -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wvla $(HARDEN) \
	   -MMD -MP -Icommon -DVERSION='"$(VERSION)"'
LDFLAGS	?= -pie -Wl,-z,relro,-z,now -Wl,--as-needed
LDLIBS	+= -lcurl -lz -lpthread -lm
LIBOBJ	:= $(patsubst %.c,$(O)/%.o,$(wildcard common/*/*.c))
CMDOBJ	:= $(patsubst %.c,$(O)/%.o,$(wildcard cmd/*/*.c))
UNIT	:= $(patsubst tests/unit/%.c,$(O)/unit/%,$(wildcard tests/unit/*.c))
TOOLS	:= $(patsubst tests/tools/%.c,$(O)/tools/%,$(wildcard tests/tools/*.c))

all: $(PROGS:%=$(O)/bin/%)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
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
$(O)/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^)
-include $(LIBOBJ:.o=.d) $(CMDOBJ:.o=.d) $(UNIT:=.d) $(TOOLS:=.d)

# check: deps, the release build, the sanitizer build with its unit tests,
# then every bats test against the sanitizer build's programs.  The last
# line is "N passed, N failed".
check: deps
	$(MAKE) all
	$(MAKE) asan
	scripts/run-bats build-asan

# Own object dir: sanitizer and release objects never mix.
asan:
	$(MAKE) O=build-asan LDFLAGS= HARDEN='-O1 -fno-omit-frame-pointer \
	  -fsanitize=address,undefined -fno-sanitize-recover=all' \
	  all testtools unit

unit: $(UNIT)
	@for t in $(UNIT); do $$t || exit 1; done

testtools: $(TOOLS)

bench: all
	@if [ -d bench ] && ls bench/*.sh >/dev/null 2>&1; then \
	  for b in bench/*.sh; do $$b || exit 1; done; \
	else echo "no benchmarks yet"; fi

demo: deps all $(O)/tools/freeport
	scripts/demo

deps:
	scripts/install-deps

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(PROGS:%=$(O)/bin/%) $(DESTDIR)$(BINDIR)
	install -m 644 $(PROGS:%=man/%.1) $(DESTDIR)$(MANDIR)/man1

clean:
	rm -rf build build-asan

.PHONY: all check asan unit testtools bench demo deps install clean
