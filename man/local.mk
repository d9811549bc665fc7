# The manual page, written by hand (man/softrl.1.in): installation paths
# and the version filled in at build time ([@] keeps config.status from
# replacing the placeholders in this rule).
man1_MANS = man/softrl.1
EXTRA_DIST += man/softrl.1.in
CLEANFILES += man/softrl.1
man/softrl.1: man/softrl.1.in Makefile
	$(AM_V_GEN)$(MKDIR_P) man && sed -e 's|[@]VERSION[@]|$(PACKAGE_VERSION)|g' -e 's|[@]PKGLIBDIR[@]|$(pkglibdir)|g' \
	  -e 's|[@]PKGDATADIR[@]|$(pkgdatadir)|g' $(srcdir)/man/softrl.1.in > $@.tmp && mv $@.tmp $@

# The bash completion, in bash-completion's directory (configure
# --with-bash-completion-dir).
bashcompletiondir = $(BASH_COMPLETION_DIR)
dist_bashcompletion_DATA = completion/softrl
