# SPDX-License-Identifier: GPL-2.0
#
# btrfs NOCOW-before-remap fix, its KUnit suites on UML, end-to-end scenarios, benchmark.
# 'make' is the main job, 'make test' runs everything that guards the project.
# 'make help' lists the targets.

SHELL := /bin/bash
T := tools

.DEFAULT_GOAL := all
.PHONY: all help deps prepare kunit kunit-debug e2e fuzz proof test bench check \
	export format-patch reset-tree clean fstests fstests-compare

all: deps prepare kunit ## main job: set up the machine and the tree, build UML, run our KUnit suites

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## /  \1\t/' | expand -t 20

deps: ## install the missing Debian packages of lib/packages (as root)
	@$(T)/install-deps

prepare: deps ## extract linux-source-6.12 into build/linux as git and apply patches/series
	@$(T)/prepare

kunit: prepare ## build UML (.kunitconfig) in build/kunit with kunit.py and run the btrfs KUnit suites
	@$(T)/kunit

kunit-debug: prepare ## the same with kunit/debug.kunitconfig (KASAN, lockdep, BTRFS_DEBUG)
	@$(T)/kunit --kunitconfig kunit/debug.kunitconfig --build-dir build/kunit-debug

e2e: prepare ## run the end-to-end scenarios on a real btrfs inside UML (the kernel of build/kunit)
	@$(T)/e2e/run

# make fuzz SEEDS=N: the fixed seeds and N random ones.
SEEDS ?= 20
fuzz: prepare ## randomized end-to-end cases against a model: the fixed seeds and SEEDS random ones (20)
	@$(T)/fuzz/run --fixed --seeds $(SEEDS)

# make proof FULL=1: every scenario on every variant, not only on those it claims.
proof: prepare ## show that the KUnit cases, scenarios and fuzz seeds fail on kernels without the fix (FULL=1)
	@$(T)/proof/run $(if $(FULL),--all-scenarios)

test: deps ## everything that guards the project: kunit, e2e, location, fuzz, proof, check; one verdict
	@$(T)/test

fstests: prepare ## fstests on btrfs inside UML (TESTS=, GROUPS=, KERNEL=, UPSTREAM=1, VARIANT=, FSTESTS=, RESUME=1)
	@$(T)/fstests/run $(if $(GROUPS),--groups '$(GROUPS)') $(if $(TESTS),--tests '$(TESTS)') \
		$(if $(KERNEL),--kernel '$(KERNEL)') $(if $(UPSTREAM),--upstream) \
		$(if $(VARIANT),--variant '$(VARIANT)') $(if $(RESUME),--resume)

fstests-compare: ## the default set's fstests results on ours and upstream side by side (A=, B=: other runs)
	@$(T)/fstests/compare $(if $(A)$(B),'$(or $(A),ours)' '$(or $(B),upstream)')

bench: prepare ## small clone/dedupe cost, upstream 6.12 against ours, in one run
	@$(T)/bench/run

check: prepare ## pre-submit: checkpatch --strict, kernel-doc, sparse, W=1, git am of the series
	@$(T)/check

export: ## bring commits made in build/linux back into patches/ and fs/
	@$(T)/export

format-patch: prepare ## write the series, new files included, and a cover letter to build/series/
	@$(T)/format-patch

reset-tree: ## throw away edits made in build/linux and apply the series again
	@git -C build/linux config --unset workbench.head || true
	@git -C build/linux config --unset workbench.series || true
	@$(T)/prepare

clean: ## remove build/ (the kernel tree, every build and every result)
	rm -rf build

Makefile .kunitconfig: ;

%:
	@echo "error: unknown target '$@'" >&2; echo "hint: 'make help' lists the targets" >&2; exit 1
