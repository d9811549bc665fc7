# Experiment files, installed into $(pkgdatadir)/experiments.
experimentsdir = $(pkgdatadir)/experiments
dist_experiments_DATA = \
	experiments/pendulum-sac.ini \
	experiments/pendulum-sac-auto.ini \
	experiments/multigoal-sac.ini \
	experiments/pendulum-sac-lsp.ini \
	experiments/multigoal-sac-lsp.ini \
	experiments/lsp-point-motion.ini \
	experiments/lsp-point-maze.ini \
	experiments/point-maze-sac.ini
