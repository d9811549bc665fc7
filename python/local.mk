# The softrl Python package: pure Python over numpy, installed into the
# interpreter's site-packages as softrl/; _installed.py tells the installed
# package where `make install` put libsoftrl.
if HAVE_PYTHON
pkgpython_PYTHON = \
	python/softrl/__init__.py python/softrl/_library.py python/softrl/config.py python/softrl/env.py \
	python/softrl/errors.py python/softrl/policy.py python/softrl/results.py python/softrl/rng.py \
	python/softrl/safetensors.py
nodist_pkgpython_PYTHON = python/softrl/_installed.py
nodist_noinst_DATA = python/softrl/_installed.py
endif
EXTRA_DIST += python/bench_env.py
CLEANFILES += python/softrl/_installed.py

python/softrl/_installed.py: Makefile
	$(AM_V_GEN)$(MKDIR_P) python/softrl && \
	echo '"""Where make install put libsoftrl (generated)."""' > $@ && \
	echo 'LIBDIR = "$(libdir)"' >> $@
