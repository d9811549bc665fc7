# libsoftrl: the core every plugin links against, and the softrl program.
lib_LTLIBRARIES += core/libsoftrl.la
core_libsoftrl_la_SOURCES = \
	core/srl-private.h core/experiment.h core/runner.h \
	core/util.c core/rng.c core/param.c core/state.c core/nn.c core/nn-narrow.c core/replay.c \
	core/registry.c core/env.c core/env-binding.c core/sampler.c core/experiment.c core/runner.c \
	core/parallel.c
core_libsoftrl_la_LIBADD = $(GLIB_LIBS) $(OPENBLAS_LIBS) $(LIBM)
core_libsoftrl_la_LDFLAGS = -version-info $(SOFTRL_LT_VERSION) -no-undefined -export-symbols-regex '^srl_'

softrlincludedir = $(includedir)/softrl
softrlinclude_HEADERS = \
	core/include/softrl/softrl.h core/include/softrl/error.h core/include/softrl/rng.h core/include/softrl/param.h \
	core/include/softrl/state.h core/include/softrl/nn.h core/include/softrl/replay.h core/include/softrl/plugin.h \
	core/include/softrl/env.h core/include/softrl/sampler.h core/include/softrl/algorithm.h core/include/softrl/registry.h \
	core/include/softrl/experiment.h core/include/softrl/parallel.h

bin_PROGRAMS += core/softrl
core_softrl_SOURCES = core/commands.h core/main.c core/cmd-run.c core/cmd-eval.c core/eval-actions.c core/cmd-env.c \
	core/cmd-plugins.c core/cmd-bench.c core/plot.h core/plot.c \
	core/cmd-compose.c core/cmd-figure.c
core_softrl_CFLAGS = $(AM_CFLAGS) $(PLPLOT_CFLAGS)
core_softrl_LDADD = core/libsoftrl.la $(GLIB_LIBS) $(OPENBLAS_LIBS) $(PLPLOT_LIBS)

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = softrl.pc

# Sweeps, summaries and learning curves; MPI distribution only when configure
# found Open MPI.
core_softrl_SOURCES += core/sweep.h core/sweep.c core/results.h core/results.c core/cmd-sweep.c \
	core/cmd-summarize.c core/cmd-plot.c
core_softrl_LDADD += $(LIBM)
if HAVE_MPI
core_softrl_SOURCES += core/sweep-mpi.c
core_softrl_CFLAGS += $(MPI_CFLAGS)
core_softrl_LDADD += $(MPI_LIBS)
endif

# `make bench`: every benchmark (`softrl bench all`: updates against the sgemm
# roofline, PyTorch beside softrl, environments against bare mj_step loops,
# peak memory with a full replay buffer), then a summary table.  BENCH_FLAGS
# adds options, e.g. BENCH_FLAGS=--json.
bench: all
	$(top_builddir)/core/softrl bench all $(BENCH_FLAGS)
.PHONY: bench
