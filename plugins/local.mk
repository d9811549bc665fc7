# Algorithm and sampler plugins, one file (or folder) each, installed into
# $(pkglibdir).
# plugins/algorithms/sac/: sac and sac-auto (sac.la) and lsp (lsp.la) share
# the soft actor-critic of core.c through a convenience library.
noinst_LTLIBRARIES += plugins/algorithms/sac/libsaccore.la
plugins_algorithms_sac_libsaccore_la_SOURCES = plugins/algorithms/sac/core.c plugins/algorithms/sac/core.h \
	plugins/samplers/squash.h

pkglib_LTLIBRARIES += plugins/algorithms/sac/sac.la
plugins_algorithms_sac_sac_la_SOURCES = plugins/algorithms/sac/sac.c
plugins_algorithms_sac_sac_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_algorithms_sac_sac_la_LIBADD = plugins/algorithms/sac/libsaccore.la $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/algorithms/sac/lsp.la
plugins_algorithms_sac_lsp_la_SOURCES = plugins/algorithms/sac/lsp.c
plugins_algorithms_sac_lsp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_algorithms_sac_lsp_la_LIBADD = plugins/algorithms/sac/libsaccore.la $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/samplers/gaussian.la
plugins_samplers_gaussian_la_SOURCES = plugins/samplers/gaussian.c plugins/samplers/squash.h
plugins_samplers_gaussian_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_samplers_gaussian_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/algorithms/sql.la
plugins_algorithms_sql_la_SOURCES = plugins/algorithms/sql/sql.c plugins/algorithms/sql/sql-math.c plugins/algorithms/sql/sql-math.h
plugins_algorithms_sql_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_algorithms_sql_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/samplers/svgd.la
plugins_samplers_svgd_la_SOURCES = plugins/samplers/svgd.c
plugins_samplers_svgd_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_samplers_svgd_la_LIBADD = $(PLUGIN_LIBADD)

# ddpg and td3 are written only on the public SDK, as a third party would:
# they are compiled with the installed headers' directory alone (no config.h,
# no core/ internals), so including anything else fails the build.
pkglib_LTLIBRARIES += plugins/algorithms/ddpg.la
plugins_algorithms_ddpg_la_SOURCES = plugins/algorithms/ddpg.c
plugins_algorithms_ddpg_la_CPPFLAGS = -I$(top_srcdir)/core/include
plugins_algorithms_ddpg_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_algorithms_ddpg_la_LIBADD = $(PLUGIN_LIBADD)

# The out-of-tree examples: not built here (tests/test-sdk builds them
# against an installed prefix, as their README shows).  They are installed
# with the guide, beside ddpg.c (written on the public headers alone), for
# plugin authors: `pkg-config --variable=examples softrl`.
softrlexamplesdir = $(docdir)/examples
dist_softrlexamples_DATA = plugins/examples/README.md plugins/examples/point-reach.c plugins/examples/grid-q.c \
	plugins/examples/cem.c plugins/examples/point-reach.ini plugins/algorithms/ddpg.c
dist_doc_DATA = plugins/WRITING-PLUGINS.md
pkglib_LTLIBRARIES += plugins/samplers/realnvp.la
plugins_samplers_realnvp_la_SOURCES = plugins/samplers/realnvp.c plugins/samplers/squash.h
plugins_samplers_realnvp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_samplers_realnvp_la_LIBADD = $(PLUGIN_LIBADD)
