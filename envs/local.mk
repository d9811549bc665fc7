# Environment plugins, one file (or folder) each, installed into $(pkglibdir).
# The 2-D ones draw their frames with cairo through a convenience library.
noinst_LTLIBRARIES += envs/libsrl-draw2d.la
envs_libsrl_draw2d_la_SOURCES = envs/draw2d.h envs/draw2d.c
envs_libsrl_draw2d_la_CFLAGS = $(AM_CFLAGS) $(CAIRO_CFLAGS)
DRAW2D_PLUGIN_CFLAGS = $(AM_CFLAGS) $(CAIRO_CFLAGS)
DRAW2D_PLUGIN_LIBADD = envs/libsrl-draw2d.la $(CAIRO_LIBS) $(PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/pendulum.la
envs_pendulum_la_SOURCES = envs/pendulum.c
envs_pendulum_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_pendulum_la_CFLAGS = $(DRAW2D_PLUGIN_CFLAGS)
envs_pendulum_la_LIBADD = $(DRAW2D_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/multigoal.la
envs_multigoal_la_SOURCES = envs/multigoal.c
envs_multigoal_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_multigoal_la_CFLAGS = $(DRAW2D_PLUGIN_CFLAGS)
envs_multigoal_la_LIBADD = $(DRAW2D_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/point.la
envs_point_la_SOURCES = envs/point.c
envs_point_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_point_la_CFLAGS = $(DRAW2D_PLUGIN_CFLAGS)
envs_point_la_LIBADD = $(DRAW2D_PLUGIN_LIBADD)
# MuJoCo environments (envs/mujoco/): one plugin per file; the machinery they
# share (model loading, stepping, state, reset noise, the Ant's body) is a
# convenience library linked into each.  Models are installed under
# $(pkgdatadir)/envs/mujoco/models, the path srl_find_data_file() looks up.
noinst_LTLIBRARIES += envs/mujoco/libsrl-mujoco.la
envs_mujoco_libsrl_mujoco_la_SOURCES = envs/mujoco/mujoco-env.h envs/mujoco/mujoco-env.c \
	envs/mujoco/ant-common.h envs/mujoco/ant-common.c
envs_mujoco_libsrl_mujoco_la_CFLAGS = $(AM_CFLAGS) $(MUJOCO_CFLAGS)
MUJOCO_PLUGIN_CFLAGS = $(AM_CFLAGS) $(MUJOCO_CFLAGS)
MUJOCO_PLUGIN_LIBADD = envs/mujoco/libsrl-mujoco.la core/libsoftrl-mujoco.la $(MUJOCO_LIBS) $(PLUGIN_LIBADD)

# Their renderer (MuJoCo's, on a headless EGL context) is a library of its
# own, installed with its header and softrl-mujoco.pc, so that environments
# built out of tree render the same way; the core program links none of it.
# Built into core/ because the program scans envs/ for plugins when it runs
# from the build tree, and this library is none.
lib_LTLIBRARIES += core/libsoftrl-mujoco.la
core_libsoftrl_mujoco_la_SOURCES = envs/mujoco/mujoco-render.c
core_libsoftrl_mujoco_la_CFLAGS = $(AM_CFLAGS) $(MUJOCO_CFLAGS) $(EGL_CFLAGS)
core_libsoftrl_mujoco_la_LIBADD = core/libsoftrl.la $(MUJOCO_LIBS) $(EGL_LIBS) $(GLIB_LIBS)
core_libsoftrl_mujoco_la_LDFLAGS = -version-info 0:0:0 -no-undefined -export-symbols-regex '^srl_mj_renderer_'
softrlinclude_HEADERS += core/include/softrl/mujoco-render.h
pkgconfig_DATA += softrl-mujoco.pc

pkglib_LTLIBRARIES += envs/mujoco/halfcheetah.la
envs_mujoco_halfcheetah_la_SOURCES = envs/mujoco/halfcheetah.c
envs_mujoco_halfcheetah_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_halfcheetah_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_halfcheetah_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/hopper.la
envs_mujoco_hopper_la_SOURCES = envs/mujoco/hopper.c
envs_mujoco_hopper_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_hopper_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_hopper_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/walker2d.la
envs_mujoco_walker2d_la_SOURCES = envs/mujoco/walker2d.c
envs_mujoco_walker2d_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_walker2d_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_walker2d_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/ant.la
envs_mujoco_ant_la_SOURCES = envs/mujoco/ant.c
envs_mujoco_ant_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_ant_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_ant_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/humanoid.la
envs_mujoco_humanoid_la_SOURCES = envs/mujoco/humanoid.c
envs_mujoco_humanoid_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_humanoid_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_humanoid_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/swimmer.la
envs_mujoco_swimmer_la_SOURCES = envs/mujoco/swimmer.c
envs_mujoco_swimmer_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_swimmer_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_swimmer_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/ant-maze.la
envs_mujoco_ant_maze_la_SOURCES = envs/mujoco/ant-maze.c
envs_mujoco_ant_maze_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_ant_maze_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_ant_maze_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/ant-hallway.la
envs_mujoco_ant_hallway_la_SOURCES = envs/mujoco/ant-hallway.c
envs_mujoco_ant_hallway_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_ant_hallway_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_ant_hallway_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/ant-cross-maze.la
envs_mujoco_ant_cross_maze_la_SOURCES = envs/mujoco/ant-cross-maze.c
envs_mujoco_ant_cross_maze_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_ant_cross_maze_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_ant_cross_maze_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)

pkglib_LTLIBRARIES += envs/mujoco/pusher.la
envs_mujoco_pusher_la_SOURCES = envs/mujoco/pusher.c
envs_mujoco_pusher_la_CFLAGS = $(MUJOCO_PLUGIN_CFLAGS)
envs_mujoco_pusher_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_mujoco_pusher_la_LIBADD = $(MUJOCO_PLUGIN_LIBADD)


nobase_dist_pkgdata_DATA += \
	envs/mujoco/models/halfcheetah.xml \
	envs/mujoco/models/hopper.xml \
	envs/mujoco/models/walker2d.xml \
	envs/mujoco/models/ant.xml \
	envs/mujoco/models/humanoid.xml \
	envs/mujoco/models/swimmer.xml \
	envs/mujoco/models/ant-maze.xml \
	envs/mujoco/models/ant-u-maze.xml \
	envs/mujoco/models/ant-hallway-wide.xml \
	envs/mujoco/models/ant-hallway-narrow.xml \
	envs/mujoco/models/ant-cross-maze.xml \
	envs/mujoco/models/pusher.xml
pkglib_LTLIBRARIES += envs/point-maze.la
envs_point_maze_la_SOURCES = envs/point-maze.c
envs_point_maze_la_LDFLAGS = $(PLUGIN_LDFLAGS)
envs_point_maze_la_CFLAGS = $(DRAW2D_PLUGIN_CFLAGS)
envs_point_maze_la_LIBADD = $(DRAW2D_PLUGIN_LIBADD)
