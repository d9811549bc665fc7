# Experiment files, installed into $(pkgdatadir)/experiments.
experimentsdir = $(pkgdatadir)/experiments
dist_experiments_DATA = \
	experiments/pendulum-sac.ini \
	experiments/pendulum-sac-auto.ini \
	experiments/multigoal-sac.ini

# Ablation sweeps (softrl sweep): the thesis' comparisons as sweep files.
dist_experiments_DATA += \
	experiments/ablation-temperature.ini \
	experiments/ablation-reward-scale.ini \
	experiments/ablation-tau.ini \
	experiments/ablation-target-entropy.ini \
	experiments/ablation-eval-mode.ini \
	experiments/ablation-sql-alpha.ini \
	experiments/ablation-sampler.ini
