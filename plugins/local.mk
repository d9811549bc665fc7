# Algorithm and sampler plugins, one file (or folder) each, installed into
# $(pkglibdir).
pkglib_LTLIBRARIES += plugins/algorithms/sac.la
plugins_algorithms_sac_la_SOURCES = plugins/algorithms/sac.c
plugins_algorithms_sac_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_algorithms_sac_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/samplers/gaussian.la
plugins_samplers_gaussian_la_SOURCES = plugins/samplers/gaussian.c plugins/samplers/squash.h
plugins_samplers_gaussian_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_samplers_gaussian_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/samplers/realnvp.la
plugins_samplers_realnvp_la_SOURCES = plugins/samplers/realnvp.c plugins/samplers/squash.h
plugins_samplers_realnvp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_samplers_realnvp_la_LIBADD = $(PLUGIN_LIBADD)
