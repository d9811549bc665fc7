# Experiment files, installed into $(pkgdatadir)/experiments.
experimentsdir = $(pkgdatadir)/experiments
dist_experiments_DATA = \
	experiments/pendulum-sac.ini \
	experiments/pendulum-sac-auto.ini \
	experiments/multigoal-sac.ini

# The deterministic baselines (plugins/algorithms/ddpg.c).
dist_experiments_DATA += experiments/pendulum-td3.ini experiments/pendulum-ddpg.ini \
	experiments/pendulum-sac-deterministic.ini
