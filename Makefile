# SPDX-License-Identifier: GPL-2.0
#
# btrfs NOCOW-before-remap fix, its KUnit suites on UML, end-to-end scenarios, benchmark.
# 'make' is the main job, 'make test' runs everything that guards the project.
# 'make help' lists the targets, each with the page that explains it: the text after '##' on a
# target's line, its page in parentheses at the end.

SHELL := /bin/bash
T := tools

.DEFAULT_GOAL := all
.PHONY: all help deps prepare kunit kunit-debug e2e fix-alone fuzz stress debug proof test \
	bench check export format-patch reset-tree clean fstests fstests-compare subpage-kunit \
	subpage

all: deps prepare kunit ## main job: packages, kernel tree, UML build, our KUnit suites (README.md)

help: ## list the targets, each with its page (tools/README.md)
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## /  \1\t/' | expand -t 20
	@echo "The project: README.md. Every target in full: tools/README.md."

deps: ## install the missing Debian packages of lib/packages, as root (tools/README.md)
	@$(T)/install-deps

prepare: deps ## extract linux-source-6.12 into build/linux, apply patches/series (tools/README.md)
	@$(T)/prepare

kunit: prepare ## build UML in build/kunit with kunit.py, run our KUnit suites (kunit/README.md)
	@$(T)/kunit

kunit-debug: prepare ## the same with KASAN, lockdep and BTRFS_DEBUG (kunit/README.md)
	@$(T)/kunit --kunitconfig kunit/debug.kunitconfig --build-dir build/kunit-debug

e2e: prepare ## the end-to-end scenarios on a real btrfs inside UML (tools/e2e/README.md)
	@$(T)/e2e/run

fix-alone: prepare ## the scenarios on UML built from the fix alone (tools/README.md)
	@$(T)/fix-alone

# make fuzz SEEDS=N: the fixed seeds and N random ones.
SEEDS ?= 20
fuzz: prepare ## randomized cases: the fixed seeds and SEEDS=20 random ones (tools/fuzz/README.md)
	@$(T)/fuzz/run --fixed --seeds $(SEEDS)

# make stress DURATION=S: each seed of tools/stress/seeds for S seconds.
DURATION ?= 60
stress: prepare ## remaps racing writers on a full btrfs, DURATION=60 s (tools/stress/README.md)
	@$(T)/stress/run --duration $(DURATION)

debug: prepare ## scenarios, fuzz seeds, stress on a KASAN/lockdep kernel (tools/stress/README.md)
	@$(T)/debug/run

# make proof FULL=1: every scenario on every variant, not only on those it claims.
proof: prepare ## the tests fail on kernels without the fix; FULL=1 (tools/proof/README.md)
	@$(T)/proof/run $(if $(FULL),--all-scenarios)

test: deps ## kunit, e2e, fix-alone, location, fuzz, stress, proof, debug, arm64, check (tools/README.md)
	@$(T)/test

subpage-kunit: prepare ## our KUnit suites on arm64 under QEMU, 64K and 16K pages (tools/subpage/README.md)
	@$(T)/subpage/kunit

subpage: prepare ## KUnit, scenarios, fuzz seeds, proof on arm64, 64K and 16K (tools/subpage/README.md)
	@$(T)/subpage/run

# make fstests takes TESTS=, GROUPS=, KERNEL=, UPSTREAM=1, VARIANT=, FSTESTS= and RESUME=1.
fstests: prepare ## fstests on btrfs inside UML; TESTS=, UPSTREAM=1... (tools/fstests/README.md)
	@$(T)/fstests/run $(if $(GROUPS),--groups '$(GROUPS)') $(if $(TESTS),--tests '$(TESTS)') \
		$(if $(KERNEL),--kernel '$(KERNEL)') $(if $(UPSTREAM),--upstream) \
		$(if $(VARIANT),--variant '$(VARIANT)') $(if $(RESUME),--resume)

fstests-compare: deps ## fstests on ours and upstream side by side (tools/fstests/README.md)
	@$(T)/fstests/compare $(if $(A)$(B),'$(or $(A),ours)' '$(or $(B),upstream)')

bench: prepare ## small clone/dedupe cost, upstream 6.12 against ours (tools/bench/README.md)
	@$(T)/bench/run

check: prepare ## pre-submit: checkpatch, kernel-doc, sparse, W=1, git am (tools/README.md)
	@$(T)/check

export: ## bring commits made in build/linux back into patches/ and fs/ (tools/README.md)
	@$(T)/export

format-patch: prepare ## the series and a cover letter in build/series/, as yours (tools/README.md)
	@$(T)/format-patch

reset-tree: deps ## throw away edits made in build/linux, apply the series again (tools/README.md)
	@git -C build/linux config --unset workbench.head || true
	@git -C build/linux config --unset workbench.series || true
	@$(T)/prepare

clean: ## remove build/: the kernel tree, every build and every result (tools/README.md)
	rm -rf build

Makefile .kunitconfig: ;

%:
	@echo "error: unknown target '$@'" >&2
	@echo "hint: 'make help' lists the targets, each with its page" >&2; exit 1
