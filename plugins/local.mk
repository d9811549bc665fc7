# Algorithm and sampler plugins, one file (or folder) each, installed into
# $(pkglibdir).
pkglib_LTLIBRARIES += plugins/algorithms/sac.la
plugins_algorithms_sac_la_SOURCES = plugins/algorithms/sac.c
plugins_algorithms_sac_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_algorithms_sac_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/samplers/gaussian.la
plugins_samplers_gaussian_la_SOURCES = plugins/samplers/gaussian.c
plugins_samplers_gaussian_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_samplers_gaussian_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/algorithms/sql.la
plugins_algorithms_sql_la_SOURCES = plugins/algorithms/sql.c plugins/algorithms/sql-math.c plugins/algorithms/sql-math.h
plugins_algorithms_sql_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_algorithms_sql_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += plugins/samplers/svgd.la
plugins_samplers_svgd_la_SOURCES = plugins/samplers/svgd.c
plugins_samplers_svgd_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_samplers_svgd_la_LIBADD = $(PLUGIN_LIBADD)
