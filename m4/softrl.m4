dnl softrl's configure checks.

dnl SRL_CHECK_OPENBLAS: cblas_sgemm and openblas_set_num_threads from OpenBLAS
dnl (Debian: libopenblas-dev).  Sets OPENBLAS_CFLAGS and OPENBLAS_LIBS.
AC_DEFUN([SRL_CHECK_OPENBLAS], [
  PKG_CHECK_MODULES([OPENBLAS], [openblas], [], [
    OPENBLAS_CFLAGS=""
    OPENBLAS_LIBS="-lopenblas"
  ])
  srl_save_LIBS="$LIBS"
  srl_save_CFLAGS="$CFLAGS"
  LIBS="$OPENBLAS_LIBS $LIBS"
  CFLAGS="$OPENBLAS_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([for cblas_sgemm and openblas_set_num_threads in OpenBLAS])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <cblas.h>]],
                   [[float a = 1, b = 1, c = 0;
                     openblas_set_num_threads (1);
                     cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);]])],
                 [AC_MSG_RESULT([yes])],
                 [AC_MSG_RESULT([no])
                  AC_MSG_ERROR([softrl needs OpenBLAS with its CBLAS interface (Debian: apt-get install libopenblas-dev)])])
  LIBS="$srl_save_LIBS"
  CFLAGS="$srl_save_CFLAGS"
  AC_SUBST([OPENBLAS_CFLAGS])
  AC_SUBST([OPENBLAS_LIBS])
])

dnl SRL_CHECK_MUJOCO: the MuJoCo C API (Debian: libmujoco-dev, 2.2.2), for the
dnl MuJoCo environment plugins.  Sets MUJOCO_CFLAGS and MUJOCO_LIBS.
AC_DEFUN([SRL_CHECK_MUJOCO], [
  AC_ARG_VAR([MUJOCO_CFLAGS], [C compiler flags for MuJoCo])
  AC_ARG_VAR([MUJOCO_LIBS], [linker flags for MuJoCo])
  AS_IF([test -z "$MUJOCO_LIBS"], [MUJOCO_LIBS="-lmujoco"])
  srl_save_LIBS="$LIBS"
  srl_save_CPPFLAGS="$CPPFLAGS"
  LIBS="$MUJOCO_LIBS $LIBS"
  CPPFLAGS="$MUJOCO_CFLAGS $CPPFLAGS"
  AC_CHECK_HEADER([mujoco/mujoco.h], [],
    [AC_MSG_ERROR([softrl needs the MuJoCo headers (Debian: apt-get install libmujoco-dev)])])
  AC_MSG_CHECKING([for mj_step in MuJoCo])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <mujoco/mujoco.h>]], [[mj_step (0, 0);]])],
                 [AC_MSG_RESULT([yes])],
                 [AC_MSG_RESULT([no])
                  AC_MSG_ERROR([softrl needs libmujoco (Debian: apt-get install libmujoco-dev)])])
  LIBS="$srl_save_LIBS"
  CPPFLAGS="$srl_save_CPPFLAGS"
  AC_SUBST([MUJOCO_CFLAGS])
  AC_SUBST([MUJOCO_LIBS])
])

dnl SRL_WARNING_CFLAGS: the warnings softrl is kept clean of; --enable-werror
dnl turns them into errors.
AC_DEFUN([SRL_WARNING_CFLAGS], [
  AC_ARG_ENABLE([werror], [AS_HELP_STRING([--enable-werror], [treat compiler warnings as errors])],
                [], [enable_werror=no])
  WARN_CFLAGS="-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow -Wpointer-arith -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes"
  AS_IF([test "x$enable_werror" = xyes], [WARN_CFLAGS="$WARN_CFLAGS -Werror"])
  AC_SUBST([WARN_CFLAGS])
])
