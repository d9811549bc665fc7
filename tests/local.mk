# Tests: GLib test programs speaking TAP to automake's driver.  They load the
# build tree's plugins and nothing installed (SOFTRL_PLUGIN_SYSTEM_PATH is
# emptied), run BLAS on one thread for bit-exact results, and any GLib
# warning fails them.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = \
	SOFTRL_PLUGIN_SYSTEM_PATH=; export SOFTRL_PLUGIN_SYSTEM_PATH; \
	unset SOFTRL_PLUGIN_PATH; \
	SOFTRL_BIN='$(abs_top_builddir)/core/softrl'; export SOFTRL_BIN; \
	SOFTRL_TEST_PLUGINS='$(abs_top_builddir)/tests/plugins/.libs'; export SOFTRL_TEST_PLUGINS; \
	OPENBLAS_NUM_THREADS=1; export OPENBLAS_NUM_THREADS; \
	G_DEBUG=fatal-warnings; export G_DEBUG;

TEST_LDADD = core/libsoftrl.la $(GLIB_LIBS) $(OPENBLAS_LIBS) $(LIBM)
EXTRA_DIST += tests/testutil.h

check_PROGRAMS += tests/test-nn
tests_test_nn_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test-registry
tests_test_registry_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test-config
tests_test_config_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test-conformance
tests_test_conformance_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test-density
tests_test_density_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test-resume
tests_test_resume_LDADD = $(TEST_LDADD)

# Kills, second processes, memory beyond the machine's, odd plugin files.
check_PROGRAMS += tests/test-trust-runs
tests_test_trust_runs_LDADD = $(TEST_LDADD)
TESTS += tests/test-trust-runs

check_PROGRAMS += tests/test-learning
tests_test_learning_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test-sql
tests_test_sql_SOURCES = tests/test-sql.c plugins/algorithms/sql/sql-math.c plugins/algorithms/sql/sql-math.h
tests_test_sql_CFLAGS = $(AM_CFLAGS)
tests_test_sql_LDADD = $(TEST_LDADD)
# The MuJoCo environments, checked against references computed on MuJoCo here.
check_PROGRAMS += tests/test-mujoco
tests_test_mujoco_CFLAGS = $(AM_CFLAGS) $(MUJOCO_CFLAGS)
tests_test_mujoco_LDADD = $(TEST_LDADD) $(MUJOCO_LIBS)
TESTS += tests/test-mujoco
# The shipped robot models' compiled options and sizes, pinned to Gymnasium v4's.
check_PROGRAMS += tests/test-mujoco-models
tests_test_mujoco_models_CFLAGS = $(AM_CFLAGS) $(MUJOCO_CFLAGS)
tests_test_mujoco_models_LDADD = $(TEST_LDADD) $(MUJOCO_LIBS)
TESTS += tests/test-mujoco-models

TESTS += tests/test-nn tests/test-registry tests/test-config tests/test-conformance tests/test-density tests/test-resume \
	tests/test-learning
TESTS += tests/test-sql

# Checkpoints and policies of every algorithm, mutated, fed to the program.
check_PROGRAMS += tests/test-hostile-files
tests_test_hostile_files_LDADD = $(TEST_LDADD)
TESTS += tests/test-hostile-files

# What softrl trusts in the files it reads: one test per fault.
check_PROGRAMS += tests/test-trust
tests_test_trust_LDADD = $(TEST_LDADD)
TESTS += tests/test-trust

# Plugins made to be refused (or accepted twice) by the registry tests.
TEST_PLUGIN_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/plugins/toy-a.la tests/plugins/toy-b.la tests/plugins/toy-conflict.la \
	tests/plugins/abi-major.la tests/plugins/abi-minor.la tests/plugins/failing.la tests/plugins/no-entry.la \
	tests/plugins/abi-early.la
