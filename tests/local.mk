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

check_PROGRAMS += tests/test-learning
tests_test_learning_LDADD = $(TEST_LDADD)

TESTS += tests/test-nn tests/test-registry tests/test-config tests/test-conformance tests/test-density tests/test-resume \
	tests/test-learning

# Plugins made to be refused (or accepted twice) by the registry tests.
TEST_PLUGIN_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/plugins/toy-a.la tests/plugins/toy-b.la tests/plugins/toy-conflict.la \
	tests/plugins/abi-major.la tests/plugins/abi-minor.la tests/plugins/failing.la tests/plugins/no-entry.la
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

# The real NVP sampler and latent space policy hierarchies (issue 4).
check_PROGRAMS += tests/test-realnvp tests/test-lsp
tests_test_realnvp_LDADD = $(TEST_LDADD)
tests_test_lsp_LDADD = $(TEST_LDADD)
TESTS += tests/test-realnvp tests/test-lsp
