# Experiment files, installed into $(pkgdatadir)/experiments.
experimentsdir = $(pkgdatadir)/experiments
dist_experiments_DATA = \
	experiments/pendulum-sac.ini \
	experiments/pendulum-sac-auto.ini experiments/pendulum-rltools.ini \
	experiments/multigoal-sac.ini \
	experiments/multigoal-sql.ini \
	experiments/point-goal-x-sql.ini \
	experiments/point-goal-y-sql.ini \
	experiments/point-finetune-sql.ini \
	experiments/pendulum-sac-lsp.ini \
	experiments/multigoal-sac-lsp.ini \
	experiments/lsp-point-motion.ini \
	experiments/lsp-point-maze.ini \
	experiments/point-maze-sac.ini

# MuJoCo benchmarks and the thesis' MuJoCo tasks (see README, "MuJoCo environments").
dist_experiments_DATA += \
	experiments/ant-cross-maze-lsp.ini \
	experiments/ant-cross-maze-sac.ini \
	experiments/ant-hallway-narrow-sql.ini \
	experiments/ant-hallway-wide-sql.ini \
	experiments/ant-maze-sac.ini \
	experiments/ant-maze-sql.ini \
	experiments/ant-motion-lsp.ini \
	experiments/ant-pretrain-sql.ini \
	experiments/ant-sac-auto.ini \
	experiments/ant-sac.ini \
	experiments/ant-sql.ini \
	experiments/ant-u-maze-sql.ini \
	experiments/halfcheetah-sac-auto.ini \
	experiments/halfcheetah-sac.ini \
	experiments/halfcheetah-sql.ini \
	experiments/hopper-sac-auto.ini \
	experiments/hopper-sac.ini \
	experiments/hopper-sql.ini \
	experiments/humanoid-sac-auto.ini \
	experiments/humanoid-sac.ini \
	experiments/humanoid-sql.ini \
	experiments/pusher-bottom-left-sql.ini \
	experiments/pusher-bottom-middle-sql.ini \
	experiments/pusher-bottom-right-sql.ini \
	experiments/pusher-bottom-sql.ini \
	experiments/pusher-left-sql.ini \
	experiments/pusher-middle-sql.ini \
	experiments/pusher-right-sql.ini \
	experiments/swimmer-exploration-sac.ini \
	experiments/swimmer-exploration-sql.ini \
	experiments/swimmer-sac-auto.ini \
	experiments/swimmer-sac.ini \
	experiments/swimmer-sql.ini \
	experiments/walker2d-sac-auto.ini \
	experiments/walker2d-sac.ini \
	experiments/walker2d-sql.ini

# Ablation sweeps (softrl sweep): the thesis' comparisons as sweep files.
dist_experiments_DATA += \
	experiments/ablation-temperature.ini \
	experiments/ablation-reward-scale.ini \
	experiments/ablation-tau.ini \
	experiments/ablation-target-entropy.ini \
	experiments/ablation-eval-mode.ini \
	experiments/ablation-sql-alpha.ini \
	experiments/ablation-sampler.ini

# The deterministic baselines (plugins/algorithms/ddpg.c).
dist_experiments_DATA += experiments/pendulum-td3.ini experiments/pendulum-ddpg.ini \
	experiments/pendulum-sac-deterministic.ini experiments/halfcheetah-td3.ini experiments/halfcheetah-ddpg.ini
