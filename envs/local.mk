# Environment plugins, one file (or folder) each, installed into $(pkglibdir).
pkglib_LTLIBRARIES += envs/pendulum.la
envs_pendulum_la_SOURCES = envs/pendulum.c
envs_pendulum_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_pendulum_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/multigoal.la
envs_multigoal_la_SOURCES = envs/multigoal.c
envs_multigoal_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_multigoal_la_LIBADD = $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/point-maze.la
envs_point_maze_la_SOURCES = envs/point_maze.c
envs_point_maze_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_point_maze_la_LIBADD = $(PLUGIN_LIBADD)
