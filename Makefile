# SPDX-License-Identifier: GPL-2.0
#
# btrfs NOCOW-before-remap fix, its KUnit suites on UML, end-to-end scenarios, benchmark.
# 'make' is the main job, 'make test' runs everything that guards the project.
# 'make help' lists the targets.

SHELL := /bin/bash
T := tools

.DEFAULT_GOAL := all
.PHONY: all help deps prepare kunit kunit-debug e2e proof test bench check \
	export format-patch reset-tree clean fstests

all: deps prepare kunit ## main job: set up the machine and the tree, build UML, run our KUnit suites

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## /  \1\t/' | expand -t 16

deps: ## install the missing Debian packages of lib/packages (as root)
	@$(T)/install-deps

prepare: deps ## extract linux-source-6.12 into build/linux as git and apply patches/series
	@$(T)/prepare

kunit: prepare ## build UML and run the btrfs KUnit suites with kunit.py (.kunitconfig)
	@$(T)/kunit

kunit-debug: prepare ## the same with kunit/debug.kunitconfig (KASAN, lockdep, BTRFS_DEBUG)
	@$(T)/kunit --kunitconfig kunit/debug.kunitconfig --build-dir build/kunit-debug

e2e: prepare ## run the end-to-end scenarios on a real btrfs inside UML
	@$(T)/e2e/run

proof: prepare ## show that every KUnit case and scenario fails on kernels without the fix
	@$(T)/proof/run

test: deps ## everything that guards the project: kunit, e2e, proof, check; one verdict
	@$(T)/test

fstests: prepare ## fstests on btrfs inside UML (TESTS=, GROUPS=, KERNEL=, UPSTREAM=1, FSTESTS=)
	@$(T)/fstests/run $(if $(GROUPS),--groups '$(GROUPS)') $(if $(TESTS),--tests '$(TESTS)') \
		$(if $(KERNEL),--kernel '$(KERNEL)') $(if $(UPSTREAM),--upstream)

bench: prepare ## small clone/dedupe cost, upstream 6.12 against ours, in one run
	@$(T)/bench/run

check: prepare ## checkpatch --strict on the series and new files, W=1 build of fs/btrfs
	@$(T)/check

export: ## bring commits made in build/linux back into patches/ and fs/
	@$(T)/export

format-patch: prepare ## write the whole series, new files included, to build/series/
	@rm -rf build/series && git -C build/linux format-patch -q -o $(CURDIR)/build/series pristine..HEAD && \
		ls build/series

reset-tree: ## throw away edits made in build/linux and apply the series again
	@git -C build/linux config --unset workbench.head || true
	@git -C build/linux config --unset workbench.series || true
	@$(T)/prepare

clean: ## remove build/ (the kernel tree, every build and every result)
	rm -rf build

Makefile .kunitconfig: ;

%:
	@echo "error: unknown target '$@'" >&2; echo "hint: 'make help' lists the targets" >&2; exit 1
