dnl SRL_CHECK_MPI: Open MPI's C interface (Debian: libopenmpi-dev, with
dnl openmpi-bin for mpirun), optional.  `softrl sweep` uses it to spread runs
dnl over the ranks of an MPI job; without it softrl builds as before and says
dnl so in `softrl --version`.  --without-mpi skips the check.  Sets MPI_CFLAGS,
dnl MPI_LIBS, HAVE_MPI (config.h and automake conditional), SRL_MPIRUN (config.h,
dnl for the tests) and srl_have_mpi.
AC_DEFUN([SRL_CHECK_MPI], [
  AC_ARG_WITH([mpi], [AS_HELP_STRING([--without-mpi], [build without MPI (sweeps then run on one machine only)])],
              [], [with_mpi=check])
  AC_ARG_VAR([MPI_CFLAGS], [C compiler flags for MPI])
  AC_ARG_VAR([MPI_LIBS], [linker flags for MPI])
  srl_have_mpi=no
  AS_IF([test "x$with_mpi" != xno], [
    AS_IF([test -z "$MPI_LIBS"],
          [PKG_CHECK_MODULES([MPI], [ompi-c], [], [MPI_LIBS=""])])
    AS_IF([test -n "$MPI_LIBS"], [
      srl_save_LIBS="$LIBS"
      srl_save_CPPFLAGS="$CPPFLAGS"
      LIBS="$MPI_LIBS $LIBS"
      CPPFLAGS="$MPI_CFLAGS $CPPFLAGS"
      AC_MSG_CHECKING([for MPI_Init_thread in Open MPI])
      AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>
#ifndef OMPI_MAJOR_VERSION
#error not Open MPI
#endif]], [[int p; MPI_Init_thread (0, 0, MPI_THREAD_SINGLE, &p);]])],
                     [srl_have_mpi=yes], [srl_have_mpi=no])
      AC_MSG_RESULT([$srl_have_mpi])
      LIBS="$srl_save_LIBS"
      CPPFLAGS="$srl_save_CPPFLAGS"
    ])
    AS_IF([test "x$srl_have_mpi" = xno && test "x$with_mpi" = xyes],
          [AC_MSG_ERROR([--with-mpi: Open MPI not found (Debian: apt-get install libopenmpi-dev openmpi-bin)])])
  ])
  AS_IF([test "x$srl_have_mpi" = xyes],
        [AC_DEFINE([HAVE_MPI], [1], [Define to 1 when softrl sweep can spread runs over MPI ranks.])
         dnl The launcher the tests start MPI sweeps with.
         AC_PATH_PROGS([MPIRUN], [mpirun mpiexec], [])
         AS_IF([test -n "$MPIRUN"],
               [AC_DEFINE_UNQUOTED([SRL_MPIRUN], ["$MPIRUN"], [mpirun, for the tests of MPI sweeps.])])],
        [MPI_CFLAGS=""; MPI_LIBS=""])
  AM_CONDITIONAL([HAVE_MPI], [test "x$srl_have_mpi" = xyes])
  AC_SUBST([MPI_CFLAGS])
  AC_SUBST([MPI_LIBS])
])
