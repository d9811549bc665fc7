# libsoftrl (core/): the library every plugin links against.  The program
# (core/cli/) is built on it; its headers are on the program's include path
# only, so that nothing in the library can include them.
lib_LTLIBRARIES += core/libsoftrl.la
core_libsoftrl_la_SOURCES = \
	core/srl-private.h core/experiment.h core/agent.h core/runner.h core/run-private.h \
	core/util.c core/rng.c core/param.c core/state.c core/nn.c core/nn-narrow.c core/nn-xsmm.c core/replay.c \
	core/registry.c core/env.c core/env-binding.c core/sampler.c core/experiment.c \
	core/agent.c core/runner.c core/checkpoint.c core/parallel.c core/relocate.c core/keyfile-repeats.c \
	core/owner.c core/memory.c
core_libsoftrl_la_LIBADD = $(GLIB_LIBS) $(XSMM_LIBS) $(OPENBLAS_LIBS) $(LIBM)
core_libsoftrl_la_LDFLAGS = -version-info $(SOFTRL_LT_VERSION) -no-undefined -export-symbols-regex '^srl_'

softrlincludedir = $(includedir)/softrl
softrlinclude_HEADERS = \
	core/include/softrl/softrl.h core/include/softrl/error.h core/include/softrl/rng.h core/include/softrl/param.h \
	core/include/softrl/state.h core/include/softrl/nn.h core/include/softrl/replay.h core/include/softrl/plugin.h \
	core/include/softrl/env.h core/include/softrl/sampler.h core/include/softrl/algorithm.h core/include/softrl/registry.h \
	core/include/softrl/experiment.h core/include/softrl/parallel.h

bin_PROGRAMS += core/softrl
core_softrl_SOURCES = core/cli/main.c core/cli/commands.h core/cli/cli.h core/cli/cli.c \
	core/cli/cmd-run.c core/cli/cmd-eval.c core/cli/cmd-env.c core/cli/cmd-plugins.c \
	core/cli/bench.h core/cli/bench.c core/cli/bench-common.c core/cli/bench-update.c core/cli/bench-torch.c core/cli/bench-env.c \
	core/cli/bench-memory.c core/cli/bench-pendulum.c core/cli/bench-products.c core/cli/plot.h core/cli/plot.c core/cli/cmd-compose.c core/cli/cmd-figure.c \
	core/cli/experiment-files.c core/cli/cmd-experiments.c core/cli/cmd-export.c core/cli/eval-actions.c \
	core/cli/eval-record.c
core_softrl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core/cli
core_softrl_CFLAGS = $(AM_CFLAGS) $(PLPLOT_CFLAGS)
core_softrl_LDADD = core/libsoftrl.la $(GLIB_LIBS) $(OPENBLAS_LIBS) $(PLPLOT_LIBS)
# Videos of saved policies: frames and captions with cairo, FFmpeg's encoders.
core_softrl_SOURCES += core/cli/cmd-render.c core/cli/canvas.h core/cli/canvas.c core/cli/video.h core/cli/video.c
core_softrl_CFLAGS += $(CAIRO_CFLAGS) $(FFMPEG_CFLAGS)
core_softrl_LDADD += $(CAIRO_LIBS) $(FFMPEG_LIBS)

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = softrl.pc

# Sweeps, summaries and learning curves; MPI distribution only when configure
# found Open MPI.
core_softrl_SOURCES += core/cli/results.h core/cli/results.c \
	core/cli/sweep.h core/cli/sweep.c core/cli/sweep-file.c core/cli/sweep-dir.c core/cli/sweep-jobs.c \
	core/cli/sweep-progress.c core/cli/cmd-sweep.c core/cli/cmd-summarize.c core/cli/cmd-plot.c
core_softrl_LDADD += $(LIBM)
if HAVE_MPI
core_softrl_SOURCES += core/cli/sweep-mpi.c
core_softrl_CFLAGS += $(MPI_CFLAGS)
core_softrl_LDADD += $(MPI_LIBS)
endif

# softrl board: a web dashboard; its page (core/cli/board/) is compiled in.
BOARD_ASSETS = core/cli/board/index.html core/cli/board/app.js core/cli/board/style.css
core_softrl_SOURCES += core/cli/board.h core/cli/board-paths.c core/cli/board-runs.c core/cli/cmd-board.c
nodist_core_softrl_SOURCES = core/cli/board-resources.c
core_softrl_CFLAGS += $(BOARD_CFLAGS)
core_softrl_LDADD += $(BOARD_LIBS)
CLEANFILES += core/cli/board-resources.c
EXTRA_DIST += core/cli/board/board.gresource.xml $(BOARD_ASSETS)
core/cli/board-resources.c: $(srcdir)/core/cli/board/board.gresource.xml $(BOARD_ASSETS:%=$(srcdir)/%)
	$(AM_V_GEN)$(GLIB_COMPILE_RESOURCES) --target=$@ --sourcedir=$(srcdir)/core/cli/board --generate-source \
		--c-name srl_board $(srcdir)/core/cli/board/board.gresource.xml

# `make bench`: every benchmark (`softrl bench all`: updates against the sgemm
# roofline, PyTorch beside softrl, environments against bare mj_step loops,
# peak memory with a full replay buffer), then a summary table.  BENCH_FLAGS
# adds options, e.g. BENCH_FLAGS=--json.
bench: all
	$(top_builddir)/core/softrl bench all $(BENCH_FLAGS)
.PHONY: bench

# PyTorch's side of `softrl bench torch`, found in $(pkgdatadir)/bench.
benchscriptdir = $(pkgdatadir)/bench
dist_benchscript_DATA = bench/torch_sac_update.py
