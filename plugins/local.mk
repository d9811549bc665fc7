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

pkglib_LTLIBRARIES += plugins/samplers/realnvp.la
plugins_samplers_realnvp_la_SOURCES = plugins/samplers/realnvp.c plugins/samplers/squash.h
plugins_samplers_realnvp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_samplers_realnvp_la_LIBADD = $(PLUGIN_LIBADD)
