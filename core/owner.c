/* Owners of directories: a run directory (or a sweep's) belongs to one
 * process at a time.  The owner holds flock() on a file inside it for as
 * long as it lives, so the kernel lets go however the process ends, kill -9
 * included; the file holds the owner's PID for the message a second process
 * gets.  And what an owner finds on arrival: temporary files of writes that
 * a killed predecessor left half done. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "runner.h"

/* What the owner writes into the lock file, and what srl_dir_owner_ended()
 * reads back: "process PID on HOST". */
#define HOLDER_PREFIX "process "
#define HOLDER_HOST_SEPARATOR " on "

/* "process PID on HOST", as the owner wrote it, or NULL. */
static char *
read_holder (int fd)
{
  char text[256];
  ssize_t n = pread (fd, text, sizeof text - 1, 0);
  if (n <= 0)
    return NULL;
  text[n] = '\0';
  g_strstrip (text);
  return *text ? srl_printable_excerpt (text, 80) : NULL;
}

int
srl_dir_lock (const char *dir, const char *lock_name, const char *what, GError **error)
{
  g_autofree char *path = g_build_filename (dir, lock_name, NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot open: %s", path, g_strerror (errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_autofree char *holder = read_holder (fd);
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s: another softrl %s works in this directory (%s); wait for it to end or stop it", dir, what,
                   holder ? holder : "its process has not written its number yet");
      close (fd);
      return -1;
    }
  g_autofree char *me
      = g_strdup_printf (HOLDER_PREFIX "%d" HOLDER_HOST_SEPARATOR "%s\n", (int) getpid (), g_get_host_name ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, me, strlen (me), 0) < 0)
    {
      /* Only the message a second process gets suffers. */
    }
  return fd;
}

char *
srl_dir_lock_holder (const char *dir, const char *lock_name)
{
  g_autofree char *path = g_build_filename (dir, lock_name, NULL);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  char *holder = NULL;
  if (flock (fd, LOCK_SH | LOCK_NB) != 0)
    {
      holder = read_holder (fd);
      if (!holder)
        holder = g_strdup ("a process that has not written its number yet");
    }
  close (fd); /* releases the shared lock, if taken */
  return holder;
}

gboolean
srl_dir_owner_ended (const char *dir, const char *lock_name)
{
  /* Read, never locked: a reader that took the lock even for an instant
   * could refuse a run that starts at that moment. */
  g_autofree char *path = g_build_filename (dir, lock_name, NULL);
  g_autofree char *text = NULL;
  gsize length;
  if (!g_file_get_contents (path, &text, &length, NULL) || length > 256)
    return FALSE;
  int pid = 0;
  char host[257] = "";
  if (sscanf (text, HOLDER_PREFIX "%d" HOLDER_HOST_SEPARATOR "%256s", &pid, host) != 2 || pid <= 0)
    return FALSE;
  /* A process on another machine (a shared file system) cannot be asked. */
  if (strcmp (host, g_get_host_name ()) != 0)
    return FALSE;
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* Whether `name` is `file` with a temporary suffix of six characters, as
 * mkstemp makes them: ".FILE.XXXXXX" (checkpoints, policies) or
 * "FILE.XXXXXX" (files written with g_file_set_contents). */
static gboolean
is_temporary_of (const char *name, const char *file)
{
  if (name[0] == '.' && g_str_has_prefix (name + 1, file))
    name++;
  else if (!g_str_has_prefix (name, file))
    return FALSE;
  const char *suffix = name + strlen (file);
  if (suffix[0] != '.' || strlen (suffix) != 7)
    return FALSE;
  for (const char *c = suffix + 1; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '_')
      return FALSE;
  return TRUE;
}

guint
srl_run_remove_temporaries (const char *dir)
{
  static const char *const files[] = { SRL_RUN_CONFIG, SRL_RUN_CHECKPOINT, SRL_RUN_POLICY, SRL_RUN_PROGRESS,
                                       SRL_RUN_STATUS };
  GDir *d = g_dir_open (dir, 0, NULL);
  if (!d)
    return 0;
  guint removed = 0;
  const char *name;
  while ((name = g_dir_read_name (d)))
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      if (is_temporary_of (name, files[i]))
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)
              && g_unlink (path) == 0)
            removed++;
          break;
        }
  g_dir_close (d);
  return removed;
}