tests_plugins_toy_a_la_SOURCES = tests/plugins/toy-env.c
tests_plugins_toy_a_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_toy_a_la_LIBADD = $(PLUGIN_LIBADD)
tests_plugins_toy_b_la_SOURCES = tests/plugins/toy-env.c
tests_plugins_toy_b_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_toy_b_la_LIBADD = $(PLUGIN_LIBADD)
tests_plugins_toy_conflict_la_SOURCES = tests/plugins/toy-env.c
tests_plugins_toy_conflict_la_CPPFLAGS = $(AM_CPPFLAGS) -DTOY_DOC='"a different toy"'
tests_plugins_toy_conflict_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_toy_conflict_la_LIBADD = $(PLUGIN_LIBADD)
tests_plugins_abi_major_la_SOURCES = tests/plugins/toy-env.c
tests_plugins_abi_major_la_CPPFLAGS = $(AM_CPPFLAGS) -DTOY_ABI_MAJOR=2
tests_plugins_abi_major_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_abi_major_la_LIBADD = $(PLUGIN_LIBADD)
tests_plugins_abi_minor_la_SOURCES = tests/plugins/toy-env.c
tests_plugins_abi_minor_la_CPPFLAGS = $(AM_CPPFLAGS) -DTOY_ABI_MINOR=99
tests_plugins_abi_minor_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_abi_minor_la_LIBADD = $(PLUGIN_LIBADD)
tests_plugins_failing_la_SOURCES = tests/plugins/toy-env.c
tests_plugins_failing_la_CPPFLAGS = $(AM_CPPFLAGS) -DTOY_FAIL
tests_plugins_failing_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_failing_la_LIBADD = $(PLUGIN_LIBADD)
tests_plugins_no_entry_la_SOURCES = tests/plugins/no-entry.c
tests_plugins_no_entry_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
# Its ABI constant is read before its entry point, which aborts if it runs.
tests_plugins_abi_early_la_SOURCES = tests/plugins/abi-early.c
tests_plugins_abi_early_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_abi_early_la_LIBADD = $(PLUGIN_LIBADD)

# Sweeps, summaries, figures; MPI sweeps when configure found Open MPI.
check_PROGRAMS += tests/test-sweep
tests_test_sweep_LDADD = $(TEST_LDADD)
TESTS += tests/test-sweep

# The conformance walk, also installed ($(pkglibexecdir)/conformance, named
# by softrl.pc's `conformance` variable) so that plugin authors can run it on
# their plugins: SOFTRL_PLUGIN_PATH=DIR conformance -p /conformance/algorithm/NAME
pkglibexec_PROGRAMS += tests/conformance
tests_conformance_SOURCES = tests/test-conformance.c
tests_conformance_LDADD = $(TEST_LDADD)

# The SDK from an installed prefix: stages `make install`, builds the
# out-of-tree examples (plugins/examples/) and ddpg.c against it with the
# documented command, runs them with the installed programs.
check_PROGRAMS += tests/test-sdk
tests_test_sdk_CPPFLAGS = $(AM_CPPFLAGS) -DSRL_TEST_MAKE='"$(MAKE)"' -DSRL_TEST_CC='"$(CC)"' \
	-DSRL_TEST_PKG_CONFIG='"$(PKG_CONFIG)"' -DSRL_TEST_BINDIR='"$(bindir)"' -DSRL_TEST_LIBDIR='"$(libdir)"' \
	-DSRL_TEST_INCLUDEDIR='"$(includedir)"' -DSRL_TEST_PKGLIBDIR='"$(pkglibdir)"' \
	-DSRL_TEST_PKGLIBEXECDIR='"$(pkglibexecdir)"'
tests_test_sdk_LDADD = $(TEST_LDADD)
TESTS += tests/test-sdk

# ddpg and td3: td3 learns Pendulum within 15,000 steps; ddpg resumes exactly
# with its OU noise in the episode memory.
check_PROGRAMS += tests/test-baselines
tests_test_baselines_LDADD = $(TEST_LDADD)
TESTS += tests/test-baselines
# softrl bench update over every algorithm (its JSON, not its rates) and
# the requests it refuses.
check_PROGRAMS += tests/test-bench
tests_test_bench_LDADD = $(TEST_LDADD)
TESTS += tests/test-bench
# The real NVP sampler and latent space policy hierarchies.
check_PROGRAMS += tests/test-realnvp tests/test-lsp
tests_test_realnvp_LDADD = $(TEST_LDADD)
tests_test_lsp_LDADD = $(TEST_LDADD)
TESTS += tests/test-realnvp tests/test-lsp

