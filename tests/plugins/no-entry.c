/* A shared object that is not a softrl plugin: it has no srl_plugin_init. */
int softrl_test_not_an_entry_point (void);

int
softrl_test_not_an_entry_point (void)
{
  return 42;
}
