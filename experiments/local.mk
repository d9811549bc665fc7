# Experiment files, installed into $(pkgdatadir)/experiments.
experimentsdir = $(pkgdatadir)/experiments
dist_experiments_DATA = \
	experiments/pendulum-sac.ini \
	experiments/pendulum-sac-auto.ini \
	experiments/multigoal-sac.ini \
	experiments/multigoal-sql.ini \
	experiments/point-goal-x-sql.ini \
	experiments/point-goal-y-sql.ini \
	experiments/point-finetune-sql.ini