# Every shipped experiment file loads against the plugins built here.
check_PROGRAMS += tests/test-experiments
tests_test_experiments_LDADD = $(TEST_LDADD)
TESTS += tests/test-experiments

# Shell tests (TAP too): softrl export's headers against softrl's own
# deterministic actions, compiled with the C compiler configure found.
TEST_EXTENSIONS = .sh .py
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT += SOFTRL_TEST_CC='$(CC)'; export SOFTRL_TEST_CC;
TESTS += tests/test-export.sh
EXTRA_DIST += tests/test-export.sh

# `make bench-export`: a HalfCheetah policy header's size and its act()'s
# time per call (numbers, not a test).
bench-export: all
	SOFTRL_BIN='$(abs_top_builddir)/core/softrl' CC='$(CC)' $(SHELL) $(top_srcdir)/tests/bench-export.sh
.PHONY: bench-export
EXTRA_DIST += tests/bench-export.sh
AM_TESTS_ENVIRONMENT += SOFTRL_TEST_SRCDIR='$(abs_top_srcdir)'; export SOFTRL_TEST_SRCDIR;
# The bash completion, run by bash against the softrl built here.
TESTS += tests/test-completion.sh
EXTRA_DIST += tests/test-completion.sh
AM_TESTS_ENVIRONMENT += SOFTRL_TEST_BUILDDIR='$(abs_top_builddir)'; export SOFTRL_TEST_BUILDDIR;
# The manual page against every command's --help.
TESTS += tests/test-man.sh
EXTRA_DIST += tests/test-man.sh

# `make installcheck`: the installed program from a staged prefix
# (tests/installcheck.sh).
installcheck-local:
	$(SHELL) $(srcdir)/tests/installcheck.sh '$(MAKE)' '$(abs_top_builddir)' '$(bindir)' '$(libdir)' \
	  '$(pkglibdir)' '$(pkgdatadir)' '$(mandir)' '$(bashcompletiondir)' '$(CC)'
EXTRA_DIST += tests/installcheck.sh
# The README's "Exporting a policy" example, run as written.
TESTS += tests/test-readme-export.sh
EXTRA_DIST += tests/test-readme-export.sh

# softrl eval's mean ± std of each per-episode info value against its CSV.
check_PROGRAMS += tests/test-eval
tests_test_eval_LDADD = $(TEST_LDADD)
TESTS += tests/test-eval

# results/collect.sh on a tiny sweep (a shell test speaking TAP).
EXTRA_DIST += tests/test-collect.sh results/collect.sh
TESTS += tests/test-collect.sh

# softrl render: MP4, GIF and PNG of a HalfCheetah and a Pendulum run,
# checked with ffprobe and ffmpeg; the refusals.
check_PROGRAMS += tests/test-render
tests_test_render_LDADD = $(TEST_LDADD)
TESTS += tests/test-render

# The Python package against the program (tests/python-package.py prints TAP),
# with the interpreter configure chose and the source tree's package.
if HAVE_PYTHON
TESTS += tests/python-package.py
endif
EXTRA_DIST += tests/python-package.py
PY_LOG_DRIVER = $(LOG_DRIVER)
# The package finds the build tree's libsoftrl beside its own sources; a
# build outside the source tree names it (and the source tree's data).
PY_LOG_COMPILER = env PYTHONPATH='$(abs_top_srcdir)/python' SOFTRL_SRCDIR='$(abs_top_srcdir)' \
	$$(test '$(abs_top_srcdir)' = '$(abs_top_builddir)' || \
	   echo SOFTRL_LIBRARY='$(abs_top_builddir)/core/.libs/libsoftrl.so' SOFTRL_DATA_PATH='$(abs_top_srcdir)') \
	$(PYTHON)

# softrl board in Debian's Chromium (headless, driven through the DevTools
# protocol) and the HTTP requests it must refuse.
check_PROGRAMS += tests/test-board
tests_test_board_CFLAGS = $(AM_CFLAGS) $(BOARD_CFLAGS)
tests_test_board_LDADD = $(TEST_LDADD) $(BOARD_LIBS)
TESTS += tests/test-board
