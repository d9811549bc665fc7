# Experiment files, installed into $(pkgdatadir)/experiments.
experimentsdir = $(pkgdatadir)/experiments
dist_experiments_DATA = \
	experiments/pendulum-sac.ini \
	experiments/pendulum-sac-auto.ini \
	experiments/multigoal-sac.ini
